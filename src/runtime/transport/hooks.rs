//! User callbacks around every request (tapipy's plugins).

use std::sync::Arc;

use super::Operation;

/// Called before every attempt of every request, after the SDK has added its
/// own headers: it may add or change headers, the URL or the body. Register
/// with `TapisBuilder::pre_request_hook`.
pub type PreRequestHook = Arc<dyn Fn(&Operation, &mut reqwest::Request) + Send + Sync>;

/// Called with every response received (status and headers; the body is
/// left for the operation), error statuses included. Register with
/// `TapisBuilder::post_response_hook`.
pub type PostResponseHook = Arc<dyn Fn(&Operation, &reqwest::Response) + Send + Sync>;

//! The runtime of the [`tapis`](https://crates.io/crates/tapis) SDK: what
//! every generated service client calls (the transport with its token
//! refresh, retries, hooks and redirects; requests and per-call options;
//! tolerant response decoding; paging; transfers; errors; authentication).
//!
//! It is its own crate so that the generated service crates (`tapis-api-systems`,
//! ...) compile side by side, each against it, instead of as one large crate.
//! Use it through `tapis`, which re-exports its public API: its other items
//! are public only for the generated code and are not a stable API.

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod error;
pub mod paging;
pub mod path;
pub mod request;
pub mod response;
#[cfg(feature = "service")]
pub mod service;
mod staged;
pub mod transfer;
pub mod transport;

pub use error::Error;
pub use paging::Paginator;
pub use request::{validate_tracking_id, CallOptions, RawRequest};
pub use reqwest;
pub use response::{Envelope, EnvelopeInfo, Extra, Metadata, Response};
pub use transfer::{Download, Progress, Upload, UploadOperation};
pub use transport::{
    Backoff, ClientContext, DebugCapture, Exchange, Operation, PostResponseHook, PreRequestHook,
    RetryPolicy, DEFAULT_BODY_LIMIT,
};

//! What a caller adds to a request: per-call options on every operation,
//! and raw requests to any path.

mod body;
mod options;
mod raw;
mod tracking;

#[allow(unused_imports)] // services without JSON bodies do not use it
pub(crate) use body::body_from_json;
pub(crate) use options::call_controls;
pub use options::CallOptions;
pub use raw::RawRequest;
pub use tracking::validate_tracking_id;

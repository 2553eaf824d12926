//! What a caller adds to a request: per-call options on every operation,
//! and raw requests to any path.

mod options;
mod raw;
mod tracking;

pub(crate) use options::call_controls;
pub use options::CallOptions;
pub use raw::RawRequest;
pub use tracking::validate_tracking_id;

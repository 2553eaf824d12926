//! What a caller adds to a request: per-call options on every operation,
//! and raw requests to any path.

// `call_controls!(Builder)` gives an operation builder (a struct with a
// `call_options: CallOptions` field and a lifetime `'a`) the per-call methods
// of `CallOptions`. `cargo xtask call-controls` writes it from tapis-codegen's
// `controls::CONTROLS`, the one list of those methods (post-processing
// refuses spec parameters that would collide with them); it is invoked for
// every generated builder by post-processing, and here for raw requests and
// uploads.
#[macro_use]
mod call_controls;
mod body;
mod options;
mod raw;
mod tracking;

#[doc(hidden)]
pub use crate::call_controls;
#[doc(hidden)]
pub use body::body_from_json;
pub use options::CallOptions;
pub use raw::RawRequest;
pub use tracking::validate_tracking_id;

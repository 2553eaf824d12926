//! Progress of an upload or a download.

use std::sync::Arc;

/// How far a transfer has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes transferred so far.
    pub done: u64,
    /// The total, when known (`Content-Length`, or the upload's length).
    pub total: Option<u64>,
}

/// A progress callback; called after every chunk (a counter and a call:
/// cheap enough to leave on).
#[doc(hidden)]
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

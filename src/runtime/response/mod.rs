//! What an operation gives back: [`Response`], the Tapis envelope and its
//! paging metadata.

mod decode;
mod envelope;
mod extra;
#[doc(hidden)]
pub mod fields;
#[doc(hidden)]
pub mod tolerant;

use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

// `empty` serves generated operations of some services only.
#[doc(hidden)]
pub use decode::{
    answer_download, answer_empty, answer_envelope, answer_envelope_or_default, answer_json,
    answer_json_or_default, decode_json, empty, read_body, read_whole, Prefetched,
};
#[doc(hidden)]
pub use envelope::{envelope_info, envelope_part, envelope_text};
pub use envelope::{Envelope, EnvelopeInfo, Metadata};
#[doc(hidden)]
pub use extra::refusing_extras;
pub use extra::Extra;

use crate::Error;

/// A successful response: the decoded body plus the HTTP status, the
/// headers and the body exactly as received.
///
/// For Tapis envelopes (`{status, message, result, version, metadata}`),
/// [`Response::into_result`] gives just the `result`, and
/// [`Response::into_result_with_metadata`] the result and the paging counts,
/// [`Response::envelope`] the envelope's `status`, `message` and `version`.
/// [`Response::body`] and [`Response::into_inner`] give the decoded body;
/// [`Response::status`], [`Response::headers`], [`Response::raw_body`] and
/// [`Response::json`] what came over the wire.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// let (systems, meta) = t
///     .systems()
///     .get_systems()
///     .compute_total(true)
///     .send()
///     .await?
///     .into_result_with_metadata();
/// println!("{} of {:?} systems", systems.len(), meta.total_count);
/// # Ok(())
/// # }
/// ```
pub struct Response<T> {
    body: T,
    status: StatusCode,
    headers: HeaderMap,
    raw: Bytes,
}

impl<T> Response<T> {
    #[doc(hidden)]
    pub fn new(body: T, status: StatusCode, headers: HeaderMap) -> Self {
        Response {
            body,
            status,
            headers,
            raw: Bytes::new(),
        }
    }

    /// Keeps the body as received (shared, not copied).
    #[doc(hidden)]
    pub fn with_raw(mut self, raw: Bytes) -> Self {
        self.raw = raw;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as the server sent it (empty for downloads, which
    /// stream, and for body-less answers).
    pub fn raw_body(&self) -> &[u8] {
        &self.raw
    }

    /// The whole body as JSON, whatever the declared type keeps of it: for
    /// telling an absent field from an empty one, or reading what a spec
    /// gets wrong. An empty body reads as `null`.
    pub fn json(&self) -> Result<serde_json::Value, Error> {
        if self.raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.raw).map_err(|e| {
            Error::invalid_response(
                self.status,
                "the body is not JSON",
                &self.raw,
                Some(Box::new(e)),
            )
        })
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The decoded body, taken out.
    pub fn into_inner(self) -> T {
        self.body
    }
}

impl<T: Envelope> Response<T> {
    /// The envelope's `result`. A successful call whose `result` is null or
    /// absent (files `mkdir`, systems `createUserCredential`...) gives the
    /// result type's default: an empty list, an object with nothing set,
    /// `null` for any-JSON results ([`Response::json`] tells them apart).
    pub fn into_result(self) -> T::Result {
        self.body.take_result().unwrap_or_default()
    }

    /// The envelope's `result` (as [`Response::into_result`] gives it) and
    /// its metadata (paging counts).
    pub fn into_result_with_metadata(self) -> (T::Result, Metadata) {
        let info = self.body.envelope_info();
        (self.body.take_result().unwrap_or_default(), info.metadata)
    }

    /// The envelope's `status`, `message`, `version` and `metadata`.
    pub fn envelope(&self) -> EnvelopeInfo {
        self.body.envelope_info()
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

//! What an operation gives back: [`Response`], the Tapis envelope and its
//! paging metadata.

mod decode;
mod envelope;

use std::fmt;
use std::ops::Deref;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

// `empty` serves generated operations of some services only.
#[allow(unused_imports)]
pub(crate) use decode::{decode_json, empty, read_body, unexpected_status};
#[allow(unused_imports)] // meta has no envelopes
pub(crate) use envelope::envelope_info;
pub use envelope::{Envelope, EnvelopeInfo, Metadata};

use crate::Error;

/// A successful response: the decoded body plus the HTTP status and headers.
///
/// For Tapis envelopes (`{status, message, result, version, metadata}`),
/// [`Response::into_result`] gives just the `result`, and
/// [`Response::into_result_with_metadata`] the result and the paging counts.
/// It dereferences to the body.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// let (systems, meta) = t
///     .systems()
///     .get_systems()
///     .compute_total(true)
///     .send()
///     .await?
///     .into_result_with_metadata()?;
/// println!("{} of {:?} systems", systems.len(), meta.total_count);
/// # Ok(())
/// # }
/// ```
pub struct Response<T> {
    body: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, status: StatusCode, headers: HeaderMap) -> Self {
        Response {
            body,
            status,
            headers,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The body, status and headers.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap) {
        (self.body, self.status, self.headers)
    }
}

impl<T: Envelope> Response<T> {
    /// The envelope's `result`. A response without one (`"result": null`)
    /// is an [`Error::InvalidResponse`]; use
    /// [`Response::into_optional_result`] where the result may be null.
    pub fn into_result(self) -> Result<T::Result, Error> {
        // The envelope's other parts are only read for the error: building
        // them costs a serialisation, which a successful call should not pay.
        if self.body.result().is_none() {
            return Err(no_result(self.status, &self.body.envelope_info()));
        }
        self.body
            .take_result()
            .ok_or_else(|| Error::InvalidResponse {
                status: self.status,
                reason: "the envelope's result vanished".into(),
                body_excerpt: String::new(),
                source: None,
            })
    }

    /// The envelope's `result`, `None` when it is null or absent.
    pub fn into_optional_result(self) -> Option<T::Result> {
        self.body.take_result()
    }

    /// The envelope's `result` and its metadata (paging counts).
    pub fn into_result_with_metadata(self) -> Result<(T::Result, Metadata), Error> {
        let status = self.status;
        let info = self.body.envelope_info();
        match self.body.take_result() {
            Some(result) => Ok((result, info.metadata)),
            None => Err(no_result(status, &info)),
        }
    }

    /// The envelope's `status`, `message`, `version` and `metadata`.
    pub fn envelope(&self) -> EnvelopeInfo {
        self.body.envelope_info()
    }

    /// The envelope's `metadata` (paging counts).
    pub fn metadata(&self) -> Metadata {
        self.body.envelope_info().metadata
    }

    /// The envelope's `message`.
    pub fn message(&self) -> Option<String> {
        self.body.envelope_info().message
    }
}

fn no_result(status: StatusCode, info: &EnvelopeInfo) -> Error {
    Error::InvalidResponse {
        status,
        reason: "the response envelope has no `result`".into(),
        body_excerpt: info.message.clone().unwrap_or_default(),
        source: None,
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
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

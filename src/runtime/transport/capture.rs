//! Opt-in recording of what a call sent and received (tapipy's
//! `_tapis_debug`), with secrets removed.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::error::{is_secret_name, redacted_url};

/// A place to record the requests and responses of the calls it is given
/// to (with `.debug_capture(&capture)` on an operation). Each attempt is one
/// [`Exchange`]. Token and password values are replaced by `REDACTED` in
/// headers, URLs and JSON bodies. Capturing reads the whole response body
/// into memory, downloads included: use it for debugging.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// let capture = tapis::DebugCapture::new();
/// let result = t.systems().get_system().system_id("s1").debug_capture(&capture).send().await;
/// for exchange in capture.exchanges() {
///     println!("{} {} -> {:?}", exchange.method, exchange.url, exchange.status);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct DebugCapture {
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl std::fmt::Debug for DebugCapture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DebugCapture")
            .field("exchanges", &self.lock().len())
            .finish()
    }
}

/// One attempt of a captured call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// `service.operationId`.
    pub operation: String,
    /// 1 for the first attempt, 2 for the first retry...
    pub attempt: u32,
    /// The request method.
    pub method: Method,
    /// The request URL, secrets removed.
    pub url: String,
    /// Request headers, secret values replaced.
    pub request_headers: Vec<(String, String)>,
    /// The request body when it was in memory (JSON secrets replaced).
    pub request_body: Option<Bytes>,
    /// The response status; `None` when no response came.
    pub status: Option<StatusCode>,
    /// Response headers, secret values replaced.
    pub response_headers: Vec<(String, String)>,
    /// The response body (JSON secrets replaced).
    pub response_body: Option<Bytes>,
    /// The transport error when no response came.
    pub error: Option<String>,
}

impl DebugCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// What has been recorded so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().clone()
    }

    /// Forgets what has been recorded.
    pub fn clear(&self) {
        self.lock().clear();
    }

    #[doc(hidden)]
    pub fn record(&self, exchange: Exchange) {
        self.lock().push(exchange);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Exchange>> {
        self.exchanges.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Exchange {
    /// The request half of an exchange.
    #[doc(hidden)]
    pub fn request(operation: String, attempt: u32, request: &reqwest::Request) -> Self {
        Exchange {
            operation,
            attempt,
            method: request.method().clone(),
            url: redacted_url(request.url()),
            request_headers: headers(request.headers()),
            request_body: request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map(redacted_body),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            error: None,
        }
    }

    #[doc(hidden)]
    pub fn response(&mut self, status: StatusCode, headers_: &HeaderMap, body: &[u8]) {
        self.status = Some(status);
        self.response_headers = headers(headers_);
        self.response_body = Some(redacted_body(body));
    }
}

fn headers(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() || is_secret_name(name.as_str()) {
                "REDACTED".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.to_string(), shown)
        })
        .collect()
}

/// A JSON body with the values of secret-looking keys replaced; any other
/// body as it is.
fn redacted_body(body: &[u8]) -> Bytes {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) if v.is_object() || v.is_array() => {
            crate::error::redact_json(&mut v);
            Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
        }
        _ => Bytes::copy_from_slice(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_replaced() {
        let body = br#"{"username":"u","password":"p","result":{"access_token":{"access_token":"jwt","expires_in":14400}}}"#;
        let out: serde_json::Value = serde_json::from_slice(&redacted_body(body)).unwrap();
        assert_eq!(out["password"], "REDACTED");
        assert_eq!(out["username"], "u");
        assert_eq!(out["result"]["access_token"]["access_token"], "REDACTED");
        assert_eq!(out["result"]["access_token"]["expires_in"], 14400);
    }
}

//! What the server received.

use bytes::Bytes;
use http::HeaderMap;

use super::routes::OperationRef;

/// One request as the server received it.
#[derive(Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The query's `(name, value)` pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The operation the path and method belong to, when one does.
    pub operation: Option<OperationRef>,
}

impl RecordedRequest {
    /// A header's value, when present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens and credentials stay out of test output.
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let secret = matches!(k.as_str(), "x-tapis-token" | "authorization")
                    || crate::error::is_secret_name(k.as_str());
                let shown = if secret {
                    "<redacted>"
                } else {
                    v.to_str().unwrap_or("<binary>")
                };
                (k.as_str(), shown)
            })
            .collect();
        let query: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| {
                let shown = if crate::error::is_secret_name(k) {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .field("operation", &self.operation)
            .finish()
    }
}

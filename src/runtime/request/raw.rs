//! Requests to any Tapis path, for endpoints the specs do not describe.

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::CallOptions;
use crate::response::{decode_json, read_body};
use crate::transport::{execute, ClientContext, Operation};
use crate::{Error, Response};

impl<'a> RawRequest<'a> {
    /// `Tapis::request`.
    pub fn new(context: &'a ClientContext, method: Method, path: &str) -> Self {
        RawRequest {
            context,
            method,
            path: path.to_string(),
            body: None,
            call_options: CallOptions::default(),
        }
    }
}

/// A request to any path; see `Tapis::request`.
#[must_use]
pub struct RawRequest<'a> {
    context: &'a ClientContext,
    method: Method,
    path: String,
    body: Option<Result<(Bytes, HeaderValue), Error>>,
    call_options: CallOptions,
}

super::call_controls!(RawRequest);

impl std::fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may hold credentials (a password grant): only its size.
        let body = self
            .body
            .as_ref()
            .map(|b| b.as_ref().map(|(b, _)| b.len()).ok());
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("body_len", &body)
            .field("call_options", &self.call_options)
            .finish_non_exhaustive()
    }
}

impl RawRequest<'_> {
    /// Sends `body` as JSON.
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = Some(
            serde_json::to_vec(body)
                .map(|b| (Bytes::from(b), HeaderValue::from_static("application/json")))
                .map_err(|e| {
                    Error::InvalidInput(format!("the JSON body cannot be serialised: {e}"))
                }),
        );
        self
    }

    /// Sends `body` with the given content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = Some(
            HeaderValue::from_str(content_type)
                .map(|ct| (body.into(), ct))
                .map_err(|_| Error::InvalidInput(format!("invalid content type `{content_type}`"))),
        );
        self
    }

    /// Sends without the client's token, so that a public endpoint answers
    /// even when the client's token has expired.
    #[doc(hidden)]
    pub fn without_token(mut self) -> Self {
        self.call_options = self.call_options.anonymous();
        self
    }

    /// Sends the request; a 2xx response's body comes back as bytes.
    pub async fn send(self) -> Result<Response<Bytes>, Error> {
        let response = self.execute().await?;
        read_body(response).await
    }

    /// Sends the request and decodes a 2xx response's body as JSON (an
    /// empty body decodes as `null`, or `{}` for a type that needs it).
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<Response<T>, Error> {
        let response = self.execute().await?;
        decode_json(response).await
    }

    async fn execute(self) -> Result<reqwest::Response, Error> {
        let RawRequest {
            context,
            method,
            path,
            body,
            call_options,
        } = self;
        if !path.starts_with('/') {
            return Err(Error::InvalidInput(format!(
                "request path `{path}` must start with `/`"
            )));
        }
        if path.contains('?') {
            return Err(Error::InvalidInput(format!(
                "request path `{path}` contains `?`; give query parameters with `.query()`"
            )));
        }
        let encoded = crate::path::file_path("path", &path)
            .map_err(|e| Error::InvalidInput(e.to_string()))?;
        let url = url::Url::parse(&format!("{}/{encoded}", context.base_url()))
            .map_err(|e| Error::InvalidInput(format!("request path `{path}`: {e}")))?;
        let mut request = reqwest::Request::new(method, url);
        if let Some(body) = body {
            let (bytes, content_type) = body?;
            request.headers_mut().insert(CONTENT_TYPE, content_type);
            *request.body_mut() = Some(bytes.into());
        }
        execute(
            context,
            context.http().clone(),
            &Operation::RAW,
            request,
            call_options,
        )
        .await
    }
}

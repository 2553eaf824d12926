//! What every generated operation shares: the HTTP client and the request
//! hook that adds the Tapis headers.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::Error;

/// The header Tapis reads the access token from.
pub(crate) const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-tapis-token");

/// `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("tapis-rust/", env!("CARGO_PKG_VERSION"));

/// State shared by the generated clients of one [`crate::Tapis`] (the
/// progenitor "inner type"); cloning is cheap. Only this crate creates one.
#[doc(hidden)]
#[derive(Clone)]
pub struct Shared {
    inner: Arc<SharedInner>,
}

#[derive(Default)]
struct SharedInner {
    /// The `X-Tapis-Token` value, marked sensitive so that reqwest and our
    /// `Debug` output never show it.
    token: RwLock<Option<HeaderValue>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("token", &self.has_token().then_some("<redacted>"))
            .finish()
    }
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            inner: Arc::default(),
        }
    }

    /// Replaces the access token. Invalid header characters are refused.
    pub(crate) fn set_token(&self, token: Option<&str>) -> Result<(), Error> {
        let value = token
            .map(|t| {
                let mut v = HeaderValue::from_str(t).map_err(|_| {
                    Error::InvalidInput(
                        "the access token contains characters not allowed in an HTTP header".into(),
                    )
                })?;
                v.set_sensitive(true);
                Ok::<_, Error>(v)
            })
            .transpose()?;
        *self.inner.token.write().unwrap_or_else(|p| p.into_inner()) = value;
        Ok(())
    }

    pub(crate) fn has_token(&self) -> bool {
        self.token().is_some()
    }

    fn token(&self) -> Option<HeaderValue> {
        self.inner
            .token
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Adds the Tapis headers to a request built by a generated operation.
    /// The specs' security schemes disagree with each other (and progenitor
    /// ignores them), so the token goes on every request when one is set.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) {
        if let Some(token) = self.token() {
            request.headers_mut().insert(TOKEN_HEADER, token);
        }
    }
}

/// Implements progenitor's `ClientHooks` for a generated service `Client`,
/// routing every request through [`Shared::prepare`].
macro_rules! impl_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::transport::Shared> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner.prepare(request);
                Ok(())
            }
        }
    };
}
pub(crate) use impl_hooks;

/// TLS and connection settings for the HTTP client [`crate::Tapis`] builds.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    pub connect_timeout: Duration,
    pub timeout: Option<Duration>,
    pub extra_roots_der: Vec<Vec<u8>>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(30),
            timeout: None,
            extra_roots_der: Vec::new(),
        }
    }
}

/// Builds the one reqwest client of a [`crate::Tapis`]: rustls with the ring
/// provider and the Mozilla roots compiled in (no certificate files are read
/// and nothing is fetched), HTTP/2 by ALPN, and no total timeout by default so
/// that long downloads are not cut (progenitor's default client has 15 s).
pub(crate) fn build_http_client(settings: &HttpSettings) -> Result<reqwest::Client, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in &settings.extra_roots_der {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| Error::Config(format!("invalid root certificate: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .connect_timeout(settings.connect_timeout);
    if let Some(timeout) = settings.timeout {
        builder = builder.timeout(timeout);
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// Decodes a typed success body. Unlike progenitor's `from_response`, an
/// empty body (meta answers some creates with an empty 201) decodes as an
/// empty JSON object, so an envelope or document type comes back with its
/// fields unset rather than as a decoding error.
pub(crate) async fn decode_success<T: serde::de::DeserializeOwned, E>(
    response: reqwest::Response,
) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    let decoded = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_slice(b"{}").or_else(|_| serde_json::from_slice(b"null"))
    } else {
        serde_json::from_slice(&body)
    };
    match decoded {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner, status, headers,
        )),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
    }
}

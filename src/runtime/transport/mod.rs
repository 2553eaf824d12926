//! Sending requests: the context every call of a client shares (session,
//! tenants, settings, default options), the send loop with retries and
//! tracing, and the HTTP client.

mod base_url;
mod capture;
mod hooks;
mod redirect;
mod retry;
mod send;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderName;

use crate::auth::{Session, Tenant};
use crate::{CallOptions, Error};

pub use base_url::{normalize_base_url, shown_url};
pub use capture::{DebugCapture, Exchange};
pub use hooks::{PostResponseHook, PreRequestHook};
pub use retry::{Backoff, RetryPolicy};
#[doc(hidden)]
pub use send::{execute, start, Pending, Prepared, RequestLine};

/// What an operation is, for hooks, tracing and errors. Generated operations
/// pass a constant one; raw requests use service `raw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The service (`systems`, `files`...).
    pub service: &'static str,
    /// The spec's operationId (`getSystem`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template (`/v3/systems/{systemId}`).
    pub path: &'static str,
    /// Whether the successful answer is read whole into memory (a JSON
    /// body, a raw request's bytes; not a download): the transport then reads
    /// it inside the retry loop, so that an answer cut off mid-body is asked
    /// for again.
    #[doc(hidden)]
    pub whole_answer: bool,
}

impl Operation {
    /// An operation of `service` (its generated code and uploads make theirs
    /// with this: the type is non-exhaustive).
    #[doc(hidden)]
    pub const fn new(
        service: &'static str,
        id: &'static str,
        method: &'static str,
        path: &'static str,
        whole_answer: bool,
    ) -> Operation {
        Operation {
            service,
            id,
            method,
            path,
            whole_answer,
        }
    }

    /// The operation a raw request (`Tapis::request`) reports.
    #[doc(hidden)]
    pub const RAW: Operation = Operation {
        service: "raw",
        id: "request",
        method: "",
        path: "",
        whole_answer: true,
    };
}

/// The header Tapis reads the access token from.
#[doc(hidden)]
pub const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-tapis-token");

/// `User-Agent` of every request.
#[doc(hidden)]
pub const USER_AGENT: &str = concat!("tapis-rust/", env!("CARGO_PKG_VERSION"));

/// The context every call of one `Tapis` runs in, owned in one
/// place: the session (credentials, tokens, single-flight refresh; the
/// transport asks it for the token header and nothing else), the tenants
/// cache, the client-wide settings (retry policy, hooks, body cap) and the
/// default per-call options a call's own are merged over (client-level
/// on-behalf-of). Every generated client holds a clone (progenitor's
/// "inner type"); cloning is cheap. Only this crate creates one.
#[doc(hidden)]
#[derive(Clone)]
pub struct ClientContext {
    inner: Arc<ContextInner>,
}

struct ContextInner {
    /// The tenant's base URL, normalised (no trailing `/` or `/v3`).
    base_url: String,
    /// The one HTTP client (connection pool) of every service.
    http: reqwest::Client,
    /// Credentials, tokens and refresh.
    session: Session,
    /// The client's retry policy; a call may replace it.
    retry: RetryPolicy,
    pre_hooks: Vec<PreRequestHook>,
    post_hooks: Vec<PostResponseHook>,
    /// Per-call settings every call starts from (client-level on-behalf-of);
    /// `None` when there are none, so plain calls pay nothing.
    defaults: Option<CallOptions>,
    /// `GET /v3/tenants`, fetched once.
    tenants: tokio::sync::OnceCell<Vec<Tenant>>,
    body_limit: BodyLimit,
    /// A service account's routes: which base URL and which of its tokens
    /// each call takes (`TapisBuilder::tenant_directory`).
    #[cfg(feature = "service")]
    routes: Option<crate::service::routes::Routes>,
}

/// The client-wide settings [`ClientContext`] is made from.
#[derive(Default)]
#[doc(hidden)]
pub struct ClientSettings {
    pub retry: RetryPolicy,
    pub pre_hooks: Vec<PreRequestHook>,
    pub post_hooks: Vec<PostResponseHook>,
    /// Per-call settings every call starts from.
    pub defaults: CallOptions,
    /// The most of a successful JSON body that is read into memory
    /// (`None`: [`DEFAULT_BODY_LIMIT`]).
    pub body_limit: Option<usize>,
    /// The directory a service account's calls are routed by.
    #[cfg(feature = "service")]
    pub directory: Option<crate::service::TenantDirectory>,
}

/// The default cap on a successful body read into memory to be decoded:
/// 512 MiB (the largest Tapis listings are tens of MiB). Downloads stream and
/// have no cap. Change it with `TapisBuilder::max_body_size`.
pub const DEFAULT_BODY_LIMIT: usize = 512 << 20;

/// The cap a response's body is read under, carried in its extensions.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// Puts the cap on `response`, unless it is the default (which needs no
    /// extension: an allocation per call saved).
    #[doc(hidden)]
    pub fn attach(self, response: &mut reqwest::Response) {
        if self.0 != DEFAULT_BODY_LIMIT {
            response.extensions_mut().insert(self);
        }
    }
}

impl std::fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientContext")
            .field("tokens", &self.inner.session.tokens())
            .field("credentials", self.inner.session.credentials())
            .finish_non_exhaustive()
    }
}

/// The headers that make a call on behalf of a user.
#[doc(hidden)]
pub const USER_HEADER: HeaderName = HeaderName::from_static("x-tapis-user");
#[doc(hidden)]
pub const TENANT_HEADER: HeaderName = HeaderName::from_static("x-tapis-tenant");

impl ClientContext {
    #[doc(hidden)]
    pub fn new(
        base_url: String,
        http: reqwest::Client,
        config: ClientSettings,
        session: Session,
        allow_http: bool,
    ) -> Result<Self, Error> {
        // Checked now: a bad default fails the build, not every call.
        config
            .defaults
            .apply(&mut reqwest::Request::new(
                reqwest::Method::GET,
                url::Url::parse("http://localhost/").expect("a valid URL"),
            ))
            .map_err(|e| match e {
                Error::InvalidInput(m) => Error::InvalidInput(format!("client defaults: {m}")),
                other => other,
            })?;
        let defaults = (!config.defaults.is_empty()).then_some(config.defaults);
        #[cfg(feature = "service")]
        let routes = match config.directory {
            Some(directory) => Some(crate::service::routes::Routes::new(
                directory, &session, allow_http,
            )?),
            None => None,
        };
        #[cfg(not(feature = "service"))]
        let _ = allow_http;
        Ok(ClientContext {
            inner: Arc::new(ContextInner {
                base_url,
                http,
                session,
                retry: config.retry,
                pre_hooks: config.pre_hooks,
                post_hooks: config.post_hooks,
                defaults,
                tenants: tokio::sync::OnceCell::new(),
                body_limit: BodyLimit(config.body_limit.unwrap_or(DEFAULT_BODY_LIMIT)),
                #[cfg(feature = "service")]
                routes,
            }),
        })
    }

    /// The tenant's base URL, normalised (no trailing `/` or `/v3`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The HTTP client every service shares.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    #[doc(hidden)]
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    #[doc(hidden)]
    pub fn tenants(&self) -> &tokio::sync::OnceCell<Vec<Tenant>> {
        &self.inner.tenants
    }

    #[doc(hidden)]
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    #[doc(hidden)]
    pub fn pre_hooks(&self) -> &[PreRequestHook] {
        &self.inner.pre_hooks
    }

    #[doc(hidden)]
    pub fn post_hooks(&self) -> &[PostResponseHook] {
        &self.inner.post_hooks
    }

    #[doc(hidden)]
    pub fn body_limit(&self) -> BodyLimit {
        self.inner.body_limit
    }

    /// A service account's routes, when it was given a directory.
    #[cfg(feature = "service")]
    #[doc(hidden)]
    pub fn routes(&self) -> Option<&crate::service::routes::Routes> {
        self.inner.routes.as_ref()
    }

    /// The client's default per-call settings, if any.
    #[doc(hidden)]
    pub fn defaults(&self) -> Option<&CallOptions> {
        self.inner.defaults.as_ref()
    }
}

/// TLS and connection settings for the HTTP client `Tapis` builds.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct HttpSettings {
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

/// Builds the one reqwest client of a `Tapis`: rustls with the ring
/// provider and the Mozilla roots compiled in (no certificate files are read
/// and nothing is fetched), HTTP/1.1 (HTTP/2 by ALPN with the `http2`
/// feature), and no total timeout by default so that long downloads are not
/// cut (progenitor's default client has 15 s).
#[doc(hidden)]
pub fn build_http_client(settings: &HttpSettings) -> Result<reqwest::Client, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in &settings.extra_roots_der {
        roots
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| Error::Config(format!("invalid root certificate: {e}")))?;
    }
    // rustls 0.23.48 deprecates ring's provider (it has no post-quantum key
    // exchange); the provider that has one, aws-lc-rs, needs cmake and a C
    // toolchain in every user's build. Kept: the same TLS as before.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // Offer only what reqwest can speak: a server that picks h2 from the
    // offer gets an HTTP/2 connection, which reqwest without HTTP/2 support
    // would fail on.
    tls.alpn_protocols = if cfg!(feature = "http2") {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };

    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .redirect(redirect::policy())
        .connect_timeout(settings.connect_timeout);
    if let Some(timeout) = settings.timeout {
        builder = builder.timeout(timeout);
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

//! The [`Tapis`] facade and its builder.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tapis_runtime::auth::session::{Session, SessionConfig};
use tapis_runtime::auth::{cache, tenants};
use tapis_runtime::transport::{
    build_http_client, normalize_base_url, shown_url, ClientContext, ClientSettings, HttpSettings,
};

use crate::auth::{Claims, DeviceLogin, Tenant, Token, Tokens};
use crate::{CallOptions, Error, Operation, RawRequest, RetryPolicy, Services};

/// A client for one Tapis tenant, giving access to every enabled service.
///
/// Build it with [`Tapis::builder`]; reach a service with its accessor
/// ([`Tapis::systems`], [`Tapis::files`], ...). All services share one
/// connection pool, and cloning a `Tapis` is cheap (it shares that pool too).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let t = tapis::Tapis::builder("https://tacc.tapis.io")
///     .access_token("eyJhbGciOi...")
///     .build()?;
/// let systems = t.systems().get_systems().limit(10).send().await?;
/// for system in systems.into_result() {
///     println!("{:?}", system.id);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Tapis {
    /// The base URL, HTTP client, session and settings every call shares.
    shared: ClientContext,
    pub(crate) services: Services,
}

impl fmt::Debug for Tapis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tapis")
            .field("base_url", &shown_url(self.shared.base_url()))
            .field("session", &self.shared)
            .finish_non_exhaustive()
    }
}

/// What the runtime's parts that call Tapis themselves take (such as
/// [`TenantDirectory::load`](crate::service::TenantDirectory::load)).
#[doc(hidden)]
impl AsRef<ClientContext> for Tapis {
    fn as_ref(&self) -> &ClientContext {
        &self.shared
    }
}

impl Tapis {
    /// Starts building a client for the tenant at `base_url`, for example
    /// `https://tacc.tapis.io`. A trailing `/` or `/v3` is accepted.
    pub fn builder(base_url: impl Into<String>) -> TapisBuilder {
        TapisBuilder::with_session(base_url.into(), SessionConfig::default())
    }

    /// The tenant's base URL, normalised (no trailing `/` or `/v3`).
    pub fn base_url(&self) -> &str {
        self.shared.base_url()
    }

    /// The HTTP client all services share.
    pub fn http_client(&self) -> &reqwest::Client {
        self.shared.http()
    }

    pub(crate) fn shared(&self) -> &ClientContext {
        &self.shared
    }

    /// Replaces the access token sent as `X-Tapis-Token` by every service.
    /// A value that is not a JWT is [`Error::InvalidInput`].
    pub fn set_access_token(&self, jwt: impl AsRef<str>) -> Result<(), Error> {
        let token = Token::parse(jwt.as_ref())?;
        self.shared.session().set_access_token(Some(token));
        Ok(())
    }

    /// The tenant id known without a network call: the one given to the
    /// builder ([`TapisBuilder::tenant_id`]), else the `tapis/tenant_id` of
    /// the access token held now. [`Tapis::tenant`] resolves the whole
    /// tenant (asking the Tenants API when neither is known).
    ///
    /// ```
    /// let t = tapis::Tapis::builder("https://tacc.tapis.io").tenant_id("tacc").build()?;
    /// assert_eq!(t.tenant_id().as_deref(), Some("tacc"));
    /// # Ok::<(), tapis::Error>(())
    /// ```
    pub fn tenant_id(&self) -> Option<String> {
        let session = self.shared.session();
        session.credentials().tenant_id.clone().or_else(|| {
            session
                .tokens()
                .access_token
                .and_then(|t| t.claims().tenant_id.clone())
        })
    }

    /// The tokens the client holds now.
    pub fn current_tokens(&self) -> Tokens {
        self.shared.session().tokens()
    }

    /// Obtains tokens now with whatever the client holds and keeps them
    /// (tapipy's `get_tokens`): the password grant with a username and
    /// password, else the refresh grant with a refresh token. Calls do this
    /// by themselves when needed.
    pub async fn get_tokens(&self) -> Result<Tokens, Error> {
        self.shared.session().get_tokens().await
    }

    /// Refreshes the tokens now (refresh token, else password) and keeps
    /// them (tapipy's `refresh_tokens`). Calls do this by themselves when
    /// the access token is about to expire.
    pub async fn refresh_tokens(&self) -> Result<Tokens, Error> {
        self.shared.session().grant().await
    }

    /// Every tenant (`GET /v3/tenants`, a public endpoint: asked without
    /// the client's token), fetched once and cached.
    pub async fn tenant_list(&self) -> Result<Vec<Tenant>, Error> {
        tenants::tenant_list(&self.shared).await
    }

    /// The tenant this client talks to: the one given to the builder
    /// (`tenant_id`), else the tenant whose base URL is this client's
    /// (trailing `/` ignored), else the admin tenant of the site whose
    /// base URL it is (`GET /v3/sites`). Resolved on first use.
    pub async fn tenant(&self) -> Result<Tenant, Error> {
        tenants::tenant(&self.shared).await
    }

    /// Checks a Tapis JWT: decodes it, finds its tenant, verifies the RS256
    /// signature with the tenant's public key and the expiry, and returns
    /// its claims. Failures are [`Error::InvalidToken`], saying which check
    /// failed.
    pub async fn validate_token(&self, jwt: &str) -> Result<Claims, Error> {
        tenants::validate_token(&self.shared, jwt).await
    }

    /// A request to any path of the tenant, going through the same token,
    /// per-call options, retries, hooks and errors as the typed operations
    /// (the Globus SDK's low-level `get`/`post`).
    ///
    /// `path` starts with `/` (for example `/v3/systems/my-system`) and is
    /// taken literally: each `/`-separated name is percent-encoded, `.` and
    /// `..` names are refused, `#` is encoded like any other character, and
    /// `?` is refused: query parameters go in [`RawRequest::tapis_query`] (a
    /// file name containing `?` is reached with the typed Files operations).
    ///
    /// ```no_run
    /// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
    /// use tapis::reqwest::Method;
    /// let sites = t
    ///     .request(Method::GET, "/v3/sites")
    ///     .tapis_query("limit", 5)
    ///     .send_json::<serde_json::Value>()
    ///     .await?
    ///     .into_inner();
    /// println!("{}", sites["result"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, method: reqwest::Method, path: &str) -> RawRequest<'_> {
        RawRequest::new(&self.shared, method, path)
    }

    /// Saves this client's session (base URL, tenant, username, client id
    /// and key, tokens; never the password) to `path`, atomically, mode 0600.
    pub fn save_to(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        cache::save_to(&self.shared, path.as_ref())
    }

    /// Saves the session to [`default_cache_path`](crate::auth::default_cache_path)
    /// and returns that path.
    pub fn save(&self) -> Result<PathBuf, Error> {
        let path = cache::default_path()?;
        self.save_to(&path)?;
        Ok(path)
    }

    /// Restores a client from
    /// [`default_cache_path`](crate::auth::default_cache_path); see
    /// [`Tapis::restore_from`].
    pub fn restore() -> Result<Tapis, Error> {
        Tapis::restore_from(cache::default_path()?)
    }

    /// Restores a client from a token cache file. `TAPIS_BASE_URL`,
    /// `TAPIS_TENANT_ID`, `TAPIS_USERNAME`, `TAPIS_PASSWORD`,
    /// `TAPIS_CLIENT_ID`, `TAPIS_CLIENT_KEY`, `TAPIS_TOKEN` and
    /// `TAPIS_REFRESH_TOKEN` override what the file says (a missing file
    /// with `TAPIS_BASE_URL` set is fine). Refreshes rewrite the file. A
    /// file readable by the group or others is refused.
    ///
    /// ```no_run
    /// let t = tapis::Tapis::restore()?;
    /// # Ok::<(), tapis::Error>(())
    /// ```
    pub fn restore_from(path: impl AsRef<Path>) -> Result<Tapis, Error> {
        let (base_url, session) = cache::restore_from(path.as_ref())?;
        TapisBuilder::with_session(base_url, session).build()
    }
}

/// Builder for [`Tapis`]; see [`Tapis::builder`].
#[must_use]
pub struct TapisBuilder {
    base_url: String,
    access_token: Option<String>,
    refresh_token: Option<String>,
    http: Option<reqwest::Client>,
    settings: HttpSettings,
    shared: ClientSettings,
    session: SessionConfig,
    allow_http: bool,
}

impl fmt::Debug for TapisBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TapisBuilder")
            .field("base_url", &shown_url(&self.base_url))
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("credentials", &self.session.credentials)
            .field("refresh_margin", &self.session.margin)
            .field("settings", &self.settings)
            .field("retry", &self.shared.retry)
            .field("pre_request_hooks", &self.shared.pre_hooks.len())
            .field("post_response_hooks", &self.shared.post_hooks.len())
            .finish_non_exhaustive()
    }
}

impl TapisBuilder {
    pub(crate) fn with_session(base_url: String, session: SessionConfig) -> Self {
        TapisBuilder {
            base_url,
            access_token: None,
            refresh_token: None,
            http: None,
            settings: HttpSettings::default(),
            shared: ClientSettings::default(),
            session,
            allow_http: false,
        }
    }

    /// The most of a successful response body that is read into memory to
    /// be decoded (default [`crate::DEFAULT_BODY_LIMIT`], 512 MiB);
    /// a longer body is an [`Error::InvalidResponse`] naming the limit.
    /// Downloads stream and are not capped.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.shared.body_limit = Some(bytes);
        self
    }

    /// Allows a plain `http://` base URL to a host that is not this machine
    /// (off by default: the token and passwords would travel in clear
    /// text). `http://` to a loopback address (`localhost`, `127.0.0.0/8`,
    /// `[::1]`) is always allowed, for tests.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// The access token (a JWT) sent as `X-Tapis-Token` on every request.
    /// Alone, it cannot be refreshed: once it expires, calls fail with
    /// [`Error::Auth`].
    pub fn access_token(mut self, jwt: impl Into<String>) -> Self {
        self.access_token = Some(jwt.into());
        self
    }

    /// A refresh token: the client gets access tokens with it (grant
    /// `refresh_token`, with HTTP Basic auth when the client id and key are
    /// set), on first use and whenever the access token is about to expire.
    pub fn refresh_token(mut self, jwt: impl Into<String>) -> Self {
        self.refresh_token = Some(jwt.into());
        self
    }

    /// The username for the password grant.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.session.credentials.username = Some(username.into());
        self
    }

    /// The password for the password grant: with [`TapisBuilder::username`],
    /// the client gets tokens on first use and again whenever they expire.
    /// Never saved, never shown.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.session.credentials.password = Some(password.into());
        self
    }

    /// The OAuth client id (sent as HTTP Basic auth with the key).
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.session.credentials.client_id = Some(id.into());
        self
    }

    /// The OAuth client key. Never shown.
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.session.credentials.client_key = Some(key.into());
        self
    }

    /// Authenticates as the Tapis service `service` with its `password`
    /// (feature `service`): tokens come from the Tokens API
    /// (`POST /v3/tokens`, HTTP Basic auth, `account_type: service`) in the
    /// tenant given with [`TapisBuilder::tenant_id`] (the site admin tenant;
    /// required) for [`TapisBuilder::site_id`], on first use and again
    /// before they expire or after a 401, single-flight as for users. The
    /// base URL is the site admin tenant's. To act for the caller of a
    /// request, add `.on_behalf_of(&who.request_username,
    /// &who.request_tenant_id)` to a call (tapipy's
    /// `_tapis_set_x_headers_from_service`). Never saved, never shown.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), tapis::Error> {
    /// let service = tapis::Tapis::builder("https://admin.tapis.io")
    ///     .service_account("myservice", "its password")
    ///     .tenant_id("admin")
    ///     .site_id("tacc")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "service")]
    pub fn service_account(
        mut self,
        service: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        let site_id = self
            .session
            .credentials
            .service
            .take()
            .and_then(|s| s.site_id);
        self.session.credentials.service = Some(tapis_runtime::auth::ServiceAccount {
            name: service.into(),
            password: password.into(),
            site_id,
        });
        self
    }

    /// The site a service account's tokens are for (`target_site_id`).
    #[cfg(feature = "service")]
    pub fn site_id(mut self, site: impl Into<String>) -> Self {
        let account = self.session.credentials.service.get_or_insert_with(|| {
            tapis_runtime::auth::ServiceAccount {
                name: String::new(),
                password: String::new(),
                site_id: None,
            }
        });
        account.site_id = Some(site.into());
        self
    }

    /// Routes a service account's calls the way tapisservice does (feature
    /// `service`): each call goes to the site and base URL its tenant (the
    /// `X-Tapis-Tenant` of [`on_behalf_of`](crate::CallOptions::on_behalf_of),
    /// else the client's tenant) and its service call for, with a service
    /// token for that site. The client holds one token per site it calls,
    /// each obtained from its own site's Tokens API on first use
    /// (`target_site_id`) and refreshed on its own. Needs
    /// [`service_account`](TapisBuilder::service_account),
    /// [`tenant_id`](TapisBuilder::tenant_id) and
    /// [`site_id`](TapisBuilder::site_id).
    ///
    /// The rules (tapisservice's `get_site_and_base_url_for_service_request`),
    /// for tenant `T`: the Tenants API is asked at the primary site; the
    /// Security Kernel and the Tokens API at the service's own site when `T`
    /// belongs to it, else at the primary site; a service `T`'s site runs is
    /// asked at `T`'s base URL, anything else at the primary site (its
    /// `tenant_base_url_template` for `T`).
    ///
    /// A tenant the directory does not know refreshes it (rate-limited), then
    /// fails with [`Error::InvalidInput`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), tapis::Error> {
    /// let anonymous = tapis::Tapis::builder("https://admin.tapis.io").build()?;
    /// let directory = tapis::service::TenantDirectory::load(&anonymous).await?;
    /// let service = tapis::Tapis::builder("https://admin.tapis.io")
    ///     .service_account("myservice", "its password")
    ///     .tenant_id("admin")
    ///     .site_id("tacc")
    ///     .tenant_directory(directory)
    ///     .build()?;
    /// // Sent to the base URL of tenant `uh`'s site for `systems`, with a
    /// // token for that site.
    /// let systems = service
    ///     .systems()
    ///     .get_systems()
    ///     .on_behalf_of("jdoe", "uh")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "service")]
    pub fn tenant_directory(mut self, directory: crate::service::TenantDirectory) -> Self {
        self.shared.directory = Some(directory);
        self
    }

    /// The tenant id; when not given, [`Tapis::tenant`] finds it from the
    /// base URL.
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.session.credentials.tenant_id = Some(tenant.into());
        self
    }

    /// Refresh the access token when it expires within this much time
    /// (default [`crate::auth::DEFAULT_REFRESH_MARGIN`], 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.session.margin = margin;
        self
    }

    /// Calls `callback` with the new tokens after every refresh, to store
    /// them.
    pub fn on_refresh<F>(mut self, callback: F) -> Self
    where
        F: Fn(&Tokens) + Send + Sync + 'static,
    {
        self.session.on_refresh.push(Arc::new(callback));
        self
    }

    /// Makes every call on behalf of `user` in `tenant` (service accounts):
    /// sends `X-Tapis-User` and `X-Tapis-Tenant`. A call may name another
    /// user with its own `.on_behalf_of(..)`; calling this again replaces
    /// the pair.
    pub fn on_behalf_of(mut self, user: impl Into<String>, tenant: impl Into<String>) -> Self {
        self.shared.defaults = std::mem::take(&mut self.shared.defaults)
            .beneath(CallOptions::new().on_behalf_of(user, tenant));
        self
    }

    /// Timeout for establishing a connection (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// Total timeout of each request, body included. None by default, so that
    /// long transfers are not cut.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// Trusts an extra root certificate (DER), for tenants behind a private CA.
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.settings.extra_roots_der.push(der.into());
        self
    }

    /// Uses a reqwest client of your own (proxies, custom TLS...) instead of
    /// the one the builder makes; the timeout and certificate settings of
    /// this builder are then ignored.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The retry policy of every call (a call may set its own); see
    /// [`RetryPolicy`] for the default.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.shared.retry = policy;
        self
    }

    /// Registers a function called before every attempt of every request,
    /// after the SDK's own headers are set; hooks run in the order they are
    /// registered. It may add headers, or change the URL or body.
    ///
    /// ```
    /// let t = tapis::Tapis::builder("https://tacc.tapis.io")
    ///     .pre_request_hook(|op, request| {
    ///         request.headers_mut().insert("x-gateway", "my-portal".parse().unwrap());
    ///         tracing::debug!(operation = op.id, "sending");
    ///     })
    ///     .build()?;
    /// # Ok::<(), tapis::Error>(())
    /// ```
    pub fn pre_request_hook<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Operation, &mut reqwest::Request) + Send + Sync + 'static,
    {
        self.shared.pre_hooks.push(Arc::new(hook));
        self
    }

    /// Registers a function called with every response (its status and
    /// headers, error statuses included), in registration order.
    pub fn post_response_hook<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Operation, &reqwest::Response) + Send + Sync + 'static,
    {
        self.shared.post_hooks.push(Arc::new(hook));
        self
    }

    /// Builds the client. No network call is made.
    ///
    /// Starts a device-code login (needs `client_id`): returns the URL and
    /// code to show the user; [`DeviceLogin::wait`] then polls until they
    /// approve and gives back the logged-in client.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), tapis::Error> {
    /// let login = tapis::Tapis::builder("https://tacc.tapis.io")
    ///     .client_id("my-cli")
    ///     .device_login()
    ///     .await?;
    /// println!("Open {} and enter {}", login.verification_uri(), login.user_code());
    /// let t = login.wait().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn device_login(self) -> Result<DeviceLogin, Error> {
        crate::auth::start_device_login(self).await
    }

    /// Builds a client for synchronous code
    /// ([`blocking::Tapis`](crate::blocking::Tapis)); cargo feature `blocking`.
    ///
    /// ```no_run
    /// let t = tapis::Tapis::builder("https://tacc.tapis.io")
    ///     .access_token(std::env::var("TAPIS_TOKEN").unwrap_or_default())
    ///     .build_blocking()?;
    /// let systems = t.systems().get_systems().send_blocking()?.into_result();
    /// # Ok::<(), tapis::Error>(())
    /// ```
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::Tapis, Error> {
        crate::blocking::build(self)
    }

    /// Fails with [`Error::Config`] for a base URL that is not an absolute
    /// `http(s)` URL without credentials, query or fragment, and with
    /// [`Error::InvalidInput`] for a token that cannot be sent as a header.
    pub fn build(self) -> Result<Tapis, Error> {
        let base_url = normalize_base_url(&self.base_url, self.allow_http)?;
        let mut session = self.session;
        if let Some(service) = &session.credentials.service {
            if service.name.is_empty() || session.credentials.tenant_id.is_none() {
                return Err(Error::Config(
                    "a service account needs `service_account(name, password)` and the site \
                     admin tenant (`tenant_id`)"
                        .into(),
                ));
            }
        }
        if let Some(jwt) = &self.access_token {
            let token = Token::parse(jwt)?;
            session.tokens.access_token = Some(token);
        }
        if let Some(jwt) = &self.refresh_token {
            session.tokens.refresh_token = Some(Token::parse(jwt)?);
        }
        let http = match self.http {
            Some(http) => http,
            None => build_http_client(&self.settings)?,
        };
        let shared = ClientContext::new(
            base_url.clone(),
            http.clone(),
            self.shared,
            Session::new(&base_url, http.clone(), session),
            self.allow_http,
        )?;
        let services = Services::new(&base_url, &http, &shared);
        Ok(Tapis { shared, services })
    }
}

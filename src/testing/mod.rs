//! An embedded Tapis for your tests: [`TestServer`], a real HTTP server on
//! 127.0.0.1 (cargo feature `testing`, off by default).
//!
//! It behaves like a small Tapis tenant:
//! - issues RS256-signed JWTs from `POST /v3/oauth2/tokens` (password and
//!   refresh-token grants) and serves `/v3/sites` and `/v3/tenants` with its
//!   public key, so [`crate::Tapis::validate_token`] works against it;
//! - checks `X-Tapis-Token` on every other route (401 with a Tapis error
//!   envelope otherwise);
//! - records every request ([`TestServer::requests`]);
//! - answers with what a test registers per operation or per route
//!   ([`TestServer::on_operation`], [`TestServer::on`]): a status, an
//!   envelope or raw body, a delay, or a fault ([`Reply`]);
//! - otherwise serves a small stateful core, kept in memory: authenticator
//!   `get_userinfo`; systems `createSystem`, `getSystem`, `getSystems` (with
//!   `limit`, `skip`, `startAfter`, `orderBy`, `computeTotal`, `select`,
//!   `search` and `key.op=value` filters); files `insert`, `listFiles`,
//!   `getContents` (with the `range` header) and `delete`; jobs `submitJob`,
//!   `getJob`, `getJobStatus`, `getJobList` (each status or job read moves a
//!   job one status on, until FINISHED); apps `createAppVersion`, `getApp`,
//!   `getAppLatestVersion`. Any other operation is a 501 naming it.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use tapis::testing::{Reply, TestServer};
//!
//! let server = TestServer::start().await?;
//! let t = tapis::Tapis::builder(server.url())
//!     .username(TestServer::USERNAME)
//!     .password(TestServer::PASSWORD)
//!     .build()?;
//!
//! // The stateful core...
//! t.systems()
//!     .create_system()
//!     .body_json(serde_json::json!({"id": "s1", "systemType": "LINUX", "host": "h",
//!                                   "defaultAuthnMethod": "PASSWORD"}))
//!     .send()
//!     .await?;
//! // ...or a registered answer, here for the first call only.
//! server
//!     .on_operation("systems", "getSystem")?
//!     .times(1)
//!     .reply(Reply::error(503, "down for maintenance"));
//! assert!(t.systems().get_system().system_id("s1").send().await.is_err());
//! assert!(t.systems().get_system().system_id("s1").send().await.is_ok());
//! assert_eq!(server.requests_to("systems", "getSystem")?.len(), 2);
//! # Ok(()) }
//! ```

mod auth;
mod core;
mod record;
mod reply;
mod routes;
mod server;
mod token;

use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use record::RecordedRequest;
pub use reply::Reply;
pub use routes::OperationRef;
pub use token::TestToken;

/// A Tapis on 127.0.0.1, serving until dropped. See the [module docs](self).
pub struct TestServer {
    state: Arc<server::State>,
    url: String,
    // Dropping it stops the server and every open connection.
    _serving: server::Serving,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("url", &self.url)
            .finish()
    }
}

impl TestServer {
    /// The user that exists unless [`TestServerBuilder::user`] names others.
    pub const USERNAME: &'static str = "testuser";
    /// Its password.
    pub const PASSWORD: &'static str = "testpassword";
    /// The tenant the server's tokens are for, unless configured.
    pub const TENANT: &'static str = "dev";
    /// The site of the server's tenant (the primary site; it runs
    /// authenticator, systems, files, jobs and apps).
    pub const SITE: &'static str = auth::SITE;
    /// A second tenant listed in `/v3/tenants`, in [`Self::OTHER_SITE`]
    /// (its tokens verify with the same key): for tests of on-behalf-of
    /// rules across sites.
    pub const OTHER_TENANT: &'static str = auth::OTHER_TENANT;
    /// A second site, not primary, that runs only `systems`.
    pub const OTHER_SITE: &'static str = auth::OTHER_SITE;

    /// Starts a server with the defaults: user [`Self::USERNAME`] /
    /// [`Self::PASSWORD`], tenant [`Self::TENANT`], 4-hour access tokens,
    /// no OAuth client check.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures a server before starting it.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// The base URL to give [`crate::Tapis::builder`] (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client for this server, logged in as [`Self::USERNAME`] (or the
    /// first configured user) with a fresh access token.
    pub fn client(&self) -> Result<crate::Tapis, crate::Error> {
        let user = self.state.config.users[0].0.clone();
        crate::Tapis::builder(&self.url)
            .access_token(self.access_token(&user))
            .build()
    }

    /// A valid access token for `username` (who need not be a configured
    /// user), signed with the server's key.
    pub fn access_token(&self, username: &str) -> String {
        self.state.keys.mint(
            username,
            auth::TokenType::Access,
            self.state.config.access_ttl,
        )
    }

    /// A service token for `service` acting from `site` (in the server's
    /// tenant), as `POST /v3/tokens` issues them: to test a service of your
    /// own against requests other services make.
    pub fn service_token(&self, service: &str, site: &str) -> String {
        self.state
            .keys
            .mint_service(service, site, self.state.config.access_ttl)
    }

    /// An access token for `username` that expired `ago` ago.
    pub fn expired_access_token(&self, username: &str, ago: Duration) -> String {
        self.state.keys.mint_expired(username, ago)
    }

    /// The PEM public key the server's tokens verify with (also served in
    /// `/v3/tenants`).
    pub fn public_key_pem(&self) -> &str {
        self.state.keys.public_pem()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// The requests received for one operation (`("systems", "getSystems")`).
    /// An operation this build does not have is
    /// [`Error::InvalidInput`](crate::Error::InvalidInput), as in
    /// [`on_operation`](Self::on_operation).
    pub fn requests_to(
        &self,
        service: &str,
        operation_id: &str,
    ) -> Result<Vec<RecordedRequest>, crate::Error> {
        known_operation(service, operation_id)?;
        Ok(lock(&self.state.requests)
            .iter()
            .filter(|r| {
                r.operation
                    .as_ref()
                    .is_some_and(|o| o.service == service && o.id == operation_id)
            })
            .cloned()
            .collect())
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
    }

    /// Registers an answer for one operation of a service, whatever its
    /// path parameters: `server.on_operation("files", "listFiles")?.reply(..)`.
    /// Answers registered later take precedence; the token is checked first.
    /// A service or operation this build does not have (a typo) is
    /// [`Error::InvalidInput`](crate::Error::InvalidInput), naming the near
    /// matches: a stub that could never match is not registered silently.
    pub fn on_operation(
        &self,
        service: &str,
        operation_id: &str,
    ) -> Result<StubBuilder<'_>, crate::Error> {
        known_operation(service, operation_id)?;
        Ok(StubBuilder::new(
            self,
            reply::Matcher::Operation {
                service: service.to_string(),
                id: operation_id.to_string(),
            },
        ))
    }

    /// Registers an answer for a method and path; the path may be a
    /// template (`/v3/systems/{id}`, a final `{path*}` spanning segments).
    pub fn on(&self, method: &str, path: &str) -> StubBuilder<'_> {
        StubBuilder::new(
            self,
            reply::Matcher::Route {
                method: method.to_ascii_uppercase(),
                template: path.to_string(),
            },
        )
    }

    /// Removes every registered answer; the stateful core answers again.
    pub fn clear_stubs(&self) {
        lock(&self.state.stubs).clear();
    }
}

/// `Ok` when this build has operation `operation_id` of `service` (as the
/// spec spells it); otherwise an error naming what it has.
fn known_operation(service: &str, operation_id: &str) -> Result<(), crate::Error> {
    let ops = || crate::OPERATIONS.iter().filter(|(s, _, _)| *s == service);
    if ops().any(|(_, id, _)| *id == operation_id) {
        return Ok(());
    }
    if ops().next().is_none() {
        return Err(crate::Error::InvalidInput(format!(
            "tapis::testing: no service `{service}` in this build (it has: {})",
            crate::SERVICES.join(", ")
        )));
    }
    // `list_files`, `ListFiles` or `listfiles` for `listFiles`.
    let loose = |id: &str| id.replace('_', "").to_ascii_lowercase();
    let near: Vec<_> = ops()
        .filter(|(_, id, _)| loose(id) == loose(operation_id))
        .map(|(_, id, _)| format!("`{id}`"))
        .collect();
    let hint = if near.is_empty() {
        String::from("see `tapis::OPERATIONS` for its operations")
    } else {
        format!("did you mean {}?", near.join(" or "))
    };
    Err(crate::Error::InvalidInput(format!(
        "tapis::testing: service `{service}` has no operation `{operation_id}`; {hint}"
    )))
}

/// Registers an answer: [`TestServer::on_operation`] or [`TestServer::on`],
/// then optionally [`times`](Self::times), then [`reply`](Self::reply).
#[must_use = "nothing is registered until `.reply(..)`"]
pub struct StubBuilder<'a> {
    server: &'a TestServer,
    matcher: reply::Matcher,
    times: Option<usize>,
}

impl<'a> StubBuilder<'a> {
    fn new(server: &'a TestServer, matcher: reply::Matcher) -> Self {
        Self {
            server,
            matcher,
            times: None,
        }
    }

    /// Answers only the next `n` matching requests; later ones fall through
    /// to earlier registrations or the stateful core.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Registers `reply` as the answer.
    pub fn reply(self, reply: Reply) {
        lock(&self.server.state.stubs).push(reply::Stub {
            matcher: self.matcher,
            reply,
            remaining: self.times,
        });
    }
}

/// Configures a [`TestServer`].
#[derive(Debug, Clone)]
pub struct TestServerBuilder {
    config: Config,
}

/// What a server is started with.
#[derive(Clone)]
pub(crate) struct Config {
    /// `(username, password)`; the first is [`TestServer::client`]'s user.
    users: Vec<(String, String)>,
    /// The OAuth client's id and key required as Basic auth on the token
    /// endpoint, when set.
    oauth_client: Option<(String, String)>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    tenant_id: String,
    require_token: bool,
    keys: Option<(String, String)>,
    /// `(name, password)` of the service accounts `POST /v3/tokens` serves.
    services: Vec<(String, String)>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords and keys stay out of test logs.
        let users: Vec<&str> = self.users.iter().map(|(u, _)| u.as_str()).collect();
        f.debug_struct("Config")
            .field("users", &users)
            .field(
                "oauth_client",
                &self.oauth_client.as_ref().map(|(id, _)| id),
            )
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("tenant_id", &self.tenant_id)
            .field("require_token", &self.require_token)
            .finish_non_exhaustive()
    }
}

impl Default for TestServerBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                users: Vec::new(),
                oauth_client: None,
                access_ttl: Duration::from_secs(4 * 3600),
                refresh_ttl: Duration::from_secs(365 * 24 * 3600),
                tenant_id: TestServer::TENANT.to_string(),
                require_token: true,
                keys: None,
                services: Vec::new(),
            },
        }
    }
}

impl TestServerBuilder {
    /// Adds a user who can log in with `password` (replacing the default
    /// [`TestServer::USERNAME`]).
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.config.users.push((username.into(), password.into()));
        self
    }

    /// A service account `POST /v3/tokens` issues service tokens to (HTTP
    /// Basic auth with `name` and `password`), for a client built with
    /// `TapisBuilder::service_account`. Calls made with a service token act
    /// for the user in their `X-Tapis-User` header.
    pub fn service_account(mut self, name: impl Into<String>, password: impl Into<String>) -> Self {
        self.config.services.push((name.into(), password.into()));
        self
    }

    /// Requires this OAuth client's id and key (HTTP Basic) on every token
    /// request, as a real tenant does for refresh grants.
    pub fn oauth_client(mut self, id: impl Into<String>, key: impl Into<String>) -> Self {
        self.config.oauth_client = Some((id.into(), key.into()));
        self
    }

    /// How long issued access tokens live (default 4 hours).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.config.access_ttl = ttl;
        self
    }

    /// How long issued refresh tokens live (default a year).
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.config.refresh_ttl = ttl;
        self
    }

    /// The tenant id in issued tokens and `/v3/tenants` (default `dev`).
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.config.tenant_id = tenant_id.into();
        self
    }

    /// Whether protected routes require a valid `X-Tapis-Token` (default
    /// true). Turn it off to send tokens the server did not sign.
    pub fn require_token(mut self, require: bool) -> Self {
        self.config.require_token = require;
        self
    }

    /// Signs tokens with this RSA key pair (PKCS#8 or PKCS#1 private key
    /// PEM, and its public key PEM) instead of the built-in test key.
    pub fn signing_keys(
        mut self,
        private_pem: impl Into<String>,
        public_pem: impl Into<String>,
    ) -> Self {
        self.config.keys = Some((private_pem.into(), public_pem.into()));
        self
    }

    /// Binds 127.0.0.1 on a free port and starts serving. An unusable
    /// signing key is an [`std::io::ErrorKind::InvalidInput`] error.
    pub async fn start(mut self) -> std::io::Result<TestServer> {
        if self.config.users.is_empty() {
            self.config.users.push((
                TestServer::USERNAME.to_string(),
                TestServer::PASSWORD.to_string(),
            ));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let keys = auth::Keys::new(self.config.keys.as_ref(), &self.config.tenant_id, &url)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let state = Arc::new(server::State {
            config: self.config,
            keys,
            url: url.clone(),
            stubs: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            data: Mutex::new(core::Data::default()),
        });
        let serving = server::serve(listener, state.clone());
        Ok(TestServer {
            state,
            url,
            _serving: serving,
        })
    }
}

/// Locks a mutex, carrying on after a panic elsewhere (the data stays usable
/// for the assertions that follow).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

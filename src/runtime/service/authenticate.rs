//! Authenticating an incoming request: the `X-Tapis-Token` JWT checked
//! with its tenant's public key (locally: no network call per request), and
//! the on-behalf-of headers accepted under tapisservice's rules.
//!
//! The rules follow tapis-project/tapipy-tapisservice (e164e3d),
//! `tapisservice/auth.py`: `validate_request_token`, `validate_token`,
//! `service_token_checks` and `resolve_tenant_id_for_request`:
//! - the token's `tapis/tenant_id` picks the public key; RS256 only; an
//!   unknown tenant or a bad signature reloads the tenants once (rate
//!   limited) before failing, as a key rotation would explain it;
//! - a **user** token must not come with `X-Tapis-User` or `X-Tapis-Tenant`
//!   ("cannot set OBO headers with a user token");
//! - a **service** token must name this service's site in
//!   `tapis/target_site`, and must come with both `X-Tapis-Tenant` and
//!   `X-Tapis-User`, which become the request's tenant and user; the
//!   request's tenant must belong to this service's site, or, only for a
//!   service running at the primary site, to a site that does not run this
//!   service itself.

use std::sync::Arc;

use http::HeaderMap;
use serde::Deserialize;

use super::directory::{Snapshot, TenantDirectory};
use crate::auth::Claims;

/// Who made a request, as [`Authenticator::authenticate`] established it.
/// `Debug` never shows the JWT.
#[derive(Clone)]
#[non_exhaustive]
pub struct Identity {
    jwt: Arc<str>,
    /// The token's claims, signature checked.
    pub claims: Claims,
    /// `tapis/username`: the user, or the service, the token was issued to.
    pub username: String,
    /// `tapis/tenant_id`: the tenant the token was issued in.
    pub tenant_id: String,
    /// `tapis/account_type`.
    pub account_type: AccountType,
    /// `tapis/delegation`.
    pub delegation: bool,
    /// The user the request acts for: the token's, or for a service token
    /// the `X-Tapis-User` header.
    pub request_username: String,
    /// The tenant the request acts in: the token's, or for a service token
    /// the `X-Tapis-Tenant` header.
    pub request_tenant_id: String,
    /// `X-Tapis-Tracking-ID`, when the caller sent one.
    pub tracking_id: Option<String>,
}

impl Identity {
    /// The JWT the request carried (a secret: never logged by the SDK).
    pub fn jwt(&self) -> &str {
        &self.jwt
    }

    /// Whether a service made the request on a user's behalf.
    pub fn is_on_behalf_of(&self) -> bool {
        self.account_type == AccountType::Service
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("username", &self.username)
            .field("tenant_id", &self.tenant_id)
            .field("account_type", &self.account_type)
            .field("delegation", &self.delegation)
            .field("request_username", &self.request_username)
            .field("request_tenant_id", &self.request_tenant_id)
            .field("tracking_id", &self.tracking_id)
            .finish_non_exhaustive()
    }
}

/// `tapis/account_type` of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountType {
    /// A person's token.
    User,
    /// A Tapis service's token.
    Service,
    /// Any other value (kept as sent).
    Other(String),
}

/// Why a request was not authenticated. [`AuthError::status`] is the HTTP
/// status to answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No `X-Tapis-Token` header.
    #[error("no X-Tapis-Token header in the request")]
    NoToken,
    /// Not a JWT, or without the Tapis claims, or a header that is not text.
    #[error("the Tapis token is malformed: {0}")]
    Malformed(String),
    /// The token's (or `X-Tapis-Tenant`'s) tenant is not a tenant of this
    /// Tapis, or has no usable public key.
    #[error("unknown tenant `{0}`")]
    UnknownTenant(String),
    /// The signature is not the tenant's (a forged token, another key).
    #[error("the Tapis token's signature is not its tenant's")]
    BadSignature,
    /// The token has expired.
    #[error("the Tapis token has expired")]
    Expired,
    /// The on-behalf-of headers break a rule (a user token with
    /// `X-Tapis-User`, a service token for another site, a cross-site
    /// request...); the message names the rule.
    #[error("on-behalf-of not allowed: {0}")]
    OboNotAllowed(String),
    /// A user token's tenant is not the tenant of the URL the request was
    /// sent to (tapisservice's `resolve_tenant_id_for_request`: "the
    /// tenant_id claim in the token does not match the URL tenant"), or no
    /// tenant has the request's host as its base URL.
    #[error("wrong tenant for this URL: {0}")]
    WrongTenant(String),
    /// The tenants could not be loaded to check the token.
    #[error("the tenants could not be loaded: {0}")]
    Unavailable(String),
}

impl AuthError {
    /// The HTTP status a service answers with: 401, or 503 when the
    /// tenants could not be loaded.
    pub fn status(&self) -> http::StatusCode {
        match self {
            AuthError::Unavailable(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }
}

/// Authenticates the requests a Tapis service receives: built for the
/// service's name and site, over a [`TenantDirectory`]. Cloning is cheap.
///
/// ```no_run
/// # async fn demo(headers: http::HeaderMap) -> Result<(), Box<dyn std::error::Error>> {
/// use tapis::service::{Authenticator, TenantDirectory};
///
/// let admin = tapis::Tapis::builder("https://admin.tapis.io").build()?;
/// let auth = Authenticator::new(TenantDirectory::load(&admin).await?, "myservice", "tacc");
/// let who = auth.authenticate(&headers).await?;
/// println!("{} in {}", who.request_username, who.request_tenant_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Authenticator {
    directory: TenantDirectory,
    service: Arc<str>,
    site_id: Arc<str>,
    check_host: bool,
}

/// The one claim read before the signature is checked: which tenant's key
/// checks it.
#[derive(Deserialize)]
struct TenantClaim {
    #[serde(rename = "tapis/tenant_id")]
    tenant_id: Option<String>,
}

impl Authenticator {
    /// For the service `service` (its name in the sites' `services` lists)
    /// running at site `site_id`.
    pub fn new(
        directory: TenantDirectory,
        service: impl Into<String>,
        site_id: impl Into<String>,
    ) -> Self {
        Authenticator {
            directory,
            service: service.into().into(),
            site_id: site_id.into().into(),
            check_host: true,
        }
    }

    /// Whether a user token's tenant must be the tenant of the host the
    /// request was sent to (default: yes, as tapisservice does). The host
    /// is the request URI's authority, else its `Host` header; a request
    /// without either, or to a loopback address or `172.17.0.1` (local
    /// development, as tapisservice exempts), is not checked. Turn it off for
    /// a service that proxies rewrite the `Host` of.
    pub fn check_host(mut self, check: bool) -> Self {
        self.check_host = check;
        self
    }

    /// The directory the tokens are checked against.
    pub fn directory(&self) -> &TenantDirectory {
        &self.directory
    }

    /// Authenticates a request by its headers (`X-Tapis-Token`,
    /// `X-Tapis-User`, `X-Tapis-Tenant`, `X-Tapis-Tracking-ID`). With the
    /// directory loaded this is local work (an RS256 check); it reaches the
    /// network only for a rate-limited tenant refresh.
    ///
    /// The host a user token's tenant is checked against
    /// ([`Authenticator::check_host`]) is the `Host` header here; use
    /// [`Authenticator::authenticate_request`] where the request's URI is at
    /// hand (HTTP/2 carries the host in the URI, not in a header).
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Identity, AuthError> {
        self.authenticate_parts(None, headers).await
    }

    /// Authenticates a request by its URI and headers, as
    /// [`Authenticator::authenticate`] does, with the host taken from the
    /// URI's authority (else the `Host` header).
    ///
    /// ```no_run
    /// # async fn demo(auth: tapis::service::Authenticator, request: http::Request<()>) {
    /// let who = auth.authenticate_request(request.uri(), request.headers()).await;
    /// # }
    /// ```
    pub async fn authenticate_request(
        &self,
        uri: &http::Uri,
        headers: &HeaderMap,
    ) -> Result<Identity, AuthError> {
        self.authenticate_parts(uri.authority(), headers).await
    }

    async fn authenticate_parts(
        &self,
        authority: Option<&http::uri::Authority>,
        headers: &HeaderMap,
    ) -> Result<Identity, AuthError> {
        let text = |name: &str| -> Result<Option<&str>, AuthError> {
            match headers.get(name) {
                None => Ok(None),
                Some(v) => v
                    .to_str()
                    .map(|s| Some(s.trim()).filter(|s| !s.is_empty()))
                    .map_err(|_| AuthError::Malformed(format!("the {name} header is not text"))),
            }
        };
        let jwt = text("x-tapis-token")?.ok_or(AuthError::NoToken)?;
        let x_user = text("x-tapis-user")?;
        let x_tenant = text("x-tapis-tenant")?;
        let tracking_id = text("x-tapis-tracking-id")?.map(str::to_string);

        let claims = self.verify(jwt).await?;
        let tenant_id = claims.tenant_id.clone().unwrap_or_default();
        let username = claims
            .username
            .clone()
            .ok_or_else(|| AuthError::Malformed("no `tapis/username` claim".into()))?;
        let account_type = match claims.account_type.as_deref() {
            Some("user") | None => AccountType::User,
            Some("service") => AccountType::Service,
            Some(other) => AccountType::Other(other.to_string()),
        };
        let (request_username, request_tenant_id) = match account_type {
            AccountType::Service => {
                let (user, tenant) = self.service_obo(&claims, x_user, x_tenant).await?;
                (user.to_string(), tenant.to_string())
            }
            _ if x_user.is_some() || x_tenant.is_some() => {
                return Err(AuthError::OboNotAllowed(
                    "a user token cannot set X-Tapis-User or X-Tapis-Tenant".into(),
                ))
            }
            _ => {
                if self.check_host {
                    let host = match authority {
                        Some(authority) => Some(authority.as_str()),
                        None => text("host")?,
                    };
                    if let Some(host) = host {
                        self.host_is_tenants(host, &tenant_id).await?;
                    }
                }
                (username.clone(), tenant_id.clone())
            }
        };
        Ok(Identity {
            jwt: jwt.into(),
            delegation: claims.delegation.unwrap_or(false),
            claims,
            username,
            tenant_id,
            account_type,
            request_username,
            request_tenant_id,
            tracking_id,
        })
    }

    /// The token's claims, its signature checked with its tenant's key.
    async fn verify(&self, jwt: &str) -> Result<Claims, AuthError> {
        let tenant_id = unverified_tenant(jwt)?;
        let mut snapshot = self.directory.snapshot();
        let mut refreshed = false;
        loop {
            let outcome = match snapshot.key(&tenant_id) {
                None => Err(AuthError::UnknownTenant(tenant_id.clone())),
                Some(key) => check(jwt, &key),
            };
            match outcome {
                // A new tenant, or a rotated key: the directory may be stale.
                Err(AuthError::UnknownTenant(_) | AuthError::BadSignature) if !refreshed => {
                    refreshed = true;
                    match self.directory.refresh().await {
                        Ok(true) => snapshot = self.directory.snapshot(),
                        Ok(false) => {
                            // Refreshed recently (by someone else, maybe
                            // just now): look once more, no new fetch.
                            let now = self.directory.snapshot();
                            if Arc::ptr_eq(&now, &snapshot) {
                                return outcome;
                            }
                            snapshot = now;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "tenant refresh failed");
                            return outcome;
                        }
                    }
                }
                other => return other,
            }
        }
    }

    /// The request's user and tenant for a service token, by tapisservice's
    /// `service_token_checks`.
    async fn service_obo<'h>(
        &self,
        claims: &Claims,
        x_user: Option<&'h str>,
        x_tenant: Option<&'h str>,
    ) -> Result<(&'h str, &'h str), AuthError> {
        let deny = |why: String| Err(AuthError::OboNotAllowed(why));
        let target_site = claims
            .other
            .get("tapis/target_site")
            .and_then(|v| v.as_str());
        if target_site != Some(&*self.site_id) {
            return deny(format!(
                "the service token is for site {}, this service runs at site {}",
                target_site.unwrap_or("(none)"),
                self.site_id
            ));
        }
        let (Some(user), Some(tenant)) = (x_user, x_tenant) else {
            return deny("a service request must set X-Tapis-User and X-Tapis-Tenant".into());
        };
        let mut snapshot = self.directory.snapshot();
        if !snapshot.tenants.contains_key(tenant)
            && matches!(self.directory.refresh().await, Ok(true))
        {
            snapshot = self.directory.snapshot();
        }
        self.may_serve(&snapshot, tenant)?;
        Ok((user, tenant))
    }

    /// Whether `host` (the request's, `name[:port]`) is `tenant`'s: its base
    /// URL's, or the primary site's URL for it (an associate site's
    /// request forwarded to the primary site). Local development hosts are
    /// not checked. A host no tenant has reloads the tenants once
    /// (rate-limited) before it is refused.
    async fn host_is_tenants(&self, host: &str, tenant: &str) -> Result<(), AuthError> {
        let mut host = host.to_ascii_lowercase();
        // A default port written out is the same host.
        for default in [":443", ":80"] {
            if let Some(bare) = host.strip_suffix(default) {
                host = bare.to_string();
                break;
            }
        }
        if is_local(&host) {
            return Ok(());
        }
        let mut snapshot = self.directory.snapshot();
        if !snapshot.hosts.contains_key(&host) && matches!(self.directory.refresh().await, Ok(true))
        {
            snapshot = self.directory.snapshot();
        }
        let Some(owners) = snapshot.hosts.get(&host) else {
            return Err(AuthError::WrongTenant(format!(
                "no tenant has the base URL of host {host}"
            )));
        };
        if !owners.iter().any(|owner| owner == tenant) {
            return Err(AuthError::WrongTenant(format!(
                "the token's tenant {tenant} is not the tenant of host {host} ({})",
                owners.join(", ")
            )));
        }
        Ok(())
    }

    /// Whether this service may act in `tenant`: a tenant of its own site,
    /// or, from the primary site, one whose site does not run this service.
    fn may_serve(&self, snapshot: &Snapshot, tenant: &str) -> Result<(), AuthError> {
        if !snapshot.tenants.contains_key(tenant) {
            return Err(AuthError::UnknownTenant(tenant.to_string()));
        }
        let site = snapshot.site_of(tenant);
        if site.is_some_and(|s| *s.site_id == *self.site_id) {
            return Ok(());
        }
        let own_site_is_primary = snapshot
            .sites
            .get(&*self.site_id)
            .is_some_and(|s| s.primary);
        if !own_site_is_primary {
            return Err(AuthError::OboNotAllowed(format!(
                "tenant {tenant} belongs to another site; cross-site requests are only served at the primary site"
            )));
        }
        if site.is_some_and(|s| s.services.iter().any(|name| *name == *self.service)) {
            return Err(AuthError::OboNotAllowed(format!(
                "tenant {tenant}'s site runs {} itself; the primary site does not serve it",
                self.service
            )));
        }
        Ok(())
    }
}

/// A local development host: loopback, or Docker's bridge `172.17.0.1`
/// (tapisservice exempts `localhost:` and `172.17.0.1:`).
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        // `[::1]:5000`, `localhost:5000`; a bare IPv6 literal has no brackets.
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name == "172.17.0.1"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The `tapis/tenant_id` claim, read before the signature is checked.
fn unverified_tenant(jwt: &str) -> Result<String, AuthError> {
    let header = jsonwebtoken::decode_header(jwt)
        .map_err(|e| AuthError::Malformed(format!("not a JWT: {e}")))?;
    if header.alg != jsonwebtoken::Algorithm::RS256 {
        return Err(AuthError::Malformed(format!(
            "signed with {:?}; Tapis tokens are RS256",
            header.alg
        )));
    }
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| AuthError::Malformed("not a JWT".into()))?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AuthError::Malformed("the claims are not base64url".into()))?;
    let claim: TenantClaim = serde_json::from_slice(&bytes)
        .map_err(|e| AuthError::Malformed(format!("the claims are not JSON: {e}")))?;
    claim
        .tenant_id
        .ok_or_else(|| AuthError::Malformed("no `tapis/tenant_id` claim".into()))
}

/// Checks the signature and expiry (no leeway), RS256 only.
fn check(jwt: &str, key: &jsonwebtoken::DecodingKey) -> Result<Claims, AuthError> {
    use jsonwebtoken::errors::ErrorKind as K;
    static VALIDATION: std::sync::OnceLock<jsonwebtoken::Validation> = std::sync::OnceLock::new();
    let validation = VALIDATION.get_or_init(|| {
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.leeway = 0;
        v.validate_aud = false;
        v
    });
    jsonwebtoken::decode::<Claims>(jwt, key, validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            K::InvalidSignature | K::InvalidRsaKey(_) | K::InvalidAlgorithm => {
                AuthError::BadSignature
            }
            K::ExpiredSignature => AuthError::Expired,
            _ => AuthError::Malformed(e.to_string()),
        })
}

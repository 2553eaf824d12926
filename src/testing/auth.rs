//! The server's tokens: signing, checking, the token endpoint, and the
//! tenant and site records that publish the public key.

use std::time::Duration;

use base64::Engine as _;
use http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use serde_json::{json, Value};

use super::reply::Reply;
use super::server::State;
use crate::auth::Claims;

use super::token::{TestToken, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY};
/// The site the server's own tenant belongs to (primary).
pub(crate) const SITE: &str = "test";
/// A second tenant, in a second site that runs only `systems`: for tests of
/// on-behalf-of rules across sites. Its tokens are signed with the same key.
pub(crate) const OTHER_TENANT: &str = "other";
pub(crate) const OTHER_SITE: &str = "other-site";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenType {
    Access,
    Refresh,
}

impl TokenType {
    fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
        }
    }
}

/// Signs and checks the server's JWTs.
pub(crate) struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    public_pem: String,
    tenant_id: String,
    issuer: String,
}

impl Keys {
    pub fn new(
        pair: Option<&(String, String)>,
        tenant_id: &str,
        url: &str,
    ) -> Result<Self, String> {
        let (private, public) = match pair {
            Some((private, public)) => (private.as_str(), public.as_str()),
            None => (TEST_PRIVATE_KEY, TEST_PUBLIC_KEY),
        };
        let encoding = tapis_runtime::auth::keys::rsa_private_key(private)
            .map_err(|e| format!("the signing key is not an RSA private key PEM: {e}"))?;
        let decoding = tapis_runtime::auth::keys::rsa_public_key(public)
            .map_err(|e| format!("the public key is not an RSA public key PEM: {e}"))?;
        let keys = Self {
            encoding,
            decoding,
            public_pem: public.to_string(),
            tenant_id: tenant_id.to_string(),
            issuer: format!("{url}/v3/tokens"),
        };
        // A pair that does not belong together would fail every call later.
        let probe = keys.mint("probe", TokenType::Access, Duration::from_secs(60));
        keys.verify(&probe, TokenType::Access)
            .map_err(|_| "the public key does not match the signing key".to_string())?;
        Ok(keys)
    }

    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    pub fn mint(&self, username: &str, kind: TokenType, ttl: Duration) -> String {
        self.sign(self.token(username, kind).expires_in(ttl))
    }

    pub fn mint_expired(&self, username: &str, ago: Duration) -> String {
        self.sign(self.token(username, TokenType::Access).expired_since(ago))
    }

    /// A token of this server's tenant and issuer.
    fn token(&self, username: &str, kind: TokenType) -> TestToken {
        let token = match kind {
            TokenType::Access => TestToken::access(username, &self.tenant_id),
            TokenType::Refresh => TestToken::refresh(username, &self.tenant_id),
        };
        token.claim("iss", self.issuer.as_str())
    }

    /// A service token of `service` in this server's tenant, for `site`.
    pub fn mint_service(&self, service: &str, site: &str, ttl: Duration) -> String {
        let token = TestToken::service(service, &self.tenant_id, site)
            .claim("iss", self.issuer.as_str())
            .expires_in(ttl);
        self.sign(token)
    }

    fn sign(&self, token: TestToken) -> String {
        // Signing with a key that was checked at start cannot fail.
        token.sign_with(&self.encoding).unwrap_or_default()
    }

    /// The claims of a valid, unexpired token of `kind`; else why not.
    pub fn verify(&self, jwt: &str, kind: TokenType) -> Result<Claims, String> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Claims>(jwt, &self.decoding, &validation)
            .map_err(|e| e.to_string())?
            .claims;
        if claims.token_type.as_deref() != Some(kind.as_str()) {
            return Err(format!("not an {} token", kind.as_str()));
        }
        if claims.tenant_id.as_deref() != Some(self.tenant_id.as_str()) {
            return Err("a token of another tenant".to_string());
        }
        Ok(claims)
    }
}

/// The user a protected request is made as, or the 401 to answer.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<String, Reply> {
    let Some(token) = headers.get("x-tapis-token") else {
        return Err(Reply::error(
            401,
            "TAPIS_SECURITY_MISSING_TOKEN: no X-Tapis-Token header",
        ));
    };
    let token = token.to_str().unwrap_or_default();
    match state.keys.verify(token, TokenType::Access) {
        // A service acts for the user it names (tapisservice's OBO headers).
        Ok(claims) if claims.account_type.as_deref() == Some("service") => {
            match headers.get("x-tapis-user").and_then(|v| v.to_str().ok()) {
                Some(user) if headers.contains_key("x-tapis-tenant") => Ok(user.to_string()),
                _ => Err(Reply::error(
                    401,
                    "Invalid service request; X-Tapis-User and X-Tapis-Tenant headers are required.",
                )),
            }
        }
        Ok(claims) => Ok(claims.username.unwrap_or_default()),
        Err(_) if !state.config.require_token => {
            let claims = crate::auth::Token::parse(token)
                .ok()
                .map(|t| t.claims().clone());
            Ok(claims
                .and_then(|c| c.username)
                .unwrap_or_else(|| "anonymous".into()))
        }
        Err(reason) => Err(Reply::error(
            401,
            &format!("TAPIS_SECURITY_JWT_INVALID: the X-Tapis-Token is invalid: {reason}"),
        )),
    }
}

/// `POST /v3/oauth2/tokens`: password and refresh_token grants.
pub(crate) fn token_endpoint(state: &State, headers: &HeaderMap, body: &[u8]) -> Reply {
    if let Some((id, key)) = &state.config.oauth_client {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{key}"))
        );
        let given = headers.get("authorization").and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            return Reply::error(401, "Invalid client credentials: HTTP Basic auth with the OAuth client's id and key is required");
        }
    }
    let form: Value = serde_json::from_slice(body).unwrap_or_else(|_| {
        Value::Object(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect(),
        )
    });
    let field = |name: &str| form.get(name).and_then(Value::as_str);
    let username = match field("grant_type") {
        Some("password") => {
            let (Some(user), Some(password)) = (field("username"), field("password")) else {
                return Reply::error(400, "the password grant needs `username` and `password`");
            };
            let known = state
                .config
                .users
                .iter()
                .any(|(u, p)| u == user && p == password);
            if !known {
                return Reply::error(400, "Invalid username/password combination.");
            }
            user.to_string()
        }
        Some("refresh_token") => {
            let Some(refresh) = field("refresh_token") else {
                return Reply::error(400, "the refresh_token grant needs `refresh_token`");
            };
            match state.keys.verify(refresh, TokenType::Refresh) {
                Ok(claims) => claims.username.unwrap_or_default(),
                Err(reason) => {
                    return Reply::error(400, &format!("Invalid refresh token: {reason}"))
                }
            }
        }
        Some(other) => return Reply::error(400, &format!("unsupported grant_type `{other}`")),
        None => return Reply::error(400, "missing `grant_type`"),
    };
    let token = |kind: TokenType, ttl: Duration| {
        let jwt = state.keys.mint(&username, kind, ttl);
        let expires_at = chrono::Utc::now() + ttl;
        let name = format!("{}_token", kind.as_str());
        json!({name: jwt, "expires_in": ttl.as_secs(), "expires_at": expires_at.to_rfc3339()})
    };
    Reply::ok_with_status(
        201,
        "Token created successfully.",
        json!({
            "access_token": token(TokenType::Access, state.config.access_ttl),
            "refresh_token": token(TokenType::Refresh, state.config.refresh_ttl),
        }),
    )
}

/// `GET /v3/oauth2/userinfo`.
pub(crate) fn userinfo(username: &str) -> Reply {
    Reply::ok(
        "User profile retrieved successfully.",
        json!({"username": username, "email": format!("{username}@example.org"),
               "given_name": username, "last_name": "Tester"}),
    )
}

/// `POST /v3/tokens`: a service token for a configured service account
/// (HTTP Basic auth with its name and password), as the Tokens API issues
/// them to services.
pub(crate) fn service_token_endpoint(state: &State, headers: &HeaderMap, body: &[u8]) -> Reply {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((name, password)) = basic.as_deref().and_then(|b| b.split_once(':')) else {
        return Reply::error(
            401,
            "The Tokens API needs HTTP Basic auth with a service's name and password.",
        );
    };
    let known = state
        .config
        .services
        .iter()
        .any(|(n, p)| n == name && p == password);
    if !known {
        return Reply::error(401, "Invalid service credentials.");
    }
    let form: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |key: &str| form.get(key).and_then(Value::as_str);
    if field("account_type") != Some("service") || field("token_username") != Some(name) {
        return Reply::error(
            400,
            "a service token needs account_type `service` and token_username the service's name",
        );
    }
    if field("token_tenant_id") != Some(state.config.tenant_id.as_str()) {
        return Reply::error(
            400,
            &format!(
                "token_tenant_id must be this site's admin tenant, `{}`",
                state.config.tenant_id
            ),
        );
    }
    let site = field("target_site_id").unwrap_or(SITE);
    let ttl = state.config.access_ttl;
    let jwt = state.keys.mint_service(name, site, ttl);
    let expires_at = chrono::Utc::now() + ttl;
    Reply::ok(
        "Token generation successful.",
        json!({"access_token": {"access_token": jwt, "expires_in": ttl.as_secs(), "expires_at": expires_at.to_rfc3339()}}),
    )
}

/// The server's tenants: its own, and a second one in another site.
pub(crate) fn tenants(state: &State) -> Value {
    let mut other = tenant(state);
    other["tenant_id"] = json!(OTHER_TENANT);
    other["site_id"] = json!(OTHER_SITE);
    other["base_url"] = json!("https://other.tapis.example");
    other["description"] = json!("A second tenant, in a second site");
    json!([tenant(state), other])
}

/// The server's sites: its own (primary), and a second that runs systems.
pub(crate) fn sites(state: &State) -> Value {
    json!([
        site(state),
        {
            "site_id": OTHER_SITE,
            "base_url": "https://other.tapis.example",
            "primary": false,
            "site_admin_tenant_id": OTHER_TENANT,
            "services": ["systems"],
        }
    ])
}

/// The server's own tenant.
pub(crate) fn tenant(state: &State) -> Value {
    let url = &state.url;
    json!({
        "tenant_id": state.config.tenant_id,
        "base_url": url,
        "site_id": SITE,
        "public_key": state.keys.public_pem(),
        "token_service": format!("{url}/v3/tokens"),
        "security_kernel": format!("{url}/v3/security"),
        "authenticator": format!("{url}/v3/oauth2"),
        "owner": "admin@example.org",
        "admin_user": "admin",
        "token_gen_services": ["authenticator"],
        "description": "The tapis::testing tenant",
        "status": "active",
    })
}

/// The server's own site.
pub(crate) fn site(state: &State) -> Value {
    json!({
        "site_id": SITE,
        "base_url": state.url,
        "primary": true,
        "site_admin_tenant_id": state.config.tenant_id,
        "tenant_base_url_template": state.url,
        "services": ["authenticator", "systems", "files", "jobs", "apps"],
    })
}

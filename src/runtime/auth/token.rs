//! Tapis tokens: the JWT, its decoded claims and its lifetime.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;

/// The claims of a Tapis JWT.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Claims {
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<i64>,
    /// `username@tenant`.
    #[serde(default)]
    pub sub: Option<String>,
    /// The token's unique id.
    #[serde(default)]
    pub jti: Option<String>,
    /// `tapis/tenant_id`.
    #[serde(rename = "tapis/tenant_id", default)]
    pub tenant_id: Option<String>,
    /// `tapis/username`.
    #[serde(rename = "tapis/username", default)]
    pub username: Option<String>,
    /// `tapis/token_type`: `access` or `refresh`.
    #[serde(rename = "tapis/token_type", default)]
    pub token_type: Option<String>,
    /// `tapis/account_type`: `user` or `service`.
    #[serde(rename = "tapis/account_type", default)]
    pub account_type: Option<String>,
    /// `tapis/delegation`.
    #[serde(rename = "tapis/delegation", default)]
    pub delegation: Option<bool>,
    /// Every other claim.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A Tapis token (access or refresh): the JWT and what it says. `Debug` and
/// `Display` never show the JWT; [`Token::jwt`] does.
///
/// ```
/// # fn demo(jwt: &str) -> Result<(), tapis::Error> {
/// let token = tapis::auth::Token::parse(jwt)?;
/// println!("{} expires in {:?}", token, token.expires_in());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Token {
    // Shared (`Arc`): the session hands a clone to every call.
    inner: Arc<Inner>,
}

struct Inner {
    jwt: Box<str>,
    claims: Claims,
    expires_at: DateTime<Utc>,
    ttl: Option<Duration>,
    /// `X-Tapis-Token: <jwt>`, made once (marked sensitive).
    header: HeaderValue,
}

impl Token {
    /// Decodes a JWT's claims without checking its signature (that needs
    /// the tenant's key: `Tapis::validate_token`). A value that is
    /// not a JWT with an `exp` claim, or that an HTTP header cannot carry,
    /// is [`Error::InvalidInput`]: a `Token` is always sendable.
    pub fn parse(jwt: &str) -> Result<Token, Error> {
        let jwt = jwt.trim();
        let mut validation = jsonwebtoken::Validation::default();
        validation.insecure_disable_signature_validation();
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let key = jsonwebtoken::DecodingKey::from_secret(&[]);
        let data = jsonwebtoken::decode::<Claims>(jwt, &key, &validation)
            .map_err(|e| Error::InvalidInput(format!("not a Tapis JWT: {e}")))?;
        let claims = data.claims;
        let expires_at = DateTime::from_timestamp(claims.exp, 0)
            .ok_or_else(|| Error::InvalidInput("the JWT's `exp` is out of range".into()))?;
        let ttl = claims
            .iat
            // Checked: both claims come from a server.
            .and_then(|iat| u64::try_from(claims.exp.checked_sub(iat)?).ok())
            .map(Duration::from_secs);
        let mut header = HeaderValue::from_str(jwt).map_err(|_| {
            Error::InvalidInput(
                "the access token contains characters not allowed in an HTTP header".into(),
            )
        })?;
        header.set_sensitive(true);
        Ok(Token {
            inner: Arc::new(Inner {
                jwt: jwt.into(),
                claims,
                expires_at,
                ttl,
                header,
            }),
        })
    }

    /// The JWT itself: a secret.
    pub fn jwt(&self) -> &str {
        &self.inner.jwt
    }

    /// The decoded claims.
    pub fn claims(&self) -> &Claims {
        &self.inner.claims
    }

    /// When the token expires.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.inner.expires_at
    }

    /// The JWT as a header value (sensitive: never shown by reqwest or
    /// `Debug`).
    #[doc(hidden)]
    pub fn header(&self) -> &HeaderValue {
        &self.inner.header
    }

    /// Time left before expiry (zero once expired).
    pub fn expires_in(&self) -> Duration {
        (self.inner.expires_at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
    }

    /// The lifetime the token was issued with (`exp - iat`), when known.
    pub fn ttl(&self) -> Option<Duration> {
        self.inner.ttl
    }

    /// Whether the token has expired.
    pub fn is_expired(&self) -> bool {
        self.inner.expires_at <= Utc::now()
    }

    /// Whether the token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires_in() <= margin
    }

    /// Whether two tokens are the same JWT.
    #[doc(hidden)]
    pub fn same(&self, other: &Token) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.jwt == other.inner.jwt
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("jwt", &"<redacted>")
            .field("sub", &self.claims().sub)
            .field("jti", &self.claims().jti)
            .field("token_type", &self.claims().token_type)
            .field("expires_at", &self.expires_at())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tapis {} token for {} (expires {})",
            self.claims().token_type.as_deref().unwrap_or("unknown"),
            self.claims().sub.as_deref().unwrap_or("?"),
            self.expires_at().format("%Y-%m-%d %H:%M:%S UTC")
        )
    }
}

/// The tokens a client holds. Given to `TapisBuilder::on_refresh`
/// callbacks so they can be stored.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Tokens {
    /// The access token sent as `X-Tapis-Token`.
    pub access_token: Option<Token>,
    /// The refresh token, when the client has one.
    pub refresh_token: Option<Token>,
}

//! Tenants: which tenant a base URL belongs to, and RS256 validation of
//! Tapis JWTs with the tenant's public key.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::token::{Claims, Token};
use crate::transport::ClientContext;
use crate::{Error, RawRequest};

/// A Tapis tenant, as `GET /v3/tenants` describes it.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Tenant {
    /// The tenant id (`tacc`, `designsafe`...).
    pub tenant_id: String,
    /// Its base URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The site it belongs to.
    #[serde(default)]
    pub site_id: Option<String>,
    /// The PEM public key its tokens are signed with.
    #[serde(default)]
    pub public_key: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct Site {
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    site_admin_tenant_id: Option<String>,
}

/// Why `Tapis::validate_token` rejected a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a JWT, or without the Tapis claims.
    #[error("the token is malformed: {0}")]
    Malformed(String),
    /// Its `tapis/tenant_id` is not a tenant of this Tapis (or has no key).
    #[error("the token's tenant `{0}` is unknown or has no public key")]
    UnknownTenant(String),
    /// The signature does not match the tenant's key.
    #[error("the token's signature is not the tenant's")]
    BadSignature,
    /// It has expired.
    #[error("the token has expired")]
    Expired,
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// `Tapis::tenant_list`.
pub async fn tenant_list(t: &ClientContext) -> Result<Vec<Tenant>, Error> {
    t.tenants()
        .get_or_try_init(|| async {
            let list = RawRequest::new(t, reqwest::Method::GET, "/v3/tenants")
                .without_token()
                .send_json::<Envelope<Vec<Tenant>>>()
                .await?
                .into_inner();
            Ok::<_, Error>(list.result.unwrap_or_default())
        })
        .await
        .cloned()
}

/// `Tapis::tenant`.
pub async fn tenant(t: &ClientContext) -> Result<Tenant, Error> {
    let tenants = tenant_list(t).await?;
    let find = |id: &str| tenants.iter().find(|t| t.tenant_id == id).cloned();
    if let Some(id) = &t.session().credentials().tenant_id {
        return find(id)
            .ok_or_else(|| Error::Config(format!("tenant `{id}` is not in /v3/tenants")));
    }
    let base = t.base_url();
    if let Some(t) = tenants
        .iter()
        .find(|t| t.base_url.as_deref().is_some_and(|u| same_url(u, base)))
    {
        return Ok(t.clone());
    }
    let sites = RawRequest::new(t, reqwest::Method::GET, "/v3/sites")
        .without_token()
        .send_json::<Envelope<Vec<Site>>>()
        .await?
        .into_inner()
        .result
        .unwrap_or_default();
    sites
        .iter()
        .filter(|s| s.base_url.as_deref().is_some_and(|u| same_url(u, base)))
        .find_map(|s| s.site_admin_tenant_id.as_deref().and_then(find))
        .ok_or_else(|| {
            Error::Config(format!(
                "no tenant or site of this Tapis has the base URL {base}"
            ))
        })
}

/// `Tapis::validate_token`.
pub async fn validate_token(t: &ClientContext, jwt: &str) -> Result<Claims, Error> {
    let token =
        Token::parse(jwt).map_err(|e| Error::InvalidToken(TokenError::Malformed(e.to_string())))?;
    let tenant_id = token.claims().tenant_id.clone().ok_or_else(|| {
        Error::InvalidToken(TokenError::Malformed("no `tapis/tenant_id` claim".into()))
    })?;
    let unknown = || Error::InvalidToken(TokenError::UnknownTenant(tenant_id.clone()));
    let tenants = tenant_list(t).await?;
    let tenant = tenants
        .iter()
        .find(|t| t.tenant_id == tenant_id)
        .ok_or_else(unknown)?;
    let pem = tenant.public_key.as_deref().ok_or_else(unknown)?;
    let key = super::keys::rsa_public_key(pem).map_err(|e| {
        Error::Config(format!(
            "tenant `{tenant_id}` has an unusable public key: {e}"
        ))
    })?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.leeway = 0;
    validation.validate_aud = false;
    use jsonwebtoken::errors::ErrorKind as K;
    jsonwebtoken::decode::<Claims>(token.jwt(), &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| {
            Error::InvalidToken(match e.kind() {
                K::InvalidSignature => TokenError::BadSignature,
                K::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Malformed(e.to_string()),
            })
        })
}

#[derive(Deserialize)]
struct Envelope<T> {
    result: Option<T>,
}

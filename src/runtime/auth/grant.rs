//! The token endpoint (`POST /v3/oauth2/tokens`) and device codes, spoken
//! directly over HTTP: a refresh never goes through the operation pipeline
//! it serves, so it cannot recurse into itself.

use serde::Deserialize;
use serde_json::{json, Value};

use super::token::{Token, Tokens};
use crate::Error;

/// The path of the token endpoint; a 401 from it is never answered with a
/// refresh.
#[doc(hidden)]
pub const TOKEN_PATH: &str = "/v3/oauth2/tokens";

/// How to obtain tokens.
#[doc(hidden)]
pub enum Grant<'a> {
    Password {
        username: &'a str,
        password: &'a str,
    },
    Refresh {
        refresh_token: &'a str,
    },
    DeviceCode {
        device_code: &'a str,
        client_id: &'a str,
    },
    /// A service's token from the Tokens API (`POST /v3/tokens`, HTTP
    /// Basic auth with the service's name and password), as tapisservice's
    /// `get_service_tokens` asks for it.
    Service {
        name: &'a str,
        password: &'a str,
        /// The site admin tenant the token is issued in.
        tenant: &'a str,
        site_id: Option<&'a str>,
    },
}

/// The Tokens API's path (service tokens).
#[doc(hidden)]
pub const SERVICE_TOKEN_PATH: &str = "/v3/tokens";

/// An OAuth client's id and key; sent as HTTP Basic auth only when both
/// are known.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub struct ClientAuth<'a> {
    pub id: Option<&'a str>,
    pub key: Option<&'a str>,
}

/// Asks the token endpoint for tokens.
#[doc(hidden)]
pub async fn request_tokens(
    http: &reqwest::Client,
    base_url: &str,
    grant: Grant<'_>,
    client: ClientAuth<'_>,
) -> Result<Tokens, Error> {
    let (path, client) = match grant {
        Grant::Service { name, password, .. } => (
            SERVICE_TOKEN_PATH,
            ClientAuth {
                id: Some(name),
                key: Some(password),
            },
        ),
        _ => (TOKEN_PATH, client),
    };
    let body = match grant {
        Grant::Service {
            name,
            tenant,
            site_id,
            ..
        } => {
            let mut body = json!({
                "account_type": "service",
                "token_tenant_id": tenant,
                "token_username": name,
                "generate_refresh_token": false,
            });
            if let Some(site) = site_id {
                body["target_site_id"] = json!(site);
            }
            body
        }
        Grant::Password { username, password } => {
            json!({"username": username, "password": password, "grant_type": "password"})
        }
        Grant::Refresh { refresh_token } => {
            json!({"grant_type": "refresh_token", "refresh_token": refresh_token})
        }
        Grant::DeviceCode {
            device_code,
            client_id,
        } => {
            json!({"grant_type": "device_code", "device_code": device_code, "client_id": client_id})
        }
    };
    let value = post_json(http, base_url, path, &body, client).await?;

    #[derive(Deserialize)]
    struct Envelope {
        result: Option<TokenResult>,
    }
    #[derive(Deserialize)]
    struct TokenResult {
        access_token: Option<AccessToken>,
        refresh_token: Option<RefreshToken>,
    }
    #[derive(Deserialize)]
    struct AccessToken {
        access_token: String,
    }
    #[derive(Deserialize)]
    struct RefreshToken {
        refresh_token: String,
    }
    let invalid = |reason: String| {
        Error::invalid_response_without_body(reqwest::StatusCode::OK, reason, None)
    };
    let envelope: Envelope = serde_json::from_value(value).map_err(|e| {
        // serde's message may quote a value of the answer: never a token.
        invalid(format!(
            "the token endpoint's answer is not a token envelope: {}",
            crate::error::redact_jwts(&e.to_string())
        ))
    })?;
    let result = envelope
        .result
        .ok_or_else(|| invalid("the token endpoint answered without a `result`".into()))?;
    let access = result
        .access_token
        .ok_or_else(|| invalid("the token endpoint answered without an access token".into()))?;
    Ok(Tokens {
        access_token: Some(Token::parse(&access.access_token).map_err(|e| {
            invalid(format!(
                "the token endpoint's access token cannot be read: {e}"
            ))
        })?),
        refresh_token: result
            .refresh_token
            .map(|r| Token::parse(&r.refresh_token))
            .transpose()
            .map_err(|e| invalid(format!("the refresh token cannot be read: {e}")))?,
    })
}

/// How long a token request may take, whatever the client's own timeout
/// (none by default): a stalled token endpoint must not hold every call
/// waiting on the refresh forever.
pub const TOKEN_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The most of a token endpoint's answer that is read (token answers are a
/// few kB; an endless body must not grow memory).
pub const TOKEN_BODY_LIMIT: usize = 256 * 1024;

/// POSTs JSON to a path of the tenant and returns the decoded JSON answer;
/// an error status is [`Error::Api`].
#[doc(hidden)]
pub async fn post_json(
    http: &reqwest::Client,
    base_url: &str,
    path: &str,
    body: &Value,
    client: ClientAuth<'_>,
) -> Result<Value, Error> {
    let url = url::Url::parse(&format!("{base_url}{path}"))
        .map_err(|e| Error::Config(format!("token endpoint URL: {e}")))?;
    let mut builder = http
        .post(url.clone())
        .json(body)
        .timeout(TOKEN_REQUEST_TIMEOUT);
    if let (Some(id), Some(key)) = (client.id, client.key) {
        // HTTP Basic splits at the first `:`: such an id would reach the
        // server as another id and key.
        if id.contains(':') {
            return Err(Error::Config(
                "an OAuth client id cannot contain `:` (HTTP Basic auth would split it)".into(),
            ));
        }
        builder = builder.basic_auth(id, Some(key));
    }
    let span = tracing::info_span!("tapis.auth", path, status = tracing::field::Empty);
    let exchange = async {
        let network = |e| Error::network(&reqwest::Method::POST, &url, e);
        let mut response = builder.send().await.map_err(network)?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let bytes = read_capped(&mut response, TOKEN_BODY_LIMIT)
            .await
            .map_err(|e| {
                e.map_or_else(
                    || {
                        Error::invalid_response_without_body(
                    status,
                    format!("the token endpoint's answer is longer than {TOKEN_BODY_LIMIT} bytes"),
                    None,
                )
                    },
                    network,
                )
            })?;
        if !status.is_success() {
            // The Tapis message, never the body: it may echo credentials.
            let mut error = Error::api(status, &reqwest::Method::POST, &url, &bytes);
            if let Error::Api { body_excerpt, .. } = &mut error {
                body_excerpt.clear();
            }
            return Err(error);
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            // Never the body: it may hold issued tokens.
            Error::invalid_response_without_body(
                status,
                "the answer is not JSON",
                Some(Box::new(e)),
            )
        })
    };
    tracing::Instrument::instrument(exchange, span).await
}

/// Reads a whole body of at most `limit` bytes: `Err(None)` past the limit,
/// `Err(Some(e))` when the connection fails.
#[doc(hidden)]
pub async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, Option<reqwest::Error>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(None);
    }
    // The first chunk is kept as it is: most bodies arrive in one.
    let Some(first) = response.chunk().await.map_err(Some)? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(None);
    }
    let Some(second) = response.chunk().await.map_err(Some)? else {
        return Ok(first);
    };
    let mut body = bytes::BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            return Err(None);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(Some)?;
    }
    Ok(body.freeze())
}

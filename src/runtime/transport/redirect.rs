//! Redirects, which must never carry a secret away.
//!
//! - A hop to the same origin (scheme, host and port) is followed by reqwest
//!   with every header.
//! - A hop to another origin is stopped by reqwest and followed here, once
//!   per hop, without `X-Tapis-Token`, `X-Tapis-User`, `X-Tapis-Tenant`,
//!   `Authorization`, cookies or any other secret-looking header (reqwest
//!   strips only the standard ones, and `X-Tapis-Token` is not one).
//! - A hop from `https` to `http` is refused: nothing is sent in clear text.
//! - The token endpoint's answers are never followed: a redirect there would
//!   re-send a password or a refresh token.

use reqwest::header::{self, HeaderMap};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::{TENANT_HEADER, TOKEN_HEADER, USER_HEADER};
use crate::auth::{SERVICE_TOKEN_PATH, TOKEN_PATH};
use crate::Error;

/// At most this many hops in all.
const MAX_HOPS: usize = 10;

/// The reqwest policy: same-origin hops only, none from the token endpoint.
#[doc(hidden)]
pub fn policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let previous = attempt.previous();
        if previous.len() > MAX_HOPS {
            return attempt.error("too many redirects");
        }
        let from_token_endpoint = previous.first().is_some_and(is_token_endpoint);
        let same = previous
            .last()
            .is_some_and(|from| same_origin(from, attempt.url()));
        if same && !from_token_endpoint {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The OAuth token endpoint, or the Tokens API services get their tokens
/// from: both answer credentials sent as HTTP Basic auth.
fn is_token_endpoint(url: &Url) -> bool {
    url.path().ends_with(TOKEN_PATH) || url.path().ends_with(SERVICE_TOKEN_PATH)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether `status` is a redirect with a `Location` to follow.
#[doc(hidden)]
pub fn is_redirect(response: &Response) -> bool {
    matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308)
        && response.headers().contains_key(header::LOCATION)
}

/// Headers that never go to another origin.
fn strip_secrets(headers: &mut HeaderMap) {
    for name in [
        TOKEN_HEADER,
        USER_HEADER,
        TENANT_HEADER,
        header::AUTHORIZATION,
        header::PROXY_AUTHORIZATION,
        header::COOKIE,
    ] {
        headers.remove(name);
    }
    let secret: Vec<_> = headers
        .iter()
        .filter(|(name, value)| value.is_sensitive() || crate::error::is_secret_name(name.as_str()))
        .map(|(name, _)| name.clone())
        .collect();
    for name in secret {
        headers.remove(name);
    }
}

/// Where a redirect leads, checked: `Err` for a downgrade to `http` or a
/// `Location` that is not a URL.
fn target(from: &Url, response: &Response) -> Result<Url, Error> {
    let refuse =
        |reason: String| Error::invalid_response_without_body(response.status(), reason, None);
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refuse("a redirect without a readable Location".into()))?;
    let to = from
        .join(location)
        .map_err(|e| refuse(format!("a redirect to an invalid URL: {e}")))?;
    if from.scheme() == "https" && to.scheme() != "https" {
        return Err(refuse(format!(
            "refused a redirect from https to {}://{} (it would send the request in clear text)",
            to.scheme(),
            to.host_str().unwrap_or_default()
        )));
    }
    if !matches!(to.scheme(), "http" | "https") {
        return Err(refuse(format!(
            "refused a redirect to a `{}` URL",
            to.scheme()
        )));
    }
    Ok(to)
}

/// Follows the cross-origin redirect `response` answered to `request`
/// (a copy of the request sent), hop by hop, without secrets. `None` as
/// `request` (a streamed body that cannot be sent again) is an error naming
/// the redirect.
#[doc(hidden)]
pub async fn follow(
    http: &reqwest::Client,
    mut from: Url,
    mut response: Response,
    request: Option<reqwest::Request>,
) -> Result<Response, Error> {
    if is_token_endpoint(&from) {
        return Err(Error::invalid_response_without_body(
            response.status(),
            "the token endpoint answered with a redirect, which is never followed",
            None,
        ));
    }
    let Some(mut request) = request else {
        return Err(Error::invalid_response_without_body(
            response.status(),
            "a redirect to another origin cannot be followed: the request's body was streamed",
            None,
        ));
    };
    strip_secrets(request.headers_mut());
    for _ in 0..MAX_HOPS {
        let to = target(&from, &response)?;
        let status = response.status();
        // 303, and 301/302 after a POST, turn into a GET without a body.
        let to_get = status == StatusCode::SEE_OTHER
            || (matches!(status.as_u16(), 301 | 302) && request.method() == Method::POST);
        if to_get {
            *request.method_mut() = Method::GET;
            *request.body_mut() = None;
            request.headers_mut().remove(header::CONTENT_LENGTH);
            request.headers_mut().remove(header::CONTENT_TYPE);
        }
        *request.url_mut() = to.clone();
        let Some(next) = request.try_clone() else {
            return Err(Error::invalid_response_without_body(
                status,
                "a redirect to another origin cannot be followed: the request's body was streamed",
                None,
            ));
        };
        tracing::debug!(to = %crate::error::redacted_url(&to), "following a redirect to another origin, without credentials");
        response = http
            .execute(next)
            .await
            .map_err(|e| Error::network(request.method(), &to, e))?;
        if !is_redirect(&response) {
            return Ok(response);
        }
        from = to;
    }
    Err(Error::invalid_response_without_body(
        response.status(),
        "too many redirects",
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_secrets() {
        let a = Url::parse("https://tacc.tapis.io/v3/systems").unwrap();
        assert!(same_origin(
            &a,
            &Url::parse("https://tacc.tapis.io:443/x").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("http://tacc.tapis.io/x").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://evil.example/x").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://tacc.tapis.io:8443/x").unwrap()
        ));
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("x-tapis-token", "t"),
            ("x-tapis-user", "u"),
            ("x-tapis-tenant", "t"),
            ("authorization", "Basic x"),
            ("cookie", "c"),
            ("x-api-key", "k"),
            ("accept", "application/json"),
            ("range", "bytes=0-9"),
        ] {
            headers.insert(
                reqwest::header::HeaderName::from_static(k),
                v.parse().unwrap(),
            );
        }
        strip_secrets(&mut headers);
        let mut left: Vec<_> = headers.keys().map(|k| k.as_str()).collect();
        left.sort_unstable();
        assert_eq!(left, ["accept", "range"]);
    }
}

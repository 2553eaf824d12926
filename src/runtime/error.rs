//! The one error type of the crate.
//!
//! Every operation, generated or hand-written, returns [`Error`]: an HTTP
//! error status is [`Error::Api`] (with the Tapis `message` and `version`
//! from the error envelope when there is one), a failed connection is
//! [`Error::Network`], a body that cannot be decoded is
//! [`Error::InvalidResponse`], and a value the caller gave that cannot be
//! sent is [`Error::InvalidInput`] (nothing was sent).
//!
//! ```no_run
//! # async fn demo(t: tapis::Tapis) {
//! use tapis::error::ErrorKind;
//! match t.systems().get_system().system_id("nope").send().await {
//!     Ok(system) => println!("{:?}", system.into_inner().result),
//!     Err(tapis::Error::Api { kind: ErrorKind::NotFound, .. }) => println!("no such system"),
//!     Err(e) if e.is_retryable() => println!("try again later: {e}"),
//!     Err(e) => println!("failed: {e}"),
//! }
//! # }
//! ```

use std::fmt;

use reqwest::StatusCode;

/// Boxed cause of an [`Error::Auth`] or [`Error::InvalidResponse`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error from the `tapis` crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status (anything not 2xx), or
    /// with a 2xx whose Tapis envelope says `"status": "error"` (streams
    /// refuses some calls so; `kind` is then [`ErrorKind::Other`] and
    /// `message` the envelope's).
    #[error("{method} {url}: {status}{}", api_detail(message.as_deref(), body_excerpt))]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The status as a category.
        kind: ErrorKind,
        /// The Tapis envelope's `message`, when the body was one.
        message: Option<String>,
        /// The Tapis envelope's `version` (the service's version).
        version: Option<String>,
        /// The start of the body (at most [`EXCERPT_LEN`] bytes, UTF-8).
        body_excerpt: String,
        /// The request method.
        method: reqwest::Method,
        /// The request URL, secrets removed (see [`redacted_url`]).
        url: String,
    },
    /// No usable response: the connection failed, timed out or broke.
    #[error("{method} {url}: {kind}: {source}")]
    Network {
        /// What went wrong.
        kind: NetworkErrorKind,
        /// The request method.
        method: reqwest::Method,
        /// The request URL, secrets removed.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A success status whose body is not what the operation declares.
    #[error(
        "invalid response ({status}): {}{reason}{}",
        path_prefix(path.as_deref()),
        excerpt_suffix(body_excerpt)
    )]
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// What is wrong with it.
        reason: String,
        /// Where in the JSON body decoding failed (`result[3].jobRuntimes`),
        /// when it did.
        path: Option<String>,
        /// The start of the body.
        body_excerpt: String,
        /// The whole body (up to [`KEPT_BODY_LIMIT`] bytes), so nothing the
        /// server sent is lost. Empty where the body held secrets (the token
        /// endpoint's answers).
        body: ErrorBody,
        /// The decoding error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A wait (for example `t.jobs().wait(uuid)`) reached its timeout
    /// before the awaited state.
    #[error("gave up waiting for {what} after {waited:?}; last status: {last_status}")]
    WaitTimeout {
        /// What was awaited (`job <uuid>`).
        what: String,
        /// The last status seen (`none` if no poll answered).
        last_status: String,
        /// How long it waited.
        waited: std::time::Duration,
    },
    /// The call's own timeout (`.timeout(..)`) ran out before it had an
    /// answer: while obtaining a token, between retries or in an exchange.
    #[error("{method} {url}: the call's timeout of {after:?} ran out")]
    Timeout {
        /// The request method.
        method: reqwest::Method,
        /// The request URL, secrets removed.
        url: String,
        /// The timeout.
        after: std::time::Duration,
    },
    /// A value given by the caller cannot be used; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Authentication failed or is impossible (no token, refresh failed...).
    #[error("authentication: {reason}")]
    Auth {
        /// What failed.
        reason: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A token given to `Tapis::validate_token` is not valid.
    #[error("invalid token: {0}")]
    InvalidToken(#[from] crate::auth::TokenError),
    /// The client configuration is invalid (base URL, TLS settings...).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// The category of an [`Error::Api`] status, as tapipy classifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400
    BadRequest,
    /// 401
    Unauthorized,
    /// 403
    Forbidden,
    /// 404
    NotFound,
    /// 409
    Conflict,
    /// 503
    ServiceUnavailable,
    /// Any other 5xx.
    InternalServer,
    /// Any other status.
    Other,
}

impl ErrorKind {
    /// The category of `status`.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            503 => ErrorKind::ServiceUnavailable,
            500..=599 => ErrorKind::InternalServer,
            _ => ErrorKind::Other,
        }
    }
}

/// What kind of [`Error::Network`] failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkErrorKind {
    /// The connection could not be established (refused, DNS...).
    Connect,
    /// The server's certificate or the TLS handshake was refused (bad,
    /// expired or self-signed certificate, wrong host name). Not retried:
    /// trying again cannot fix it.
    Tls,
    /// The server closed the connection before it answered (a restarting
    /// server, a proxy's idle timeout). Retried for idempotent requests, as
    /// connection failures are.
    Closed,
    /// The connect timeout or the request timeout elapsed.
    Timeout,
    /// The connection broke off while the answer's body was arriving (the
    /// status and headers had come). Retried for idempotent requests whose
    /// answer is read whole (JSON), as [`Closed`](Self::Closed) is;
    /// a download reports it to the caller, who holds the part received.
    BodyInterrupted,
    /// Anything else (the connection broke while sending or receiving).
    Other,
}

impl fmt::Display for NetworkErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkErrorKind::Connect => "cannot connect",
            NetworkErrorKind::Tls => "TLS failed",
            NetworkErrorKind::Closed => "the server closed the connection before answering",
            NetworkErrorKind::Timeout => "timed out",
            NetworkErrorKind::BodyInterrupted => "the connection broke off during the answer",
            NetworkErrorKind::Other => "connection failed",
        })
    }
}

/// How many bytes of a body an error shows in its excerpt.
pub const EXCERPT_LEN: usize = 1024;

/// How many bytes of a body an [`Error::InvalidResponse`] keeps whole
/// (16 MiB; a longer body is cut there, which [`ErrorBody::is_cut`] tells).
pub const KEPT_BODY_LIMIT: usize = 16 << 20;

/// A response body kept by an error. Its `Debug` shows only its length:
/// errors are logged, bodies can be large.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    // Boxed: errors travel in every `Result`, bodies rarely.
    kept: Option<Box<(bytes::Bytes, bool)>>,
}

impl ErrorBody {
    /// Keeps `body` (shared, not copied), cut to [`KEPT_BODY_LIMIT`].
    #[doc(hidden)]
    pub fn keep(body: &bytes::Bytes) -> Self {
        if body.is_empty() {
            return ErrorBody::default();
        }
        let kept = body.slice(..body.len().min(KEPT_BODY_LIMIT));
        ErrorBody {
            kept: Some(Box::new((kept, body.len() > KEPT_BODY_LIMIT))),
        }
    }

    /// The bytes as received.
    pub fn as_bytes(&self) -> &[u8] {
        self.kept.as_ref().map(|k| &k.0[..]).unwrap_or_default()
    }

    /// The body as JSON, if it is JSON (and was not cut).
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.as_bytes()).ok()
    }

    /// Whether the body was longer than [`KEPT_BODY_LIMIT`] and was cut.
    pub fn is_cut(&self) -> bool {
        self.kept.as_ref().is_some_and(|k| k.1)
    }
}

impl fmt::Debug for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = if self.is_cut() { ", cut" } else { "" };
        write!(f, "ErrorBody({} bytes{cut})", self.as_bytes().len())
    }
}

fn path_prefix(path: Option<&str>) -> String {
    match path {
        Some(p) if !p.is_empty() && p != "." => format!("at `{p}`: "),
        _ => String::new(),
    }
}

impl Error {
    /// The HTTP status, for errors that have one (an [`Error::Auth`] has its
    /// cause's: the token endpoint's answer).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::InvalidResponse { status, .. } => Some(*status),
            _ => self.auth_cause().and_then(Error::status),
        }
    }

    /// The SDK error an [`Error::Auth`] wraps, if any.
    fn auth_cause(&self) -> Option<&Error> {
        match self {
            Error::Auth {
                source: Some(source),
                ..
            } => source.downcast_ref::<Error>().or_else(|| {
                source
                    .downcast_ref::<crate::auth::SharedFailure>()
                    .map(|shared| &*shared.0)
            }),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: 429, 502, 503, 504,
    /// connection failures or timeouts, and an [`Error::Auth`] whose cause
    /// is one of those (a token endpoint answering 503).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => is_retryable_status(*status),
            Error::Network { kind, .. } => matches!(
                kind,
                NetworkErrorKind::Connect
                    | NetworkErrorKind::Closed
                    | NetworkErrorKind::Timeout
                    | NetworkErrorKind::BodyInterrupted
            ),
            _ => self.auth_cause().is_some_and(Error::is_retryable),
        }
    }

    /// The Tapis `message` of an [`Error::Api`] (or of the API error an
    /// [`Error::Auth`] wraps).
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. } => message.as_deref(),
            _ => self.auth_cause().and_then(Error::message),
        }
    }

    #[doc(hidden)]
    pub fn network(method: &reqwest::Method, url: &url::Url, source: reqwest::Error) -> Self {
        let (tls, closed) = causes(&source);
        let kind = if source.is_timeout() {
            NetworkErrorKind::Timeout
        } else if let Some(reason) = tls {
            // The reason goes into the message: reqwest's own says only
            // "error sending request".
            return Error::Network {
                kind: NetworkErrorKind::Tls,
                method: method.clone(),
                url: format!("{} ({reason})", redacted_url(url)),
                source: source.without_url(),
            };
        } else if closed {
            NetworkErrorKind::Closed
        } else if source.is_connect() {
            NetworkErrorKind::Connect
        } else if source.is_body() || source.is_decode() {
            NetworkErrorKind::BodyInterrupted
        } else {
            NetworkErrorKind::Other
        };
        Error::Network {
            kind,
            method: method.clone(),
            url: redacted_url(url),
            // reqwest's own message repeats the URL, query included.
            source: source.without_url(),
        }
    }

    /// A network failure while a body was read: the status and headers
    /// came, so a closed or broken connection means the body broke off.
    #[doc(hidden)]
    pub fn network_body(method: &reqwest::Method, url: &url::Url, source: reqwest::Error) -> Self {
        let mut error = Self::network(method, url, source);
        if let Error::Network { kind, .. } = &mut error {
            if matches!(kind, NetworkErrorKind::Closed | NetworkErrorKind::Other) {
                *kind = NetworkErrorKind::BodyInterrupted;
            }
        }
        error
    }

    #[doc(hidden)]
    pub fn invalid_response(
        status: StatusCode,
        reason: impl Into<String>,
        body: &bytes::Bytes,
        source: Option<BoxError>,
    ) -> Self {
        Error::InvalidResponse {
            status,
            reason: reason.into(),
            path: None,
            body_excerpt: excerpt(body),
            body: ErrorBody::keep(body),
            source,
        }
    }

    /// An [`Error::InvalidResponse`] that keeps nothing of the body (there
    /// is none, or it may hold secrets).
    #[doc(hidden)]
    pub fn invalid_response_without_body(
        status: StatusCode,
        reason: impl Into<String>,
        source: Option<BoxError>,
    ) -> Self {
        Self::invalid_response(status, reason, &bytes::Bytes::new(), source)
    }

    /// An [`Error::Api`] from an error status and its body.
    #[doc(hidden)]
    pub fn api(status: StatusCode, method: &reqwest::Method, url: &url::Url, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct ErrorEnvelope {
            message: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let text = |v: serde_json::Value| match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let (message, version) = match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(e) => (
                // A message may quote what it refuses: a token too.
                e.message
                    .map(|m| redact_jwts(&text(m)))
                    .filter(|m| !m.is_empty()),
                e.version.map(text).filter(|v| !v.is_empty()),
            ),
            Err(_) => (None, None),
        };
        Error::Api {
            status,
            kind: ErrorKind::from_status(status),
            message,
            version,
            body_excerpt: excerpt(body),
            method: method.clone(),
            url: redacted_url(url),
        }
    }
}

/// What a transport error's causes say: a TLS failure (its reason), and
/// whether the server closed the connection before answering.
fn causes(error: &reqwest::Error) -> (Option<String>, bool) {
    let mut tls = None;
    let mut closed = false;
    // Depth first through `source()` and, since io::Error hides its inner
    // error from `source()`, through `get_ref()` too.
    let mut todo: Vec<&(dyn std::error::Error + 'static)> = vec![error];
    while let Some(e) = todo.pop() {
        if let Some(rustls) = e.downcast_ref::<rustls::Error>() {
            tls = Some(rustls.to_string());
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>() {
            closed |= hyper.is_incomplete_message();
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            todo.push(inner);
        }
        todo.extend(e.source());
    }
    (tls, closed)
}

/// Whether an HTTP status is worth retrying: 429, 502, 503, 504.
#[doc(hidden)]
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The first [`EXCERPT_LEN`] bytes of `body` as text, cut on a character
/// boundary.
#[doc(hidden)]
pub fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_LEN)];
    let text = String::from_utf8_lossy(cut);
    // A cut through a multi-byte character leaves one replacement character.
    let text = text.trim_end_matches('\u{FFFD}');
    let mut out = redact_jwts(text.trim());
    if body.len() > EXCERPT_LEN {
        cut_off_token_prefix(&mut out);
        out.push('…');
    }
    out
}

/// Removes a JWT the cut went through: a trailing `eyJ…` run of base64url
/// and dots, which [`redact_jwts`] cannot recognise without its end, is
/// still most of a token.
fn cut_off_token_prefix(text: &mut String) {
    let tail = text
        .bytes()
        .rev()
        .take_while(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'=' | b'.'))
        .count();
    let run = text.len() - tail;
    if let Some(start) = text[run..].find("eyJ") {
        text.truncate(run + start);
        text.push_str("<redacted JWT>");
    }
}

/// `text` with every JWT-looking run (`eyJ…` `.` `…` `.` `…`, base64url)
/// replaced by `<redacted JWT>`: errors are logged, and a token a server
/// echoed must not be.
#[doc(hidden)]
pub fn redact_jwts(text: &str) -> String {
    fn b64(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'='
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"eyJ") && (i == 0 || !b64(bytes[i - 1])) {
            // Three base64url parts separated by two dots.
            let mut j = i;
            let mut dots = 0;
            while j < bytes.len() && (b64(bytes[j]) || (bytes[j] == b'.' && dots < 2)) {
                if bytes[j] == b'.' {
                    dots += 1;
                }
                j += 1;
            }
            if dots == 2 && bytes[j - 1] != b'.' {
                out.push_str("<redacted JWT>");
                i = j;
                continue;
            }
        }
        // Copy one character (whole, for multi-byte ones).
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

fn api_detail(message: Option<&str>, body: &str) -> String {
    match message {
        Some(m) => format!(": {m}"),
        None if body.is_empty() => String::new(),
        None => format!(": {}", readable(body)),
    }
}

fn excerpt_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!("; body: {}", readable(body))
    }
}

/// A short readable text from a body excerpt: an HTML error page becomes its
/// text (tags dropped, whitespace collapsed), cut to 200 characters.
fn readable(body: &str) -> String {
    let text = if body.trim_start().starts_with('<') {
        let mut out = String::with_capacity(body.len());
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    } else {
        body.to_string()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &collapsed[..i]),
        None => collapsed,
    }
}

/// Header and query parameter names whose values are never shown.
#[doc(hidden)]
pub fn is_secret_name(name: &str) -> bool {
    // Checked on every per-call header: no lowercase copy, no searcher.
    let name = name.as_bytes();
    [
        "token",
        "password",
        "secret",
        "key",
        "jwt",
        "authorization",
        "cookie",
    ]
    .iter()
    .any(|s| {
        name.windows(s.len())
            .any(|w| w.eq_ignore_ascii_case(s.as_bytes()))
    })
}

/// Replaces, throughout a JSON value, the scalar values of secret-looking
/// keys (see [`is_secret_name`]) with `"REDACTED"`.
#[doc(hidden)]
pub fn redact_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_name(k) && !v.is_object() && !v.is_array() {
                    *v = serde_json::Value::String("REDACTED".into());
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// `url` for error messages and logs: no user info, and the values of query
/// parameters with secret-looking names (`token`, `password`, `key`...)
/// replaced by `REDACTED`.
pub fn redacted_url(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_name(&k) {
                    "REDACTED".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_a_char_boundary() {
        let body = "é".repeat(EXCERPT_LEN);
        let e = excerpt(body.as_bytes());
        assert!(e.ends_with('…'));
        assert!(!e.contains('\u{FFFD}'));
        assert!(e.len() <= EXCERPT_LEN + '…'.len_utf8());
    }

    #[test]
    fn jwts_leave_excerpts() {
        let body =
            br#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln-_x","n":"eyJ-not.a"}"#;
        let e = excerpt(body);
        assert!(!e.contains("eyJhbGci"), "{e}");
        assert!(
            e.contains("<redacted JWT>") && e.contains("eyJ-not.a"),
            "{e}"
        );
        assert_eq!(redact_jwts("é eyJa.b.c é"), "é <redacted JWT> é");
    }

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>";
        assert_eq!(readable(html), "502 Bad Gateway 502 Bad Gateway");
    }

    #[test]
    fn secrets_leave_urls() {
        let url = url::Url::parse("https://u:p@h/v3/x?access_token=abc&limit=2&apiKey=zz").unwrap();
        let shown = redacted_url(&url);
        assert_eq!(
            shown,
            "https://h/v3/x?access_token=REDACTED&limit=2&apiKey=REDACTED"
        );
    }

    #[test]
    fn secret_names_match_in_any_case_and_anywhere() {
        for name in [
            "X-Tapis-Token",
            "x-tapis-token",
            "access_TOKEN",
            "apiKey",
            "PASSWORD",
            "client_secret",
            "Authorization",
            "set-cookie",
            "my-jwt",
            "ключ-token",
        ] {
            assert!(is_secret_name(name), "{name} is not seen as secret");
        }
        for name in [
            "",
            "tok",
            "X-Bench",
            "limit",
            "ke",
            "jw",
            "ключ",
            "X-Tapis-User",
        ] {
            assert!(!is_secret_name(name), "{name} is seen as secret");
        }
    }

    #[test]
    fn kinds_follow_tapipy() {
        for (s, k) in [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (503, ErrorKind::ServiceUnavailable),
            (500, ErrorKind::InternalServer),
            (502, ErrorKind::InternalServer),
            (429, ErrorKind::Other),
        ] {
            assert_eq!(ErrorKind::from_status(StatusCode::from_u16(s).unwrap()), k);
        }
    }
}

//! Helpers shared by the integration tests: a wiremock server on 127.0.0.1
//! that answers every request, and assertions on what it received.
#![allow(dead_code)]

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The access token the tests send: a JWT (unsigned claims for user
/// `testuser` in tenant `dev`, expiring in 2100).
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6InRlc3R1c2VyQGRldiIsImp0aSI6InRlc3QtanRpIiwidGFwaXMvdGVuYW50X2lkIjoiZGV2IiwidGFwaXMvdXNlcm5hbWUiOiJ0ZXN0dXNlciIsInRhcGlzL3Rva2VuX3R5cGUiOiJhY2Nlc3MifQ.c2lnbmF0dXJl";

/// The public key test JWTs verify with: the built-in key of
/// `tapis::testing`, which signs every token these helpers mint.
pub const SIGNING_KEY_PUB: &str = tapis::testing::TestToken::PUBLIC_KEY_PEM;

/// A token for `user` in tenant `dev`, expiring `expires_in` seconds from
/// now (negative: already expired), minted by `tapis::testing::TestToken`.
pub fn token(user: &str, expires_in: i64) -> tapis::testing::TestToken {
    let token = tapis::testing::TestToken::access(user, "dev")
        .claim("iss", "https://dev.tapis.io/v3/tokens");
    let seconds = std::time::Duration::from_secs(expires_in.unsigned_abs());
    if expires_in < 0 {
        token.expired_since(seconds)
    } else {
        token.expires_in(seconds)
    }
}

/// An access token for `user` expiring `expires_in` seconds from now.
pub fn mint(user: &str, expires_in: i64) -> String {
    token(user, expires_in).sign().expect("mint")
}

/// A refresh token for `user`, valid for a day.
pub fn mint_refresh(user: &str) -> String {
    token(user, 86_400)
        .claim("tapis/token_type", "refresh")
        .sign()
        .expect("mint")
}

/// Starts a server that answers every request with `response`.
pub async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// A 200 response with a Tapis envelope around `result`.
pub fn envelope(result: Value) -> ResponseTemplate {
    envelope_with_status(200, result)
}

/// A response with the given status and a Tapis envelope around `result`.
pub fn envelope_with_status(status: u16, result: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "status": "success",
        "message": "ok",
        "result": result,
        "version": "1.8.0",
        "metadata": {}
    }))
}

/// A client for `server` with [`TOKEN`] set.
pub fn client(server: &MockServer) -> tapis::Tapis {
    tapis::Tapis::builder(server.uri())
        .access_token(TOKEN)
        .build()
        .expect("client builds")
}

/// A client for `url` with [`TOKEN`] set, whose retries do not wait.
pub fn client_retrying_at_once(url: &str, policy: tapis::RetryPolicy) -> tapis::Tapis {
    tapis::Tapis::builder(url)
        .access_token(TOKEN)
        .retry_policy(
            policy
                .initial_delay(std::time::Duration::from_millis(1))
                .jitter(false),
        )
        .build()
        .expect("client builds")
}

/// Decodes a request body type from JSON (the tests' way to build bodies).
pub fn body<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test body matches the spec's schema")
}

/// What one received request looked like.
pub struct Seen {
    pub method: String,
    /// The path exactly as sent (percent-encoding preserved).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub token: Option<String>,
    pub content_type: Option<String>,
    /// Every header, in the order received (repeated names repeat).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Every request the server received, in order.
pub async fn received(server: &MockServer) -> Vec<Seen> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| Seen {
            method: r.method.to_string(),
            path: r.url.path().to_string(),
            query: r
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            token: r
                .headers
                .get("x-tapis-token")
                .and_then(|v| v.to_str().ok())
                .map(String::from),
            content_type: r
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(String::from),
            headers: r
                .headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: r.body,
        })
        .collect()
}

/// The single request the server received; fails if there was not exactly one.
pub async fn only_request(server: &MockServer) -> Seen {
    let mut all = received(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request");
    all.remove(0)
}

/// Asserts method, path, query and token of a request, and that its JSON
/// body contains `body` (every key of `body` with an equal value).
pub fn assert_request(
    seen: &Seen,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) {
    assert_eq!(seen.method, method);
    assert_eq!(seen.path, path);
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(seen.query, query);
    assert_eq!(seen.token.as_deref(), Some(TOKEN));
    match body {
        Some(expected) => {
            assert_eq!(seen.content_type.as_deref(), Some("application/json"));
            assert_json_contains(&seen.json(), &expected);
        }
        None => assert!(seen.body.is_empty(), "unexpected body"),
    }
}

/// `actual` contains every key of `expected` (recursively) with equal values.
pub fn assert_json_contains(actual: &Value, expected: &Value) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, v) in e {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("missing key `{k}` in {actual}"));
                assert_json_contains(got, v);
            }
        }
        _ => assert_eq!(actual, expected),
    }
}

/// Runs `fut` with a tracing subscriber that records every event and span
/// (fields included, at TRACE level) and returns the output with it. The
/// tests run on a current-thread runtime, so the subscriber sees the calls.
pub async fn with_tracing<F: std::future::Future>(fut: F) -> (F::Output, String) {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let out = fut.await;
    drop(guard);
    let text = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    (out, text)
}

/// A base URL on 127.0.0.1 where nothing listens (bound, noted, closed).
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    format!("http://127.0.0.1:{port}")
}

/// A scratch directory under the system temp dir, removed when dropped.
pub struct ScratchDir(pub std::path::PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty [`ScratchDir`] named after the test.
pub fn scratch_dir(name: &str) -> ScratchDir {
    let dir = std::env::temp_dir().join(format!("tapis-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    ScratchDir(dir)
}

/// Reads one HTTP request's head (up to the blank line) from a raw
/// connection, as the raw TCP and TLS servers of the tests do before they
/// answer; stops early if the client closes or fails.
pub async fn read_head<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    head
}

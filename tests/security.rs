//! Secrets stay with the user: redirects, `Debug`, errors and base URLs
//! never carry a token or a password away; server numbers never panic.

#![cfg(all(feature = "systems", feature = "authenticator", feature = "files"))]

mod common;

use common::*;
use serde_json::json;
use tapis::testing::TestServer;
use tapis::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering everything with a redirect to `location`.
async fn redirecting_to(status: u16, location: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("Location", location))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_followed_without_the_token() {
    let other = server_answering(envelope(json!({"id": "s1"}))).await;
    for status in [301, 302, 303, 307, 308] {
        other.reset().await;
        Mock::given(any())
            .respond_with(envelope(json!({"id": "s1"})))
            .mount(&other)
            .await;
        let origin = redirecting_to(status, &format!("{}/v3/systems/s1", other.uri())).await;
        let t = tapis::Tapis::builder(origin.uri())
            .access_token(TOKEN)
            .on_behalf_of("u", "t")
            .build()
            .unwrap();
        let system = t
            .systems()
            .get_system()
            .system_id("s1")
            .tracking_id("ns.id-1")
            .send()
            .await
            .unwrap()
            .into_result();
        assert_eq!(system.id.as_deref().map(|s| s.as_str()), Some("s1"));
        let seen = only_request(&other).await;
        for secret in [
            "x-tapis-token",
            "x-tapis-user",
            "x-tapis-tenant",
            "authorization",
            "cookie",
        ] {
            assert!(
                seen.header_values(secret).is_empty(),
                "{status}: {secret} went to another origin"
            );
        }
        // What is not a secret still goes.
        assert_eq!(seen.header_values("x-tapis-tracking-id"), ["ns.id-1"]);
        assert_eq!(received(&origin).await[0].token.as_deref(), Some(TOKEN));
    }
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_the_token() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v3/systems/old"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/v3/systems/new"))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/v3/systems/new"))
        .respond_with(envelope(json!({"id": "new"})))
        .mount(&server)
        .await;
    let t = client(&server);
    t.systems()
        .get_system()
        .system_id("old")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].path, "/v3/systems/new");
    assert_eq!(seen[1].token.as_deref(), Some(TOKEN));
}

#[tokio::test]
async fn the_token_endpoint_never_follows_a_redirect() {
    let other = server_answering(ResponseTemplate::new(200)).await;
    let origin = redirecting_to(307, &format!("{}/v3/oauth2/tokens", other.uri())).await;
    let t = tapis::Tapis::builder(origin.uri())
        .username("u")
        .password("the-password")
        .build()
        .unwrap();
    let err = t.get_tokens().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert!(
        received(&other).await.is_empty(),
        "the password was re-sent"
    );
}

#[tokio::test]
async fn credentials_never_show_in_debug() {
    let credential: tapis::systems::types::ReqPostPutCredential = serde_json::from_value(json!({
        "password": "pw-SECRET", "privateKey": "pk-SECRET", "publicKey": "ssh-rsa PUBLIC",
        "accessKey": "ak-SECRET", "accessSecret": "as-SECRET", "accessToken": "at-SECRET",
        "refreshToken": "rt-SECRET"
    }))
    .unwrap();
    let shown = format!("{credential:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(
        shown.contains("ssh-rsa PUBLIC"),
        "public keys are not secrets: {shown}"
    );
    let server = server_answering(envelope(json!(null))).await;
    let t = client(&server);
    let update: tapis::systems::types::ReqUpdateCredential =
        serde_json::from_value(serde_json::to_value(&credential).unwrap()).unwrap();
    assert!(!format!("{update:?}").contains("SECRET"));
    let builder = t
        .systems()
        .create_user_credential()
        .system_id("s")
        .user_name("u")
        .body(update);
    let shown = format!("{builder:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[test]
fn base_urls_with_secrets_are_refused_without_echoing_them() {
    for url in [
        "https://u:PASSWORD@tacc.tapis.io",
        "https://tacc.tapis.io/?token=SECRETTOKEN",
    ] {
        let err = tapis::Tapis::builder(url).build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("PASSWORD") && !shown.contains("SECRETTOKEN"),
            "{shown}"
        );
    }
    let builder = tapis::Tapis::builder("https://u:PASSWORD@tacc.tapis.io");
    assert!(!format!("{builder:?}").contains("PASSWORD"));
}

#[test]
fn plain_http_is_for_this_machine_unless_allowed() {
    let err = tapis::Tapis::builder("http://tacc.tapis.io")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("allow_insecure_http"), "{err}");
    assert!(tapis::Tapis::builder("http://tacc.tapis.io")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    assert!(tapis::Tapis::builder("http://127.0.0.1:9").build().is_ok());
    assert!(tapis::Tapis::builder("http://localhost:9").build().is_ok());
}

#[test]
fn extreme_token_claims_do_not_panic() {
    for (exp, iat) in [
        (i64::MAX, i64::MIN),
        (0, i64::MIN),
        (4_102_444_800, i64::MAX),
    ] {
        let jwt = mint_claims(json!({"exp": exp, "iat": iat, "sub": "u@dev"}));
        // Either a token or an InvalidInput: never a panic.
        match tapis::auth::Token::parse(&jwt) {
            Ok(token) => {
                let _ = (token.ttl(), token.expires_in());
            }
            Err(e) => assert!(matches!(e, Error::InvalidInput(_)), "{e:?}"),
        }
    }
}

#[tokio::test]
async fn an_issued_token_in_a_broken_answer_is_never_shown() {
    let server = TestServer::start().await.unwrap();
    let access = server.access_token("u");
    // Valid token JSON followed by junk, from the token endpoint.
    let body = format!(
        r#"{{"result": {{"access_token": {{"access_token": "{access}"}}}}}}
<!-- cache -->"#
    );
    let broken = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&broken)
        .await;
    let t = tapis::Tapis::builder(broken.uri())
        .username("u")
        .password("p")
        .build()
        .unwrap();
    let err = t.get_tokens().await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&access[..40]), "{shown}");
    // And through an automatic refresh inside a call.
    let err = t.systems().get_systems().send().await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&access[..40]), "{shown}");
}

/// An HS256 JWT with exactly `claims` (the client does not check
/// signatures when it reads claims).
fn mint_claims(claims: serde_json::Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"test"),
    )
    .unwrap()
}

/// The names in `dir` (temporary files included).
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(all(unix, feature = "files"))]
#[tokio::test]
async fn a_dropped_download_leaves_no_partial_file_and_a_replaced_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("dropped-download");
    // A body that starts and then stalls.
    let server = TestServer::builder()
        .require_token(false)
        .start()
        .await
        .unwrap();
    server.on_operation("files", "getContents").unwrap().reply(
        tapis::testing::Reply::bytes(200, "application/octet-stream", vec![7u8; 100_000])
            .stall_after(10_000),
    );
    let t = server.client().unwrap();
    let dest = dir.0.join("out.bin");
    let download = t
        .files()
        .get_contents()
        .system_id("s")
        .path("f")
        .to_file(&dest);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(300), download)
            .await
            .is_err(),
        "the download stalls"
    );
    assert!(
        names_in(&dir.0).is_empty(),
        "left behind: {:?}",
        names_in(&dir.0)
    );

    // Replacing a private file keeps it private.
    std::fs::write(&dest, b"old").unwrap();
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o600)).unwrap();
    server.clear_stubs();
    server
        .on_operation("files", "getContents")
        .unwrap()
        .reply(tapis::testing::Reply::bytes(
            200,
            "application/octet-stream",
            vec![1u8; 10],
        ));
    t.files()
        .get_contents()
        .system_id("s")
        .path("f")
        .to_file(&dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), vec![1u8; 10]);
    let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(names_in(&dir.0), ["out.bin"]);
}

#[cfg(unix)]
#[test]
fn concurrent_cache_saves_are_atomic_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch_dir("concurrent-cache");
    let file = dir.0.join("session.json");
    // A symlink planted where the old, predictable temporary name was.
    let planted = dir.0.join("stolen");
    std::os::unix::fs::symlink(
        &planted,
        dir.0
            .join(format!(".session.json.{}.tmp", std::process::id())),
    )
    .unwrap();
    let t = tapis::Tapis::builder("https://tacc.tapis.io")
        .access_token(mint("u", 3600))
        .build()
        .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let (t, file) = (t.clone(), file.clone());
            scope.spawn(move || {
                for _ in 0..50 {
                    t.save_to(&file).expect("every save succeeds");
                }
            });
        }
        let file = file.clone();
        scope.spawn(move || {
            for _ in 0..200 {
                if let Ok(bytes) = std::fs::read(&file) {
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .expect("a reader sees a whole cache");
                }
            }
        });
    });
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!planted.exists(), "the planted symlink received the tokens");
    assert!(tapis::Tapis::restore_from(&file).is_ok());
    // Only the cache and the planted link remain: no temporary files.
    assert_eq!(names_in(&dir.0).len(), 2, "{:?}", names_in(&dir.0));
}

#[tokio::test]
async fn paging_that_does_not_advance_ends_with_an_error() {
    // A server that ignores startAfter: the same full page every time.
    let page: Vec<_> = (0..10).map(|i| json!({"id": format!("s{i}")})).collect();
    let server = server_answering(envelope(json!(page))).await;
    let t = client(&server);
    let err = t
        .systems()
        .get_systems()
        .order_by("id")
        .paginate()
        .page_size(10)
        .by_start_after()
        .collect_all()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not advance"), "{err}");
    assert_eq!(received(&server).await.len(), 2, "one repeat is enough");
}

/// A token endpoint that never answers; everything else answers at once.
async fn stalled_token_endpoint() -> (MockServer, tapis::Tapis) {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v3/oauth2/tokens"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(600)))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    let t = tapis::Tapis::builder(server.uri())
        .access_token(mint("u", 5)) // inside the refresh margin
        .username("u")
        .password("p")
        .build()
        .unwrap();
    (server, t)
}

#[tokio::test]
async fn a_call_timeout_covers_the_token_refresh() {
    let (_server, t) = stalled_token_endpoint().await;
    let started = std::time::Instant::now();
    let err = t
        .systems()
        .get_systems()
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(
        tapis::auth::TOKEN_REQUEST_TIMEOUT,
        std::time::Duration::from_secs(30)
    );
}

#[tokio::test]
async fn a_failed_refresh_is_shared_and_backed_off() {
    for status in [401, 500, 503] {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::path("/v3/oauth2/tokens"))
            .respond_with(
                ResponseTemplate::new(status).set_delay(std::time::Duration::from_millis(100)),
            )
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(envelope(json!([])))
            .mount(&server)
            .await;
        let t = tapis::Tapis::builder(server.uri())
            .access_token(mint("u", 5))
            .username("u")
            .password("p")
            .retry_policy(tapis::RetryPolicy::none())
            .build()
            .unwrap();
        let calls = (0..100).map(|_| t.systems().get_systems().send());
        let results = futures::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_err));
        let err = results.into_iter().next().unwrap().unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
        assert_eq!(err.is_retryable(), status == 503, "{status}");
        // Right after the failure, calls do not ask again (back-off).
        let _ = t.systems().get_systems().send().await;
        let token_requests = received(&server)
            .await
            .iter()
            .filter(|r| r.path == "/v3/oauth2/tokens")
            .count();
        println!("failing token endpoint ({status}): 101 calls, {token_requests} token request(s)");
        assert_eq!(token_requests, 1, "status {status}");
    }
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_once_per_lifetime() {
    // Tokens living 30 s, under the default 60 s margin.
    let server = TestServer::builder()
        .access_token_ttl(std::time::Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let t = tapis::Tapis::builder(server.url())
        .username(TestServer::USERNAME)
        .password(TestServer::PASSWORD)
        .build()
        .unwrap();
    t.systems().get_systems().send().await.ok();
    let calls = (0..200).map(|_| t.systems().get_systems().send());
    futures::future::join_all(calls).await;
    for _ in 0..20 {
        t.systems().get_systems().send().await.ok();
    }
    let grants = server
        .requests()
        .iter()
        .filter(|r| r.path == "/v3/oauth2/tokens")
        .count();
    assert_eq!(grants, 1, "one token for 221 calls within its lifetime");
}

/// A raw TCP server: each accepted connection is handed to `serve` with
/// its number (from 0); returns the base URL (`scheme`) and the count.
async fn raw_server<F, Fut>(
    scheme: &str,
    serve: F,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>)
where
    F: Fn(tokio::net::TcpStream, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(serve(stream, n));
        }
    });
    (format!("{scheme}://{address}"), count)
}

#[tokio::test]
async fn a_tls_failure_is_named_and_not_retried() {
    use tokio::io::AsyncWriteExt;
    // Not TLS at all: the handshake fails.
    let (url, count) = raw_server("https", |mut stream, _| async move {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\n\r\nthis is not TLS")
            .await;
    })
    .await;
    let t = tapis::Tapis::builder(url)
        .access_token(TOKEN)
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    match &err {
        Error::Network { kind, .. } => {
            assert_eq!(*kind, tapis::error::NetworkErrorKind::Tls, "{err}")
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("TLS"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "not retried"
    );
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_is_retried_for_a_get() {
    use tokio::io::AsyncWriteExt;
    let (url, count) = raw_server("http", |mut stream, n| async move {
        read_head(&mut stream).await;
        if n > 0 {
            let body = r#"{"status":"success","message":"ok","result":[],"version":"1"}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
        // The first connection is closed without an answer.
    })
    .await;
    let t = client_retrying_at_once(&url, tapis::RetryPolicy::default());
    let systems = t
        .systems()
        .get_systems()
        .send()
        .await
        .unwrap()
        .into_result();
    assert!(systems.is_empty());
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// A raw server whose first `broken` connections answer 200 with half of a
/// JSON list of systems and then close, by `Content-Length` or chunked;
/// later ones answer whole.
async fn cut_off_answers(
    broken: usize,
    chunked: bool,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::AsyncWriteExt;
    raw_server("http", move |mut stream, n| async move {
        read_head(&mut stream).await;
        let body = r#"{"status":"success","message":"ok","result":[{"id":"s1"}],"version":"1"}"#;
        let sent = if n < broken { &body[..body.len() / 2] } else { body };
        let answer = if chunked {
            let end = if n < broken { "" } else { "\r\n0\r\n\r\n" };
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{sent}{end}",
                body.len()
            )
        } else {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{sent}",
                body.len()
            )
        };
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await
}

#[tokio::test]
async fn an_answer_cut_off_mid_body_is_asked_for_again_for_a_get() {
    for chunked in [false, true] {
        let (url, count) = cut_off_answers(1, chunked).await;
        let t = client_retrying_at_once(&url, tapis::RetryPolicy::default());
        let systems = t
            .systems()
            .get_systems()
            .send()
            .await
            .unwrap_or_else(|e| panic!("chunked {chunked}: {e}"))
            .into_result();
        assert_eq!(systems.len(), 1, "chunked {chunked}");
        assert_eq!(systems[0].id.as_deref().map(|id| id.as_str()), Some("s1"));
        assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
    // A raw request reads its answer whole too.
    let (url, count) = cut_off_answers(1, false).await;
    let t = client_retrying_at_once(&url, tapis::RetryPolicy::default());
    let raw = t
        .request(tapis::reqwest::Method::GET, "/v3/systems")
        .send_json::<serde_json::Value>()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(raw["result"][0]["id"], "s1");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_answer_cut_off_every_time_is_a_body_interrupted_error() {
    let (url, count) = cut_off_answers(usize::MAX, false).await;
    let policy = tapis::RetryPolicy::default().max_retries(2);
    let t = client_retrying_at_once(&url, policy);
    let err = t.systems().get_systems().send().await.unwrap_err();
    match &err {
        Error::Network { kind, .. } => {
            assert_eq!(
                *kind,
                tapis::error::NetworkErrorKind::BodyInterrupted,
                "{err}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("broke off"), "{err}");
    assert!(err.is_retryable());
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "1 + 2 retries"
    );
}

#[tokio::test]
async fn a_post_cut_off_mid_body_is_not_sent_again() {
    let (url, count) = cut_off_answers(1, false).await;
    let t = client_retrying_at_once(&url, tapis::RetryPolicy::default());
    let err = t
        .systems()
        .delete_system()
        .system_id("s1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Network {
                kind: tapis::error::NetworkErrorKind::BodyInterrupted,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "POST is sent once"
    );
}

#[tokio::test]
async fn an_over_long_url_is_invalid_input_before_sending() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    let err = t
        .files()
        .list_files()
        .system_id("s")
        .path("ab/".repeat(30_000))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("URL")),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_multipart_file_name_cannot_forge_headers() {
    let server = server_answering(envelope(json!(null))).await;
    let t = client(&server);
    let err = t
        .files()
        .insert()
        .system_id("sys")
        .path("a.txt")
        .filename("a.txt\r\nX-Evil: 1")
        .bytes("x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn recorded_requests_hide_secret_queries_and_headers() {
    let server = TestServer::builder()
        .require_token(false)
        .start()
        .await
        .unwrap();
    let t = server.client().unwrap();
    let _ = t
        .systems()
        .get_systems()
        .tapis_query("password", "SECRET-Q")
        .tapis_header("Cookie", "SECRET-C")
        .send()
        .await;
    let shown = format!("{:?}", server.requests());
    assert!(
        !shown.contains("SECRET-Q") && !shown.contains("SECRET-C"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_client_id_with_a_colon_is_refused_before_sending() {
    let server = server_answering(ResponseTemplate::new(200)).await;
    let t = tapis::Tapis::builder(server.uri())
        .username("u")
        .password("p")
        .client_id("id:with-colon")
        .client_key("key")
        .build()
        .unwrap();
    let err = t.get_tokens().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains(':')),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn a_body_over_the_cap_is_an_error_naming_the_limit() {
    let big = json!((0..2_000)
        .map(|i| json!({"id": format!("s{i}")}))
        .collect::<Vec<_>>());
    let server = server_answering(envelope(big)).await;
    let t = tapis::Tapis::builder(server.uri())
        .access_token(TOKEN)
        .max_body_size(10_000)
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { reason, .. } if reason.contains("10000 bytes")),
        "{err:?}"
    );
    // The token endpoint's cap is small and fixed.
    assert_eq!(tapis::auth::TOKEN_BODY_LIMIT, 256 * 1024);
    let endless = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(300 * 1024)))
        .mount(&endless)
        .await;
    let t = tapis::Tapis::builder(endless.uri())
        .username("u")
        .password("p")
        .build()
        .unwrap();
    let err = t.get_tokens().await.unwrap_err();
    assert!(err.to_string().contains("longer than"), "{err}");
}

#[test]
fn a_killed_writers_temporary_cache_file_is_swept() {
    let dir = scratch_dir("stale-cache");
    let file = dir.0.join("session.json");
    let stale = dir.0.join(".session.json.AbC123.tmp");
    std::fs::write(&stale, b"{\"access_token\": \"left by a killed writer\"}").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let t = tapis::Tapis::builder("https://tacc.tapis.io")
        .access_token(mint("u", 3600))
        .build()
        .unwrap();
    t.save_to(&file).unwrap();
    assert!(!stale.exists());
    assert_eq!(names_in(&dir.0), ["session.json"]);
}

#[tokio::test]
async fn a_token_quoted_by_a_decoding_error_is_redacted() {
    let jwt = mint("u", 60);
    // `canExec` must be a boolean: serde quotes the offending string.
    let server = server_answering(envelope(json!({"id": "s", "canExec": jwt}))).await;
    let err = client(&server)
        .systems()
        .get_system()
        .system_id("s")
        .send()
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&jwt[..40]), "{shown}");
}

/// A success status whose envelope says `error` is an `Error::Api`: what it
/// quotes of a token (its message, its result) is not shown.
#[tokio::test]
async fn a_refusal_quoting_a_token_never_shows_it() {
    let server = TestServer::start().await.unwrap();
    let access = server.access_token("u");
    let refusing = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "status": "error",
        "message": format!("token {access} was refused"),
        "result": { "access_token": { "access_token": access } },
        "version": "dev"
    })))
    .await;
    let err = client(&refusing)
        .authenticator()
        .create_token()
        .body_json(json!({ "username": "u", "password": "p", "grant_type": "password" }))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(&access[..40]), "{shown}");
    assert!(shown.contains("was refused"), "{shown}");
}

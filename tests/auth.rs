//! Authentication against a scripted Tapis on 127.0.0.1: grants on the
//! wire, refresh before expiry (single-flight), 401 handling, token cache,
//! device login, tenants and RS256 validation with real signed JWTs.

#![cfg(feature = "systems")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tapis::auth::TokenError;
use tapis::{Error, Tapis};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKENS_PATH: &str = "/v3/oauth2/tokens";

/// The token endpoint's answer.
fn token_answer(access: &str, refresh: Option<&str>) -> ResponseTemplate {
    let mut result =
        json!({"access_token": {"access_token": access, "expires_in": 14400, "jti": "j"}});
    if let Some(refresh) = refresh {
        result["refresh_token"] = json!({"refresh_token": refresh, "expires_in": 86400});
    }
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "Token created", "version": "dev", "metadata": {}, "result": result
    }))
}

/// A Tapis whose token endpoint mints a fresh access token (and refresh
/// token) per request, and whose systems endpoint answers 200.
async fn tapis_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKENS_PATH))
        .respond_with(|_: &Request| {
            token_answer(&mint("alice", 14400), Some(&mint_refresh("alice")))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/systems"))
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    server
}

fn requests_to<'a>(seen: &'a [Seen], p: &str) -> Vec<&'a Seen> {
    seen.iter().filter(|s| s.path == p).collect()
}

/// `Authorization` for client `cli` with key `k3y` (base64 of `cli:k3y`).
const BASIC_CLI: &str = "Basic Y2xpOmszeQ==";

#[tokio::test]
async fn password_grant_on_the_wire_with_and_without_client_credentials() {
    for (client_id, client_key, expect_basic) in [
        (None, None, None),
        (Some("cli"), None, None),
        (Some("cli"), Some("k3y"), Some(BASIC_CLI.to_string())),
    ] {
        let server = tapis_server().await;
        let mut builder = Tapis::builder(server.uri())
            .username("alice")
            .password("s3cret");
        if let Some(id) = client_id {
            builder = builder.client_id(id);
        }
        if let Some(key) = client_key {
            builder = builder.client_key(key);
        }
        let t = builder.build().unwrap();
        t.systems().get_systems().send().await.unwrap();

        let seen = received(&server).await;
        let grants = requests_to(&seen, TOKENS_PATH);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].content_type.as_deref(), Some("application/json"));
        assert_eq!(
            grants[0].json(),
            json!({"username": "alice", "password": "s3cret", "grant_type": "password"})
        );
        let auth = grants[0].header_values("authorization");
        assert_eq!(
            auth.first().map(|s| s.to_string()),
            expect_basic,
            "{client_id:?} {client_key:?}"
        );
        // The call went out with the access token the grant returned.
        let call = requests_to(&seen, "/v3/systems")[0];
        let access = t.current_tokens().access_token.unwrap();
        assert_eq!(call.token.as_deref(), Some(access.jwt()));
        assert_eq!(access.claims().username.as_deref(), Some("alice"));
    }
}

#[tokio::test]
async fn refresh_grant_on_the_wire_needs_basic_auth() {
    let server = tapis_server().await;
    let refresh = mint_refresh("alice");
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", 20)) // within the 60 s margin
        .refresh_token(&refresh)
        .client_id("cli")
        .client_key("k3y")
        .build()
        .unwrap();
    t.systems().get_systems().send().await.unwrap();
    let seen = received(&server).await;
    let grants = requests_to(&seen, TOKENS_PATH);
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].json(),
        json!({"grant_type": "refresh_token", "refresh_token": refresh})
    );
    assert_eq!(grants[0].header_values("authorization"), [BASIC_CLI]);
}

#[tokio::test]
async fn a_refresh_token_alone_gets_an_access_token_on_first_use() {
    let server = tapis_server().await;
    let t = Tapis::builder(server.uri())
        .refresh_token(mint_refresh("alice"))
        .build()
        .unwrap();
    assert!(t.current_tokens().access_token.is_none());
    t.systems().get_systems().send().await.unwrap();
    t.systems().get_systems().send().await.unwrap();
    let seen = received(&server).await;
    assert_eq!(
        requests_to(&seen, TOKENS_PATH).len(),
        1,
        "one grant, then reuse"
    );
    assert!(requests_to(&seen, TOKENS_PATH)[0]
        .header_values("authorization")
        .is_empty());
    assert!(requests_to(&seen, "/v3/systems")
        .iter()
        .all(|s| s.token.is_some()));
}

#[tokio::test]
async fn refresh_happens_within_the_margin_only() {
    for (expires_in, margin, refreshes) in [(30, 60, 1), (3600, 60, 0), (30, 10, 0)] {
        let server = tapis_server().await;
        let t = Tapis::builder(server.uri())
            .access_token(mint("alice", expires_in))
            .username("alice")
            .password("pw")
            .refresh_margin(Duration::from_secs(margin))
            .build()
            .unwrap();
        t.systems().get_systems().send().await.unwrap();
        let seen = received(&server).await;
        assert_eq!(
            requests_to(&seen, TOKENS_PATH).len(),
            refreshes,
            "token expiring in {expires_in}s, margin {margin}s"
        );
    }
}

#[tokio::test]
async fn two_hundred_concurrent_calls_with_a_stale_token_refresh_once() {
    let server = tapis_server().await;
    let refreshed = Arc::new(AtomicUsize::new(0));
    let r = refreshed.clone();
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", 5))
        .refresh_token(mint_refresh("alice"))
        .on_refresh(move |tokens| {
            assert!(tokens.access_token.is_some());
            r.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let calls = (0..200).map(|_| {
        let t = t.clone();
        async move { t.systems().get_systems().send().await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    let seen = received(&server).await;
    assert_eq!(requests_to(&seen, TOKENS_PATH).len(), 1);
    assert_eq!(refreshed.load(Ordering::SeqCst), 1);
    let access = t.current_tokens().access_token.unwrap();
    assert!(requests_to(&seen, "/v3/systems")
        .iter()
        .all(|s| s.token.as_deref() == Some(access.jwt())));
}

/// Systems answers 401 to `bad` tokens and 200 to others.
async fn rejecting(bad: &str, always: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKENS_PATH))
        .respond_with(|_: &Request| token_answer(&mint("alice", 14400), None))
        .mount(&server)
        .await;
    let bad = bad.to_string();
    Mock::given(method("GET"))
        .and(path("/v3/systems"))
        .respond_with(move |req: &Request| {
            let token = req
                .headers
                .get("x-tapis-token")
                .and_then(|v| v.to_str().ok());
            if always || token == Some(bad.as_str()) {
                ResponseTemplate::new(401).set_body_json(
                    json!({"status": "error", "message": "Invalid JWT", "version": "dev"}),
                )
            } else {
                envelope(json!([]))
            }
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let revoked = mint("alice", 3600);
    let server = rejecting(&revoked, false).await;
    let t = Tapis::builder(server.uri())
        .access_token(&revoked)
        .username("alice")
        .password("pw")
        .build()
        .unwrap();
    t.systems().get_systems().send().await.unwrap();
    let seen = received(&server).await;
    let calls = requests_to(&seen, "/v3/systems");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].token.as_deref(), Some(revoked.as_str()));
    assert_ne!(calls[1].token.as_deref(), Some(revoked.as_str()));
    assert_eq!(requests_to(&seen, TOKENS_PATH).len(), 1);
}

#[tokio::test]
async fn a_second_401_is_the_error_without_a_loop() {
    let server = rejecting("", true).await;
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", 3600))
        .username("alice")
        .password("pw")
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    let seen = received(&server).await;
    assert_eq!(requests_to(&seen, "/v3/systems").len(), 2);
    assert_eq!(requests_to(&seen, TOKENS_PATH).len(), 1);
}

#[tokio::test]
async fn a_401_without_a_way_to_refresh_is_returned_as_is() {
    let server = rejecting("", true).await;
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", 3600))
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn a_failing_refresh_fails_the_call_before_it_is_sent() {
    let server = MockServer::start().await;
    Mock::given(path(TOKENS_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"status": "error", "message": "Invalid username/password combination.", "version": "dev"})))
        .mount(&server)
        .await;
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", 10))
        .username("alice")
        .password("wrong")
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    match &err {
        Error::Auth { reason, source } => {
            assert!(reason.contains("refresh"), "{reason}");
            let cause = source.as_ref().expect("the cause").to_string();
            assert!(cause.contains("Invalid username/password"), "{cause}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    let seen = received(&server).await;
    assert!(
        requests_to(&seen, "/v3/systems").is_empty(),
        "nothing sent with the stale token"
    );
}

#[tokio::test]
async fn an_expired_access_token_alone_is_a_clear_error() {
    let server = tapis_server().await;
    let t = Tapis::builder(server.uri())
        .access_token(mint("alice", -5))
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Auth { reason, .. } if reason.contains("expired")),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn explicit_get_and_refresh_tokens() {
    let server = tapis_server().await;
    let t = Tapis::builder(server.uri())
        .username("alice")
        .password("pw")
        .build()
        .unwrap();
    let first = t.get_tokens().await.unwrap();
    let second = t.refresh_tokens().await.unwrap();
    let (a, b) = (first.access_token.unwrap(), second.access_token.unwrap());
    assert_ne!(a.jwt(), b.jwt());
    assert_eq!(t.current_tokens().access_token.unwrap().jwt(), b.jwt());
    let seen = received(&server).await;
    let grants = requests_to(&seen, TOKENS_PATH);
    assert_eq!(grants[0].json()["grant_type"], "password");
    assert_eq!(
        grants[1].json()["grant_type"],
        "refresh_token",
        "refresh uses the refresh token"
    );
    let claims = a.claims();
    assert_eq!(claims.tenant_id.as_deref(), Some("dev"));
    assert_eq!(claims.token_type.as_deref(), Some("access"));
    assert_eq!(claims.account_type.as_deref(), Some("user"));
    assert_eq!(claims.delegation, Some(false));
    assert!(claims.jti.is_some() && claims.sub.as_deref() == Some("alice@dev"));
    assert!(a.expires_in() > Duration::from_secs(14000));
    assert_eq!(a.ttl(), Some(Duration::from_secs(14400)));
}

#[tokio::test]
async fn secrets_stay_out_of_debug_display_and_tracing() {
    let server = tapis_server().await;
    let refresh = mint_refresh("alice");
    let stale = mint("alice", 5);
    let builder = Tapis::builder(server.uri())
        .access_token(&stale)
        .refresh_token(&refresh)
        .username("alice")
        .password("pa55word")
        .client_id("cli")
        .client_key("client-s3cret");
    let builder_debug = format!("{builder:?}");
    let t = builder.build().unwrap();
    let (result, log) = with_tracing(t.systems().get_systems().send()).await;
    result.unwrap();
    let tokens = t.current_tokens();
    let access = tokens.access_token.clone().unwrap();
    let shown = format!(
        "{builder_debug} {t:?} {tokens:?} {access} {access:?} {:?}",
        tapis::CallOptions::new().tapis_header("X-Tapis-Token", access.jwt())
    );
    for secret in [
        "pa55word",
        "client-s3cret",
        refresh.as_str(),
        stale.as_str(),
        access.jwt(),
        tokens.refresh_token.as_ref().unwrap().jwt(),
    ] {
        assert!(!shown.contains(secret), "secret in Debug/Display: {shown}");
        assert!(!log.contains(secret), "secret in tracing: {log}");
    }
    assert!(log.contains("tapis.auth"), "{log}");
}

#[tokio::test]
async fn on_behalf_of_on_the_client_and_per_call() {
    let server = tapis_server().await;
    let t = Tapis::builder(server.uri())
        .access_token(TOKEN)
        .on_behalf_of("someone", "else")
        // A second call replaces the first pair.
        .on_behalf_of("jdoe", "dev")
        .build()
        .unwrap();
    t.systems().get_systems().send().await.unwrap();
    t.systems()
        .get_systems()
        .on_behalf_of("asmith", "tacc")
        .send()
        .await
        .unwrap();
    // A call naming only a user never gets the client's tenant mixed in.
    t.systems()
        .get_systems()
        .tapis_header("X-Tapis-User", "bwayne")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].header_values("x-tapis-user"), ["jdoe"]);
    assert_eq!(seen[0].header_values("x-tapis-tenant"), ["dev"]);
    assert_eq!(seen[1].header_values("x-tapis-user"), ["asmith"]);
    assert_eq!(seen[1].header_values("x-tapis-tenant"), ["tacc"]);
    assert_eq!(seen[2].header_values("x-tapis-user"), ["bwayne"]);
    assert!(seen[2].header_values("x-tapis-tenant").is_empty());
    // A default that cannot be sent fails the build, not each call.
    let err = Tapis::builder(server.uri())
        .access_token(TOKEN)
        .on_behalf_of("j\ndoe", "dev")
        .build()
        .unwrap_err();
    assert!(matches!(err, tapis::Error::InvalidInput(_)), "{err:?}");
}

mod cache {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn save_restore_call_and_refresh_rewrites_the_file() {
        let dir = scratch_dir("roundtrip");
        let file = dir.0.join("tapis").join("session.json");
        let server = tapis_server().await;
        let stale = mint("alice", 20);
        let t = Tapis::builder(server.uri())
            .access_token(&stale)
            .refresh_token(mint_refresh("alice"))
            .username("alice")
            .password("never-saved")
            .client_id("cli")
            .build()
            .unwrap();
        t.save_to(&file).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["access_token"], stale.as_str());
        assert_eq!(saved["username"], "alice");
        assert!(
            !saved.to_string().contains("never-saved"),
            "no password on disk"
        );
        let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");

        let restored = Tapis::restore_from(&file).unwrap();
        assert_eq!(restored.base_url(), t.base_url());
        // The stale token is refreshed (refresh token from the file) and the
        // file rewritten with the new one.
        restored.systems().get_systems().send().await.unwrap();
        let now: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let fresh = restored.current_tokens().access_token.unwrap();
        assert_eq!(now["access_token"], fresh.jwt());
        assert_ne!(now["access_token"], stale.as_str());
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let seen = received(&server).await;
        assert_eq!(
            requests_to(&seen, "/v3/systems")[0].token.as_deref(),
            Some(fresh.jwt())
        );
    }

    #[tokio::test]
    async fn a_readable_cache_is_refused_and_a_save_leaves_no_temporary_file() {
        let dir = scratch_dir("perms");
        let file = dir.0.join("session.json");
        let t = Tapis::builder("https://dev.tapis.io")
            .access_token(TOKEN)
            .build()
            .unwrap();
        t.save_to(&file).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Tapis::restore_from(&file).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("chmod 600")),
            "{err:?}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

        // A save goes through a temporary file with an unpredictable name
        // (tests/security.rs plants symlinks at the old, predictable one)
        // and leaves nothing else behind.
        let other = Tapis::builder("https://other.tapis.io")
            .access_token(mint("bob", 60))
            .build()
            .unwrap();
        other.save_to(&file).unwrap();
        let names: Vec<_> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["session.json"], "temporary files left behind");
        assert!(Tapis::restore_from(&file).is_ok());
    }
}

mod tenants {
    use super::*;

    async fn with_tenants(tenant_base: &str, site_base: Option<&str>) -> MockServer {
        let server = MockServer::start().await;
        let base = tenant_base.replace("{uri}", &server.uri());
        Mock::given(path("/v3/tenants"))
            .respond_with(envelope(json!([
                {"tenant_id": "admin", "base_url": "https://admin.example.org", "site_id": "s", "public_key": SIGNING_KEY_PUB},
                {"tenant_id": "dev", "base_url": base, "site_id": "s", "public_key": SIGNING_KEY_PUB}
            ])))
            .mount(&server)
            .await;
        let sites = match site_base {
            Some(b) => {
                json!([{"site_id": "s", "base_url": b.replace("{uri}", &server.uri()), "site_admin_tenant_id": "admin"}])
            }
            None => json!([]),
        };
        Mock::given(path("/v3/sites"))
            .respond_with(envelope(sites))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn the_tenant_is_found_from_the_base_url_with_or_without_a_slash() {
        for (tenant_base, client_suffix) in [("{uri}/", ""), ("{uri}", "/"), ("{uri}", "/v3")] {
            let server = with_tenants(tenant_base, None).await;
            let t = Tapis::builder(format!("{}{client_suffix}", server.uri()))
                .build()
                .unwrap();
            assert_eq!(
                t.tenant().await.unwrap().tenant_id,
                "dev",
                "{tenant_base} {client_suffix}"
            );
            t.tenant().await.unwrap();
            let seen = received(&server).await;
            assert_eq!(
                requests_to(&seen, "/v3/tenants").len(),
                1,
                "tenants are cached"
            );
        }
    }

    #[tokio::test]
    async fn a_site_base_url_resolves_to_the_sites_admin_tenant() {
        let server = with_tenants("https://dev.example.org", Some("{uri}")).await;
        let t = Tapis::builder(server.uri()).build().unwrap();
        assert_eq!(t.tenant().await.unwrap().tenant_id, "admin");
        let server = with_tenants("https://dev.example.org", None).await;
        let err = Tapis::builder(server.uri())
            .build()
            .unwrap()
            .tenant()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }

    #[tokio::test]
    async fn rs256_validation_good_bad_expired_unknown_malformed() {
        let server = with_tenants("{uri}", None).await;
        // The client's own token has expired: the public tenant list is
        // still read (without it).
        let t = Tapis::builder(server.uri())
            .access_token(mint("me", -10))
            .build()
            .unwrap();

        let claims = t.validate_token(&mint("alice", 600)).await.unwrap();
        assert_eq!(claims.username.as_deref(), Some("alice"));
        assert_eq!(claims.tenant_id.as_deref(), Some("dev"));

        let other_key = include_str!("fixtures/other-key.pem");
        let forged = token("alice", 600).signing_key(other_key).sign().unwrap();
        let expired = mint("alice", -60);
        let unknown = tapis::testing::TestToken::access("x", "nope")
            .sign()
            .unwrap();
        type Check = fn(&TokenError) -> bool;
        let cases: [(&str, Check); 4] = [
            (&forged, |e| *e == TokenError::BadSignature),
            (&expired, |e| *e == TokenError::Expired),
            (
                &unknown,
                |e| matches!(e, TokenError::UnknownTenant(t) if t == "nope"),
            ),
            ("not.a.jwt", |e| matches!(e, TokenError::Malformed(_))),
        ];
        for (jwt, expected) in cases {
            match t.validate_token(jwt).await {
                Err(Error::InvalidToken(e)) => assert!(expected(&e), "{e:?}"),
                other => panic!("expected InvalidToken, got {other:?}"),
            }
        }
        let seen = received(&server).await;
        assert!(seen.iter().all(|s| s.token.is_none()));
    }
}

#[tokio::test]
async fn device_code_login_polls_until_approved() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/oauth2/device/code"))
        .respond_with(envelope(json!({
            "device_code": "dev-code-1", "user_code": "WXYZ-1234", "client_id": "cli",
            "expires_in": "600", "verification_uri": "https://dev.tapis.io/v3/oauth2/device"
        })))
        .mount(&server)
        .await;
    let polls = Arc::new(Mutex::new(0));
    let p = polls.clone();
    Mock::given(method("POST"))
        .and(path(TOKENS_PATH))
        .respond_with(move |_: &Request| {
            let mut n = p.lock().unwrap();
            *n += 1;
            if *n < 3 {
                ResponseTemplate::new(400).set_body_json(json!({"status": "error", "message": "authorization_pending", "version": "dev"}))
            } else {
                token_answer(&mint("alice", 14400), None)
            }
        })
        .mount(&server)
        .await;
    Mock::given(path("/v3/systems"))
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;

    let login = Tapis::builder(server.uri())
        .client_id("cli")
        .device_login()
        .await
        .unwrap();
    assert_eq!(login.user_code(), "WXYZ-1234");
    assert_eq!(
        login.verification_uri(),
        "https://dev.tapis.io/v3/oauth2/device"
    );
    assert_eq!(login.expires_in(), Duration::from_secs(600));
    let t = login
        .poll_interval(Duration::from_millis(10))
        .wait()
        .await
        .unwrap();
    t.systems().get_systems().send().await.unwrap();

    let seen = received(&server).await;
    assert_eq!(
        requests_to(&seen, "/v3/oauth2/device/code")[0].json(),
        json!({"client_id": "cli"})
    );
    let grants = requests_to(&seen, TOKENS_PATH);
    assert_eq!(grants.len(), 3);
    assert_eq!(
        grants[0].json(),
        json!({"grant_type": "device_code", "device_code": "dev-code-1", "client_id": "cli"})
    );
    let access = t.current_tokens().access_token.unwrap();
    assert_eq!(
        requests_to(&seen, "/v3/systems")[0].token.as_deref(),
        Some(access.jwt())
    );

    // A refusal ends the wait with an error.
    let server = MockServer::start().await;
    Mock::given(path("/v3/oauth2/device/code"))
        .respond_with(envelope(json!({"device_code": "d", "user_code": "u", "client_id": "cli", "expires_in": 600, "verification_uri": "v"})))
        .mount(&server)
        .await;
    Mock::given(path(TOKENS_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"status": "error", "message": "access_denied", "version": "dev"}),
        ))
        .mount(&server)
        .await;
    let login = Tapis::builder(server.uri())
        .client_id("cli")
        .device_login()
        .await
        .unwrap();
    let err = login
        .poll_interval(Duration::from_millis(10))
        .wait()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

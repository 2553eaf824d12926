//! `tapis::service`: authenticating the requests a Tapis service receives,
//! against tenants and sites served over HTTP on 127.0.0.1, with tokens
//! minted by `tapis::testing::TestToken`. The on-behalf-of rules are
//! tapisservice's (see `src/service/authenticate.rs`).
//!
//! The layout served: site `tacc` (primary, runs systems and jobs; tenants
//! `admin` and `dev`) and site `uh` (runs systems only; tenant `uh`).
//! `tests/fixtures/other-key.pub.pem` is the public half of
//! `other-key.pem` (`openssl rsa -pubout`).

#![cfg(all(feature = "service", feature = "axum", feature = "testing"))]

mod common;

use common::envelope;

use std::time::Duration;

use http::HeaderMap;
use serde_json::{json, Value};
use tapis::service::{AccountType, AuthError, AuthLayer, Authenticator, Identity, TenantDirectory};
use tapis::testing::TestToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const OTHER_KEY: &str = include_str!("fixtures/other-key.pem");
const OTHER_PUB: &str = include_str!("fixtures/other-key.pub.pem");

fn tenants(dev_key: &str) -> Value {
    json!([
        {"tenant_id": "admin", "site_id": "tacc", "base_url": "https://admin.tapis.io", "public_key": TestToken::PUBLIC_KEY_PEM},
        {"tenant_id": "dev", "site_id": "tacc", "base_url": "https://dev.tapis.io", "public_key": dev_key},
        {"tenant_id": "uh", "site_id": "uh", "base_url": "https://uh.tapis.io", "public_key": TestToken::PUBLIC_KEY_PEM},
    ])
}

fn sites() -> Value {
    json!([
        {"site_id": "tacc", "primary": true, "base_url": "https://tapis.io", "site_admin_tenant_id": "admin", "services": ["systems", "jobs"],
         "tenant_base_url_template": "https://${tenant_id}.primary.tapis.io"},
        {"site_id": "uh", "primary": false, "base_url": "https://uh.tapis.io", "site_admin_tenant_id": "uh-admin", "services": ["systems"]},
    ])
}

/// Serves `/v3/tenants` (with `dev`'s key) and `/v3/sites`.
async fn directory_server(dev_key: &str) -> MockServer {
    let server = MockServer::start().await;
    mount_tenants(&server, dev_key).await;
    server
}

async fn mount_tenants(server: &MockServer, dev_key: &str) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/v3/tenants"))
        .respond_with(envelope(tenants(dev_key)))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/sites"))
        .respond_with(envelope(sites()))
        .mount(server)
        .await;
}

async fn directory(server: &MockServer, min_refresh: Duration) -> TenantDirectory {
    let admin = tapis::Tapis::builder(server.uri()).build().unwrap();
    TenantDirectory::builder(&admin)
        .refresh_every(None)
        .min_refresh_interval(min_refresh)
        .load()
        .await
        .unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
        .collect()
}

/// The service `jobs` at site `tacc`, over a directory that refreshes at
/// most once an hour, and the server publishing it.
async fn jobs_at_tacc() -> (MockServer, Authenticator) {
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let dir = directory(&server, Duration::from_secs(3600)).await;
    (server, Authenticator::new(dir, "jobs", "tacc"))
}

/// alice's token in dev, signed with a key that is not dev's.
fn forged() -> String {
    TestToken::access("alice", "dev")
        .signing_key(OTHER_KEY)
        .sign()
        .unwrap()
}

fn user(name: &str, tenant: &str) -> String {
    TestToken::access(name, tenant).sign().unwrap()
}

fn service_token(site: &str) -> String {
    TestToken::service("jobs", "admin", site).sign().unwrap()
}

#[tokio::test]
async fn a_user_token_is_checked_locally_and_names_the_caller() {
    let (server, auth) = jobs_at_tacc().await;
    let jwt = user("alice", "dev");
    let who = auth
        .authenticate(&headers(&[
            ("X-Tapis-Token", &jwt),
            ("X-Tapis-Tracking-ID", "portal.run-1"),
        ]))
        .await
        .unwrap();
    assert_eq!(
        (who.username.as_str(), who.tenant_id.as_str()),
        ("alice", "dev")
    );
    assert_eq!(
        (
            who.request_username.as_str(),
            who.request_tenant_id.as_str()
        ),
        ("alice", "dev")
    );
    assert_eq!(who.account_type, AccountType::User);
    assert!(!who.delegation && !who.is_on_behalf_of());
    assert_eq!(who.tracking_id.as_deref(), Some("portal.run-1"));
    assert_eq!(who.jwt(), jwt);
    assert!(
        !format!("{who:?}").contains(&jwt[..30]),
        "Debug shows the JWT"
    );
    // One load of tenants and sites; none per request.
    for _ in 0..20 {
        auth.authenticate(&headers(&[("X-Tapis-Token", &jwt)]))
            .await
            .unwrap();
    }
    assert_eq!(auth.directory().loads(), 1);
    let loads = server.received_requests().await.unwrap();
    assert_eq!(loads.len(), 2);
    // Public lists: asked for as they are, without a token.
    for request in loads {
        assert!(request.url.query().is_none(), "{}", request.url);
        assert!(!request.headers.contains_key("x-tapis-token"));
    }
}

#[tokio::test]
async fn every_bad_token_has_its_own_error() {
    let (_server, auth) = jobs_at_tacc().await;
    let forged = forged();
    let expired = TestToken::access("alice", "dev")
        .expired_since(Duration::from_secs(5))
        .sign()
        .unwrap();
    // The same claims and signature under a header claiming HS256 (an
    // algorithm-confusion attempt).
    let valid = user("alice", "dev");
    let (_, rest) = valid.split_once('.').unwrap();
    let hs256 = format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{rest}");
    let unknown = user("alice", "nope");
    let cases: Vec<(HeaderMap, AuthError)> = vec![
        (headers(&[]), AuthError::NoToken),
        (headers(&[("X-Tapis-Token", "")]), AuthError::NoToken),
        (
            headers(&[("X-Tapis-Token", &forged)]),
            AuthError::BadSignature,
        ),
        (headers(&[("X-Tapis-Token", &expired)]), AuthError::Expired),
        (
            headers(&[("X-Tapis-Token", &unknown)]),
            AuthError::UnknownTenant("nope".into()),
        ),
    ];
    for (h, expected) in cases {
        assert_eq!(auth.authenticate(&h).await.unwrap_err(), expected);
    }
    for bad in ["not.a.jwt", "abc", hs256.as_str()] {
        let err = auth
            .authenticate(&headers(&[("X-Tapis-Token", bad)]))
            .await
            .unwrap_err();
        assert!(matches!(err, AuthError::Malformed(_)), "{bad}: {err:?}");
    }
    let mut h = HeaderMap::new();
    h.insert(
        "x-tapis-token",
        http::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    assert!(matches!(
        auth.authenticate(&h).await.unwrap_err(),
        AuthError::Malformed(_)
    ));
    // Every error is a 401 and says what is wrong without the token.
    let err = auth
        .authenticate(&headers(&[("X-Tapis-Token", &forged)]))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 401);
    assert!(!err.to_string().contains(&forged[..20]));
}

#[tokio::test]
async fn a_user_token_cannot_act_on_behalf_of_anyone() {
    let (_server, auth) = jobs_at_tacc().await;
    let jwt = user("alice", "dev");
    for obo in [("X-Tapis-User", "bob"), ("X-Tapis-Tenant", "admin")] {
        let err = auth
            .authenticate(&headers(&[("X-Tapis-Token", &jwt), obo]))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AuthError::OboNotAllowed(m) if m.contains("user token")),
            "{err:?}"
        );
    }
}

/// A service request for bob: the service token and the OBO headers.
fn obo(jwt: &str, tenant: &str) -> HeaderMap {
    headers(&[
        ("X-Tapis-Token", jwt),
        ("X-Tapis-User", "bob"),
        ("X-Tapis-Tenant", tenant),
    ])
}

#[tokio::test]
async fn a_service_acts_for_the_user_named_in_the_headers_under_the_site_rules() {
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let dir = directory(&server, Duration::from_secs(3600)).await;
    let at = |service: &str, site: &str| Authenticator::new(dir.clone(), service, site);
    let (tacc_jwt, uh_jwt) = (service_token("tacc"), service_token("uh"));

    // Same site: allowed; the request is bob's in dev.
    let who = at("jobs", "tacc")
        .authenticate(&obo(&tacc_jwt, "dev"))
        .await
        .unwrap();
    assert_eq!(who.account_type, AccountType::Service);
    assert_eq!(
        (who.username.as_str(), who.tenant_id.as_str()),
        ("jobs", "admin")
    );
    assert_eq!(
        (
            who.request_username.as_str(),
            who.request_tenant_id.as_str()
        ),
        ("bob", "dev")
    );
    assert!(who.is_on_behalf_of());

    // (service, its site, token, the tenant acted in, Ok or what the
    // refusal names)
    type Rule<'a> = (&'a str, &'a str, &'a str, &'a str, Result<(), &'a str>);
    let rules: [Rule; 6] = [
        // Another site that does not run jobs: the primary site serves it.
        ("jobs", "tacc", &tacc_jwt, "uh", Ok(())),
        // Another site that runs the service itself: not at the primary.
        (
            "systems",
            "tacc",
            &tacc_jwt,
            "uh",
            Err("runs systems itself"),
        ),
        // A service at a non-primary site serves only its own tenants.
        ("jobs", "uh", &uh_jwt, "dev", Err("primary")),
        ("jobs", "uh", &uh_jwt, "uh", Ok(())),
        // A token issued for another site.
        ("jobs", "tacc", &uh_jwt, "dev", Err("site uh")),
        // The tenant must exist.
        (
            "jobs",
            "tacc",
            &tacc_jwt,
            "nope",
            Err("unknown tenant `nope`"),
        ),
    ];
    for (service, site, jwt, tenant, expected) in rules {
        let outcome = at(service, site).authenticate(&obo(jwt, tenant)).await;
        match (outcome, expected) {
            (Ok(who), Ok(())) => assert_eq!(who.request_tenant_id, tenant),
            (Err(e), Err(names)) => assert!(
                e.to_string().contains(names),
                "{service}@{site} in {tenant}: {e}"
            ),
            (outcome, _) => {
                panic!("{service}@{site} in {tenant}: {outcome:?}, expected {expected:?}")
            }
        }
    }

    // Both headers are required.
    let err = at("jobs", "tacc")
        .authenticate(&headers(&[
            ("X-Tapis-Token", &tacc_jwt),
            ("X-Tapis-Tenant", "dev"),
        ]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::OboNotAllowed(m) if m.contains("must set")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_by_one_refresh() {
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let auth = Authenticator::new(directory(&server, Duration::ZERO).await, "jobs", "tacc");
    // dev's key rotates: the server now publishes the other key.
    mount_tenants(&server, OTHER_PUB).await;
    let rotated = forged();
    let who = auth
        .authenticate(&headers(&[("X-Tapis-Token", &rotated)]))
        .await
        .unwrap();
    assert_eq!(who.username, "alice");
    assert_eq!(auth.directory().loads(), 2);
    // Tokens signed with the old key now fail.
    let old = user("alice", "dev");
    assert_eq!(
        auth.authenticate(&headers(&[("X-Tapis-Token", &old)]))
            .await
            .unwrap_err(),
        AuthError::BadSignature
    );
}

#[tokio::test]
async fn a_flood_of_forged_tokens_does_not_flood_the_tenants_service() {
    let (_server, auth) = jobs_at_tacc().await;
    let forged = forged();
    let unknown = user("x", "not-a-tenant");
    let calls = (0..200).map(|i| {
        let auth = auth.clone();
        let jwt = if i % 2 == 0 {
            forged.clone()
        } else {
            unknown.clone()
        };
        async move {
            auth.authenticate(&headers(&[("X-Tapis-Token", &jwt)]))
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(
        auth.directory().loads(),
        1,
        "no refresh inside the minimum interval"
    );

    // With the interval passed, concurrent failures share one refresh.
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let dir = directory(&server, Duration::from_millis(50)).await;
    let auth = Authenticator::new(dir, "jobs", "tacc");
    tokio::time::sleep(Duration::from_millis(60)).await;
    let calls = (0..100).map(|_| {
        let auth = auth.clone();
        let jwt = forged.clone();
        async move {
            auth.authenticate(&headers(&[("X-Tapis-Token", &jwt)]))
                .await
        }
    });
    futures::future::join_all(calls).await;
    assert_eq!(auth.directory().loads(), 2, "one shared refresh");
}

#[tokio::test]
async fn the_layer_authenticates_routes_and_answers_401_with_an_envelope() {
    use axum::routing::get;

    let (_server, auth) = jobs_at_tacc().await;
    let app = axum::Router::new()
        .route(
            "/whoami",
            get(|who: Identity| async move {
                format!("{}@{}", who.request_username, who.request_tenant_id)
            }),
        )
        .route(
            "/healthz",
            get(|who: Option<Identity>| async move { format!("ok {}", who.is_some()) }),
        )
        .route("/docs/api", get(|| async { "docs" }))
        .layer(
            AuthLayer::new(auth)
                .public_path("/healthz")
                .public_path("/docs/*"),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The SDK's own HTTP client (rustls with its provider).
    let http = tapis::Tapis::builder(&url)
        .build()
        .unwrap()
        .http_client()
        .clone();
    let get = |path: &str, token: Option<&str>| {
        let mut request = http.get(format!("{url}{path}"));
        if let Some(token) = token {
            request = request.header("X-Tapis-Token", token);
        }
        request.send()
    };
    let ok = get("/whoami", Some(&user("alice", "dev"))).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "alice@dev");

    let denied = get("/whoami", None).await.unwrap();
    assert_eq!(denied.status(), 401);
    assert_eq!(denied.headers()["content-type"], "application/json");
    let body: Value = denied.json().await.unwrap();
    assert_eq!(body["status"], "error");
    assert!(body["result"].is_null());
    assert!(
        body["message"].as_str().unwrap().contains("X-Tapis-Token"),
        "{body}"
    );

    let forged = forged();
    assert_eq!(get("/whoami", Some(&forged)).await.unwrap().status(), 401);

    let health = get("/healthz", None).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok false");
    assert_eq!(get("/docs/api", None).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_service_account_gets_service_tokens_and_acts_for_a_user() {
    let server = tapis::testing::TestServer::builder()
        .service_account("myservice", "pw")
        .access_token_ttl(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let service = tapis::Tapis::builder(server.url())
        .service_account("myservice", "pw")
        .tenant_id(tapis::testing::TestServer::TENANT)
        .site_id(tapis::testing::TestServer::SITE)
        .build()
        .unwrap();
    // Acting for alice: the server answers as for her.
    let info = service
        .authenticator()
        .get_userinfo()
        .on_behalf_of("alice", tapis::testing::TestServer::TENANT)
        .send()
        .await
        .unwrap()
        .into_result();
    assert_eq!(info.username.as_deref(), Some("alice"));
    // One token request, to the Tokens API, with Basic auth and the
    // service-token body tapisservice sends.
    let grants: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/tokens")
        .collect();
    assert_eq!(grants.len(), 1);
    let body = grants[0].body_json().unwrap();
    assert_eq!(body["account_type"], "service");
    assert_eq!(body["token_username"], "myservice");
    assert_eq!(body["token_tenant_id"], "dev");
    assert_eq!(body["target_site_id"], "test");
    assert!(grants[0]
        .header("authorization")
        .is_some_and(|v| v.starts_with("Basic ")));
    let token = service.current_tokens().access_token.unwrap();
    assert_eq!(token.claims().account_type.as_deref(), Some("service"));
    assert!(
        !format!("{service:?}").contains("pw\""),
        "the password is shown"
    );

    // A wrong password is an auth error naming the Tokens API's answer.
    let wrong = tapis::Tapis::builder(server.url())
        .service_account("myservice", "nope")
        .tenant_id("dev")
        .site_id("test")
        .build()
        .unwrap();
    let err = wrong.systems().get_systems().send().await.unwrap_err();
    assert!(matches!(err, tapis::Error::Auth { .. }), "{err:?}");
    // Without the site admin tenant, the client does not build.
    let err = tapis::Tapis::builder(server.url())
        .service_account("myservice", "pw")
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, tapis::Error::Config(m) if m.contains("tenant_id")),
        "{err:?}"
    );
}

#[tokio::test]
async fn service_tokens_are_refreshed_single_flight_before_they_expire() {
    let server = tapis::testing::TestServer::builder()
        .service_account("myservice", "pw")
        .access_token_ttl(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let service = tapis::Tapis::builder(server.url())
        .service_account("myservice", "pw")
        .tenant_id("dev")
        .site_id("test")
        .build()
        .unwrap();
    for _ in 0..3 {
        let calls = (0..20).map(|_| {
            service
                .authenticator()
                .get_userinfo()
                .on_behalf_of("alice", "dev")
                .send()
        });
        for result in futures::future::join_all(calls).await {
            result.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    let grants = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/tokens")
        .count();
    // 2 s tokens used for half their life: one token per round at most,
    // never one per call.
    assert!((2..=3).contains(&grants), "{grants} token requests");
}

#[tokio::test]
async fn a_401_gets_the_service_a_new_token_and_one_retry() {
    let server = tapis::testing::TestServer::builder()
        .service_account("myservice", "pw")
        .start()
        .await
        .unwrap();
    let service = tapis::Tapis::builder(server.url())
        .service_account("myservice", "pw")
        .tenant_id("dev")
        .site_id("test")
        .build()
        .unwrap();
    // The token is revoked: the next call is answered 401 once.
    server
        .on_operation("authenticator", "get_userinfo")
        .unwrap()
        .times(1)
        .reply(tapis::testing::Reply::error(401, "token revoked"));
    let info = service
        .authenticator()
        .get_userinfo()
        .on_behalf_of("alice", "dev")
        .send()
        .await
        .unwrap()
        .into_result();
    assert_eq!(info.username.as_deref(), Some("alice"));
    let grants = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/tokens")
        .count();
    assert_eq!(grants, 2, "the first token, then a new one after the 401");
}

#[tokio::test]
async fn the_test_server_publishes_a_second_tenant_and_site_and_mints_service_tokens() {
    use tapis::testing::TestServer;

    let server = TestServer::start().await.unwrap();
    let client = tapis::Tapis::builder(server.url()).build().unwrap();
    let dir = TenantDirectory::load(&client).await.unwrap();
    assert_eq!(
        dir.tenant(TestServer::OTHER_TENANT)
            .unwrap()
            .site_id
            .as_deref(),
        Some(TestServer::OTHER_SITE)
    );
    assert!(dir.site(TestServer::SITE).unwrap().primary);
    assert_eq!(
        dir.site(TestServer::OTHER_SITE).unwrap().services,
        ["systems"]
    );
    // The server's own service tokens pass a service's authentication.
    let auth = Authenticator::new(dir, "jobs", TestServer::SITE);
    let jwt = server.service_token("jobs", TestServer::SITE);
    let who = auth
        .authenticate(&headers(&[
            ("X-Tapis-Token", &jwt),
            ("X-Tapis-User", "alice"),
            ("X-Tapis-Tenant", TestServer::OTHER_TENANT),
        ]))
        .await
        .unwrap();
    assert_eq!(who.request_tenant_id, TestServer::OTHER_TENANT);
    // ...but not for a service the other site runs itself.
    let systems = Authenticator::new(auth.directory().clone(), "systems", TestServer::SITE);
    let jwt = server.service_token("systems", TestServer::SITE);
    let err = systems
        .authenticate(&headers(&[
            ("X-Tapis-Token", &jwt),
            ("X-Tapis-User", "alice"),
            ("X-Tapis-Tenant", TestServer::OTHER_TENANT),
        ]))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::OboNotAllowed(_)), "{err:?}");
}

/// `cargo run --example service`: the example service answers its caller
/// with the caller's systems, fetched on their behalf.
#[test]
fn the_service_example_serves_a_caller_on_their_behalf() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--example",
            "service",
            "--features",
            "service,axum,testing",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "1. service myservice listening at http://127.0.0.1:",
        "2. alice logged in and created system alice-hpc",
        "3. the service answered alice: {",
        r#""systems":["alice-hpc"]"#,
        r#""user":"alice""#,
        "4. without a token: 401 {",
        "5. the service called getSystems as X-Tapis-User=alice X-Tapis-Tenant=dev",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[tokio::test]
async fn the_directory_reloads_on_its_schedule_and_stops_when_dropped() {
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let admin = tapis::Tapis::builder(server.uri()).build().unwrap();
    let dir = TenantDirectory::builder(&admin)
        .refresh_every(Some(Duration::from_millis(100)))
        .load()
        .await
        .unwrap();
    // A key rotated on the server shows up without any request failing.
    mount_tenants(&server, OTHER_PUB).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(dir.loads() >= 3, "{} loads", dir.loads());
    assert_eq!(
        dir.tenant("dev").unwrap().public_key.as_deref(),
        Some(OTHER_PUB)
    );
    // Dropped: the schedule ends (no more requests reach the server).
    drop(dir);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let before = server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

/// The service's password travels as HTTP Basic auth: a redirect from the
/// Tokens API is never followed, to another origin or the same one.
#[tokio::test]
async fn a_redirect_from_the_tokens_api_does_not_take_the_password_along() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(envelope(json!({})))
        .mount(&elsewhere)
        .await;
    let tapis_server = MockServer::start().await;
    let err =
        call_through_redirected_tokens_api(&tapis_server, format!("{}/v3/tokens", elsewhere.uri()))
            .await;
    assert!(
        !format!("{err} {err:?}").contains("the-password"),
        "{err:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    // One token request, not followed.
    assert_eq!(tapis_server.received_requests().await.unwrap().len(), 1);

    // Nor to another path of the same origin.
    let same = MockServer::start().await;
    call_through_redirected_tokens_api(&same, format!("{}/v3/collect", same.uri())).await;
    let seen = same.received_requests().await.unwrap();
    assert!(
        seen.iter().all(|r| r.url.path() == "/v3/tokens"),
        "followed to {:?}",
        seen.last().map(|r| r.url.to_string())
    );
}

/// A call of a service account whose Tokens API (`server`) answers 307 to
/// `location`; the call's error.
async fn call_through_redirected_tokens_api(server: &MockServer, location: String) -> tapis::Error {
    Mock::given(method("POST"))
        .and(path("/v3/tokens"))
        .respond_with(wiremock::ResponseTemplate::new(307).insert_header("location", location))
        .mount(server)
        .await;
    let service = tapis::Tapis::builder(server.uri())
        .service_account("myservice", "the-password")
        .tenant_id("admin")
        .site_id("tacc")
        .build()
        .unwrap();
    service.systems().get_systems().send().await.unwrap_err()
}

/// The target site a service token was issued for.
fn target_site(jwt: &str) -> String {
    let token = tapis::auth::Token::parse(jwt).unwrap();
    token.claims().other["tapis/target_site"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A TestServer that knows the service account `myservice`.
async fn home_site() -> tapis::testing::TestServer {
    tapis::testing::TestServer::builder()
        .service_account("myservice", "pw")
        .start()
        .await
        .unwrap()
}

/// `myservice`'s client builder at `home`, in its admin tenant and site.
fn service_at(home: &tapis::testing::TestServer) -> tapis::TapisBuilder {
    tapis::Tapis::builder(home.url())
        .service_account("myservice", "pw")
        .tenant_id(tapis::testing::TestServer::TENANT)
}

/// A Tapis of two sites for a service at the primary site `test` (the
/// TestServer: its Tokens API, its tenant `dev`): the associate site `assoc`
/// runs systems only, at `assoc_url`; the primary site reaches other sites'
/// tenants at `{primary_url}/at-primary/${tenant_id}`.
async fn two_sites(home: &str, assoc_url: &str, primary_url: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/tenants"))
        .respond_with(envelope(json!([
            {"tenant_id": "dev", "site_id": "test", "base_url": home},
            {"tenant_id": "assoc-t", "site_id": "assoc", "base_url": assoc_url},
            {"tenant_id": "assoc-admin", "site_id": "assoc", "base_url": assoc_url},
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/sites"))
        .respond_with(envelope(json!([
            {"site_id": "test", "primary": true, "site_admin_tenant_id": "dev",
             "services": ["systems", "workflows", "security", "tokens"],
             "tenant_base_url_template": format!("{primary_url}/at-primary/${{tenant_id}}")},
            {"site_id": "assoc", "primary": false, "site_admin_tenant_id": "assoc-admin",
             "services": ["systems"]},
        ])))
        .mount(&server)
        .await;
    server
}

/// tapisservice's routing (tenants.py `get_site_and_base_url_for_service_request`):
/// each call goes to the base URL its tenant and service call for, with the
/// service token of that site, one token per site.
#[tokio::test]
async fn a_service_routes_each_call_to_its_site_with_that_sites_token() {
    let home = home_site().await;
    let assoc = MockServer::start().await;
    let primary = MockServer::start().await;
    for server in [&assoc, &primary] {
        Mock::given(method("GET"))
            .respond_with(envelope(json!([])))
            .mount(server)
            .await;
    }
    let dir_server = two_sites(home.url(), &assoc.uri(), &primary.uri()).await;
    let directory = directory(&dir_server, Duration::ZERO).await;
    let service = service_at(&home)
        .site_id(tapis::testing::TestServer::SITE)
        .tenant_directory(directory.clone())
        .build()
        .unwrap();

    // The associate site runs systems: its tenant's calls go there, with a
    // token for that site; concurrent calls share one token request.
    let calls = (0..8).map(|_| {
        service
            .systems()
            .get_systems()
            .on_behalf_of("alice", "assoc-t")
            .send()
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let received = assoc.received_requests().await.unwrap();
    assert_eq!(received.len(), 8);
    for request in &received {
        assert_eq!(request.url.path(), "/v3/systems");
        assert_eq!(request.headers["x-tapis-tenant"], "assoc-t");
        assert_eq!(request.headers["x-tapis-user"], "alice");
        let jwt = request.headers["x-tapis-token"].to_str().unwrap();
        assert_eq!(target_site(jwt), "assoc");
    }

    // A 401 there renews that site's token, once, and the call is sent again.
    Mock::given(method("GET"))
        .and(path("/v3/systems/s1"))
        .respond_with(wiremock::ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&assoc)
        .await;
    service
        .request(reqwest::Method::GET, "/v3/systems/s1")
        .on_behalf_of("alice", "assoc-t")
        .send()
        .await
        .unwrap();
    let tries: Vec<String> = assoc
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v3/systems/s1")
        .map(|r| r.headers["x-tapis-token"].to_str().unwrap().to_string())
        .collect();
    assert_eq!(tries.len(), 2);
    assert_ne!(tries[0], tries[1], "the retry carries a new token");
    assert_eq!(target_site(&tries[1]), "assoc");
    assoc.reset().await;
    Mock::given(method("GET"))
        .respond_with(envelope(json!([])))
        .mount(&assoc)
        .await;

    // A service the associate site does not run (workflows), and the
    // Security Kernel for a tenant of another site: the primary site, at the
    // URL its template gives for the tenant, with the home site's token.
    service
        .request(reqwest::Method::GET, "/v3/workflows/groups")
        .on_behalf_of("alice", "assoc-t")
        .send()
        .await
        .unwrap();
    service
        .request(reqwest::Method::GET, "/v3/security/role")
        .on_behalf_of("alice", "assoc-t")
        .send()
        .await
        .unwrap();
    let received = primary.received_requests().await.unwrap();
    let paths: Vec<&str> = received.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/at-primary/assoc-t/v3/workflows/groups",
            "/at-primary/assoc-t/v3/security/role"
        ]
    );
    for request in &received {
        let jwt = request.headers["x-tapis-token"].to_str().unwrap();
        assert_eq!(target_site(jwt), "test");
    }

    // The home tenant's calls stay home (the TestServer answers them).
    let systems = service
        .systems()
        .get_systems()
        .on_behalf_of("alice", "dev")
        .send()
        .await
        .unwrap();
    assert!(systems.status().is_success());
    let home_calls = home.requests_to("systems", "getSystems").unwrap();
    assert_eq!(home_calls.len(), 1);
    let jwt = home_calls[0].header("x-tapis-token").unwrap();
    assert_eq!(target_site(jwt), "test");

    // One token per site, each from the home site's Tokens API.
    let grants = home.requests_to("tokens", "create_token").unwrap();
    let mut sites: Vec<String> = grants
        .iter()
        .map(|g| {
            let body: Value = serde_json::from_slice(&g.body).unwrap();
            body["target_site_id"].as_str().unwrap().to_string()
        })
        .collect();
    sites.sort();
    assert_eq!(
        sites,
        ["assoc", "assoc", "test"],
        "one token per site, and the renewal"
    );

    // The Tenants API is asked at the primary site's admin tenant.
    service
        .request(reqwest::Method::GET, "/v3/sites")
        .on_behalf_of("alice", "assoc-t")
        .send()
        .await
        .unwrap();
    assert_eq!(home.requests().last().unwrap().path, "/v3/sites");
}

#[tokio::test]
async fn a_tenant_the_directory_does_not_know_is_refused_before_sending() {
    let home = home_site().await;
    let dir_server = two_sites(home.url(), "http://127.0.0.1:9", "http://127.0.0.1:9").await;
    let directory = directory(&dir_server, Duration::ZERO).await;
    let service = service_at(&home)
        .site_id(tapis::testing::TestServer::SITE)
        .tenant_directory(directory.clone())
        .build()
        .unwrap();
    let before = home.requests().len();
    let err = service
        .systems()
        .get_systems()
        .on_behalf_of("alice", "nowhere")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, tapis::Error::InvalidInput(m) if m.contains("`nowhere`")),
        "{err:?}"
    );
    // The directory was asked once more (the tenant could be new), and
    // nothing went to Tapis: no token request, no call.
    assert_eq!(directory.loads(), 2);
    assert_eq!(home.requests().len(), before);

    // Routing needs the service's own site.
    let err = service_at(&home)
        .tenant_directory(directory)
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, tapis::Error::Config(m) if m.contains("site_id")),
        "{err:?}"
    );
}

/// tapisservice's `resolve_tenant_id_for_request`: without X-Tapis-Tenant,
/// the request's tenant is the one whose base URL it was sent to, and a user
/// token must be from that tenant.
#[tokio::test]
async fn a_user_token_must_be_from_the_tenant_of_the_host_it_was_sent_to() {
    let server = directory_server(TestToken::PUBLIC_KEY_PEM).await;
    let auth = Authenticator::new(directory(&server, Duration::ZERO).await, "jobs", "tacc");
    let dev = user("alice", "dev");
    let uh = user("bob", "uh");
    let with_host = |jwt: &str, host: &str| headers(&[("X-Tapis-Token", jwt), ("Host", host)]);
    // dev's own host, any case; uh's host at the primary site (forwarded
    // from its site); local development hosts are not checked.
    for (jwt, host) in [
        (&dev, "dev.tapis.io"),
        (&dev, "DEV.tapis.io"),
        (&dev, "dev.tapis.io:443"),
        (&uh, "uh.primary.tapis.io"),
        (&dev, "localhost:5000"),
        (&dev, "127.0.0.1:8080"),
        (&dev, "[::1]:5000"),
        (&dev, "172.17.0.1:5000"),
    ] {
        let who = auth.authenticate(&with_host(jwt, host)).await;
        assert!(who.is_ok(), "{host}: {who:?}");
    }
    assert_eq!(auth.directory().loads(), 1);
    // Another tenant's host.
    let err = auth
        .authenticate(&with_host(&dev, "admin.tapis.io"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::WrongTenant(m) if m.contains("dev") && m.contains("admin")),
        "{err:?}"
    );
    assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
    // A host no tenant has: the tenants are reloaded once, then refused.
    let err = auth
        .authenticate(&with_host(&dev, "evil.example.org"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AuthError::WrongTenant(m) if m.contains("evil.example.org")),
        "{err:?}"
    );
    assert_eq!(auth.directory().loads(), 2);
    // The URI's authority, where there is one (HTTP/2), is the host.
    let request = http::Request::builder()
        .uri("https://admin.tapis.io/v3/jobs")
        .header("X-Tapis-Token", &dev)
        .header("Host", "dev.tapis.io")
        .body(())
        .unwrap();
    let err = auth
        .authenticate_request(request.uri(), request.headers())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::WrongTenant(_)), "{err:?}");
    // Turned off, for a service behind a proxy that rewrites the host.
    let lenient = auth.clone().check_host(false);
    lenient
        .authenticate_request(request.uri(), request.headers())
        .await
        .unwrap();
    // Service tokens name their tenant in X-Tapis-Tenant: not checked
    // against the host.
    let jwt = service_token("tacc");
    let who = auth
        .authenticate(&headers(&[
            ("X-Tapis-Token", &jwt),
            ("X-Tapis-User", "alice"),
            ("X-Tapis-Tenant", "dev"),
            ("Host", "admin.tapis.io"),
        ]))
        .await
        .unwrap();
    assert_eq!(who.request_tenant_id, "dev");
}

//! Request authentication for services (`tapis::service`), cache warm:
//! `Authenticator::authenticate` on a request's headers (token and host)
//! against
//! `jsonwebtoken` verifying the same RS256 token directly with an already
//! parsed key, in the same run, interleaved rounds. Target (issue 21):
//! ratio <= 1.2.
//!
//! ```text
//! cargo bench --no-default-features --features service,testing --bench service
//! TAPIS_BENCH_TOKENS=20000 TAPIS_BENCH_ROUNDS=9 cargo bench ...
//! ```

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use tapis::service::{Authenticator, TenantDirectory};
use tapis::testing::TestToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn envelope(result: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"status": "success", "message": "ok", "result": result, "version": "bench", "metadata": {}}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let tokens: usize = support::setting("TAPIS_BENCH_TOKENS", 20_000);
    let rounds: usize = support::setting("TAPIS_BENCH_ROUNDS", 9);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/tenants"))
        .respond_with(envelope(json!([{"tenant_id": "dev", "site_id": "tacc", "base_url": "https://dev.tapis.io", "public_key": TestToken::PUBLIC_KEY_PEM}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/sites"))
        .respond_with(envelope(
            json!([{"site_id": "tacc", "primary": true, "services": ["jobs"]}]),
        ))
        .mount(&server)
        .await;
    let admin = tapis::Tapis::builder(server.uri()).build().expect("client");
    let directory = TenantDirectory::builder(&admin)
        .refresh_every(None)
        .load()
        .await
        .expect("tenants");
    let auth = Authenticator::new(directory, "jobs", "tacc");

    let jwt = TestToken::access("alice", "dev")
        .expires_in(Duration::from_secs(86_400))
        .sign()
        .expect("token");
    let mut headers = http::HeaderMap::new();
    headers.insert("x-tapis-token", jwt.parse().expect("header"));
    // As a request arrives: the host is checked against the token's tenant.
    headers.insert("host", http::HeaderValue::from_static("dev.tapis.io"));
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(TestToken::PUBLIC_KEY_PEM.as_bytes()).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_aud = false;

    let mut ratios = Vec::new();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        for _ in 0..tokens {
            let who = auth.authenticate(&headers).await.expect("valid");
            std::hint::black_box(&who);
        }
        let a = started.elapsed().as_secs_f64() / tokens as f64;
        let started = Instant::now();
        for _ in 0..tokens {
            let claims = jsonwebtoken::decode::<serde_json::Value>(
                std::hint::black_box(&jwt),
                &key,
                &validation,
            )
            .expect("valid");
            std::hint::black_box(&claims);
        }
        let b = started.elapsed().as_secs_f64() / tokens as f64;
        ours.push(a);
        theirs.push(b);
        ratios.push(a / b);
    }
    let ratio = support::median(ratios.clone());
    let (low, high) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
    println!(
        "authenticate: tapis {:8.0} ns/request   jsonwebtoken {:8.0} ns/token   ratio {:.3} (rounds {:.3}..{:.3}; {tokens} tokens x {rounds} rounds; target <= 1.2, issue 21) {}",
        support::median(ours) * 1e9,
        support::median(theirs) * 1e9,
        ratio,
        low,
        high,
        if ratio <= 1.2 { "met" } else { "MISSED" },
    );
    println!(
        "tenant loads during the run: {} (target: 1, the initial one)",
        auth.directory().loads()
    );
}

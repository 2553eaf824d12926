//! The `Tapis` facade: base URL forms, headers every call carries, secrets
//! kept out of `Debug`.
#![cfg(feature = "systems")]

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn base_url_with_v3_or_trailing_slash_reaches_the_same_paths() {
    let server = server_answering(envelope(json!([]))).await;
    for suffix in ["", "/", "/v3", "/v3/"] {
        let t = tapis::Tapis::builder(format!("{}{suffix}", server.uri()))
            .access_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(t.base_url(), server.uri());
        t.systems().get_systems().send().await.unwrap();
    }
    let seen = received(&server).await;
    assert_eq!(seen.len(), 4);
    assert!(seen
        .iter()
        .all(|s| s.path == "/v3/systems" && s.token.as_deref() == Some(TOKEN)));
}

#[tokio::test]
async fn every_call_sends_user_agent_and_no_progenitor_headers() {
    let server = server_answering(envelope(json!([]))).await;
    client(&server)
        .systems()
        .get_systems()
        .send()
        .await
        .unwrap();
    let raw = server.received_requests().await.unwrap();
    let ua = raw[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert_eq!(ua, format!("tapis-rust/{}", env!("CARGO_PKG_VERSION")));
    assert!(raw[0].headers.get("api-version").is_none());
}

#[tokio::test]
async fn without_a_token_no_token_header_is_sent_and_it_can_be_set_later() {
    let server = server_answering(envelope(json!([]))).await;
    let t = tapis::Tapis::builder(server.uri()).build().unwrap();
    t.systems().get_systems().send().await.unwrap();
    let later = mint("later", 3600);
    t.set_access_token(&later).unwrap();
    // A clone shares the token.
    t.clone().systems().get_systems().send().await.unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].token, None);
    assert_eq!(seen[1].token.as_deref(), Some(later.as_str()));
    // Something that is not a JWT is refused.
    assert!(matches!(
        t.set_access_token("not-a-jwt"),
        Err(tapis::Error::InvalidInput(_))
    ));
}

#[test]
fn tokens_never_appear_in_debug_output() {
    let secret = mint("someone", 3600);
    let secret = secret.as_str();
    let builder = tapis::Tapis::builder("https://t.tapis.io").access_token(secret);
    assert!(!format!("{builder:?}").contains(secret));
    let t = builder.build().unwrap();
    let debug = format!("{t:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(debug.contains("<redacted>"));
    assert!(!format!("{:?}", t.systems()).contains(secret));
}

#[test]
fn bad_configuration_is_a_typed_error() {
    let err = tapis::Tapis::builder("not a url").build().unwrap_err();
    assert!(matches!(err, tapis::Error::Config(_)), "{err:?}");
    let err = tapis::Tapis::builder("https://t.tapis.io")
        .access_token("bad\ntoken")
        .build()
        .unwrap_err();
    assert!(matches!(err, tapis::Error::InvalidInput(_)), "{err:?}");
}

/// Every call's future is moved (into the caller's future, a `join_all`, a
/// spawned task) and each move copies it whole: a few kilobytes per call
/// showed as a 7 % throughput loss against raw reqwest under 64 concurrent
/// callers (BENCHMARKS.md, "Tolerant reading", 2026-12-06). The future of
/// a `send()` holds the answer's decoding state and a pointer to the boxed
/// exchange; this keeps it from growing back unnoticed.
#[tokio::test]
async fn a_call_future_stays_small() {
    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    let call = t.systems().get_systems().limit(10).send();
    let size = std::mem::size_of_val(&call);
    assert!(size <= 512, "a get_systems().send() future is {size} bytes");
    assert!(call.await.unwrap().into_result().is_empty());
    let call = t.systems().get_system().system_id("s1").send_json();
    let size = std::mem::size_of_val(&call);
    assert!(
        size <= 512,
        "a get_system().send_json() future is {size} bytes"
    );
}

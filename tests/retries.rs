//! Retry policy on the wire: idempotent calls are retried on 429/502/503/504
//! and connection failures, POST is not unless asked, `Retry-After` is
//! honoured, and there is no wait after the last attempt.

#![cfg(feature = "systems")]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tapis::{Error, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Fast, predictable retries for tests.
fn quick(retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(retries)
        .initial_delay(Duration::from_millis(1))
        .jitter(false)
}

fn retry_events(log: &str) -> usize {
    log.lines().filter(|l| l.contains("retrying")).count()
}

#[tokio::test]
async fn get_is_retried_n_times_then_fails() {
    let server = server_answering(ResponseTemplate::new(503)).await;
    let t = client(&server);
    let (result, log) = with_tracing(t.systems().get_systems().retry_policy(quick(3)).send()).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, Error::Api { .. }) && err.status().unwrap() == 503,
        "{err:?}"
    );
    assert_eq!(received(&server).await.len(), 4, "1 attempt + 3 retries");
    assert_eq!(
        retry_events(&log),
        3,
        "a wait before each retry, none after the last:\n{log}"
    );
    assert!(log.contains("attempts=4"), "{log}");
}

#[tokio::test]
async fn only_the_listed_statuses_are_retried() {
    for (status, attempts) in [(429, 3), (500, 3), (502, 3), (504, 3), (501, 1), (404, 1)] {
        let server = server_answering(ResponseTemplate::new(status)).await;
        let _ = client(&server)
            .systems()
            .get_systems()
            .retry_policy(quick(2))
            .send()
            .await;
        assert_eq!(received(&server).await.len(), attempts, "status {status}");
    }
}

#[tokio::test]
async fn post_is_not_retried_unless_asked() {
    let body = json!({"id": "s1", "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PASSWORD", "canExec": false});
    let server = server_answering(ResponseTemplate::new(503)).await;
    let t = client(&server);
    let post = || {
        t.systems()
            .create_system()
            .body(common::body::<tapis::systems::types::ReqPostSystem>(
                body.clone(),
            ))
    };
    post().retry_policy(quick(3)).send().await.unwrap_err();
    assert_eq!(received(&server).await.len(), 1);
    post()
        .retry_policy(quick(2).retry_non_idempotent(true))
        .send()
        .await
        .unwrap_err();
    let seen = received(&server).await;
    assert_eq!(seen.len(), 4);
    // The replayed body is the same JSON.
    assert!(seen.iter().all(|s| s.json()["id"] == "s1"));
}

#[tokio::test]
async fn the_client_policy_applies_and_a_call_may_override_it() {
    let server = server_answering(ResponseTemplate::new(503)).await;
    let t = tapis::Tapis::builder(server.uri())
        .retry_policy(quick(1))
        .build()
        .unwrap();
    t.systems().get_systems().send().await.unwrap_err();
    assert_eq!(received(&server).await.len(), 2);
    t.systems()
        .get_systems()
        .retry_policy(RetryPolicy::none())
        .send()
        .await
        .unwrap_err();
    assert_eq!(received(&server).await.len(), 3);
}

/// 503 with `Retry-After` once, then 200.
async fn busy_once(retry_after: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", retry_after))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(envelope(json!([])))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = busy_once("1").await;
    let t = client(&server);
    let started = Instant::now();
    let (result, log) = with_tracing(t.systems().get_systems().retry_policy(quick(3)).send()).await;
    result.expect("the second attempt succeeds");
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(received(&server).await.len(), 2);
    assert!(log.contains("delay_ms=1000"), "{log}");
}

#[tokio::test]
async fn a_retry_after_longer_than_max_delay_gives_up_at_once() {
    let server = busy_once("3600").await;
    let err = client(&server)
        .systems()
        .get_systems()
        .retry_policy(quick(3).max_delay(Duration::from_secs(10)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap(), 503);
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn no_wait_after_the_last_attempt() {
    let server = server_answering(ResponseTemplate::new(503)).await;
    let policy = RetryPolicy::default()
        .max_retries(1)
        .initial_delay(Duration::from_secs(2))
        .jitter(false);
    let started = Instant::now();
    let (result, log) = with_tracing(
        client(&server)
            .systems()
            .get_systems()
            .retry_policy(policy)
            .send(),
    )
    .await;
    result.unwrap_err();
    let took = started.elapsed();
    assert_eq!(received(&server).await.len(), 2);
    assert_eq!(retry_events(&log), 1, "{log}");
    // One 2 s wait between the attempts; a wait after the last would make it 4 s.
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(3500),
        "took {took:?}"
    );
}

#[tokio::test]
async fn connection_failures_are_retried_for_idempotent_calls() {
    let t = tapis::Tapis::builder(closed_port_url()).build().unwrap();
    let (result, log) = with_tracing(t.systems().get_systems().retry_policy(quick(2)).send()).await;
    assert!(matches!(result.unwrap_err(), Error::Network { .. }));
    assert_eq!(retry_events(&log), 2, "{log}");
    let (result, log) = with_tracing(
        t.systems()
            .get_systems()
            .retry_policy(quick(2).retry_on_connect_error(false))
            .send(),
    )
    .await;
    assert!(result.is_err());
    assert_eq!(retry_events(&log), 0, "{log}");
}

#[tokio::test]
async fn timeouts_are_retried_only_when_asked() {
    let server = server_answering(envelope(json!([])).set_delay(Duration::from_secs(5))).await;
    // The client's timeout bounds each attempt; a call's `.timeout(..)`
    // bounds the whole call, retries included (tests/security.rs).
    let t = tapis::Tapis::builder(server.uri())
        .access_token(TOKEN)
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let call = |policy: RetryPolicy| t.systems().get_systems().retry_policy(policy).send();
    call(quick(2)).await.unwrap_err();
    assert_eq!(received(&server).await.len(), 1);
    call(quick(2).retry_on_timeout(true)).await.unwrap_err();
    assert_eq!(received(&server).await.len(), 4);
}

//! `Tapis::request`: any path, through the same token, options, retries and
//! errors as the typed operations.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tapis::reqwest::Method;
use tapis::{Error, RetryPolicy};
use wiremock::ResponseTemplate;

#[tokio::test]
async fn raw_get_with_query_headers_and_json_result() {
    let server = server_answering(envelope(json!([{"site_id": "tacc"}]))).await;
    let t = client(&server);
    let resp = t
        .request(Method::GET, "/v3/sites")
        .tapis_query("limit", 5)
        .tapis_query("tag", "a")
        .tapis_query("tag", "b")
        .tapis_header("X-Extra", "1")
        .tracking_id("ns.raw-1")
        .send_json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.into_inner()["result"][0]["site_id"], "tacc");
    let seen = only_request(&server).await;
    assert_request(
        &seen,
        "GET",
        "/v3/sites",
        &[("limit", "5"), ("tag", "a"), ("tag", "b")],
        None,
    );
    assert_eq!(seen.header_values("x-extra"), ["1"]);
    assert_eq!(seen.header_values("x-tapis-tracking-id"), ["ns.raw-1"]);
}

#[tokio::test]
async fn raw_post_json_and_bytes_bodies() {
    let server = server_answering(ResponseTemplate::new(201).set_body_string("created")).await;
    let t = client(&server);
    let resp = t
        .request(Method::POST, "/v3/anything/new")
        .json(&json!({"a": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(&resp.into_inner()[..], b"created");
    t.request(Method::PUT, "/v3/anything/blob")
        .body(&b"\x00\x01raw"[..], "application/octet-stream")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_request(
        &seen[0],
        "POST",
        "/v3/anything/new",
        &[],
        Some(json!({"a": 1})),
    );
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(
        seen[1].content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(seen[1].body, b"\x00\x01raw");
}

#[tokio::test]
async fn raw_paths_are_encoded_and_checked_before_sending() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    t.request(Method::GET, "/v3/files/ops/sys/dir/a b#1.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.path,
        "/v3/files/ops/sys/dir/a%20b%231.txt"
    );
    for bad in ["v3/no-slash", "/v3/x?limit=1", "/v3/../etc"] {
        let err = t.request(Method::GET, bad).send().await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err:?}");
    }
    assert_eq!(received(&server).await.len(), 1, "nothing else was sent");
}

#[tokio::test]
async fn raw_requests_get_typed_errors_and_retries() {
    let server = server_answering(ResponseTemplate::new(503).set_body_json(json!({
        "status": "error", "message": "down for maintenance", "version": "x"
    })))
    .await;
    let err = client(&server)
        .request(Method::DELETE, "/v3/anything/1")
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_delay(Duration::from_millis(1)),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.message(), Some("down for maintenance"));
    assert_eq!(
        received(&server).await.len(),
        3,
        "DELETE is idempotent: retried"
    );
}

#[tokio::test]
async fn raw_send_json_reports_a_body_that_is_not_json() {
    let server = server_answering(ResponseTemplate::new(200).set_body_string("plain text")).await;
    let err = client(&server)
        .request(Method::GET, "/v3/x")
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { body_excerpt, .. } if body_excerpt == "plain text"),
        "{err:?}"
    );
}

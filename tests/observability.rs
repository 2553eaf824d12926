//! Hooks, debug capture and tracing: what they see, in which order, and
//! that no secret reaches them in clear.

#![cfg(feature = "systems")]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use tapis::{DebugCapture, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn hooks_fire_in_order_and_can_add_headers() {
    let server = server_answering(envelope(json!([]))).await;
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let t = tapis::Tapis::builder(server.uri())
        .access_token(TOKEN)
        .pre_request_hook(move |op, request| {
            l1.lock().unwrap().push(format!(
                "pre1 {}.{} {}",
                op.service,
                op.id,
                request.method()
            ));
            request
                .headers_mut()
                .insert("x-from-hook", "1".parse().unwrap());
        })
        .pre_request_hook(move |op, request| {
            // Runs after the first: sees its header, and the SDK's.
            let seen_first = request.headers().contains_key("x-from-hook");
            let has_token = request.headers().contains_key("x-tapis-token");
            l2.lock()
                .unwrap()
                .push(format!("pre2 {} {seen_first} {has_token}", op.path));
        })
        .post_response_hook(move |op, response| {
            l3.lock()
                .unwrap()
                .push(format!("post {} {}", op.id, response.status().as_u16()));
        })
        .build()
        .unwrap();
    t.systems()
        .get_systems()
        .tracking_id("ns.id")
        .send()
        .await
        .unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "pre1 systems.getSystems GET",
            "pre2 /v3/systems true true",
            "post getSystems 200"
        ]
    );
    let seen = only_request(&server).await;
    assert_eq!(seen.header_values("x-from-hook"), ["1"]);
}

#[tokio::test]
async fn hooks_fire_on_every_attempt_and_on_error_statuses() {
    let server = server_answering(ResponseTemplate::new(503)).await;
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let s = statuses.clone();
    let t = tapis::Tapis::builder(server.uri())
        .retry_policy(
            RetryPolicy::default()
                .max_retries(2)
                .initial_delay(Duration::from_millis(1)),
        )
        .post_response_hook(move |_, response| s.lock().unwrap().push(response.status().as_u16()))
        .build()
        .unwrap();
    t.systems().get_systems().send().await.unwrap_err();
    assert_eq!(*statuses.lock().unwrap(), [503, 503, 503]);
}

#[tokio::test]
async fn debug_capture_records_each_attempt_with_secrets_removed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(envelope(json!({"id": "s1"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let capture = DebugCapture::new();
    let resp = client(&server)
        .systems()
        .get_system()
        .system_id("s1")
        .tapis_query("limit", 1)
        .tapis_query("access_token", "query-secret")
        .retry_policy(RetryPolicy::default().initial_delay(Duration::from_millis(1)))
        .debug_capture(&capture)
        .send()
        .await
        .unwrap();
    // The capture buffered the body; the response still decodes.
    assert_eq!(
        resp.into_result().id.as_deref().map(String::as_str),
        Some("s1")
    );

    let exchanges = capture.exchanges();
    assert_eq!(exchanges.len(), 2);
    let (first, second) = (&exchanges[0], &exchanges[1]);
    assert_eq!((first.attempt, second.attempt), (1, 2));
    assert_eq!(first.operation, "systems.getSystem");
    assert_eq!(first.method, "GET");
    assert_eq!(first.status.map(|s| s.as_u16()), Some(502));
    assert_eq!(first.response_body.as_deref(), Some(&b"bad gateway"[..]));
    assert_eq!(second.status.map(|s| s.as_u16()), Some(200));
    let body: serde_json::Value =
        serde_json::from_slice(second.response_body.as_ref().unwrap()).unwrap();
    assert_eq!(body["result"]["id"], "s1");
    assert!(
        first.url.contains("limit=1") && first.url.contains("access_token=REDACTED"),
        "{}",
        first.url
    );
    let token = first
        .request_headers
        .iter()
        .find(|(n, _)| n == "x-tapis-token")
        .map(|(_, v)| v.as_str());
    assert_eq!(token, Some("REDACTED"));
    let everything = format!("{exchanges:?}");
    assert!(
        !everything.contains(TOKEN) && !everything.contains("query-secret"),
        "{everything}"
    );
}

#[tokio::test]
async fn debug_capture_redacts_json_credentials_in_bodies() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "result": {"access_token": {"access_token": "issued.jwt.value", "expires_in": 14400}}
    })))
    .await;
    let capture = DebugCapture::new();
    let t = client(&server);
    t.request(tapis::reqwest::Method::POST, "/v3/oauth2/tokens")
        .json(&json!({"username": "u", "password": "hunter2", "grant_type": "password"}))
        .debug_capture(&capture)
        .send()
        .await
        .unwrap();
    let everything = format!("{:?}", capture.exchanges());
    assert!(!everything.contains("hunter2"), "{everything}");
    assert!(!everything.contains("issued.jwt.value"), "{everything}");
    let exchange = &capture.exchanges()[0];
    let sent: serde_json::Value =
        serde_json::from_slice(exchange.request_body.as_ref().unwrap()).unwrap();
    assert_eq!(sent["username"], "u");
    assert_eq!(sent["password"], "REDACTED");
    // What was really sent is untouched.
    assert_eq!(only_request(&server).await.json()["password"], "hunter2");
}

#[tokio::test]
async fn each_call_has_a_span_with_its_fields_and_no_secrets() {
    let server = server_answering(ResponseTemplate::new(404).set_body_json(json!({
        "status": "error", "message": "not found", "result": null, "version": "1"
    })))
    .await;
    let t = client(&server);
    let (result, log) = with_tracing(
        t.systems()
            .get_system()
            .system_id("s1")
            .tapis_query("access_token", "query-secret")
            .tapis_header("X-Tapis-Token", "per-call.jwt")
            .send(),
    )
    .await;
    result.unwrap_err();
    for field in [
        "service=\"systems\"",
        "operation=\"getSystem\"",
        "method=GET",
        "path=\"/v3/systems/{systemId}\"",
        "status=404",
        "attempts=1",
        "duration_ms=",
    ] {
        assert!(log.contains(field), "missing {field} in:\n{log}");
    }
    for secret in [TOKEN, "per-call.jwt", "query-secret"] {
        assert!(!log.contains(secret), "{secret} leaked in:\n{log}");
    }
}

#[tokio::test]
async fn a_call_that_times_out_is_reported_in_its_span() {
    // Busy, come back in a minute: the call's time runs out while it waits
    // to retry, outside any exchange.
    let server =
        server_answering(ResponseTemplate::new(503).insert_header("Retry-After", "60")).await;
    let t = client(&server);
    // Made before the subscriber is set: the span is made when the call is
    // first polled, under the subscriber of whoever awaits it.
    let call = t
        .systems()
        .get_systems()
        .retry_policy(RetryPolicy::default().max_delay(Duration::from_secs(120)))
        .timeout(Duration::from_millis(200))
        .send();
    let (result, log) = with_tracing(call).await;
    let err = result.unwrap_err();
    assert!(matches!(err, tapis::Error::Timeout { .. }), "{err:?}");
    let failed = log
        .lines()
        .find(|l| l.contains("call failed"))
        .unwrap_or_else(|| panic!("no `call failed` event in:\n{log}"));
    assert!(
        failed.contains("tapis.call"),
        "not inside the call's span: {failed}"
    );
    assert!(failed.contains("operation=\"getSystems\""), "{failed}");
    let closed = log
        .lines()
        .find(|l| l.contains("tapis.call") && l.contains("close"))
        .unwrap_or_else(|| panic!("the span did not close in:\n{log}"));
    assert!(closed.contains("duration_ms="), "{closed}");
    assert!(closed.contains("status=503"), "{closed}");
    assert!(!log.contains(TOKEN), "the token leaked in:\n{log}");
}

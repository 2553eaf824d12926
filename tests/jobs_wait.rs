//! `t.jobs().wait(uuid)` against a server on 127.0.0.1 whose job moves
//! through its statuses.
#![cfg(feature = "jobs")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const UUID: &str = "0d7b8f7e-1111-2222-3333-444455556666-007";

/// A job whose status polls answer `statuses` in turn (the last one
/// forever), and whose `getJob` answers the job with the last status.
async fn job_server(statuses: &'static [&'static str]) -> MockServer {
    let server = MockServer::start().await;
    let polls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("/v3/jobs/{UUID}/status")))
        .respond_with(move |_: &Request| {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            let status = statuses[n.min(statuses.len() - 1)];
            ResponseTemplate::new(200).set_body_json(json!({
                "status": "success", "message": "ok", "version": "1",
                "result": {"status": status, "condition": null}
            }))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/jobs/{UUID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success", "message": "ok", "version": "1",
            "result": {"uuid": UUID, "name": "hello", "status": statuses[statuses.len() - 1]}
        })))
        .mount(&server)
        .await;
    server
}

async fn polls(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/status"))
        .count()
}

#[tokio::test]
async fn waits_through_pending_and_running_to_finished() {
    let server = job_server(&[
        "PENDING", "PENDING", "QUEUED", "RUNNING", "RUNNING", "FINISHED",
    ])
    .await;
    let t = common::client(&server);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let job = t
        .jobs()
        .wait(UUID)
        .poll_interval(Duration::from_millis(10))
        .max_wait(Duration::from_secs(30))
        .on_status(move |s| record.lock().unwrap().push(s.to_string()))
        .call_options(tapis::CallOptions::new().tracking_id("wait.test-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(job.uuid.as_deref(), Some(UUID));
    assert_eq!(job.status, Some(tapis::jobs::types::JobStatus::Finished));
    // Each change once, in order.
    assert_eq!(
        *seen.lock().unwrap(),
        ["PENDING", "QUEUED", "RUNNING", "FINISHED"]
    );
    assert_eq!(polls(&server).await, 6);
    for req in server.received_requests().await.unwrap() {
        assert_eq!(
            req.headers
                .get("X-Tapis-Tracking-ID")
                .and_then(|v| v.to_str().ok()),
            Some("wait.test-1")
        );
    }
}

#[tokio::test]
async fn a_failed_job_is_returned_not_an_error() {
    let server = job_server(&["RUNNING", "FAILED"]).await;
    let job = common::client(&server)
        .jobs()
        .wait(UUID)
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap();
    assert_eq!(job.status, Some(tapis::jobs::types::JobStatus::Failed));
    assert_eq!(polls(&server).await, 2);
    assert!(tapis::jobs::is_terminal("CANCELLED"));
    assert!(!tapis::jobs::is_terminal("ARCHIVING"));
}

#[tokio::test]
async fn a_timeout_carries_the_last_status() {
    let server = job_server(&["PENDING", "RUNNING"]).await;
    let started = std::time::Instant::now();
    let err = common::client(&server)
        .jobs()
        .wait(UUID)
        .poll_interval(Duration::from_millis(20))
        .max_wait(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    match &err {
        tapis::Error::WaitTimeout {
            what,
            last_status,
            waited,
        } => {
            assert_eq!(what, &format!("job {UUID}"));
            assert_eq!(last_status, "RUNNING");
            assert!(*waited >= Duration::from_millis(300), "{waited:?}");
        }
        other => panic!("expected a wait timeout, got {other}"),
    }
    assert!(err.to_string().contains("last status: RUNNING"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Polled every 20 ms or so: several polls, and no getJob.
    assert!(polls(&server).await >= 3);
    assert!(server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .all(|r| r.url.path().ends_with("/status")));
}

#[tokio::test]
async fn an_unknown_job_is_an_api_error_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({"status": "error", "message": "Job not found", "version": "1"}),
            ),
        )
        .mount(&server)
        .await;
    let err = common::client(&server)
        .jobs()
        .wait("nope")
        .poll_interval(Duration::from_millis(10))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.message(), Some("Job not found"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let err = common::client(&server)
        .jobs()
        .wait(" ")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, tapis::Error::InvalidInput(_)), "{err}");
}

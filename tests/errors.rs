//! Error statuses, bad bodies and broken connections become one typed
//! `tapis::Error`, with the Tapis message and version when the server sent
//! an envelope, and never with the token.

#![cfg(feature = "systems")]

mod common;

use common::*;
use serde_json::json;
use tapis::error::{ErrorKind, NetworkErrorKind};
use tapis::{Error, RetryPolicy};
use wiremock::ResponseTemplate;

fn tapis_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "status": "error", "message": message, "result": null, "version": "1.8.2", "metadata": null
    }))
}

async fn get_system_error(response: ResponseTemplate) -> Error {
    let server = server_answering(response).await;
    let err = client(&server)
        .systems()
        .get_system()
        .system_id("sys 1")
        .retry_policy(RetryPolicy::none())
        .send()
        .await
        .expect_err("an error status is an error");
    assert_eq!(received(&server).await.len(), 1);
    err
}

#[tokio::test]
async fn statuses_map_to_kinds_with_the_envelope_message() {
    for (status, kind) in [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (500, ErrorKind::InternalServer),
        (503, ErrorKind::ServiceUnavailable),
    ] {
        let message = format!("SYSAPI_ERR_{status}: something about sys 1");
        let err = get_system_error(tapis_error(status, &message)).await;
        match &err {
            Error::Api {
                status: s,
                kind: k,
                message: m,
                version,
                body_excerpt,
                method,
                url,
            } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(*k, kind, "{status}");
                assert_eq!(m.as_deref(), Some(message.as_str()));
                assert_eq!(version.as_deref(), Some("1.8.2"));
                assert!(body_excerpt.contains("SYSAPI_ERR"), "{body_excerpt}");
                assert_eq!(method, "GET");
                assert!(url.ends_with("/v3/systems/sys%201"), "{url}");
            }
            other => panic!("{status}: expected Api, got {other:?}"),
        }
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.message(), Some(message.as_str()));
        let shown = err.to_string();
        assert!(
            shown.contains(&status.to_string()) && shown.contains(&message),
            "{shown}"
        );
        assert_eq!(err.is_retryable(), status == 503, "{status}");
        for text in [shown, format!("{err:?}")] {
            assert!(!text.contains(TOKEN), "token leaked: {text}");
        }
    }
}

#[tokio::test]
async fn an_html_502_page_is_still_readable() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
    let err = get_system_error(ResponseTemplate::new(502).set_body_raw(html, "text/html")).await;
    match &err {
        Error::Api {
            kind,
            message,
            body_excerpt,
            ..
        } => {
            assert_eq!(*kind, ErrorKind::InternalServer);
            assert_eq!(*message, None);
            assert!(body_excerpt.starts_with("<html>"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert!(err.is_retryable());
    let shown = err.to_string();
    assert!(
        shown.contains("502 Bad Gateway 502 Bad Gateway nginx"),
        "{shown}"
    );
    assert!(!shown.contains("<h1>"), "{shown}");
}

#[tokio::test]
async fn other_statuses_and_empty_bodies() {
    let err = get_system_error(ResponseTemplate::new(418)).await;
    assert!(
        matches!(&err, Error::Api { kind: ErrorKind::Other, body_excerpt, .. } if body_excerpt.is_empty())
    );
    assert!(err.to_string().contains("418"), "{err}");
}

#[tokio::test]
async fn a_long_error_body_is_cut() {
    let err =
        get_system_error(ResponseTemplate::new(500).set_body_string("x".repeat(100_000))).await;
    match err {
        Error::Api { body_excerpt, .. } => {
            assert!(body_excerpt.len() <= 1024 + 3, "{}", body_excerpt.len())
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_is_invalid_response() {
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
    )
    .await;
    let err = client(&server)
        .systems()
        .get_system()
        .system_id("s")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::InvalidResponse {
            status,
            body_excerpt,
            source,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(body_excerpt, "<html>maintenance</html>");
            assert!(source.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("maintenance"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    let t = tapis::Tapis::builder(closed_port_url())
        .access_token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = t
        .systems()
        .get_systems()
        .tapis_query("access_token", "query-secret")
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Network { kind, url, .. } => {
            assert_eq!(*kind, NetworkErrorKind::Connect);
            assert!(url.contains("access_token=REDACTED"), "{url}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("query-secret") && !shown.contains(TOKEN),
        "{shown}"
    );
}

#[tokio::test]
async fn a_missing_required_parameter_is_invalid_input_and_nothing_is_sent() {
    let server = server_answering(envelope(json!({}))).await;
    let err = client(&server)
        .systems()
        .get_system()
        .send()
        .await
        .unwrap_err();
    match err {
        Error::InvalidInput(m) => assert!(m.contains("system_id"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(received(&server).await.is_empty());
}

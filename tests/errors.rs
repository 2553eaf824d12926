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

/// Streams refuses some calls with `200 OK` and an error envelope (its
/// Flask views `return utils.error(result='', msg=...)`,
/// tapis-project/streams-api `service/controllers.py`; the bodies are those
/// its documentation shows): an `Error::Api` with the envelope's message,
/// whether or not the body would decode as the declared answer, and not
/// sent again.
#[cfg(feature = "streams")]
#[tokio::test]
async fn a_success_status_with_an_error_envelope_is_an_api_error() {
    let refusal = |message: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "message": message, "metadata": {}, "result": "", "status": "error", "version": "dev"
        }))
    };
    let server = server_answering(refusal("Cannot grant role for self")).await;
    let t = client(&server);
    let role = tapis::streams::types::NewRole::builder()
        .resource_id("test_proj")
        .resource_type(tapis::streams::types::NewRoleResourceType::Project)
        .role_name(tapis::streams::types::NewRoleRoleName::Manager)
        .user("testuser2");
    let err = t
        .streams()
        .grant_role()
        .body(role)
        .send()
        .await
        .expect_err("an error envelope is an error");
    match &err {
        Error::Api {
            status,
            kind,
            message,
            version,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(*kind, ErrorKind::Other);
            assert_eq!(message.as_deref(), Some("Cannot grant role for self"));
            assert_eq!(version.as_deref(), Some("dev"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("Cannot grant role for self"),
        "{err}"
    );
    assert_eq!(received(&server).await.len(), 1, "not sent again");

    // A result that reads as absent (`null`) is refused all the same.
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "message": "Roles not found", "metadata": {}, "result": null, "status": "error", "version": "dev"
    })))
    .await;
    let t = client(&server);
    let err = t
        .streams()
        .list_roles()
        .resource_id("test_proj")
        .resource_type("project")
        .user("testuser2")
        .send()
        .await
        .expect_err("an error envelope is an error");
    assert!(
        matches!(&err, Error::Api { message: Some(m), .. } if m == "Roles not found"),
        "{err:?}"
    );
    // `.send_json()` hands the body over as it is.
    let raw = t
        .streams()
        .list_roles()
        .resource_id("test_proj")
        .resource_type("project")
        .user("testuser2")
        .send_json()
        .await
        .expect("send_json reads any 2xx body")
        .into_inner();
    assert_eq!(raw["status"], "error");
    assert_eq!(raw["message"], "Roles not found");
}

/// Only the envelope's own `status` counts: "error" anywhere else in a
/// success is data, and meta's documents (no envelope) may hold a `status`
/// of their own.
#[tokio::test]
async fn error_text_elsewhere_is_data() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "no \"error\" here", "version": "1.8.2", "metadata": {},
        "result": { "id": "sys1", "host": "error", "notes": { "status": "error" } }
    })))
    .await;
    let system = client(&server)
        .systems()
        .get_system()
        .system_id("sys1")
        .send()
        .await
        .expect("a success envelope")
        .into_result();
    let system = serde_json::to_value(&system).unwrap();
    assert_eq!(system["host"], "error");
    assert_eq!(system["notes"]["status"], "error");
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn a_meta_document_with_an_error_status_is_a_document() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "_id": { "$oid": "5f1892ece5f3b1a3fe1f2c2f" }, "status": "error", "message": "stored"
    })))
    .await;
    let document = client(&server)
        .meta()
        .get_document()
        .db("db")
        .collection("c")
        .doc_id("5f1892ece5f3b1a3fe1f2c2f")
        .send()
        .await
        .expect("a document, not an envelope")
        .into_inner();
    assert_eq!(document["status"], "error");
}

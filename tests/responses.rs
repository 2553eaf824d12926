//! Decoding of what the server sends: envelopes with `result: null`,
//! metadata kept, downloads returning their bytes.

// Each test needs its own services; with a feature subset some helpers idle.
#![cfg_attr(
    not(all(
        feature = "files",
        feature = "jobs",
        feature = "apps",
        feature = "tenants",
        feature = "streams",
        feature = "pods",
        feature = "systems",
        feature = "meta"
    )),
    allow(unused_imports, dead_code)
)]

mod common;

use common::*;
use futures::TryStreamExt;
use serde_json::json;
use wiremock::ResponseTemplate;

fn null_envelope() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "none found", "result": null, "version": "1", "metadata": null
    }))
}

#[cfg(feature = "systems")]
#[tokio::test]
async fn list_result_null_decodes_as_none() {
    let server = server_answering(null_envelope()).await;
    let t = client(&server);
    let resp = t.systems().get_systems().send().await.unwrap().into_inner();
    assert!(resp.result.is_none());
    assert_eq!(resp.message.as_deref(), Some("none found"));
}

#[cfg(all(
    feature = "files",
    feature = "jobs",
    feature = "apps",
    feature = "tenants",
    feature = "streams",
    feature = "pods"
))]
#[tokio::test]
async fn result_null_decodes_in_every_envelope_style() {
    let server = server_answering(null_envelope()).await;
    let t = client(&server);
    assert!(t
        .files()
        .list_files()
        .system_id("s")
        .path("p")
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
    assert!(t
        .jobs()
        .get_job_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
    assert!(t
        .apps()
        .get_apps()
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
    // tenants and streams build envelopes with allOf.
    assert!(t
        .tenants()
        .list_tenants()
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
    assert!(t
        .streams()
        .list_projects()
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
    assert!(t
        .pods()
        .list_pods()
        .send()
        .await
        .unwrap()
        .into_inner()
        .result
        .is_none());
}

#[cfg(feature = "systems")]
#[tokio::test]
async fn paging_metadata_is_kept() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "ok", "version": "1",
        "result": [{"id": "s1", "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PASSWORD", "canExec": true}],
        "metadata": {"recordCount": 1, "recordLimit": 100, "recordsSkipped": 0, "totalCount": 42, "orderBy": null, "startAfter": null}
    })))
    .await;
    let t = client(&server);
    let resp = t.systems().get_systems().send().await.unwrap().into_inner();
    let metadata = resp.metadata.expect("metadata");
    assert_eq!(metadata.total_count, Some(42));
    assert_eq!(metadata.record_count, Some(1));
    assert_eq!(
        resp.result.unwrap()[0].id.as_deref().map(String::as_str),
        Some("s1")
    );
}

#[cfg(feature = "files")]
#[tokio::test]
async fn file_download_returns_the_bytes() {
    let content: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw(content.clone(), "application/octet-stream"),
    )
    .await;
    let t = client(&server);
    let resp = t
        .files()
        .get_contents()
        .system_id("sys")
        .path("data/x.bin")
        .range("range=0,999")
        .more(1)
        .zip(false)
        .send()
        .await
        .unwrap();
    let bytes: Vec<u8> = resp
        .into_inner()
        .into_inner()
        .map_ok(|b| b.to_vec())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(bytes, content);
    let server_saw = received(&server).await;
    assert_eq!(server_saw[0].path, "/v3/files/content/sys/data/x.bin");
    assert_eq!(
        server_saw[0].query,
        vec![("zip".to_string(), "false".to_string())]
    );
    let raw = server.received_requests().await.unwrap();
    assert_eq!(raw[0].headers.get("range").unwrap(), "range=0,999");
    assert_eq!(raw[0].headers.get("more").unwrap(), "1");
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn meta_body_less_declarations_return_the_bytes() {
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw(r#"[{"_id":1}]"#, "application/json"),
    )
    .await;
    let t = client(&server);
    let resp = t
        .meta()
        .use_aggregation()
        .db("db")
        .collection("c")
        .aggregation("a")
        .send()
        .await
        .unwrap();
    let bytes: Vec<u8> = resp
        .into_inner()
        .into_inner()
        .map_ok(|b| b.to_vec())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(bytes, br#"[{"_id":1}]"#);
}

#[cfg(feature = "apps")]
#[tokio::test]
async fn declared_error_bodies_of_different_types_are_kept_as_json() {
    // createAppVersion declares different schemas for 400/403/409/500; they
    // are unified as JSON values so nothing the server sends is lost.
    let server = server_answering(ResponseTemplate::new(409).set_body_json(json!({
        "status": "error", "message": "APPAPI_APP_EXISTS", "result": null, "version": "1"
    })))
    .await;
    let t = client(&server);
    let body = common::body::<tapis::apps::types::ReqPostApp>(
        json!({"id": "a", "version": "1", "containerImage": "i"}),
    );
    match t
        .apps()
        .create_app_version()
        .body(body)
        .send()
        .await
        .unwrap_err()
    {
        tapis::apps::Error::ErrorResponse(resp) => {
            assert_eq!(resp.status(), 409);
            assert_eq!(resp.into_inner()["message"], "APPAPI_APP_EXISTS");
        }
        other => panic!("unexpected {other:?}"),
    }
}

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
    macro_rules! result_is_none {
        ($($call:expr),+ $(,)?) => {$(
            let envelope = $call.send().await.unwrap().into_inner();
            assert!(envelope.result.is_none(), "{}", stringify!($call));
        )+};
    }
    result_is_none![
        t.files().list_files().system_id("s").path("p"),
        t.jobs().get_job_list(),
        t.apps().get_apps(),
        // tenants and streams build envelopes with allOf.
        t.tenants().list_tenants(),
        t.streams().list_projects(),
        t.pods().list_pods(),
    ];
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
    let bytes = resp.into_inner().bytes().await.unwrap();
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
async fn meta_body_less_declarations_return_json() {
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
    // Raw documents (here an array) come back as JSON, not bytes.
    assert_eq!(resp.into_inner(), json!([{"_id": 1}]));
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
        tapis::Error::Api {
            status,
            kind,
            message,
            ..
        } => {
            assert_eq!(status, 409);
            assert_eq!(kind, tapis::error::ErrorKind::Conflict);
            assert_eq!(message.as_deref(), Some("APPAPI_APP_EXISTS"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[cfg(feature = "systems")]
mod envelope_access {
    use super::*;

    fn systems_page() -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_raw(
            json!({
                "status": "success", "message": "TAPIS_FOUND Systems found: 1 systems", "version": "1.8.2",
                "result": [{"id": "s1", "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PASSWORD", "canExec": true}],
                "metadata": {"recordCount": 1, "recordLimit": 1, "recordsSkipped": 2, "totalCount": 42, "orderBy": "id(asc)", "startAfter": null, "extra": true}
            })
            .to_string(),
            // tapipy hands back raw bytes for this content type.
            "application/json; charset=utf-8",
        )
    }

    #[tokio::test]
    async fn into_result_gives_the_result_and_metadata_the_counts() {
        let server = server_answering(systems_page()).await;
        let t = client(&server);
        let systems = t
            .systems()
            .get_systems()
            .send()
            .await
            .unwrap()
            .into_result();
        assert_eq!(systems[0].id.as_deref().map(String::as_str), Some("s1"));

        let resp = t.systems().get_systems().send().await.unwrap();
        let envelope = resp.envelope();
        assert_eq!(envelope.status.as_deref(), Some("success"));
        assert_eq!(envelope.version.as_deref(), Some("1.8.2"));
        assert_eq!(
            envelope.message.as_deref(),
            Some("TAPIS_FOUND Systems found: 1 systems")
        );
        let (systems, metadata) = resp.into_result_with_metadata();
        assert_eq!(systems.len(), 1);
        assert_eq!(metadata.total_count, Some(42));
        assert_eq!(metadata.record_limit, Some(1));
        assert_eq!(metadata.records_skipped, Some(2));
        assert_eq!(metadata.order_by.as_deref(), Some("id(asc)"));
        assert_eq!(metadata.start_after, None);
    }

    #[tokio::test]
    async fn result_null_is_a_success_and_the_raw_body_tells_it_apart() {
        let server = server_answering(null_envelope()).await;
        let t = client(&server);
        // A successful call never reads as a failure: a null list is empty.
        let systems = t
            .systems()
            .get_systems()
            .send()
            .await
            .unwrap()
            .into_result();
        assert!(systems.is_empty());
        let (systems, metadata) = t
            .systems()
            .get_systems()
            .send()
            .await
            .unwrap()
            .into_result_with_metadata();
        assert!(systems.is_empty());
        assert_eq!(metadata, tapis::Metadata::default());
        // An object result reads as the object with nothing set.
        let system = t
            .systems()
            .get_system()
            .system_id("s")
            .send()
            .await
            .unwrap()
            .into_result();
        assert!(system.id.is_none() && system.extra.is_empty());
        let resp = t.systems().get_systems().send().await.unwrap();
        assert_eq!(resp.envelope().metadata, tapis::Metadata::default());
        assert!(resp.json().unwrap()["result"].is_null());
    }
}

#[cfg(feature = "tenants")]
#[tokio::test]
async fn metadata_is_kept_where_the_spec_omits_it() {
    // The tenants envelope schemas declare no `metadata`; normalisation adds it.
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "Tenants retrieved successfully.", "version": "dev",
        "result": [], "metadata": {"totalCount": 7, "recordCount": 0}
    })))
    .await;
    let resp = client(&server)
        .tenants()
        .list_tenants()
        .send()
        .await
        .unwrap();
    assert_eq!(resp.envelope().status.as_deref(), Some("success"));
    let (tenants, metadata) = resp.into_result_with_metadata();
    assert!(tenants.is_empty());
    assert_eq!(metadata.total_count, Some(7));
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn meta_documents_come_back_as_json_objects_and_arrays() {
    let doc = json!({"_id": {"$oid": "5f"}, "name": "run-1", "values": [1, 2]});
    let server = server_answering(
        ResponseTemplate::new(200).set_body_raw(doc.to_string(), "application/json; charset=utf-8"),
    )
    .await;
    let t = client(&server);
    let got = t
        .meta()
        .get_document()
        .db("d")
        .collection("c")
        .doc_id("5f")
        .send()
        .await
        .unwrap();
    assert_eq!(serde_json::Value::Object(got.into_inner()), doc);

    let server =
        server_answering(ResponseTemplate::new(200).set_body_json(json!([doc, doc]))).await;
    let docs = client(&server)
        .meta()
        .list_documents()
        .db("d")
        .collection("c")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1]["name"], "run-1");
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn meta_empty_created_body_is_null() {
    let server = server_answering(ResponseTemplate::new(201)).await;
    let resp = client(&server)
        .meta()
        .create_db()
        .db("d")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.into_inner(), serde_json::Value::Null);
}

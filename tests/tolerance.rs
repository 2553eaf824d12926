//! Tolerant reading, strict writing: what real servers send decodes and
//! nothing is lost; what the user sends is exactly what they set.

#![cfg(all(feature = "systems", feature = "pods", feature = "streams"))]

mod common;

use common::*;
use serde_json::json;
use tapis::systems::types::{HostString, SystemTypeEnum, TapisSystem};
use tapis::Error;
use wiremock::ResponseTemplate;

/// A system as an older or newer server sends it: a field the spec does not
/// know, a system type it does not list, an empty `proxyHost` (the spec says
/// `minLength: 1`), a `null` list, drifted scalars, no `jobMaxJobs`.
fn drifted_system() -> serde_json::Value {
    json!({
        "id": 42,
        "systemType": "QUANTUM",
        "host": "h.example.org",
        "proxyHost": "",
        "canExec": "true",
        "batchLogicalQueues": null,
        "tags": null,
        "defaultAuthnMethod": "PKI_KEYS",
        "sharedWithUsers": ["a"],
        "newField": {"nested": [1, 2]},
        "uuid": "not-a-uuid"
    })
}

#[tokio::test]
async fn a_drifted_system_decodes_and_keeps_everything() {
    let server = server_answering(envelope(drifted_system())).await;
    let t = client(&server);
    let resp = t
        .systems()
        .get_system()
        .system_id("s")
        .send()
        .await
        .unwrap();
    // The whole body stays reachable.
    assert_eq!(resp.json().unwrap()["result"]["newField"]["nested"][1], 2);
    // Absent and empty can be told apart through it.
    assert!(resp.json().unwrap()["result"].get("jobMaxJobs").is_none());
    let system: TapisSystem = resp.into_result();
    assert_eq!(system.id.as_deref().map(|s| s.as_str()), Some("42"));
    assert_eq!(
        system.system_type,
        Some(SystemTypeEnum::Unknown("QUANTUM".into()))
    );
    assert_eq!(system.system_type.as_ref().unwrap().to_string(), "QUANTUM");
    assert_eq!(system.proxy_host.as_deref().map(|s| s.as_str()), Some(""));
    assert_eq!(system.can_exec, Some(true));
    assert!(system.batch_logical_queues.is_empty());
    // A default the spec declares is the server's business, not invented.
    assert_eq!(system.job_max_jobs, None);
    assert_eq!(system.extra["newField"], json!({"nested": [1, 2]}));
    assert_eq!(system.uuid.as_deref(), Some("not-a-uuid"));
    // Written back, the unknown enum value and the extra field are as sent.
    let back = serde_json::to_value(&system).unwrap();
    assert_eq!(back["systemType"], "QUANTUM");
    assert_eq!(back["newField"], json!({"nested": [1, 2]}));
    assert!(back.get("jobMaxJobs").is_none());
}

#[tokio::test]
async fn known_enum_values_stay_typed() {
    let system: TapisSystem =
        serde_json::from_value(json!({"id": "s", "systemType": "LINUX"})).unwrap();
    assert_eq!(system.system_type, Some(SystemTypeEnum::Linux));
    assert_eq!(
        serde_json::to_value(&system).unwrap()["systemType"],
        "LINUX"
    );
}

#[test]
fn string_enums_read_any_text_and_name_themselves_for_anything_else() {
    let read = |value: serde_json::Value| serde_json::from_value::<SystemTypeEnum>(value);
    assert_eq!(read(json!("S3")).unwrap(), SystemTypeEnum::S3);
    // An escaped value is the text it spells.
    assert_eq!(
        serde_json::from_str::<SystemTypeEnum>(r#""L\u0049NUX""#).unwrap(),
        SystemTypeEnum::Linux
    );
    // Any other text, the empty one too, is kept as it was sent...
    assert_eq!(
        read(json!("linux")).unwrap(),
        SystemTypeEnum::Unknown("linux".into())
    );
    assert_eq!(
        read(json!("")).unwrap(),
        SystemTypeEnum::Unknown(String::new())
    );
    // ...also as a map key, and written back unchanged.
    let keyed: std::collections::BTreeMap<SystemTypeEnum, u8> =
        serde_json::from_value(json!({"LINUX": 1, "QUANTUM": 2})).unwrap();
    assert_eq!(keyed[&SystemTypeEnum::Linux], 1);
    assert_eq!(
        serde_json::to_value(&keyed).unwrap(),
        json!({"LINUX": 1, "QUANTUM": 2})
    );
    // What is not text is an error naming the type, at its JSON path.
    let err = read(json!(5)).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid type: integer `5`, expected a string (a `SystemTypeEnum`)"
    );
    let mut de =
        serde_json::Deserializer::from_str(r#"{"id": "s", "systemType": {"LINUX": null}}"#);
    let err = serde_path_to_error::deserialize::<_, TapisSystem>(&mut de).unwrap_err();
    assert_eq!(err.path().to_string(), "systemType");
    assert!(
        err.to_string()
            .contains("expected a string (a `SystemTypeEnum`)"),
        "{err}"
    );
}

#[tokio::test]
async fn what_no_tolerance_covers_is_an_error_with_its_json_path_and_the_body() {
    let body = json!({
        "status": "success", "message": "ok", "version": "1",
        "result": [{"id": "a"}, {"id": "b", "canExec": "maybe"}]
    });
    let server = server_answering(ResponseTemplate::new(200).set_body_json(&body)).await;
    let t = client(&server);
    let err = t.systems().get_systems().send().await.unwrap_err();
    match &err {
        Error::InvalidResponse {
            status,
            path,
            body: kept,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(path.as_deref(), Some("result[1].canExec"));
            assert_eq!(kept.json().unwrap(), body);
            assert!(!kept.is_cut());
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("result[1].canExec"), "{err}");
    // The same call, untyped, goes through.
    let untyped = t.systems().get_systems().send_json().await.unwrap();
    assert_eq!(untyped.status(), 200);
    assert_eq!(untyped.into_inner(), body);
}

#[tokio::test]
async fn requests_carry_only_what_the_user_set() {
    let server = server_answering(envelope_with_status(201, json!({"url": "u"}))).await;
    let t = client(&server);
    let body = json!({"id": "sys1", "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PKI_KEYS", "canExec": false});
    t.systems()
        .create_system()
        .body(common::body::<tapis::systems::types::ReqPostSystem>(
            body.clone(),
        ))
        .send()
        .await
        .unwrap();
    // No `useProxy`, `canRunBatch`, `enableCmdPrefix`, `allowChildren`
    // defaults the user never set.
    assert_eq!(only_request(&server).await.json(), body);
}

#[tokio::test]
async fn building_a_request_stays_strict() {
    // The spec's constraints still check what the user builds.
    assert!("".parse::<HostString>().is_err());
    assert!("h".parse::<HostString>().is_ok());
    assert!("QUANTUM".parse::<SystemTypeEnum>().is_err());
    let server = server_answering(envelope(json!(null))).await;
    let t = client(&server);
    let err = t
        .systems()
        .create_system()
        .body_map(|b| {
            b.id("sys1")
                .system_type(SystemTypeEnum::Linux)
                .host("")
                .default_authn_method(tapis::systems::types::AuthnEnum::PkiKeys)
                .can_exec(false)
        })
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[test]
fn closed_pods_objects_accept_new_fields() {
    // The pods spec declares `additionalProperties: false`.
    let credentials: tapis::pods::types::CredentialsModel = serde_json::from_value(json!({
        "user_username": "u", "user_password": "p", "added_later": true
    }))
    .unwrap();
    assert_eq!(credentials.extra["added_later"], true);
    // The extra map's Debug hides secrets like the rest.
    let credentials: tapis::pods::types::CredentialsModel = serde_json::from_value(json!({
        "user_username": "u", "user_password": "p", "new_secret": "s3cr3t"
    }))
    .unwrap();
    assert!(!format!("{:?}", credentials.extra).contains("s3cr3t"));
}

#[tokio::test]
async fn a_required_field_absent_reads_as_its_default_and_the_envelope_needs_none() {
    // streams `list_roles` answers role names (spec fix, from a capture);
    // this envelope has no `version` and a `null` metadata.
    let server = server_answering(ResponseTemplate::new(200).set_body_json(
        json!({"status": "success", "message": "Roles found", "result": ["admin"], "metadata": null}),
    ))
    .await;
    let t = client(&server);
    let roles = t
        .streams()
        .list_roles()
        .resource_type("project")
        .resource_id("p1")
        .user("u")
        .send()
        .await
        .unwrap();
    assert_eq!(roles.envelope().version, None);
    assert_eq!(roles.into_result(), ["admin"]);
}

#[tokio::test]
async fn a_success_status_the_spec_does_not_declare_is_read_as_the_answer() {
    // getSystem declares 200; a server answering 203 (a caching proxy) or
    // 201 still sends the system.
    for status in [201, 203] {
        let server = server_answering(envelope_with_status(
            status,
            json!({"id": "s1", "host": "h"}),
        ))
        .await;
        let t = client(&server);
        let resp = t
            .systems()
            .get_system()
            .system_id("s1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        assert_eq!(resp.status(), status);
        let system = resp.into_result();
        assert_eq!(system.host.as_deref().map(|h| h.as_str()), Some("h"));
    }
}

/// The generated structs' `Deserialize` and `Serialize` are written by
/// codegen, not derived (`codegen/src/postprocess/serde_impls.rs`): they
/// answer as serde's derive did.
#[test]
fn generated_types_read_and_write_json_as_the_derive_did() {
    use tapis::streams::types::Threshold;
    let text = |e: serde_json::Error| e.to_string();

    // A key given twice, a value of the wrong shape, a required field absent.
    let twice = serde_json::from_str::<TapisSystem>(r#"{"id": "a", "id": "b"}"#);
    assert!(text(twice.unwrap_err()).starts_with("duplicate field `id`"));
    let list = serde_json::from_value::<TapisSystem>(json!([1]));
    assert_eq!(
        text(list.unwrap_err()),
        "invalid type: sequence, expected struct TapisSystem"
    );
    let absent = serde_json::from_value::<Threshold>(json!({"key": "k", "operator": ">"}));
    assert_eq!(text(absent.unwrap_err()), "missing field `val`");
    let threshold: Threshold =
        serde_json::from_value(json!({"key": "k", "operator": ">", "val": 2.5})).unwrap();
    assert_eq!(threshold.val, 2.5);

    // An escaped key is the key it spells; an absent `Option` is `None`.
    let system: TapisSystem =
        serde_json::from_str(r#"{"i\u0064": "s1", "systemType": "LINUX", "newField": 3}"#).unwrap();
    assert_eq!(system.id.as_deref().map(|id| id.as_str()), Some("s1"));
    assert_eq!(system.host, None);
    assert_eq!(system.extra["newField"], 3);

    // Written back: declared fields (an absent `Option` left out), then
    // what the spec does not declare.
    let written = serde_json::to_string(&system).unwrap();
    let at = |key: &str| written.find(&format!("\"{key}\":"));
    assert!(
        at("id").is_some() && at("systemType").is_some(),
        "{written}"
    );
    assert_eq!(at("host"), None, "{written}");
    assert!(at("newField") > at("systemType"), "{written}");
    assert!(written.ends_with("\"newField\":3}"), "{written}");
    let again: TapisSystem = serde_json::from_str(&written).unwrap();
    assert_eq!(serde_json::to_string(&again).unwrap(), written);
}

//! Request bodies: given as JSON they are checked against the operation's
//! body type before anything is sent (a misspelt key is an error, not an
//! extra property the server ignores); built with typify's builders,
//! optional fields take plain values.

#![cfg(all(feature = "systems", feature = "jobs"))]

mod common;

use common::*;
use serde_json::json;
use tapis::Error;

#[tokio::test]
async fn a_json_body_is_sent_as_given_when_it_matches_the_type() {
    let server = server_answering(envelope_with_status(201, json!({"url": "u"}))).await;
    let body = json!({"id": "sys1", "systemType": "LINUX", "host": "h",
                      "defaultAuthnMethod": "PKI_KEYS", "canExec": false,
                      "jobRuntimes": [{"runtimeType": "DOCKER"}]});
    client(&server)
        .systems()
        .create_system()
        .body_json(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(only_request(&server).await.json(), body);
}

#[tokio::test]
async fn a_misspelt_key_is_refused_before_sending_with_its_path() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    // At the top level...
    let err = t
        .systems()
        .create_system()
        .body_json(json!({"id": "sys1", "systemType": "LINUX", "host": "h",
                          "defaultAuthnMethod": "PKI_KEYS", "canExecute": true}))
        .send()
        .await
        .unwrap_err();
    let Error::InvalidInput(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("createSystem"), "{message}");
    assert!(message.contains("ReqPostSystem"), "{message}");
    assert!(message.contains("`canExecute`"), "{message}");
    // ...and nested, with the JSON path.
    let err = t
        .systems()
        .create_system()
        .body_json(json!({"id": "sys1", "systemType": "LINUX", "host": "h",
                          "defaultAuthnMethod": "PKI_KEYS",
                          "jobRuntimes": [{"runtimeType": "DOCKER", "versoin": "1"}]}))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("jobRuntimes[0]"), "{err}");
    assert!(err.to_string().contains("`versoin`"), "{err}");
    // A value of the wrong type names its path too.
    let err = t
        .systems()
        .create_system()
        .body_json(json!({"id": "sys1", "systemType": "LINUX", "host": "h",
                          "defaultAuthnMethod": "PKI_KEYS", "canExec": "maybe"}))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("canExec"), "{err}");
    assert!(received(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn responses_still_keep_undeclared_keys() {
    // The strict check is for bodies the user gives, not what servers send.
    let server = server_answering(envelope(json!({"id": "s1", "newField": 1}))).await;
    let system = client(&server)
        .systems()
        .get_system()
        .system_id("s1")
        .send()
        .await
        .unwrap()
        .into_result();
    assert_eq!(system.extra["newField"], 1);
}

#[tokio::test]
async fn optional_body_fields_take_plain_values() {
    let server = server_answering(envelope(json!({"uuid": "j-1"}))).await;
    client(&server)
        .jobs()
        .submit_job()
        .body_map(|job| {
            job.name("hello")
                .app_id("app")
                .app_version("1")
                .exec_system_id("sys1")
                .max_minutes(5)
        })
        .send()
        .await
        .unwrap();
    let sent = only_request(&server).await.json();
    assert_eq!(sent["execSystemId"], "sys1");
    assert_eq!(sent["maxMinutes"], 5);
    assert_eq!(sent["name"], "hello");
}

#[tokio::test]
async fn a_token_given_in_the_wrong_place_is_not_quoted_in_the_error() {
    let server = server_answering(envelope(json!({}))).await;
    let err = client(&server)
        .systems()
        .create_system()
        .body_json(json!({"id": "sys1", "systemType": "LINUX", "host": "h",
                          "defaultAuthnMethod": "PKI_KEYS", "jobRuntimes": TOKEN}))
        .send()
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    // serde quotes a string where a list is declared.
    assert!(text.contains("jobRuntimes"), "{text}");
    assert!(!text.contains(&TOKEN[20..60]), "{text}");
    assert!(received(&server).await.is_empty());
}

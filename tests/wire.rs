//! Wire correctness: what goes out is what each Tapis service expects, not
//! only what its spec allows. Each test reads the exact request a recording
//! server received.

#![cfg(all(
    feature = "pods",
    feature = "meta",
    feature = "systems",
    feature = "files",
    feature = "apps",
    feature = "streams"
))]

mod common;

use common::*;
use serde_json::json;
use tapis::testing::TestServer;
use tapis::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn pods_path_parameters_are_plain_text() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    t.pods().get_pod().pod_id("mypod").send().await.unwrap();
    t.pods()
        .get_volume()
        .volume_id("my vol")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].path, "/v3/pods/mypod");
    assert_eq!(seen[1].path, "/v3/pods/volumes/my%20vol");
}

#[tokio::test]
async fn meta_filter_and_sort_go_out_as_json_text() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!([]))).await;
    let t = client(&server);
    t.meta()
        .list_documents()
        .db("db1")
        .collection("c1")
        .filter(json!({"name": "x"}).to_string())
        .sort(r#"{"name":1}"#)
        .keys(vec!["a".to_string(), "b".to_string()])
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(seen.path, "/v3/meta/db1/c1");
    let query: Vec<(&str, &str)> = seen
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(query.contains(&("filter", r#"{"name":"x"}"#)), "{query:?}");
    assert!(query.contains(&("sort", r#"{"name":1}"#)), "{query:?}");
    assert!(!query.iter().any(|(k, _)| *k == "name"), "{query:?}");
    // A list repeats its parameter.
    assert!(
        query.contains(&("keys", "a")) && query.contains(&("keys", "b")),
        "{query:?}"
    );
}

#[tokio::test]
async fn systems_free_form_search_parameters_expand_to_pairs() {
    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    let mut search = std::collections::HashMap::new();
    search.insert("host.like".to_string(), "*.tacc.*".to_string());
    t.systems()
        .search_systems_query_parameters()
        .free_form_parameter_name(search)
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(
        seen.query,
        [("host.like".to_string(), "*.tacc.*".to_string())]
    );
}

#[tokio::test]
async fn an_empty_file_path_is_refused_and_the_root_is_slash() {
    let server = server_answering(envelope(json!(null))).await;
    let t = client(&server);
    let err = t
        .files()
        .delete()
        .system_id("sys")
        .path("")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("path") && m.contains("empty")),
        "{err:?}"
    );
    assert!(received(&server).await.is_empty(), "nothing was sent");
    t.files()
        .delete()
        .system_id("sys")
        .path("/")
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("DELETE", "/v3/files/ops/sys/")
    );
}

#[tokio::test]
async fn bodyless_posts_puts_and_patches_send_content_length_zero() {
    let server = server_answering(envelope(json!(null))).await;
    let t = client(&server);
    t.systems()
        .delete_system()
        .system_id("s1")
        .send()
        .await
        .unwrap();
    t.apps().enable_app().app_id("a1").send().await.unwrap();
    let seen = received(&server).await;
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.method, "POST", "{}", request.path);
        assert_eq!(
            request.header_values("content-length"),
            ["0"],
            "{}",
            request.path
        );
        assert!(request.body.is_empty());
    }
}

#[tokio::test]
async fn get_tokens_uses_a_refresh_token_when_there_is_no_password() {
    let server = TestServer::builder()
        .oauth_client("cid", "ckey")
        .start()
        .await
        .unwrap();
    let first = tapis::Tapis::builder(server.url())
        .username(TestServer::USERNAME)
        .password(TestServer::PASSWORD)
        .client_id("cid")
        .client_key("ckey")
        .build()
        .unwrap()
        .get_tokens()
        .await
        .unwrap();
    let refresh = first
        .refresh_token
        .expect("a refresh token")
        .jwt()
        .to_string();
    server.clear_requests();
    let t = tapis::Tapis::builder(server.url())
        .refresh_token(refresh)
        .client_id("cid")
        .client_key("ckey")
        .build()
        .unwrap();
    let tokens = t.get_tokens().await.unwrap();
    assert!(tokens.access_token.is_some());
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body_json().unwrap()["grant_type"], "refresh_token");
    // With nothing to obtain tokens with, the error says what is missing.
    let bare = tapis::Tapis::builder(server.url()).build().unwrap();
    let err = bare.get_tokens().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("refresh token")),
        "{err}"
    );
}

#[tokio::test]
async fn a_transient_500_on_a_get_is_retried_by_default_but_not_on_a_post() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    let t = client_retrying_at_once(&server.uri(), tapis::RetryPolicy::default());
    t.systems().get_systems().send().await.unwrap();
    assert_eq!(received(&server).await.len(), 2);

    server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = t
        .systems()
        .delete_system()
        .system_id("s")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(received(&server).await.len(), 1, "a POST is not retried");

    // A status added to the defaults keeps them.
    let policy = tapis::RetryPolicy::default().also_retry_status(409);
    let server = MockServer::start().await;
    for status in [409, 500] {
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(any())
        .respond_with(envelope(json!([])))
        .mount(&server)
        .await;
    let t = client_retrying_at_once(&server.uri(), policy);
    t.systems().get_systems().send().await.unwrap();
    assert_eq!(received(&server).await.len(), 3);
}

#[tokio::test]
async fn an_auth_error_reports_the_status_and_message_of_its_cause() {
    let server = TestServer::builder()
        .user("u", "right")
        .start()
        .await
        .unwrap();
    let t = tapis::Tapis::builder(server.url())
        .username("u")
        .password("wrong")
        .build()
        .unwrap();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    // The token endpoint's answer to a wrong password (400, as Tapis sends).
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.message().is_some_and(|m| !m.is_empty()), "{err:?}");
}

#[cfg(feature = "notifications")]
#[tokio::test]
async fn notifications_free_form_search_parameters_expand_to_pairs() {
    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    let mut search = std::collections::HashMap::new();
    search.insert("typeFilter.like".to_string(), "jobs.*".to_string());
    t.notifications()
        .search_subscriptions_query_parameters()
        .free_form_parameter_name(search)
        .send()
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.query,
        [("typeFilter.like".to_string(), "jobs.*".to_string())]
    );
}

#[tokio::test]
async fn streams_geojson_goes_out_as_json_text() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    let polygon = json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]});
    let _ = t
        .streams()
        .list_measurements()
        .project_id("p")
        .site_id("s")
        .inst_id("i")
        .geojson(polygon.to_string())
        .send()
        .await;
    let seen = only_request(&server).await;
    let geojson: Vec<_> = seen.query.iter().filter(|(k, _)| k == "geojson").collect();
    assert_eq!(geojson.len(), 1, "{:?}", seen.query);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&geojson[0].1).unwrap(),
        polygon
    );
}

/// jobs' `listType` is declared as free text; the server accepts only
/// MY_JOBS, SHARED_JOBS and ALL_JOBS (tapis-jobs JobListingResource), so the
/// setter takes the enum, or a string naming one of the values.
#[cfg(feature = "jobs")]
#[tokio::test]
async fn jobs_list_type_is_one_of_the_server_values() {
    use tapis::jobs::types::JobListType;

    let server = server_answering(envelope(json!([]))).await;
    let t = client(&server);
    t.jobs()
        .get_job_list()
        .list_type(JobListType::SharedJobs)
        .send()
        .await
        .unwrap();
    t.jobs()
        .get_job_search_list()
        .list_type("ALL_JOBS")
        .send()
        .await
        .unwrap();
    let seen = received(&server).await;
    assert_eq!(seen[0].query, [("listType".into(), "SHARED_JOBS".into())]);
    assert_eq!(seen[1].query, [("listType".into(), "ALL_JOBS".into())]);
    // A value the server would refuse is refused before sending.
    let err = t
        .jobs()
        .get_job_list()
        .list_type("EVERYONE'S_JOBS")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(m) if m.contains("listType")),
        "{err:?}"
    );
    assert_eq!(received(&server).await.len(), 2);
}

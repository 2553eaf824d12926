//! One generated call per service against a real HTTP server on 127.0.0.1:
//! method, path (with the `/v3` prefix normalisation adds), query, JSON body
//! and `X-Tapis-Token` are asserted, and the typed response is decoded.

mod common;

use common::*;
use serde_json::json;

/// One `POST` that creates something, per service: the body goes in as
/// JSON (`.body_json`, checked against the declared type), the request must
/// reach `path` with exactly that body and the token, and the answer
/// (`answer` as the envelope's `result`) must decode into the typed response
/// and serialise back unchanged.
macro_rules! creates {
    ($(
        $(#[$note:meta])*
        $name:ident: $feature:literal, |$t:ident| $call:expr, $body:expr => $path:literal, $answer:expr;
    )+) => {$(
        $(#[$note])*
        #[cfg(feature = $feature)]
        #[tokio::test]
        async fn $name() {
            let (body, answer) = ($body, $answer);
            let server = server_answering(envelope(answer.clone())).await;
            let $t = client(&server);
            let response = $call.body_json(body.clone()).send().await.unwrap();
            let typed = serde_json::to_value(response.into_inner()).unwrap();
            assert_eq!(typed["result"], answer, "the typed answer keeps what was sent");
            assert_request(&only_request(&server).await, "POST", $path, &[], Some(body));
        }
    )+};
}

creates! {
    /// Declared 201; servers may answer any 2xx, as tapipy accepts.
    actors_create_actor: "actors", |t| t.actors().create_actor(),
        json!({"image": "abacosamples/test", "stateless": true})
        => "/v3/actors", json!({"id": "A1", "image": "abacosamples/test"});
    apps_create_app_version: "apps", |t| t.apps().create_app_version(),
        json!({"id": "app1", "version": "0.1", "containerImage": "docker.io/hello:1"})
        => "/v3/apps", json!({"url": "http://x/v3/apps/app1"});
    authenticator_create_client: "authenticator", |t| t.authenticator().create_client(),
        json!({"client_id": "c1", "description": "test client"})
        => "/v3/oauth2/clients", json!({"client_id": "c1"});
    /// The jobs spec declares `/jobs/submit`; the server serves it under /v3.
    jobs_submit_job: "jobs", |t| t.jobs().submit_job(),
        json!({"name": "hello", "appId": "app1", "appVersion": "0.1", "parameterSet": {"appArgs": [{"arg": "--x"}]}})
        => "/v3/jobs/submit", json!({"uuid": "j-1", "status": "PENDING"});
    notifications_post_subscription: "notifications", |t| t.notifications().post_subscription(),
        json!({"typeFilter": "jobs.*.*", "subjectFilter": "*",
               "deliveryTargets": [{"deliveryMethod": "EMAIL", "deliveryAddress": "me@example.org"}]})
        => "/v3/notifications/subscriptions", json!({"url": "u"});
    /// The rows created (capture pgrest.add_table_row.2021-03-23).
    pgrest_add_table_row: "pgrest", |t| t.pgrest().add_table_row().root_url("my_table"),
        json!({"data": {"col": 1}})
        => "/v3/pgrest/data/my_table", json!([{"col": 1}]);
    /// pods is OpenAPI 3.1 and declares `/pods`.
    pods_create_pod: "pods", |t| t.pods().create_pod(),
        json!({"pod_id": "p1", "image": "nginx"})
        => "/v3/pods", json!({"pod_id": "p1"});
    streams_create_project: "streams", |t| t.streams().create_project(),
        json!({"project_name": "p", "owner": "me", "pi": "dr who"})
        => "/v3/streams/projects", json!({"project_name": "p"});
    tenants_create_site: "tenants", |t| t.tenants().create_site(),
        json!({"site_id": "s1", "base_url": "https://s1.example.org", "primary": false,
               "services": ["systems"], "site_admin_tenant_id": "admin"})
        => "/v3/sites", json!({"site_id": "s1", "base_url": "https://s1.example.org", "primary": false,
                               "services": ["systems"], "site_admin_tenant_id": "admin"});
    tokens_create_token: "tokens", |t| t.tokens().create_token(),
        json!({"account_type": "service", "token_tenant_id": "admin", "token_username": "files"})
        => "/v3/tokens", json!({});
    workflows_create_group: "workflows", |t| t.workflows().create_group(),
        json!({"id": "group-1"})
        => "/v3/workflows/groups", json!({"url": "u"});
}

#[cfg(feature = "actors")]
#[tokio::test]
async fn actors_path_without_v3_and_doubled_slashes_are_normalised() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    // Declared as `/actors/{actor_id}//messages` (no /v3, doubled slash).
    t.actors()
        .send_binary_message()
        .actor_id("a1")
        .body(b"raw bytes".to_vec())
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(seen.path, "/v3/actors/a1/messages");
    assert_eq!(
        seen.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(seen.body, b"raw bytes");
}

#[cfg(feature = "files")]
#[tokio::test]
async fn files_mkdir_and_list() {
    let server = server_answering(envelope(json!("ok"))).await;
    let body = json!({"path": "/data/new dir"});
    client(&server)
        .files()
        .mkdir()
        .system_id("sys1")
        .body(common::body::<tapis::files::types::MkdirRequest>(
            body.clone(),
        ))
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/files/ops/sys1",
        &[],
        Some(body),
    );

    let server = server_answering(envelope(
        json!([{"name": "a.txt", "size": 3, "type": "file"}]),
    ))
    .await;
    let listing = client(&server)
        .files()
        .list_files()
        .system_id("sys1")
        .path("data/in")
        .limit(10)
        .offset(20)
        .recurse(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listing.into_inner().result.unwrap()[0].name.as_deref(),
        Some("a.txt")
    );
    assert_request(
        &only_request(&server).await,
        "GET",
        "/v3/files/ops/sys1/data/in",
        &[("limit", "10"), ("offset", "20"), ("recurse", "true")],
        None,
    );
}

#[cfg(feature = "globus-proxy")]
#[tokio::test]
async fn globus_proxy_make_dir() {
    let server = server_answering(envelope(json!({}))).await;
    let t = client(&server);
    let body = json!({});
    t.globus_proxy()
        .make_dir()
        .client_id("cid")
        .endpoint_id("ep-1")
        .path("/~/new dir")
        .access_token("globus-at")
        .refresh_token("globus-rt")
        .body(common::body::<tapis::globus_proxy::types::ReqMakeDir>(
            body.clone(),
        ))
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/globus-proxy/ops/cid/ep-1/~/new%20dir",
        &[
            ("access_token", "globus-at"),
            ("refresh_token", "globus-rt"),
        ],
        Some(body),
    );
}

#[cfg(feature = "globus-proxy")]
#[tokio::test]
async fn required_query_parameters_are_sent_and_unset_optional_ones_are_not() {
    // listFiles: access_token and refresh_token required; limit, offset and
    // filter optional (the generated code adds an optional one only when set).
    // The server answers the Globus SDK's listing object
    // (tapis-project/globus-proxy service/controllers/ops.py: `result.data`).
    let server = server_answering(envelope(json!({"DATA": []}))).await;
    let t = client(&server);
    t.globus_proxy()
        .list_files()
        .client_id("cid")
        .endpoint_id("ep-1")
        .path("data")
        .access_token("globus-at")
        .refresh_token("globus-rt")
        .limit(10)
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "GET",
        "/v3/globus-proxy/ops/cid/ep-1/data",
        &[
            ("access_token", "globus-at"),
            ("refresh_token", "globus-rt"),
            ("limit", "10"),
        ],
        None,
    );

    // A required one left unset is refused before anything is sent.
    let err = t
        .globus_proxy()
        .list_files()
        .client_id("cid")
        .endpoint_id("ep-1")
        .path("data")
        .access_token("globus-at")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, tapis::Error::InvalidInput(m) if m.contains("refresh_token")),
        "{err:?}"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        1
    );
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn meta_create_document() {
    // Declared 201 with JSON; meta answers with an empty body.
    let server = server_answering(wiremock::ResponseTemplate::new(201).set_body_string("")).await;
    let t = client(&server);
    let doc = json!({"name": "doc1", "values": [1, 2, 3]});
    let mut map = serde_json::Map::new();
    map.extend(doc.as_object().unwrap().clone());
    t.meta()
        .create_document()
        .db("StreamsDB")
        .collection("c 1")
        .basic(true)
        .body(map)
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/meta/StreamsDB/c%201",
        &[("basic", "true")],
        Some(doc),
    );
}

#[cfg(feature = "sk")]
#[tokio::test]
async fn sk_write_secret_and_its_204() {
    let server = server_answering(envelope(json!({"version": 1}))).await;
    let t = client(&server);
    let body = json!({"tenant": "dev", "user": "me", "data": {"key": "value"}});
    t.sk()
        .write_secret()
        .secret_type("user")
        .secret_name("my secret")
        .sysid("sys1")
        .body(common::body::<tapis::sk::types::ReqWriteSecret>(
            body.clone(),
        ))
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/security/vault/secret/user/my%20secret",
        &[("sysid", "sys1")],
        Some(body.clone()),
    );

    // The spec also declares 204: it decodes to an empty envelope, status kept.
    let server = server_answering(wiremock::ResponseTemplate::new(204)).await;
    let t = client(&server);
    let resp = t
        .sk()
        .write_secret()
        .secret_type("user")
        .secret_name("s")
        .body(common::body::<tapis::sk::types::ReqWriteSecret>(body))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.into_inner().result.is_none());
}

#[cfg(feature = "systems")]
#[tokio::test]
async fn systems_create_and_search() {
    let created = envelope_with_status(201, json!({"url": "http://x/v3/systems/sys1"}));
    let server = server_answering(created).await;
    let body = json!({"id": "sys1", "systemType": "LINUX", "host": "login.example.org", "defaultAuthnMethod": "PKI_KEYS", "canExec": false});
    let resp = client(&server)
        .systems()
        .create_system()
        .skip_credential_check(true)
        .body(common::body::<tapis::systems::types::ReqPostSystem>(
            body.clone(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    assert_request(
        &only_request(&server).await,
        "POST",
        "/v3/systems",
        &[("skipCredentialCheck", "true")],
        Some(body),
    );

    let server = server_answering(envelope(json!([]))).await;
    client(&server)
        .systems()
        .get_systems()
        .search("(id.like.my*)~(enabled.eq.true)")
        .limit(5)
        .compute_total(true)
        .send()
        .await
        .unwrap();
    assert_request(
        &only_request(&server).await,
        "GET",
        "/v3/systems",
        &[
            ("computeTotal", "true"),
            ("limit", "5"),
            ("search", "(id.like.my*)~(enabled.eq.true)"),
        ],
        None,
    );
}

#[cfg(feature = "workflows")]
#[test]
fn workflows_job_definition_is_the_typed_jobs_schema() {
    // The external $ref to the jobs spec's ReqSubmitJob was resolved from the
    // vendored jobs spec, so the type is a real struct, not a JSON blob.
    let job: tapis::workflows::types::ReqSubmitJob =
        serde_json::from_value(json!({"name": "n", "appId": "a", "appVersion": "1"})).unwrap();
    assert_eq!(job.app_id, "a");
}

/// A list call with query parameters (progenitor sends them sorted by name), for the services whose chosen create
/// call above has none (pgrest, tokens and workflows declare no query
/// parameters at all).
macro_rules! list_with_query {
    ($name:ident, $feature:literal, |$t:ident| $call:expr, $path:literal, $query:expr) => {
        #[cfg(feature = $feature)]
        #[tokio::test]
        async fn $name() {
            let server = server_answering(envelope(json!([]))).await;
            let $t = client(&server);
            $call.send().await.unwrap();
            assert_request(&only_request(&server).await, "GET", $path, $query, None);
        }
    };
}

list_with_query!(
    actors_list_with_query,
    "actors",
    |t| t.actors().list_actors().limit(5).offset(10),
    "/v3/actors",
    &[("limit", "5"), ("offset", "10")]
);
list_with_query!(
    apps_list_with_query,
    "apps",
    |t| t.apps().get_apps().search("(version.like.1*)").limit(3),
    "/v3/apps",
    &[("limit", "3"), ("search", "(version.like.1*)")]
);
list_with_query!(
    authenticator_list_with_query,
    "authenticator",
    |t| t.authenticator().list_clients().limit(2).offset(4),
    "/v3/oauth2/clients",
    &[("limit", "2"), ("offset", "4")]
);
list_with_query!(
    notifications_list_with_query,
    "notifications",
    |t| t
        .notifications()
        .get_subscriptions()
        .search("(owner.eq.me)")
        .skip(1),
    "/v3/notifications/subscriptions",
    &[("search", "(owner.eq.me)"), ("skip", "1")]
);
list_with_query!(
    pods_list_with_query,
    "pods",
    |t| t.pods().list_templates_and_tags().full(true),
    "/v3/pods/templates/tags",
    &[("full", "true")]
);
list_with_query!(
    streams_list_with_query,
    "streams",
    |t| t
        .streams()
        .list_projects()
        .query("{\"owner\":\"me\"}")
        .limit(7)
        .skip(14),
    "/v3/streams/projects",
    &[
        ("limit", "7"),
        ("query", "{\"owner\":\"me\"}"),
        ("skip", "14")
    ]
);
list_with_query!(
    tenants_list_with_query,
    "tenants",
    |t| t.tenants().list_tenants().limit(1).offset(0),
    "/v3/tenants",
    &[("limit", "1"), ("offset", "0")]
);

#[cfg(feature = "systems")]
#[tokio::test]
async fn systems_free_form_query_expands_to_key_value_pairs() {
    // searchSystemsQueryParameters declares an object query parameter; Tapis
    // expects `?owner.eq=jdoe&enabled.eq=true`, not a JSON blob.
    let server = server_answering(envelope(json!([]))).await;
    let filters = std::collections::HashMap::from([
        ("owner.eq".to_string(), "jdoe".to_string()),
        ("enabled.eq".to_string(), "true".to_string()),
    ]);
    client(&server)
        .systems()
        .search_systems_query_parameters()
        .free_form_parameter_name(filters)
        .limit(2)
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(seen.path, "/v3/systems/search");
    let mut query = seen.query.clone();
    query.sort();
    let expected = [("enabled.eq", "true"), ("limit", "2"), ("owner.eq", "jdoe")];
    assert_eq!(query, expected.map(|(k, v)| (k.to_string(), v.to_string())));
}

//! Per-call request controls on the generated operations: extra headers and
//! query parameters on one operation of every service, the tracking id rules
//! (tapipy's), header spellings, per-call timeouts and token override.

mod common;

use common::*;
use serde_json::json;

/// What every passthrough test adds to its call.
const EXTRA_QUERY: [(&str, &str); 4] = [
    ("owner.eq", "jdoe"),
    ("search", "(id.like.my*)~(enabled.eq.true)"),
    ("tag", "x"),
    ("tag", "y"),
];

/// One operation per service: the spec's own query parameters come first
/// (progenitor sorts them by name), then the extras in insertion order with
/// repeated names kept; extra headers arrive, repeated ones in order, and the
/// tracking id goes out as `X-Tapis-Tracking-ID`.
macro_rules! passthrough {
    ($name:ident, $feature:literal, |$t:ident| $call:expr, $path:literal, $spec_query:expr) => {
        passthrough!(
            $name,
            $feature,
            |$t| $call,
            $path,
            $spec_query,
            envelope(json!([]))
        );
    };
    ($name:ident, $feature:literal, |$t:ident| $call:expr, $path:literal, $spec_query:expr, $response:expr) => {
        #[cfg(feature = $feature)]
        #[tokio::test]
        async fn $name() {
            let server = server_answering($response).await;
            let $t = client(&server);
            $call
                .tapis_header("X-Gateway", "portal-1")
                .tapis_headers([("X-Multi", "a"), ("X-Multi", "b")])
                .tapis_query(EXTRA_QUERY[0].0, EXTRA_QUERY[0].1)
                .tapis_query_params(EXTRA_QUERY[1..].iter().copied())
                .tracking_id("myns.abc-123")
                .send()
                .await
                .expect("the call succeeds");
            let seen = only_request(&server).await;
            let spec: &[(&str, &str)] = $spec_query;
            let expected: Vec<(String, String)> = spec
                .iter()
                .chain(EXTRA_QUERY.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(seen.path, $path);
            assert_eq!(seen.query, expected);
            assert_eq!(seen.header_values("x-gateway"), ["portal-1"]);
            assert_eq!(seen.header_values("x-multi"), ["a", "b"]);
            assert_eq!(seen.header_values("x-tapis-tracking-id"), ["myns.abc-123"]);
            assert_eq!(seen.token.as_deref(), Some(TOKEN));
        }
    };
}

passthrough!(
    actors_passthrough,
    "actors",
    |t| t.actors().list_actors().limit(5),
    "/v3/actors",
    &[("limit", "5")]
);
passthrough!(
    apps_passthrough,
    "apps",
    |t| t.apps().get_apps().limit(3),
    "/v3/apps",
    &[("limit", "3")]
);
passthrough!(
    authenticator_passthrough,
    "authenticator",
    |t| t.authenticator().list_clients().limit(2),
    "/v3/oauth2/clients",
    &[("limit", "2")]
);
passthrough!(
    files_passthrough,
    "files",
    |t| t
        .files()
        .list_files()
        .system_id("s1")
        .path("dir/a b")
        .limit(1),
    "/v3/files/ops/s1/dir/a%20b",
    &[("limit", "1")]
);
passthrough!(
    globus_proxy_passthrough,
    "globus-proxy",
    |t| t.globus_proxy().health_check(),
    "/v3/globus-proxy/healthcheck",
    &[],
    envelope(json!({}))
);
passthrough!(
    jobs_passthrough,
    "jobs",
    |t| t.jobs().get_job_list().limit(4),
    "/v3/jobs/list",
    &[("limit", "4")]
);
passthrough!(
    meta_passthrough,
    "meta",
    |t| t.meta().list_documents().db("d").collection("c").page(2),
    "/v3/meta/d/c",
    &[("page", "2")],
    // meta answers with plain documents, not an envelope.
    wiremock::ResponseTemplate::new(200).set_body_json(json!([{"_id": 1}]))
);
passthrough!(
    notifications_passthrough,
    "notifications",
    |t| t.notifications().get_subscriptions().skip(1),
    "/v3/notifications/subscriptions",
    &[("skip", "1")]
);
passthrough!(
    pgrest_passthrough,
    "pgrest",
    |t| t.pgrest().list_tables(),
    "/v3/pgrest/manage/tables",
    &[]
);
passthrough!(
    pods_passthrough,
    "pods",
    |t| t.pods().list_templates_and_tags().full(true),
    "/v3/pods/templates/tags",
    &[("full", "true")]
);
passthrough!(
    sk_passthrough,
    "sk",
    |t| t.sk().check_health(),
    "/v3/security/healthcheck",
    &[],
    envelope(json!({}))
);
passthrough!(
    streams_passthrough,
    "streams",
    |t| t.streams().list_projects().limit(7),
    "/v3/streams/projects",
    &[("limit", "7")]
);
passthrough!(
    systems_passthrough,
    "systems",
    |t| t.systems().get_systems().limit(5).show_deleted(false),
    "/v3/systems",
    &[("limit", "5"), ("showDeleted", "false")]
);
passthrough!(
    tenants_passthrough,
    "tenants",
    |t| t.tenants().list_tenants().limit(1),
    "/v3/tenants",
    &[("limit", "1")]
);
passthrough!(
    tokens_passthrough,
    "tokens",
    |t| t.tokens().hello(),
    "/v3/tokens/hello",
    &[]
);
passthrough!(
    workflows_passthrough,
    "workflows",
    |t| t.workflows().list_groups(),
    "/v3/workflows/groups",
    &[]
);

#[cfg(feature = "systems")]
mod systems {
    use super::*;
    use std::time::Duration;
    use tapis::Error;

    /// Sends a `getSystems` with the given tracking id and returns the error
    /// message, asserting nothing reached the server.
    async fn rejected(id: &str) -> String {
        let server = server_answering(envelope(json!([]))).await;
        let err = client(&server)
            .systems()
            .get_systems()
            .tracking_id(id)
            .send()
            .await
            .expect_err("an invalid tracking id is refused");
        assert!(received(&server).await.is_empty(), "`{id}` was sent");
        match err {
            Error::InvalidInput(message) => message,
            other => panic!("`{id}`: expected InvalidInput, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn invalid_tracking_ids_are_refused_naming_the_rule() {
        let long = format!("ns.{}", "a".repeat(124));
        assert_eq!(long.len(), 127);
        for (id, rule) in [
            ("nodot", "exactly one `.`"),
            ("a.b.c", "exactly one `.`"),
            (".x", "start or end"),
            ("x.", "start or end"),
            ("ns.bad id", "the id"),
            ("ñs.x", "ASCII"),
            (long.as_str(), "at most 126"),
            ("my-ns.x", "the namespace"),
            ("ns.my_id", "the id"),
        ] {
            let message = rejected(id).await;
            assert!(message.contains(rule), "`{id}`: {message}");
        }
    }

    #[tokio::test]
    async fn a_valid_tracking_id_of_126_characters_is_sent() {
        let server = server_answering(envelope(json!([]))).await;
        let id = format!("my_ns.{}", "a-1".repeat(40));
        assert_eq!(id.len(), 126);
        client(&server)
            .systems()
            .get_systems()
            .tracking_id(id.clone())
            .send()
            .await
            .unwrap();
        let seen = only_request(&server).await;
        assert_eq!(seen.header_values("X-Tapis-Tracking-ID"), [id.as_str()]);
    }

    #[tokio::test]
    async fn tracking_header_spellings_count_as_the_tracking_id() {
        for spelling in [
            "x_tapis_tracking_id",
            "X-TAPIS-TRACKING-ID",
            "x-Tapis-Tracking-Id",
        ] {
            let server = server_answering(envelope(json!([]))).await;
            client(&server)
                .systems()
                .get_systems()
                .tapis_header(spelling, "ns.id-1")
                .send()
                .await
                .unwrap();
            let seen = only_request(&server).await;
            assert_eq!(
                seen.header_values("x-tapis-tracking-id"),
                ["ns.id-1"],
                "{spelling}"
            );
            assert!(seen.header_values("x_tapis_tracking_id").is_empty());
        }
        // The header spelling is validated too.
        let server = server_answering(envelope(json!([]))).await;
        let err = client(&server)
            .systems()
            .get_systems()
            .tapis_header("x_tapis_tracking_id", "nodot")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn tracking_id_given_twice_is_an_error() {
        let server = server_answering(envelope(json!([]))).await;
        let err = client(&server)
            .systems()
            .get_systems()
            .tracking_id("ns.a")
            .tapis_header("X-Tapis-Tracking-ID", "ns.b")
            .send()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn bad_header_names_and_values_are_refused_before_sending() {
        let server = server_answering(envelope(json!([]))).await;
        let t = client(&server);
        let err = t
            .systems()
            .get_systems()
            .tapis_header("bad name", "v")
            .send()
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("`bad name` is not a valid HTTP header name"),
            "{err}"
        );
        let err = t
            .systems()
            .get_systems()
            .tapis_header("X-Ok", "line\nbreak")
            .send()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("`X-Ok`"), "{err}");
        let err = t
            .systems()
            .get_systems()
            .tapis_query("", "v")
            .send()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("empty name"), "{err}");
        assert!(received(&server).await.is_empty());
    }

    #[tokio::test]
    async fn a_per_call_token_header_replaces_the_clients() {
        let server = server_answering(envelope(json!([]))).await;
        client(&server)
            .systems()
            .get_systems()
            .tapis_header("X-Tapis-Token", "other.user.jwt")
            .send()
            .await
            .unwrap();
        let seen = only_request(&server).await;
        assert_eq!(seen.header_values("x-tapis-token"), ["other.user.jwt"]);
    }

    #[tokio::test]
    async fn spec_header_parameters_and_booleans() {
        // Booleans go out as `true`/`false`.
        let server = server_answering(envelope(json!({}))).await;
        client(&server)
            .systems()
            .get_system()
            .system_id("s1")
            .return_credentials(true)
            .select("id,host")
            .send()
            .await
            .unwrap();
        let seen = only_request(&server).await;
        assert_eq!(seen.path, "/v3/systems/s1");
        assert!(
            seen.query
                .contains(&("returnCredentials".into(), "true".into())),
            "{:?}",
            seen.query
        );
    }

    #[tokio::test]
    async fn a_per_call_timeout_gives_a_timeout_error() {
        let server = server_answering(envelope(json!([])).set_delay(Duration::from_secs(5))).await;
        let err = client(&server)
            .systems()
            .get_systems()
            .timeout(Duration::from_millis(200))
            .retry_policy(tapis::RetryPolicy::none())
            .send()
            .await
            .unwrap_err();
        match &err {
            Error::Network { kind, url, .. } => {
                assert_eq!(*kind, tapis::error::NetworkErrorKind::Timeout);
                assert!(url.ends_with("/v3/systems"), "{url}");
            }
            other => panic!("expected a timeout, got {other:?}"),
        }
        assert!(!err.is_retryable() || err.to_string().contains("timed out"));
    }

    #[tokio::test]
    async fn prepared_call_options_apply_to_any_builder() {
        let server = server_answering(envelope(json!([]))).await;
        let options = tapis::CallOptions::new()
            .tapis_query("owner.eq", "jdoe")
            .tracking_id("ns.shared-1");
        let t = client(&server);
        t.systems()
            .get_systems()
            .call_options(options.clone())
            .send()
            .await
            .unwrap();
        t.systems()
            .get_systems()
            .limit(1)
            .call_options(options)
            .send()
            .await
            .unwrap();
        let seen = received(&server).await;
        assert_eq!(
            seen[0].query,
            [("owner.eq".to_string(), "jdoe".to_string())]
        );
        assert_eq!(seen[1].query.len(), 2);
        assert!(seen
            .iter()
            .all(|s| s.header_values("x-tapis-tracking-id") == ["ns.shared-1"]));
    }

    #[test]
    fn call_options_debug_hides_header_values() {
        let options = tapis::CallOptions::new()
            .tapis_header("X-Tapis-Token", "secret.jwt.value")
            .tapis_query("access_token", "secret.jwt.value");
        let shown = format!("{options:?}");
        assert!(!shown.contains("secret.jwt.value"), "{shown}");
        assert!(shown.contains("X-Tapis-Token"), "{shown}");
    }
}

#[cfg(feature = "meta")]
#[tokio::test]
async fn spec_declared_header_parameters_are_typed_methods() {
    let server = server_answering(wiremock::ResponseTemplate::new(204)).await;
    let t = client(&server);
    t.meta()
        .delete_collection()
        .db("d")
        .collection("c")
        .if_match("5f2a-etag")
        .send()
        .await
        .unwrap();
    let seen = only_request(&server).await;
    assert_eq!(seen.method, "DELETE");
    assert_eq!(seen.header_values("if-match"), ["5f2a-etag"]);
    // A value that cannot be a header is refused, naming the parameter.
    let err = t
        .meta()
        .delete_collection()
        .db("d")
        .collection("c")
        .if_match("bad\r\nvalue")
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`If-Match`"), "{err}");
    assert_eq!(received(&server).await.len(), 1);
}

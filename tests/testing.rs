//! `tapis::testing::TestServer`: its tokens, recording, registered answers,
//! faults and stateful core, driven through the SDK over real HTTP.

use std::time::{Duration, Instant};

use serde_json::json;
use tapis::testing::{Reply, TestServer};
use tapis::{Error, Tapis};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("test body matches the spec's schema")
}

/// An error and its causes, on one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// An error's HTTP status, when it has one.
fn status(err: &Error) -> Option<u16> {
    err.status().map(|s| s.as_u16())
}

/// The username `get_userinfo` answers.
async fn whoami(t: &Tapis) -> Result<Option<String>> {
    Ok(t.authenticator()
        .get_userinfo()
        .send()
        .await?
        .into_result()
        .username)
}

fn logged_in(server: &TestServer) -> Result<Tapis> {
    Ok(Tapis::builder(server.url())
        .username(TestServer::USERNAME)
        .password(TestServer::PASSWORD)
        .build()?)
}

async fn create_system(t: &Tapis, id: &str, host: &str, can_exec: bool) -> Result {
    t.systems()
        .create_system()
        .body(body::<tapis::systems::types::ReqPostSystem>(json!({
            "id": id, "systemType": "LINUX", "host": host,
            "defaultAuthnMethod": "PKI_KEYS", "canExec": can_exec
        })))
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn password_login_tokens_verify_with_the_servers_key() -> Result {
    let server = TestServer::start().await?;
    let t = logged_in(&server)?;
    assert_eq!(whoami(&t).await?.as_deref(), Some(TestServer::USERNAME));

    // The token the client got is RS256-signed with the key /v3/tenants
    // publishes.
    let access = t.current_tokens().access_token.expect("logged in");
    let claims = t.validate_token(access.jwt()).await?;
    assert_eq!(claims.username.as_deref(), Some(TestServer::USERNAME));
    assert_eq!(claims.token_type.as_deref(), Some("access"));
    let tenant = t.tenant().await?;
    assert_eq!(tenant.public_key.as_deref(), Some(server.public_key_pem()));

    let login = &server.requests_to("authenticator", "create_token").unwrap()[0];
    let sent = login.body_json().unwrap();
    assert_eq!(sent["grant_type"], "password");
    assert_eq!(sent["username"], TestServer::USERNAME);

    // A token signed by someone else is refused.
    let forged = Tapis::builder(server.url())
        .access_token(common_token())
        .build()?;
    let err = forged.validate_token(common_token()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidToken(_)), "{err}");
    Ok(())
}

/// A JWT signed with a key the server does not know.
fn common_token() -> &'static str {
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6InRlc3R1c2VyQGRldiIsInRhcGlzL3RlbmFudF9pZCI6ImRldiIsInRhcGlzL3VzZXJuYW1lIjoidGVzdHVzZXIiLCJ0YXBpcy90b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"
}

#[tokio::test]
async fn bad_passwords_and_missing_oauth_clients_are_refused() -> Result {
    let server = TestServer::builder()
        .user("alice", "wonderland")
        .oauth_client("gateway", "s3cret")
        .start()
        .await?;
    let without_client = Tapis::builder(server.url())
        .username("alice")
        .password("wonderland")
        .build()?;
    let err = without_client
        .authenticator()
        .get_userinfo()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    assert!(
        chain(&err).contains("Invalid client credentials"),
        "{}",
        chain(&err)
    );

    let wrong_password = Tapis::builder(server.url())
        .username("alice")
        .password("nope")
        .client_id("gateway")
        .client_key("s3cret")
        .build()?;
    let err = wrong_password
        .authenticator()
        .get_userinfo()
        .send()
        .await
        .unwrap_err();
    assert!(
        chain(&err).contains("Invalid username/password"),
        "{}",
        chain(&err)
    );

    let good = Tapis::builder(server.url())
        .username("alice")
        .password("wonderland")
        .client_id("gateway")
        .client_key("s3cret")
        .build()?;
    assert_eq!(whoami(&good).await?.as_deref(), Some("alice"));
    Ok(())
}

#[tokio::test]
async fn short_lived_access_tokens_are_refreshed_with_the_refresh_grant() -> Result {
    // 2 s tokens are within the client's 60 s refresh margin: a token the
    // client obtained is used for half its lifetime, then refreshed with the
    // refresh grant (not on every call: that was a refresh storm).
    let server = TestServer::builder()
        .access_token_ttl(Duration::from_secs(2))
        .start()
        .await?;
    let t = logged_in(&server)?;
    for _ in 0..3 {
        t.authenticator().get_userinfo().send().await?;
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    let grants: Vec<String> = server
        .requests_to("authenticator", "create_token")
        .unwrap()
        .iter()
        .map(|r| {
            r.body_json().unwrap()["grant_type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(grants[0], "password");
    assert!(
        grants[1..].iter().all(|g| g == "refresh_token"),
        "{grants:?}"
    );
    // Three calls 0.6 s apart: one or two refreshes, not one per call.
    assert!((2..=3).contains(&grants.len()), "{grants:?}");
    // Every userinfo call carried a token the server accepted.
    assert_eq!(
        server
            .requests_to("authenticator", "get_userinfo")
            .unwrap()
            .len(),
        3
    );
    Ok(())
}

#[tokio::test]
async fn protected_routes_need_a_valid_token() -> Result {
    let server = TestServer::start().await?;
    let t = Tapis::builder(server.url()).build()?;
    let http = t.http_client();
    let url = format!("{}/v3/systems", server.url());
    let none = http.get(&url).send().await?;
    assert_eq!(none.status(), 401);
    let envelope: serde_json::Value = none.json().await?;
    assert_eq!(envelope["status"], "error");
    assert!(envelope["message"]
        .as_str()
        .unwrap()
        .contains("X-Tapis-Token"));

    let expired = server.expired_access_token("testuser", Duration::from_secs(5));
    let answer = http
        .get(&url)
        .header("x-tapis-token", expired)
        .send()
        .await?;
    assert_eq!(answer.status(), 401);
    let err = t
        .request(tapis::reqwest::Method::GET, "/v3/systems")
        .tapis_header("x-tapis-token", common_token())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(401), "{err}");

    // Public routes answer without one.
    let tenants = http
        .get(format!("{}/v3/tenants", server.url()))
        .send()
        .await?;
    assert_eq!(tenants.status(), 200);

    // require_token(false) lets foreign tokens through.
    let lenient = TestServer::builder().require_token(false).start().await?;
    let t = Tapis::builder(lenient.url())
        .access_token(common_token())
        .build()?;
    assert_eq!(whoami(&t).await?.as_deref(), Some("testuser"));
    Ok(())
}

#[tokio::test]
async fn every_request_is_recorded_with_its_operation() -> Result {
    let server = TestServer::start().await?;
    let t = server.client()?;
    create_system(&t, "sys1", "h1", true).await?;
    t.systems()
        .get_systems()
        .limit(5)
        .tapis_query("host.eq", "h1")
        .tracking_id("tests.recorded-1")
        .send()
        .await?;
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let create = &requests[0];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/v3/systems")
    );
    assert_eq!(create.body_json().unwrap()["id"], "sys1");
    assert_eq!(create.operation.as_ref().unwrap().id, "createSystem");
    let list = &requests[1];
    assert_eq!(list.query_value("limit"), Some("5"));
    assert_eq!(list.query_value("host.eq"), Some("h1"));
    assert_eq!(list.header("x-tapis-tracking-id"), Some("tests.recorded-1"));
    assert!(list.header("x-tapis-token").is_some());
    // Tokens stay out of Debug output.
    let shown = format!("{list:?}");
    assert!(shown.contains("<redacted>") && !shown.contains(list.header("x-tapis-token").unwrap()));

    assert_eq!(
        server.requests_to("systems", "getSystems").unwrap().len(),
        1
    );
    server.clear_requests();
    assert!(server.requests().is_empty());
    Ok(())
}

#[tokio::test]
async fn registered_answers_take_precedence_and_run_out() -> Result {
    let server = TestServer::start().await?;
    let t = server.client()?;
    create_system(&t, "sys1", "h1", true).await?;
    server
        .on_operation("systems", "getSystem")
        .unwrap()
        .times(2)
        .reply(Reply::error(404, "gone for now"));
    server.on("GET", "/v3/systems/{id}").times(1).reply(
        Reply::envelope(json!({"id": "stubbed", "host": "elsewhere"}))
            .with_header("x-served-by", "stub"),
    );
    // Registered last, used first; then the 404s twice; then the core.
    let first = t.systems().get_system().system_id("sys1").send().await?;
    assert_eq!(first.headers().get("x-served-by").unwrap(), "stub");
    assert_eq!(first.into_result().id.unwrap().to_string(), "stubbed");
    for _ in 0..2 {
        let err = t
            .systems()
            .get_system()
            .system_id("sys1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(status(&err), Some(404));
        assert!(err.to_string().contains("gone for now"), "{err}");
    }
    let real = t
        .systems()
        .get_system()
        .system_id("sys1")
        .send()
        .await?
        .into_result();
    assert_eq!(real.host.unwrap().to_string(), "h1");

    server
        .on_operation("systems", "getSystem")
        .unwrap()
        .reply(Reply::bytes(200, "text/plain", "not json"));
    let err = t
        .systems()
        .get_system()
        .system_id("sys1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err}");
    server.clear_stubs();
    t.systems().get_system().system_id("sys1").send().await?;

    // Operations outside the core say so; unknown paths are 404s.
    let err = t
        .jobs()
        .get_job_history()
        .job_uuid("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(501));
    assert!(
        err.to_string()
            .contains("on_operation(\"jobs\", \"getJobHistory\")"),
        "{err}"
    );
    let err = t
        .request(tapis::reqwest::Method::GET, "/v3/no/such/thing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    Ok(())
}

#[tokio::test]
async fn faults_drop_truncate_stall_and_delay() -> Result {
    let server = TestServer::start().await?;
    let t = Tapis::builder(server.url())
        .access_token(server.access_token("testuser"))
        .timeout(Duration::from_millis(400))
        .retry_policy(tapis::RetryPolicy::none())
        .build()?;

    server
        .on_operation("systems", "getSystems")
        .unwrap()
        .times(1)
        .reply(Reply::drop_connection());
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err}");

    server
        .on_operation("systems", "getSystems")
        .unwrap()
        .times(1)
        .reply(Reply::envelope(json!([{"id": "a"}, {"id": "b"}])).truncate_at(20));
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err}");

    server
        .on_operation("systems", "getSystems")
        .unwrap()
        .times(1)
        .reply(Reply::stall());
    let started = Instant::now();
    let err = t.systems().get_systems().send().await.unwrap_err();
    assert!(
        err.to_string().contains("timed out") || matches!(err, Error::Network { .. }),
        "{err}"
    );
    assert!(started.elapsed() >= Duration::from_millis(400));

    server
        .on_operation("systems", "getSystems")
        .unwrap()
        .times(1)
        .reply(Reply::envelope(json!([])).stall_after(5));
    assert!(t.systems().get_systems().send().await.is_err());

    server
        .on_operation("systems", "getSystems")
        .unwrap()
        .times(1)
        .reply(Reply::envelope(json!([])).delay(Duration::from_millis(150)));
    let started = Instant::now();
    t.systems().get_systems().send().await?;
    assert!(started.elapsed() >= Duration::from_millis(150));

    // After all that, the server still serves.
    assert_eq!(
        server.requests_to("systems", "getSystems").unwrap().len(),
        5
    );
    t.systems().get_systems().send().await?;
    Ok(())
}

#[tokio::test]
async fn systems_are_created_found_filtered_sorted_and_paged() -> Result {
    let server = TestServer::start().await?;
    let t = server.client()?;
    for i in 1..=7 {
        create_system(
            &t,
            &format!("sys{i}"),
            &format!("host{}.org", i % 3),
            i % 2 == 1,
        )
        .await?;
    }
    let err = create_system(&t, "sys1", "again", true).await.unwrap_err();
    assert!(err.to_string().contains("409"), "{err}");
    let err = t
        .systems()
        .get_system()
        .system_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));

    let got = t
        .systems()
        .get_system()
        .system_id("sys3")
        .send()
        .await?
        .into_result();
    assert_eq!(
        got.owner.map(|o| o.to_string()).as_deref(),
        Some("testuser")
    );

    let ids = |list: Vec<tapis::systems::types::TapisSystem>| {
        list.into_iter()
            .map(|s| s.id.unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (page, meta) = t
        .systems()
        .get_systems()
        .tapis_query("canExec.eq", true)
        .order_by("id(desc)")
        .limit(2)
        .skip(1)
        .compute_total(true)
        .send()
        .await?
        .into_result_with_metadata();
    assert_eq!(ids(page), ["sys5", "sys3"]);
    assert_eq!(meta.total_count, Some(4));

    let (page, _) = t
        .systems()
        .get_systems()
        .search("(host.like.host1*)~(id.neq.sys1)")
        .send()
        .await?
        .into_result_with_metadata();
    assert_eq!(ids(page), ["sys4", "sys7"]);

    // The paginator walks the core's pages.
    use futures::TryStreamExt as _;
    let all: Vec<_> = t
        .systems()
        .get_systems()
        .order_by("id")
        .paginate()
        .page_size(3)
        .try_collect()
        .await?;
    assert_eq!(ids(all).len(), 7);

    let err = t
        .systems()
        .get_systems()
        .tapis_query("host.approx", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(400));
    assert!(err.to_string().contains("approx"), "{err}");
    Ok(())
}

#[tokio::test]
async fn files_are_uploaded_listed_downloaded_and_deleted() -> Result {
    let server = TestServer::start().await?;
    let t = server.client()?;
    let err = t
        .files()
        .insert()
        .system_id("nosys")
        .path("a.txt")
        .bytes("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    create_system(&t, "store", "h", false).await?;
    t.files()
        .insert()
        .system_id("store")
        .path("docs/a.txt")
        .bytes("hello, tapis")
        .send()
        .await?;
    t.files()
        .insert()
        .system_id("store")
        .path("docs/deep/b.bin")
        .bytes(vec![7u8; 1000])
        .send()
        .await?;
    t.files()
        .insert()
        .system_id("store")
        .path("top.txt")
        .bytes("top")
        .send()
        .await?;

    let names = |path: &str| {
        let t = t.clone();
        let path = path.to_string();
        async move {
            let listing = t
                .files()
                .list_files()
                .system_id("store")
                .path(&path)
                .send()
                .await?
                .into_result();
            Ok::<_, Error>(
                listing
                    .into_iter()
                    .map(|f| {
                        format!(
                            "{}:{}",
                            f.type_.map(|k| k.to_string()).unwrap_or_default(),
                            f.name.unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        }
    };
    assert_eq!(names("/").await?, ["dir:docs", "file:top.txt"]);
    assert_eq!(names("docs").await?, ["file:a.txt", "dir:deep"]);
    assert_eq!(names("docs/a.txt").await?, ["file:a.txt"]);

    let content = t
        .files()
        .get_contents()
        .system_id("store")
        .path("docs/a.txt")
        .send()
        .await?
        .into_inner()
        .bytes()
        .await?;
    assert_eq!(&content[..], b"hello, tapis");
    let part = t
        .files()
        .get_contents()
        .system_id("store")
        .path("docs/a.txt")
        .byte_range(7..=11)
        .send()
        .await?
        .into_inner()
        .bytes()
        .await?;
    assert_eq!(&part[..], b"tapis");

    t.files()
        .delete()
        .system_id("store")
        .path("docs")
        .send()
        .await?;
    assert_eq!(names("/").await?, ["file:top.txt"]);
    let err = t
        .files()
        .get_contents()
        .system_id("store")
        .path("docs/a.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404));
    Ok(())
}

#[tokio::test]
async fn apps_have_versions_and_jobs_run_to_finished() -> Result {
    let server = TestServer::start().await?;
    let t = server.client()?;
    for version in ["0.1", "0.2"] {
        t.apps()
            .create_app_version()
            .body(body::<tapis::apps::types::ReqPostApp>(json!({
                "id": "hello-app", "version": version, "containerImage": "docker://hello"
            })))
            .send()
            .await?;
    }
    let latest = t
        .apps()
        .get_app_latest_version()
        .app_id("hello-app")
        .send()
        .await?
        .into_result();
    assert_eq!(
        latest.version.map(|v| v.to_string()).as_deref(),
        Some("0.2")
    );
    let older = t
        .apps()
        .get_app()
        .app_id("hello-app")
        .app_version("0.1")
        .send()
        .await?
        .into_result();
    assert_eq!(older.version.map(|v| v.to_string()).as_deref(), Some("0.1"));

    let err = t
        .jobs()
        .submit_job()
        .body(body::<tapis::jobs::types::ReqSubmitJob>(json!({
            "name": "j", "appId": "missing", "appVersion": "1"
        })))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("JOBS_APP_NOT_FOUND"), "{err}");

    let job = t
        .jobs()
        .submit_job()
        .body(body::<tapis::jobs::types::ReqSubmitJob>(json!({
            "name": "hello-job", "appId": "hello-app", "appVersion": "0.2"
        })))
        .send()
        .await?
        .into_result();
    let uuid = job.uuid.clone().expect("a uuid");
    let mut seen = Vec::new();
    let done = t
        .jobs()
        .wait(&uuid)
        .poll_interval(Duration::from_millis(1))
        .on_status(|s| seen.push(s.to_string()))
        .send()
        .await?;
    assert_eq!(
        done.status.map(|s| s.to_string()).as_deref(),
        Some("FINISHED")
    );
    assert_eq!(seen.first().map(String::as_str), Some("PENDING"));
    assert_eq!(seen.last().map(String::as_str), Some("FINISHED"));
    assert!(seen.len() >= 5, "{seen:?}");

    let jobs = t.jobs().get_job_list().send().await?.into_result();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].uuid.as_deref(), Some(uuid.as_str()));
    Ok(())
}

#[tokio::test]
async fn a_stub_for_an_operation_this_build_lacks_is_an_error() {
    let server = TestServer::start().await.unwrap();
    // A typo in the operation names the spelling that exists.
    let err = server.on_operation("systems", "getsystem").err().unwrap();
    assert!(matches!(err, tapis::Error::InvalidInput(_)), "{err:?}");
    assert!(
        err.to_string().contains("did you mean `getSystem`?"),
        "{err}"
    );
    // An unknown service names the services compiled in.
    let err = server.on_operation("sytems", "getSystem").err().unwrap();
    assert!(err.to_string().contains("no service `sytems`"), "{err}");
    assert!(err.to_string().contains("systems"), "{err}");
    // Nothing near: where to look.
    let err = server.requests_to("files", "teleport").unwrap_err();
    assert!(err.to_string().contains("tapis::OPERATIONS"), "{err}");
    // Hand-written operations are operations too.
    assert!(server.on_operation("files", "insert").is_ok());
}

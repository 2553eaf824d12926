//! `tapis::blocking`: synchronous calls from plain threads (no runtime of
//! the caller's), against a server on 127.0.0.1.
#![cfg(all(feature = "blocking", feature = "systems", feature = "jobs"))]

mod common;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The mock server runs on its own runtime's worker threads while the test
/// thread blocks.
struct Server {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Server {
    fn start() -> Server {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(MockServer::start());
        runtime.block_on(
            Mock::given(method("GET"))
                .and(path("/v3/systems"))
                .respond_with(|req: &Request| {
                    let q: std::collections::HashMap<String, String> =
                        req.url.query_pairs().into_owned().collect();
                    let limit: usize = q.get("limit").map_or(100, |l| l.parse().unwrap());
                    let skip: usize = q.get("skip").map_or(0, |s| s.parse().unwrap());
                    let result: Vec<Value> = (skip..(skip + limit).min(250))
                        .map(|i| json!({"id": format!("s{i:03}"), "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PASSWORD"}))
                        .collect();
                    ResponseTemplate::new(200).set_body_json(json!({"status": "success", "result": result}))
                })
                .mount(&server),
        );
        Server { runtime, server }
    }

    fn requests(&self) -> Vec<Request> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap()
    }
}

fn client(server: &Server) -> tapis::blocking::Tapis {
    tapis::Tapis::builder(server.server.uri())
        .access_token(common::TOKEN)
        .build_blocking()
        .unwrap()
}

#[test]
fn calls_from_several_threads_at_once() {
    let server = Server::start();
    let t = client(&server);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let t = &t;
            scope.spawn(move || {
                for call in 0..25 {
                    let systems = t
                        .systems()
                        .get_systems()
                        .limit(3)
                        .tapis_query("thread", thread)
                        .tracking_id(format!("blocking.t{thread}-{call}"))
                        .send_blocking()
                        .unwrap()
                        .into_result();
                    assert_eq!(systems.len(), 3);
                }
            });
        }
    });
    let requests = server.requests();
    assert_eq!(requests.len(), 200);
    for thread in 0..8 {
        let n = requests
            .iter()
            .filter(|r| {
                r.url
                    .query()
                    .unwrap_or_default()
                    .contains(&format!("thread={thread}"))
            })
            .count();
        assert_eq!(n, 25, "thread {thread}");
    }
}

#[test]
fn paging_and_job_waits_block_too() {
    let server = Server::start();
    server.runtime.block_on(
        Mock::given(method("GET"))
            .and(path("/v3/jobs/j-1/status"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"status": "success", "result": {"status": "FINISHED"}})),
            )
            .mount(&server.server),
    );
    server.runtime.block_on(
        Mock::given(method("GET"))
            .and(path("/v3/jobs/j-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"status": "success", "result": {"uuid": "j-1", "status": "FINISHED"}}),
            ))
            .mount(&server.server),
    );
    let t = client(&server);
    let ids: Vec<String> = t
        .systems()
        .get_systems()
        .paginate()
        .page_size(100)
        .iter_blocking()
        .map(|s| s.unwrap().id.map(|id| id.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        ids,
        (0..250).map(|i| format!("s{i:03}")).collect::<Vec<_>>()
    );
    let job = t.jobs().wait("j-1").send_blocking().unwrap();
    assert_eq!(job.uuid.as_deref(), Some("j-1"));
    // A raw request blocks too.
    let raw = t
        .request(tapis::reqwest::Method::GET, "/v3/jobs/j-1")
        .send_blocking()
        .unwrap();
    assert!(String::from_utf8_lossy(raw.body()).contains("\"j-1\""));
    // Anything else through block_on.
    let job: serde_json::Value = t
        .block_on(
            t.request(tapis::reqwest::Method::GET, "/v3/jobs/j-1")
                .send_json::<serde_json::Value>(),
        )
        .unwrap()
        .into_inner();
    assert_eq!(job["result"]["uuid"], "j-1");
}

#[test]
fn the_blocking_clients_own_methods_block() {
    let server = Server::start();
    server.runtime.block_on(
        Mock::given(method("GET"))
            .and(path("/v3/tenants"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "success",
                "result": [{"tenant_id": "dev", "base_url": server.server.uri(), "site_id": "tacc"}]
            })))
            .mount(&server.server),
    );
    let t = client(&server);
    // No runtime of the caller's: these are plain calls.
    let tenants = t.tenant_list().unwrap();
    assert_eq!(tenants[0].tenant_id, "dev");
    assert_eq!(t.tenant().unwrap().tenant_id, "dev");
    assert_eq!(t.base_url(), server.server.uri());
    assert!(t.current_tokens().access_token.is_some());
}

#[test]
fn a_blocking_call_inside_async_code_is_an_error_not_a_panic() {
    let server = Server::start();
    let t = client(&server);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = runtime.block_on(async { t.systems().get_systems().send_blocking().unwrap_err() });
    assert!(
        matches!(&err, tapis::Error::Config(m) if m.contains("use `.send().await`")),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

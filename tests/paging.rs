//! `.paginate()`: a server on 127.0.0.1 holding 2,345 systems (and a files
//! directory, and a meta collection) pages them by `limit`/`skip`,
//! `limit`/`offset`, `startAfter` and `pagesize`/`page`; the stream yields each item once, in order, lazily, with
//! the fewest requests, repeating filters and per-call extras on every page.
#![cfg(all(feature = "systems", feature = "files", feature = "meta"))]

mod common;

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const ITEMS: usize = 2345;

fn id(i: usize) -> String {
    format!("sys-{i:05}")
}

fn query(req: &Request) -> HashMap<String, String> {
    req.url.query_pairs().into_owned().collect()
}

/// Systems `0..ITEMS` ordered by id, paged the way Tapis does: `skip`, or
/// `startAfter` (with `orderBy`), `limit`; `totalCount` with `computeTotal`.
fn systems_page(req: &Request) -> ResponseTemplate {
    let q = query(req);
    let limit: usize = q.get("limit").map_or(100, |l| l.parse().unwrap());
    let start = match (q.get("skip"), q.get("startAfter")) {
        (Some(_), Some(_)) => {
            return ResponseTemplate::new(400).set_body_json(
                json!({"status": "error", "message": "skip and startAfter together"}),
            )
        }
        (Some(skip), None) => skip.parse().unwrap(),
        (None, Some(after)) => {
            assert_eq!(q.get("orderBy").map(String::as_str), Some("id(asc)"));
            (0..ITEMS).position(|i| id(i) > *after).unwrap_or(ITEMS)
        }
        (None, None) => 0,
    };
    let end = (start + limit).min(ITEMS);
    let result: Vec<Value> = (start..end)
        .map(|i| json!({"id": id(i), "systemType": "LINUX", "host": "h", "defaultAuthnMethod": "PASSWORD"}))
        .collect();
    let total = if q.get("computeTotal").map(String::as_str) == Some("true") {
        ITEMS as i64
    } else {
        -1
    };
    ResponseTemplate::new(200).set_body_json(json!({
        "status": "success", "message": "ok", "version": "1",
        "result": result,
        "metadata": {"recordCount": end - start, "recordLimit": limit, "recordsSkipped": start, "totalCount": total}
    }))
}

async fn systems_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/systems"))
        .respond_with(systems_page)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> Vec<HashMap<String, String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(query)
        .collect()
}

fn ids(systems: &[tapis::systems::types::TapisSystem]) -> Vec<String> {
    systems
        .iter()
        .map(|s| {
            s.id.as_deref()
                .map(String::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn skip_paging_yields_every_item_once_in_order_with_filters_on_every_page() {
    let server = systems_server().await;
    let t = common::client(&server);
    let all = t
        .systems()
        .get_systems()
        .search("(host.eq.h)")
        .select("id,host")
        .tapis_query("enabled.eq", true)
        .tracking_id("paging.test-1")
        .paginate()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(ids(&all), (0..ITEMS).map(id).collect::<Vec<_>>());

    let received = server.received_requests().await.unwrap();
    // 23 full pages of 100 and one of 45: the short page ends it.
    assert_eq!(received.len(), 24);
    for (n, req) in received.iter().enumerate() {
        let q = query(req);
        assert_eq!(q.get("limit").map(String::as_str), Some("100"));
        let skip = (n > 0).then(|| (n * 100).to_string());
        assert_eq!(q.get("skip"), skip.as_ref(), "page {n}");
        assert_eq!(q.get("search").map(String::as_str), Some("(host.eq.h)"));
        assert_eq!(q.get("select").map(String::as_str), Some("id,host"));
        assert_eq!(q.get("enabled.eq").map(String::as_str), Some("true"));
        assert_eq!(
            req.headers
                .get("X-Tapis-Tracking-ID")
                .and_then(|v| v.to_str().ok()),
            Some("paging.test-1")
        );
        assert_eq!(
            req.headers
                .get("X-Tapis-Token")
                .and_then(|v| v.to_str().ok()),
            Some(common::TOKEN)
        );
    }
}

#[tokio::test]
async fn the_cap_stops_the_stream_and_the_last_request_asks_for_the_rest() {
    let server = systems_server().await;
    let t = common::client(&server);
    let all: Vec<_> = t
        .systems()
        .get_systems()
        .paginate()
        .page_size(100)
        .max_items(250)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), (0..250).map(id).collect::<Vec<_>>());
    let limits: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|q| q["limit"].clone())
        .collect();
    assert_eq!(limits, ["100", "100", "50"]);
}

#[tokio::test]
async fn total_count_saves_the_empty_request_after_an_exact_multiple() {
    let server = systems_server().await;
    let t = common::client(&server);
    // 2,345 = 5 × 469: every page is full; totalCount says when to stop.
    let all = t
        .systems()
        .get_systems()
        .compute_total(true)
        .limit(469)
        .paginate()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), ITEMS);
    assert_eq!(requests(&server).await.len(), 5);
}

#[tokio::test]
async fn the_stream_is_lazy_and_starts_where_the_caller_said() {
    let server = systems_server().await;
    let t = common::client(&server);
    let mut stream = t
        .systems()
        .get_systems()
        .skip(2000)
        .paginate()
        .page_size(50);
    let first: Vec<_> = (&mut stream).take(60).try_collect().await.unwrap();
    assert_eq!(ids(&first), (2000..2060).map(id).collect::<Vec<_>>());
    // 60 items read: two pages fetched, no more.
    assert_eq!(stream.pages_fetched(), 2);
    let skips: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|q| q["skip"].clone())
        .collect();
    assert_eq!(skips, ["2000", "2050"]);
    let rest: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(rest.len(), ITEMS - 2060);
}

#[tokio::test]
async fn start_after_paging_follows_the_order_by_field() {
    let server = systems_server().await;
    let t = common::client(&server);
    let all = t
        .systems()
        .get_systems()
        .order_by("id(asc)")
        .tapis_query("enabled.eq", true)
        .paginate()
        .page_size(500)
        .by_start_after()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(ids(&all), (0..ITEMS).map(id).collect::<Vec<_>>());
    let received = requests(&server).await;
    assert_eq!(received.len(), 5);
    assert_eq!(received[0].get("startAfter"), None);
    for (n, q) in received.iter().enumerate().skip(1) {
        assert_eq!(q["startAfter"], id(n * 500 - 1));
        assert_eq!(q.get("skip"), None);
        assert_eq!(q["orderBy"], "id(asc)");
        assert_eq!(q["enabled.eq"], "true");
    }
}

/// Asserts that paging failed with an `InvalidInput` saying `needle`.
fn assert_invalid<T>(result: Result<Vec<T>, tapis::Error>, needle: &str) {
    match result {
        Err(tapis::Error::InvalidInput(m)) => assert!(m.contains(needle), "{m}"),
        Err(other) => panic!("expected InvalidInput ({needle}), got {other}"),
        Ok(items) => panic!(
            "expected InvalidInput ({needle}), got {} items",
            items.len()
        ),
    }
}

#[tokio::test]
async fn bad_paging_requests_fail_before_anything_is_sent() {
    let server = systems_server().await;
    let t = common::client(&server);
    let systems = || t.systems().get_systems().paginate();
    assert_invalid(
        systems().by_start_after().collect_all().await,
        "getSystems: paging by startAfter needs orderBy",
    );
    assert_invalid(
        systems().page_size(0).collect_all().await,
        "page size must be at least 1",
    );
    let files = t
        .files()
        .list_files()
        .system_id("s")
        .path("/d")
        .paginate()
        .by_start_after()
        .collect_all()
        .await;
    assert_invalid(files, "listFiles does not take startAfter");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn an_error_page_is_yielded_after_the_items_before_it_and_ends_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/systems"))
        .respond_with(|req: &Request| {
            if query(req).get("skip").map(String::as_str) == Some("200") {
                ResponseTemplate::new(500)
                    .set_body_json(json!({"status": "error", "message": "database down"}))
            } else {
                systems_page(req)
            }
        })
        .mount(&server)
        .await;
    let t = common::client(&server);
    let results: Vec<_> = t
        .systems()
        .get_systems()
        // No retries, to count requests exactly.
        .retry_policy(tapis::RetryPolicy::none())
        .paginate()
        .collect()
        .await;
    assert_eq!(results.len(), 201);
    assert!(results[..200].iter().all(Result::is_ok));
    let err = results[200].as_ref().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("database down"), "{err}");
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn files_listings_page_by_offset() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/files/ops/my-system/data/runs"))
        .respond_with(|req: &Request| {
            let q = query(req);
            let limit: usize = q["limit"].parse().unwrap();
            let offset: usize = q.get("offset").map_or(0, |o| o.parse().unwrap());
            let end = (offset + limit).min(250);
            let result: Vec<Value> = (offset..end)
                .map(|i| json!({"name": format!("f{i:03}"), "type": "file", "size": i}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"status": "success", "result": result}))
        })
        .mount(&server)
        .await;
    let t = common::client(&server);
    let names: Vec<String> = t
        .files()
        .list_files()
        .system_id("my-system")
        .path("data/runs")
        .paginate()
        .page_size(100)
        .map_ok(|f| f.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        names,
        (0..250).map(|i| format!("f{i:03}")).collect::<Vec<_>>()
    );
    let offsets: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|q| q.get("offset").cloned())
        .collect();
    assert_eq!(offsets, [None, Some("100".into()), Some("200".into())]);
}

/// A meta collection of 2,345 documents, paged RESTHeart style: `page`
/// counts from 1, `pagesize` items each; the body is the bare list.
async fn meta_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/meta/db1/runs"))
        .respond_with(|req: &Request| {
            let q = query(req);
            let size: usize = q.get("pagesize").map_or(100, |s| s.parse().unwrap());
            let page: usize = q.get("page").map_or(1, |p| p.parse().unwrap());
            let start = ((page - 1) * size).min(ITEMS);
            let docs: Vec<Value> = (start..(start + size).min(ITEMS))
                .map(|i| json!({"_id": {"$oid": format!("{i:024}")}, "n": i}))
                .collect();
            ResponseTemplate::new(200).set_body_json(docs)
        })
        .mount(&server)
        .await;
    server
}

fn numbers(docs: &[serde_json::Map<String, Value>]) -> Vec<u64> {
    docs.iter().map(|d| d["n"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn meta_pages_by_page_number() {
    let server = meta_server().await;
    let t = common::client(&server);
    let docs = t
        .meta()
        .list_documents()
        .db("db1")
        .collection("runs")
        .tapis_query("filter", r#"{"kind":"run"}"#)
        .paginate()
        .page_size(500)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(numbers(&docs), (0..ITEMS as u64).collect::<Vec<_>>());
    let received = requests(&server).await;
    let pages: Vec<_> = received.iter().map(|q| q.get("page").cloned()).collect();
    assert_eq!(
        pages,
        [
            None,
            Some("2".into()),
            Some("3".into()),
            Some("4".into()),
            Some("5".into())
        ]
    );
    for q in &received {
        assert_eq!(q["pagesize"], "500");
        assert_eq!(q["filter"], r#"{"kind":"run"}"#);
    }
}

#[tokio::test]
async fn meta_pages_keep_their_size_under_a_cap_and_start_at_the_given_page() {
    let server = meta_server().await;
    let t = common::client(&server);
    let runs = || t.meta().list_documents().db("db1").collection("runs");
    // Page numbers need equal pages: the cap truncates the last one.
    let docs = runs()
        .paginate()
        .page_size(500)
        .max_items(1200)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(numbers(&docs), (0..1200).collect::<Vec<_>>());
    let sizes: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|q| q["pagesize"].clone())
        .collect();
    assert_eq!(sizes, ["500", "500", "500"]);

    let server = meta_server().await;
    let t = common::client(&server);
    let docs = t
        .meta()
        .list_documents()
        .db("db1")
        .collection("runs")
        .page(3)
        .pagesize(1000)
        .paginate()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(numbers(&docs), (2000..ITEMS as u64).collect::<Vec<_>>());
    let received = requests(&server).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["page"], "3");
}

#[test]
fn paginated_operations_are_listed_from_the_generated_code() {
    for op in [
        ("systems", "getSystems"),
        ("systems", "searchSystemsRequestBody"),
        ("files", "listFiles"),
        ("meta", "listDocuments"),
    ] {
        assert!(tapis::PAGINATED.contains(&op), "{op:?}");
    }
    assert!(!tapis::PAGINATED.contains(&("systems", "getSystem")));
}

//! The real-response corpus: every response captured from a real Tapis
//! deployment (`tests/fixtures/real-responses/`, provenance in its README
//! and `index.jsonl`) is served by a local server to the operation that
//! produced it, called as a user would (`.send().await?`), and must decode,
//! with nothing the server sent lost: the typed body, written back as JSON
//! (its `extra` maps included), must say what the capture says, up to the
//! normalisations documented on [`same`]. An error envelope that a service
//! sends with a success status (`kind: error`) must instead be an
//! `Error::Api` carrying its message. Prints `real responses: N/N decode`.
//!
//! Arguments for each call are made from the operation's spec, as the
//! conformance suite makes them.

#[path = "conformance/calls.rs"]
#[allow(dead_code)] // the failure details are read through Debug here
mod calls;
#[path = "conformance/samples.rs"]
#[allow(dead_code)]
mod samples;

use std::path::Path;

use serde_json::Value;
use tapis::testing::{Reply, TestServer};

use calls::{arguments, dispatch, Failure};
use samples::Samples;

/// One captured response.
struct Capture {
    id: String,
    service: String,
    operation_id: String,
    /// `envelope` or `raw`: an answer; `error`: an error envelope the
    /// service sends with a success status, which must be an
    /// `Error::Api` carrying its message.
    kind: String,
    response: Value,
}

fn captures(dir: &Path) -> Vec<Capture> {
    let index = std::fs::read_to_string(dir.join("index.jsonl")).expect("index.jsonl");
    index
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let entry: Value = serde_json::from_str(line).expect("an index line is JSON");
            let file = entry["file"].as_str().expect("file");
            let text = std::fs::read_to_string(dir.join(file)).expect("a capture file");
            let capture: Value = serde_json::from_str(&text).expect("a capture is JSON");
            Capture {
                id: entry["id"].as_str().expect("id").to_string(),
                service: entry["service"].as_str().expect("service").to_string(),
                operation_id: entry["operationId"]
                    .as_str()
                    .expect("operationId")
                    .to_string(),
                kind: entry["kind"].as_str().expect("kind").to_string(),
                response: capture["response"].clone(),
            }
        })
        .collect()
}

/// Whether a value says nothing: absent, `null`, `[]` or `{}`.
fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// Whether `sent` is an envelope's `result` of `""` read as no result (the
/// way Flask services say "nothing", `result=''`).
fn blank_result(path: &str, sent: Option<&Value>, typed: Option<&Value>) -> bool {
    path == "$.result" && sent == Some(&Value::String(String::new())) && is_empty(typed)
}

/// Whether `typed` (the decoded value written back) says what `sent` (the
/// capture) says. Documented normalisations:
/// - an absent property, `null`, `[]` and `{}` are alike (optional values
///   that are empty are not written back; a `null` list reads as empty);
/// - numbers compare by value (`5` and `5.0`);
/// - a scalar that drifted reads as the declared type (see
///   `tapis::response` docs): text `"1"` for the number `1`, `true` for
///   `"true"`; both sides then compare as their JSON text;
/// - an envelope's `result` of `""` where a list or an object is declared
///   reads as no result (`tapis::response::tolerant::opt_or_blank`).
///
/// Returns the JSON path of the first difference.
fn same(sent: &Value, typed: &Value, path: &str) -> Result<(), String> {
    match (sent, typed) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                let (x, y) = (a.get(key), b.get(key));
                let here = format!("{path}.{key}");
                match (x, y) {
                    _ if is_empty(x) && is_empty(y) => {}
                    _ if blank_result(&here, x, y) => {}
                    (Some(x), Some(y)) => same(x, y, &here)?,
                    (Some(x), None) => return Err(format!("{here}: {x} was lost")),
                    (None, Some(y)) => return Err(format!("{here}: {y} was invented")),
                    (None, None) => {}
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: {} items sent, {} read", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        (a, b) if a == b => Ok(()),
        // Drift between scalars: the same JSON text.
        (a, b) if scalar_text(a).is_some() && scalar_text(a) == scalar_text(b) => Ok(()),
        _ if is_empty(Some(sent)) && is_empty(Some(typed)) => Ok(()),
        _ => Err(format!("{path}: {sent} was read as {typed}")),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_ascii_lowercase()),
        Value::Number(n) => Some(n.as_f64()?.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .map(|s| match s.parse::<f64>() {
        Ok(f) => f.to_string(),
        Err(_) => s,
    })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let failures = runtime.block_on(run());
    if !failures.is_empty() {
        for f in &failures {
            println!("  FAILED {f}");
        }
        std::process::exit(1);
    }
}

async fn run() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let all = captures(&root.join("tests/fixtures/real-responses"));
    let set = tapis_codegen::SpecSet::load_dir(&root.join("specs")).expect("the specs");
    let server = TestServer::builder()
        .require_token(false)
        .start()
        .await
        .expect("a test server");
    let t = server.client().expect("a client");
    let mut failures = Vec::new();
    let mut decoded = 0;
    let mut tried = 0;
    for capture in &all {
        if !tapis::SERVICES.contains(&capture.service.as_str()) {
            continue; // its service's feature is off
        }
        tried += 1;
        match check(&t, &server, &set, capture).await {
            Ok(()) => decoded += 1,
            Err(e) => failures.push(format!("{}: {e}", capture.id)),
        }
    }
    println!("real responses: {decoded}/{tried} decode");
    assert!(
        tried > 0 || tapis::SERVICES.is_empty(),
        "no capture was tried"
    );
    failures
}

async fn check(
    t: &tapis::Tapis,
    server: &TestServer,
    set: &tapis_codegen::SpecSet,
    capture: &Capture,
) -> Result<(), String> {
    let raw = set.get(&capture.service).ok_or("no spec")?;
    let spec = tapis_codegen::normalize::run(&capture.service, raw, set)
        .map_err(|e| e.to_string())?
        .spec;
    let (path_item, op) = find(&spec, &capture.operation_id).ok_or("not in the spec")?;
    server.clear_stubs();
    server
        .on_operation(&capture.service, &capture.operation_id)
        .unwrap()
        .reply(Reply::json(200, &capture.response));
    server.clear_requests();
    let mut last = String::new();
    for examples in [true, false] {
        let args = arguments(&Samples::new(&spec, examples), path_item, op);
        let answer = dispatch::call(t, &capture.service, &capture.operation_id, &args).await;
        if capture.kind == "error" {
            if let Some(Err(Failure::Arg(..) | Failure::Unknown(_))) = &answer {
                continue;
            }
            return refused(capture, answer.map(|a| a.map(|_| ())));
        }
        match answer {
            None => return Err("no dispatcher".into()),
            Some(Ok(typed)) => {
                if server
                    .requests_to(&capture.service, &capture.operation_id)
                    .unwrap()
                    .is_empty()
                {
                    return Err("the call did not reach its operation".into());
                }
                let typed = typed.ok_or("a download, not JSON")?;
                return same(&capture.response, &typed, "$");
            }
            Some(Err(Failure::Sent(e))) => {
                return Err(format!("does not decode: {e}"));
            }
            Some(Err(other)) => last = format!("{other:?}"),
        }
    }
    Err(format!("cannot build the call: {last}"))
}

/// The path item and operation of `operation_id`.
/// An error capture's call: an `Error::Api` with the envelope's message.
fn refused(capture: &Capture, answer: Option<Result<(), Failure>>) -> Result<(), String> {
    let wanted = capture.response["message"].as_str();
    match answer {
        Some(Err(Failure::Sent(e))) => match &*e {
            tapis::Error::Api { message, .. } if message.as_deref() == wanted => Ok(()),
            other => Err(format!("not the API error {wanted:?}: {other}")),
        },
        Some(Ok(())) => Err("an error envelope was read as an answer".into()),
        Some(Err(other)) => Err(format!("cannot build the call: {other:?}")),
        None => Err("no dispatcher".into()),
    }
}

fn find<'a>(spec: &'a Value, operation_id: &str) -> Option<(&'a Value, &'a Value)> {
    for item in spec["paths"].as_object()?.values() {
        for op in item.as_object()?.values() {
            if op["operationId"] == operation_id {
                return Some((item, op));
            }
        }
    }
    None
}

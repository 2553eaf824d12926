//! Conformance: every operation of every service (generated and
//! hand-written) is sent with arguments made from its spec to Stoplight
//! Prism, a validating mock of that service's (normalised) spec, which
//! checks the method, path, parameters and their types, the body against
//! its schema, and the content type. Prints
//! `conformance: N/TOTAL operations valid` and fails on any invalid
//! operation that is not listed in `EXCEPTIONS` with its reason.
//!
//! Needs Node.js; Prism is installed from npm on first run.

mod calls;
mod prism;
mod samples;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};
use tapis::Tapis;

use calls::{arguments, dispatch, Failure, Outcome};
use samples::Samples;

/// Operations that cannot be validated, and why. Empty: every operation is
/// checked.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// A JWT the client accepts (Prism checks only that the header is there).
const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6InRlc3R1c2VyQGRldiIsInRhcGlzL3RlbmFudF9pZCI6ImRldiIsInRhcGlzL3VzZXJuYW1lIjoidGVzdHVzZXIiLCJ0YXBpcy90b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl";

/// What Prism answered to the last request.
#[derive(Debug, Clone, Default)]
struct Seen {
    status: u16,
    violations: Option<String>,
    problem: bool,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run()) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("conformance: cannot run: {e}");
            std::process::exit(1);
        }
    }
}

/// Runs the suite; `Ok(false)` when an operation outside the exceptions
/// is invalid.
async fn run() -> Result<bool, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let bin = prism::install(&work.join("prism"))?;
    let set = tapis_codegen::SpecSet::load_dir(&root.join("specs")).map_err(|e| e.to_string())?;

    // One validating mock per service, started together.
    let mut specs = BTreeMap::new();
    let mut mocks = BTreeMap::new();
    let ports = prism::free_ports(tapis::SERVICES.len())?;
    for (service, port) in tapis::SERVICES.iter().zip(ports) {
        let (spec, validated) = prism_spec(service, &set)?;
        let file = work.join(format!("{service}.json"));
        std::fs::write(&file, validated.to_string()).map_err(|e| e.to_string())?;
        let log = work.join(format!("{service}.log"));
        mocks.insert(*service, prism::Mock::start(&bin, &file, log, port)?);
        specs.insert(*service, spec);
    }
    for (service, mock) in &mut mocks {
        mock.wait_ready(Duration::from_secs(240))
            .map_err(|e| format!("{service}: {e}"))?;
    }

    let mut valid = 0;
    let mut failures = Vec::new();
    let mut fallbacks = Vec::new();
    for (service, op_id, hand_written) in tapis::OPERATIONS {
        let mock = mocks.get_mut(service).ok_or("a service without a mock")?;
        let Some((path, path_item, op)) = find(&specs[service], op_id) else {
            failures.push((*service, *op_id, "not in the normalised spec".to_string()));
            continue;
        };
        let seen = Arc::new(Mutex::new(None::<Seen>));
        let t = client(&mock.url, seen.clone())?;
        let mut verdict = Err(String::new());
        for examples in [true, false] {
            let samples = Samples::new(&specs[service], examples);
            *seen.lock().unwrap() = None;
            let outcome = if *hand_written {
                upload(&t, service, op_id, &samples.params(path_item, op)).await
            } else {
                let args = arguments(&samples, path_item, op);
                if std::env::var_os("CONFORMANCE_DEBUG").is_some() {
                    eprintln!(
                        "{service} {op_id} (examples: {examples}): {}",
                        Value::Object(args.clone())
                    );
                }
                dispatch::call(&t, service, op_id, &args).await
            };
            let answer = seen.lock().unwrap().clone();
            verdict = judge(outcome, answer);
            if verdict.is_ok() {
                if !examples {
                    fallbacks.push(format!("{service} {op_id}"));
                }
                break;
            }
        }
        match verdict {
            Ok(()) => valid += 1,
            Err(reason) => {
                let reason = if mock.alive() {
                    reason
                } else {
                    format!("{reason}; Prism died: {}", mock.log_tail())
                };
                failures.push((*service, *op_id, format!("{path}: {reason}")));
                if !mock.alive() {
                    return Err(format!("Prism for {service} died at {op_id}"));
                }
            }
        }
    }

    let total = tapis::OPERATIONS.len();
    let mut unexpected = 0;
    for (service, op_id, reason) in &failures {
        let excepted = EXCEPTIONS
            .iter()
            .find(|(s, o, _)| s == service && o == op_id)
            .map(|(_, _, why)| *why);
        match excepted {
            Some(why) => println!("  exception {service} {op_id}: {why} ({reason})"),
            None => {
                unexpected += 1;
                println!("  INVALID   {service} {op_id}: {reason}");
            }
        }
    }
    if !fallbacks.is_empty() {
        println!(
            "  {} operation(s) valid only with schema-made arguments (the spec's own example is rejected by its schema): {}",
            fallbacks.len(),
            fallbacks.join(", ")
        );
    }
    println!("conformance: {valid}/{total} operations valid");
    Ok(unexpected == 0)
}

/// The normalised spec build.rs generates from, with the multipart
/// operations (removed for progenitor, written by hand in the SDK) put
/// back: the samples are made from it. Second, the same as Prism validates
/// it (see [`collapse_slashes`]).
fn prism_spec(service: &str, set: &tapis_codegen::SpecSet) -> Result<(Value, Value), String> {
    let raw = set.get(service).ok_or("a service without a spec")?;
    let mut spec = tapis_codegen::normalize::run(service, raw, set)
        .map_err(|e| e.to_string())?
        .spec;
    // actors declares its development header `X-JWT-Assertion-DEV` as its
    // security; the service takes `X-Tapis-Token`, which the SDK sends.
    let schemes = spec["components"]["securitySchemes"].as_object_mut();
    for scheme in schemes.into_iter().flat_map(|s| s.values_mut()) {
        if scheme["type"] == "apiKey" && scheme["in"] == "header" {
            scheme["name"] = "X-Tapis-Token".into();
        }
    }
    for (path, item) in raw["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let id = op["operationId"].as_str().unwrap_or_default();
            if tapis_codegen::HAND_WRITTEN.contains(&(service, id)) {
                let path = if path.starts_with("/v3/") {
                    path.clone()
                } else {
                    format!("/v3{path}")
                };
                spec["paths"][&path][method] = op.clone();
            }
        }
    }
    let mut validated = collapse_slashes(spec.clone())?;
    pin_discriminators(&mut validated);
    Ok((spec, validated))
}

/// Runs of `/` (pgrest's `data//{root_url}`, actors' `//messages`) are
/// collapsed by the SDK, as the servers route them; there they share a
/// route with another operation of the same method, told apart by the body
/// alone. Prism routes by method and path, so such an operation is merged
/// into the one already there: its content types are added, a schema for
/// the same content type becomes `anyOf` both, its parameters are added as
/// optional.
fn collapse_slashes(mut spec: Value) -> Result<Value, String> {
    let paths = spec["paths"]
        .as_object_mut()
        .ok_or("a spec without paths")?;
    let doubled: Vec<String> = paths.keys().filter(|p| p.contains("//")).cloned().collect();
    for path in doubled {
        let mut collapsed = path.clone();
        while collapsed.contains("//") {
            collapsed = collapsed.replace("//", "/");
        }
        let item = paths.remove(&path).unwrap_or_default();
        let target = paths
            .entry(collapsed)
            .or_insert_with(|| Value::Object(Map::new()));
        for (method, op) in item.as_object().into_iter().flatten() {
            match target.get_mut(method) {
                Some(existing) if existing.is_object() => merge_operation(existing, op),
                _ => target[method] = op.clone(),
            }
        }
    }
    Ok(spec)
}

/// OpenAPI's `discriminator` picks a `oneOf` variant by a property, but
/// Prism validates plain JSON Schema, where variants that differ only in
/// that property's value all match (and `oneOf` fails). Each mapped variant
/// is pinned to its tag value, which is what the discriminator means.
fn pin_discriminators(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let mapping = object.get("discriminator").and_then(|d| {
                Some((
                    d["propertyName"].as_str()?.to_string(),
                    d["mapping"].as_object()?.clone(),
                ))
            });
            if let Some((property, mapping)) = mapping {
                for key in ["oneOf", "anyOf"] {
                    for variant in object
                        .get_mut(key)
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        let target = variant["$ref"].as_str().unwrap_or_default().to_string();
                        if let Some((tag, _)) = mapping.iter().find(|(_, r)| **r == target) {
                            let pin = serde_json::json!({"properties": {property.clone(): {"enum": [tag]}}});
                            *variant = serde_json::json!({"allOf": [variant.take(), pin]});
                        }
                    }
                }
            }
            object.values_mut().for_each(pin_discriminators);
        }
        Value::Array(items) => items.iter_mut().for_each(pin_discriminators),
        _ => {}
    }
}

fn merge_operation(into: &mut Value, other: &Value) {
    let content = other["requestBody"]["content"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (media, body) in content {
        let slot = &mut into["requestBody"]["content"][&media];
        if slot.is_null() {
            *slot = body;
        } else {
            let schemas = [slot["schema"].take(), body["schema"].clone()];
            slot["schema"] = serde_json::json!({ "anyOf": schemas });
        }
    }
    for param in other["parameters"].as_array().cloned().unwrap_or_default() {
        let params = into["parameters"].as_array_mut();
        let Some(params) = params else { continue };
        if !params
            .iter()
            .any(|p| p["name"] == param["name"] && p["in"] == param["in"])
        {
            let mut param = param;
            param["required"] = false.into();
            params.push(param);
        }
    }
}

/// The path, path item and operation with this operationId.
fn find<'a>(spec: &'a Value, op_id: &str) -> Option<(&'a str, &'a Value, &'a Value)> {
    spec["paths"].as_object()?.iter().find_map(|(path, item)| {
        item.as_object()?
            .values()
            .find(|op| op["operationId"] == op_id)
            .map(|op| (path.as_str(), item, op))
    })
}

/// A client for one mock, reporting what it answered.
fn client(url: &str, seen: Arc<Mutex<Option<Seen>>>) -> Result<Tapis, String> {
    Tapis::builder(url)
        .access_token(TOKEN)
        .retry_policy(tapis::RetryPolicy::none())
        .timeout(Duration::from_secs(30))
        .post_response_hook(move |_, response| {
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            *seen.lock().unwrap() = Some(Seen {
                status: response.status().as_u16(),
                violations: header("sl-violations"),
                problem: header("content-type")
                    .is_some_and(|c| c.starts_with("application/problem+json")),
            });
        })
        .build()
        .map_err(|e| e.to_string())
}

/// The hand-written multipart uploads, called through their SDK methods.
async fn upload(
    t: &Tapis,
    service: &str,
    op_id: &str,
    params: &[samples::Param],
) -> Option<Result<Outcome, Failure>> {
    let p = |name: &str| {
        params
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_str())
            .unwrap_or("sample1")
            .to_string()
    };
    let sent = match (service, op_id) {
        // Prism matches a parameter to one segment: no `/` in these paths.
        ("files", "insert") => t
            .files()
            .insert()
            .system_id(p("systemId"))
            .path("sample.txt")
            .bytes("hello")
            .send()
            .await
            .map(|_| None),
        ("pods", "upload_to_volume") => t
            .pods()
            .upload_to_volume()
            .volume_id(p("volume_id"))
            .path("sample.txt")
            .bytes("hello")
            .send()
            .await
            .map(|_| None),
        ("pods", "upload_to_jupyter") => t
            .pods()
            .upload_to_jupyter()
            .pod_id(p("pod_id"))
            .path("sample.txt")
            .bytes("hello")
            .send()
            .await
            .map(|_| None),
        ("pods", "upload_to_pod") => t
            .pods()
            .upload_to_pod()
            .pod_id(p("pod_id"))
            .dest_path("/sample.txt")
            .bytes("hello")
            .send()
            .await
            .map(|_| None),
        _ => return None,
    };
    Some(sent.map_err(Failure::sent))
}

/// Valid when the request was sent and Prism found nothing wrong with it.
fn judge(outcome: Option<Result<Outcome, Failure>>, seen: Option<Seen>) -> Result<(), String> {
    let error = match outcome {
        None => return Err("no dispatcher for this operation".to_string()),
        Some(Err(Failure::Unknown(name))) => {
            return Err(format!("argument `{name}` names no builder method"))
        }
        Some(Err(Failure::Arg(name, e))) => {
            return Err(format!(
                "the sample for `{name}` does not fit its type: {e}"
            ))
        }
        Some(Err(Failure::Sent(e))) => Some(e),
        Some(Ok(_)) => None,
    };
    let Some(seen) = seen else {
        let why = error.map(|e| e.to_string()).unwrap_or_default();
        return Err(format!("nothing was sent or answered: {why}"));
    };
    // Prism also reports where its own mocked response breaks the spec:
    // only the request's violations count.
    let request_violations: Vec<Value> = seen
        .violations
        .as_deref()
        .and_then(|v| serde_json::from_str::<Vec<Value>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v["location"][0] == "request")
        .collect();
    if !request_violations.is_empty() {
        return Err(format!("Prism: {}", Value::Array(request_violations)));
    }
    // Prism's own verdicts come as problem documents: 422 (invalid request),
    // 404/405 (no such path or method), 401 (security), 400.
    if seen.problem && matches!(seen.status, 400 | 401 | 404 | 405 | 415 | 422) {
        let why = error.map(|e| e.to_string()).unwrap_or_default();
        return Err(format!("Prism {}: {why}", seen.status));
    }
    Ok(())
}

//! Every generated operation with path parameters, sent with plain values:
//! each value must appear in the URL as its percent-encoded text, with no
//! quotes or JSON around it (pods once sent `/v3/pods/%22mypod%22`), so no
//! service can regress. Arguments come from the specs as in the conformance
//! suite; string parameters get a value that needs encoding.

#[path = "conformance/calls.rs"]
#[allow(dead_code)]
mod calls;
#[path = "conformance/samples.rs"]
#[allow(dead_code)]
mod samples;

mod common;

use std::path::Path;

use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use calls::{arguments, dispatch, Failure};
use samples::Samples;

/// The value string path parameters get: a space and a `#` must be encoded.
const PLAIN: &str = "v 1#x";

#[tokio::test]
async fn every_path_parameter_goes_out_as_its_percent_encoded_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = tapis_codegen::SpecSet::load_dir(&root.join("specs")).unwrap();
    let server =
        common::server_answering(ResponseTemplate::new(200).set_body_json(json!({}))).await;
    let t = common::client(&server);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for service in tapis::SERVICES {
        let raw = set.get(service).unwrap();
        let spec = tapis_codegen::normalize::run(service, raw, &set)
            .unwrap()
            .spec;
        let samples = Samples::new(&spec, false);
        for (template, item) in spec["paths"].as_object().unwrap() {
            if !template.contains('{') {
                continue;
            }
            for op in item.as_object().unwrap().values() {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                if tapis_codegen::HAND_WRITTEN.contains(&(service, id)) {
                    continue;
                }
                let mut args = arguments(&samples, item, op);
                let mut expected = template.clone();
                for param in samples.params(item, op) {
                    if param.location != "path" {
                        continue;
                    }
                    let schema = param_schema(&samples, item, op, &param.name);
                    let plain_text = schema["type"] == "string"
                        && schema.get("format").is_none()
                        && schema.get("enum").is_none();
                    let value = if plain_text {
                        Value::String(PLAIN.into())
                    } else {
                        param.value.clone()
                    };
                    let text = match &value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let encoded = tapis::path::segment(&param.name, &text).unwrap();
                    expected = expected.replace(&format!("{{{}}}", param.name), &encoded);
                    args.insert(calls::method_name(&param.name), value);
                }
                while expected.contains("//") {
                    expected = expected.replace("//", "/");
                }
                let before = common::received(&server).await.len();
                match dispatch::call(&t, service, id, &args).await {
                    None => wrong.push(format!("{service} {id}: no dispatcher")),
                    Some(Err(Failure::Arg(name, e))) => {
                        wrong.push(format!("{service} {id}: argument {name}: {e}"))
                    }
                    Some(Err(Failure::Unknown(name))) => {
                        wrong.push(format!("{service} {id}: no method {name}"))
                    }
                    // Decoding `{}` may fail for some answers; the request
                    // is what is checked.
                    Some(_) => {}
                }
                let seen = common::received(&server).await;
                match seen.get(before) {
                    Some(request) if request.path == expected => checked += 1,
                    Some(request) => wrong.push(format!(
                        "{service} {id}: sent {}, expected {expected}",
                        request.path
                    )),
                    None => wrong.push(format!("{service} {id}: nothing sent")),
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    println!("path parameters: {checked} operations send plain, encoded values");
    assert!(checked > 300 || tapis::SERVICES.len() < 16, "{checked}");
}

/// The resolved schema of path parameter `name` of `op`.
fn param_schema(samples: &Samples, item: &Value, op: &Value, name: &str) -> Value {
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(item["parameters"].as_array().into_iter().flatten());
    for p in params {
        let p = samples.resolve(p);
        if p["name"] == name && p["in"] == "path" {
            return samples.resolve(&p["schema"]).clone();
        }
    }
    Value::Null
}

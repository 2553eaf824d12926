//! Checks on a normalised spec: everything progenitor would reject, panic on
//! or silently mishandle is reported here with the spec, place and construct.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::normalize::walk_objects;
use crate::operations::METHODS;
use crate::CodegenError;

/// Fails on the first construct the generator cannot handle.
pub fn check(service: &str, spec: &Value) -> Result<(), CodegenError> {
    let version = spec["openapi"].as_str().unwrap_or_default();
    if !version.starts_with("3.0.") {
        return Err(CodegenError::unhandled(
            service,
            "/openapi",
            format!("OpenAPI version `{version}`"),
        ));
    }
    let mut external = None;
    walk_objects(&mut spec.clone(), &mut String::new(), &mut |loc, obj| {
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            if !r.starts_with("#/") && external.is_none() {
                external = Some((loc.to_string(), r.to_string()));
            }
        }
        Ok(())
    })?;
    if let Some((loc, r)) = external {
        return Err(CodegenError::unhandled(
            service,
            loc,
            format!("external $ref `{r}`"),
        ));
    }

    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let Some(paths) = spec["paths"].as_object() else {
        return Ok(());
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let place = format!("{} {path}", method.to_uppercase());
            let Some(id) = op["operationId"].as_str() else {
                return Err(CodegenError::unhandled(
                    service,
                    place,
                    "an operation without operationId",
                ));
            };
            if let Some(other) = seen_ids.insert(id.to_string(), place.clone()) {
                return Err(CodegenError::unhandled(
                    service,
                    place,
                    format!("operationId `{id}` also used by {other}"),
                ));
            }
            check_operation(service, &format!("{place} ({id})"), op)?;
        }
    }
    Ok(())
}

fn check_operation(service: &str, place: &str, op: &Value) -> Result<(), CodegenError> {
    if let Some(content) = op["requestBody"]["content"].as_object() {
        if content.len() > 1 {
            return Err(CodegenError::unhandled(
                service,
                place,
                "several request media types",
            ));
        }
        if let Some(kind) = content.keys().find(|k| k.starts_with("multipart/")) {
            return Err(CodegenError::unhandled(
                service,
                place,
                format!("request media type `{kind}`"),
            ));
        }
    }
    if let Some(params) = op["parameters"].as_array() {
        for p in params {
            if p["in"] == "header"
                && (p["schema"]["type"] == "object" || p["schema"].get("$ref").is_some())
            {
                return Err(CodegenError::unhandled(
                    service,
                    place,
                    format!("object-typed header `{}`", p["name"]),
                ));
            }
        }
    }
    let Some(responses) = op["responses"].as_object() else {
        return Ok(());
    };
    let kinds = |success: bool| -> BTreeSet<String> {
        responses
            .iter()
            .filter(|(s, _)| *s != "default" && s.starts_with('2') == success)
            .map(|(_, r)| r.get("content").map(Value::to_string).unwrap_or_default())
            .collect()
    };
    if kinds(true).len() > 1 {
        return Err(CodegenError::unhandled(
            service,
            place,
            "several success response types",
        ));
    }
    if kinds(false).len() > 1 {
        return Err(CodegenError::unhandled(
            service,
            place,
            "several error response types",
        ));
    }
    Ok(())
}

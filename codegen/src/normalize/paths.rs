//! Paths and parameters.

use serde_json::{json, Map, Value};

use super::{for_each_operation, Ctx};
use crate::CodegenError;

/// The Tapis servers serve every service under `/v3`, but 130 paths (all of
/// jobs, meta, sk, pods; some of actors and streams) are declared without it,
/// their specs' `servers` carrying the `/v3` instead. We prefix the paths so
/// that one base URL (the tenant's root) serves every service.
pub(crate) fn prefix_v3_paths(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let Some(paths) = ctx.spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    let mut hits = 0;
    let mut renamed = Map::new();
    for (path, item) in std::mem::take(paths) {
        let new_path = if path == "/v3" || path.starts_with("/v3/") {
            path
        } else {
            hits += 1;
            format!("/v3{path}")
        };
        if renamed.contains_key(&new_path) {
            return Err(CodegenError::unhandled(
                ctx.service,
                &new_path,
                "a path that collides with another once prefixed with /v3",
            ));
        }
        renamed.insert(new_path, item);
    }
    *paths = renamed;
    Ok(hits)
}

/// Path parameters whose values are file paths: `/` in them separates
/// directories and must reach the server unencoded. Everything else has its
/// `/` percent-encoded. Listed by (service, parameter name).
pub const PATH_LIKE_PARAMETERS: &[(&str, &str)] = &[
    // /v3/files/ops/{systemId}/{path}, content, permissions, ...
    ("files", "path"),
    // /v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}
    ("globus-proxy", "path"),
    // /v3/jobs/{jobUuid}/output/{list,download}/{outputPath}
    ("jobs", "outputPath"),
    // /v3/pods/{snapshots,volumes}/{id}/{contents,upload}/{path}
    ("pods", "path"),
];

/// Records, for each path template, which of its parameters are path-like,
/// so that post-processing keeps their `/` as separators.
pub(crate) fn mark_path_like_parameters(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service.to_string();
    let mut hits = 0;
    let mut found = std::collections::BTreeMap::new();
    for_each_operation(&mut ctx.spec, |path, _method, _op| {
        for (s, name) in PATH_LIKE_PARAMETERS {
            if *s == service && path.contains(&format!("{{{name}}}")) {
                found
                    .entry(path.to_string())
                    .or_insert_with(Vec::new)
                    .push(name.to_string());
            }
        }
        Ok(())
    })?;
    for (path, names) in found {
        let mut names: Vec<String> = names;
        names.dedup();
        hits += names.len();
        ctx.path_like.insert(path, names);
    }
    Ok(hits)
}

/// progenitor cannot send a header parameter whose schema is an object (it
/// hits `unreachable!`). The only one, the files `range` header, is documented
/// as the string `range=0,999`, so such headers become string headers.
pub(crate) fn string_object_headers(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let components = ctx.spec.get("components").cloned().unwrap_or(Value::Null);
    let mut hits = 0;
    for_each_operation(&mut ctx.spec, |_path, _method, op| {
        let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        for param in params {
            if param["in"] != "header" {
                continue;
            }
            let schema = resolve_local(&components, &param["schema"]);
            let is_object = schema["type"] == "object" || schema.get("properties").is_some();
            if is_object {
                let description = schema["description"].clone();
                param["schema"] = json!({"type": "string"});
                if description.is_string() && param.get("description").is_none() {
                    param["description"] = description;
                }
                hits += 1;
            }
        }
        Ok(())
    })?;
    Ok(hits)
}

/// Follows a local `#/components/schemas/X` reference (one level).
pub(crate) fn resolve_local<'a>(components: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/components/schemas/")
            .and_then(|name| components.get("schemas").and_then(|s| s.get(name)))
            .unwrap_or(schema),
        None => schema,
    }
}

/// Calls `f(parameter)` on every parameter object of the spec: those of
/// operations, of path items and of `components/parameters`.
fn for_each_parameter(spec: &mut Value, mut f: impl FnMut(&mut Value)) {
    let mut lists: Vec<&mut Value> = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for (key, value) in item.iter_mut() {
                if key == "parameters" {
                    lists.push(value);
                } else if let Some(p) = value.get_mut("parameters") {
                    lists.push(p);
                }
            }
        }
    }
    for list in lists {
        for param in list.as_array_mut().into_iter().flatten() {
            f(param);
        }
    }
    if let Some(params) = spec
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        params.values_mut().for_each(f);
    }
}

/// A parameter schema with no type at all (pods' path parameters are only
/// `{title: "Pod Id"}`) was generated as `serde_json::Value` and sent
/// JSON-quoted (`/v3/pods/%22mypod%22`). Path, query and header values are
/// text on the wire, so such a schema becomes `type: string`.
pub(crate) fn untyped_parameters_are_text(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_parameter(&mut ctx.spec, |param| {
        let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else {
            return;
        };
        let typed = [
            "type",
            "$ref",
            "enum",
            "allOf",
            "oneOf",
            "anyOf",
            "items",
            "properties",
        ]
        .iter()
        .any(|k| schema.contains_key(*k));
        if !typed {
            schema.insert("type".into(), json!("string"));
            hits += 1;
        }
    });
    Ok(hits)
}

/// Object-typed query parameters that the server reads as one JSON text,
/// not as `key=value` pairs: (service, parameter, evidence). An object
/// query parameter not listed here keeps progenitor's expansion into
/// `key=value` pairs (systems' and notifications' free-form search
/// parameters, which their servers read that way).
const JSON_TEXT_QUERY_PARAMETERS: &[(&str, &str, &str)] = &[
    (
        "meta",
        "filter",
        "RESTHeart's filter is a MongoDB query as JSON text: tapis-project/documentation \
         source/technical/meta.rst sends `--data-urlencode filter='{\"name\": ..}'`",
    ),
    (
        "meta",
        "sort",
        "RESTHeart's sort is JSON text (`{\"name\": 1}`); tapipy passes it as a string \
         (tapis-project/documentation source/technical/meta.rst, `submitLargeQuery(sort='')`)",
    ),
    (
        "streams",
        "geojson",
        "a GeoJSON polygon has no `key=value` form; the current server \
         (tapis-project/streams-api) does not read it at all",
    ),
];

/// Turns the parameters of [`JSON_TEXT_QUERY_PARAMETERS`] into text: the
/// user passes the JSON text (`.filter(json!({"name": "x"}).to_string())`),
/// which goes out as `filter={"name":"x"}`, percent-encoded. Expanded, the
/// filter silently vanished (`?name=x`) and the user got every document.
pub(crate) fn json_text_query_parameters(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut hits = 0;
    for_each_parameter(&mut ctx.spec, |param| {
        let name = param["name"].as_str().unwrap_or_default();
        let listed = JSON_TEXT_QUERY_PARAMETERS
            .iter()
            .any(|(s, n, _)| *s == service && *n == name);
        if !listed || param["in"] != "query" || param["schema"]["type"] != "object" {
            return;
        }
        param["schema"] = json!({"type": "string"});
        let note = "Sent as one JSON text (for example `{\"name\": \"x\"}`).";
        let description = match param["description"].as_str() {
            Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
            _ => note.to_string(),
        };
        param["description"] = json!(description);
        hits += 1;
    });
    Ok(hits)
}

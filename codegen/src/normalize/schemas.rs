//! Component schemas and their references.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::{walk_objects, Ctx};
use crate::CodegenError;

/// External documents some specs refer to, and the vendored service that
/// holds the same document. A reference to any other document fails the build.
const EXTERNAL_DOCUMENTS: &[(&str, &str)] = &[("JobsAPI.yaml", "jobs")];

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// workflows refers to the jobs spec's `ReqSubmitJob` by URL. Rather than
/// fetching it at build time or replacing it with an untyped object, the
/// schema and everything it refers to are copied from the vendored jobs spec
/// (renamed `Jobs<Name>` where the name is already taken by a different schema).
pub(crate) fn resolve_external_refs(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut external = BTreeSet::new();
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |_, obj| {
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            if !r.starts_with('#') {
                external.insert(r.to_string());
            }
        }
        Ok(())
    })?;
    let mut hits = 0;
    for reference in external {
        let (document, pointer) = reference.split_once('#').unwrap_or((&reference, ""));
        let file = document.rsplit('/').next().unwrap_or(document);
        let unhandled = |why: &str| CodegenError::unhandled(ctx.service, &reference, why);
        let (_, source_service) = EXTERNAL_DOCUMENTS
            .iter()
            .find(|(f, _)| *f == file)
            .ok_or_else(|| unhandled("an external $ref to an unknown document"))?;
        let source = ctx
            .set
            .get(source_service)
            .ok_or_else(|| unhandled("an external $ref to a service that is not vendored"))?;
        let name = pointer
            .trim_start_matches('/')
            .strip_prefix("components/schemas/")
            .ok_or_else(|| unhandled("an external $ref that is not a component schema"))?;
        let local = import_schema(&mut ctx.spec, source, name, ctx.service, &reference)?;
        let local_ref = format!("{SCHEMA_PREFIX}{local}");
        walk_objects(&mut ctx.spec, &mut String::new(), &mut |_, obj| {
            if obj.get("$ref").and_then(Value::as_str) == Some(reference.as_str()) {
                obj.insert("$ref".into(), json!(local_ref));
                hits += 1;
            }
            Ok(())
        })?;
    }
    Ok(hits)
}

/// Copies component schema `name` of `source` and its transitive references
/// into `spec`, returning the name it has in `spec`.
fn import_schema(
    spec: &mut Value,
    source: &Value,
    name: &str,
    service: &str,
    reference: &str,
) -> Result<String, CodegenError> {
    let source_schemas = &source["components"]["schemas"];
    // Collect the closure of referenced schemas.
    let mut todo = vec![name.to_string()];
    let mut closure = BTreeMap::new();
    while let Some(n) = todo.pop() {
        if closure.contains_key(&n) {
            continue;
        }
        let schema = source_schemas.get(&n).cloned().ok_or_else(|| {
            CodegenError::unhandled(
                service,
                reference,
                format!("a reference to missing schema `{n}`"),
            )
        })?;
        let mut refs = Vec::new();
        collect_refs(&schema, &mut refs);
        for r in refs {
            match r.strip_prefix(SCHEMA_PREFIX) {
                Some(target) => todo.push(target.to_string()),
                None => {
                    return Err(CodegenError::unhandled(
                        service,
                        reference,
                        format!("a nested non-local $ref `{r}`"),
                    ))
                }
            }
        }
        closure.insert(n, schema);
    }
    // Choose local names: keep the name unless a different schema holds it.
    let schemas = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| {
            CodegenError::unhandled(
                service,
                "/components/schemas",
                "a spec without component schemas",
            )
        })?;
    let renames: BTreeMap<String, String> = closure
        .iter()
        .map(|(n, schema)| match schemas.get(n) {
            Some(existing) if existing != schema => (n.clone(), format!("Jobs{n}")),
            _ => (n.clone(), n.clone()),
        })
        .collect();
    for (n, mut schema) in closure {
        rename_refs(&mut schema, &renames);
        schemas.insert(renames[&n].clone(), schema);
    }
    Ok(renames[name].clone())
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                out.push(r.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn rename_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    let _ = walk_objects(value, &mut String::new(), &mut |_, obj| {
        if let Some(Value::String(r)) = obj.get_mut("$ref") {
            if let Some(new) = r.strip_prefix(SCHEMA_PREFIX).and_then(|n| renames.get(n)) {
                *r = format!("{SCHEMA_PREFIX}{new}");
            }
        }
        Ok(())
    });
}

/// A component schema that is only a `$ref` to another (workflows
/// `ArgSpecValueFrom`, `EnvSpecValueFrom` → `ValueFromSecretOrHost`) makes
/// typify emit colliding type aliases. References to such an alias are
/// pointed at its target and the alias is removed.
pub(crate) fn inline_alias_schemas(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let Some(schemas) = ctx.spec["components"]["schemas"].as_object() else {
        return Ok(0);
    };
    let aliases: BTreeMap<String, String> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let obj = schema.as_object()?;
            let target = obj.get("$ref")?.as_str()?.strip_prefix(SCHEMA_PREFIX)?;
            obj.keys()
                .all(|k| k == "$ref" || k == "description")
                .then(|| (name.clone(), target.to_string()))
        })
        .collect();
    if aliases.is_empty() {
        return Ok(0);
    }
    // Follow alias chains to their final target.
    let resolve = |start: &String| {
        let mut name = start;
        for _ in 0..=aliases.len() {
            match aliases.get(name) {
                Some(next) => name = next,
                None => return Ok(name.clone()),
            }
        }
        Err(CodegenError::unhandled(
            ctx.service,
            format!("{SCHEMA_PREFIX}{start}"),
            "a cycle of alias schemas",
        ))
    };
    let targets: BTreeMap<String, String> = aliases
        .keys()
        .map(|a| resolve(a).map(|t| (a.clone(), t)))
        .collect::<Result<_, _>>()?;
    if let Some(schemas) = ctx
        .spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| !targets.contains_key(name));
    }
    rename_refs(&mut ctx.spec, &targets);
    Ok(targets.len())
}

/// Enum values typify cannot use as they are declared:
/// - `null` among the values (globus-proxy's YAML `NULL`, the `[null]` enums
///   of delete responses): removed, and the schema made `nullable`; an enum
///   left empty is dropped, leaving the plain (nullable) type;
/// - booleans or numbers in a `type: string` enum (actors'
///   `_abaco_synchronous: [true, false]`): written as the strings the server
///   receives on the wire.
///
/// Other mixed-type enums fail the build.
pub(crate) fn fix_enum_values(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut hits = 0;
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |loc, obj| {
        let Some(Value::Array(values)) = obj.get("enum").cloned() else {
            return Ok(());
        };
        if values.iter().all(Value::is_string) {
            return Ok(());
        }
        let mut fixed: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        if fixed.len() < values.len() {
            obj.insert("nullable".into(), json!(true));
        }
        if obj.get("type").and_then(Value::as_str) == Some("string") {
            fixed = fixed
                .into_iter()
                .map(|v| match v {
                    Value::Bool(_) | Value::Number(_) => Value::String(v.to_string()),
                    other => other,
                })
                .collect();
        }
        let kinds: BTreeSet<&str> = fixed.iter().map(json_kind).collect();
        if kinds.len() > 1 || kinds.contains("object") || kinds.contains("array") {
            return Err(CodegenError::unhandled(
                service,
                loc,
                format!("an enum of mixed values {values:?}"),
            ));
        }
        if fixed.is_empty() {
            obj.remove("enum");
        } else {
            obj.insert("enum".into(), Value::Array(fixed));
        }
        hits += 1;
        Ok(())
    })?;
    Ok(hits)
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Tapis servers send `"result": null` (and `"metadata": null`) in envelopes
/// whose schema declares an array or object there, which fails to decode.
/// In every envelope schema (properties `result` plus one of `status`,
/// `message`, `version`, or `result` next to an `allOf` that brings them, as
/// tenants and streams write it) those two fields become optional and nullable.
pub(crate) fn nullable_envelope_fields(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_envelope(&mut ctx.spec, |obj| {
        let Some(Value::Object(props)) = obj.get_mut("properties") else {
            return;
        };
        for field in ["result", "metadata"] {
            let Some(schema) = props.get_mut(field) else {
                continue;
            };
            if schema.get("nullable") == Some(&json!(true)) {
                continue;
            }
            *schema = if schema.get("$ref").is_some() {
                json!({"allOf": [schema.clone()], "nullable": true})
            } else if schema.as_object().is_some_and(|o| o.is_empty()) {
                continue; // already any JSON value, null included
            } else {
                let mut s = schema.clone();
                s["nullable"] = json!(true);
                s
            };
            hits += 1;
        }
        // Older servers omit envelope fields (workflows in 2022 sent no
        // `version`: captures workflows.get*.2022-08-17), so none is required.
        if let Some(Value::Array(required)) = obj.get_mut("required") {
            required.retain(|r| {
                !["result", "metadata", "status", "message", "version"]
                    .contains(&r.as_str().unwrap_or_default())
            });
        }
    })?;
    Ok(hits)
}

/// Some envelope schemas (actors, pgrest, tenants, tokens...) omit
/// `metadata`, so its paging counts would be dropped on decoding. Every
/// envelope (see [`for_each_envelope`]) without one gets
/// `metadata: {}` (any JSON value).
pub(crate) fn envelope_metadata(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_envelope(&mut ctx.spec, |obj| {
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            if !props.contains_key("metadata") {
                props.insert("metadata".into(), json!({}));
                hits += 1;
            }
        }
    })?;
    Ok(hits)
}

/// Calls `f` on every envelope schema: properties `result` plus one of
/// `status`, `message`, `version`, or `result` next to an `allOf` that
/// brings them (tenants, streams).
fn for_each_envelope(
    spec: &mut Value,
    mut f: impl FnMut(&mut serde_json::Map<String, Value>),
) -> Result<(), CodegenError> {
    walk_objects(spec, &mut String::new(), &mut |_, obj| {
        let has_all_of = obj.contains_key("allOf");
        let is_envelope = match obj.get("properties") {
            Some(Value::Object(props)) => {
                props.contains_key("result")
                    && (["status", "message", "version"]
                        .iter()
                        .any(|k| props.contains_key(*k))
                        || has_all_of)
            }
            _ => false,
        };
        if is_envelope {
            f(obj);
        }
        Ok(())
    })
}

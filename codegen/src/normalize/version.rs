//! OpenAPI version handling.

use serde_json::{json, Value};

use super::{walk_objects, Ctx};
use crate::CodegenError;

/// Schema keywords that exist only in OpenAPI 3.1 (JSON Schema 2020-12) and
/// have no 3.0 equivalent. Meeting one is an error, not a silent drop.
const UNCONVERTIBLE_3_1: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "$defs",
];

/// progenitor accepts only `openapi: 3.0.x`; pods declares 3.1.0. The 3.1
/// constructs with a 3.0 equivalent are converted (`type: [T, "null"]`,
/// `const`, numeric `exclusiveMinimum`/`exclusiveMaximum`, schema `examples`);
/// any other 3.1-only construct fails the build.
pub(crate) fn downgrade_openapi_3_1(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let version = ctx.spec["openapi"].as_str().unwrap_or_default().to_string();
    if version.starts_with("3.0.") {
        return Ok(0);
    }
    if !version.starts_with("3.1.") {
        return Err(CodegenError::unhandled(
            ctx.service,
            "/openapi",
            format!("OpenAPI version `{version}`"),
        ));
    }
    for key in ["webhooks", "jsonSchemaDialect"] {
        if ctx.spec.get(key).is_some() {
            return Err(CodegenError::unhandled(
                ctx.service,
                format!("/{key}"),
                "OpenAPI 3.1 `{key}`",
            ));
        }
    }
    let service = ctx.service;
    let mut hits = 1;
    ctx.spec["openapi"] = json!("3.0.3");
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |loc, obj| {
        if let Some(Value::Array(types)) = obj.get("type").cloned() {
            let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            if non_null.len() != 1 {
                return Err(CodegenError::unhandled(
                    service,
                    loc,
                    "a multi-type `type` array",
                ));
            }
            obj.insert("type".into(), non_null[0].clone());
            if non_null.len() < types.len() {
                obj.insert("nullable".into(), json!(true));
            }
            hits += 1;
        }
        if let Some(value) = obj.remove("const") {
            obj.insert("enum".into(), json!([value]));
            hits += 1;
        }
        for (bound, limit) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(n @ Value::Number(_)) = obj.get(bound).cloned() {
                obj.insert(limit.into(), n);
                obj.insert(bound.into(), json!(true));
                hits += 1;
            }
        }
        if loc.contains("/schema") || loc.starts_with("/components/schemas") {
            if let Some(Value::Array(examples)) = obj.remove("examples") {
                if let Some(first) = examples.into_iter().next() {
                    obj.insert("example".into(), first);
                }
                hits += 1;
            }
            if let Some(key) = UNCONVERTIBLE_3_1.iter().find(|k| obj.contains_key(**k)) {
                return Err(CodegenError::unhandled(
                    service,
                    loc,
                    format!("OpenAPI 3.1 keyword `{key}`"),
                ));
            }
        }
        Ok(())
    })?;
    Ok(hits)
}

//! Schema patches for reading what real servers send ("tolerant reader,
//! strict writer"). The generated types decode responses of older and newer
//! servers alike, so the specs' closed objects and invented defaults go; the
//! request-side checks that help a user (lengths, patterns) stay on the
//! builders and are only relaxed for decoding, by post-processing
//! (`postprocess/tolerant.rs`).

use serde_json::{json, Map, Value};

use super::{walk_objects, Ctx};
use crate::CodegenError;

/// Whether `obj` is a schema (rather than a `properties` map, a `responses`
/// map or an example): it has a string `type`, a `$ref`, an array `enum`, a
/// string `format` or a composition keyword holding an array.
fn is_schema(obj: &Map<String, Value>) -> bool {
    obj.get("type").is_some_and(Value::is_string)
        || obj.get("$ref").is_some_and(Value::is_string)
        || obj.get("enum").is_some_and(Value::is_array)
        || obj.get("format").is_some_and(Value::is_string)
        || ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| obj.get(*k).is_some_and(Value::is_array))
}

/// Whether a location (a JSON-pointer-like path) is inside an example, whose
/// values are data, not schemas.
fn in_example(location: &str) -> bool {
    location.contains("/example")
}

/// `additionalProperties: false` (54 pods schemas) makes a whole response
/// fail on one field a newer server added. Unknown properties are kept
/// instead (in each generated object's `extra` map).
pub(crate) fn open_closed_objects(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |loc, obj| {
        if !in_example(loc) && obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            obj.remove("additionalProperties");
            hits += 1;
        }
        Ok(())
    })?;
    Ok(hits)
}

/// A schema `default` is what the *server* assumes when a value is absent.
/// Generated as a serde default, it made decoding invent values the server
/// never sent (a system without `jobMaxJobs` read `2147483647`) and requests
/// carry values the user never set (`createSystem` sent four `false`s). The
/// default moves into the description, so the docs still tell it, and the
/// property is generated as absent-when-absent.
pub(crate) fn defaults_as_documentation(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |loc, obj| {
        if in_example(loc) || !is_schema(obj) {
            return Ok(());
        }
        let Some(default) = obj.remove("default") else {
            return Ok(());
        };
        let note = format!("Default (applied by the server): `{default}`.");
        let description = match obj.get("description").and_then(Value::as_str) {
            Some(d) if !d.trim().is_empty() => format!("{}\n\n{note}", d.trim_end()),
            _ => note,
        };
        obj.insert("description".into(), json!(description));
        hits += 1;
        Ok(())
    })?;
    Ok(hits)
}

/// `format: uuid` decodes as `uuid::Uuid`, so one id that is not a UUID
/// (older servers, hand-made records) failed the whole response. In schemas
/// of bodies the value is text; parameters (request-only) keep their format.
pub(crate) fn uuid_as_text(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    walk_objects(&mut ctx.spec, &mut String::new(), &mut |loc, obj| {
        if in_example(loc) || loc.contains("/parameters/") || !is_schema(obj) {
            return Ok(());
        }
        if obj.get("format").and_then(Value::as_str) == Some("uuid") {
            obj.remove("format");
            hits += 1;
        }
        Ok(())
    })?;
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(patch: fn(&mut Ctx) -> Result<usize, CodegenError>, spec: Value) -> (Value, usize) {
        let set = crate::SpecSet::default();
        let mut ctx = Ctx {
            service: "t",
            spec,
            set: &set,
            hand_written: Vec::new(),
            path_like: Default::default(),
            empty_success: Vec::new(),
        };
        let hits = patch(&mut ctx).unwrap();
        (ctx.spec, hits)
    }

    #[test]
    fn defaults_move_into_descriptions_but_properties_named_default_stay() {
        let (spec, hits) = run(
            defaults_as_documentation,
            json!({"components": {"schemas": {"S": {"type": "object", "properties": {
                "jobMaxJobs": {"type": "integer", "default": 2147483647, "description": "Max jobs."},
                "default": {"type": "string"},
                "type": {"type": "string", "default": "x"}
            }}}}, "paths": {"/a": {"get": {"responses": {"default": {"description": "d"}}}}}}),
        );
        assert_eq!(hits, 2);
        let props = &spec["components"]["schemas"]["S"]["properties"];
        assert!(props["jobMaxJobs"].get("default").is_none());
        assert_eq!(
            props["jobMaxJobs"]["description"],
            "Max jobs.\n\nDefault (applied by the server): `2147483647`."
        );
        assert!(props.get("default").is_some(), "a property named default");
        assert!(spec["paths"]["/a"]["get"]["responses"]
            .get("default")
            .is_some());
    }

    #[test]
    fn closed_objects_open_and_uuids_in_bodies_become_text() {
        let (spec, hits) = run(
            open_closed_objects,
            json!({"a": {"type": "object", "additionalProperties": false}, "b": {"additionalProperties": {}}}),
        );
        assert_eq!(hits, 1);
        assert!(spec["a"].get("additionalProperties").is_none());
        let (spec, hits) = run(
            uuid_as_text,
            json!({"components": {"schemas": {"S": {"type": "string", "format": "uuid"}},
                   "parameters": {"P": {"schema": {"type": "string", "format": "uuid"}}}}}),
        );
        assert_eq!(hits, 1);
        assert!(spec["components"]["schemas"]["S"].get("format").is_none());
        assert_eq!(
            spec["components"]["parameters"]["P"]["schema"]["format"],
            "uuid"
        );
    }
}

//! The normalisation pass: small named patches that make the Tapis specs
//! generate with progenitor without losing what the server sends.
//!
//! Each patch is a function `fn(&mut Ctx) -> Result<usize, CodegenError>` with
//! a comment saying why it exists; it returns how many places it changed, and
//! [`Report`] keeps the counts so a build can print them. A construct a patch
//! does not know is an error naming the spec and the place, never a silent
//! drop; [`crate::validate`] checks the result once more.

mod bodies;
mod paths;
mod responses;
mod schemas;
mod spec_fixes;
mod tolerance;
mod version;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{CodegenError, SpecSet};

/// The normalised spec plus what the post-processing step needs to know.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub spec: Value,
    pub report: Report,
    /// Path templates (after normalisation) → names of their path parameters
    /// whose values are file paths, in which `/` stays a separator.
    pub path_like: BTreeMap<String, Vec<String>>,
    /// (operationId, status) of success statuses declared without a body
    /// next to a typed one; see `responses::unify_success_responses`.
    pub empty_success: Vec<(String, u16)>,
}

/// How often each patch applied to one spec.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub hits: Vec<(&'static str, usize)>,
    /// Operations removed because they are implemented by hand.
    pub hand_written: Vec<String>,
}

impl Report {
    /// Total number of changes made by all patches.
    pub fn total(&self) -> usize {
        self.hits.iter().map(|(_, n)| n).sum()
    }
}

/// The state a patch works on.
pub(crate) struct Ctx<'a> {
    pub service: &'a str,
    pub spec: Value,
    pub set: &'a SpecSet,
    pub hand_written: Vec<String>,
    pub path_like: BTreeMap<String, Vec<String>>,
    pub empty_success: Vec<(String, u16)>,
}

type Patch = fn(&mut Ctx) -> Result<usize, CodegenError>;

/// The patches, in the order they run. Order matters where noted.
const PATCHES: &[(&str, Patch)] = &[
    ("downgrade_openapi_3_1", version::downgrade_openapi_3_1),
    ("resolve_external_refs", schemas::resolve_external_refs),
    ("prefix_v3_paths", paths::prefix_v3_paths),
    (
        "mark_path_like_parameters",
        paths::mark_path_like_parameters,
    ),
    (
        "remove_multipart_operations",
        bodies::remove_multipart_operations,
    ),
    ("keep_json_request_body", bodies::keep_json_request_body),
    (
        "binary_octet_stream_bodies",
        bodies::binary_octet_stream_bodies,
    ),
    ("string_object_headers", paths::string_object_headers),
    (
        "untyped_parameters_are_text",
        paths::untyped_parameters_are_text,
    ),
    (
        "json_text_query_parameters",
        paths::json_text_query_parameters,
    ),
    ("fix_results", spec_fixes::fix_results),
    ("add_missing_properties", spec_fixes::add_missing_properties),
    ("pgrest_columns_map", spec_fixes::pgrest_columns_map),
    ("parameter_enums", spec_fixes::parameter_enums),
    ("inline_alias_schemas", schemas::inline_alias_schemas),
    ("fix_enum_values", schemas::fix_enum_values),
    ("open_closed_objects", tolerance::open_closed_objects),
    (
        "defaults_as_documentation",
        tolerance::defaults_as_documentation,
    ),
    ("uuid_as_text", tolerance::uuid_as_text),
    (
        "nullable_envelope_fields",
        schemas::nullable_envelope_fields,
    ),
    ("envelope_metadata", schemas::envelope_metadata),
    (
        "declare_download_bodies",
        responses::declare_download_bodies,
    ),
    (
        "unify_success_responses",
        responses::unify_success_responses,
    ),
    ("unify_error_responses", responses::unify_error_responses),
    // After unify_success_responses: needs a single success response.
    ("success_for_any_2xx", responses::success_for_any_2xx),
];

/// Runs every patch on a copy of the raw spec of `service`.
pub fn run(service: &str, raw: &Value, set: &SpecSet) -> Result<Normalized, CodegenError> {
    let mut ctx = Ctx {
        service,
        spec: raw.clone(),
        set,
        hand_written: Vec::new(),
        path_like: BTreeMap::new(),
        empty_success: Vec::new(),
    };
    let mut report = Report::default();
    for (name, patch) in PATCHES {
        let hits = patch(&mut ctx)?;
        report.hits.push((name, hits));
    }
    report.hand_written = ctx.hand_written;
    Ok(Normalized {
        spec: ctx.spec,
        report,
        path_like: ctx.path_like,
        empty_success: ctx.empty_success,
    })
}

/// Calls `f(path, method, operation)` for every operation of the spec.
pub(crate) fn for_each_operation(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Value) -> Result<(), CodegenError>,
) -> Result<(), CodegenError> {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if crate::operations::METHODS.contains(&method.as_str()) {
                f(path, method, op)?;
            }
        }
    }
    Ok(())
}

/// A visitor of JSON objects: `(location, object)`.
pub(crate) type ObjectVisitor<'a> =
    dyn FnMut(&str, &mut serde_json::Map<String, Value>) -> Result<(), CodegenError> + 'a;

/// Calls `f(location, object)` on every JSON object in `value`, depth first,
/// parents before children. `location` is a JSON-pointer-like path.
pub(crate) fn walk_objects(
    value: &mut Value,
    location: &mut String,
    f: &mut ObjectVisitor<'_>,
) -> Result<(), CodegenError> {
    match value {
        Value::Object(map) => {
            f(location, map)?;
            for (key, child) in map.iter_mut() {
                let len = location.len();
                location.push('/');
                location.push_str(key);
                walk_objects(child, location, f)?;
                location.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = location.len();
                location.push('/');
                location.push_str(&i.to_string());
                walk_objects(child, location, f)?;
                location.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

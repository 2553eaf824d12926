//! Spec bugs: where a spec declares a shape the server does not send. The
//! server wins; each fix names its evidence (a captured response in
//! `tests/fixtures/real-responses/`, or the server's source).

use serde_json::{json, Value};

use super::{for_each_operation, Ctx};
use crate::CodegenError;

/// An operation's success `result` declared wrongly: (service, operationId,
/// the `result` schema the server sends, evidence).
const RESULT_FIXES: &[(&str, &str, &str, &str)] = &[
    (
        "streams",
        "list_roles",
        r#"{"type": "array", "items": {"type": "string"}}"#,
        "role names, not `Roles` objects: capture streams.list_roles.2021-05-11",
    ),
    (
        "streams",
        "grant_role",
        r#"{"type": "array", "items": {"type": "string"}}"#,
        "role names, not `Roles` objects: capture streams.grant_role.2021-05-11",
    ),
    (
        "streams",
        "revoke_role",
        r#"{"type": "string"}"#,
        "a string (`\"\"`): capture streams.revoke_role.2022-05-04",
    ),
    (
        "sk",
        "sayHello",
        r#"{"type": "string"}"#,
        "a greeting string: capture sk.sayHello.2023-04-05",
    ),
    (
        "pgrest",
        "add_table_row",
        r##"{"type": "array", "items": {"$ref": "#/components/schemas/TableRow"}}"##,
        "a list of the rows created: capture pgrest.add_table_row.2021-03-23",
    ),
    (
        "authenticator",
        "hello",
        r#"{}"#,
        "declared without `result`, which the service's envelope always has \
         (tapis-project/authenticator, every `ok(result=..)` answer)",
    ),
];

/// Replaces the `result` schema of the operations in [`RESULT_FIXES`]. The
/// success schema is copied first (a `$ref` is inlined), so other
/// operations sharing it keep theirs.
pub(crate) fn fix_results(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let fixes: Vec<_> = RESULT_FIXES.iter().filter(|f| f.0 == service).collect();
    if fixes.is_empty() {
        return Ok(0);
    }
    let schemas = ctx.spec["components"]["schemas"].clone();
    let mut hits = 0;
    for_each_operation(&mut ctx.spec, |_, _, op| {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let Some((_, _, result, _)) = fixes.iter().find(|f| f.1 == id) else {
            return Ok(());
        };
        let result: Value = serde_json::from_str(result).expect("a fix is JSON");
        let Some(responses) = op["responses"].as_object_mut() else {
            return Ok(());
        };
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(schema) = response.pointer_mut("/content/application~1json/schema") else {
                continue;
            };
            if let Some(name) = schema["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                *schema = schemas[name].clone();
            }
            match schema.get_mut("properties").and_then(Value::as_object_mut) {
                Some(props) => {
                    props.insert("result".into(), result.clone());
                }
                None => schema["properties"] = json!({"result": result.clone()}),
            }
            hits += 1;
        }
        Ok(())
    })?;
    if hits == 0 {
        return Err(CodegenError::unhandled(
            service,
            "/paths",
            "a result fix whose operation is gone (update RESULT_FIXES)",
        ));
    }
    Ok(hits)
}

/// Properties servers send that a schema omits: (service, schema, property,
/// its schema, evidence).
const MISSING_PROPERTIES: &[(&str, &str, &str, &str, &str)] = &[
    // tapis-project/authenticator service/models.py, `LdapUser.serialize`:
    // dn, given_name, last_name, email, phone, mobile_phone, create_time,
    // username, uid.
    (
        "authenticator",
        "Profile",
        "dn",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "given_name",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "last_name",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "phone",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "mobile_phone",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "create_time",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    (
        "authenticator",
        "Profile",
        "uid",
        r#"{"type": "string"}"#,
        "LdapUser.serialize",
    ),
    // tapis-project/tenants-api service/models.py: `Tenant.fields_metadata`
    // serialises `status` (ACTIVE, INACTIVE, DRAFT).
    (
        "tenants",
        "Tenant",
        "status",
        r#"{"type": "string"}"#,
        "Tenant.fields_metadata",
    ),
    // ... and `Site.serialize` the times and authors of a site.
    (
        "tenants",
        "Site",
        "create_time",
        r#"{"type": "string"}"#,
        "Site.serialize",
    ),
    (
        "tenants",
        "Site",
        "created_by",
        r#"{"type": "string"}"#,
        "Site.serialize",
    ),
    (
        "tenants",
        "Site",
        "last_update_time",
        r#"{"type": "string"}"#,
        "Site.serialize",
    ),
    (
        "tenants",
        "Site",
        "last_updated_by",
        r#"{"type": "string"}"#,
        "Site.serialize",
    ),
    // tapis-project/tokens-api service/models.py: `TapisToken.serialize`
    // gives every issued token its `jti`.
    (
        "tokens",
        "NewAccessTokenResponse",
        "jti",
        r#"{"type": "string"}"#,
        "TapisToken.serialize",
    ),
    (
        "tokens",
        "NewRefreshTokenResponse",
        "jti",
        r#"{"type": "string"}"#,
        "TapisToken.serialize",
    ),
];

/// Adds the properties of [`MISSING_PROPERTIES`] (a property the schema
/// already has is left alone).
pub(crate) fn add_missing_properties(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for (service, schema, property, declared, _) in MISSING_PROPERTIES {
        if *service != ctx.service {
            continue;
        }
        let Some(props) = ctx
            .spec
            .pointer_mut(&format!("/components/schemas/{schema}/properties"))
            .and_then(Value::as_object_mut)
        else {
            return Err(CodegenError::unhandled(
                ctx.service,
                format!("/components/schemas/{schema}"),
                "a schema to add properties to that is gone (update MISSING_PROPERTIES)",
            ));
        };
        if !props.contains_key(*property) {
            props.insert(
                property.to_string(),
                serde_json::from_str(declared).expect("a property schema is JSON"),
            );
            hits += 1;
        }
    }
    Ok(hits)
}

/// pgrest `TableColumns` describes *one* column, but the server takes (and
/// answers with) a map from column name to column description
/// (tapis-project/paas `pgrest/db_transactions/manage_tables.py` and
/// `pgrest/views.py` iterate `columns.items()`; the
/// spec's own description says "in key/value pair format"). The column
/// description becomes `TableColumn`, and `TableColumns` a map of them, so a
/// real `create_table` body can be written.
pub(crate) fn pgrest_columns_map(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    if ctx.service != "pgrest" {
        return Ok(0);
    }
    let Some(schemas) = ctx
        .spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Ok(0);
    };
    let Some(columns) = schemas.get("TableColumns").cloned() else {
        return Err(CodegenError::unhandled(
            "pgrest",
            "/components/schemas/TableColumns",
            "the columns schema is gone (update pgrest_columns_map)",
        ));
    };
    if columns.get("additionalProperties").is_some() {
        return Ok(0); // the spec was fixed upstream
    }
    let mut column = columns.clone();
    column["description"] = json!("One column of a table: its type and constraints.");
    schemas.insert("TableColumn".into(), column);
    schemas.insert(
        "TableColumns".into(),
        json!({
            "type": "object",
            "description": columns["description"],
            "additionalProperties": {"$ref": "#/components/schemas/TableColumn"}
        }),
    );
    Ok(1)
}

/// A query parameter the spec types as free text although the server takes
/// only a closed list of values.
struct ParameterEnum {
    service: &'static str,
    parameter: &'static str,
    /// The name of the enum schema added for it.
    schema: &'static str,
    description: &'static str,
    values: &'static [&'static str],
}

/// The parameters patched by [`parameter_enums`], each with its evidence.
const PARAMETER_ENUMS: &[ParameterEnum] = &[
    // tapis-project/tapis-jobs (e26120d), JobListingResource.java and
    // JobSearchResource.java: `EnumUtils.isValidEnum(JobListType.class,
    // listType)` refuses any other value (JOBS_SEARCH_INVALID_LISTTYPE_ERROR);
    // the spec lists the values only in prose.
    ParameterEnum {
        service: "jobs",
        parameter: "listType",
        schema: "JobListType",
        description:
            "Which jobs a listing covers: the user's own, those shared with the user, or both.",
        values: &["MY_JOBS", "SHARED_JOBS", "ALL_JOBS"],
    },
];

/// Applies [`PARAMETER_ENUMS`]: every query parameter of that name whose
/// schema is plain text refers to a new enum schema instead, so its setter
/// offers the values (and still takes a string); its default moves to the
/// parameter's description.
pub(crate) fn parameter_enums(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut hits = 0;
    for fix in PARAMETER_ENUMS.iter().filter(|f| f.service == service) {
        let mut found = 0;
        for_each_operation(&mut ctx.spec, |_, _, op| {
            let params = op.get_mut("parameters").and_then(Value::as_array_mut);
            for p in params.into_iter().flatten() {
                if p["name"] == fix.parameter
                    && p["in"] == "query"
                    && p["schema"]["type"] == "string"
                {
                    // A `$ref` has no siblings in 3.0: the default becomes
                    // documentation, as `defaults_as_documentation` does.
                    if let Some(default) = p["schema"].get("default").and_then(Value::as_str) {
                        let note = format!("Default (applied by the server): `{default}`.");
                        p["description"] = match p["description"].as_str() {
                            Some(d) => json!(format!("{d}\n\n{note}")),
                            None => json!(note),
                        };
                    }
                    p["schema"] = json!({"$ref": format!("#/components/schemas/{}", fix.schema)});
                    found += 1;
                }
            }
            Ok(())
        })?;
        if found == 0 {
            return Err(CodegenError::unhandled(
                service,
                "/paths",
                format!(
                    "no text query parameter `{}` is left (update PARAMETER_ENUMS)",
                    fix.parameter
                ),
            ));
        }
        ctx.spec["components"]["schemas"][fix.schema] = json!({
            "type": "string",
            "description": fix.description,
            "enum": fix.values,
        });
        hits += found;
    }
    Ok(hits)
}

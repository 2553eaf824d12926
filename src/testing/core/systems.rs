//! Systems: create, get, list.

use serde_json::{json, Value};

use super::{json_body, query, stamp_new, Data, RecordedRequest, Reply, State};

const SYSTEM_TYPES: &[&str] = &["LINUX", "S3", "IRODS", "GLOBUS"];
/// What `select=summaryAttributes` keeps.
const SUMMARY: &[&str] = &[
    "id",
    "systemType",
    "owner",
    "host",
    "effectiveUserId",
    "defaultAuthnMethod",
    "canExec",
];

pub(super) fn create(
    data: &mut Data,
    state: &State,
    request: &RecordedRequest,
    user: &str,
) -> Reply {
    let mut system = match json_body(
        request,
        &["id", "systemType", "host", "defaultAuthnMethod", "canExec"],
    ) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let id = system["id"].as_str().unwrap_or_default().to_string();
    let kind = system["systemType"].as_str().unwrap_or_default();
    if !SYSTEM_TYPES.contains(&kind) {
        return Reply::error(
            400,
            &format!("systemType `{kind}` is not one of {SYSTEM_TYPES:?}"),
        );
    }
    if data.systems.iter().any(|s| s["id"] == id.as_str()) {
        return Reply::error(
            409,
            &format!("SYSAPI_SYS_EXISTS: system `{id}` already exists"),
        );
    }
    let owner = system
        .get("owner")
        .and_then(Value::as_str)
        .unwrap_or(user)
        .to_string();
    system.insert("owner".into(), json!(owner));
    system.entry("effectiveUserId").or_insert(json!(owner));
    stamp_new(&mut system, state);
    data.systems.push(Value::Object(system));
    Reply::ok_with_status(
        201,
        &format!("SYSAPI_CREATED: system `{id}` created"),
        json!({"url": format!("{}/v3/systems/{id}", state.url)}),
    )
}

pub(super) fn get(data: &Data, id: &str) -> Reply {
    match find(data, id) {
        Some(system) => Reply::ok("SYSAPI_SYS_FOUND", system.clone()),
        None => not_found(id),
    }
}

pub(super) fn list(data: &Data, request: &RecordedRequest) -> Reply {
    match query::list(&data.systems, &request.query, SUMMARY) {
        Ok((page, metadata)) => query::page_reply("SYSAPI_SYS_FOUND", page, metadata),
        Err(reply) => reply,
    }
}

pub(super) fn find<'a>(data: &'a Data, id: &str) -> Option<&'a Value> {
    data.systems.iter().find(|s| s["id"] == id)
}

pub(super) fn not_found(id: &str) -> Reply {
    Reply::error(404, &format!("SYSAPI_NOT_FOUND: system `{id}` not found"))
}

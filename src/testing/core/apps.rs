//! Apps: create a version, get one version or the latest.

use serde_json::{json, Value};

use super::{json_body, stamp_new, Data, RecordedRequest, Reply, State};

pub(super) fn create(
    data: &mut Data,
    state: &State,
    request: &RecordedRequest,
    user: &str,
) -> Reply {
    let mut app = match json_body(request, &["id", "version", "containerImage"]) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let id = app["id"].as_str().unwrap_or_default().to_string();
    let version = app["version"].as_str().unwrap_or_default().to_string();
    if find(data, &id, Some(&version)).is_some() {
        return Reply::error(
            409,
            &format!("APPAPI_APP_EXISTS: app `{id}` version `{version}` already exists"),
        );
    }
    app.entry("owner").or_insert(json!(user));
    app.entry("versionEnabled").or_insert(json!(true));
    app.entry("jobType").or_insert(json!("BATCH"));
    stamp_new(&mut app, state);
    data.apps.push(Value::Object(app));
    Reply::ok_with_status(
        201,
        &format!("APPAPI_CREATED: app `{id}` version `{version}` created"),
        json!({"url": format!("{}/v3/apps/{id}/{version}", state.url)}),
    )
}

pub(super) fn get(data: &Data, id: &str, version: Option<&str>) -> Reply {
    match find(data, id, version) {
        Some(app) => Reply::ok("APPAPI_FOUND", app.clone()),
        None => Reply::error(
            404,
            &format!(
                "APPAPI_NOT_FOUND: app `{id}` version `{}` not found",
                version.unwrap_or("latest")
            ),
        ),
    }
}

/// One version of an app, or (without a version) the one created last.
pub(super) fn find<'a>(data: &'a Data, id: &str, version: Option<&str>) -> Option<&'a Value> {
    data.apps
        .iter()
        .rev()
        .find(|a| a["id"] == id && version.is_none_or(|v| a["version"] == v))
}

//! The stateful core: the handful of operations a newcomer's first session
//! uses, kept in memory.

mod apps;
mod files;
mod jobs;
mod query;
mod systems;

use serde_json::{json, Value};

use super::record::RecordedRequest;
use super::reply::Reply;
use super::routes::Matched;
use super::server::State;
use super::{auth, lock};

/// Everything created through the server.
#[derive(Debug, Default)]
pub(crate) struct Data {
    systems: Vec<Value>,
    files: files::Tree,
    jobs: Vec<jobs::Job>,
    apps: Vec<Value>,
}

/// Answers an operation of the core, or says it is not implemented.
pub(crate) async fn dispatch(
    state: &State,
    request: &RecordedRequest,
    matched: &Matched,
    user: Option<&str>,
) -> Reply {
    let user = user.unwrap_or("anonymous");
    let param = |name: &str| matched.params.get(name).map(String::as_str).unwrap_or("");
    let op = (matched.operation.service, matched.operation.id);
    // The one operation that reads its body asynchronously; parsed before
    // the data is locked.
    if op == ("files", "insert") {
        let upload = files::read_upload(request).await;
        let mut data = lock(&state.data);
        return files::insert(&mut data, param("systemId"), param("path"), upload);
    }
    let data = &mut lock(&state.data);
    match op {
        ("authenticator", "create_token") => {
            auth::token_endpoint(state, &request.headers, &request.body)
        }
        ("authenticator", "get_userinfo") => auth::userinfo(user),
        ("tenants", "list_tenants") => Reply::ok("Tenants retrieved.", auth::tenants(state)),
        ("tenants", "get_tenant") if param("tenant_id") == state.config.tenant_id => {
            Reply::ok("Tenant retrieved.", auth::tenant(state))
        }
        ("tenants", "list_sites") => Reply::ok("Sites retrieved.", auth::sites(state)),
        ("tenants", "get_site") if auth::site(state)["site_id"] == param("site_id") => {
            Reply::ok("Site retrieved.", auth::site(state))
        }
        ("tenants", "get_tenant" | "get_site") => Reply::error(404, "no such tenant or site"),
        ("systems", "createSystem") => systems::create(data, state, request, user),
        ("systems", "getSystem") => systems::get(data, param("systemId")),
        ("systems", "getSystems") => systems::list(data, request),
        ("files", "listFiles") => files::list(data, param("systemId"), param("path"), request),
        ("files", "getContents") => {
            files::contents(data, param("systemId"), param("path"), request)
        }
        ("files", "delete") => files::delete(data, param("systemId"), param("path")),
        ("jobs", "submitJob") => jobs::submit(data, state, request, user),
        ("jobs", "getJob") => jobs::get(data, param("jobUuid"), false),
        ("jobs", "getJobStatus") => jobs::get(data, param("jobUuid"), true),
        ("jobs", "getJobList") => jobs::list(data, request),
        ("apps", "createAppVersion") => apps::create(data, state, request, user),
        ("apps", "getApp") => apps::get(data, param("appId"), Some(param("appVersion"))),
        ("apps", "getAppLatestVersion") => apps::get(data, param("appId"), None),
        (service, id) => Reply::error(
            501,
            &format!(
                "the TestServer does not implement {service} `{id}`: register an answer \
                 with `server.on_operation(\"{service}\", \"{id}\")`"
            ),
        ),
    }
}

/// The request body as a JSON object holding `required` (non-null), or the
/// 400 to answer, naming what is wrong.
fn json_body(
    request: &RecordedRequest,
    required: &[&str],
) -> Result<serde_json::Map<String, Value>, Reply> {
    let body = match serde_json::from_slice(&request.body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(Reply::error(400, "the request body must be a JSON object")),
        Err(e) => {
            return Err(Reply::error(
                400,
                &format!("the request body is not JSON: {e}"),
            ))
        }
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|f| body.get(*f).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        return Err(Reply::error(
            400,
            &format!("missing required field(s): {}", missing.join(", ")),
        ));
    }
    Ok(body)
}

/// The fields the server sets on every record it creates.
fn stamp_new(record: &mut serde_json::Map<String, Value>, state: &State) {
    let now = now();
    record.insert("tenant".into(), json!(state.config.tenant_id));
    record.entry("enabled").or_insert(json!(true));
    record.insert("deleted".into(), json!(false));
    record.insert("created".into(), json!(now));
    record.insert("updated".into(), json!(now));
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

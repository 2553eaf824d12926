//! Jobs: submit, then a status that moves one step on every read of the
//! job or its status, until FINISHED.

use serde_json::{json, Value};

use super::{apps, json_body, now, query, Data, RecordedRequest, Reply, State};

/// The statuses a job goes through, in order.
const STATUSES: &[&str] = &[
    "PENDING",
    "PROCESSING_INPUTS",
    "STAGING_INPUTS",
    "STAGING_JOB",
    "SUBMITTING_JOB",
    "QUEUED",
    "RUNNING",
    "ARCHIVING",
    "FINISHED",
];
const SUMMARY: &[&str] = &[
    "uuid",
    "name",
    "owner",
    "appId",
    "appVersion",
    "created",
    "status",
    "ended",
    "tenant",
    "execSystemId",
    "lastUpdated",
];

#[derive(Debug, Clone)]
pub(super) struct Job {
    record: Value,
    step: usize,
}

pub(super) fn submit(
    data: &mut Data,
    state: &State,
    request: &RecordedRequest,
    user: &str,
) -> Reply {
    let body = match json_body(request, &["name", "appId", "appVersion"]) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let app_id = body["appId"].as_str().unwrap_or_default();
    let version = body["appVersion"].as_str().unwrap_or_default();
    let Some(app) = apps::find(data, app_id, Some(version)) else {
        return Reply::error(
            400,
            &format!("JOBS_APP_NOT_FOUND: app `{app_id}` version `{version}` does not exist"),
        );
    };
    let exec_system = body
        .get("execSystemId")
        .or_else(|| app.pointer("/jobAttributes/execSystemId"))
        .cloned()
        .unwrap_or(Value::Null);
    let now = now();
    let mut record = body.clone();
    let fields = [
        ("uuid", json!(format!("{}-007", uuid::Uuid::new_v4()))),
        ("owner", json!(user)),
        ("tenant", json!(state.config.tenant_id)),
        ("status", json!(STATUSES[0])),
        ("condition", Value::Null),
        ("lastMessage", json!("Job created")),
        ("created", json!(now)),
        ("lastUpdated", json!(now)),
        ("ended", Value::Null),
        ("execSystemId", exec_system),
        ("createdby", json!(user)),
        ("createdbyTenant", json!(state.config.tenant_id)),
        ("visible", json!(true)),
    ];
    for (key, value) in fields {
        record.insert(key.to_string(), value);
    }
    let record = Value::Object(record);
    data.jobs.push(Job {
        record: record.clone(),
        step: 0,
    });
    Reply::ok("JOBS_SUBMITTED: the job was submitted", record)
}

/// The job (or only its status) as it is now; the next read sees the
/// following status.
pub(super) fn get(data: &mut Data, uuid: &str, status_only: bool) -> Reply {
    let Some(job) = data.jobs.iter_mut().find(|j| j.record["uuid"] == uuid) else {
        return Reply::error(404, &format!("JOBS_JOB_NOT_FOUND: no job `{uuid}`"));
    };
    let answer = if status_only {
        json!({"status": job.record["status"]})
    } else {
        job.record.clone()
    };
    if job.step + 1 < STATUSES.len() {
        job.step += 1;
        let status = STATUSES[job.step];
        let now = now();
        job.record["status"] = json!(status);
        job.record["lastUpdated"] = json!(now);
        job.record["lastMessage"] = json!(format!("Job status changed to {status}"));
        if status == "FINISHED" {
            job.record["ended"] = json!(now);
            job.record["condition"] = json!("NORMAL_COMPLETION");
        }
    }
    Reply::ok("JOBS_FOUND", answer)
}

pub(super) fn list(data: &Data, request: &RecordedRequest) -> Reply {
    let records: Vec<Value> = data.jobs.iter().map(|j| j.record.clone()).collect();
    match query::list(&records, &request.query, SUMMARY) {
        Ok((page, metadata)) => query::page_reply("JOBS_LIST", page, metadata),
        Err(reply) => reply,
    }
}

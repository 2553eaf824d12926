//! Responses: one success type and one error type per operation, and bodies
//! for downloads.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{for_each_operation, Ctx};
use crate::CodegenError;

/// Calls `f(place, operation_id, responses)` for every operation's responses;
/// `place` is `METHOD /path (operationId)`, for error messages.
fn for_each_responses(
    spec: &mut Value,
    mut f: impl FnMut(&str, &str, &mut Map<String, Value>) -> Result<(), CodegenError>,
) -> Result<(), CodegenError> {
    for_each_operation(spec, |path, method, op| {
        let operation_id = op["operationId"].as_str().unwrap_or_default().to_string();
        let place = format!("{} {path} ({operation_id})", method.to_uppercase());
        match op.get_mut("responses").and_then(Value::as_object_mut) {
            Some(responses) => f(&place, &operation_id, responses),
            None => Ok(()),
        }
    })
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

/// The success status codes an operation declares, in spec order.
fn success_statuses(responses: &Map<String, Value>) -> Vec<String> {
    responses
        .keys()
        .filter(|s| is_success(s))
        .cloned()
        .collect()
}

fn is_error(status: &str) -> bool {
    !is_success(status) && status != "default"
}

/// Services whose success bodies, where undeclared, are JSON: meta answers
/// with plain MongoDB documents and arrays of them (no envelope).
const JSON_WHEN_UNDECLARED: &[&str] = &["meta"];

/// Downloads (files `getContents`, `redeemPostIt`, meta aggregations and
/// creates...) declare a 2xx response without content, which progenitor turns
/// into `()`, dropping the body. Such responses are declared as raw bytes so
/// the generated method returns a byte stream, except in the services of
/// [`JSON_WHEN_UNDECLARED`], whose undeclared bodies are JSON documents: they
/// are declared as any JSON value. (204 has no body by definition.)
pub(crate) fn declare_download_bodies(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let content = if JSON_WHEN_UNDECLARED.contains(&ctx.service) {
        json!({"application/json": {"schema": {}}})
    } else {
        json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
    };
    let mut hits = 0;
    for_each_responses(&mut ctx.spec, |_place, _id, responses| {
        for (status, response) in responses.iter_mut() {
            if !is_success(status) || status == "204" || response.get("$ref").is_some() {
                continue;
            }
            let empty = response
                .get("content")
                .and_then(Value::as_object)
                .is_none_or(Map::is_empty);
            if empty {
                response["content"] = content.clone();
                hits += 1;
            }
        }
        Ok(())
    })?;
    Ok(hits)
}

/// progenitor asserts one success type per operation. sk's `writeSecret`,
/// `destroySecret` and `undeleteSecret` declare 200 (typed) and 204 (with a
/// body schema, though HTTP forbids a 204 body). The body-less statuses are
/// removed from the spec and listed in [`Ctx::empty_success`]; post-processing
/// gives them a match arm returning the typed envelope's `Default` (all
/// fields `None`) with the real status and headers, so nothing the server
/// sends is lost. Several typed success bodies that differ fail the build.
pub(crate) fn unify_success_responses(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut hits = 0;
    let mut empty_success = Vec::new();
    for_each_responses(&mut ctx.spec, |place, operation_id, responses| {
        let success = success_statuses(responses);
        if success.len() < 2 {
            return Ok(());
        }
        // A 204 cannot carry a body, whatever the spec declares.
        if let Some(r) = responses.get_mut("204") {
            if r.get("content").is_some() {
                r.as_object_mut().map(|o| o.remove("content"));
            }
        }
        let typed: BTreeSet<String> = success
            .iter()
            .filter_map(|s| responses[s].get("content").map(|c| c.to_string()))
            .collect();
        if typed.len() > 1 {
            return Err(CodegenError::unhandled(
                service,
                place,
                format!("several different success bodies {success:?}"),
            ));
        }
        if typed.len() == 1 {
            for status in &success {
                if responses[status].get("content").is_none() {
                    responses.remove(status);
                    let code: u16 = status.parse().unwrap_or(204);
                    empty_success.push((operation_id.to_string(), code));
                    hits += 1;
                }
            }
        }
        Ok(())
    })?;
    ctx.empty_success.extend(empty_success);
    Ok(hits)
}

/// progenitor asserts one error type per operation, but 45 operations declare
/// different bodies per error status (apps, globus-proxy, jobs, notifications,
/// sk, systems). Where they differ, every error status of the operation is
/// declared as any JSON value, which keeps everything the server sends.
pub(crate) fn unify_error_responses(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_responses(&mut ctx.spec, |_place, _id, responses| {
        let bodies: BTreeSet<String> = responses
            .iter()
            .filter(|(s, _)| is_error(s))
            .map(|(_, r)| r.get("content").map(Value::to_string).unwrap_or_default())
            .collect();
        if bodies.len() < 2 {
            return Ok(());
        }
        for (status, response) in responses.iter_mut() {
            if is_error(status) {
                response["content"] = json!({"application/json": {"schema": {}}});
                hits += 1;
            }
        }
        Ok(())
    })?;
    Ok(hits)
}

/// Tapis servers do not always answer with the exact 2xx their spec declares
/// (a create declared 201 may answer 200), and tapipy accepts any status
/// below 300. An operation's single success response is therefore declared
/// for the whole `2XX` range, so progenitor decodes any 2xx as its type.
pub(crate) fn success_for_any_2xx(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_responses(&mut ctx.spec, |_place, _id, responses| {
        let success = success_statuses(responses);
        if let [status] = success.as_slice() {
            if status != "2XX" && status != "204" {
                let response = responses.shift_remove(status).unwrap_or_default();
                responses.insert("2XX".to_string(), response);
                hits += 1;
            }
        }
        Ok(())
    })?;
    Ok(hits)
}

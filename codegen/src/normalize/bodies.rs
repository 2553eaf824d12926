//! Request bodies.

use serde_json::{json, Value};

use super::{for_each_operation, Ctx};
use crate::{CodegenError, HAND_WRITTEN};

/// progenitor cannot generate multipart/form-data bodies. Those operations are
/// implemented by hand (see [`HAND_WRITTEN`]); any other multipart operation
/// fails the build so that it is never dropped silently.
pub(crate) fn remove_multipart_operations(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut removed = Vec::new();
    let Some(paths) = ctx.spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let multipart: Vec<(String, String)> = item
            .iter()
            .filter(|(method, _)| crate::operations::METHODS.contains(&method.as_str()))
            .filter(|(_, op)| {
                op["requestBody"]["content"]
                    .as_object()
                    .is_some_and(|c| c.keys().any(|k| k.starts_with("multipart/")))
            })
            .map(|(m, op)| {
                (
                    m.clone(),
                    op["operationId"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        for (method, operation_id) in multipart {
            if !HAND_WRITTEN
                .iter()
                .any(|(s, id)| *s == service && *id == operation_id)
            {
                return Err(CodegenError::unhandled(
                    service,
                    format!("{} {path} ({operation_id})", method.to_uppercase()),
                    "a multipart/form-data request body with no hand-written implementation",
                ));
            }
            item.remove(&method);
            removed.push(operation_id);
        }
    }
    paths.retain(|_, item| {
        item.as_object().is_some_and(|i| {
            i.keys()
                .any(|k| crate::operations::METHODS.contains(&k.as_str()))
        })
    });
    let hits = removed.len();
    ctx.hand_written.extend(removed);
    Ok(hits)
}

/// An operation that declares several request media types (actors
/// `send_message`, authenticator `create_token`) makes progenitor hit a
/// `todo!()`. JSON is what typed callers want, so it is kept; the raw forms
/// remain reachable through raw requests.
pub(crate) fn keep_json_request_body(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let service = ctx.service;
    let mut hits = 0;
    for_each_operation(&mut ctx.spec, |path, method, op| {
        let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            return Ok(());
        };
        if content.len() <= 1 {
            return Ok(());
        }
        let Some(json_body) = content.get("application/json").cloned() else {
            return Err(CodegenError::unhandled(
                service,
                format!("{} {path}", method.to_uppercase()),
                format!(
                    "several request media types without JSON: {:?}",
                    content.keys().collect::<Vec<_>>()
                ),
            ));
        };
        content.clear();
        content.insert("application/json".into(), json_body);
        hits += 1;
        Ok(())
    })?;
    Ok(hits)
}

/// An `application/octet-stream` body is raw bytes whatever its declared
/// schema (actors `send_binary_message` declares an object); progenitor only
/// sends raw bodies for `type: string, format: binary`.
pub(crate) fn binary_octet_stream_bodies(ctx: &mut Ctx) -> Result<usize, CodegenError> {
    let mut hits = 0;
    for_each_operation(&mut ctx.spec, |_path, _method, op| {
        let Some(body) = op.pointer_mut("/requestBody/content/application~1octet-stream") else {
            return Ok(());
        };
        let binary = json!({"type": "string", "format": "binary"});
        if body["schema"] != binary {
            body["schema"] = binary;
            hits += 1;
        }
        Ok(())
    })?;
    Ok(hits)
}

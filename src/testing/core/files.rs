//! Files: an in-memory tree per system (directories exist while they hold
//! files): insert, list, get contents, delete.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{json, Value};

use super::{now, systems, Data, RecordedRequest, Reply};

/// `system id → (path without leading '/' → file)`.
pub(super) type Tree = BTreeMap<String, BTreeMap<String, File>>;

#[derive(Debug, Clone)]
pub(super) struct File {
    content: Bytes,
    modified: String,
}

/// The `file` part of a multipart upload, or the 400 to answer.
pub(super) async fn read_upload(request: &RecordedRequest) -> Result<Bytes, Reply> {
    let bad = |why: String| Reply::error(400, &why);
    let content_type = request.header("content-type").unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| bad(format!("an upload must be multipart/form-data: {e}")))?;
    let body = request.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                return field
                    .bytes()
                    .await
                    .map_err(|e| bad(format!("the `file` part is malformed: {e}")));
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(bad("the upload has no `file` part".to_string())),
            Err(e) => return Err(bad(format!("the multipart body is malformed: {e}"))),
        }
    }
}

pub(super) fn insert(
    data: &mut Data,
    system: &str,
    path: &str,
    upload: Result<Bytes, Reply>,
) -> Reply {
    if systems::find(data, system).is_none() {
        return systems::not_found(system);
    }
    let content = match upload {
        Ok(content) => content,
        Err(reply) => return reply,
    };
    let path = clean(path);
    if path.is_empty() {
        return Reply::error(400, "an upload needs a file path");
    }
    let tree = data.files.entry(system.to_string()).or_default();
    if tree.keys().any(|k| k.starts_with(&format!("{path}/"))) {
        return Reply::error(409, &format!("`{path}` is a directory"));
    }
    tree.insert(
        path.clone(),
        File {
            content,
            modified: now(),
        },
    );
    Reply::ok(
        "FAPI_INSERT_OK",
        json!(format!("uploaded {system}:/{path}")),
    )
}

pub(super) fn list(data: &Data, system: &str, path: &str, request: &RecordedRequest) -> Reply {
    if systems::find(data, system).is_none() {
        return systems::not_found(system);
    }
    let path = clean(path);
    let empty = BTreeMap::new();
    let tree = data.files.get(system).unwrap_or(&empty);
    let mut entries = Vec::new();
    if let Some(file) = tree.get(&path) {
        entries.push(entry(system, &path, Some(file)));
    } else {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let mut seen_dirs = std::collections::BTreeSet::new();
        for (key, file) in tree.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            match rest.split_once('/') {
                None => entries.push(entry(system, key, Some(file))),
                Some((dir, _)) => {
                    if seen_dirs.insert(dir.to_string()) {
                        entries.push(entry(system, &format!("{prefix}{dir}"), None));
                    }
                }
            }
        }
        if entries.is_empty() && !path.is_empty() {
            return not_found(system, &path);
        }
    }
    let number = |name: &str| {
        request
            .query_value(name)
            .and_then(|v| v.parse::<usize>().ok())
    };
    let offset = number("offset").unwrap_or(0);
    let limit = number("limit").unwrap_or(1000);
    let page: Vec<Value> = entries.into_iter().skip(offset).take(limit).collect();
    Reply::ok("FAPI_LISTING_OK", Value::Array(page))
}

pub(super) fn contents(data: &Data, system: &str, path: &str, request: &RecordedRequest) -> Reply {
    if systems::find(data, system).is_none() {
        return systems::not_found(system);
    }
    let path = clean(path);
    let Some(tree) = data.files.get(system) else {
        return not_found(system, &path);
    };
    let Some(file) = tree.get(&path) else {
        if tree.keys().any(|k| k.starts_with(&format!("{path}/"))) {
            return Reply::error(400, &format!("`{path}` is a directory: ask with zip=true"));
        }
        return not_found(system, &path);
    };
    let content = match request.header("range").map(parse_range) {
        None => file.content.clone(),
        Some(Some((start, end))) if start <= end && start < file.content.len() => {
            file.content.slice(start..=end.min(file.content.len() - 1))
        }
        Some(_) => {
            return Reply::error(
                416,
                "the `range` header must be `range=START,END` within the file",
            )
        }
    };
    Reply::bytes(200, "application/octet-stream", content)
}

pub(super) fn delete(data: &mut Data, system: &str, path: &str) -> Reply {
    if systems::find(data, system).is_none() {
        return systems::not_found(system);
    }
    let path = clean(path);
    let Some(tree) = data.files.get_mut(system) else {
        return not_found(system, &path);
    };
    let before = tree.len();
    let dir = format!("{path}/");
    tree.retain(|k, _| !(path.is_empty() || *k == path || k.starts_with(&dir)));
    if tree.len() == before && !path.is_empty() {
        return not_found(system, &path);
    }
    Reply::ok("FAPI_DELETE_OK", json!(format!("deleted {system}:/{path}")))
}

/// `range=START,END` (as `GetContents::byte_range` sends it) or
/// `bytes=START-END`.
fn parse_range(header: &str) -> Option<(usize, usize)> {
    let (start, end) = if let Some(r) = header.strip_prefix("range=") {
        r.split_once(',')?
    } else {
        header.strip_prefix("bytes=")?.split_once('-')?
    };
    Some((start.trim().parse().ok()?, end.trim().parse().ok()?))
}

fn clean(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

fn not_found(system: &str, path: &str) -> Reply {
    Reply::error(
        404,
        &format!("FILES_NOT_FOUND: no file or directory {system}:/{path}"),
    )
}

/// A listing entry, as the files service describes one.
fn entry(system: &str, path: &str, file: Option<&File>) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (kind, size, modified, mime) = match file {
        Some(f) => {
            let mime = if name.ends_with(".txt") {
                "text/plain"
            } else {
                "application/octet-stream"
            };
            ("file", f.content.len(), f.modified.clone(), mime)
        }
        None => ("dir", 4096, now(), "inode/directory"),
    };
    json!({
        "mimeType": mime,
        "type": kind,
        "owner": "1000",
        "group": "1000",
        "nativePermissions": if kind == "dir" { "rwxr-xr-x" } else { "rw-r--r--" },
        "url": format!("tapis://{system}/{path}"),
        "lastModified": modified,
        "name": name,
        "path": path,
        "size": size,
    })
}

//! Listing a spec's operations, for coverage reports and diffs.

use serde_json::Value;

use crate::HAND_WRITTEN;

/// HTTP methods an OpenAPI path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub service: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    /// Implemented by hand in the `tapis` crate rather than generated.
    pub hand_written: bool,
}

/// Every operation of a raw spec, in spec order.
pub fn list(service: &str, spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let hand_written = HAND_WRITTEN
                .iter()
                .any(|(s, id)| *s == service && *id == operation_id);
            out.push(Operation {
                service: service.to_string(),
                operation_id,
                method: method.to_string(),
                path: path.clone(),
                hand_written,
            });
        }
    }
    out
}

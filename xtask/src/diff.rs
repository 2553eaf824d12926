//! What an update changes for users: operations added, removed and changed
//! (method or path, parameters, request body, responses), and component
//! schemas added, removed and changed.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;
use tapis_codegen::operations::METHODS;

/// The differences between two versions of one spec.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SpecDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// operationId → what changed.
    pub changed: Vec<(String, Vec<&'static str>)>,
    pub schemas_added: Vec<String>,
    pub schemas_removed: Vec<String>,
    pub schemas_changed: Vec<String>,
}

/// One operation's parts that users feel.
struct Op<'a> {
    route: String,
    parameters: Vec<&'a Value>,
    request: Option<&'a Value>,
    responses: Option<&'a Value>,
}

fn operations(spec: &Value) -> BTreeMap<String, Op<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let route = format!("{} {path}", method.to_uppercase());
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| route.clone(), str::to_string);
            let mut parameters = shared.clone();
            if let Some(own) = op.get("parameters").and_then(Value::as_array) {
                parameters.extend(own);
            }
            out.insert(
                id,
                Op {
                    route,
                    parameters,
                    request: op.get("requestBody"),
                    responses: op.get("responses"),
                },
            );
        }
    }
    out
}

fn schemas(spec: &Value) -> BTreeMap<&str, &Value> {
    spec.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// Compares `old` (absent for a new service) with `new`.
pub fn diff(old: Option<&Value>, new: &Value) -> SpecDiff {
    let empty = Value::Null;
    let old = old.unwrap_or(&empty);
    let (before, after) = (operations(old), operations(new));
    let mut d = SpecDiff::default();
    for (id, op) in &after {
        match before.get(id) {
            None => d.added.push(id.clone()),
            Some(was) => {
                let mut what = Vec::new();
                if was.route != op.route {
                    what.push("method or path");
                }
                if was.parameters != op.parameters {
                    what.push("parameters");
                }
                if was.request != op.request {
                    what.push("request body");
                }
                if was.responses != op.responses {
                    what.push("responses");
                }
                if !what.is_empty() {
                    d.changed.push((id.clone(), what));
                }
            }
        }
    }
    d.removed = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .cloned()
        .collect();
    let (before, after) = (schemas(old), schemas(new));
    for (name, schema) in &after {
        match before.get(name) {
            None => d.schemas_added.push(name.to_string()),
            Some(was) if was != schema => d.schemas_changed.push(name.to_string()),
            Some(_) => {}
        }
    }
    d.schemas_removed = before
        .keys()
        .filter(|n| !after.contains_key(*n))
        .map(|n| n.to_string())
        .collect();
    d
}

impl SpecDiff {
    pub fn is_empty(&self) -> bool {
        *self == SpecDiff::default()
    }
}

impl fmt::Display for SpecDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return write!(f, "    no operation or schema changes");
        }
        let list = |v: &[String]| v.join(", ");
        let mut lines = Vec::new();
        if !self.added.is_empty() {
            lines.push(format!("    + operations: {}", list(&self.added)));
        }
        if !self.removed.is_empty() {
            lines.push(format!("    - operations: {}", list(&self.removed)));
        }
        for (id, what) in &self.changed {
            lines.push(format!("    ~ {id}: {}", what.join(", ")));
        }
        if !self.schemas_added.is_empty() {
            lines.push(format!("    + schemas: {}", list(&self.schemas_added)));
        }
        if !self.schemas_removed.is_empty() {
            lines.push(format!("    - schemas: {}", list(&self.schemas_removed)));
        }
        if !self.schemas_changed.is_empty() {
            lines.push(format!("    ~ schemas: {}", list(&self.schemas_changed)));
        }
        write!(f, "{}", lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn added_removed_and_changed_operations_and_schemas() {
        let old = json!({
            "paths": {
                "/v3/x": {
                    "get": {"operationId": "listX", "parameters": [{"name": "limit", "in": "query"}], "responses": {"200": {}}},
                    "delete": {"operationId": "deleteX", "responses": {"200": {}}}
                },
                "/v3/y": {"post": {"operationId": "makeY", "requestBody": {"content": {}}, "responses": {"201": {}}}}
            },
            "components": {"schemas": {"A": {"type": "string"}, "B": {"type": "object"}}}
        });
        let new = json!({
            "paths": {
                "/v3/x": {
                    "get": {"operationId": "listX", "parameters": [{"name": "limit", "in": "query"}, {"name": "skip", "in": "query"}], "responses": {"200": {}}}
                },
                "/v3/y2": {"post": {"operationId": "makeY", "requestBody": {"content": {"a": {}}}, "responses": {"201": {}}}},
                "/v3/z": {"get": {"operationId": "getZ", "responses": {"200": {}}}}
            },
            "components": {"schemas": {"A": {"type": "integer"}, "C": {}}}
        });
        let d = diff(Some(&old), &new);
        assert_eq!(d.added, ["getZ"]);
        assert_eq!(d.removed, ["deleteX"]);
        assert_eq!(
            d.changed,
            [
                ("listX".to_string(), vec!["parameters"]),
                ("makeY".to_string(), vec!["method or path", "request body"])
            ]
        );
        assert_eq!(
            (d.schemas_added, d.schemas_removed, d.schemas_changed),
            (
                vec!["C".to_string()],
                vec!["B".to_string()],
                vec!["A".to_string()]
            )
        );
        assert!(diff(Some(&new), &new).is_empty());
        assert_eq!(diff(None, &new).added.len(), 3);
    }
}

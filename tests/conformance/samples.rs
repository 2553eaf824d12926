//! Arguments for an operation, made from its (normalised) spec: the
//! spec's examples where it gives them, else values built from the schemas.

use serde_json::{json, Map, Value};

/// How deep nested objects are filled in.
const MAX_DEPTH: usize = 5;

pub struct Samples<'a> {
    spec: &'a Value,
    /// Use the spec's examples (else only the schemas).
    pub examples: bool,
}

/// One parameter of an operation.
pub struct Param {
    pub name: String,
    pub location: String,
    pub value: Value,
}

impl<'a> Samples<'a> {
    pub fn new(spec: &'a Value, examples: bool) -> Self {
        Self { spec, examples }
    }

    /// Follows a local `$ref`.
    pub fn resolve<'v>(&'v self, mut value: &'v Value) -> &'v Value {
        for _ in 0..16 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                break;
            };
            match self.spec.pointer(pointer) {
                Some(target) => value = target,
                None => break,
            }
        }
        value
    }

    /// Every path, query and header parameter of an operation (path-level
    /// ones included), required or not, with a value.
    pub fn params(&self, path_item: &Value, op: &Value) -> Vec<Param> {
        let mut out: Vec<Param> = Vec::new();
        let declared = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(path_item["parameters"].as_array().into_iter().flatten());
        for p in declared {
            let p = self.resolve(p);
            let (Some(name), Some(location)) = (p["name"].as_str(), p["in"].as_str()) else {
                continue;
            };
            if location == "cookie" || out.iter().any(|o| o.name == name && o.location == location)
            {
                continue;
            }
            let example = if self.examples {
                p.get("example")
                    .cloned()
                    .or_else(|| first_example(&p["examples"]))
            } else {
                None
            };
            let mut value = example.unwrap_or_else(|| self.schema(&p["schema"], 0));
            // An empty default (jobs' `outputPath`) would leave the path
            // segment empty.
            if location == "path" && value == "" {
                value = json!("sample1");
            }
            out.push(Param {
                name: name.to_string(),
                location: location.to_string(),
                value,
            });
        }
        out
    }

    /// The JSON request body, when the operation takes one.
    pub fn body(&self, op: &Value) -> Option<Value> {
        let body = self.resolve(&op["requestBody"]);
        let content = body["content"].as_object()?;
        let (_, media) = content.iter().next()?;
        if self.examples {
            if let Some(example) = media
                .get("example")
                .cloned()
                .or_else(|| first_example(&media["examples"]))
            {
                return Some(example);
            }
        }
        Some(self.schema(&media["schema"], 0))
    }

    /// Properties that `oneOf: [{required: [a]}, {required: [b]}]` (in the
    /// schema or its `allOf` parts) rules out when the first is chosen.
    fn excluded(&self, schema: &Value) -> Vec<String> {
        let schema = self.resolve(schema);
        let mut out = Vec::new();
        if let Some(variants) = schema["oneOf"].as_array().filter(|v| v.len() > 1) {
            let chosen: Vec<&Value> = variants[0]["required"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            for other in &variants[1..] {
                for name in other["required"].as_array().into_iter().flatten() {
                    if !chosen.contains(&name) {
                        out.extend(name.as_str().map(str::to_string));
                    }
                }
            }
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            out.extend(self.excluded(part));
        }
        out
    }

    /// A value the schema accepts.
    pub fn schema(&self, schema: &Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if self.examples {
            if let Some(example) = schema.get("example") {
                return example.clone();
            }
        }
        if let Some(default) = schema.get("default").filter(|d| !d.is_null()) {
            return default.clone();
        }
        if let Some(first) = schema["enum"]
            .as_array()
            .and_then(|e| e.iter().find(|v| !v.is_null()))
        {
            return first.clone();
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for part in parts {
                match self.schema(part, depth) {
                    Value::Object(o) => merged.extend(o),
                    other if parts.len() == 1 => return other,
                    _ => {}
                }
            }
            // A part may make properties exclusive that another part adds.
            for name in self.excluded(schema) {
                merged.remove(&name);
            }
            return Value::Object(merged);
        }
        // A discriminated union: the first mapped variant, tagged.
        let discriminator = &schema["discriminator"];
        if let Some((tag, target)) = discriminator["mapping"]
            .as_object()
            .and_then(|m| m.iter().next())
        {
            let mut variant = self.schema(&json!({"$ref": target}), depth);
            if let (Some(object), Some(property)) = (
                variant.as_object_mut(),
                discriminator["propertyName"].as_str(),
            ) {
                object.insert(property.to_string(), json!(tag));
            }
            return variant;
        }
        let variants = schema["oneOf"]
            .as_array()
            .or_else(|| schema["anyOf"].as_array());
        if let Some(variants) = variants.filter(|v| !v.is_empty()) {
            if schema.get("properties").is_none() {
                return self.schema(&variants[0], depth);
            }
            // Properties with `oneOf: [{required: [a]}, {required: [b]}]`:
            // the first choice, without what only the others require.
            let mut own = schema.clone();
            own.as_object_mut()
                .map(|o| (o.remove("oneOf"), o.remove("anyOf")));
            let mut value = self.schema(&own, depth);
            let chosen: Vec<&Value> = variants[0]["required"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            if let Some(object) = value.as_object_mut() {
                for other in &variants[1..] {
                    for name in other["required"].as_array().into_iter().flatten() {
                        if !chosen.contains(&name) {
                            object.remove(name.as_str().unwrap_or_default());
                        }
                    }
                }
                for name in chosen.iter().filter_map(|n| n.as_str()) {
                    if !object.contains_key(name) {
                        let property = &schema["properties"][name];
                        object.insert(name.to_string(), self.schema(property, depth + 1));
                    }
                }
            }
            return value;
        }
        let kind = schema["type"].as_str().unwrap_or_else(|| {
            let object =
                schema.get("properties").is_some() || schema.get("additionalProperties").is_some();
            if object {
                "object"
            } else {
                "string"
            }
        });
        match kind {
            "object" => {
                // Optional properties down to MAX_DEPTH, required ones always
                // (until a self-referring schema would never end).
                let mut object = Map::new();
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                    let needed = required.contains(&name.as_str());
                    let read_only = self.resolve(property)["readOnly"] == true;
                    if (needed && depth < 3 * MAX_DEPTH)
                        || (!needed && !read_only && depth < MAX_DEPTH)
                    {
                        object.insert(name.clone(), self.schema(property, depth + 1));
                    }
                }
                Value::Object(object)
            }
            "array" => {
                let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
                let n = if depth < MAX_DEPTH { min.max(1) } else { min };
                Value::Array(vec![self.schema(&schema["items"], depth + 1); n])
            }
            "integer" => json!(number(schema).round() as i64),
            "number" => json!(number(schema)),
            "boolean" => json!(true),
            _ => json!(string(schema)),
        }
    }
}

fn first_example(examples: &Value) -> Option<Value> {
    examples.as_object()?.values().next()?.get("value").cloned()
}

/// 1, or the nearest value the bounds allow.
fn number(schema: &Value) -> f64 {
    let mut n = 1.0;
    if let Some(min) = schema["minimum"].as_f64() {
        n = f64::max(n, min);
    }
    if let Some(max) = schema["maximum"].as_f64() {
        n = f64::min(n, max);
    }
    n
}

/// A string in the schema's format and length bounds.
fn string(schema: &Value) -> String {
    let text = match schema["format"].as_str().unwrap_or_default() {
        "date-time" => "2025-01-02T03:04:05Z",
        "date" => "2025-01-02",
        "time" => "03:04:05",
        "uuid" => "0d7b8f7e-1111-2222-3333-444455556666",
        "email" => "user@example.org",
        "uri" | "url" => "https://example.org/sample",
        "byte" => "c2FtcGxl",
        "ipv4" => "10.0.0.1",
        _ => "sample1",
    };
    let mut text = text.to_string();
    let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
    while text.len() < min {
        text.push('x');
    }
    if let Some(max) = schema["maxLength"].as_u64() {
        text.truncate(max as usize);
    }
    text
}

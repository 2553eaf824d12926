//! Loading the vendored specs. All specs are loaded together because one spec
//! may refer to another (workflows refers to a jobs schema).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::CodegenError;

/// Every spec of a `specs/` directory, parsed, by service name.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    specs: BTreeMap<String, Value>,
    files: BTreeMap<String, PathBuf>,
}

/// The file name of a service's spec inside `specs/`.
pub fn spec_file_name(service: &str) -> String {
    format!("{service}.yml")
}

impl SpecSet {
    /// Loads every `*.yml` file of `dir`; the service name is the file stem.
    pub fn load_dir(dir: &Path) -> Result<Self, CodegenError> {
        let mut set = SpecSet::default();
        let entries = std::fs::read_dir(dir).map_err(|source| CodegenError::Io {
            context: format!("reading spec directory {}", dir.display()),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
            .collect();
        paths.sort();
        for path in paths {
            let service = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            set.add_file(&service, &path)?;
        }
        Ok(set)
    }

    /// Adds one spec from a file under the given service name.
    pub fn add_file(&mut self, service: &str, path: &Path) -> Result<(), CodegenError> {
        let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Io {
            context: format!("reading spec {}", path.display()),
            source,
        })?;
        self.add_text(service, &path.display().to_string(), &text)?;
        self.files.insert(service.to_string(), path.to_path_buf());
        Ok(())
    }

    /// Adds one spec from its YAML (or JSON) text.
    pub fn add_text(
        &mut self,
        service: &str,
        source_name: &str,
        text: &str,
    ) -> Result<(), CodegenError> {
        let value = parse_yaml(service, source_name, text)?;
        self.specs.insert(service.to_string(), value);
        Ok(())
    }

    /// The raw (not normalised) spec of a service.
    pub fn get(&self, service: &str) -> Option<&Value> {
        self.specs.get(service)
    }

    /// The file a service's spec was loaded from, if it came from a file.
    pub fn file(&self, service: &str) -> Option<&Path> {
        self.files.get(service).map(PathBuf::as_path)
    }

    /// Service names, sorted.
    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.specs.keys().map(String::as_str)
    }
}

/// Parses YAML into a JSON value. YAML-only constructs (non-string keys such
/// as `200:`) become strings, as JSON requires.
pub fn parse_yaml(service: &str, source_name: &str, text: &str) -> Result<Value, CodegenError> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| CodegenError::Parse {
        service: service.to_string(),
        source_name: source_name.to_string(),
        reason: e.to_string(),
    })?;
    Ok(yaml_to_json(yaml))
}

fn yaml_to_json(yaml: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key(key: serde_yaml::Value) -> String {
    use serde_yaml::Value as Y;
    match key {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_string(),
        other => serde_yaml::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

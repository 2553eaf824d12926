//! Every operation of every vendored spec is either generated or on the
//! hand-written list. The spec side is read here, independently of the
//! generator; the generated side is the table build.rs takes from the
//! generated code itself.

use std::collections::BTreeSet;
use std::path::Path;

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn spec_operations(service: &str) -> BTreeSet<String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(format!("{service}.yml"));
    let text = std::fs::read_to_string(&file).unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut ids = BTreeSet::new();
    for (_, item) in spec["paths"].as_mapping().unwrap() {
        for method in HTTP_METHODS {
            if let Some(id) = item.get(*method).and_then(|op| op["operationId"].as_str()) {
                assert!(
                    ids.insert(id.to_string()),
                    "{service}: duplicate operationId {id}"
                );
            }
        }
    }
    ids
}

#[test]
fn every_operation_is_generated_or_hand_written() {
    let mut total = 0;
    let mut generated = 0;
    let mut hand_written = 0;
    let mut missing = Vec::new();
    for service in tapis::SERVICES {
        let in_spec = spec_operations(service);
        let in_code: BTreeSet<String> = tapis::OPERATIONS
            .iter()
            .filter(|(s, _, _)| s == service)
            .map(|(_, id, _)| id.to_string())
            .collect();
        total += in_spec.len();
        generated += tapis::OPERATIONS
            .iter()
            .filter(|(s, _, hw)| s == service && !hw)
            .count();
        hand_written += tapis::OPERATIONS
            .iter()
            .filter(|(s, _, hw)| s == service && *hw)
            .count();
        missing.extend(
            in_spec
                .difference(&in_code)
                .map(|id| format!("{service}.{id}")),
        );
        let unknown: Vec<_> = in_code.difference(&in_spec).collect();
        assert!(
            unknown.is_empty(),
            "{service}: operations not in the spec: {unknown:?}"
        );
    }
    println!("operations: {generated} generated + {hand_written} hand-written / {total}");
    assert!(
        missing.is_empty(),
        "operations neither generated nor hand-written: {missing:?}"
    );
    assert_eq!(generated + hand_written, total);
}

#[test]
fn every_vendored_spec_is_compiled_with_default_features() {
    if !cfg!(feature = "systems") || tapis::SERVICES.len() < 16 {
        return; // a feature subset is being built
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let vendored: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".yml")
                .map(String::from)
        })
        .collect();
    let compiled: BTreeSet<String> = tapis::SERVICES.iter().map(|s| s.to_string()).collect();
    assert_eq!(vendored, compiled);
}

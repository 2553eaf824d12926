//! Declaring a newly vendored service so that it builds with no hand edit:
//! its crate (`src/services/<name>/`: a manifest naming the crates its
//! generated code uses, and a `lib.rs` that includes that code), its feature
//! in `specs/Cargo.toml` (which generates the code), and in the root
//! `Cargo.toml` its feature (on by default, and in `blocking`) and its
//! optional dependency.

use std::path::Path;

use crate::update_specs::write_atomic;

/// The crates generated code may name, as `(path prefix, dependency)`: a
/// service crate depends on those its code uses.
const GENERATED_CODE_DEPS: &[(&str, &str)] = &[
    ("chrono::", "chrono"),
    ("progenitor_client::", "progenitor-client"),
    ("regress::", "regress"),
    ("reqwest::", "reqwest"),
    ("serde::", "serde"),
    ("serde_json::", "serde_json"),
    ("tokio::", "tokio"),
    ("uuid::", "uuid"),
];

/// Declares `service`, whose generated code is `code`, in the workspace at
/// `root`, unless it is declared already; returns whether anything changed.
/// A crate directory that exists is left as it is.
pub fn ensure_service(root: &Path, service: &str, code: &str) -> Result<bool, String> {
    let mut changed = false;
    let dir = root.join("src/services").join(service);
    if !dir.exists() {
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write_atomic(
            &dir.join("Cargo.toml"),
            crate_manifest(service, code).as_bytes(),
        )?;
        write_atomic(&dir.join("lib.rs"), crate_lib(service).as_bytes())?;
        changed = true;
    }
    changed |= edit(&root.join("specs/Cargo.toml"), |text| {
        add_specs_feature(text, service)
    })?;
    changed |= edit(&root.join("Cargo.toml"), |text| {
        add_root_entries(text, service)
    })?;
    Ok(changed)
}

/// Rewrites `file` with `change`, if it changes anything.
fn edit(
    file: &Path,
    change: impl FnOnce(&str) -> Result<Option<String>, String>,
) -> Result<bool, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    match change(&text).map_err(|e| format!("{}: {e}", file.display()))? {
        Some(updated) => write_atomic(file, updated.as_bytes()).map(|()| true),
        None => Ok(false),
    }
}

/// The crate name of `service` (`globus-proxy` → `tapis-api-globus-proxy`;
/// `tapis-<service>` are the official SDK's crates on crates.io).
fn crate_name(service: &str) -> String {
    format!("tapis-api-{service}")
}

/// The manifest of `service`'s crate, depending on the crates `code` names.
pub fn crate_manifest(service: &str, code: &str) -> String {
    let mut deps = String::new();
    for (prefix, dep) in GENERATED_CODE_DEPS {
        let named = code.match_indices(prefix).any(|(at, _)| {
            // `::serde::` or ` serde::`, not `de::` inside another path.
            !code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        });
        if named {
            deps.push_str(&format!("{dep}.workspace = true\n"));
        }
    }
    format!(
        "[package]\n\
         name = \"{name}\"\n\
         version = \"0.1.0\"\n\
         description = \"The typed client of the Tapis {service} service, generated from its spec; use it through `tapis`\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         repository.workspace = true\n\
         \n\
         [lib]\n\
         path = \"lib.rs\"\n\
         \n\
         [features]\n\
         # `.send_blocking()` on every operation (`tapis` feature `blocking`).\n\
         blocking = [\"tapis-runtime/blocking\"]\n\
         \n\
         [dependencies]\n\
         tapis-runtime = {{ path = \"../../runtime\", version = \"0.1.0\" }}\n\
         tapis-specs = {{ path = \"../../../specs\", version = \"0.1.0\", features = [\"{service}\"] }}\n\
         {deps}",
        name = crate_name(service),
    )
}

/// The `lib.rs` of `service`'s crate.
pub fn crate_lib(service: &str) -> String {
    let module = tapis_codegen::module_name(service);
    format!(
        "//! The typed client of the Tapis `{service}` service, generated at build time\n\
         //! from its vendored spec. Use it through the `tapis` crate, as\n\
         //! `tapis::{module}` and `Tapis::{module}()`.\n\
         \n\
         tapis_specs::service!({module});\n"
    )
}

/// The table `[name]` of `lines`: its header's index and the index after
/// its last line.
fn table(lines: &[String], name: &str) -> Result<(usize, usize), String> {
    let header = format!("[{name}]");
    let start = lines
        .iter()
        .position(|l| l.trim() == header)
        .ok_or(format!("no {header} table"))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    Ok((start, end))
}

/// The key of a `key = value` line.
fn key(line: &str) -> &str {
    line.split('=').next().map(str::trim).unwrap_or_default()
}

/// Inserts `line` (keyed `name`) among the lines of `lines[range]` that
/// `same_kind` accepts, in alphabetical order (after the last of them when
/// it sorts last; at the end of the range when there are none).
fn insert_sorted(
    lines: &mut Vec<String>,
    range: (usize, usize),
    name: &str,
    line: String,
    same_kind: impl Fn(&str) -> bool,
) {
    let kin: Vec<usize> = (range.0 + 1..range.1)
        .filter(|&i| same_kind(&lines[i]))
        .collect();
    let at = kin
        .iter()
        .find(|&&i| key(&lines[i]) > name)
        .copied()
        .or_else(|| kin.last().map(|i| i + 1))
        .unwrap_or(range.1);
    lines.insert(at, line);
}

/// Adds `item` to the list of feature `feature` (which may span lines),
/// before its closing `]`.
fn add_to_list(
    lines: &mut Vec<String>,
    range: (usize, usize),
    feature: &str,
    item: &str,
) -> Result<(), String> {
    let start = (range.0 + 1..range.1)
        .find(|&i| key(&lines[i]) == feature)
        .ok_or(format!("no `{feature}` feature"))?;
    let close = (start..range.1)
        .find(|&i| lines[i].contains(']'))
        .ok_or(format!("the `{feature}` feature's list is not closed"))?;
    if lines[close].trim() == "]" {
        lines.insert(close, format!("    {item},"));
    } else {
        let line = &mut lines[close];
        let bracket = line.rfind(']').unwrap_or(line.len());
        let before = line[..bracket].trim_end();
        let item = if before.ends_with('[') || before.ends_with(',') {
            item.to_string()
        } else {
            format!(", {item}")
        };
        line.insert_str(bracket, &item);
    }
    Ok(())
}

/// `lines` joined back, ending as `original` does.
fn joined(lines: &[String], original: &str) -> String {
    let mut out = lines.join("\n");
    if original.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The `[features]` table's range, or `None` if `service` is a feature in
/// it already.
fn undeclared(lines: &[String], service: &str) -> Result<Option<(usize, usize)>, String> {
    let features = table(lines, "features")?;
    let declared = lines[features.0 + 1..features.1]
        .iter()
        .any(|l| key(l) == service);
    Ok((!declared).then_some(features))
}

/// `specs/Cargo.toml` with `service = []` added, or `None` if it is there.
fn add_specs_feature(text: &str, service: &str) -> Result<Option<String>, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let Some(features) = undeclared(&lines, service)? else {
        return Ok(None);
    };
    insert_sorted(
        &mut lines,
        features,
        service,
        format!("{service} = []"),
        |l| l.trim().ends_with("= []"),
    );
    Ok(Some(joined(&lines, text)))
}

/// The root `Cargo.toml` with `service`'s feature (also in `default` and
/// `blocking`) and optional dependency added, or `None` if its feature is
/// there.
fn add_root_entries(text: &str, service: &str) -> Result<Option<String>, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let Some(features) = undeclared(&lines, service)? else {
        return Ok(None);
    };
    let name = crate_name(service);
    add_to_list(&mut lines, features, "default", &format!("\"{service}\""))?;
    let features = table(&lines, "features")?;
    add_to_list(
        &mut lines,
        features,
        "blocking",
        &format!("\"{name}?/blocking\""),
    )?;
    let features = table(&lines, "features")?;
    insert_sorted(
        &mut lines,
        features,
        service,
        format!("{service} = [\"dep:{name}\", \"tapis-specs/{service}\"]"),
        |l| l.contains("[\"dep:tapis-api-"),
    );
    let deps = table(&lines, "dependencies")?;
    insert_sorted(
        &mut lines,
        deps,
        &name,
        format!("{name} = {{ path = \"src/services/{service}\", version = \"0.1.0\", optional = true }}"),
        |l| l.contains("path = \"src/services/"),
    );
    Ok(Some(joined(&lines, text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_manifests_take_a_new_service() {
        let root = crate::workspace_root();
        let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let out = add_root_entries(&text, "hello").unwrap().unwrap();
        assert!(out.contains("\n    \"hello\",\n]"), "{out}");
        assert!(
            out.contains(
                "globus-proxy = [\"dep:tapis-api-globus-proxy\", \"tapis-specs/globus-proxy\"]\n\
                 hello = [\"dep:tapis-api-hello\", \"tapis-specs/hello\"]\n\
                 jobs = "
            ),
            "{out}"
        );
        assert!(out.contains("\"tapis-api-workflows?/blocking\", \"tapis-api-hello?/blocking\"]"));
        assert!(out.contains(
            "\ntapis-api-hello = { path = \"src/services/hello\", version = \"0.1.0\", optional = true }\n\
             tapis-api-jobs = "
        ));
        assert_eq!(add_root_entries(&out, "hello").unwrap(), None);
        assert_eq!(add_root_entries(&text, "systems").unwrap(), None);

        let specs = std::fs::read_to_string(root.join("specs/Cargo.toml")).unwrap();
        let out = add_specs_feature(&specs, "zeta").unwrap().unwrap();
        assert!(out.contains("workflows = []\nzeta = []\n"), "{out}");
        assert_eq!(add_specs_feature(&specs, "systems").unwrap(), None);
    }

    #[test]
    fn lists_on_one_line_and_missing_tables() {
        let mut lines: Vec<String> = ["[features]", "default = [\"a\"]", "a = []"]
            .map(String::from)
            .to_vec();
        add_to_list(&mut lines, (0, 3), "default", "\"b\"").unwrap();
        assert_eq!(lines[1], "default = [\"a\", \"b\"]");
        assert!(add_specs_feature("[package]\n", "b")
            .unwrap_err()
            .contains("[features]"));
    }

    /// The service crates without additions of their own are exactly what
    /// a new service gets (the dependencies found in its generated code).
    #[test]
    fn the_service_crates_are_what_a_new_service_gets() {
        let root = crate::workspace_root();
        let set = tapis_codegen::SpecSet::load_dir(&root.join("specs")).unwrap();
        for service in set.services() {
            let dir = root.join("src/services").join(service);
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            let code = tapis_codegen::generate_service(service, &set).unwrap().code;
            let expected = crate_manifest(service, &code);
            // files, jobs and pods add dependencies and modules of their own.
            assert!(manifest.starts_with(&expected), "{service}: {manifest}");
            let lib = std::fs::read_to_string(dir.join("lib.rs")).unwrap();
            assert!(lib.starts_with(&crate_lib(service)), "{service}: {lib}");
        }
    }
}

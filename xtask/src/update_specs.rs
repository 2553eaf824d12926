//! `cargo xtask update-specs`: the only way specs enter `specs/`.
//!
//! Every candidate spec is normalised and generated in-process exactly as
//! build.rs does before anything is written; a spec that fails is reported
//! and its vendored file stays untouched. Files are written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tapis_codegen::manifest::{sha256_hex, Entry, Manifest, MANIFEST_FILE};
use tapis_codegen::spec::spec_file_name;
use tapis_codegen::SpecSet;

use crate::{date, workspace_root};

/// The prefix of spec files inside the tapipy wheel's `tapipy/resources/`.
const TAPIPY_PREFIX: &str = "openapi_v3-";

/// A spec fetched from a source, not yet vendored.
struct Candidate {
    text: String,
    source: String,
    version: String,
}

pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--check") {
        if args.len() > 1 {
            return Err("--check takes no other argument".into());
        }
        let specs = workspace_root().join("specs");
        let n = check(&specs)?;
        println!("{}: {n} specs match the manifest", specs.display());
        return Ok(());
    }
    let mut pypi: Option<Option<String>> = None;
    let mut dir: Option<PathBuf> = None;
    let mut dry_run = false;
    let mut wanted = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--from-pypi" => {
                let version = it.next_if(|v| {
                    !v.starts_with('-') && v.chars().next().is_some_and(|c| c.is_ascii_digit())
                });
                pypi = Some(version.cloned());
            }
            "--from-dir" => {
                dir = Some(PathBuf::from(
                    it.next().ok_or("--from-dir needs a directory")?,
                ))
            }
            "--dry-run" => dry_run = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => wanted.push(s.to_string()),
        }
    }
    let scratch = std::env::temp_dir().join(format!("tapis-xtask-{}", std::process::id()));
    let candidates = match (pypi, dir) {
        (Some(version), None) => from_pypi(version.as_deref(), &scratch),
        (None, Some(dir)) => from_dir(&dir, &dir.display().to_string(), "local"),
        _ => Err("give exactly one of --from-pypi [VERSION] or --from-dir DIR".to_string()),
    };
    let _ = std::fs::remove_dir_all(&scratch);
    let mut candidates = candidates?;
    if !wanted.is_empty() {
        for w in &wanted {
            if !candidates.contains_key(w) {
                return Err(format!("the source has no spec for service `{w}`"));
            }
        }
        candidates.retain(|name, _| wanted.contains(name));
    }
    if candidates.is_empty() {
        return Err("the source holds no specs".to_string());
    }
    apply(&workspace_root().join("specs"), candidates, dry_run)
}

/// Offline check that `specs_dir` is what the manifest says: every vendored
/// spec is listed, every listed spec is vendored, and each file's sha256 is
/// the recorded one (a hand edit shows). Returns how many specs matched;
/// the error lists every problem.
pub fn check(specs_dir: &Path) -> Result<usize, String> {
    let manifest = Manifest::load(specs_dir).map_err(|e| e.to_string())?;
    let set = SpecSet::load_dir(specs_dir).map_err(|e| e.to_string())?;
    let vendored: Vec<&str> = set.services().collect();
    let mut problems = Vec::new();
    for service in &vendored {
        if !manifest.services.contains_key(*service) {
            problems.push(format!("{service}: vendored but not in {MANIFEST_FILE}"));
        }
    }
    for (service, entry) in &manifest.services {
        let path = specs_dir.join(spec_file_name(service));
        match std::fs::read(&path) {
            Ok(bytes) => {
                let actual = sha256_hex(&bytes);
                if actual != entry.sha256 {
                    problems.push(format!(
                        "{service}: {} has sha256 {actual}, the manifest records {} \
                         (edited by hand? vendor it with `cargo xtask update-specs`)",
                        path.display(),
                        entry.sha256
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "{service}: in {MANIFEST_FILE} but {}: {e}",
                path.display()
            )),
        }
    }
    if problems.is_empty() {
        Ok(manifest.services.len())
    } else {
        Err(format!(
            "specs do not match the manifest:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// Downloads the tapipy wheel with pip and reads the specs it bundles.
fn from_pypi(version: Option<&str>, scratch: &Path) -> Result<BTreeMap<String, Candidate>, String> {
    let requirement = match version {
        Some(v) => format!("tapipy=={v}"),
        None => "tapipy".to_string(),
    };
    let download = scratch.join("download");
    run_command(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                "-d",
            ])
            .arg(&download)
            .arg(&requirement),
    )?;
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let wheel_name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    // tapipy-25.4.0-py3-none-any.whl → 25.4.0
    let version = wheel_name
        .split('-')
        .nth(1)
        .unwrap_or("unknown")
        .to_string();
    let unpacked = scratch.join("wheel");
    run_command(
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&wheel)
            .arg(&unpacked),
    )?;
    from_dir(
        &unpacked.join("tapipy").join("resources"),
        &format!("pypi:tapipy=={version} ({wheel_name}) tapipy/resources"),
        &version,
    )
}

/// Reads `<service>.yml` or `openapi_v3-<service>.yml` files from a directory.
fn from_dir(
    dir: &Path,
    source: &str,
    version: &str,
) -> Result<BTreeMap<String, Candidate>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stem) = name
            .strip_suffix(".yml")
            .or_else(|| name.strip_suffix(".yaml"))
        else {
            continue;
        };
        let service = stem.strip_prefix(TAPIPY_PREFIX).unwrap_or(stem).to_string();
        if !service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || service.is_empty()
        {
            continue;
        }
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        out.insert(
            service,
            Candidate {
                text,
                source: format!("{source}/{name}"),
                version: version.to_string(),
            },
        );
    }
    Ok(out)
}

/// Validates every candidate by generating it, prints what each changes for
/// users, then (unless `dry_run`) writes the good ones and the manifest.
/// Fails (after writing the good ones) if any candidate failed.
fn apply(
    specs_dir: &Path,
    candidates: BTreeMap<String, Candidate>,
    dry_run: bool,
) -> Result<(), String> {
    std::fs::create_dir_all(specs_dir).map_err(|e| e.to_string())?;
    // Validate against the vendored set overlaid with all candidates, since
    // one spec may refer to another (workflows → jobs).
    let mut set = SpecSet::load_dir(specs_dir).map_err(|e| e.to_string())?;
    let before: BTreeMap<String, serde_json::Value> = candidates
        .keys()
        .filter_map(|s| set.get(s).map(|v| (s.clone(), v.clone())))
        .collect();
    let mut failures = Vec::new();
    let mut parsed = BTreeMap::new();
    for (service, c) in &candidates {
        match set.add_text(service, &c.source, &c.text) {
            Ok(()) => {
                parsed.insert(service.clone(), ());
            }
            Err(e) => failures.push(format!("{service} ({}): {e}", c.source)),
        }
    }
    let mut good = Vec::new();
    for service in parsed.keys() {
        match tapis_codegen::generate_service(service, &set) {
            Ok(g) => {
                println!("{service}: ok, {} operations", g.operations.len());
                if let Some(new) = set.get(service) {
                    println!("{}", crate::diff::diff(before.get(service), new));
                }
                good.push(service.clone());
            }
            Err(e) => failures.push(format!("{service} ({}): {e}", candidates[service].source)),
        }
    }

    if dry_run {
        println!("dry run: nothing written");
        return if failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} spec(s) failed validation:\n  {}",
                failures.len(),
                failures.join("\n  ")
            ))
        };
    }
    let mut manifest = Manifest::load(specs_dir).map_err(|e| e.to_string())?;
    let today = date::today();
    for service in &good {
        let c = &candidates[service];
        let spec_version = set
            .get(service)
            .and_then(|s| s["info"]["version"].as_str().map(String::from))
            .unwrap_or_default();
        write_atomic(&specs_dir.join(spec_file_name(service)), c.text.as_bytes())?;
        manifest.services.insert(
            service.clone(),
            Entry {
                source: c.source.clone(),
                version: c.version.clone(),
                sha256: sha256_hex(c.text.as_bytes()),
                date: today.clone(),
                spec_version,
            },
        );
    }
    write_atomic(
        &specs_dir.join(MANIFEST_FILE),
        manifest.to_json().as_bytes(),
    )?;
    println!(
        "vendored {} spec(s) into {}",
        good.len(),
        specs_dir.display()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} spec(s) failed validation and were not written:\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}

fn run_command(cmd: &mut Command) -> Result<(), String> {
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch directory under the system temp dir, removed when
    /// dropped.
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("tapis-xtask-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn vendored(service: &str) -> String {
        std::fs::read_to_string(workspace_root().join("specs").join(spec_file_name(service)))
            .unwrap()
    }

    #[test]
    fn vendored_specs_match_the_manifest() {
        let n = check(&workspace_root().join("specs")).unwrap();
        assert_eq!(
            n,
            SpecSet::load_dir(&workspace_root().join("specs"))
                .unwrap()
                .services()
                .count()
        );
    }

    #[test]
    fn check_finds_hand_edits_and_unlisted_or_missing_specs() {
        let specs = scratch("check");
        let source = workspace_root().join("specs");
        for name in [MANIFEST_FILE, "tokens.yml", "meta.yml"] {
            std::fs::copy(source.join(name), specs.join(name)).unwrap();
        }
        // The manifest lists 16 services; only two are here.
        let err = check(&specs).unwrap_err();
        assert!(err.contains("systems: in manifest.json but"), "{err}");
        // A hand edit and an unlisted file.
        let edited = vendored("tokens").replacen("title:", "title: edited", 1);
        std::fs::write(specs.join("tokens.yml"), edited).unwrap();
        std::fs::write(specs.join("extra.yml"), vendored("meta")).unwrap();
        let err = check(&specs).unwrap_err();
        assert!(
            err.contains("tokens: ") && err.contains("edited by hand"),
            "{err}"
        );
        assert!(
            err.contains("extra: vendored but not in manifest.json"),
            "{err}"
        );
        assert!(!err.contains("meta: "), "meta is intact: {err}");
    }

    #[test]
    fn from_dir_vendors_valid_specs_with_provenance() {
        let source = scratch("source-ok");
        let specs = scratch("specs-ok");
        let text = vendored("tokens");
        std::fs::write(source.join("openapi_v3-tokens.yml"), &text).unwrap();

        let candidates = from_dir(&source, "local:test", "local").unwrap();
        apply(&specs, candidates, false).unwrap();

        assert_eq!(
            std::fs::read_to_string(specs.join("tokens.yml")).unwrap(),
            text
        );
        let manifest = Manifest::load(&specs).unwrap();
        let entry = &manifest.services["tokens"];
        assert_eq!(entry.sha256, sha256_hex(text.as_bytes()));
        assert_eq!(entry.source, "local:test/openapi_v3-tokens.yml");
        assert_eq!(entry.date.len(), 10);
    }

    #[test]
    fn a_dry_run_validates_without_writing() {
        let source = scratch("source-dry");
        let specs = scratch("specs-dry");
        let old = vendored("tokens");
        std::fs::write(specs.join("tokens.yml"), &old).unwrap();
        let new = old.replacen("title:", "title: changed", 1);
        std::fs::write(source.join("tokens.yml"), &new).unwrap();
        apply(
            &specs,
            from_dir(&source, "local:test", "local").unwrap(),
            true,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(specs.join("tokens.yml")).unwrap(),
            old
        );
        assert!(!specs.join(MANIFEST_FILE).exists());
    }

    #[test]
    fn a_spec_that_fails_leaves_the_vendored_file_untouched() {
        let specs = scratch("specs-bad");
        let good = vendored("tokens");
        std::fs::write(specs.join("tokens.yml"), &good).unwrap();

        for (name, bad) in [
            ("yaml", "openapi: 3.0.3\npaths: [unclosed".to_string()),
            // progenitor-level failure: a multipart operation nobody implements
            (
                "multipart",
                good.replacen(
                    "\n        content:\n          application/json:",
                    "\n        content:\n          multipart/form-data:",
                    1,
                ),
            ),
        ] {
            let source = scratch(&format!("source-bad-{name}"));
            std::fs::write(source.join("tokens.yml"), bad).unwrap();
            let err = apply(
                &specs,
                from_dir(&source, "local:test", "local").unwrap(),
                false,
            )
            .unwrap_err();
            assert!(
                err.contains("tokens") && err.contains("failed validation"),
                "{name}: {err}"
            );
            assert_eq!(
                std::fs::read_to_string(specs.join("tokens.yml")).unwrap(),
                good,
                "{name}"
            );
        }
    }
}

//! `cargo xtask <task>`: maintenance tasks for the tapis crate.
//!
//! - `update-specs (--set SET | --from-pypi [VERSION] | --from-dir DIR)
//!   [--spec NAME=URL|local:PATH]... [SERVICE...]`: vendors specs into
//!   `specs/`, validating each by generating it first, and records provenance
//!   in `specs/manifest.json`. A new NAME becomes a new service: its crate
//!   is created in `src/services/NAME/` and its cargo features are declared
//!   (`Cargo.toml`, `specs/Cargo.toml`), so it builds with no hand edit.
//!   Prints, per service, the operations and schemas the update adds,
//!   removes and changes; `--dry-run` does everything but write.
//! - `update-specs --check`: offline, checks that `specs/` is exactly what
//!   the manifest records (CI runs it).
//! - `generate [--out DIR] [SERVICE...]`: runs the generator as build.rs does
//!   and prints each service's normalisation report; with `--out`, writes the
//!   generated code there for reading.
//! - `call-controls`: writes the runtime's `call_controls!` macro
//!   (`src/runtime/request/call_controls.rs`) from tapis-codegen's
//!   `controls::CONTROLS`; a test fails while it is not current.

mod date;
mod diff;
mod features;
mod fetch;
mod manifest;
mod sources;
mod update_specs;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("update-specs") => update_specs::run(&args[1..]),
        Some("generate") => generate(&args[1..]),
        Some("call-controls") => call_controls(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask update-specs [--set prod|staging|dev|tapipy | --from-pypi [VERSION] | --from-dir DIR]
           [--spec NAME=URL|NAME=local:PATH]... [--timeout SECS] [--dry-run] [SERVICE...]
       cargo xtask update-specs --check
       cargo xtask generate [--out DIR] [SERVICE...]
       cargo xtask call-controls";

/// Writes the `call_controls!` macro into the runtime crate: a source file
/// there (not build-script output) because a macro exported from a file
/// that `include!` brings in cannot be named by path in its own crate.
fn call_controls() -> Result<(), String> {
    let file = workspace_root().join(tapis_codegen::controls::CALL_CONTROLS_FILE);
    std::fs::write(&file, tapis_codegen::controls::call_controls_macro())
        .map_err(|e| format!("writing {}: {e}", file.display()))?;
    println!("wrote {}", file.display());
    Ok(())
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn generate(args: &[String]) -> Result<(), String> {
    let mut out = None;
    let mut services = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a directory")?)),
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            s => services.push(s.to_string()),
        }
    }
    let specs = workspace_root().join("specs");
    let set = tapis_codegen::SpecSet::load_dir(&specs).map_err(|e| e.to_string())?;
    if services.is_empty() {
        services = set.services().map(String::from).collect();
    }
    let mut failed = 0;
    for service in &services {
        match tapis_codegen::generate_service(service, &set) {
            Ok(g) => {
                let hits: Vec<String> = g
                    .report
                    .hits
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(name, n)| format!("{name}={n}"))
                    .collect();
                println!(
                    "{service}: {} operations ({} paginated), {} lines; patches: {}",
                    g.operations.len(),
                    g.paginated.len(),
                    g.code.lines().count(),
                    hits.join(" ")
                );
                if let Some(dir) = &out {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    let file = dir.join(format!("{}.rs", tapis_codegen::module_name(service)));
                    std::fs::write(&file, g.code)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                }
            }
            Err(e) => {
                failed += 1;
                println!("{service}: FAILED: {e}");
            }
        }
    }
    if failed > 0 {
        return Err(format!(
            "{failed} of {} services failed to generate",
            services.len()
        ));
    }
    Ok(())
}

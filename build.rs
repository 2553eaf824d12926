//! Generates a typed module `tapis::extra::<name>` per spec named by
//! `TAPIS_EXTRA_SPECS` (an absolute path to a directory of `<name>.yml`
//! specs, or to one spec file), the same way the vendored specs are
//! generated (`specs/build.rs`), into `OUT_DIR/extra.rs`: the `extra`
//! module, empty without the variable. They compile in this crate.

use std::path::{Path, PathBuf};

use tapis_codegen::facade::Clients;
use tapis_codegen::{check_service_name, generate_service, module_name, SpecSet};

/// The environment variable naming extra specs to generate.
const EXTRA_SPECS_ENV: &str = "TAPIS_EXTRA_SPECS";

fn main() {
    if let Err(e) = run() {
        // A loud, single-line reason naming the spec and construct.
        eprintln!("tapis build failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-env-changed={EXTRA_SPECS_ENV}");
    std::fs::write(out.join("extra.rs"), extra_specs(&out)?)?;
    Ok(())
}

/// The vendored specs (the extra specs are generated over them, so they may
/// refer to them): where `tapis-specs` says they are, else beside this file
/// in the repository.
fn vendored_specs() -> Result<SpecSet, Box<dyn std::error::Error>> {
    let dir = match std::env::var_os("DEP_TAPIS_SPECS_SPECS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("specs"),
    };
    Ok(SpecSet::load_dir(&dir)?)
}

/// Generates the specs named by `TAPIS_EXTRA_SPECS` into `OUT_DIR` and
/// returns the `extra` module declaring them (empty without the variable).
/// They are generated over the vendored specs, so they may refer to them.
fn extra_specs(out: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let mut clients = Clients::default();
    let location = std::env::var_os(EXTRA_SPECS_ENV).filter(|v| !v.is_empty());
    if let Some(location) = location {
        let location = PathBuf::from(location);
        // Build scripts run in the tapis package's directory, which is not the
        // user's: a relative path would silently point elsewhere.
        if !location.is_absolute() {
            return Err(format!(
                "{EXTRA_SPECS_ENV}={}: give an absolute path (in .cargo/config.toml, \
                 `[env] {EXTRA_SPECS_ENV} = {{ value = \"specs\", relative = true }}`)",
                location.display()
            )
            .into());
        }
        println!("cargo:rerun-if-changed={}", location.display());
        let extra = if location.is_dir() {
            SpecSet::load_dir(&location)?
        } else {
            let mut one = SpecSet::default();
            let name = location
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            one.add_file(name, &location)?;
            one
        };
        let mut overlay = vendored_specs()?;
        for service in extra.services() {
            check_service_name(service).map_err(|e| format!("{EXTRA_SPECS_ENV}: {e}"))?;
            if let Some(file) = extra.file(service) {
                overlay.add_file(service, file)?;
            }
        }
        for service in extra.services() {
            let generated = generate_service(service, &overlay)?;
            let module = module_name(service);
            let count = generated.generated.len();
            std::fs::write(out.join(format!("extra_{module}.rs")), &generated.code)?;
            clients.add(
                &module,
                &format!(
                    "#[allow(rustdoc::all, clippy::all, clippy::pedantic, unused_imports, unused_mut, dead_code)]\n\
                     pub mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/extra_{module}.rs\"));\n}}\n"
                ),
                &format!(
                    "Typed client for `{service}`: {count} operations generated from the extra \
                     spec `{service}` (spec version {}).",
                    generated.spec_version
                ),
                &format!("The `{service}` extra spec ({count} operations)."),
                "",
            )?;
        }
    }
    Ok(format!(
        "/// Typed clients for specs outside Tapis's own, generated at build time from the\n\
         /// specs named by the `TAPIS_EXTRA_SPECS` environment variable (an absolute path to a\n\
         /// directory of `<name>.yml` files, or to one file): one module per spec, reached with\n\
         /// `tapis.extra().<name>()`. Empty when the variable is not set.\n\
         pub mod extra {{\n{modules}\n    \
         /// The clients of the extra specs, sharing the `Tapis` client's connection pool,\n    \
         /// authentication and per-call controls.\n    \
         #[derive(Clone)]\n    pub struct Clients {{\n{fields}    }}\n\n    \
         impl Clients {{\n        #[allow(unused_variables)]\n        pub(crate) fn new(base_url: &str, \
         http: &reqwest::Client, shared: &crate::transport::ClientContext) -> Self {{\n            \
         Self {{\n{inits}            }}\n        }}\n\n{accessors}    }}\n\n    \
         impl std::fmt::Debug for Clients {{\n        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) \
         -> std::fmt::Result {{\n            f.debug_struct(\"Clients\").finish_non_exhaustive()\n        }}\n    }}\n}}\n\n",
        modules = clients.modules,
        fields = clients.fields,
        inits = clients.inits,
        accessors = clients.accessors,
    ))
}

//! Code generation for the `tapis` crate, shared by `build.rs` and `xtask`.
//!
//! The pipeline for one service is:
//! 1. [`spec::SpecSet`] parses every vendored spec (YAML → JSON value);
//! 2. [`normalize`] applies small named patches that turn the Tapis specs into
//!    something progenitor can generate, counting each patch's hits;
//! 3. [`validate`] rejects anything the patches did not handle, naming the
//!    spec, path and construct, so nothing is ever dropped silently;
//! 4. [`generate`] runs progenitor (builder interface) and [`postprocess`]
//!    rewrites its output into the SDK's shape (sends through the tapis
//!    transport, tolerant types, paging, envelope impls, no generator API in
//!    public, safe docs; see its module docs);
//! 5. the result is formatted with prettyplease.

pub mod controls;
pub mod error;
pub mod facade;
pub mod generate;
pub mod normalize;
pub mod operations;
pub mod postprocess;
pub mod spec;
pub mod validate;

pub use error::CodegenError;
pub use generate::{generate_service, Generated};
pub use spec::SpecSet;

/// Operations progenitor cannot generate (multipart request bodies). They are
/// removed by normalisation and implemented by hand in the service crates
/// (`src/services/<service>/`).
/// A multipart operation that is not listed here fails the build.
pub const HAND_WRITTEN: &[(&str, &str)] = &[
    ("files", "insert"),
    ("pods", "upload_to_volume"),
    ("pods", "upload_to_jupyter"),
    ("pods", "upload_to_pod"),
];

/// The Rust module (and cargo feature) name of a service: `globus-proxy` →
/// module `globus_proxy`, feature `globus-proxy`.
pub fn module_name(service: &str) -> String {
    service.replace('-', "_")
}

/// Names a new service cannot take: its module would clash with a module of
/// the `tapis` crate, or its accessor with a method of `Tapis`.
const RESERVED: &[&str] = &[
    "auth",
    "blocking",
    "builder",
    "client",
    "error",
    "extra",
    "services",
    "paging",
    "path",
    "request",
    "response",
    "reqwest",
    "testing",
    "transfer",
    "transport",
    "base_url",
    "http_client",
    "tenant",
    "tenant_id",
    "tenant_list",
    "block_on",
    "as_async",
    "validate_token",
    "current_tokens",
    "get_tokens",
    "refresh_tokens",
    "set_access_token",
    "save",
    "save_to",
    "restore",
    "restore_from",
    "clone",
    "shared",
];

/// Rust keywords, which cannot name a module.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "unsafe", "use", "where", "while", "yield",
];

/// Checks that `service` can name a spec file, a cargo feature, a module
/// and an accessor: lower-case ASCII letters, digits and inner `-`, starting
/// with a letter, neither a Rust keyword nor a name the crate already uses.
///
/// ```
/// assert!(tapis_codegen::check_service_name("globus-proxy").is_ok());
/// assert!(tapis_codegen::check_service_name("Systems").is_err());
/// assert!(tapis_codegen::check_service_name("auth").is_err());
/// ```
pub fn check_service_name(service: &str) -> Result<(), String> {
    let well_formed = service.starts_with(|c: char| c.is_ascii_lowercase())
        && !service.ends_with('-')
        && !service.contains("--")
        && service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Err(format!(
            "`{service}` is not a service name: use lower-case letters, digits and inner `-`, \
             starting with a letter"
        ));
    }
    let module = module_name(service);
    if KEYWORDS.contains(&module.as_str()) {
        return Err(format!("`{service}` is a Rust keyword"));
    }
    if RESERVED.contains(&module.as_str()) {
        return Err(format!(
            "`{service}` is taken by the tapis crate (a module or a `Tapis` method)"
        ));
    }
    Ok(())
}

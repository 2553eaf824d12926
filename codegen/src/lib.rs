//! Code generation for the `tapis` crate, shared by `build.rs` and `xtask`.
//!
//! The pipeline for one service is:
//! 1. [`spec::SpecSet`] parses every vendored spec (YAML → JSON value);
//! 2. [`normalize`] applies small named patches that turn the Tapis specs into
//!    something progenitor can generate, counting each patch's hits;
//! 3. [`validate`] rejects anything the patches did not handle, naming the
//!    spec, path and construct, so nothing is ever dropped silently;
//! 4. [`generate`] runs progenitor (builder interface) and [`postprocess`]
//!    rewrites the few generated constructs we need to differ (path encoding,
//!    doc comments, headers);
//! 5. the result is formatted with prettyplease.

pub mod error;
pub mod generate;
pub mod manifest;
pub mod normalize;
pub mod operations;
pub mod postprocess;
pub mod spec;
pub mod validate;

pub use error::CodegenError;
pub use generate::{generate_service, Generated};
pub use spec::SpecSet;

/// Operations progenitor cannot generate (multipart request bodies). They are
/// removed by normalisation and implemented by hand in the `tapis` crate.
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

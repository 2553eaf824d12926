//! The typed client of the Tapis `meta` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::meta` and `Tapis::meta()`.

tapis_specs::service!(meta);

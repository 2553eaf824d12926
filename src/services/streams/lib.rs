//! The typed client of the Tapis `streams` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::streams` and `Tapis::streams()`.

tapis_specs::service!(streams);

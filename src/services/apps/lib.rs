//! The typed client of the Tapis `apps` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::apps` and `Tapis::apps()`.

tapis_specs::service!(apps);

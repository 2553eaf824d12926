//! The typed client of the Tapis `actors` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::actors` and `Tapis::actors()`.

tapis_specs::service!(actors);

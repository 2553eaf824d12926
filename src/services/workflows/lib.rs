//! The typed client of the Tapis `workflows` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::workflows` and `Tapis::workflows()`.

tapis_specs::service!(workflows);

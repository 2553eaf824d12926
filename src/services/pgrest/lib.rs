//! The typed client of the Tapis `pgrest` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::pgrest` and `Tapis::pgrest()`.

tapis_specs::service!(pgrest);

//! The typed client of the Tapis `authenticator` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::authenticator` and `Tapis::authenticator()`.

tapis_specs::service!(authenticator);

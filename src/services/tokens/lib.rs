//! The typed client of the Tapis `tokens` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::tokens` and `Tapis::tokens()`.

tapis_specs::service!(tokens);

//! The typed client of the Tapis `sk` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::sk` and `Tapis::sk()`.

tapis_specs::service!(sk);

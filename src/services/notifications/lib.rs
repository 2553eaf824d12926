//! The typed client of the Tapis `notifications` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::notifications` and `Tapis::notifications()`.

tapis_specs::service!(notifications);

//! The typed client of the Tapis `systems` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::systems` and `Tapis::systems()`.

tapis_specs::service!(systems);

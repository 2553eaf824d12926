//! The typed client of the Tapis `tenants` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::tenants` and `Tapis::tenants()`.

tapis_specs::service!(tenants);

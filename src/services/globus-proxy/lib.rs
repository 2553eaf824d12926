//! The typed client of the Tapis `globus-proxy` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::globus_proxy` and `Tapis::globus_proxy()`.

tapis_specs::service!(globus_proxy);

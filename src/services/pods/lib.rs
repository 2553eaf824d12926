//! The typed client of the Tapis `pods` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::pods` and `Tapis::pods()`.

tapis_specs::service!(pods);

// What the SDK adds to the service beyond its spec.
mod extras;
pub use extras::*;

//! The typed client of the Tapis `jobs` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::jobs` and `Tapis::jobs()`.

tapis_specs::service!(jobs);

// What the SDK adds to the service beyond its spec.
mod extras;
pub use extras::*;

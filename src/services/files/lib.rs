//! The typed client of the Tapis `files` service, generated at build time
//! from its vendored spec. Use it through the `tapis` crate, as
//! `tapis::files` and `Tapis::files()`.

tapis_specs::service!(files);

// What the SDK adds to the service beyond its spec.
mod extras;
pub use extras::*;

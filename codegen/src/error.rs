//! Errors of the generator. Each names the spec and, where known, the path and
//! construct, because the reader is a maintainer looking at a failed build.

use std::fmt;

/// A failure to normalise or generate a spec.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec file could not be read or parsed.
    #[error("spec `{service}`: cannot parse {source_name}: {reason}")]
    Parse {
        service: String,
        source_name: String,
        reason: String,
    },
    /// A construct the normalisation pass does not handle.
    #[error("spec `{service}`: unhandled {construct} at {location}")]
    Unhandled {
        service: String,
        location: String,
        construct: String,
    },
    /// progenitor returned an error or panicked.
    #[error("spec `{service}`: progenitor failed: {reason}")]
    Progenitor { service: String, reason: String },
    /// The generated code could not be post-processed.
    #[error("spec `{service}`: post-processing failed: {reason}")]
    Postprocess { service: String, reason: String },
    /// Any I/O failure (reading the specs).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl CodegenError {
    pub(crate) fn unhandled(
        service: &str,
        location: impl fmt::Display,
        construct: impl fmt::Display,
    ) -> Self {
        CodegenError::Unhandled {
            service: service.to_string(),
            location: location.to_string(),
            construct: construct.to_string(),
        }
    }
}

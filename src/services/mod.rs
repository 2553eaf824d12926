//! What the SDK adds to a service beyond its spec, one file per service,
//! re-exported in the service's module (`tapis::jobs::JobWait`): the
//! multipart uploads progenitor cannot generate (files `insert`, the pods
//! uploads), files' byte ranges, and waiting for a job to end.

#[cfg(feature = "files")]
pub(crate) mod files;
#[cfg(feature = "jobs")]
pub(crate) mod jobs;
#[cfg(feature = "pods")]
pub(crate) mod pods;

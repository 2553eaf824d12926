//! The error type of the `tapis` crate.
//!
//! Generated operations return progenitor's [`progenitor_client::Error`]
//! today (a path parameter the SDK refuses is its `InvalidRequest` variant);
//! construction and configuration return [`Error`].

/// An error from building or configuring a [`crate::Tapis`] client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value given by the caller cannot be used; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The client configuration is invalid (base URL, TLS settings...).
    #[error("invalid configuration: {0}")]
    Config(String),
}

//! Writing a Tapis service in Rust (feature `service`; the axum extractor
//! needs feature `axum`): authenticate the requests it receives the way
//! Python services do with tapipy's `tapisservice` plugin.
//!
//! - [`TenantDirectory`]: the tenants and sites of a Tapis with their public
//!   keys, loaded once, refreshed on a schedule and (rate-limited) when a
//!   token names an unknown tenant or fails its signature check.
//! - [`Authenticator`]: from a request's `X-Tapis-Token` (and
//!   `X-Tapis-User`, `X-Tapis-Tenant`, `X-Tapis-Tracking-ID`), a checked
//!   [`Identity`] or a typed [`AuthError`]; local work, no network call per
//!   request. On-behalf-of headers are accepted under tapisservice's rules
//!   (see [`Authenticator`]).
//! - [`AuthLayer`]: a `tower` layer that authenticates every request (axum,
//!   tonic, hyper) and answers 401 with a Tapis error envelope; handlers
//!   read the [`Identity`] from the request's extensions, or as an axum
//!   extractor.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use tapis::service::{AuthLayer, Authenticator, Identity, TenantDirectory};
//!
//! let admin = tapis::Tapis::builder("https://admin.tapis.io").build()?;
//! let auth = Authenticator::new(TenantDirectory::load(&admin).await?, "myservice", "tacc");
//! let app: axum::Router = axum::Router::new()
//!     .route("/whoami", axum::routing::get(|who: Identity| async move { who.request_username }))
//!     .layer(AuthLayer::new(auth));
//! # Ok(()) }
//! ```

mod authenticate;
#[cfg(feature = "axum")]
mod axum;
mod directory;
mod layer;
#[doc(hidden)]
pub mod routes;

pub use authenticate::{AccountType, AuthError, Authenticator, Identity};
pub use directory::{Site, TenantDirectory, TenantDirectoryBuilder};
pub use layer::{error_response, identity_of, AuthLayer, AuthService};

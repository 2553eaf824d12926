//! # tapis
//!
//! A typed, async Rust client for [Tapis v3](https://tapis-project.org), TACC's
//! API platform for research computing.
//!
//! Every operation of the 16 Tapis services (actors, apps, authenticator,
//! files, globus-proxy, jobs, meta, notifications, pgrest, pods, sk, streams,
//! systems, tenants, tokens, workflows) is a builder-style async method,
//! generated at compile time from the OpenAPI specs vendored in `specs/`.
//! Each service is a cargo feature (all on by default), so a program that
//! only needs `systems` and `files` compiles only those.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let t = tapis::Tapis::builder("https://tacc.tapis.io")
//!     .access_token(std::env::var("TAPIS_TOKEN")?)
//!     .build()?;
//!
//! // GET /v3/systems/my-system
//! let system = t.systems().get_system().system_id("my-system").send().await?;
//! println!("{:?}", system.into_result().id);
//!
//! // GET /v3/files/ops/my-system/home/me/data (the `/` in paths is kept)
//! let listing = t.files().list_files().system_id("my-system").path("/home/me/data").send().await?;
//! println!("{} entries", listing.into_result().len());
//! # Ok(())
//! # }
//! ```
//!
//! Responses are [`Response`]s: the decoded body (a Tapis envelope with
//! `status`, `message`, `result`, `version`, `metadata`) plus the status and
//! headers; `.into_result()` gives just the `result`. Downloads return a
//! [`Download`] (a stream, a file written atomically, or a writer), and
//! uploads are streamed multipart [`Upload`]s. Every failure is one [`Error`].
//!
//! Authentication (password, refresh token, access token, device login,
//! automatic single-flight refresh, retry after a 401, a token cache on
//! disk, tenants and JWT validation) is in [`auth`] and on [`TapisBuilder`].
//!
//! Writing a Tapis service? `tapis::service` (feature `service`)
//! authenticates the requests it receives (tenant keys, on-behalf-of rules,
//! a tower layer and an axum extractor), and `TapisBuilder::service_account`
//! gives it a client holding service tokens.
//!
//! Every operation builder also takes per-call settings before `.send()`:
//! extra headers and query parameters (Tapis search filters such as
//! `owner.eq=jdoe`), a tracking id, a timeout, a [`RetryPolicy`] and a
//! [`DebugCapture`]; see [`CallOptions`]. [`Tapis::request`] reaches any
//! path the specs do not describe.

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
pub mod error;
pub mod paging;
pub mod path;
mod request;
mod response;
#[cfg(feature = "service")]
pub mod service;
mod services;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transfer;
mod transport;

pub use client::{Tapis, TapisBuilder};
pub use error::Error;
pub use paging::Paginator;
pub use request::{validate_tracking_id, CallOptions, RawRequest};
/// The HTTP library `tapis` is built on (its `Method`, `Request`,
/// `Response` and header types appear in this API).
pub use reqwest;
pub use response::{Envelope, EnvelopeInfo, Extra, Metadata, Response};
pub use transfer::{Download, Progress, Upload, UploadOperation};
pub use transport::{
    Backoff, DebugCapture, Exchange, Operation, PostResponseHook, PreRequestHook, RetryPolicy,
    DEFAULT_BODY_LIMIT,
};

// The generated service modules (`tapis::systems`, ...), the `Tapis`
// accessors and the `OPERATIONS` table; written by build.rs.
include!(concat!(env!("OUT_DIR"), "/services.rs"));

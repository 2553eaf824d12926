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

// The SDK's one `Error` is what every call returns; clippy weighs its size
// only outside the crate that defines it (tapis-runtime).
#![allow(clippy::result_large_err)]

pub mod auth;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{Tapis, TapisBuilder};
/// The HTTP library `tapis` is built on (its `Method`, `Request`,
/// `Response` and header types appear in this API).
pub use tapis_runtime::reqwest;
#[cfg(feature = "service")]
pub use tapis_runtime::service;
pub use tapis_runtime::{error, paging, path, transfer};
pub use tapis_runtime::{
    validate_tracking_id, Backoff, CallOptions, DebugCapture, Download, Envelope, EnvelopeInfo,
    Error, Exchange, Extra, Metadata, Operation, Paginator, PostResponseHook, PreRequestHook,
    Progress, RawRequest, Response, RetryPolicy, Upload, UploadOperation, DEFAULT_BODY_LIMIT,
};

// What the code generated from `TAPIS_EXTRA_SPECS` names as `crate::...`
// (the service crates import the same).
#[allow(unused_imports)]
use tapis_runtime::{request, response, transport};

// The generated services (`tapis::systems`, ... re-exported from their
// crates), the `Tapis` accessors and the tables of operations; written by
// tapis-specs's build script.
tapis_specs::include_generated!("services.rs");

// The `extra` module: the clients of `TAPIS_EXTRA_SPECS`; written by build.rs.
include!(concat!(env!("OUT_DIR"), "/extra.rs"));

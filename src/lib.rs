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
//! println!("{:?}", system.into_inner().result);
//!
//! // GET /v3/files/ops/my-system/home/me/data (the `/` in paths is kept)
//! let listing = t.files().list_files().system_id("my-system").path("/home/me/data").send().await?;
//! println!("{} entries", listing.into_inner().result.unwrap_or_default().len());
//! # Ok(())
//! # }
//! ```
//!
//! Responses are [`ResponseValue`]s: the decoded body (a Tapis envelope with
//! `status`, `message`, `result`, `version`, `metadata`) plus the status and
//! headers. Downloads return a [`ByteStream`].

mod client;
pub mod error;
pub mod path;
mod transport;

pub use client::{Tapis, TapisBuilder};
pub use error::Error;
pub use progenitor_client::{ByteStream, ResponseValue};

// The generated service modules (`tapis::systems`, ...), the `Tapis`
// accessors and the `OPERATIONS` table; written by build.rs.
include!(concat!(env!("OUT_DIR"), "/services.rs"));

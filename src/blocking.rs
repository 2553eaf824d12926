//! Synchronous use, for scripts (cargo feature `blocking`, off by default).
//!
//! Build the client with [`TapisBuilder::build_blocking`]. Its own methods
//! all block; every operation builder has `.send_blocking()`, the
//! synchronous twin of `.send().await`; paging has
//! [`Paginator::iter_blocking`](crate::Paginator::iter_blocking), job waits
//! [`JobWait::send_blocking`](crate::jobs::JobWait::send_blocking), raw
//! requests [`RawRequest::send_blocking`](crate::RawRequest::send_blocking),
//! and [`Tapis::block_on`] runs anything else (downloads, device login). The
//! calls run on one small runtime the crate starts on first use and shares,
//! so the caller creates none; a client may be used from several threads at
//! once.
//!
//! ```no_run
//! # fn main() -> Result<(), tapis::Error> {
//! let t = tapis::Tapis::builder("https://tacc.tapis.io")
//!     .username("me")
//!     .password("secret")
//!     .build_blocking()?;
//! let me = t.authenticator().get_userinfo().send_blocking()?.into_result();
//! println!("{:?}", me.username);
//! for system in t.systems().get_systems().paginate().iter_blocking() {
//!     println!("{:?}", system?.id);
//! }
//! # Ok(()) }
//! ```
//!
//! A blocking call made from inside an async runtime is an
//! [`Error::Config`] rather than a deadlock or a panic: use `.send().await`
//! there. Use a client either from blocking code or from async code, not
//! both: its connections belong to the runtime that opened them.

use std::future::Future;

use crate::auth::{Claims, Tenant, Tokens};
use crate::{Error, TapisBuilder};
#[doc(hidden)] // for the code generated from `TAPIS_EXTRA_SPECS`
pub use tapis_runtime::blocking::block_on;
use tapis_runtime::blocking::enter;

/// A client for synchronous code, built with
/// [`TapisBuilder::build_blocking`]: the same services as [`crate::Tapis`]
/// (`t.systems()`, ...; end calls with `.send_blocking()`), and methods that
/// block where the async client's are `async`.
#[derive(Clone, Debug)]
pub struct Tapis {
    inner: crate::Tapis,
}

impl Tapis {
    /// Runs any of the crate's futures to completion (a download to a file,
    /// a device login...).
    ///
    /// ```no_run
    /// # fn demo(t: tapis::blocking::Tapis) -> Result<(), tapis::Error> {
    /// let n = t.block_on(t.files().get_contents().system_id("s").path("a.txt").to_file("a.txt"))?;
    /// # Ok(()) }
    /// ```
    pub fn block_on<T>(&self, future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        block_on(future)
    }

    /// The async client this one wraps (same session and connections).
    pub fn as_async(&self) -> &crate::Tapis {
        &self.inner
    }

    /// See [`crate::Tapis::base_url`].
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// See [`crate::Tapis::set_access_token`].
    pub fn set_access_token(&self, jwt: impl AsRef<str>) -> Result<(), Error> {
        self.inner.set_access_token(jwt)
    }

    /// See [`crate::Tapis::tenant_id`].
    pub fn tenant_id(&self) -> Option<String> {
        self.inner.tenant_id()
    }

    /// See [`crate::Tapis::current_tokens`].
    pub fn current_tokens(&self) -> Tokens {
        self.inner.current_tokens()
    }

    /// Obtains tokens now (see [`crate::Tapis::get_tokens`]).
    pub fn get_tokens(&self) -> Result<Tokens, Error> {
        block_on(self.inner.get_tokens())
    }

    /// Refreshes the tokens now (see [`crate::Tapis::refresh_tokens`]).
    pub fn refresh_tokens(&self) -> Result<Tokens, Error> {
        block_on(self.inner.refresh_tokens())
    }

    /// Every tenant (see [`crate::Tapis::tenant_list`]).
    pub fn tenant_list(&self) -> Result<Vec<Tenant>, Error> {
        block_on(self.inner.tenant_list())
    }

    /// The tenant this client talks to (see [`crate::Tapis::tenant`]).
    pub fn tenant(&self) -> Result<Tenant, Error> {
        block_on(self.inner.tenant())
    }

    /// Checks a Tapis JWT (see [`crate::Tapis::validate_token`]).
    pub fn validate_token(&self, jwt: &str) -> Result<Claims, Error> {
        block_on(self.inner.validate_token(jwt))
    }

    /// A request to any path (see [`crate::Tapis::request`]); end it with
    /// `.send_blocking()`.
    pub fn request(&self, method: reqwest::Method, path: &str) -> crate::RawRequest<'_> {
        self.inner.request(method, path)
    }

    /// Saves the session (see [`crate::Tapis::save_to`]).
    pub fn save_to(&self, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
        self.inner.save_to(path)
    }

    /// Saves the session to the default cache (see [`crate::Tapis::save`]).
    pub fn save(&self) -> Result<std::path::PathBuf, Error> {
        self.inner.save()
    }

    /// Restores a client from the default token cache (see
    /// [`crate::Tapis::restore`]).
    pub fn restore() -> Result<Tapis, Error> {
        Self::built(crate::Tapis::restore)
    }

    /// Restores a client from a token cache file (see
    /// [`crate::Tapis::restore_from`]).
    pub fn restore_from(path: impl AsRef<std::path::Path>) -> Result<Tapis, Error> {
        Self::built(|| crate::Tapis::restore_from(path))
    }

    /// Builds the async client inside the blocking runtime: reqwest's
    /// connection pool is tied to the runtime it first runs on.
    fn built(build: impl FnOnce() -> Result<crate::Tapis, Error>) -> Result<Tapis, Error> {
        let _guard = enter()?;
        Ok(Tapis { inner: build()? })
    }
}

/// [`TapisBuilder::build_blocking`].
pub(crate) fn build(builder: TapisBuilder) -> Result<Tapis, Error> {
    Tapis::built(|| builder.build())
}

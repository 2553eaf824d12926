//! Synchronous use, for scripts (cargo feature `blocking`).
//!
//! Every operation builder has `.send_blocking()`, the synchronous twin of
//! `.send().await`; paging has [`Paginator::iter_blocking`], job waits
//! [`JobWait::send_blocking`](crate::jobs_wait::JobWait::send_blocking), and
//! [`Tapis::block_on`] runs anything else (downloads, raw requests). The calls
//! run on one small runtime the crate starts on first use and shares, so the
//! caller creates none; a client may be used from several threads at once.
//!
//! ```no_run
//! # fn main() -> Result<(), tapis::Error> {
//! let t = tapis::blocking::Tapis::builder("https://tacc.tapis.io")
//!     .username("me")
//!     .password("secret")
//!     .build()?;
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
use std::ops::Deref;
use std::pin::Pin;
use std::sync::OnceLock;

use futures_util::StreamExt;

use crate::paging::{Paged, Paginator};
use crate::{Error, TapisBuilder};

/// The runtime blocking calls run on: started on first use, kept for the
/// life of the process (never dropped, so never dropped in the wrong place).
fn runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("tapis-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Config(format!("cannot start the blocking runtime: {e}")))
}

/// Runs `future` to completion on the blocking runtime.
pub(crate) fn block_on<T>(future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    // Generic code is compiled once per operation; keeping it to this
    // wrapper (the runtime's own generic machinery runs on one boxed type)
    // saves compiling tokio's `block_on` for each of ~500 operations.
    let mut output = None;
    run(Box::pin(async {
        output = Some(future.await);
    }))?;
    output.unwrap_or_else(|| Err(Error::Config("the blocking call did not finish".into())))
}

/// Runs a future on the blocking runtime, unless called from async code.
fn run(future: Pin<Box<dyn Future<Output = ()> + '_>>) -> Result<(), Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::Config(
            "a blocking tapis call was made inside an async runtime; use `.send().await` there"
                .into(),
        ));
    }
    runtime()?.block_on(future);
    Ok(())
}

/// A [`crate::Tapis`] for synchronous code. It derefs to the async client,
/// so every service accessor (`t.systems()`, ...) is there; end the calls
/// with `.send_blocking()`.
#[derive(Clone, Debug)]
pub struct Tapis {
    inner: crate::Tapis,
}

impl Tapis {
    /// The builder of the async client; finish it with
    /// [`TapisBuilder::build_blocking`] or, here, [`Builder::build`].
    pub fn builder(base_url: impl Into<String>) -> Builder {
        Builder(crate::Tapis::builder(base_url))
    }

    /// Runs any of the crate's futures to completion (a download to a file,
    /// a raw request, a device login...).
    ///
    /// ```no_run
    /// # fn demo(t: tapis::blocking::Tapis) -> Result<(), tapis::Error> {
    /// let bytes = t.block_on(t.request(tapis::reqwest::Method::GET, "/v3/systems").send())?;
    /// # Ok(()) }
    /// ```
    pub fn block_on<T>(&self, future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
        block_on(future)
    }

    /// Runs the password grant now (see [`crate::Tapis::get_tokens`]).
    pub fn get_tokens(&self) -> Result<crate::auth::Tokens, Error> {
        block_on(self.inner.get_tokens())
    }

    /// Refreshes the tokens now (see [`crate::Tapis::refresh_tokens`]).
    pub fn refresh_tokens(&self) -> Result<crate::auth::Tokens, Error> {
        block_on(self.inner.refresh_tokens())
    }

    /// The async client this one wraps.
    pub fn as_async(&self) -> &crate::Tapis {
        &self.inner
    }
}

impl Deref for Tapis {
    type Target = crate::Tapis;
    fn deref(&self) -> &crate::Tapis {
        &self.inner
    }
}

impl From<crate::Tapis> for Tapis {
    fn from(inner: crate::Tapis) -> Self {
        Tapis { inner }
    }
}

/// Builds a [`Tapis`] for synchronous code: every setting of
/// [`TapisBuilder`] through [`Builder::with`] or the common ones here.
#[derive(Debug)]
#[must_use]
pub struct Builder(TapisBuilder);

impl Builder {
    /// Any setting of the async builder.
    pub fn with(self, f: impl FnOnce(TapisBuilder) -> TapisBuilder) -> Self {
        Builder(f(self.0))
    }

    /// See [`TapisBuilder::access_token`].
    pub fn access_token(self, jwt: impl Into<String>) -> Self {
        Builder(self.0.access_token(jwt))
    }

    /// See [`TapisBuilder::username`].
    pub fn username(self, username: impl Into<String>) -> Self {
        Builder(self.0.username(username))
    }

    /// See [`TapisBuilder::password`].
    pub fn password(self, password: impl Into<String>) -> Self {
        Builder(self.0.password(password))
    }

    /// Builds the client (no network call).
    pub fn build(self) -> Result<Tapis, Error> {
        self.0.build_blocking()
    }
}

impl TapisBuilder {
    /// Builds a client for synchronous code ([`Tapis`](crate::blocking::Tapis)).
    pub fn build_blocking(self) -> Result<Tapis, Error> {
        // reqwest's connection pool is tied to the runtime it first runs on;
        // building inside the blocking runtime keeps everything there.
        let _guard = runtime()?.enter();
        Ok(Tapis {
            inner: self.build()?,
        })
    }
}

impl<'a, B: Paged<'a>> Paginator<'a, B> {
    /// The items as a blocking iterator: each `next()` may fetch a page.
    pub fn iter_blocking(self) -> impl Iterator<Item = Result<B::Item, Error>> + 'a {
        let mut stream = self;
        let mut failed = false;
        std::iter::from_fn(move || {
            if failed {
                return None;
            }
            match block_on(async { Ok(stream.next().await) }) {
                Ok(next) => next,
                Err(e) => {
                    failed = true;
                    Some(Err(e))
                }
            }
        })
    }
}

#[cfg(feature = "jobs")]
impl crate::jobs_wait::JobWait<'_> {
    /// [`send`](Self::send) for synchronous code.
    pub fn send_blocking(self) -> Result<crate::jobs::types::Job, Error> {
        block_on(self.send())
    }
}

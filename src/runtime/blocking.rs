//! What synchronous use (`tapis::blocking`, feature `blocking`) needs below
//! the client: the shared runtime, `block_on`, and the blocking twins of
//! the runtime's own futures.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use futures_util::StreamExt;

use crate::paging::{Paged, Paginator};
use crate::Error;

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
#[doc(hidden)]
pub fn block_on<T>(future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    // Generic code is compiled once per operation; keeping it to this
    // wrapper (the runtime's own generic machinery runs on one boxed type)
    // saves compiling tokio's `block_on` for each of ~500 operations.
    let mut output = None;
    run(Box::pin(async {
        output = Some(future.await);
    }))?;
    output.unwrap_or_else(|| Err(Error::Config("the blocking call did not finish".into())))
}

/// Enters the blocking runtime, so that a client built while the guard
/// lives has its connection pool tied to that runtime.
pub fn enter() -> Result<tokio::runtime::EnterGuard<'static>, Error> {
    Ok(runtime()?.enter())
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

impl crate::RawRequest<'_> {
    /// [`send`](Self::send) for synchronous code.
    pub fn send_blocking(self) -> Result<crate::Response<bytes::Bytes>, Error> {
        block_on(self.send())
    }

    /// [`send_json`](Self::send_json) for synchronous code.
    pub fn send_json_blocking<T: serde::de::DeserializeOwned>(
        self,
    ) -> Result<crate::Response<T>, Error> {
        block_on(self.send_json())
    }
}

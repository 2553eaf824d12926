//! Downloads: a response body read as a stream, into memory, into any
//! `AsyncWrite`, or into a file that appears only once it is complete.

use std::fmt;
use std::path::Path;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::progress::{Progress, ProgressFn};
use crate::staged::Staged;
use crate::transport::RequestLine;
use crate::{Error, Response};

/// The chunks of a download.
pub type DownloadStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// The body of a download (files `getContents`, post-it redemption, job
/// output, actor results). Nothing is read until one of its methods is
/// called; each reads the body once, in constant memory except
/// [`Download::bytes`]. When the server sent `Content-Length`, a body that
/// ends short is an error.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// let download = t.files().get_contents().system_id("s1").path("data/run.tar").send().await?;
/// let written = download
///     .into_inner()
///     .progress(|p| eprintln!("{} of {:?} bytes", p.done, p.total))
///     .to_file("run.tar")
///     .await?;
/// # Ok(())
/// # }
/// ```
pub struct Download {
    response: reqwest::Response,
    line: RequestLine,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("url", &crate::error::redacted_url(&self.line.url))
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

/// Wraps a 2xx response of a download operation.
#[doc(hidden)]
pub fn download(response: reqwest::Response) -> Response<Download> {
    let status = response.status();
    let headers = response.headers().clone();
    let line = RequestLine::of(&response);
    Response::new(
        Download {
            response,
            line,
            progress: None,
        },
        status,
        headers,
    )
}

impl Download {
    /// The size the server announced (`Content-Length`).
    pub fn content_length(&self) -> Option<u64> {
        self.response.content_length()
    }

    /// Calls `callback` with the bytes received so far and the total (when
    /// known) after every chunk.
    #[must_use]
    pub fn progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(callback));
        self
    }

    /// The body as a stream of chunks.
    pub fn into_stream(self) -> DownloadStream {
        struct State {
            chunks: Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>,
            line: RequestLine,
            status: reqwest::StatusCode,
            progress: Option<ProgressFn>,
            done: u64,
            total: Option<u64>,
            finished: bool,
        }
        let state = State {
            total: self.content_length(),
            status: self.response.status(),
            chunks: Box::pin(self.response.bytes_stream()),
            line: self.line,
            progress: self.progress,
            done: 0,
            finished: false,
        };
        Box::pin(futures_util::stream::unfold(state, |mut s| async move {
            if s.finished {
                return None;
            }
            match s.chunks.next().await {
                Some(Ok(chunk)) => {
                    s.done += chunk.len() as u64;
                    if let Some(callback) = &s.progress {
                        callback(Progress {
                            done: s.done,
                            total: s.total,
                        });
                    }
                    Some((Ok(chunk), s))
                }
                Some(Err(e)) => {
                    s.finished = true;
                    let error = Error::network(&s.line.method, &s.line.url, e);
                    Some((Err(error), s))
                }
                None => {
                    s.finished = true;
                    let total = s.total.filter(|t| s.done < *t)?;
                    let error = Error::invalid_response_without_body(
                        s.status,
                        format!("the body ended after {} of {total} bytes", s.done),
                        None,
                    );
                    Some((Err(error), s))
                }
            }
        }))
    }

    /// Reads the whole body into memory.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        let mut out = bytes::BytesMut::new();
        let mut stream = self.into_stream();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// Writes the body to `writer` and returns how many bytes were written.
    pub async fn to_writer<W: AsyncWrite + Unpin>(self, mut writer: W) -> Result<u64, Error> {
        let mut written = 0u64;
        let mut stream = self.into_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| Error::InvalidInput(format!("cannot write the download: {e}")))?;
            written += chunk.len() as u64;
        }
        writer
            .flush()
            .await
            .map_err(|e| Error::InvalidInput(format!("cannot write the download: {e}")))?;
        Ok(written)
    }

    /// Writes the body to a temporary file beside `dest` and renames it to
    /// `dest` once complete: a failed or interrupted download never leaves
    /// a partial file at `dest`, and never touches an existing one.
    pub async fn to_file(self, dest: impl AsRef<Path>) -> Result<u64, Error> {
        let dest = dest.as_ref();
        // Removed when dropped: on an error, and when this future is dropped
        // (a timeout, a cancelled task) before the download completes.
        let (file, staged) = temporary_beside(dest)?;
        let mut file =
            tokio::io::BufWriter::with_capacity(256 * 1024, tokio::fs::File::from_std(file));
        let written = self.to_writer(&mut file).await?;
        let file = file.into_inner();
        file.sync_all().await.map_err(|e| {
            Error::InvalidInput(format!("cannot write {}: {e}", staged.path().display()))
        })?;
        drop(file);
        staged.commit(dest).map_err(|e| {
            Error::InvalidInput(format!(
                "cannot move the download to {}: {e}",
                dest.display()
            ))
        })?;
        Ok(written)
    }
}

/// Checks that `dest` can be written (its directory exists, it is not a
/// directory) and creates a temporary file beside it: an unpredictable name,
/// created exclusively (never an existing file or a planted symlink), with
/// the mode `dest` has (a new file gets 0644) from the start. The file is
/// removed when the returned [`Staged`] is dropped, unless committed.
fn temporary_beside(dest: &Path) -> Result<(std::fs::File, Staged), Error> {
    let dir = destination_dir(dest)?;
    let name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("download");
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dest).map_or(0o644, |m| m.permissions().mode() & 0o777)
    };
    #[cfg(not(unix))]
    let mode = 0o644;
    Staged::create(dir, &format!(".{name}."), ".part", mode).map_err(|e| {
        Error::InvalidInput(format!(
            "download destination {}: cannot create a temporary file beside it: {e}",
            dest.display()
        ))
    })
}

/// Checks that `dest` can be written (its directory exists, it is not a
/// directory); gives its directory.
/// A download operation's `to_file`: the destination is checked before
/// anything is sent, then the answer streams into it (see
/// [`Download::to_file`]).
#[doc(hidden)]
pub async fn send_to_file(
    send: impl std::future::Future<Output = Result<Response<Download>, Error>>,
    dest: &Path,
) -> Result<u64, Error> {
    destination_dir(dest)?;
    send.await?.into_inner().to_file(dest).await
}

#[doc(hidden)]
pub fn destination_dir(dest: &Path) -> Result<&Path, Error> {
    let bad =
        |why: &str| Error::InvalidInput(format!("download destination {}: {why}", dest.display()));
    dest.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| bad("no file name"))?;
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(bad("its directory does not exist"));
    }
    if dest.is_dir() {
        return Err(bad("it is a directory"));
    }
    Ok(dir)
}

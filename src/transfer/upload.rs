//! Streaming multipart uploads (files `insert`, pods uploads): the content
//! goes out as it is read, from a file, memory, a byte stream or an
//! `AsyncRead`, so memory stays constant whatever the size.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;
use tokio::io::AsyncRead;

use super::progress::{Progress, ProgressFn};
use crate::request::{call_controls, CallOptions};
use crate::transport::{Operation, Shared};
use crate::{Error, Response};

type ChunkStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send + Sync>>;

/// Where an upload's content comes from.
enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    Stream {
        chunks: ChunkStream,
        len: Option<u64>,
    },
}

/// A multipart upload; made by [`crate::files::Client::insert`] and the pods
/// upload operations. Give the content with one of [`Upload::file`],
/// [`Upload::bytes`], [`Upload::stream`] or [`Upload::reader`], then
/// `.send()`. Per-call options (headers, query, tracking id...) apply as on
/// any operation. The body is streamed, so it is sent once: it is not
/// retried, nor sent again after a 401.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// t.files()
///     .insert("my-system", "/home/me/data/run 1.tar")
///     .file("run1.tar")
///     .progress(|p| eprintln!("{} / {:?}", p.done, p.total))
///     .send()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct Upload<'a, T> {
    shared: &'a Shared,
    http: &'a reqwest::Client,
    url: Result<String, Error>,
    op: &'static Operation,
    /// The file name the destination suggests (last path segment).
    remote_name: Option<String>,
    fields: Vec<(&'static str, String)>,
    source: Option<Source>,
    filename: Option<String>,
    content_type: Option<String>,
    progress: Option<ProgressFn>,
    call_options: CallOptions,
    response: PhantomData<fn() -> T>,
}

call_controls!(Upload<T>);

impl<T> std::fmt::Debug for Upload<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("operation", &self.op.id)
            .field("filename", &self.filename)
            .field("call_options", &self.call_options)
            .finish_non_exhaustive()
    }
}

impl<'a, T> Upload<'a, T> {
    #[allow(dead_code)] // only files and pods have uploads
    pub(crate) fn new(
        shared: &'a Shared,
        http: &'a reqwest::Client,
        op: &'static Operation,
        url: Result<String, Error>,
        remote_name: Option<String>,
    ) -> Self {
        Upload {
            shared,
            http,
            url,
            op,
            remote_name,
            fields: Vec::new(),
            source: None,
            filename: None,
            content_type: None,
            progress: None,
            call_options: CallOptions::default(),
            response: PhantomData,
        }
    }

    /// A text part sent with the file (pods `path`, `dest_path`).
    #[allow(dead_code)] // only pods sends text parts
    pub(crate) fn field(mut self, name: &'static str, value: String) -> Self {
        self.fields.push((name, value));
        self
    }

    /// Uploads the local file at `path`, streamed from disk. A missing or
    /// unreadable file, or a directory, fails `send` with
    /// [`Error::InvalidInput`] before anything is sent. The part's file
    /// name defaults to the file's.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = Some(Source::Path(path.into()));
        self
    }

    /// Uploads bytes from memory.
    pub fn bytes(mut self, content: impl Into<Bytes>) -> Self {
        self.source = Some(Source::Bytes(content.into()));
        self
    }

    /// Uploads a stream of chunks; `len`, when known, is announced to the
    /// server and reported as the progress total.
    pub fn stream<S>(mut self, chunks: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    {
        self.source = Some(Source::Stream {
            chunks: Box::pin(chunks),
            len,
        });
        self
    }

    /// Uploads what `reader` yields; `len` as for [`Upload::stream`].
    pub fn reader<R>(self, reader: R, len: Option<u64>) -> Self
    where
        R: AsyncRead + Send + Sync + 'static,
    {
        let chunks = tokio_util::io::ReaderStream::with_capacity(reader, CHUNK);
        self.stream(chunks, len)
    }

    /// The part's file name (default: the local file's name, else the last
    /// segment of the destination path).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// The part's content type (default `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Calls `callback` with the bytes sent so far and the total (when
    /// known) after every chunk.
    pub fn progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(callback));
        self
    }
}

/// Read size for files and readers.
const CHUNK: usize = 256 * 1024;

impl<T: DeserializeOwned> Upload<'_, T> {
    /// Sends the upload and decodes the typed response.
    pub async fn send(self) -> Result<Response<T>, Error> {
        let url = self.url?;
        let source = self.source.ok_or_else(|| {
            Error::InvalidInput(
                "nothing to upload: give .file(), .bytes(), .stream() or .reader()".into(),
            )
        })?;
        let (chunks, len, local_name): (ChunkStream, Option<u64>, Option<String>) = match source {
            Source::Path(path) => {
                let bad = |why: String| {
                    Error::InvalidInput(format!("upload source {}: {why}", path.display()))
                };
                let meta = tokio::fs::metadata(&path)
                    .await
                    .map_err(|e| bad(e.to_string()))?;
                if meta.is_dir() {
                    return Err(bad("is a directory".into()));
                }
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| bad(e.to_string()))?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let chunks = tokio_util::io::ReaderStream::with_capacity(file, CHUNK);
                (Box::pin(chunks), Some(meta.len()), name)
            }
            Source::Bytes(bytes) => {
                let len = bytes.len() as u64;
                (
                    Box::pin(futures_util::stream::once(async { Ok(bytes) })),
                    Some(len),
                    None,
                )
            }
            Source::Stream { chunks, len } => (chunks, len, None),
        };
        let chunks = match self.progress {
            Some(callback) => {
                let mut done = 0u64;
                Box::pin(chunks.map(move |chunk| {
                    if let Ok(c) = &chunk {
                        done += c.len() as u64;
                        callback(Progress { done, total: len });
                    }
                    chunk
                })) as ChunkStream
            }
            None => chunks,
        };
        let body = reqwest::Body::wrap_stream(chunks);
        let part = match len {
            Some(n) => Part::stream_with_length(body, n),
            None => Part::stream(body),
        };
        let filename = self
            .filename
            .or(local_name)
            .or(self.remote_name)
            .unwrap_or_else(|| "upload".into());
        // A control character (CR, LF...) in the part's file name would
        // break out of its header line and forge others.
        if filename.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "upload file name {filename:?}: control characters (CR, LF...) are not allowed"
            )));
        }
        for (name, _) in &self.fields {
            if name.chars().any(char::is_control) || name.contains('"') {
                return Err(Error::InvalidInput(format!(
                    "upload field name {name:?}: quotes and control characters are not allowed"
                )));
            }
        }
        let content_type = self
            .content_type
            .unwrap_or_else(|| "application/octet-stream".into());
        let part = part
            .file_name(filename)
            .mime_str(&content_type)
            .map_err(|_| Error::InvalidInput(format!("invalid content type `{content_type}`")))?;
        let mut form = Form::new().part("file", part);
        for (name, value) in self.fields {
            form = form.text(name, value);
        }
        let builder = self
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form);
        let response =
            crate::transport::send(self.shared, self.op, builder, self.call_options).await?;
        crate::response::decode_json(response).await
    }
}

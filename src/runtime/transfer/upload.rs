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
use crate::path::{file_path, segment};
use crate::request::{call_controls, CallOptions};
use crate::transport::{ClientContext, Operation};
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

#[doc(hidden)]
pub mod sealed {
    pub trait Sealed {}
}

/// One multipart upload operation of a service and what it answers:
/// files `Insert` and the pods uploads. It is the type parameter
/// of [`Upload`], which gives each operation its own parameter setters.
pub trait UploadOperation: sealed::Sealed {
    /// The answer's `result`, decoded as for any operation.
    type Output: DeserializeOwned;
    #[doc(hidden)]
    fn spec() -> &'static UploadSpec;
}

/// How an upload reaches the server: the operation and its parameters,
/// in the order the setters store them.
pub struct UploadSpec {
    #[doc(hidden)]
    pub op: Operation,
    #[doc(hidden)]
    pub params: &'static [UploadParam],
}

/// One parameter of an upload operation.
#[doc(hidden)]
pub struct UploadParam {
    /// The spec's name (`systemId`): the URL template's `{systemId}`.
    #[doc(hidden)]
    pub wire: &'static str,
    /// The setter's name, for errors (`system_id`).
    #[doc(hidden)]
    pub setter: &'static str,
    #[doc(hidden)]
    pub travels: Travels,
}

/// Where an upload parameter's value goes.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub enum Travels {
    /// One URL segment (an id): `/` is encoded.
    Segment,
    /// A file path in the URL: `/` separates directories, `.`/`..` are
    /// refused; `names_file` also refuses an empty path or one ending in
    /// `/` (the upload needs a file name). Its last name is the part's
    /// default file name.
    Path { names_file: bool },
    /// A text part of the form beside the file (a destination path); its
    /// last name is the part's default file name.
    Part,
}

/// Declares an upload operation in a service crate: its marker type, the
/// [`UploadOperation`] impl, and which of the [`Upload`] setters it takes
/// (see [`params`]), at which index.
#[doc(hidden)]
#[macro_export]
macro_rules! upload_operation {
    (
        $(#[$doc:meta])*
        $marker:ident => $output:ty,
        $op:expr,
        [$($(#[$pdoc:meta])* $setter:ident: $wire:literal, $travels:expr;)+]
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $marker {}

        impl $crate::transfer::upload_sealed::Sealed for $marker {}

        impl $crate::transfer::UploadOperation for $marker {
            type Output = $output;
            fn spec() -> &'static $crate::transfer::UploadSpec {
                static SPEC: $crate::transfer::UploadSpec = $crate::transfer::UploadSpec {
                    op: $op,
                    params: &[$($crate::transfer::UploadParam {
                        wire: $wire,
                        setter: stringify!($setter),
                        travels: $travels,
                    }),+],
                };
                &SPEC
            }
        }

        $crate::upload_params!($marker; 0usize; $($(#[$pdoc])* $setter,)+);
    };
}
pub use crate::upload_operation;

/// The [`params`] impls of [`upload_operation!`], each naming its
/// parameter's index.
#[doc(hidden)]
#[macro_export]
macro_rules! upload_params {
    ($marker:ident; $index:expr; ) => {};
    ($marker:ident; $index:expr; $(#[$pdoc:meta])* $setter:ident, $($rest:tt)*) => {
        $(#[$pdoc])*
        impl $crate::transfer::params::$setter for $marker {
            const INDEX: usize = $index;
        }
        $crate::upload_params!($marker; $index + 1usize; $($rest)*);
    };
}

/// Declares the setters of [`Upload`]: one per parameter name an upload
/// operation has, each on the uploads whose operation takes it (a marker
/// trait in [`params`] says at which index). The setters are the
/// runtime's because `Upload` is; the operations are the services'.
macro_rules! upload_setters {
    ($($(#[$doc:meta])* $setter:ident;)+) => {
        /// Which upload operation takes which [`Upload`] setter, and at which
        /// index of its parameters (implemented by `upload_operation!`).
        #[doc(hidden)]
        pub mod params {
            $(
                #[allow(non_camel_case_types)]
                pub trait $setter: super::UploadOperation {
                    const INDEX: usize;
                }
            )+
        }

        $(
            impl<O: params::$setter> Upload<'_, O> {
                $(#[$doc])*
                pub fn $setter(self, value: impl Into<String>) -> Self {
                    self.set(O::INDEX, value.into())
                }
            }
        )+
    };
}

upload_setters! {
    /// The system to upload to (files `insert`: path parameter `systemId`).
    system_id;
    /// Where the content goes: a path on the system (files `insert`: it
    /// must name a file, not end in `/`), in the volume (pods
    /// `upload_to_volume`) or in the Jupyter pod (pods `upload_to_jupyter`,
    /// a form part). `/` separates directories; `.` and `..` are refused.
    path;
    /// The volume to upload to (pods `upload_to_volume`).
    volume_id;
    /// The pod to upload to (pods `upload_to_jupyter`, `upload_to_pod`).
    pod_id;
    /// Where the file goes in the pod (pods `upload_to_pod`, a form part).
    dest_path;
}

#[doc(hidden)]
pub use sealed as upload_sealed;

/// A multipart upload; made by the files `insert` operation and the pods
/// upload operations. Set the operation's parameters with its setters, give
/// the content with one of [`Upload::file`], [`Upload::bytes`],
/// [`Upload::stream`] or [`Upload::reader`], then `.send()`. Per-call
/// options (headers, query, tracking id...) apply as on any operation. The
/// body is streamed, so it is sent once: it is not retried, nor sent again
/// after a 401.
///
/// ```no_run
/// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
/// t.files()
///     .insert()
///     .system_id("my-system")
///     .path("/home/me/data/run 1.tar")
///     .file("run1.tar")
///     .progress(|p| eprintln!("{} / {:?}", p.done, p.total))
///     .send()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct Upload<'a, O> {
    shared: &'a ClientContext,
    http: &'a reqwest::Client,
    baseurl: &'a str,
    /// The parameters' values, in the order of the operation's spec.
    params: Vec<Option<String>>,
    source: Option<Source>,
    filename: Option<String>,
    content_type: Option<String>,
    progress: Option<ProgressFn>,
    call_options: CallOptions,
    operation: PhantomData<fn() -> O>,
}

call_controls!(Upload<O>);

impl<O: UploadOperation> std::fmt::Debug for Upload<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spec = O::spec();
        let params: Vec<_> = spec
            .params
            .iter()
            .zip(&self.params)
            .map(|(p, v)| (p.wire, v))
            .collect();
        f.debug_struct("Upload")
            .field("operation", &spec.op.id)
            .field("params", &params)
            .field("filename", &self.filename)
            .field("call_options", &self.call_options)
            .finish_non_exhaustive()
    }
}

impl<'a, O: UploadOperation> Upload<'a, O> {
    #[doc(hidden)]
    pub fn new(shared: &'a ClientContext, http: &'a reqwest::Client, baseurl: &'a str) -> Self {
        Upload {
            shared,
            http,
            baseurl,
            params: vec![None; O::spec().params.len()],
            source: None,
            filename: None,
            content_type: None,
            progress: None,
            call_options: CallOptions::default(),
            operation: PhantomData,
        }
    }

    #[doc(hidden)]
    pub fn set(mut self, index: usize, value: String) -> Self {
        self.params[index] = Some(value);
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

/// Where an upload goes, from its parameters.
#[derive(Default)]
struct Target {
    url: String,
    /// Text parts sent beside the file.
    fields: Vec<(&'static str, String)>,
    /// The destination's last name: the part's default file name.
    remote_name: Option<String>,
}

/// Read size for files and readers.
const CHUNK: usize = 256 * 1024;

impl<O: UploadOperation> Upload<'_, O> {
    /// The URL, the text parts and the destination's last name, from the
    /// parameters: every one is required, and none may change the URL's
    /// structure.
    fn target(&self) -> Result<Target, Error> {
        let spec = O::spec();
        let op = &spec.op;
        let mut url = format!("{}{}", self.baseurl, op.path);
        let mut target = Target::default();
        for (param, value) in spec.params.iter().zip(&self.params) {
            let value = value.as_deref().ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{}: parameter `{}` (`.{}(..)`) is required",
                    op.id, param.wire, param.setter
                ))
            })?;
            let placeholder = format!("{{{}}}", param.wire);
            match param.travels {
                Travels::Segment => {
                    let encoded = segment(param.wire, value).map_err(super::invalid)?;
                    url = url.replace(&placeholder, &encoded);
                }
                Travels::Path { names_file } => {
                    let encoded = file_path(param.wire, value).map_err(super::invalid)?;
                    if names_file && (encoded.is_empty() || encoded.ends_with('/')) {
                        return Err(Error::InvalidInput(format!(
                            "{}: upload path `{value}` must name a file",
                            op.id
                        )));
                    }
                    url = url.replace(&placeholder, &encoded);
                    target.remote_name = super::last_name(value);
                }
                Travels::Part => {
                    target.fields.push((param.wire, value.to_string()));
                    target.remote_name = super::last_name(value);
                }
            }
        }
        target.url = url;
        Ok(target)
    }

    /// Sends the upload and decodes the typed response.
    pub async fn send(self) -> Result<Response<O::Output>, Error> {
        let target = self.target()?;
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
            .or(target.remote_name)
            .unwrap_or_else(|| "upload".into());
        // A control character (CR, LF...) in the part's file name would
        // break out of its header line and forge others.
        if filename.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "upload file name {filename:?}: control characters (CR, LF...) are not allowed"
            )));
        }
        let content_type = self
            .content_type
            .unwrap_or_else(|| "application/octet-stream".into());
        let part = part
            .file_name(filename)
            .mime_str(&content_type)
            .map_err(|_| Error::InvalidInput(format!("invalid content type `{content_type}`")))?;
        let mut form = Form::new().part("file", part);
        for (name, value) in target.fields {
            form = form.text(name, value);
        }
        let builder = self
            .http
            .post(target.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form);
        let response = crate::transport::start(Ok(crate::transport::Prepared {
            context: self.shared,
            operation: &O::spec().op,
            request: builder,
            options: self.call_options,
        }))
        .await?;
        crate::response::decode_json(response).await
    }
}

//! Moving data: streaming multipart uploads (files `insert`, the pods
//! uploads) and streaming downloads, with progress.

mod download;
mod progress;
mod upload;

#[doc(hidden)]
pub use download::{download, send_to_file};
pub use download::{Download, DownloadStream};
pub use progress::Progress;
#[doc(hidden)]
pub use upload::{params, upload_operation, upload_sealed, Travels, UploadParam, UploadSpec};
pub use upload::{Upload, UploadOperation};

use crate::Error;

/// The last `/`-separated name of a destination path: the default file
/// name of an upload from memory or a stream.
#[doc(hidden)]
pub fn last_name(path: &str) -> Option<String> {
    path.rsplit('/').find(|n| !n.is_empty()).map(str::to_string)
}

#[doc(hidden)]
pub fn invalid(e: crate::path::PathError) -> Error {
    Error::InvalidInput(e.to_string())
}

//! Moving data: streaming multipart uploads (files `insert`, the pods
//! uploads) and streaming downloads, with progress.

mod download;
mod progress;
mod upload;

#[allow(unused_imports)] // only services with downloads use `download`
pub(crate) use download::download;
pub use download::{Download, DownloadStream};
pub use progress::Progress;
pub use upload::Upload;

use crate::path::{file_path, segment};
use crate::transport::Operation;
use crate::Error;

/// The last `/`-separated name of a destination path: the default file
/// name of an upload from memory or a stream.
#[allow(dead_code)] // every upload is behind a feature
fn last_name(path: &str) -> Option<String> {
    path.rsplit('/').find(|n| !n.is_empty()).map(str::to_string)
}

#[allow(dead_code)] // every upload is behind a feature
fn invalid(e: crate::path::PathError) -> Error {
    Error::InvalidInput(e.to_string())
}

#[cfg(feature = "files")]
impl crate::files::Client {
    /// Uploads a file to `path` on system `system_id`
    /// (`POST /v3/files/ops/{systemId}/{path}`, multipart part `file`).
    /// `/` in `path` separates directories; `.`/`..` are refused.
    pub fn insert(
        &self,
        system_id: impl AsRef<str>,
        path: impl AsRef<str>,
    ) -> Upload<'_, crate::files::types::FileStringResponse> {
        const OP: Operation = Operation {
            service: "files",
            id: "insert",
            method: "POST",
            path: "/v3/files/ops/{systemId}/{path}",
        };
        let path = path.as_ref();
        let url = (|| {
            let encoded = file_path("path", path).map_err(invalid)?;
            if encoded.is_empty() || encoded.ends_with('/') {
                return Err(Error::InvalidInput(format!(
                    "upload path `{path}` must name a file"
                )));
            }
            let system = segment("systemId", system_id.as_ref()).map_err(invalid)?;
            Ok(format!("{}/v3/files/ops/{system}/{encoded}", self.baseurl))
        })();
        Upload::new(&self.inner, &self.client, &OP, url, last_name(path))
    }
}

#[cfg(feature = "files")]
impl crate::files::builder::GetContents<'_> {
    /// Asks for bytes `start..=end` only: sent as the documented
    /// `range: range=START,END` header.
    pub fn byte_range(self, range: std::ops::RangeInclusive<u64>) -> Self {
        self.range(format!("range={},{}", range.start(), range.end()))
    }

    /// Downloads to `dest` (see [`Download::to_file`]). A destination whose
    /// directory does not exist is [`Error::InvalidInput`] before anything
    /// is sent.
    pub async fn to_file(self, dest: impl AsRef<std::path::Path>) -> Result<u64, Error> {
        let dest = dest.as_ref();
        download::temporary_beside(dest)?;
        self.send().await?.into_inner().to_file(dest).await
    }

    /// Downloads into `writer` (see [`Download::to_writer`]).
    pub async fn to_writer<W: tokio::io::AsyncWrite + Unpin>(
        self,
        writer: W,
    ) -> Result<u64, Error> {
        self.send().await?.into_inner().to_writer(writer).await
    }
}

#[cfg(feature = "pods")]
impl crate::pods::Client {
    /// Uploads a file into volume `volume_id` at `path`
    /// (`POST /v3/pods/volumes/{volume_id}/upload/{path}`, part `file`).
    pub fn upload_to_volume(
        &self,
        volume_id: impl AsRef<str>,
        path: impl AsRef<str>,
    ) -> Upload<'_, crate::pods::types::FilesUploadResponse> {
        const OP: Operation = Operation {
            service: "pods",
            id: "upload_to_volume",
            method: "POST",
            path: "/v3/pods/volumes/{volume_id}/upload/{path}",
        };
        let path = path.as_ref();
        let url = (|| {
            let volume = segment("volume_id", volume_id.as_ref()).map_err(invalid)?;
            let encoded = file_path("path", path).map_err(invalid)?;
            Ok(format!(
                "{}/v3/pods/volumes/{volume}/upload/{encoded}",
                self.baseurl
            ))
        })();
        Upload::new(&self.inner, &self.client, &OP, url, last_name(path))
    }

    /// Uploads a document into the user's Jupyter pod at `path`
    /// (`POST /v3/pods/jupyter/{pod_id}/upload`, parts `file` and `path`).
    pub fn upload_to_jupyter(
        &self,
        pod_id: impl AsRef<str>,
        path: impl Into<String>,
    ) -> Upload<'_, serde_json::Value> {
        const OP: Operation = Operation {
            service: "pods",
            id: "upload_to_jupyter",
            method: "POST",
            path: "/v3/pods/jupyter/{pod_id}/upload",
        };
        let path = path.into();
        let url = segment("pod_id", pod_id.as_ref())
            .map_err(invalid)
            .map(|pod| format!("{}/v3/pods/jupyter/{pod}/upload", self.baseurl));
        Upload::new(&self.inner, &self.client, &OP, url, last_name(&path)).field("path", path)
    }

    /// Uploads a file into pod `pod_id` at `dest_path`
    /// (`POST /v3/pods/{pod_id}/upload_to_pod`, parts `file` and `dest_path`).
    pub fn upload_to_pod(
        &self,
        pod_id: impl AsRef<str>,
        dest_path: impl Into<String>,
    ) -> Upload<'_, serde_json::Value> {
        const OP: Operation = Operation {
            service: "pods",
            id: "upload_to_pod",
            method: "POST",
            path: "/v3/pods/{pod_id}/upload_to_pod",
        };
        let dest_path = dest_path.into();
        let url = segment("pod_id", pod_id.as_ref())
            .map_err(invalid)
            .map(|pod| format!("{}/v3/pods/{pod}/upload_to_pod", self.baseurl));
        Upload::new(&self.inner, &self.client, &OP, url, last_name(&dest_path))
            .field("dest_path", dest_path)
    }
}

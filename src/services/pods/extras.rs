//! The pods service's multipart uploads.

use tapis_runtime::transfer::{upload_operation, Travels};
use tapis_runtime::transport::Operation;
use tapis_runtime::Upload;

upload_operation! {
    /// The pods `upload_to_volume` upload
    /// (`POST /v3/pods/volumes/{volume_id}/upload/{path}`, part `file`):
    /// made by [`Client::upload_to_volume`](crate::Client::upload_to_volume).
    UploadToVolume => crate::types::FilesUploadResponse,
    Operation::new(
        "pods",
        "upload_to_volume",
        "POST",
        "/v3/pods/volumes/{volume_id}/upload/{path}",
        false,
    ),
    [
        /// `volume_id` (path parameter, required): the volume.
        volume_id: "volume_id", Travels::Segment;
        /// `path` (path parameter, required): where the file goes in the
        /// volume; `/` separates directories, `.`/`..` are refused.
        path: "path", Travels::Path { names_file: false };
    ]
}

upload_operation! {
    /// The pods `upload_to_jupyter` upload
    /// (`POST /v3/pods/jupyter/{pod_id}/upload`, parts `file` and `path`):
    /// made by [`Client::upload_to_jupyter`](crate::Client::upload_to_jupyter).
    UploadToJupyter => serde_json::Value,
    Operation::new(
        "pods",
        "upload_to_jupyter",
        "POST",
        "/v3/pods/jupyter/{pod_id}/upload",
        false,
    ),
    [
        /// `pod_id` (path parameter, required): the user's Jupyter pod.
        pod_id: "pod_id", Travels::Segment;
        /// `path` (form part, required): where the document goes in the pod.
        path: "path", Travels::Part;
    ]
}

upload_operation! {
    /// The pods `upload_to_pod` upload
    /// (`POST /v3/pods/{pod_id}/upload_to_pod`, parts `file` and
    /// `dest_path`): made by [`Client::upload_to_pod`](crate::Client::upload_to_pod).
    UploadToPod => serde_json::Value,
    Operation::new(
        "pods",
        "upload_to_pod",
        "POST",
        "/v3/pods/{pod_id}/upload_to_pod",
        false,
    ),
    [
        /// `pod_id` (path parameter, required): the pod.
        pod_id: "pod_id", Travels::Segment;
        /// `dest_path` (form part, required): where the file goes in the pod.
        dest_path: "dest_path", Travels::Part;
    ]
}

impl crate::Client {
    /// Uploads a file into a volume, streamed: set `.volume_id(..)`,
    /// `.path(..)` and the content (see [`Upload`]), then `.send()`.
    pub fn upload_to_volume(&self) -> Upload<'_, UploadToVolume> {
        Upload::new(&self.inner, &self.client, &self.baseurl)
    }

    /// Uploads a document into the user's Jupyter pod: set `.pod_id(..)`,
    /// `.path(..)` and the content, then `.send()`.
    pub fn upload_to_jupyter(&self) -> Upload<'_, UploadToJupyter> {
        Upload::new(&self.inner, &self.client, &self.baseurl)
    }

    /// Uploads a file into a pod: set `.pod_id(..)`, `.dest_path(..)` and
    /// the content, then `.send()`.
    pub fn upload_to_pod(&self) -> Upload<'_, UploadToPod> {
        Upload::new(&self.inner, &self.client, &self.baseurl)
    }
}

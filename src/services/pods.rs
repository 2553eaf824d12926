//! The pods service's multipart uploads.

use crate::path::{file_path, segment};
use crate::transfer::{invalid, last_name};
use crate::transport::Operation;
use crate::Upload;

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
            whole_answer: false,
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
            whole_answer: false,
        };
        self.pod_upload(&OP, pod_id.as_ref(), ("path", path.into()))
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
            whole_answer: false,
        };
        self.pod_upload(&OP, pod_id.as_ref(), ("dest_path", dest_path.into()))
    }

    /// An upload to a pod whose destination travels as a text part: the
    /// URL is `op.path` with the encoded pod id.
    fn pod_upload(
        &self,
        op: &'static Operation,
        pod_id: &str,
        (field, destination): (&'static str, String),
    ) -> Upload<'_, serde_json::Value> {
        let url = segment("pod_id", pod_id)
            .map_err(invalid)
            .map(|pod| format!("{}{}", self.baseurl, op.path.replace("{pod_id}", &pod)));
        Upload::new(&self.inner, &self.client, op, url, last_name(&destination))
            .field(field, destination)
    }
}

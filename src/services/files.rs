//! The files service's upload and download shortcuts.

use crate::path::{file_path, segment};
use crate::transfer::{invalid, last_name};
use crate::transport::Operation;
use crate::Error;
use crate::Upload;

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
            whole_answer: false,
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

impl crate::files::builder::GetContents<'_> {
    /// Asks for bytes `start..=end` only: sent as the documented
    /// `range: range=START,END` header.
    pub fn byte_range(self, range: std::ops::RangeInclusive<u64>) -> Self {
        self.range(format!("range={},{}", range.start(), range.end()))
    }
}

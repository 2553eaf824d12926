//! The files service's upload and byte-range shortcuts.

use tapis_runtime::transfer::{upload_operation, Travels};
use tapis_runtime::transport::Operation;
use tapis_runtime::Upload;

upload_operation! {
    /// The files `insert` upload (`POST /v3/files/ops/{systemId}/{path}`,
    /// multipart part `file`): the type parameter of the [`Upload`] that
    /// [`Client::insert`](crate::Client::insert) makes.
    Insert => crate::types::FileStringResponse,
    Operation::new(
        "files",
        "insert",
        "POST",
        "/v3/files/ops/{systemId}/{path}",
        false,
    ),
    [
        /// `systemId` (path parameter, required): the system to upload to.
        system_id: "systemId", Travels::Segment;
        /// `path` (path parameter, required): where the file goes on the
        /// system; `/` separates directories, `.`/`..` are refused, and it
        /// must name a file (not end in `/`).
        path: "path", Travels::Path { names_file: true };
    ]
}

impl crate::Client {
    /// Uploads a file (`POST /v3/files/ops/{systemId}/{path}`, multipart
    /// part `file`), streamed: set `.system_id(..)`, `.path(..)` and the
    /// content, then `.send()`.
    ///
    /// ```no_run
    /// # async fn demo(t: tapis::Tapis) -> Result<(), tapis::Error> {
    /// t.files()
    ///     .insert()
    ///     .system_id("my-system")
    ///     .path("data/input.csv")
    ///     .bytes("a,b\n1,2\n")
    ///     .send()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn insert(&self) -> Upload<'_, Insert> {
        Upload::new(&self.inner, &self.client, &self.baseurl)
    }
}

impl crate::builder::GetContents<'_> {
    /// Asks for bytes `start..=end` only: sent as the documented
    /// `range: range=START,END` header.
    pub fn byte_range(self, range: std::ops::RangeInclusive<u64>) -> Self {
        self.range(format!("range={},{}", range.start(), range.end()))
    }
}

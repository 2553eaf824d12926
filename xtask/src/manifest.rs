//! The specs manifest (`specs/manifest.json`): where each vendored spec came
//! from. Written by `cargo xtask update-specs`; its tests check it against
//! the vendored files. It lives here, not in the generator: the generator is
//! a build dependency of every user, who has no use for checksums (sha2).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// File name of the manifest inside `specs/`.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Provenance of every vendored spec, by service name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub services: BTreeMap<String, Entry>,
}

/// Provenance of one vendored spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Where the spec was taken from (package and member, URL or path).
    pub source: String,
    /// The version of the source: the package version, else the ETag or
    /// Last-Modified of a URL, else `unversioned`.
    pub version: String,
    /// sha256 of the vendored file, hex.
    pub sha256: String,
    /// When it was vendored (UTC, RFC 3339 date).
    pub date: String,
    /// The spec's own `info.version`.
    pub spec_version: String,
    /// The `ETag` the server sent with the spec, for URL sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent with the spec, for URL sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Manifest {
    /// Reads `dir/manifest.json`; a missing file is an empty manifest.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let path = dir.join(MANIFEST_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("cannot parse {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(format!("reading {}: {e}", path.display())),
        }
    }

    /// The manifest as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

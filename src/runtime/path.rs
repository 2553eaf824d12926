//! Percent-encoding of path parameters.
//!
//! Every generated operation encodes its path parameters here rather than
//! with progenitor's `encode_path`, because Tapis needs two rules:
//! - an ordinary parameter (a system id, a job UUID...) is one URL segment:
//!   `/` is encoded like everything else outside the unreserved set;
//! - a file-path parameter (the Files `{path}`, the jobs `{outputPath}`, the
//!   globus-proxy and pods `{path}`) keeps `/` as the directory separator and
//!   encodes each directory name on its own. A leading `/` does not produce
//!   `//`, and empty names are skipped.
//!
//! In both, `#`, `?`, `%`, space and non-ASCII are always encoded, and a `.`
//! or `..` segment is refused: a value never changes the URL's structure.
//!
//! ```
//! use tapis::path::{file_path, segment};
//!
//! assert_eq!(file_path("path", "dir/sub dir/x#1.txt").unwrap(), "dir/sub%20dir/x%231.txt");
//! assert_eq!(file_path("path", "/home/u/a b").unwrap(), "home/u/a%20b");
//! assert_eq!(segment("systemId", "a/b").unwrap(), "a%2Fb");
//! assert!(file_path("path", "../../etc").is_err());
//! ```

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path parameter value that cannot be placed in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// The parameter's name in the spec (`systemId`, `path`...).
    pub parameter: String,
    /// What is wrong with the value.
    pub reason: &'static str,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid path parameter `{}`: {}",
            self.parameter, self.reason
        )
    }
}

impl std::error::Error for PathError {}

fn error(parameter: &str, reason: &'static str) -> PathError {
    PathError {
        parameter: parameter.to_string(),
        reason,
    }
}

/// Encodes a value that must stay one URL segment.
///
/// Refuses an empty value (it would address a different endpoint) and the
/// dot segments `.` and `..` (a URL parser would resolve them).
pub fn segment(parameter: &str, value: &str) -> Result<String, PathError> {
    match value {
        "" => Err(error(parameter, "the value is empty")),
        "." | ".." => Err(error(
            parameter,
            "`.` and `..` are not allowed as a path segment",
        )),
        _ => Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    }
}

/// Encodes a file path: `/`-separated names, each encoded as a segment.
///
/// Empty names (a leading, doubled or trailing `/`) are dropped, except that a
/// trailing `/` is kept so a directory can be addressed as `dir/`. The root
/// is addressed with `/`; an empty value is refused (as tapipy refuses it):
/// sent as is, a `delete` with an unset path would delete the root.
/// `.` and `..` names are refused.
pub fn file_path(parameter: &str, value: &str) -> Result<String, PathError> {
    if value.is_empty() {
        return Err(error(
            parameter,
            "the value is empty (the root of a system is `/`)",
        ));
    }
    let mut out = String::with_capacity(value.len() + 8);
    for name in value.split('/').filter(|n| !n.is_empty()) {
        if name == "." || name == ".." {
            return Err(error(
                parameter,
                "`.` and `..` are not allowed in a file path",
            ));
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.extend(utf8_percent_encode(name, SEGMENT));
    }
    if value.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_rules() {
        assert_eq!(segment("id", "my-sys_1.x~").unwrap(), "my-sys_1.x~");
        assert_eq!(segment("id", "a b?c#d%e").unwrap(), "a%20b%3Fc%23d%25e");
        assert_eq!(segment("id", "ünï").unwrap(), "%C3%BCn%C3%AF");
        assert!(segment("id", "").is_err());
        assert!(segment("id", "..").is_err());
        assert_eq!(segment("id", "...").unwrap(), "...");
    }

    #[test]
    fn file_path_rules() {
        assert_eq!(file_path("p", "a//b/").unwrap(), "a/b/");
        assert_eq!(file_path("p", "/").unwrap(), "");
        assert!(file_path("p", "").is_err());
        assert_eq!(file_path("p", "%41").unwrap(), "%2541");
        assert_eq!(file_path("p", "a/./b").unwrap_err().parameter, "p");
        assert_eq!(file_path("p", "a..b/..c").unwrap(), "a..b/..c");
    }
}

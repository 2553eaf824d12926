//! A file written beside its destination and renamed over it once
//! complete: how the token cache is saved and downloads are written, so
//! that a reader sees the old file or the new one, never half of one, and
//! a failure or a cancelled task leaves nothing behind.
//!
//! Written here rather than with the `tempfile` crate: this is all of it
//! the SDK used, and `tempfile` (with `rustix`, `getrandom` and `fastrand`)
//! was about 2.5 s of CPU in every user's clean build (BENCHMARKS.md,
//! "One regress, typed slots, no tempfile").

use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A new file `<prefix><random><suffix>` in a directory, removed when
/// dropped unless [`commit`](Staged::commit)ted.
#[derive(Debug)]
pub(crate) struct Staged {
    /// `None` once committed.
    path: Option<PathBuf>,
}

impl Staged {
    /// Creates the file exclusively (never an existing file, never through
    /// a planted symlink: `O_CREAT | O_EXCL`) under an unpredictable name,
    /// with `mode` (Unix; less the umask) from the start.
    pub(crate) fn create(
        dir: &Path,
        prefix: &str,
        suffix: &str,
        #[cfg_attr(not(unix), allow(unused_variables))] mode: u32,
    ) -> io::Result<(File, Staged)> {
        // A name taken by someone else is tried again under another name; a
        // few collisions in a row mean something is wrong with `dir`.
        const ATTEMPTS: usize = 16;
        let mut last = None;
        for _ in 0..ATTEMPTS {
            let path = dir.join(format!("{prefix}{}{suffix}", unpredictable()));
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
            match options.open(&path) {
                Ok(file) => return Ok((file, Staged { path: Some(path) })),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
    }

    /// Where the file is (until committed).
    pub(crate) fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// Renames the file over `dest` in one step. On an error the file stays
    /// staged, and is removed when dropped.
    pub(crate) fn commit(mut self, dest: &Path) -> io::Result<()> {
        if let Some(path) = &self.path {
            std::fs::rename(path, dest)?;
        }
        self.path = None;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// 16 hex digits no other process can predict: SipHash under the standard
/// library's per-process random keys (drawn from the operating system) of
/// a counter and the time, so that no one can plant a file or a link at the
/// name in advance.
fn unpredictable() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tapis-staged-{name}-{}-{}",
            std::process::id(),
            unpredictable()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// How many entries `dir` holds (temporary files included).
    fn entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn a_committed_file_replaces_the_destination_in_one_step() {
        let dir = scratch("commit");
        let dest = dir.join("out.json");
        std::fs::write(&dest, b"old").unwrap();
        let (mut file, staged) = Staged::create(&dir, ".out.json.", ".tmp", 0o600).unwrap();
        let name = staged
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with(".out.json.") && name.ends_with(".tmp"),
            "{name}"
        );
        assert_eq!(name.len(), ".out.json.".len() + 16 + ".tmp".len());
        file.write_all(b"new").unwrap();
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            b"old",
            "not replaced before the commit"
        );
        staged.commit(&dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert_eq!(entries(&dir), 1, "only the destination is left");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_dropped_file_is_removed_and_a_failed_commit_keeps_nothing() {
        let dir = scratch("drop");
        let (_, staged) = Staged::create(&dir, ".a.", ".part", 0o644).unwrap();
        assert!(staged.path().exists());
        drop(staged);
        assert_eq!(entries(&dir), 0);
        // Renaming into a directory that does not exist fails; the file is
        // still removed when the value goes.
        let (_, staged) = Staged::create(&dir, ".a.", ".part", 0o644).unwrap();
        assert!(staged.commit(&dir.join("missing/dir/a")).is_err());
        assert_eq!(entries(&dir), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn names_differ_and_creation_never_opens_an_existing_file() {
        let dir = scratch("names");
        let made: Vec<_> = (0..64)
            .map(|_| Staged::create(&dir, ".n.", ".tmp", 0o600).unwrap())
            .collect();
        assert_eq!(entries(&dir), 64, "64 distinct names");
        drop(made);
        assert_eq!(entries(&dir), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_mode_is_set_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let (file, staged) = Staged::create(&dir, ".m.", ".tmp", 0o600).unwrap();
        assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        drop(staged);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = scratch("missing");
        let err = Staged::create(&dir.join("nope"), ".x.", ".tmp", 0o600).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

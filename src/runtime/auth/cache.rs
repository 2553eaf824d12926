//! The token cache: a client's session saved to a file and restored later
//! (agavepy's `Agave.restore()`).
//!
//! The file is JSON holding the base URL, tenant, username, client id and
//! key, and the access and refresh tokens; never the password. It is written
//! atomically (a temporary file beside it, then a rename) with mode 0600, so
//! a failed write leaves the previous file whole. A file that the group or
//! others may read is refused on restore.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::session::{Credentials, Session, SessionConfig};
use super::token::{Token, Tokens};
use crate::staged::Staged;
use crate::transport::ClientContext;
use crate::Error;

/// Where `Tapis::restore` and `Tapis::save` keep the session:
/// `$XDG_CONFIG_HOME/tapis/session.json`, else
/// `$HOME/.config/tapis/session.json`.
pub fn default_cache_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("tapis").join("session.json"))
}

#[derive(Clone, Serialize, Deserialize, Default)]
#[doc(hidden)]
pub struct SessionFile {
    base_url: Option<String>,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_key: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl SessionFile {
    #[doc(hidden)]
    pub fn of(session: &Session, tokens: &Tokens) -> Self {
        let c = session.credentials();
        SessionFile {
            base_url: Some(session.base_url().to_string()),
            tenant_id: c.tenant_id.clone(),
            username: c.username.clone(),
            client_id: c.client_id.clone(),
            client_key: c.client_key.clone(),
            access_token: tokens.access_token.as_ref().map(|t| t.jwt().to_string()),
            refresh_token: tokens.refresh_token.as_ref().map(|t| t.jwt().to_string()),
        }
    }

    /// This file with `tokens` in place of its own.
    fn with_tokens(&self, tokens: &Tokens) -> Self {
        SessionFile {
            access_token: tokens.access_token.as_ref().map(|t| t.jwt().to_string()),
            refresh_token: tokens.refresh_token.as_ref().map(|t| t.jwt().to_string()),
            ..self.clone()
        }
    }

    /// Writes the file atomically with mode 0600.
    #[doc(hidden)]
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let fail = |what: &str, e: std::io::Error| {
            Error::Config(format!("token cache {}: {what}: {e}", path.display()))
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| fail("cannot create its directory", e))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("session");
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::Config(format!("token cache: {e}")))?;
        // An unpredictable name, created exclusively (never an existing file
        // or a planted symlink) with mode 0600 from the start; removed if
        // anything fails; renamed over the cache in one step, so concurrent
        // savers and readers see an old or a new cache, never half of one.
        let prefix = format!(".{name}.");
        let (mut file, staged) = Staged::create(dir, &prefix, ".tmp", 0o600)
            .map_err(|e| fail("cannot create a temporary file", e))?;
        file.write_all(&json)
            .and_then(|()| file.sync_all())
            .map_err(|e| fail("cannot write", e))?;
        drop(file);
        staged.commit(path).map_err(|e| fail("cannot write", e))?;
        sweep_stale(dir, &prefix);
        Ok(())
    }

    fn read(path: &Path) -> Result<Option<Self>, Error> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Config(format!(
                    "token cache {}: cannot read: {e}",
                    path.display()
                )))
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            if mode & 0o077 != 0 {
                return Err(Error::Config(format!(
                    "token cache {} may be read by others (mode {:o}); run `chmod 600` on it",
                    path.display(),
                    mode & 0o777
                )));
            }
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Config(format!("token cache {} is not valid: {e}", path.display())))
    }

    /// Environment variables override the file.
    fn with_env(mut self) -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        for (name, field) in [
            ("TAPIS_BASE_URL", &mut self.base_url),
            ("TAPIS_TENANT_ID", &mut self.tenant_id),
            ("TAPIS_USERNAME", &mut self.username),
            ("TAPIS_CLIENT_ID", &mut self.client_id),
            ("TAPIS_CLIENT_KEY", &mut self.client_key),
            ("TAPIS_TOKEN", &mut self.access_token),
            ("TAPIS_REFRESH_TOKEN", &mut self.refresh_token),
        ] {
            if let Some(value) = env(name) {
                *field = Some(value);
            }
        }
        self
    }
}

/// `Tapis::save_to`.
pub fn save_to(t: &ClientContext, path: &Path) -> Result<(), Error> {
    let session = t.session();
    SessionFile::of(session, &session.tokens()).write(path)
}

/// [`default_cache_path`], or why there is none.
#[doc(hidden)]
pub fn default_path() -> Result<PathBuf, Error> {
    default_cache_path()
        .ok_or_else(|| Error::Config("no HOME or XDG_CONFIG_HOME for the token cache".into()))
}

/// `Tapis::restore_from`: the base URL and session to build the client with.
pub fn restore_from(path: &Path) -> Result<(String, SessionConfig), Error> {
    let file = SessionFile::read(path)?.unwrap_or_default().with_env();
    let base_url = file.base_url.clone().ok_or_else(|| {
        Error::Config(format!(
            "no token cache at {} and TAPIS_BASE_URL is not set",
            path.display()
        ))
    })?;
    let parse = |t: Option<&String>| t.map(|t| Token::parse(t)).transpose();
    let config = SessionConfig {
        credentials: Credentials {
            username: file.username.clone(),
            password: std::env::var("TAPIS_PASSWORD")
                .ok()
                .filter(|v| !v.is_empty()),
            client_id: file.client_id.clone(),
            client_key: file.client_key.clone(),
            tenant_id: file.tenant_id.clone(),
            // A service's password is never cached.
            service: None,
        },
        tokens: Tokens {
            access_token: parse(file.access_token.as_ref())?,
            refresh_token: parse(file.refresh_token.as_ref())?,
        },
        ..SessionConfig::default()
    };
    // The file follows the session: a subscriber to its refreshes.
    let (template, path) = (file, path.to_path_buf());
    let rewrite: super::session::OnRefresh = std::sync::Arc::new(move |tokens| {
        if let Err(e) = template.with_tokens(tokens).write(&path) {
            tracing::warn!(path = %path.display(), error = %e, "could not rewrite the token cache");
        }
    });
    let mut config = config;
    config.on_refresh.push(rewrite);
    Ok((base_url, config))
}

/// Removes temporary cache files a killed writer left (they hold tokens):
/// ours by name, and older than a minute, so a concurrent save's file is
/// left alone.
fn sweep_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(prefix) && name.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        // Only regular files: never follow or remove what a link points at.
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

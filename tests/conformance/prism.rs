//! Stoplight Prism, the independent validator: installed from npm on first
//! use (into `target/tmp`), one validating mock per service.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Prism release the suite is pinned to.
const PRISM: &str = "@stoplight/prism-cli@5.14.2";

/// The `prism` executable, installing it when missing.
pub fn install(dir: &Path) -> Result<PathBuf, String> {
    let bin = dir.join("node_modules/.bin/prism");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "conformance: installing {PRISM} with npm into {}",
        dir.display()
    );
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(dir)
        .arg(PRISM)
        .status()
        .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
    if !status.success() || !bin.exists() {
        return Err(format!("npm install {PRISM} failed ({status})"));
    }
    Ok(bin)
}

/// `n` distinct free ports on 127.0.0.1 (all held while choosing, so none
/// is handed out twice).
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string()))
        .collect()
}

/// A running Prism mock; killed when dropped.
pub struct Mock {
    pub url: String,
    child: Child,
    log: PathBuf,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    /// Starts `prism mock` on `spec` and `port` (without waiting for it).
    pub fn start(bin: &Path, spec: &Path, log: PathBuf, port: u16) -> Result<Self, String> {
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(spec)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("cannot start prism: {e}"))?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
        })
    }

    /// Waits until the mock accepts connections.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let started = Instant::now();
        let addr = self.url.trim_start_matches("http://").to_string();
        while started.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("prism exited ({status}): {}", self.log_tail()));
            }
            if TcpStream::connect(&addr).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "prism did not start in {timeout:?}: {}",
            self.log_tail()
        ))
    }

    /// The end of Prism's log, for error messages.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = log.len().saturating_sub(1500);
        log.get(start..).unwrap_or_default().to_string()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

//! What the benchmarks share: the server child process and memory readings.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts this benchmark binary again with `--serve` (its server side, on
/// its own core) and returns the child and the base URL it printed.
#[allow(dead_code)] // not every benchmark has a server side
pub fn spawn_server(envs: &[(&str, String)]) -> (Child, String) {
    let exe = std::env::current_exe().expect("own path");
    let mut server = Command::new(exe)
        .arg("--serve")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server's address");
    (server, line.trim().to_string())
}

/// Whether this process was started as the server side.
#[allow(dead_code)]
pub fn is_server() -> bool {
    std::env::args().any(|a| a == "--serve")
}

/// Peak resident memory of this process so far, in MiB.
#[allow(dead_code)] // not every benchmark reports memory
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The median of some samples.
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// A benchmark setting from the environment, else `default`.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

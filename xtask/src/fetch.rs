//! Downloading specs over HTTP(S): all at once, each under a timeout, with
//! errors that name the URL and the status.

use std::time::Duration;

/// Larger than any Tapis spec (the biggest is about 1 MB) by a wide margin.
const MAX_SPEC_BYTES: u64 = 32 * 1024 * 1024;

/// A downloaded spec and the validators the server sent with it.
pub struct Fetched {
    pub text: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Downloads every `(service, url)` in parallel (one thread each; a set has
/// at most a few dozen). Each result keeps its service name, in input order.
pub fn fetch_all(
    urls: &[(String, String)],
    timeout: Duration,
) -> Vec<(String, Result<Fetched, String>)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("tapis-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    std::thread::scope(|scope| {
        let jobs: Vec<_> = urls
            .iter()
            .map(|(service, url)| {
                let agent = &agent;
                (service, scope.spawn(move || fetch(agent, url, timeout)))
            })
            .collect();
        jobs.into_iter()
            .map(|(service, job)| {
                let result = job
                    .join()
                    .unwrap_or_else(|_| Err("the download thread panicked".to_string()));
                (service.clone(), result)
            })
            .collect()
    })
}

fn fetch(agent: &ureq::Agent, url: &str, timeout: Duration) -> Result<Fetched, String> {
    let failed = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => format!("GET {url}: timed out after {timeout:?}"),
        e => format!("GET {url}: {e}"),
    };
    let mut response = agent.get(url).call().map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        let body = response
            .body_mut()
            .with_config()
            .limit(4096)
            .read_to_string()
            .unwrap_or_default();
        let excerpt: String = body.trim().chars().take(200).collect();
        return Err(if excerpt.is_empty() {
            format!("GET {url}: HTTP {status}")
        } else {
            format!("GET {url}: HTTP {status}: {excerpt}")
        });
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_SPEC_BYTES)
        .read_to_string()
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => format!("GET {url}: timed out after {timeout:?}"),
            e => format!("GET {url}: reading the body: {e}"),
        })?;
    Ok(Fetched {
        text,
        etag,
        last_modified,
    })
}

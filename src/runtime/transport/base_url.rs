//! The tenant base URL a client is built with: checked and normalised once.

use crate::Error;

/// A base URL as errors and `Debug` show it: scheme, host, port and path,
/// never user info, query or fragment (where secrets would be).
pub fn shown_url(input: &str) -> String {
    match url::Url::parse(input.trim()) {
        Ok(url) => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{port}{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.path()
            )
        }
        Err(_) => "<not a URL>".to_string(),
    }
}

/// Whether `url`'s host is this machine.
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `https://host/`, `https://host/v3`, `https://host/v3/` → `https://host`.
/// A path prefix other than `/v3` (a proxy mount) is kept. Plain `http` is
/// refused for other hosts than this machine unless `allow_http`.
pub fn normalize_base_url(input: &str, allow_http: bool) -> Result<String, Error> {
    let shown = shown_url(input);
    let bad = |why: &str| Error::Config(format!("base URL `{shown}`: {why}"));
    let mut url = url::Url::parse(input.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    if url.scheme() == "http" && !allow_http && !is_loopback(&url) {
        return Err(bad(
            "plain http would send the token in clear text: use https, or allow it with \
             `.allow_insecure_http(true)`",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials do not belong in the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a query or fragment is not allowed"));
    }
    let path = url.path().trim_end_matches('/');
    let path = path
        .strip_suffix("/v3")
        .unwrap_or(path)
        .trim_end_matches('/')
        .to_string();
    url.set_path(&path);
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::normalize_base_url;

    #[test]
    fn base_url_forms() {
        for input in [
            "https://t.tapis.io",
            "https://t.tapis.io/",
            "https://t.tapis.io/v3",
            "https://t.tapis.io/v3/",
        ] {
            assert_eq!(
                normalize_base_url(input, false).unwrap(),
                "https://t.tapis.io",
                "{input}"
            );
        }
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/proxy/v3", false).unwrap(),
            "http://127.0.0.1:8080/proxy"
        );
        for bad in [
            "t.tapis.io",
            "ftp://t.tapis.io",
            "https://u:p@t.tapis.io",
            "https://t.tapis.io/?x=1",
            "",
        ] {
            assert!(normalize_base_url(bad, false).is_err(), "{bad}");
        }
        // Secrets in a refused URL are not echoed.
        for secret in [
            "http://u:PASSWORD@h.example",
            "https://h.example/?token=SECRET",
        ] {
            let e = normalize_base_url(secret, false).unwrap_err().to_string();
            assert!(!e.contains("PASSWORD") && !e.contains("SECRET"), "{e}");
        }
        // Plain http only to this machine, unless allowed.
        assert!(normalize_base_url("http://tacc.tapis.io", false).is_err());
        assert!(normalize_base_url("http://tacc.tapis.io", true).is_ok());
        for local in ["http://localhost:1", "http://127.0.0.2", "http://[::1]:8"] {
            assert!(normalize_base_url(local, false).is_ok(), "{local}");
        }
    }
}

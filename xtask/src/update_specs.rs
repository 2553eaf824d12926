//! `cargo xtask update-specs`: the only way specs enter `specs/`.
//!
//! Every candidate spec is normalised and generated in-process exactly as
//! build.rs does before anything is written; a spec that fails is reported
//! and its vendored file stays untouched. Files are written atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::manifest::{sha256_hex, Entry, Manifest, MANIFEST_FILE};
use tapis_codegen::spec::spec_file_name;
use tapis_codegen::SpecSet;

use crate::{date, workspace_root};

/// The prefix of spec files inside the tapipy wheel's `tapipy/resources/`.
const TAPIPY_PREFIX: &str = "openapi_v3-";

/// Writes one line of the report; a report that cannot be written (closed
/// stdout) does not stop the update.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let _ = writeln!($out, $($arg)*);
    }};
}

/// A spec fetched from a source, not yet vendored.
struct Candidate {
    text: String,
    source: String,
    version: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Candidate {
    fn new(text: String, source: String, version: &str) -> Self {
        Candidate {
            text,
            source,
            version: version.to_string(),
            etag: None,
            last_modified: None,
        }
    }
}

/// Where the update writes: `specs/` and the `Cargo.toml` that declares one
/// feature per service.
pub struct Workspace {
    pub root: PathBuf,
    pub specs: PathBuf,
    pub cargo_toml: PathBuf,
}

impl Workspace {
    /// The workspace rooted at `root` (`root/specs`, `root/Cargo.toml`).
    pub fn at(root: &Path) -> Self {
        Workspace {
            root: root.to_path_buf(),
            specs: root.join("specs"),
            cargo_toml: root.join("Cargo.toml"),
        }
    }
}

/// How long one download may take, unless `--timeout SECS` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(args: &[String]) -> Result<(), String> {
    run_in(
        &Workspace::at(&workspace_root()),
        args,
        &mut std::io::stdout(),
    )
}

/// `update-specs` against the given workspace (tests use scratch ones),
/// reporting to `out`.
pub fn run_in(ws: &Workspace, args: &[String], out: &mut dyn Write) -> Result<(), String> {
    if args.iter().any(|a| a == "--check") {
        if args.len() > 1 {
            return Err("--check takes no other argument".into());
        }
        let n = check(&ws.specs)?;
        say!(out, "{}: {n} specs match the manifest", ws.specs.display());
        return Ok(());
    }
    let mut pypi: Option<Option<String>> = None;
    let mut dir: Option<PathBuf> = None;
    let mut set: Option<String> = None;
    let mut specs: Vec<(String, String)> = Vec::new();
    let mut timeout = DEFAULT_TIMEOUT;
    let mut dry_run = false;
    let mut wanted = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--from-pypi" => {
                let version = it.next_if(|v| {
                    !v.starts_with('-') && v.chars().next().is_some_and(|c| c.is_ascii_digit())
                });
                pypi = Some(version.cloned());
            }
            "--from-dir" => {
                dir = Some(PathBuf::from(
                    it.next().ok_or("--from-dir needs a directory")?,
                ))
            }
            "--set" => set = Some(it.next().ok_or("--set needs a resource set name")?.clone()),
            "--spec" => {
                let arg = it
                    .next()
                    .ok_or("--spec needs NAME=URL or NAME=local:PATH")?;
                let (name, location) = arg
                    .split_once('=')
                    .ok_or_else(|| format!("--spec {arg}: expected NAME=URL or NAME=local:PATH"))?;
                tapis_codegen::check_service_name(name)
                    .map_err(|e| format!("--spec {arg}: {e}"))?;
                specs.push((name.to_string(), location.trim().to_string()));
            }
            "--timeout" => {
                let secs = it.next().ok_or("--timeout needs a number of seconds")?;
                let secs: f64 = secs
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or_else(|| format!("--timeout {secs}: not a positive number of seconds"))?;
                timeout = Duration::from_secs_f64(secs);
            }
            "--dry-run" => dry_run = true,
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => wanted.push(s.to_string()),
        }
    }
    if usize::from(pypi.is_some()) + usize::from(dir.is_some()) + usize::from(set.is_some()) > 1 {
        return Err("give at most one of --from-pypi, --from-dir and --set".into());
    }
    if pypi.is_none() && dir.is_none() && set.is_none() && specs.is_empty() {
        return Err(format!("no source given\n{}", crate::USAGE));
    }

    let mut candidates = BTreeMap::new();
    let mut failures = Vec::new();
    let mut urls: Vec<(String, String)> = Vec::new();
    // How each downloaded spec's source is recorded in the manifest.
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    if let Some(version) = pypi {
        let scratch = std::env::temp_dir().join(format!("tapis-xtask-{}", std::process::id()));
        let found = from_pypi(version.as_deref(), &scratch);
        let _ = std::fs::remove_dir_all(&scratch);
        candidates = found?;
    }
    if let Some(dir) = dir {
        candidates = from_dir(&dir, &dir.display().to_string(), "local")?;
    }
    if let Some(set) = &set {
        for (service, url) in crate::sources::resource_set(set)? {
            labels.insert(service.to_string(), format!("set:{set} {url}"));
            urls.push((service.to_string(), url.to_string()));
        }
    }
    let available: Vec<String> = candidates
        .keys()
        .cloned()
        .chain(urls.iter().map(|(s, _)| s.clone()))
        .collect();
    for w in &wanted {
        if !available.contains(w) && !specs.iter().any(|(s, _)| s == w) {
            return Err(format!("the source has no spec for service `{w}`"));
        }
    }
    if !wanted.is_empty() {
        candidates.retain(|name, _| wanted.contains(name));
        urls.retain(|(name, _)| wanted.contains(name));
    }
    // `--spec` entries come last: they override the set or directory.
    for (name, location) in specs {
        urls.retain(|(s, _)| *s != name);
        if let Some(path) = location.strip_prefix("local:") {
            let path = Path::new(path.trim());
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let source = format!("local:{}", path.display());
                    candidates.insert(name, Candidate::new(text, source, "local"));
                }
                Err(e) => failures.push(format!("{name} (local:{}): {e}", path.display())),
            }
        } else if location.starts_with("http://") || location.starts_with("https://") {
            candidates.remove(&name);
            labels.insert(name.clone(), location.clone());
            urls.push((name, location));
        } else {
            return Err(format!(
                "--spec {name}={location}: expected an http(s) URL or local:PATH"
            ));
        }
    }
    for (service, fetched) in crate::fetch::fetch_all(&urls, timeout) {
        match fetched {
            Ok(f) => {
                let version = f
                    .etag
                    .clone()
                    .or_else(|| f.last_modified.clone())
                    .unwrap_or_else(|| "unversioned".to_string());
                let source = labels.get(&service).cloned().unwrap_or_default();
                let mut c = Candidate::new(f.text, source, &version);
                c.etag = f.etag;
                c.last_modified = f.last_modified;
                candidates.insert(service, c);
            }
            Err(e) => failures.push(format!("{service}: {e}")),
        }
    }
    if candidates.is_empty() && failures.is_empty() {
        return Err("the source holds no specs".to_string());
    }
    apply(ws, candidates, failures, dry_run, out)
}

/// Offline check that `specs_dir` is what the manifest says: every vendored
/// spec is listed, every listed spec is vendored, and each file's sha256 is
/// the recorded one (a hand edit shows). Returns how many specs matched;
/// the error lists every problem.
pub fn check(specs_dir: &Path) -> Result<usize, String> {
    let manifest = Manifest::load(specs_dir)?;
    let set = SpecSet::load_dir(specs_dir).map_err(|e| e.to_string())?;
    let vendored: Vec<&str> = set.services().collect();
    let mut problems = Vec::new();
    for service in &vendored {
        if !manifest.services.contains_key(*service) {
            problems.push(format!("{service}: vendored but not in {MANIFEST_FILE}"));
        }
    }
    for (service, entry) in &manifest.services {
        let path = specs_dir.join(spec_file_name(service));
        match std::fs::read(&path) {
            Ok(bytes) => {
                let actual = sha256_hex(&bytes);
                if actual != entry.sha256 {
                    problems.push(format!(
                        "{service}: {} has sha256 {actual}, the manifest records {} \
                         (edited by hand? vendor it with `cargo xtask update-specs`)",
                        path.display(),
                        entry.sha256
                    ));
                }
            }
            Err(e) => problems.push(format!(
                "{service}: in {MANIFEST_FILE} but {}: {e}",
                path.display()
            )),
        }
    }
    if problems.is_empty() {
        Ok(manifest.services.len())
    } else {
        Err(format!(
            "specs do not match the manifest:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// Downloads the tapipy wheel with pip and reads the specs it bundles.
fn from_pypi(version: Option<&str>, scratch: &Path) -> Result<BTreeMap<String, Candidate>, String> {
    let requirement = match version {
        Some(v) => format!("tapipy=={v}"),
        None => "tapipy".to_string(),
    };
    let download = scratch.join("download");
    run_command(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
                "-d",
            ])
            .arg(&download)
            .arg(&requirement),
    )?;
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let wheel_name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    // tapipy-25.4.0-py3-none-any.whl → 25.4.0
    let version = wheel_name
        .split('-')
        .nth(1)
        .unwrap_or("unknown")
        .to_string();
    let unpacked = scratch.join("wheel");
    run_command(
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&wheel)
            .arg(&unpacked),
    )?;
    from_dir(
        &unpacked.join("tapipy").join("resources"),
        &format!("pypi:tapipy=={version} ({wheel_name}) tapipy/resources"),
        &version,
    )
}

/// Reads `<service>.yml` or `openapi_v3-<service>.yml` files from a directory.
fn from_dir(
    dir: &Path,
    source: &str,
    version: &str,
) -> Result<BTreeMap<String, Candidate>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = BTreeMap::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stem) = name
            .strip_suffix(".yml")
            .or_else(|| name.strip_suffix(".yaml"))
        else {
            continue;
        };
        let service = stem.strip_prefix(TAPIPY_PREFIX).unwrap_or(stem).to_string();
        if !service
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || service.is_empty()
        {
            continue;
        }
        let text = std::fs::read_to_string(entry.path())
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        out.insert(
            service,
            Candidate::new(text, format!("{source}/{name}"), version),
        );
    }
    Ok(out)
}

/// Validates every candidate by generating it, prints what each changes for
/// users, then (unless `dry_run`) writes the good ones and the manifest.
/// Fails (after writing the good ones) if any candidate failed.
fn apply(
    ws: &Workspace,
    candidates: BTreeMap<String, Candidate>,
    mut failures: Vec<String>,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<(), String> {
    let specs_dir = ws.specs.as_path();
    std::fs::create_dir_all(specs_dir).map_err(|e| e.to_string())?;
    // Validate against the vendored set overlaid with all candidates, since
    // one spec may refer to another (workflows → jobs).
    let mut set = SpecSet::load_dir(specs_dir).map_err(|e| e.to_string())?;
    let before: BTreeMap<String, serde_json::Value> = candidates
        .keys()
        .filter_map(|s| set.get(s).map(|v| (s.clone(), v.clone())))
        .collect();
    let mut parsed = BTreeMap::new();
    for (service, c) in &candidates {
        if !before.contains_key(service) {
            if let Err(e) = tapis_codegen::check_service_name(service) {
                failures.push(format!("{service} ({}): {e}", c.source));
                continue;
            }
        }
        match set.add_text(service, &c.source, &c.text) {
            Ok(()) => {
                parsed.insert(service.clone(), ());
            }
            Err(e) => failures.push(format!("{service} ({}): {e}", c.source)),
        }
    }
    let mut good = Vec::new();
    let mut code = BTreeMap::new();
    for service in parsed.keys() {
        match tapis_codegen::generate_service(service, &set) {
            Ok(g) => {
                say!(out, "{service}: ok, {} operations", g.operations.len());
                if let Some(new) = set.get(service) {
                    say!(out, "{}", crate::diff::diff(before.get(service), new));
                }
                good.push(service.clone());
                code.insert(service.clone(), g.code);
            }
            Err(e) => failures.push(format!("{service} ({}): {e}", candidates[service].source)),
        }
    }

    if dry_run {
        say!(out, "dry run: nothing written");
        return failed(&failures, "");
    }
    let mut manifest = Manifest::load(specs_dir)?;
    let today = date::today();
    for service in &good {
        let c = &candidates[service];
        let spec_version = set
            .get(service)
            .and_then(|s| s["info"]["version"].as_str().map(String::from))
            .unwrap_or_default();
        write_atomic(&specs_dir.join(spec_file_name(service)), c.text.as_bytes())?;
        manifest.services.insert(
            service.clone(),
            Entry {
                source: c.source.clone(),
                version: c.version.clone(),
                sha256: sha256_hex(c.text.as_bytes()),
                date: today.clone(),
                spec_version,
                etag: c.etag.clone(),
                last_modified: c.last_modified.clone(),
            },
        );
        if !before.contains_key(service)
            && crate::features::ensure_service(&ws.root, service, &code[service])?
        {
            say!(
                out,
                "{service}: new service; created its crate src/services/{service}/ and declared \
                 cargo feature `{service}` (on by default) in {}",
                ws.cargo_toml.display()
            );
        }
    }
    if !good.is_empty() {
        write_atomic(
            &specs_dir.join(MANIFEST_FILE),
            manifest.to_json().as_bytes(),
        )?;
    }
    say!(
        out,
        "vendored {} spec(s) into {}",
        good.len(),
        specs_dir.display()
    );
    failed(&failures, " and were not written")
}

/// `Ok` if nothing failed, else one error listing every failure.
fn failed(failures: &[String], consequence: &str) -> Result<(), String> {
    if failures.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} spec(s) failed{consequence}:\n  {}",
        failures.len(),
        failures.join("\n  ")
    ))
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}

fn run_command(cmd: &mut Command) -> Result<(), String> {
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    /// A fresh scratch directory under the system temp dir, removed when
    /// dropped.
    struct Scratch(PathBuf);

    impl std::ops::Deref for Scratch {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn scratch(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("tapis-xtask-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A scratch workspace: `specs/` holding the given vendored services
    /// (with their manifest entries) and copies of the real `Cargo.toml` and
    /// `specs/Cargo.toml`.
    fn workspace(name: &str, services: &[&str]) -> (Scratch, Workspace) {
        let dir = scratch(name);
        let ws = Workspace::at(&dir);
        std::fs::create_dir_all(&ws.specs).unwrap();
        std::fs::copy(workspace_root().join("Cargo.toml"), &ws.cargo_toml).unwrap();
        std::fs::copy(
            workspace_root().join("specs/Cargo.toml"),
            ws.specs.join("Cargo.toml"),
        )
        .unwrap();
        let mut manifest = Manifest::load(&workspace_root().join("specs")).unwrap();
        manifest
            .services
            .retain(|s, _| services.contains(&s.as_str()));
        for service in services {
            std::fs::write(ws.specs.join(spec_file_name(service)), vendored(service)).unwrap();
        }
        std::fs::write(ws.specs.join(MANIFEST_FILE), manifest.to_json()).unwrap();
        (dir, ws)
    }

    fn vendored(service: &str) -> String {
        std::fs::read_to_string(workspace_root().join("specs").join(spec_file_name(service)))
            .unwrap()
    }

    fn greetings_spec() -> String {
        std::fs::read_to_string(workspace_root().join("tests/fixtures/extra-specs/greetings.yml"))
            .unwrap()
    }

    /// Runs `update-specs ARGS` against `ws`; returns the report and result.
    fn update(ws: &Workspace, args: &[&str]) -> (String, Result<(), String>) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let mut out = Vec::new();
        let result = run_in(ws, &args, &mut out);
        (String::from_utf8(out).unwrap(), result)
    }

    /// Everything in `ws` that an update may write, to compare before/after.
    fn snapshot(ws: &Workspace) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(&ws.specs)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let text = std::fs::read_to_string(&p).unwrap();
                (p.display().to_string(), text)
            })
            .collect();
        files.push((
            "Cargo.toml".into(),
            std::fs::read_to_string(&ws.cargo_toml).unwrap(),
        ));
        files.sort();
        files
    }

    /// A spec server on 127.0.0.1: `GET /<name>` answers the route's status
    /// and body with an ETag and a Last-Modified; unknown paths are 404;
    /// `/stall` reads the request and never answers. Returns the base URL.
    fn serve(routes: Vec<(&'static str, u16, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let routes = routes.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request_line = String::new();
                    let _ = reader.read_line(&mut request_line);
                    let mut header = String::new();
                    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                        header.clear();
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                    if path == "/stall" {
                        std::thread::sleep(Duration::from_secs(30));
                        return;
                    }
                    let (status, body) = routes
                        .iter()
                        .find(|(p, _, _)| *p == path)
                        .map_or((404, "no such spec".to_string()), |(_, s, b)| {
                            (*s, b.clone())
                        });
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nETag: \"v-{}\"\r\n\
                         Last-Modified: Mon, 16 Nov 2026 10:00:00 GMT\r\nConnection: close\r\n\r\n{body}",
                        body.len(),
                        &sha256_hex(body.as_bytes())[..8],
                    );
                });
            }
        });
        base
    }

    #[test]
    fn vendored_specs_match_the_manifest() {
        let n = check(&workspace_root().join("specs")).unwrap();
        assert_eq!(
            n,
            SpecSet::load_dir(&workspace_root().join("specs"))
                .unwrap()
                .services()
                .count()
        );
    }

    #[test]
    fn check_finds_hand_edits_and_unlisted_or_missing_specs() {
        let specs = scratch("check");
        let source = workspace_root().join("specs");
        for name in [MANIFEST_FILE, "tokens.yml", "meta.yml"] {
            std::fs::copy(source.join(name), specs.join(name)).unwrap();
        }
        // The manifest lists 16 services; only two are here.
        let err = check(&specs).unwrap_err();
        assert!(err.contains("systems: in manifest.json but"), "{err}");
        // A hand edit and an unlisted file.
        let edited = vendored("tokens").replacen("title:", "title: edited", 1);
        std::fs::write(specs.join("tokens.yml"), edited).unwrap();
        std::fs::write(specs.join("extra.yml"), vendored("meta")).unwrap();
        let err = check(&specs).unwrap_err();
        assert!(
            err.contains("tokens: ") && err.contains("edited by hand"),
            "{err}"
        );
        assert!(
            err.contains("extra: vendored but not in manifest.json"),
            "{err}"
        );
        assert!(!err.contains("meta: "), "meta is intact: {err}");
    }

    #[test]
    fn from_dir_vendors_valid_specs_with_provenance() {
        let source = scratch("source-ok");
        let (_dir, ws) = workspace("ws-dir", &[]);
        let text = vendored("tokens");
        std::fs::write(source.join("openapi_v3-tokens.yml"), &text).unwrap();
        let (_, result) = update(&ws, &["--from-dir", &source.display().to_string()]);
        result.unwrap();

        assert_eq!(
            std::fs::read_to_string(ws.specs.join("tokens.yml")).unwrap(),
            text
        );
        let entry = &Manifest::load(&ws.specs).unwrap().services["tokens"];
        assert_eq!(entry.sha256, sha256_hex(text.as_bytes()));
        assert_eq!(
            entry.source,
            format!("{}/openapi_v3-tokens.yml", source.display())
        );
        assert_eq!(entry.date.len(), 10);
        check(&ws.specs).unwrap();
    }

    #[test]
    fn a_good_update_over_http_records_provenance_and_reports_the_diff() {
        let (_dir, ws) = workspace("ws-good", &["tokens", "meta"]);
        // Upstream added an operation and a parameter to tokens.
        let old = vendored("tokens");
        let new = old.replacen(
            "\npaths:\n",
            "\npaths:\n  /v3/tokens/ping:\n    get:\n      operationId: ping\n      \
             responses:\n        '200':\n          description: pong\n",
            1,
        );
        assert_ne!(new, old);
        let base = serve(vec![("/tokens.yml", 200, new.clone())]);
        let url = format!("{base}/tokens.yml");
        let (report, result) = update(&ws, &["--spec", &format!("tokens={url}")]);
        result.unwrap();

        assert_eq!(
            std::fs::read_to_string(ws.specs.join("tokens.yml")).unwrap(),
            new
        );
        assert_eq!(
            std::fs::read_to_string(ws.specs.join("meta.yml")).unwrap(),
            vendored("meta")
        );
        let manifest = Manifest::load(&ws.specs).unwrap();
        let entry = &manifest.services["tokens"];
        let etag = format!("\"v-{}\"", &sha256_hex(new.as_bytes())[..8]);
        assert_eq!(entry.source, url);
        assert_eq!(entry.etag.as_deref(), Some(etag.as_str()));
        assert_eq!(entry.version, etag);
        assert_eq!(
            entry.last_modified.as_deref(),
            Some("Mon, 16 Nov 2026 10:00:00 GMT")
        );
        assert_eq!(entry.sha256, sha256_hex(new.as_bytes()));
        // meta's entry is kept as it was.
        assert_eq!(
            manifest.services["meta"],
            Manifest::load(&workspace_root().join("specs"))
                .unwrap()
                .services["meta"]
        );
        assert!(report.contains("tokens: ok"), "{report}");
        assert!(report.contains("+ operations: ping"), "{report}");
        check(&ws.specs).unwrap();
    }

    #[test]
    fn download_failures_name_the_url_and_leave_specs_untouched() {
        let (_dir, ws) = workspace("ws-fail", &["tokens"]);
        let good = vendored("tokens");
        let multipart = good.replacen(
            "\n        content:\n          application/json:",
            "\n        content:\n          multipart/form-data:",
            1,
        );
        let base = serve(vec![
            (
                "/bad.yml",
                200,
                "openapi: 3.0.3\npaths: [unclosed".to_string(),
            ),
            ("/multipart.yml", 200, multipart),
            ("/error.yml", 503, "upstream is down".to_string()),
        ]);
        let before = snapshot(&ws);
        for (path, expected) in [
            ("/missing.yml", format!("GET {base}/missing.yml: HTTP 404")),
            ("/error.yml", format!("GET {base}/error.yml: HTTP 503")),
            ("/stall", format!("GET {base}/stall: timed out after 1s")),
            ("/bad.yml", format!("tokens ({base}/bad.yml): ")),
            ("/multipart.yml", format!("tokens ({base}/multipart.yml): ")),
        ] {
            let spec = format!("tokens={base}{path}");
            let (_, result) = update(&ws, &["--timeout", "1", "--spec", &spec]);
            let err = result.unwrap_err();
            assert!(err.contains(&expected), "{path}: {err}");
            assert!(err.contains("1 spec(s) failed"), "{path}: {err}");
            assert_eq!(snapshot(&ws), before, "{path}");
        }
        // The multipart one is rejected by generation, naming the construct.
        let (_, result) = update(&ws, &["--spec", &format!("tokens={base}/multipart.yml")]);
        assert!(result.unwrap_err().contains("multipart"));
        // A dry run validates and writes nothing either.
        let changed = good.replacen("title:", "title: changed", 1);
        let base = serve(vec![("/tokens.yml", 200, changed)]);
        let (report, result) = update(
            &ws,
            &["--dry-run", "--spec", &format!("tokens={base}/tokens.yml")],
        );
        result.unwrap();
        assert!(report.contains("dry run: nothing written"), "{report}");
        assert_eq!(snapshot(&ws), before);
    }

    #[test]
    fn parallel_downloads_write_the_good_and_report_the_bad() {
        let (_dir, ws) = workspace("ws-partial", &["tokens", "meta"]);
        let tokens = vendored("tokens").replacen("title:", "title: newer", 1);
        let base = serve(vec![("/tokens.yml", 200, tokens.clone())]);
        let (_, result) = update(
            &ws,
            &[
                "--spec",
                &format!("tokens={base}/tokens.yml"),
                "--spec",
                &format!("meta={base}/gone.yml"),
            ],
        );
        let err = result.unwrap_err();
        assert!(
            err.contains(&format!("meta: GET {base}/gone.yml: HTTP 404")),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(ws.specs.join("tokens.yml")).unwrap(),
            tokens
        );
        assert_eq!(
            std::fs::read_to_string(ws.specs.join("meta.yml")).unwrap(),
            vendored("meta")
        );
        check(&ws.specs).unwrap();
    }

    #[test]
    fn a_new_service_by_spec_gets_a_file_a_manifest_entry_a_feature_and_a_crate() {
        let (_dir, ws) = workspace("ws-new", &["tokens"]);
        let base = serve(vec![("/greetings.yml", 200, greetings_spec())]);
        let (report, result) = update(&ws, &["--spec", &format!("greetings={base}/greetings.yml")]);
        result.unwrap();
        assert_eq!(
            std::fs::read_to_string(ws.specs.join("greetings.yml")).unwrap(),
            greetings_spec()
        );
        let manifest = Manifest::load(&ws.specs).unwrap();
        assert_eq!(manifest.services["greetings"].spec_version, "0.1.0");
        let cargo = std::fs::read_to_string(&ws.cargo_toml).unwrap();
        assert!(cargo.contains("\n    \"greetings\",\n]"), "{cargo}");
        assert!(
            cargo.contains(
                "\ngreetings = [\"dep:tapis-api-greetings\", \"tapis-specs/greetings\"]\n"
            ),
            "{cargo}"
        );
        assert!(
            cargo.contains("\"tapis-api-greetings?/blocking\"]"),
            "{cargo}"
        );
        assert!(cargo.contains(
            "\ntapis-api-greetings = { path = \"src/services/greetings\", version = \"0.1.0\", optional = true }\n"
        ));
        let specs_cargo = std::fs::read_to_string(ws.specs.join("Cargo.toml")).unwrap();
        assert!(specs_cargo.contains("\ngreetings = []\n"), "{specs_cargo}");
        let krate = ws.root.join("src/services/greetings");
        let manifest_text = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
        assert!(
            manifest_text.contains("name = \"tapis-api-greetings\""),
            "{manifest_text}"
        );
        assert!(
            manifest_text.contains("features = [\"greetings\"]"),
            "{manifest_text}"
        );
        assert!(
            manifest_text.contains("\nserde.workspace = true\n"),
            "{manifest_text}"
        );
        let lib = std::fs::read_to_string(krate.join("lib.rs")).unwrap();
        assert!(lib.contains("tapis_specs::service!(greetings);"), "{lib}");
        assert!(
            report.contains("new service; created its crate src/services/greetings/"),
            "{report}"
        );
        assert!(
            report.contains("+ operations: createGreeting, getGreeting"),
            "{report}"
        );
        check(&ws.specs).unwrap();

        // From a local file too; a second update leaves Cargo.toml alone.
        let local = workspace_root().join("tests/fixtures/extra-specs/greetings.yml");
        let (_, result) = update(
            &ws,
            &["--spec", &format!("greetings=local:{}", local.display())],
        );
        result.unwrap();
        assert_eq!(std::fs::read_to_string(&ws.cargo_toml).unwrap(), cargo);
        assert_eq!(
            Manifest::load(&ws.specs).unwrap().services["greetings"].source,
            format!("local:{}", local.display())
        );
    }

    #[test]
    fn bad_arguments_are_refused_before_anything_is_fetched() {
        let (_dir, ws) = workspace("ws-args", &["tokens"]);
        for (args, expected) in [
            (
                vec!["--spec", "auth=local:/x.yml"],
                "taken by the tapis crate",
            ),
            (vec!["--spec", "Systems=local:/x.yml"], "not a service name"),
            (vec!["--spec", "tokens"], "expected NAME=URL"),
            (
                vec!["--spec", "tokens=ftp://x/y.yml"],
                "expected an http(s) URL or local:PATH",
            ),
            (vec!["--set", "qa"], "unknown resource set `qa`"),
            (vec!["--set", "prod", "--from-dir", "x"], "at most one of"),
            (
                vec!["--timeout", "0", "--set", "prod"],
                "not a positive number",
            ),
            (vec![], "no source given"),
        ] {
            let (_, result) = update(&ws, &args);
            let err = result.unwrap_err();
            assert!(err.contains(expected), "{args:?}: {err}");
        }
        let (_, result) = update(&ws, &["--spec", "tokens=local:/no/such/file.yml"]);
        assert!(result
            .unwrap_err()
            .contains("tokens (local:/no/such/file.yml)"));
    }
}

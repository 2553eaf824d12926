//! "Hello, Tapis": who am I, my systems, a directory listing, a file download
//! and my jobs.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `TAPIS_BASE_URL` and `TAPIS_TOKEN` set it talks to that tenant
//! (set `TAPIS_SYSTEM_ID` and optionally `TAPIS_PATH` to list and download
//! files too). Otherwise it starts a small local Tapis on 127.0.0.1 first, so
//! it always runs, with no account.

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    let (base_url, token, _local) = match (
        std::env::var("TAPIS_BASE_URL"),
        std::env::var("TAPIS_TOKEN"),
    ) {
        (Ok(url), Ok(token)) => (url, token, None),
        _ => {
            let local = local::start().await;
            println!(
                "No TAPIS_BASE_URL/TAPIS_TOKEN set: using a local Tapis at {}",
                local.uri()
            );
            (local.uri(), local::TOKEN.to_string(), Some(local))
        }
    };
    let system_id = std::env::var("TAPIS_SYSTEM_ID").unwrap_or_else(|_| "hello-system".into());
    let path = std::env::var("TAPIS_PATH").unwrap_or_else(|_| "/home/hello".into());

    let t = tapis::Tapis::builder(&base_url)
        .access_token(token)
        .build()?;
    println!("Connected to {}", t.base_url());

    // Who am I? `into_result()` unwraps the Tapis envelope.
    let me = t
        .authenticator()
        .get_userinfo()
        .send()
        .await?
        .into_result()?;
    let username = me.username.unwrap_or_else(|| "?".into());
    println!("Hello, {username}!");

    // My enabled systems: Tapis search filters go in as extra query
    // parameters; the tracking id ties the call to this run in Tapis logs.
    let (systems, paging) = t
        .systems()
        .get_systems()
        .limit(5)
        .compute_total(true)
        .tapis_query("enabled.eq", true)
        .tracking_id("quickstart.run-1")
        .send()
        .await?
        .into_result_with_metadata()?;
    let total = paging.total_count.unwrap_or(0);
    println!("Systems ({total} in total):");
    for system in systems {
        let id = system.id.map(|i| i.to_string()).unwrap_or_default();
        let host = system.host.map(|h| h.to_string()).unwrap_or_default();
        let kind = system
            .system_type
            .map(|k| k.to_string())
            .unwrap_or_default();
        println!("  - {id} ({kind}) on {host}");
    }

    // A directory listing and a download; the `/` in the path stays a separator.
    if std::env::var("TAPIS_BASE_URL").is_err() || std::env::var("TAPIS_SYSTEM_ID").is_ok() {
        let listing = t
            .files()
            .list_files()
            .system_id(&system_id)
            .path(&path)
            .limit(20)
            .send()
            .await?;
        println!("Files in {system_id}:{path}:");
        let mut first_file = None;
        for f in listing.into_optional_result().unwrap_or_default() {
            let name = f.name.unwrap_or_default();
            println!("  {:>8} bytes  {name}", f.size.unwrap_or(0));
            if first_file.is_none() && f.type_.map(|k| k.to_string()).as_deref() == Some("file") {
                first_file = f.path;
            }
        }
        if let Some(file) = first_file {
            // Streamed to a file that appears only once complete.
            let dest = std::env::temp_dir().join("tapis-quickstart-download");
            t.files()
                .get_contents()
                .system_id(&system_id)
                .path(&file)
                .to_file(&dest)
                .await?;
            let bytes = std::fs::read(&dest)?;
            std::fs::remove_file(&dest)?;
            println!(
                "Downloaded {file} ({} bytes): {:?}",
                bytes.len(),
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    // My most recent jobs.
    let jobs = t
        .jobs()
        .get_job_list()
        .limit(3)
        .order_by("created(desc)")
        .send()
        .await?
        .into_optional_result()
        .unwrap_or_default();
    println!("Recent jobs:");
    for job in jobs {
        let status = job.status.map(|s| s.to_string()).unwrap_or_default();
        println!(
            "  {} {} {status}",
            job.uuid.unwrap_or_default(),
            job.name.unwrap_or_default()
        );
    }
    println!("Done.");
    Ok(())
}

/// A small local Tapis (wiremock on 127.0.0.1) answering the calls above.
/// A richer embedded server arrives with `tapis::testing`.
mod local {
    use serde_json::{json, Value};
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// An unsigned JWT for user `hello` (the local server does not check
    /// signatures), expiring in 2100.
    pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6ImhlbGxvQGxvY2FsIiwidGFwaXMvdGVuYW50X2lkIjoibG9jYWwiLCJ0YXBpcy91c2VybmFtZSI6ImhlbGxvIiwidGFwaXMvdG9rZW5fdHlwZSI6ImFjY2VzcyJ9.bG9jYWw";

    fn ok(result: Value, metadata: Value) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "status": "success", "message": "ok", "version": "local", "result": result, "metadata": metadata
        }))
    }

    pub async fn start() -> MockServer {
        let server = MockServer::start().await;
        let routes = [
            (
                "/v3/oauth2/userinfo",
                ok(
                    json!({"username": "hello", "email": "hello@example.org"}),
                    json!({}),
                ),
            ),
            (
                "/v3/systems",
                ok(
                    json!([{"id": "hello-system", "systemType": "LINUX", "host": "login.example.org",
                            "defaultAuthnMethod": "PKI_KEYS", "canExec": true}]),
                    json!({"totalCount": 1, "recordCount": 1}),
                ),
            ),
            (
                "/v3/files/ops/hello-system/home/hello",
                ok(
                    json!([{"name": "hello.txt", "path": "home/hello/hello.txt", "size": 14, "type": "file"},
                           {"name": "data", "path": "home/hello/data", "size": 4096, "type": "dir"}]),
                    json!({}),
                ),
            ),
            (
                "/v3/jobs/list",
                ok(
                    json!([{"uuid": "1a2b-007", "name": "hello-job", "status": "FINISHED"}]),
                    json!({}),
                ),
            ),
        ];
        for (route, response) in routes {
            Mock::given(method("GET"))
                .and(path(route))
                .and(header("x-tapis-token", TOKEN))
                .respond_with(response)
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/v3/files/content/hello-system/home/hello/hello.txt"))
            .and(header("x-tapis-token", TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw("Hello, Tapis!\n", "application/octet-stream"),
            )
            .mount(&server)
            .await;
        server
    }
}

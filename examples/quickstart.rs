//! "Hello, Tapis": log in, see who you are, create a system, upload a file,
//! list its directory, download it back, run a job and wait for it.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no environment it starts a Tapis of its own on 127.0.0.1
//! (`tapis::testing::TestServer`), so it runs anywhere, with no account.
//! To run the same session against a tenant, set `TAPIS_BASE_URL`,
//! `TAPIS_USERNAME` and `TAPIS_PASSWORD` (and `TAPIS_CLIENT_ID` /
//! `TAPIS_CLIENT_KEY` if your tenant wants them). It then creates a system
//! on `TAPIS_SYSTEM_HOST`, unless `TAPIS_SYSTEM_ID` names one you can
//! write to, and an app, unless `TAPIS_APP_ID` and `TAPIS_APP_VERSION` name
//! one you can run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tapis::testing::TestServer;
use tapis::{Progress, Tapis};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The size of the file the session uploads and downloads.
const FILE_SIZE: usize = 3 * 1024 * 1024;

#[tokio::main]
async fn main() -> Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());

    // Where to connect: a tenant from the environment, or a local Tapis.
    let mut local = None;
    let t = match env("TAPIS_BASE_URL") {
        Some(url) => {
            let mut builder = Tapis::builder(url)
                .username(env("TAPIS_USERNAME").ok_or("TAPIS_USERNAME is not set")?)
                .password(env("TAPIS_PASSWORD").ok_or("TAPIS_PASSWORD is not set")?);
            if let (Some(id), Some(key)) = (env("TAPIS_CLIENT_ID"), env("TAPIS_CLIENT_KEY")) {
                builder = builder.client_id(id).client_key(key);
            }
            builder.build()?
        }
        None => {
            let server = TestServer::start().await?;
            println!(
                "No TAPIS_BASE_URL set: started a local Tapis at {}",
                server.url()
            );
            let t = Tapis::builder(server.url())
                .username(TestServer::USERNAME)
                .password(TestServer::PASSWORD)
                .build()?;
            local = Some(server);
            t
        }
    };
    // A local Tapis runs jobs in a blink; a real one takes its time.
    let poll = if local.is_some() { 200 } else { 5000 };

    // 1. Log in (on the first call) and ask who we are.
    let me = t.authenticator().get_userinfo().send().await?.into_result();
    let username = me.username.unwrap_or_default();
    println!("1. Logged in as {username}");

    // 2. A system to hold files and run jobs.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let system_id = match env("TAPIS_SYSTEM_ID") {
        Some(id) => {
            println!("2. Using system {id}");
            id
        }
        None => {
            let id = format!("quickstart-{run}");
            let host = env("TAPIS_SYSTEM_HOST").unwrap_or_else(|| "login.example.org".into());
            t.systems()
                .create_system()
                .body_map(|system| {
                    system
                        .id(id.clone())
                        .system_type(tapis::systems::types::SystemTypeEnum::Linux)
                        .host(host.clone())
                        .default_authn_method(tapis::systems::types::AuthnEnum::PkiKeys)
                        .can_exec(true)
                })
                .send()
                .await?;
            println!("2. Created system {id} on {host}");
            id
        }
    };

    // 3. Upload a file, streamed from disk, with progress.
    let content: Vec<u8> = b"Hello, Tapis!\n"
        .iter()
        .copied()
        .cycle()
        .take(FILE_SIZE)
        .collect();
    let source = std::env::temp_dir().join(format!("tapis-quickstart-{run}-up.txt"));
    std::fs::write(&source, &content)?;
    let path = format!("quickstart-{run}/hello.txt");
    println!(
        "3. Uploading {} to {system_id}:/{path}",
        human(FILE_SIZE as u64)
    );
    let uploaded = t
        .files()
        .insert()
        .system_id(&system_id)
        .path(&path)
        .file(&source)
        .progress(progress_printer("upload"))
        .send()
        .await;
    std::fs::remove_file(&source)?;
    uploaded?;

    // 4. List the directory it went to.
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
    let listing = t
        .files()
        .list_files()
        .system_id(&system_id)
        .path(dir)
        .send()
        .await?
        .into_result();
    println!(
        "4. {system_id}:/{dir} holds {} entr{}:",
        listing.len(),
        if listing.len() == 1 { "y" } else { "ies" }
    );
    for entry in &listing {
        let kind = entry
            .type_
            .as_ref()
            .map(|k| k.to_string())
            .unwrap_or_default();
        let name = entry.name.clone().unwrap_or_default();
        println!(
            "     {kind:<4} {:>10}  {name}",
            human(entry.size.unwrap_or(0) as u64)
        );
    }

    // 5. Download it back to a file (which appears only once complete).
    let dest = std::env::temp_dir().join(format!("tapis-quickstart-{run}-down.txt"));
    println!("5. Downloading {system_id}:/{path}");
    let bytes = t
        .files()
        .get_contents()
        .system_id(&system_id)
        .path(&path)
        .send()
        .await?
        .into_inner()
        .progress(progress_printer("download"))
        .to_file(&dest)
        .await?;
    let same = std::fs::read(&dest)? == content;
    std::fs::remove_file(&dest)?;
    println!(
        "   got {} back: {}",
        human(bytes),
        if same {
            "identical to what was sent"
        } else {
            "DIFFERENT from what was sent"
        }
    );
    if !same {
        return Err("the downloaded file differs from the uploaded one".into());
    }

    // 6. Run a job and wait for it to finish.
    let (app_id, app_version) = match (env("TAPIS_APP_ID"), env("TAPIS_APP_VERSION")) {
        (Some(id), Some(version)) => (id, version),
        _ => {
            let (id, version) = ("quickstart-hello".to_string(), format!("0.{run}"));
            t.apps()
                .create_app_version()
                .body_map(|app| {
                    app.id(id.clone())
                        .version(version.clone())
                        .container_image("docker.io/library/hello-world:latest".to_string())
                        .job_type(tapis::apps::types::JobTypeEnum::Fork)
                })
                .send()
                .await?;
            println!("6. Created app {id} {version}");
            (id, version)
        }
    };
    let job = t
        .jobs()
        .submit_job()
        .body_map(|job| {
            job.name("hello-job")
                .app_id(app_id.clone())
                .app_version(app_version.clone())
                .exec_system_id(system_id.clone())
        })
        .send()
        .await?
        .into_result();
    let uuid = job.uuid.unwrap_or_default();
    println!("   Submitted job {uuid}");
    let done = t
        .jobs()
        .wait(&uuid)
        .poll_interval(Duration::from_millis(poll))
        .max_wait(Duration::from_secs(3600))
        .on_status(|status| println!("     status: {status}"))
        .send()
        .await?;
    let status = done.status.map(|s| s.to_string()).unwrap_or_default();
    println!("   Job {uuid} ended {status}");

    // 7. Tidy up the files this run made.
    t.files()
        .delete()
        .system_id(&system_id)
        .path(dir)
        .send()
        .await?;
    println!("7. Removed {system_id}:/{dir}");
    println!(
        "Done: {username} logged in, moved {} each way, ran a job.",
        human(FILE_SIZE as u64)
    );
    drop(local);
    Ok(())
}

/// A progress callback printing a line at every quarter of the transfer.
fn progress_printer(what: &'static str) -> impl Fn(Progress) + Send + Sync + 'static {
    let printed = AtomicU64::new(0);
    move |p: Progress| {
        let Some(total) = p.total.filter(|t| *t > 0) else {
            return;
        };
        let quarter = p.done * 4 / total;
        if quarter > printed.load(Ordering::Relaxed) {
            printed.store(quarter, Ordering::Relaxed);
            println!(
                "   {what:<8} {:>3}%  {} of {}",
                p.done * 100 / total,
                human(p.done),
                human(total)
            );
        }
    }
}

/// `3145728` → `3.0 MiB`.
fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

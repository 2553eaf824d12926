//! `TAPIS_EXTRA_SPECS` end to end: a crate outside this workspace depends on
//! `tapis` with the variable pointing at a spec that is not part of Tapis,
//! calls the generated `t.extra().greetings()` against a server on
//! 127.0.0.1 and prints what it got. Changing the spec rebuilds the module.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The user's program before the spec changes: one generated call.
const MAIN_V1: &str = r#"
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tapis::Error> {
    let base = std::env::args().nth(1).expect("base URL");
    let token = std::env::args().nth(2).expect("token");
    let t = tapis::Tapis::builder(&base).access_token(token).build()?;
    let greeting: tapis::extra::greetings::types::Greeting = t
        .extra()
        .greetings()
        .get_greeting()
        .name("ada")
        .lang("en")
        .send()
        .await?
        .into_result();
    println!("{} -> {}", greeting.name, greeting.text);
    Ok(())
}
"#;

/// After the spec gained `countGreetings`: this only compiles if cargo
/// regenerated the module.
const MAIN_V2: &str = r#"
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tapis::Error> {
    let base = std::env::args().nth(1).expect("base URL");
    let token = std::env::args().nth(2).expect("token");
    let t = tapis::Tapis::builder(&base).access_token(token).build()?;
    let created = t
        .extra()
        .greetings()
        .create_greeting()
        .body(tapis::extra::greetings::types::Greeting {
            name: "grace".into(),
            text: "hi grace".into(),
            extra: Default::default(),
        })
        .send()
        .await?
        .into_result();
    let count = t.extra().greetings().count_greetings().send().await?.into_result();
    println!("{} -> {}; {count} greetings", created.name, created.text);
    Ok(())
}
"#;

const COUNT_OPERATION: &str = "
  /v3/greetings/count:
    get:
      operationId: countGreetings
      responses:
        '200':
          description: How many greetings there are.
          content:
            application/json:
              schema:
                type: object
                properties:
                  status:
                    type: string
                  result:
                    type: integer
";

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo run` of the user crate in `dir` with `TAPIS_EXTRA_SPECS=specs`.
fn cargo_run(dir: &Path, specs: &Path, args: &[&str]) -> std::process::Output {
    // A target directory of its own: the one running this test is locked
    // by the cargo that runs it.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("extra-specs-user");
    Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--"])
        .args(args)
        .current_dir(dir)
        .env("TAPIS_EXTRA_SPECS", specs)
        .env("CARGO_TARGET_DIR", target)
        // Smaller, faster builds: the test needs no debug info.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// The program's stdout, panicking with cargo's stderr if it failed.
fn stdout(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "cargo run failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_spec_becomes_a_typed_module_that_a_crate_calls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/greetings/ada"))
        .and(query_param("lang", "en"))
        .and(header("X-Tapis-Token", common::TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "success", "message": "ok", "version": "0.1.0",
            "result": {"name": "ada", "text": "hello ada"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/greetings"))
        .and(body_json(json!({"name": "grace", "text": "hi grace"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "status": "success", "result": {"name": "grace", "text": "hi grace"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/greetings/count"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"status": "success", "result": 2})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let dir = common::scratch_dir("extra-specs-user");
    let specs = dir.0.join("specs");
    std::fs::create_dir_all(dir.0.join("src")).unwrap();
    std::fs::create_dir_all(&specs).unwrap();
    let spec =
        std::fs::read_to_string(workspace_root().join("tests/fixtures/extra-specs/greetings.yml"))
            .unwrap();
    std::fs::write(specs.join("greetings.yml"), &spec).unwrap();
    std::fs::write(
        dir.0.join("Cargo.toml"),
        format!(
            "[package]\nname = \"extra-specs-user\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\ntapis = {{ path = {:?}, default-features = false }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt\"] }}\n\n[workspace]\n",
            workspace_root().display().to_string()
        ),
    )
    .unwrap();
    // The workspace's lock file pins the same versions and lets cargo work offline.
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        dir.0.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(dir.0.join("src/main.rs"), MAIN_V1).unwrap();

    let uri = server.uri();
    let (dir_path, specs_path) = (dir.0.clone(), specs.clone());
    let out = tokio::task::spawn_blocking(move || {
        cargo_run(&dir_path, &specs_path, &[&uri, common::TOKEN])
    })
    .await
    .unwrap();
    assert_eq!(stdout(out), "ada -> hello ada\n");

    // The spec gains an operation: cargo must regenerate the module.
    let grown = spec.replacen("\npaths:\n", &format!("\npaths:{COUNT_OPERATION}"), 1);
    assert_ne!(grown, spec);
    std::fs::write(specs.join("greetings.yml"), grown).unwrap();
    std::fs::write(dir.0.join("src/main.rs"), MAIN_V2).unwrap();
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        let grown = cargo_run(&dir.0, &specs, &[&uri, common::TOKEN]);
        // A relative path would resolve against the tapis package, not the
        // user's crate: the build says so instead.
        let relative = cargo_run(&dir.0, Path::new("specs"), &[&uri, common::TOKEN]);
        (grown, relative)
    })
    .await
    .unwrap();
    assert_eq!(stdout(out.0), "grace -> hi grace; 2 greetings\n");
    let stderr = String::from_utf8_lossy(&out.1.stderr);
    assert!(!out.1.status.success());
    assert!(
        stderr.contains("TAPIS_EXTRA_SPECS=specs: give an absolute path"),
        "{stderr}"
    );
}

//! The README's main command, `cargo run --example quickstart`, run as a
//! newcomer would (no TAPIS_* environment): it must start its own Tapis and
//! complete the whole session.

use std::process::Command;

#[test]
fn quickstart_runs_a_whole_session_against_the_test_server() {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["run", "--quiet", "--example", "quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TAPIS_") {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "quickstart failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected_in_order = [
        "started a local Tapis at http://127.0.0.1:",
        "1. Logged in as testuser",
        "2. Created system quickstart-",
        "3. Uploading 3.0 MiB to quickstart-",
        "upload   100%  3.0 MiB of 3.0 MiB",
        "holds 1 entry:",
        "file    3.0 MiB  hello.txt",
        "download 100%  3.0 MiB of 3.0 MiB",
        "got 3.0 MiB back: identical to what was sent",
        "6. Created app quickstart-hello",
        "Submitted job ",
        "status: PENDING",
        "status: RUNNING",
        "status: FINISHED",
        "ended FINISHED",
        "7. Removed quickstart-",
        "Done: testuser logged in, moved 3.0 MiB each way, ran a job.",
    ];
    let mut rest = stdout.as_ref();
    for expected in expected_in_order {
        let at = rest
            .find(expected)
            .unwrap_or_else(|| panic!("`{expected}` missing (or out of order) in:\n{stdout}"));
        rest = &rest[at + expected.len()..];
    }
    // Progress is reported along the way, not only at the end.
    assert!(stdout.matches("   upload ").count() >= 3, "{stdout}");
    assert!(stdout.matches("download").count() >= 3, "{stdout}");
}

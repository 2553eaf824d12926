//! The runtime's `call_controls!` macro is the one `controls::CONTROLS`
//! gives: it is kept as a source file (see `cargo xtask call-controls`), so
//! a change to the table must be written there too.

use std::path::Path;

use tapis_codegen::controls::{call_controls_macro, CALL_CONTROLS_FILE};

#[test]
fn the_runtime_has_the_current_call_controls_macro() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(CALL_CONTROLS_FILE);
    let kept = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        kept == call_controls_macro(),
        "{} is not what `controls::CONTROLS` gives: run `cargo xtask call-controls`",
        file.display()
    );
}

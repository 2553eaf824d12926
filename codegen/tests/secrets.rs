//! Walks every generated type of every vendored spec: no struct with a
//! secret-named field (password, private key, tokens, client key...) keeps
//! the derived `Debug`, which would print it.

use std::path::Path;

use tapis_codegen::postprocess::secrets::{is_secret_field, leaking_structs};
use tapis_codegen::{generate_service, SpecSet};

#[test]
fn no_generated_type_prints_a_secret() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&specs).expect("the vendored specs");
    let mut redacted = 0;
    for service in set.services() {
        let generated = generate_service(service, &set).expect("generates");
        let file = syn::parse_file(&generated.code).expect("parses");
        let leaking = leaking_structs(&file);
        assert!(leaking.is_empty(), "{service}: {leaking:?} derive Debug");
        redacted += generated.code.matches("\"<redacted>\"").count();
    }
    // systems' credentials, authenticator's passwords, issued tokens,
    // globus-proxy's tokens... (29 types were found printing secrets).
    assert!(redacted >= 29, "only {redacted} redacted fields");
    assert!(is_secret_field("private_key") && !is_secret_field("public_key"));
}

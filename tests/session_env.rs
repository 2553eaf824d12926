//! The token cache's default path and environment overrides. Alone in
//! its own test binary: it changes process-wide environment variables,
//! which the other cache tests read.

#![cfg(feature = "systems")]

mod common;

use common::*;
use tapis::{Error, Tapis};

#[test]
fn default_path_and_environment_overrides() {
    let dir = scratch_dir("env");
    std::env::set_var("XDG_CONFIG_HOME", &dir.0);
    let t = Tapis::builder("https://dev.tapis.io")
        .access_token(TOKEN)
        .build()
        .unwrap();
    let saved = t.save();
    let restored = Tapis::restore();
    let other = mint("envuser", 3600);
    std::env::set_var("TAPIS_BASE_URL", "https://env.tapis.io/");
    std::env::set_var("TAPIS_TOKEN", &other);
    let overridden = Tapis::restore();
    let missing = Tapis::restore_from(dir.0.join("absent.json"));
    for name in ["XDG_CONFIG_HOME", "TAPIS_BASE_URL", "TAPIS_TOKEN"] {
        std::env::remove_var(name);
    }

    let path = saved.unwrap();
    assert_eq!(path, dir.0.join("tapis").join("session.json"));
    let restored = restored.unwrap();
    assert_eq!(restored.base_url(), "https://dev.tapis.io");
    assert_eq!(restored.current_tokens().access_token.unwrap().jwt(), TOKEN);
    let overridden = overridden.unwrap();
    assert_eq!(overridden.base_url(), "https://env.tapis.io");
    assert_eq!(
        overridden.current_tokens().access_token.unwrap().jwt(),
        other
    );
    // No file, but TAPIS_BASE_URL (set then) would do; without it, an error.
    assert!(missing.is_ok(), "TAPIS_BASE_URL was set: {missing:?}");
    let err = Tapis::restore_from(dir.0.join("absent.json")).unwrap_err();
    assert!(matches!(err, Error::Config(m) if m.contains("TAPIS_BASE_URL")));
}

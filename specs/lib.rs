//! The Tapis OpenAPI specs the `tapis` SDK is generated from (vendored by
//! `cargo xtask update-specs`, provenance in `manifest.json`), and the code
//! generated from them at build time (by `build.rs`, one cargo feature per
//! service). Its macros place that code in the SDK's crates; use the SDK
//! through `tapis`.

use proc_macro::{Delimiter, TokenStream, TokenTree};

/// The generated file `name` (a string literal naming a file this crate's
/// build script wrote, such as `"services.rs"`) as items:
/// `include!("<OUT_DIR>/<name>")`.
#[proc_macro]
pub fn include_generated(input: TokenStream) -> TokenStream {
    match file_name(input) {
        Ok(name) => include(&name),
        Err(e) => error(&e),
    }
}

/// The whole of a generated service crate: `service!(systems)` imports what
/// the generated code names from `tapis-runtime`, and includes the code of
/// the `systems` service in a module whose public items it re-exports.
#[proc_macro]
pub fn service(input: TokenStream) -> TokenStream {
    let mut tokens = input.into_iter();
    let module = match (tokens.next(), tokens.next()) {
        (Some(TokenTree::Ident(module)), None) => module.to_string(),
        _ => return error("service!: give the service's module name, as in `service!(systems)`"),
    };
    let items = format!(
        "// What the generated code names as `crate::...`.\n\
         #[allow(unused_imports)]\n\
         use tapis_runtime::{{paging, path, request, response, transfer, transport}};\n\
         #[allow(unused_imports)]\n\
         use tapis_runtime::{{CallOptions, DebugCapture, Download, Envelope, EnvelopeInfo, Error, \
         Extra, Response, RetryPolicy, Upload}};\n\
         #[cfg(feature = \"blocking\")]\n\
         #[allow(unused_imports)]\n\
         use tapis_runtime::blocking;\n\
         #[allow(rustdoc::all, clippy::all, clippy::pedantic, unused_imports, unused_mut, dead_code)]\n\
         mod generated {{\n    {}\n}}\n\
         pub use generated::*;\n",
        include(&format!("{module}.rs"))
    );
    items
        .parse()
        .unwrap_or_else(|e| error(&format!("service!: {e}")))
}

/// The text of a string literal (`"services.rs"`), checked to be a plain
/// file name.
fn file_name(input: TokenStream) -> Result<String, String> {
    let mut tokens = input.into_iter();
    let literal = match (tokens.next(), tokens.next()) {
        (Some(TokenTree::Literal(l)), None) => l.to_string(),
        // `macro_rules!` callers pass a literal wrapped in an invisible group.
        (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::None => {
            return file_name(g.stream())
        }
        _ => return Err("include_generated!: give a file name, as in `\"services.rs\"`".into()),
    };
    let name = literal
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .ok_or("include_generated!: the file name is a plain string literal")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        || name.starts_with('.')
    {
        return Err(format!(
            "include_generated!: `{name}` is not a generated file's name"
        ));
    }
    Ok(name.to_string())
}

/// `include!("<OUT_DIR>/<name>");` as tokens.
fn include(name: &str) -> TokenStream {
    let path = std::path::Path::new(env!("OUT_DIR")).join(name);
    format!("include!({:?});", path.display().to_string())
        .parse()
        .expect("an include! of a string literal")
}

/// `compile_error!(message)` as tokens.
fn error(message: &str) -> TokenStream {
    format!("compile_error!({message:?});")
        .parse()
        .expect("a compile_error! of a string literal")
}

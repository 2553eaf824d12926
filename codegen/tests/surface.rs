//! The public surface of the generated modules: what a user of
//! `tapis::<service>` can name is the client, its operation builders, the
//! types and the prelude, and nothing of progenitor's own API.

use std::path::Path;

use syn::{ImplItem, Item, Visibility};
use tapis_codegen::{generate_service, SpecSet};

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Whether `attrs` hide an item from the docs (`#[doc(hidden)]`): public
/// for the SDK's other crates, not for users.
fn doc_hidden(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("doc") && quote::quote!(#a).to_string().contains("hidden"))
}

/// The names a module's root makes public, as `kind name`.
fn public_root(file: &syn::File) -> Vec<String> {
    let mut names = Vec::new();
    for item in &file.items {
        match item {
            Item::Use(u) if is_pub(&u.vis) => {
                names.push(format!("use {}", quote::quote!(#u)));
            }
            Item::Struct(s) if is_pub(&s.vis) => names.push(format!("struct {}", s.ident)),
            Item::Mod(m) if is_pub(&m.vis) => names.push(format!("mod {}", m.ident)),
            Item::Fn(f) if is_pub(&f.vis) => names.push(format!("fn {}", f.sig.ident)),
            Item::Impl(i) => {
                if let Some((path, _)) = &i.trait_ {
                    names.push(format!("impl {}", quote::quote!(#path)));
                }
            }
            _ => {}
        }
    }
    names
}

/// Public functions of `impl` blocks without a trait, by type name.
fn public_inherent_fns(items: &[Item]) -> Vec<(String, String)> {
    let mut fns = Vec::new();
    for item in items {
        let Item::Impl(i) = item else { continue };
        if i.trait_.is_some() {
            continue;
        }
        let ty = &i.self_ty;
        for item in &i.items {
            if let ImplItem::Fn(f) = item {
                if is_pub(&f.vis) && !doc_hidden(&f.attrs) {
                    fns.push((quote::quote!(#ty).to_string(), f.sig.ident.to_string()));
                }
            }
        }
    }
    fns
}

#[test]
fn the_systems_module_shows_nothing_of_the_generator() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&specs).expect("the vendored specs");
    let generated = generate_service("systems", &set).expect("generates");
    let file = syn::parse_file(&generated.code).expect("parses");
    assert_eq!(
        public_root(&file),
        ["mod types", "struct Client", "mod builder", "mod prelude"],
        "the public root of tapis::systems"
    );
    // One module named `builder` (the operations'); the body builders
    // inside `types` have their own name.
    let types = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    let type_mods: Vec<String> = types
        .expect("mod types")
        .iter()
        .filter_map(|item| match item {
            Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        type_mods.contains(&"body_builders".to_string()),
        "{type_mods:?}"
    );
    assert!(!type_mods.contains(&"builder".to_string()), "{type_mods:?}");
    // Builders for what requests carry, not for what responses decode into.
    let builder_of = |ty: &str| {
        public_inherent_fns(types.unwrap())
            .iter()
            .any(|(t, f)| t == ty && f == "builder")
    };
    assert!(
        builder_of("ReqPostSystem"),
        "a request body keeps its builder"
    );
    assert!(
        builder_of("JobRuntime"),
        "so does a type inside a request body"
    );
    assert!(!builder_of("RespSystem"), "a response has no builder");
    let client_fns = public_inherent_fns(&file.items);
    assert!(client_fns.iter().all(|(ty, _)| ty == "Client"));
    assert!(client_fns.iter().any(|(_, f)| f == "get_systems"));
    for forbidden in ["new", "new_with_client", "baseurl", "client", "inner"] {
        assert!(
            !client_fns.iter().any(|(_, f)| f == forbidden),
            "Client::{forbidden} is public"
        );
    }
}

#[test]
fn no_generated_module_reexports_the_generator_or_exposes_constructors() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&specs).expect("the vendored specs");
    for service in set.services() {
        let generated = generate_service(service, &set).expect("generates");
        let file = syn::parse_file(&generated.code).expect("parses");
        let root = public_root(&file);
        assert!(
            root.iter()
                .all(|n| !n.contains("progenitor_client") && !n.starts_with("impl ")),
            "{service}: {root:?}"
        );
        let builders = file.items.iter().find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        });
        let builder_fns = public_inherent_fns(builders.expect("mod builder"));
        assert!(
            builder_fns.iter().all(|(_, f)| f != "new"),
            "{service}: a public builder constructor"
        );
    }
}

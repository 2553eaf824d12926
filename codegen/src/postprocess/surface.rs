//! The public surface of a generated module: nothing of progenitor's own API
//! stays reachable by users. progenitor emits, at the module's root,
//! `pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue}`
//! (a second `Error` nothing returns), `impl ClientInfo for Client` and
//! `impl ClientHooks for &Client` (exposing the transport state through
//! `.inner()`), a public `Client::new_with_client` taking the crate's private
//! transport, a `Client::new` that builds its own HTTP client, and a public
//! `new` on every operation builder. Users get
//! clients from `tapis::Tapis` and builders from the client's methods.
//!
//! Every rule matches syntax (paths, identifiers) and counts its hits: a
//! rule that must apply and does not fails the build, so a change in
//! progenitor's output cannot silently bring the surface back.

use syn::{ImplItem, Item, UseTree, Visibility};

/// The generator's crate, whose items must not be re-exported.
const GENERATOR_CRATE: &str = "progenitor_client";

/// progenitor's traits implemented for the client; the rewritten sends use
/// none of their methods.
const GENERATOR_TRAITS: [&str; 2] = ["ClientInfo", "ClientHooks"];

/// Applies the rules to the module's root items; `builders` is the number of
/// operation builders (each has a `new`).
pub(super) fn hide_generator(file: &mut syn::File, builders: usize) -> Result<(), String> {
    let mut reexports = 0;
    let mut trait_impls = 0;
    let mut constructors = 0;
    let mut client_news = 0;
    let mut builder_news = 0;
    file.items.retain_mut(|item| match item {
        Item::Use(u) if uses_generator(&u.tree) => {
            if matches!(u.vis, Visibility::Public(_)) {
                reexports += 1;
                u.vis = Visibility::Inherited;
            }
            true
        }
        Item::Impl(i) if implements_generator_trait(i) => {
            trait_impls += 1;
            false
        }
        Item::Impl(i) if is_client(&i.self_ty) && i.trait_.is_none() => {
            i.items.retain_mut(|item| match item {
                // It builds its own reqwest client (15 s total timeout,
                // `unwrap` on a TLS setup our rustls build lacks).
                ImplItem::Fn(f) if f.sig.ident == "new" => {
                    client_news += 1;
                    false
                }
                ImplItem::Fn(f) if f.sig.ident == "new_with_client" => {
                    constructors += 1;
                    f.vis = syn::parse_quote!(pub(crate));
                    true
                }
                _ => true,
            });
            true
        }
        Item::Mod(m) if m.ident == "builder" => {
            for item in m.content.iter_mut().flat_map(|(_, items)| items) {
                let Item::Impl(i) = item else { continue };
                if i.trait_.is_some() {
                    continue;
                }
                for item in &mut i.items {
                    if let ImplItem::Fn(f) = item {
                        if f.sig.ident == "new" && matches!(f.vis, Visibility::Public(_)) {
                            builder_news += 1;
                            f.vis = syn::parse_quote!(pub(crate));
                        }
                    }
                }
            }
            true
        }
        _ => true,
    });
    let expected = [
        ("`pub use progenitor_client::..`", reexports, 1),
        ("`impl ClientInfo`/`impl ClientHooks`", trait_impls, 2),
        ("`Client::new_with_client`", constructors, 1),
        ("`Client::new`", client_news, 1),
        ("operation builders' `new`", builder_news, builders),
    ];
    for (rule, hits, want) in expected {
        if hits != want {
            return Err(format!(
                "hiding the generator's API: {rule} found {hits} times, expected {want} \
                 (progenitor's output changed shape)"
            ));
        }
    }
    Ok(())
}

/// Whether a `use` tree starts at the generator's crate
/// (`progenitor_client::{A, B}`).
fn uses_generator(tree: &UseTree) -> bool {
    match tree {
        UseTree::Path(p) => p.ident == GENERATOR_CRATE,
        UseTree::Name(n) => n.ident == GENERATOR_CRATE,
        _ => false,
    }
}

/// Whether an impl block implements one of progenitor's traits.
fn implements_generator_trait(i: &syn::ItemImpl) -> bool {
    i.trait_
        .as_ref()
        .and_then(|(path, _)| path.segments.last())
        .is_some_and(|last| GENERATOR_TRAITS.iter().any(|t| last.ident == t))
}

/// Whether `ty` is the module's `Client`.
fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Client"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(src: &str) -> syn::File {
        syn::parse_str(src).unwrap()
    }

    const GENERATED: &str = r#"
        #[allow(unused_imports)]
        pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue};
        #[allow(unused_imports)]
        use progenitor_client::{encode_path, ClientHooks, OperationInfo, RequestBuilderExt};
        pub struct Client { inner: u8 }
        impl Client {
            pub fn new(baseurl: &str) -> Self { todo!() }
            pub fn new_with_client(baseurl: &str) -> Self { todo!() }
        }
        impl ClientInfo<u8> for Client { fn inner(&self) -> &u8 { &self.inner } }
        impl ClientHooks<u8> for &Client {}
        pub mod builder {
            pub struct A;
            impl A { pub fn new() -> Self { A } pub fn keep(self) -> Self { self } }
        }
    "#;

    #[test]
    fn hides_every_generator_item_and_counts() {
        let mut f = file(GENERATED);
        hide_generator(&mut f, 1).unwrap();
        let text = quote::ToTokens::to_token_stream(&f).to_string();
        assert!(!text.contains("pub use progenitor_client"), "{text}");
        assert!(!text.contains("ClientInfo <"), "{text}");
        assert!(!text.contains("ClientHooks <"), "{text}");
        assert!(text.contains("pub (crate) fn new_with_client"), "{text}");
        assert!(!text.contains("fn new (baseurl"), "{text}");
        assert!(text.contains("pub (crate) fn new ()"), "{text}");
        assert!(text.contains("pub fn keep"), "{text}");
    }

    #[test]
    fn a_rule_that_does_not_apply_fails() {
        let mut f = file(&GENERATED.replace("pub use progenitor_client", "use progenitor_client"));
        let err = hide_generator(&mut f, 1).unwrap_err();
        assert!(err.contains("pub use progenitor_client"), "{err}");
        let mut f = file(GENERATED);
        let err = hide_generator(&mut f, 2).unwrap_err();
        assert!(err.contains("builders' `new`"), "{err}");
    }
}

//! The public surface of a generated module: nothing of progenitor's own API
//! stays reachable by users. progenitor emits, at the module's root,
//! `pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue}`
//! (a second `Error` nothing returns), `impl ClientInfo for Client` and
//! `impl ClientHooks for &Client` (exposing the transport state through
//! `.inner()`), a public `Client::new_with_client` taking the runtime's
//! transport (kept for the `tapis` crate, out of the docs), a `Client::new` that builds its own HTTP client, and a public
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
                // The `tapis` crate makes the clients (the service's crate
                // is not its crate): public, out of the docs.
                ImplItem::Fn(f) if f.sig.ident == "new_with_client" => {
                    constructors += 1;
                    f.vis = syn::parse_quote!(pub);
                    f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
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

/// The body builders' module: typify names it `types::builder`, the same
/// name as the operation builders' `builder` beside `types`.
pub(super) const BODY_BUILDERS: &str = "body_builders";

/// Renames typify's `types::builder` to `types::body_builders` and every
/// path to it: `builder::X` inside `types`, `types::builder::X` anywhere
/// (the operation builders' `body_map`). Returns how many paths changed;
/// a module renamed with no path to it, or a path left behind, is an error.
pub(super) fn rename_body_builders(file: &mut syn::File) -> Result<usize, String> {
    use syn::visit_mut::VisitMut;

    struct Paths {
        /// Inside `types`, where `builder::X` is relative.
        in_types: bool,
        renamed: usize,
    }
    impl VisitMut for Paths {
        fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
            let outer = self.in_types;
            self.in_types = m.ident == "types";
            syn::visit_mut::visit_item_mod_mut(self, m);
            self.in_types = outer;
        }
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let n = path.segments.len();
            let relative = self.in_types && path.leading_colon.is_none() && n >= 2;
            for i in 0..n.saturating_sub(1) {
                let here = path.segments[i].ident == "builder"
                    && ((i == 0 && relative) || (i > 0 && path.segments[i - 1].ident == "types"));
                if here {
                    path.segments[i].ident =
                        syn::Ident::new(BODY_BUILDERS, path.segments[i].ident.span());
                    self.renamed += 1;
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }

    let mut modules = 0;
    for item in &mut file.items {
        let Item::Mod(types) = item else { continue };
        if types.ident != "types" {
            continue;
        }
        for item in types.content.iter_mut().flat_map(|(_, items)| items) {
            if let Item::Mod(m) = item {
                if m.ident == "builder" {
                    m.ident = syn::Ident::new(BODY_BUILDERS, m.ident.span());
                    m.attrs.push(syn::parse_quote!(
                        #[doc = " Builders of the object types (`ReqPostSystem::builder()`): \
                                  one setter per property, checked when converted."]
                    ));
                    modules += 1;
                }
            }
        }
    }
    let mut paths = Paths {
        in_types: false,
        renamed: 0,
    };
    paths.visit_file_mut(file);
    match (modules, paths.renamed) {
        (0, 0) | (1, 1..) => Ok(paths.renamed),
        (m, p) => Err(format!(
            "renaming `types::builder`: {m} modules and {p} paths to them (progenitor's output changed shape)"
        )),
    }
}

/// Removes the body builders (and each type's `builder()`) of the types no
/// request can carry: typify writes a builder for every object type, but
/// only request bodies and the types inside them are ever built by users;
/// the others (responses, envelopes) are decoded. In the vendored specs
/// that is about two thirds of the builders and a quarter of the generated
/// lines, compiled by every user.
///
/// A type is kept when an operation builder's field names it (its body,
/// its parameters) or a kept type's field or variant does. Returns how
/// many builders were removed.
pub(super) fn prune_body_builders(file: &mut syn::File) -> Result<usize, String> {
    use std::collections::{BTreeMap, BTreeSet};
    use syn::visit_mut::VisitMut;

    /// The idents of every path segment in a type (generic arguments too).
    /// (syn's read-only `Visit` is a feature the build does not otherwise
    /// need: the types are cloned and visited with `VisitMut`.)
    #[derive(Default)]
    struct Names(BTreeSet<String>);
    impl VisitMut for Names {
        fn visit_path_segment_mut(&mut self, seg: &mut syn::PathSegment) {
            self.0.insert(seg.ident.to_string());
            syn::visit_mut::visit_path_segment_mut(self, seg);
        }
    }
    fn names_in_type(ty: &syn::Type) -> BTreeSet<String> {
        let mut names = Names::default();
        names.visit_type_mut(&mut ty.clone());
        names.0
    }
    fn names_in_fields(fields: &syn::Fields) -> BTreeSet<String> {
        fields.iter().flat_map(|f| names_in_type(&f.ty)).collect()
    }

    let (mut types_mod, mut ops_mod) = (None, None);
    for item in &mut file.items {
        if let Item::Mod(m) = item {
            match m.ident.to_string().as_str() {
                "types" => types_mod = Some(m),
                "builder" => ops_mod = Some(m),
                _ => {}
            }
        }
    }
    let (Some(types_mod), Some(ops_mod)) = (types_mod, ops_mod) else {
        return Ok(0);
    };
    // What each type of `types` names in its fields or variants.
    let mut refers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types_mod.content.iter().flat_map(|(_, items)| items) {
        match item {
            Item::Struct(s) => {
                refers.insert(s.ident.to_string(), names_in_fields(&s.fields));
            }
            Item::Enum(e) => {
                let names = e
                    .variants
                    .iter()
                    .flat_map(|v| names_in_fields(&v.fields))
                    .collect();
                refers.insert(e.ident.to_string(), names);
            }
            _ => {}
        }
    }
    // Roots: the types the operation builders' fields hold.
    let mut kept = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for item in ops_mod.content.iter().flat_map(|(_, items)| items) {
        if let Item::Struct(s) = item {
            for field in &s.fields {
                let names = names_in_type(&field.ty);
                // Only paths into `types` (not `&'a super::Client`).
                if names.contains("types") {
                    todo.extend(names.into_iter().filter(|n| refers.contains_key(n)));
                }
            }
        }
    }
    while let Some(name) = todo.pop() {
        if kept.insert(name.clone()) {
            todo.extend(
                refers[&name]
                    .iter()
                    .filter(|n| refers.contains_key(*n))
                    .cloned(),
            );
        }
    }
    let subject = |ty: &syn::Type| match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let mut removed = 0;
    for item in types_mod.content.iter_mut().flat_map(|(_, items)| items) {
        match item {
            Item::Mod(m) if m.ident == BODY_BUILDERS => {
                let items = &mut m.content.as_mut().expect("an inline module").1;
                items.retain(|item| {
                    let name = match item {
                        Item::Struct(s) => Some(s.ident.to_string()),
                        Item::Impl(i) => subject(&i.self_ty),
                        _ => None,
                    };
                    match name {
                        Some(n) if !kept.contains(&n) => {
                            removed += usize::from(matches!(item, Item::Struct(_)));
                            false
                        }
                        _ => true,
                    }
                });
            }
            Item::Impl(i)
                if i.trait_.is_none()
                    && subject(&i.self_ty).is_some_and(|n| !kept.contains(&n)) =>
            {
                i.items
                    .retain(|f| !matches!(f, ImplItem::Fn(f) if f.sig.ident == "builder"));
            }
            _ => {}
        }
    }
    // No count to check here: an operation whose body builder was removed
    // would not compile (its `body` field and `body_map` name it), and a
    // service may have no request types at all (a read-only API).
    // `impl X {}` blocks left empty.
    if let Some((_, items)) = types_mod.content.as_mut() {
        items.retain(
            |item| !matches!(item, Item::Impl(i) if i.trait_.is_none() && i.items.is_empty()),
        );
    }
    Ok(removed)
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
        assert!(
            text.contains("# [doc (hidden)] pub fn new_with_client"),
            "{text}"
        );
        assert!(!text.contains("fn new (baseurl"), "{text}");
        assert!(text.contains("pub (crate) fn new ()"), "{text}");
        assert!(text.contains("pub fn keep"), "{text}");
    }

    #[test]
    fn body_builders_are_renamed_with_every_path_to_them() {
        let mut f = file(
            r#"
            pub mod types {
                pub struct A;
                impl A { pub fn builder() -> builder::A { Default::default() } }
                impl From<builder::A> for A { fn from(b: builder::A) -> A { A } }
                pub mod builder { pub struct A; impl A { fn f(self) -> super::A { super::A } } }
            }
            pub mod builder {
                pub struct Op { body: Result<types::builder::A, String> }
                fn unrelated(b: builder::Op) {}
            }
            "#,
        );
        assert_eq!(rename_body_builders(&mut f).unwrap(), 4);
        let text = quote::ToTokens::to_token_stream(&f).to_string();
        assert!(text.contains("pub mod body_builders"), "{text}");
        assert!(text.contains("pub mod builder"), "{text}");
        assert!(text.contains("types :: body_builders :: A"), "{text}");
        assert!(text.contains("b : builder :: Op"), "{text}");
        assert!(!text.contains("types :: builder"), "{text}");
    }

    #[test]
    fn only_the_builders_of_request_types_are_kept() {
        let mut f = file(
            r#"
            pub mod types {
                pub struct Body { pub inner: Vec<Inner>, pub mode: Mode }
                pub struct Inner { pub x: String }
                pub enum Mode { A, B(Deep) }
                pub struct Deep { pub y: i64 }
                pub struct Answer { pub result: Option<Inner> }
                impl Body { pub fn builder() -> body_builders::Body { todo!() } }
                impl Answer { pub fn builder() -> body_builders::Answer { todo!() } pub fn keep(&self) {} }
                impl Deep { pub fn builder() -> body_builders::Deep { todo!() } }
                pub mod body_builders {
                    pub struct Body;
                    impl Default for Body { fn default() -> Self { Body } }
                    impl TryFrom<Body> for super::Body { type Error = (); }
                    pub struct Answer;
                    impl Default for Answer { fn default() -> Self { Answer } }
                    impl TryFrom<Answer> for super::Answer { type Error = (); }
                    impl From<super::Answer> for Answer {}
                    pub struct Deep;
                }
            }
            pub mod builder {
                pub struct Op<'a> { client: &'a super::Client, body: Result<types::body_builders::Body, String> }
            }
            "#,
        );
        assert_eq!(prune_body_builders(&mut f).unwrap(), 1);
        let text = quote::ToTokens::to_token_stream(&f).to_string();
        assert!(text.contains("pub struct Body ;"), "{text}");
        assert!(text.contains("pub struct Deep ;"), "{text}");
        assert!(!text.contains("pub struct Answer ;"), "{text}");
        assert!(!text.contains("for super :: Answer"), "{text}");
        assert!(!text.contains("body_builders :: Answer"), "{text}");
        assert!(text.contains("pub fn keep"), "{text}");
        assert!(
            text.contains("fn builder () -> body_builders :: Deep"),
            "{text}"
        );
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

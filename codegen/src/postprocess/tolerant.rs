//! Tolerant reading of the generated types (`mod types`): whatever a real
//! server sends decodes, and nothing it sent is lost. Requests stay strict:
//! builders and `FromStr` still check what the user gives.
//!
//! - Objects keep the properties the spec does not name in
//!   `extra: crate::Extra` (`#[serde(flatten)]`).
//! - Fields: `null` (or absence) where the spec declares a collection or a
//!   required value reads as the type's default; scalars that drifted between
//!   string, number and boolean across server versions read through
//!   `crate::response::tolerant` (its docs state the rule).
//! - String enums get a last variant `Unknown(String)` that keeps a value
//!   this SDK does not know and writes it back unchanged; they lose `Copy`.
//!   `oneOf` enums without a tag get `Unknown(serde_json::Value)`.
//! - Constrained string newtypes (`minLength`, `maxLength`, `pattern`) check
//!   what the user builds (`FromStr`, `TryFrom`) but not what they decode.
//!
//! Everything is matched on syntax (derives, field types, impl targets), and
//! each rule counts what it changed; a rule that finds none of what it must
//! change fails the build (see [`Stats::check`]).

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;
use syn::parse::Parser;
use syn::visit_mut::VisitMut;
use syn::{parse_quote, Attribute, Fields, Item, ItemEnum, ItemImpl, ItemMod, ItemStruct, Type};

use super::send::generic_arg;

/// The helpers the generated attributes name (hand-written, in `src/`).
const HELPERS: &str = "crate::response::tolerant";

/// What the pass changed in one `mod types`.
#[derive(Debug, Default)]
pub(super) struct Stats {
    pub structs: usize,
    pub fields: usize,
    pub enums: usize,
    pub unions: usize,
    pub newtypes: usize,
    pub literals: usize,
    pub displays: usize,
}

impl Stats {
    /// Every string enum needs its `Display` to know `Unknown`.
    pub(super) fn check(&self) -> Result<(), String> {
        if self.displays != self.enums {
            return Err(format!(
                "tolerant: {} string enums but {} Display impls rewritten",
                self.enums, self.displays
            ));
        }
        Ok(())
    }
}

/// How a field reads tolerantly.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `Option<scalar>`: drift, null → None.
    OptScalar,
    /// A scalar: drift, null or absent → default.
    Scalar,
    /// A collection or a type with `Default`: null or absent → default.
    OrDefault,
    /// Left as generated (`Option<T>` already reads null and absence).
    Leave,
}

const SCALARS: &[&str] = &[
    "String", "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
];
const COLLECTIONS: &[&str] = &["Vec", "HashMap", "BTreeMap", "Map", "Value", "HashSet"];

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `X` or `super::X` (a type of `mod types`) → `X`.
fn local_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    let segs: Vec<_> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [one] if one.arguments.is_empty() => Some(one.ident.to_string()),
        [sup, one] if sup.ident == "super" && one.arguments.is_empty() => {
            Some(one.ident.to_string())
        }
        _ => None,
    }
}

fn is_scalar(ty: &Type) -> bool {
    last_ident(ty).is_some_and(|n| SCALARS.contains(&n.as_str()))
        && !matches!(ty, Type::Path(p) if p.path.segments.iter().any(|s| s.ident == "types"))
}

fn classify(ty: &Type, defaults: &BTreeSet<String>) -> Kind {
    if let Some(inner) = generic_arg(ty, "Option") {
        return if is_scalar(&inner) {
            Kind::OptScalar
        } else {
            Kind::Leave
        };
    }
    if is_scalar(ty) {
        return Kind::Scalar;
    }
    let inner = generic_arg(ty, "Box").unwrap_or_else(|| ty.clone());
    if last_ident(&inner).is_some_and(|n| COLLECTIONS.contains(&n.as_str())) {
        return Kind::OrDefault;
    }
    match local_name(&inner) {
        Some(name) if defaults.contains(&name) => Kind::OrDefault,
        _ => Kind::Leave,
    }
}

pub(super) fn derives(attrs: &[Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = attr.parse_nested_meta(|m| {
            if let Some(last) = m.path.segments.last() {
                out.push(last.ident.to_string());
            }
            Ok(())
        });
    }
    out
}

pub(super) fn remove_derives(attrs: &mut [Attribute], remove: &[&str]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let mut kept: Vec<syn::Path> = Vec::new();
        let _ = attr.parse_nested_meta(|m| {
            let name = m.path.segments.last().map(|s| s.ident.to_string());
            if !name.is_some_and(|n| remove.contains(&n.as_str())) {
                kept.push(m.path.clone());
            }
            Ok(())
        });
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn add_derive(attrs: &mut [Attribute], derive: syn::Path) {
    if let Some(attr) = attrs.iter_mut().find(|a| a.path().is_ident("derive")) {
        let mut kept: Vec<syn::Path> = Vec::new();
        let _ = attr.parse_nested_meta(|m| {
            kept.push(m.path.clone());
            Ok(())
        });
        kept.push(derive);
        *attr = parse_quote!(#[derive(#(#kept),*)]);
    }
}

/// Whether a `#[serde(..)]` attribute among `attrs` holds `word` (`default`,
/// `transparent`, `untagged`, `flatten`...), alone or as `word = ..`.
pub(super) fn serde_has(attrs: &[Attribute], word: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|m| {
            if m.path.is_ident(word) {
                found = true;
            }
            if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            } else if m.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in m.input);
                let _: proc_macro2::TokenStream = content.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// Removes `word` from every `#[serde(..)]` attribute; an attribute left
/// empty is dropped.
fn serde_remove(attrs: &mut Vec<Attribute>, word: &str) -> bool {
    let mut removed = false;
    attrs.retain_mut(|attr| {
        if !attr.path().is_ident("serde") {
            return true;
        }
        let Ok(list) = attr.meta.require_list() else {
            return true;
        };
        let Ok(items) = list.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            return true;
        };
        let before = items.len();
        let kept: Vec<_> = items
            .into_iter()
            .filter(|m| !m.path().is_ident(word))
            .collect();
        if kept.len() == before {
            return true;
        }
        removed = true;
        if kept.is_empty() {
            return false;
        }
        *attr = parse_quote!(#[serde(#(#kept),*)]);
        true
    });
    removed
}

fn is_unit_enum(e: &ItemEnum) -> bool {
    !e.variants.is_empty() && e.variants.iter().all(|v| matches!(v.fields, Fields::Unit))
}

fn unknown_variant_name(e: &ItemEnum) -> syn::Ident {
    let taken = |n: &str| e.variants.iter().any(|v| v.ident == n);
    if taken("Unknown") {
        syn::Ident::new("UnknownValue", proc_macro2::Span::call_site())
    } else {
        syn::Ident::new("Unknown", proc_macro2::Span::call_site())
    }
}

fn extra_field_name(s: &ItemStruct) -> syn::Ident {
    let taken = |n: &str| {
        s.fields
            .iter()
            .any(|f| f.ident.as_ref().is_some_and(|i| i == n))
    };
    let name = if taken("extra") {
        "extra_properties"
    } else {
        "extra"
    };
    syn::Ident::new(name, proc_macro2::Span::call_site())
}

/// Applies the rules to `mod types`.
pub(super) fn rewrite(module: &mut ItemMod) -> Result<Stats, String> {
    let Some((_, items)) = &mut module.content else {
        return Ok(Stats::default());
    };
    let mut stats = Stats::default();

    // What the module holds.
    let mut string_enums: BTreeMap<String, syn::Ident> = BTreeMap::new();
    let mut untagged_enums = BTreeSet::new();
    let mut variant_payloads = BTreeSet::new();
    let mut string_newtypes = BTreeSet::new();
    let mut defaults = BTreeSet::new();
    for item in items.iter() {
        match item {
            Item::Enum(e) => {
                let name = e.ident.to_string();
                let d = derives(&e.attrs);
                if d.iter().any(|d| d == "Default") {
                    defaults.insert(name.clone());
                }
                if !d.iter().any(|d| d == "Deserialize") {
                    continue;
                }
                if is_unit_enum(e) && !serde_has(&e.attrs, "tag") {
                    string_enums.insert(name, unknown_variant_name(e));
                } else if serde_has(&e.attrs, "untagged") {
                    untagged_enums.insert(name);
                    for v in &e.variants {
                        for f in &v.fields {
                            let ty = generic_arg(&f.ty, "Box").unwrap_or_else(|| f.ty.clone());
                            if let Some(n) = local_name(&ty) {
                                variant_payloads.insert(n);
                            }
                        }
                    }
                }
            }
            Item::Struct(s) => {
                if derives(&s.attrs).iter().any(|d| d == "Default") {
                    defaults.insert(s.ident.to_string());
                }
                if let Fields::Unnamed(f) = &s.fields {
                    if f.unnamed.len() == 1
                        && last_ident(&f.unnamed[0].ty).as_deref() == Some("String")
                    {
                        string_newtypes.insert(s.ident.to_string());
                    }
                }
            }
            Item::Impl(i) if trait_is(i, "Default") => {
                if let Some(n) = local_name(&i.self_ty) {
                    defaults.insert(n);
                }
            }
            _ => {}
        }
    }
    // String enums read an absent value as `Unknown("")`; string newtypes as
    // "" (both only where the server omitted a required value).
    defaults.extend(string_enums.keys().cloned());
    defaults.extend(string_newtypes.iter().cloned());
    defaults.extend(untagged_enums.iter().cloned());
    for item in items.iter() {
        if let Item::Struct(s) = item {
            if let Fields::Unnamed(f) = &s.fields {
                if f.unnamed.len() == 1 && classify(&f.unnamed[0].ty, &defaults) != Kind::Leave {
                    defaults.insert(s.ident.to_string());
                }
            }
        }
    }
    // Structs whose fields all have a default get `Default` too (to a fixed
    // point: a struct of such structs qualifies).
    let mut derive_default = BTreeSet::new();
    loop {
        let before = derive_default.len();
        for item in items.iter() {
            let Item::Struct(s) = item else { continue };
            let name = s.ident.to_string();
            if defaults.contains(&name) || !matches!(s.fields, Fields::Named(_)) {
                continue;
            }
            if s.fields.iter().all(|f| {
                classify(&f.ty, &defaults) != Kind::Leave || generic_arg(&f.ty, "Option").is_some()
            }) {
                defaults.insert(name.clone());
                derive_default.insert(name);
            }
        }
        if derive_default.len() == before {
            break;
        }
    }

    let mut extended = BTreeMap::new();
    let mut added: Vec<Item> = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Enum(e) if string_enums.contains_key(&e.ident.to_string()) => {
                let unknown = &string_enums[&e.ident.to_string()];
                remove_derives(&mut e.attrs, &["Copy"]);
                e.variants.push(parse_quote! {
                    /// A value this version of the SDK does not know (sent by a
                    /// newer or older server), kept as it was sent.
                    #[serde(untagged)]
                    #unknown(::std::string::String)
                });
                if !derives(&e.attrs).iter().any(|d| d == "Default")
                    && !has_default_impl(&added, &e.ident)
                {
                    let name = &e.ident;
                    added.push(parse_quote! {
                        /// `Unknown("")`: what a required value the server
                        /// omitted reads as.
                        impl ::std::default::Default for #name {
                            fn default() -> Self {
                                Self::#unknown(::std::string::String::new())
                            }
                        }
                    });
                }
                stats.enums += 1;
            }
            Item::Enum(e) if untagged_enums.contains(&e.ident.to_string()) => {
                let unknown = unknown_variant_name(e);
                remove_derives(&mut e.attrs, &["Copy", "Hash", "Ord", "PartialOrd"]);
                // Inline object variants keep what they do not declare.
                for v in e.variants.iter_mut() {
                    if let Fields::Named(fields) = &mut v.fields {
                        fields.named.push(
                            syn::Field::parse_named
                                .parse2(quote::quote! {
                                    #[serde(flatten)]
                                    extra: crate::Extra
                                })
                                .map_err(|e| e.to_string())?,
                        );
                    }
                }
                e.variants.push(parse_quote! {
                    /// A value matching none of the declared shapes, kept as
                    /// it was sent.
                    #unknown(::serde_json::Value)
                });
                if !derives(&e.attrs).iter().any(|d| d == "Default") {
                    let name = &e.ident;
                    added.push(parse_quote! {
                        /// `Unknown(null)`: what a null result reads as.
                        impl ::std::default::Default for #name {
                            fn default() -> Self {
                                Self::#unknown(::serde_json::Value::Null)
                            }
                        }
                    });
                }
                stats.unions += 1;
            }
            Item::Struct(s) => {
                let name = s.ident.to_string();
                if let Fields::Unnamed(f) = &s.fields {
                    // Newtypes over text, lists and maps read as empty where
                    // a required one is missing.
                    let defaultable = f.unnamed.len() == 1
                        && (string_newtypes.contains(&name)
                            || classify(&f.unnamed[0].ty, &defaults) != Kind::Leave);
                    if defaultable && !derives(&s.attrs).iter().any(|d| d == "Default") {
                        add_derive(&mut s.attrs, parse_quote!(Default));
                    }
                    continue;
                }
                if !matches!(s.fields, Fields::Named(_))
                    || !derives(&s.attrs).iter().any(|d| d == "Deserialize")
                    || serde_has(&s.attrs, "transparent")
                {
                    continue;
                }
                if derive_default.contains(&name) {
                    add_derive(&mut s.attrs, parse_quote!(Default));
                }
                serde_remove(&mut s.attrs, "deny_unknown_fields");
                // Variants of a tagless `oneOf` are told apart by their
                // required fields, which therefore stay required.
                let strict_required = variant_payloads.contains(&name);
                let extra = extra_field_name(s);
                if let Fields::Named(fields) = &mut s.fields {
                    for f in fields.named.iter_mut() {
                        let kind = classify(&f.ty, &defaults);
                        let had_default = serde_has(&f.attrs, "default");
                        let required = generic_arg(&f.ty, "Option").is_none() && !had_default;
                        if kind == Kind::Leave || (strict_required && required) {
                            continue;
                        }
                        if serde_has(&f.attrs, "deserialize_with") || serde_has(&f.attrs, "with") {
                            continue;
                        }
                        let helper = match kind {
                            Kind::OptScalar => "opt_scalar",
                            Kind::Scalar => "scalar",
                            _ => "or_default",
                        };
                        let path = format!("{HELPERS}::{helper}");
                        if had_default {
                            f.attrs
                                .push(parse_quote!(#[serde(deserialize_with = #path)]));
                        } else {
                            f.attrs
                                .push(parse_quote!(#[serde(default, deserialize_with = #path)]));
                        }
                        stats.fields += 1;
                    }
                    fields.named.push(
                        syn::Field::parse_named
                            .parse2(quote::quote! {
                                /// Properties the server sent that the spec does not
                                /// declare (newer servers add fields): kept, so
                                /// nothing is lost.
                                #[serde(flatten)]
                                pub #extra: crate::Extra
                            })
                            .map_err(|e| e.to_string())?,
                    );
                }
                extended.insert(name, extra);
                stats.structs += 1;
            }
            _ => {}
        }
    }
    items.extend(added);

    // Impls: enum Display, lenient newtype Deserialize, struct literals.
    let union_unknowns: BTreeMap<String, syn::Ident> = items
        .iter()
        .filter_map(|i| match i {
            Item::Enum(e) if untagged_enums.contains(&e.ident.to_string()) => e
                .variants
                .last()
                .map(|v| (e.ident.to_string(), v.ident.clone())),
            _ => None,
        })
        .collect();
    let mut fixer = Fixer {
        string_enums: &string_enums,
        union_unknowns: &union_unknowns,
        string_newtypes: &string_newtypes,
        extended: &extended,
        in_builder: false,
        current: None,
        stats: &mut stats,
        error: None,
    };
    for item in items.iter_mut() {
        fixer.visit_item_mut(item);
    }
    if let Some(e) = fixer.error {
        return Err(e);
    }
    stats.check()?;
    Ok(stats)
}

/// Whether `i` implements a trait named `name` (last path segment).
fn trait_is(i: &ItemImpl, name: &str) -> bool {
    i.trait_
        .as_ref()
        .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == name))
}

fn has_default_impl(items: &[Item], name: &syn::Ident) -> bool {
    items.iter().any(|i| {
        matches!(i, Item::Impl(imp) if trait_is(imp, "Default")
            && local_name(&imp.self_ty).is_some_and(|n| *name == n))
    })
}

struct Fixer<'a> {
    string_enums: &'a BTreeMap<String, syn::Ident>,
    /// Tagless `oneOf` enums and the name of their catch-all variant.
    union_unknowns: &'a BTreeMap<String, syn::Ident>,
    string_newtypes: &'a BTreeSet<String>,
    extended: &'a BTreeMap<String, syn::Ident>,
    /// Inside `mod builder`, where a bare name is the builder's own type.
    in_builder: bool,
    /// The type of `Self` in the impl being visited, if it is a type of
    /// `mod types`.
    current: Option<String>,
    stats: &'a mut Stats,
    error: Option<String>,
}

impl Fixer<'_> {
    fn types_level(&self, ty: &Type) -> Option<String> {
        let Type::Path(p) = ty else { return None };
        let qualified = p.path.segments.first().is_some_and(|s| s.ident == "super");
        if self.in_builder && !qualified {
            return None;
        }
        local_name(ty)
    }
}

impl VisitMut for Fixer<'_> {
    fn visit_item_mod_mut(&mut self, m: &mut ItemMod) {
        let outer = self.in_builder;
        self.in_builder = m.ident == "builder";
        syn::visit_mut::visit_item_mod_mut(self, m);
        self.in_builder = outer;
    }

    fn visit_item_impl_mut(&mut self, i: &mut ItemImpl) {
        let target = self.types_level(&i.self_ty);
        let trait_name = i
            .trait_
            .as_ref()
            .and_then(|(p, _)| p.segments.last().map(|s| s.ident.to_string()));
        if let Some(name) = &target {
            match trait_name.as_deref() {
                Some("Display") if self.string_enums.contains_key(name) => {
                    let unknown = &self.string_enums[name];
                    if display_knows_unknown(i, unknown, false) {
                        self.stats.displays += 1;
                    } else {
                        self.error = Some(format!(
                            "tolerant: `impl Display for {name}` is not a `match *self`"
                        ));
                    }
                }
                Some("Display") if self.union_unknowns.contains_key(name) => {
                    let unknown = &self.union_unknowns[name];
                    if !display_knows_unknown(i, unknown, true) {
                        self.error = Some(format!(
                            "tolerant: `impl Display for {name}` is not a `match self`"
                        ));
                    }
                }
                Some("Deserialize") if self.string_newtypes.contains(name) => {
                    for item in &mut i.items {
                        if let syn::ImplItem::Fn(f) = item {
                            if f.sig.ident == "deserialize" {
                                f.block = parse_quote!({
                                    crate::response::tolerant::scalar(deserializer).map(Self)
                                });
                                self.stats.newtypes += 1;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let outer = std::mem::replace(&mut self.current, target);
        syn::visit_mut::visit_item_impl_mut(self, i);
        self.current = outer;
    }

    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        syn::visit_mut::visit_expr_struct_mut(self, e);
        if e.rest.is_some() || e.qself.is_some() {
            return;
        }
        let name = if e.path.is_ident("Self") {
            self.current.clone()
        } else {
            let path = &e.path;
            self.types_level(&parse_quote!(#path))
        };
        let Some(extra) = name.and_then(|n| self.extended.get(&n)) else {
            return;
        };
        if e.fields
            .iter()
            .any(|f| *extra == f.member.to_token_stream().to_string())
        {
            return;
        }
        e.fields
            .push(parse_quote!(#extra: ::std::default::Default::default()));
        self.stats.literals += 1;
    }
}

/// Adds the arm for the catch-all variant `unknown` to the `match` in a
/// `Display::fmt`: for string enums `match *self` becomes `match self` with
/// `Self::Unknown(value) => f.write_str(value)`; for tagless `oneOf` enums
/// (`match self`) the arm is `Self::Unknown(value) => value.fmt(f)` (its
/// JSON text). `false` when no such `match` is found.
fn display_knows_unknown(i: &mut ItemImpl, unknown: &syn::Ident, union: bool) -> bool {
    for item in &mut i.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        for stmt in &mut f.block.stmts {
            let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt else {
                continue;
            };
            // `match self` (unions) or `match *self` (string enums).
            let on_self =
                |e: &syn::Expr| matches!(e, syn::Expr::Path(p) if p.path.is_ident("self"));
            let matches_self = match &*m.expr {
                syn::Expr::Unary(u) if !union => {
                    matches!(u.op, syn::UnOp::Deref(_)) && on_self(&u.expr)
                }
                e if union => on_self(e),
                _ => false,
            };
            if !matches_self {
                continue;
            }
            m.expr = parse_quote!(self);
            m.arms.push(if union {
                parse_quote!(Self::#unknown(value) => value.fmt(f),)
            } else {
                parse_quote!(Self::#unknown(value) => f.write_str(value),)
            });
            return true;
        }
    }
    false
}

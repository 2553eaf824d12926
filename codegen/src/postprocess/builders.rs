//! Operation builders get a `call_options: tapis::CallOptions` field and the
//! per-call methods of `tapis::request::call_controls!` (`.tapis_header`,
//! `.tapis_query`, `.tracking_id`, `.timeout`, `.retry_policy`,
//! `.debug_capture`, `.call_options`).

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemMod};

use super::paging::{self, Send};

/// The methods `call_controls!` adds; a spec parameter with one of these
/// names would collide, which fails the build.
const CONTROL_METHODS: &[&str] = &[
    "tapis_header",
    "tapis_headers",
    "tapis_query",
    "tapis_query_params",
    "tracking_id",
    "timeout",
    "retry_policy",
    "debug_capture",
    "call_options",
    "on_behalf_of",
    "paginate",
];

/// Rewrites progenitor's `mod builder`; `sends` maps builders to their
/// operation when its result is a list (a paging candidate). Returns how
/// many builders it found and the operationIds that got `.paginate()`.
pub(super) fn rewrite(
    module: &mut ItemMod,
    sends: &BTreeMap<String, Send>,
) -> Result<(usize, Vec<String>), String> {
    let Some((_, items)) = &mut module.content else {
        return Ok((0, Vec::new()));
    };
    let mut builders = Vec::new();
    let mut paged = Vec::new();
    let mut paging_items = Vec::new();
    for item in items.iter_mut() {
        if let Item::Struct(s) = item {
            let is_builder = matches!(&s.fields, Fields::Named(fields) if fields
                .named
                .iter()
                .any(|f| f.ident.as_ref().is_some_and(|i| i == "client")));
            if !is_builder {
                continue;
            }
            if let Some(send) = sends.get(&s.ident.to_string()) {
                if let Some(extra) = paging::items_for(s, send) {
                    paging_items.extend(extra);
                    paged.push(send.op_id.clone());
                }
            }
            let Fields::Named(fields) = &mut s.fields else {
                continue;
            };
            fields
                .named
                .push(syn::parse_quote!(call_options: crate::CallOptions));
            builders.push(s.ident.clone());
        }
    }
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let is_builder = builders.iter().any(|b| {
            imp.self_ty
                .to_token_stream()
                .to_string()
                .starts_with(&b.to_string())
        });
        if !is_builder || imp.trait_.is_some() {
            continue;
        }
        for member in &mut imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let name = f.sig.ident.to_string();
            if CONTROL_METHODS.contains(&name.as_str()) {
                return Err(format!(
                    "builder `{}` has a parameter method `{name}` that collides with a per-call method",
                    imp.self_ty.to_token_stream()
                ));
            }
            if name == "new" {
                InitOptions.visit_block_mut(&mut f.block);
            }
        }
    }
    for builder in &builders {
        items.push(syn::parse_quote!(crate::request::call_controls!(#builder);));
    }
    items.extend(paging_items);
    paged.sort();
    Ok((builders.len(), paged))
}

/// `Self { client: client, .. }` in `new` → `.., call_options: Default::default()`.
struct InitOptions;

impl VisitMut for InitOptions {
    fn visit_expr_struct_mut(&mut self, s: &mut syn::ExprStruct) {
        if s.path.is_ident("Self") {
            s.fields
                .push(syn::parse_quote!(call_options: ::std::default::Default::default()));
        }
    }
}

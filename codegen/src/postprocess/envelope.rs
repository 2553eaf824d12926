//! `impl tapis::Envelope` for every operation success type with a `result`
//! field, so `.into_result()` and the envelope metadata work on it.

use std::collections::BTreeSet;

use quote::{format_ident, ToTokens};
use syn::{Fields, Item, ItemMod, Type};

use super::send::generic_arg;

/// Adds the impls inside `mod types`, for the structs named in `success`
/// (`types::X` success types of the operations). Returns how many.
pub(super) fn add_impls(module: &mut ItemMod, success: &BTreeSet<String>) -> usize {
    let Some((_, items)) = &mut module.content else {
        return 0;
    };
    let mut impls: Vec<Item> = Vec::new();
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        if !success.contains(&s.ident.to_string()) {
            continue;
        }
        let Fields::Named(fields) = &s.fields else {
            continue;
        };
        let field = |name: &str| {
            fields
                .named
                .iter()
                .find(|f| f.ident.as_ref().is_some_and(|i| i == name))
        };
        let Some(result) = field("result") else {
            continue;
        };
        let name = &s.ident;
        let (inner, optional) = match generic_arg(&result.ty, "Option") {
            Some(inner) => (inner, true),
            None => (result.ty.clone(), false),
        };
        let (get, take) = if optional {
            (
                quote::quote!(self.result.as_ref()),
                quote::quote!(self.result),
            )
        } else {
            (
                quote::quote!(Some(&self.result)),
                quote::quote!(Some(self.result)),
            )
        };
        let part = |name: &str| match field(name) {
            Some(_) => {
                let ident = format_ident!("{name}");
                quote::quote!(&self.#ident)
            }
            None => quote::quote!(&()),
        };
        let (status, message, version, metadata) = (
            part("status"),
            part("message"),
            part("version"),
            part("metadata"),
        );
        impls.push(syn::parse_quote! {
            impl crate::Envelope for #name {
                type Result = #inner;
                fn result(&self) -> ::std::option::Option<&#inner> {
                    #get
                }
                fn take_result(self) -> ::std::option::Option<#inner> {
                    #take
                }
                fn envelope_info(&self) -> crate::EnvelopeInfo {
                    crate::response::envelope_info(#status, #message, #version, #metadata)
                }
            }
        });
    }
    let n = impls.len();
    items.extend(impls);
    n
}

/// `types::X` → `X`; other types (maps, vectors, streams) → `None`.
pub(super) fn types_name(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    let segs: Vec<_> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [module, name] if module.ident == "types" && name.arguments.is_empty() => {
            Some(name.ident.to_token_stream().to_string())
        }
        _ => None,
    }
}

//! `impl tapis::Envelope` for every operation success type with a `result`
//! field, so `.into_result()` and the envelope metadata work on it.

use std::collections::BTreeSet;

use quote::{format_ident, ToTokens};
use syn::{Fields, Item, ItemMod, Type};

use super::send::generic_arg;

/// Adds the impls inside `mod types`, for the structs named in `success`
/// (`types::X` success types of the operations). Returns the names of those
/// whose `result` is a list.
pub(super) fn add_impls(module: &mut ItemMod, success: &BTreeSet<String>) -> BTreeSet<String> {
    let mut lists = BTreeSet::new();
    let Some((_, items)) = &mut module.content else {
        return lists;
    };
    let mut impls: Vec<Item> = Vec::new();
    // Named list types (`struct ArrayOfTenants(pub Vec<Tenant>)`) are lists too.
    let mut list_newtypes = BTreeSet::new();
    for item in items.iter() {
        let Item::Struct(s) = item else { continue };
        let Fields::Unnamed(fields) = &s.fields else {
            continue;
        };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        if let Some(element) = generic_arg(&field.ty, "Vec") {
            let name = &s.ident;
            list_newtypes.insert(name.to_string());
            impls.push(syn::parse_quote! {
                impl crate::paging::Items for #name {
                    type Item = #element;
                    fn into_items(self) -> ::std::vec::Vec<#element> {
                        self.0
                    }
                }
            });
        }
    }
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
        let named_list = types_name(&inner)
            .or_else(|| Some(inner.to_token_stream().to_string()))
            .is_some_and(|n| list_newtypes.contains(&n));
        if generic_arg(&inner, "Vec").is_some() || named_list {
            lists.insert(name.to_string());
        }
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
    items.extend(impls);
    lists
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

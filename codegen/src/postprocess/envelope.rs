//! `impl tapis::Envelope` for every operation success type with a `result`
//! field, so `.into_result()` and the envelope metadata work on it.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
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
    // typify's string enums: displayed as the text they are sent as.
    let displayed: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(i)
                if i.trait_.as_ref().is_some_and(|(path, _)| {
                    path.segments.last().is_some_and(|s| s.ident == "Display")
                }) =>
            {
                single_ident(&i.self_ty)
            }
            _ => None,
        })
        .collect();
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
            (quote!(self.result.as_ref()), quote!(self.result))
        } else {
            (quote!(Some(&self.result)), quote!(Some(self.result)))
        };
        let (status, message, version, metadata) = (
            text_part(field("status"), &displayed),
            text_part(field("message"), &displayed),
            text_part(field("version"), &displayed),
            json_part(field("metadata")),
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

/// An envelope part `envelope_info` takes as text (`status`, `message`,
/// `version`): cloned where it is declared as text, displayed where its type
/// has `Display`, and only otherwise through serde (`envelope_part`), whose
/// generic code is compiled once per part type.
fn text_part(field: Option<&syn::Field>, displayed: &BTreeSet<String>) -> TokenStream {
    let Some((ident, inner, optional)) = declared(field) else {
        return quote!(::std::option::Option::None);
    };
    let displays = single_ident(&inner).is_some_and(|n| displayed.contains(&n));
    match (is_path(&inner, &["String"]), displays, optional) {
        (true, _, true) => quote!(self.#ident.clone()),
        (true, _, false) => quote!(::std::option::Option::Some(self.#ident.clone())),
        (false, true, true) => {
            quote!(self.#ident.as_ref().map(::std::string::ToString::to_string))
        }
        (false, true, false) => quote!(::std::option::Option::Some(self.#ident.to_string())),
        (false, false, _) => {
            quote!(crate::response::envelope_text(crate::response::envelope_part(&self.#ident)))
        }
    }
}

/// The `metadata` part, as JSON: cloned where it is declared as JSON (a
/// value or an object), otherwise through serde (`envelope_part`).
fn json_part(field: Option<&syn::Field>) -> TokenStream {
    let Some((ident, inner, optional)) = declared(field) else {
        return quote!(::std::option::Option::None);
    };
    match (
        optional,
        is_path(&inner, &["serde_json", "Value"]),
        is_path(&inner, &["serde_json", "Map"]),
    ) {
        (true, true, _) => quote!(self.#ident.clone()),
        (false, true, _) => quote!(::std::option::Option::Some(self.#ident.clone())),
        (true, _, true) => quote!(self.#ident.clone().map(::serde_json::Value::Object)),
        (false, _, true) => {
            quote!(::std::option::Option::Some(::serde_json::Value::Object(self.#ident.clone())))
        }
        _ => quote!(crate::response::envelope_part(&self.#ident)),
    }
}

/// A part's field name, its type without `Option` and whether it had one.
fn declared(field: Option<&syn::Field>) -> Option<(&syn::Ident, Type, bool)> {
    let field = field?;
    let ident = field.ident.as_ref()?;
    Some(match generic_arg(&field.ty, "Option") {
        Some(inner) => (ident, inner, true),
        None => (ident, field.ty.clone(), false),
    })
}

/// Whether `ty`'s path ends in `tail` (`["serde_json", "Map"]` matches
/// `::serde_json::Map<K, V>`, `["String"]` matches `::std::string::String`).
fn is_path(ty: &Type, tail: &[&str]) -> bool {
    let Type::Path(p) = ty else { return false };
    let segs: Vec<_> = p.path.segments.iter().collect();
    segs.len() >= tail.len()
        && segs[segs.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(seg, name)| seg.ident == name)
}

/// `X` (a bare one-segment type name) → `"X"`.
fn single_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope_info_body(types: &str) -> String {
        let mut module: ItemMod = syn::parse_str(&format!("mod types {{ {types} }}")).unwrap();
        let success = BTreeSet::from(["Resp".to_string()]);
        add_impls(&mut module, &success);
        let text = module.to_token_stream().to_string();
        let start = text.find("fn envelope_info").expect("an Envelope impl");
        text[start..].split_whitespace().collect()
    }

    #[test]
    fn text_and_json_parts_are_cloned_displayed_or_serialized() {
        let body = envelope_info_body(
            "pub struct Resp {
                 pub status: ::std::option::Option<RespStatus>,
                 pub message: ::std::string::String,
                 pub version: ::std::option::Option<i64>,
                 pub metadata: ::std::option::Option<::serde_json::Map<::std::string::String, ::serde_json::Value>>,
                 pub result: ::std::option::Option<Thing>,
             }
             pub enum RespStatus { Success }
             impl ::std::fmt::Display for RespStatus {}",
        );
        for wanted in [
            "self.status.as_ref().map(::std::string::ToString::to_string)",
            "::std::option::Option::Some(self.message.clone())",
            "crate::response::envelope_text(crate::response::envelope_part(&self.version))",
            "self.metadata.clone().map(::serde_json::Value::Object)",
        ] {
            let wanted: String = wanted.split_whitespace().collect();
            assert!(body.contains(&wanted), "{wanted} not in {body}");
        }
    }

    #[test]
    fn absent_parts_are_none_and_other_metadata_is_serialized() {
        let body = envelope_info_body(
            "pub struct Resp {
                 pub message: ::std::option::Option<::std::string::String>,
                 pub metadata: ResultMetadata,
                 pub result: Thing,
             }",
        );
        let wanted: String = "crate::response::envelope_info(::std::option::Option::None, \
             self.message.clone(), ::std::option::Option::None, \
             crate::response::envelope_part(&self.metadata))"
            .split_whitespace()
            .collect();
        assert!(body.contains(&wanted), "{wanted} not in {body}");
    }
}

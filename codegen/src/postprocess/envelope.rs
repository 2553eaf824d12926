//! `impl tapis::Envelope` for every operation success type with a `result`
//! field, so `.into_result()` and the envelope metadata work on it.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Fields, Item, ItemMod, Type};

use super::send::generic_arg;

/// The success types in the Tapis envelope.
#[derive(Default)]
pub(super) struct Envelopes {
    /// Every one of them, and those that declare an envelope's `status` and
    /// `message` but no `result`: their `send()` refuses a 2xx whose
    /// envelope says `"status": "error"` (`tapis::response::answer_envelope`).
    pub all: BTreeSet<String>,
    /// Those whose `result` is a list (the paging candidates).
    pub lists: BTreeSet<String>,
}

/// Adds the impls inside `mod types`, for the structs named in `success`
/// (`types::X` success types of the operations).
pub(super) fn add_impls(module: &mut ItemMod, success: &BTreeSet<String>) -> Envelopes {
    let mut envelopes = Envelopes::default();
    let Some((_, items)) = &mut module.content else {
        return envelopes;
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
        // An envelope without a declared `result` (`BasicResponse`) gets no
        // impl, but is still read as an envelope.
        if field("status").is_some() && field("message").is_some() {
            envelopes.all.insert(s.ident.to_string());
        }
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
            envelopes.lists.insert(name.to_string());
        }
        envelopes.all.insert(name.to_string());
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
    envelopes
}

/// Lets the optional `result` of every success envelope in `mod types`
/// (named in `success`) that holds a list, a map or an object read `""` as
/// `None` (`tapis::response::tolerant::opt_or_blank`): Flask services
/// answer "nothing" as `result=''`. Results of text, JSON values, scalars
/// and enums, and fields that already have a reader, are left alone.
/// Returns how many fields it changed.
pub(super) fn tolerate_blank_results(module: &mut ItemMod, success: &BTreeSet<String>) -> usize {
    let Some((_, items)) = &mut module.content else {
        return 0;
    };
    // Objects, and the newtypes over a list (`struct ArrayOfTenants(pub
    // Vec<Tenant>)`); not the newtypes over text, for which `""` is a value.
    let structs: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Named(_) => Some(s.ident.to_string()),
                Fields::Unnamed(f)
                    if f.unnamed.len() == 1 && generic_arg(&f.unnamed[0].ty, "Vec").is_some() =>
                {
                    Some(s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut changed = 0;
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        if !success.contains(&s.ident.to_string()) {
            continue;
        }
        let Fields::Named(fields) = &mut s.fields else {
            continue;
        };
        let Some(field) = fields
            .named
            .iter_mut()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "result"))
        else {
            continue;
        };
        let Some(inner) = generic_arg(&field.ty, "Option") else {
            continue;
        };
        let collection = generic_arg(&inner, "Vec").is_some()
            || ["Map", "HashMap", "BTreeMap"]
                .iter()
                .any(|map| is_path(&inner, &[map]))
            || single_ident(&inner).is_some_and(|n| structs.contains(&n));
        if !collection
            || super::tolerant::serde_has(&field.attrs, "deserialize_with")
            || super::tolerant::serde_has(&field.attrs, "with")
        {
            continue;
        }
        let path = "crate::response::tolerant::opt_or_blank";
        field
            .attrs
            .push(if super::tolerant::serde_has(&field.attrs, "default") {
                syn::parse_quote!(#[serde(deserialize_with = #path)])
            } else {
                syn::parse_quote!(#[serde(default, deserialize_with = #path)])
            });
        changed += 1;
    }
    changed
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

    #[test]
    fn blank_results_of_lists_and_objects_read_as_none() {
        let mut module: ItemMod = syn::parse_str(
            r#"mod types {
                pub struct Obj { pub a: i64 }
                pub struct Names(pub ::std::string::String);
                pub struct List(pub ::std::vec::Vec<Obj>);
                pub struct ListResp { pub result: ::std::option::Option<::std::vec::Vec<Obj>>, pub status: ::std::option::Option<::std::string::String> }
                #[serde(default)]
                pub struct ObjResp {
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub result: ::std::option::Option<Obj>,
                }
                pub struct MapResp { pub result: ::std::option::Option<::serde_json::Map<::std::string::String, ::serde_json::Value>> }
                pub struct NewtypeResp { pub result: ::std::option::Option<List> }
                pub struct TextResp { pub result: ::std::option::Option<::std::string::String> }
                pub struct NameResp { pub result: ::std::option::Option<Names> }
                pub struct ValueResp { pub result: ::std::option::Option<::serde_json::Value> }
                pub struct Required { pub result: ::std::vec::Vec<Obj> }
                pub struct Read { #[serde(deserialize_with = "x")] pub result: ::std::option::Option<Obj> }
                pub struct NotASuccess { pub result: ::std::option::Option<Obj> }
            }"#,
        )
        .unwrap();
        let success = [
            "ListResp",
            "ObjResp",
            "MapResp",
            "NewtypeResp",
            "TextResp",
            "NameResp",
            "ValueResp",
            "Required",
            "Read",
        ]
        .map(String::from)
        .into();
        assert_eq!(tolerate_blank_results(&mut module, &success), 4);
        let text: String = module
            .to_token_stream()
            .to_string()
            .split_whitespace()
            .collect();
        for changed in ["ListResp", "MapResp", "NewtypeResp"] {
            let wanted = format!(
                "pubstruct{changed}{{#[serde(default,deserialize_with=\"crate::response::tolerant::opt_or_blank\")]pubresult"
            );
            assert!(text.contains(&wanted), "{wanted} not in {text}");
        }
        // `default` is there already: not given twice.
        assert!(text.contains(
            "skip_serializing_if=\"::std::option::Option::is_none\")]#[serde(deserialize_with=\"crate::response::tolerant::opt_or_blank\")]pubresult:::std::option::Option<Obj>"
        ), "{text}");
        assert_eq!(text.matches("opt_or_blank").count(), 4, "{text}");
    }
}

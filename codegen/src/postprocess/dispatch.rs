//! A dispatcher over every generated operation, for the conformance suite
//! and the real-response corpus (`tests/conformance/calls.rs`):
//! `call(client, operationId, args)` builds the operation's request from
//! JSON arguments keyed by builder method, each decoded into the method's
//! declared type, sends it and gives the typed body back as JSON. Only those
//! tests compile it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{GenericParam, ImplItem, Item, Type, WherePredicate};

use super::paging::Send;

/// The dispatcher source for the service generated into `file`, as an
/// `async fn <module>(client, op, args)`; `module` is the crate's module.
pub(super) fn source(file: &syn::File, sends: &BTreeMap<String, Send>, module: &str) -> String {
    // builder name → the `Client` method that makes it.
    let mut makers = BTreeMap::new();
    // builder name → its setters: (method, declared type).
    let mut setters: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in &file.items {
        match item {
            Item::Impl(i) if is_named(&i.self_ty, "Client") && i.trait_.is_none() => {
                for f in fns(&i.items) {
                    if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                        if let Some(name) = last_ident(ty) {
                            makers.insert(name, f.sig.ident.to_string());
                        }
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                for i in m.content.iter().flat_map(|(_, items)| items) {
                    let Item::Impl(i) = i else { continue };
                    let Some(builder) = last_ident(&i.self_ty) else {
                        continue;
                    };
                    for f in fns(&i.items) {
                        if let Some(ty) = setter_type(f, module) {
                            setters
                                .entry(builder.clone())
                                .or_default()
                                .push((f.sig.ident.to_string(), ty));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#[allow(unused_mut, clippy::all)]\nasync fn {module}(c: &tapis::{module}::Client, op: &str, args: &Args) \
         -> Option<Result<Outcome, Failure>> {{\n    Some(match op {{"
    );
    for (builder, send) in sends {
        let Some(maker) = makers.get(builder) else {
            continue;
        };
        let list = setters.get(builder).map(Vec::as_slice).unwrap_or_default();
        let names: Vec<String> = list.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let _ = writeln!(
            out,
            "        \"{}\" => async {{\n            known(args, &[{}])?;\n            let mut b = c.{maker}();",
            send.op_id,
            names.join(", ")
        );
        for (name, ty) in list {
            // A raw body is not decoded from JSON: its text is sent.
            let decode = if ty.contains("reqwest") {
                format!("raw_body(\"{name}\", v)?")
            } else {
                format!("arg::<{ty}>(\"{name}\", v)?")
            };
            let _ = writeln!(
                out,
                "            if let Some(v) = args.get(\"{name}\") {{ b = b.{name}({decode}); }}"
            );
        }
        // A typed body comes back as JSON (the real-response corpus compares
        // it with what the server sent); a download as `None`.
        let is_download = matches!(&send.success, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Download"));
        let outcome = if is_download {
            "|_| None"
        } else {
            "|r| typed(r.into_inner())"
        };
        let _ = writeln!(
            out,
            "            b.send().await.map({outcome}).map_err(Failure::sent)\n        }}.await,"
        );
    }
    let _ = writeln!(out, "        _ => return None,\n    }})\n}}\n");
    out
}

fn fns(items: &[ImplItem]) -> impl Iterator<Item = &syn::ImplItemFn> {
    items.iter().filter_map(|i| match i {
        ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}

fn is_named(ty: &Type, name: &str) -> bool {
    last_ident(ty).is_some_and(|n| n == name)
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `fn name<V>(self, value: V) -> Self where V: TryInto<T>` → `T` (`B` for
/// raw bodies), with
/// `types::` paths made absolute.
fn setter_type(f: &syn::ImplItemFn, module: &str) -> Option<String> {
    // The value's type parameter: `V`, or `B` for raw bodies.
    let params = &f.sig.generics.params;
    let Some(GenericParam::Type(value)) = params.first().filter(|_| params.len() == 1) else {
        return None;
    };
    let clause = f.sig.generics.where_clause.as_ref()?;
    for predicate in &clause.predicates {
        let WherePredicate::Type(p) = predicate else {
            continue;
        };
        if value.ident != p.bounded_ty.to_token_stream().to_string() {
            continue;
        }
        for bound in &p.bounds {
            let syn::TypeParamBound::Trait(t) = bound else {
                continue;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                continue;
            }
            let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
                continue;
            };
            let Some(syn::GenericArgument::Type(ty)) = a.args.first() else {
                continue;
            };
            let mut ty = ty.clone();
            Absolute { module }.visit_type_mut(&mut ty);
            return Some(ty.to_token_stream().to_string());
        }
    }
    None
}

/// Rewrites `types::X` to `tapis::<module>::types::X`.
struct Absolute<'a> {
    module: &'a str,
}

impl VisitMut for Absolute<'_> {
    fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
        if p.qself.is_none()
            && p.path.leading_colon.is_none()
            && p.path.segments.first().is_some_and(|s| s.ident == "types")
        {
            let module = syn::Ident::new(self.module, proc_macro2::Span::call_site());
            p.path = syn::parse_quote!(tapis::#module::#p);
        }
        syn::visit_mut::visit_type_path_mut(self, p);
    }
}

//! Operation builders get a `call_options: tapis::CallOptions` field and the
//! per-call methods of `tapis::request::call_controls!` (written by build.rs
//! from [`crate::controls::CONTROLS`]), `.send()`, `.send_json()`,
//! `.send_blocking()` (cargo feature `blocking`), `.body_json()` where the
//! operation takes a JSON body, `.to_file()`/`.to_writer()` for downloads
//! and, for list operations, `.paginate()`.

use std::collections::BTreeMap;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemMod};

use super::envelope::Envelopes;
use super::paging::{self, Send};

/// The methods post-processing adds to builders besides the per-call ones
/// of [`crate::controls::CONTROLS`]; a spec parameter whose setter would take
/// one of these names, or a per-call one, fails the build.
const ADDED_METHODS: &[&str] = &[
    "paginate",
    "send_blocking",
    "send_json",
    "to_file",
    "to_writer",
    "body_json",
];

/// Whether a builder method named `name` would collide with one the SDK adds.
fn is_reserved_method(name: &str) -> bool {
    ADDED_METHODS.contains(&name) || crate::controls::CONTROLS.iter().any(|c| c.name == name)
}

/// Rewrites progenitor's `mod builder`; `sends` maps builders to their
/// operation, `envelopes` names the success types in the Tapis envelope
/// (and those whose result is a list, the paging candidates). Returns how
/// many builders it found and the operationIds that got `.paginate()`.
pub(super) fn rewrite(
    module: &mut ItemMod,
    sends: &BTreeMap<String, Send>,
    envelopes: &Envelopes,
) -> Result<(usize, Vec<String>), String> {
    let Some((_, items)) = &mut module.content else {
        return Ok((0, Vec::new()));
    };
    let mut builders = Vec::new();
    let mut paged = Vec::new();
    // `.send_blocking()` and the paging impls, added after the builders.
    let mut added_items = Vec::new();
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
                let success = super::envelope::types_name(&send.success);
                let in_envelope = success.as_ref().is_some_and(|n| envelopes.all.contains(n));
                added_items.push(sends_of(s, send, in_envelope)?);
                added_items.push(blocking_send(s, &send.success));
                if is_download(&send.success) {
                    added_items.push(download_methods(s));
                }
                let shape = if success.is_some_and(|n| envelopes.lists.contains(&n)) {
                    Some(paging::Shape::Envelope)
                } else if super::send::generic_arg(&send.success, "Vec").is_some() {
                    Some(paging::Shape::Bare)
                } else {
                    None
                };
                if let Some(extra) = shape.and_then(|shape| paging::items_for(s, send, shape)) {
                    added_items.extend(extra);
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
        // `impl<'a> GetSystem<'a>`: the last segment's name, exactly.
        let is_builder = matches!(&*imp.self_ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| builders.contains(&s.ident)));
        if !is_builder || imp.trait_.is_some() {
            continue;
        }
        let builder_name = match &*imp.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        let mut body_json = None;
        if let Some(send) = builder_name.as_ref().and_then(|b| sends.get(b)) {
            body_json = super::setters::body_json(imp, &send.op_id);
            let documented = super::setters::document(imp, &send.op_id, &send.params);
            if documented != send.params.len() {
                return Err(format!(
                    "`{}`: {documented} of its {} parameters have a setter",
                    send.op_id,
                    send.params.len()
                ));
            }
        }
        for member in &mut imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let name = f.sig.ident.to_string();
            if is_reserved_method(&name) {
                return Err(format!(
                    "builder `{}` has a parameter method `{name}` that collides with a per-call method",
                    imp.self_ty.to_token_stream()
                ));
            }
            if name == "new" {
                InitOptions.visit_block_mut(&mut f.block);
            }
        }
        imp.items.extend(body_json);
    }
    for builder in &builders {
        items.push(syn::parse_quote!(crate::request::call_controls!(#builder);));
    }
    items.extend(added_items);
    paged.sort();
    Ok((builders.len(), paged))
}

/// `.send()` (typed) and `.send_json()` (untyped), both on `prepare()`.
///
/// Every method that reaches the decoder of an answer (these, `prepare`,
/// `body_json`, a paged builder's `fetch_page`) is `#[inline]`: rustc then
/// compiles it, with the serde code it instantiates, in the crate that calls
/// it, not in `tapis` itself. A user's build pays for the operations it
/// uses, not for all ~500 (the `tapis` crate's code generation went from
/// ~26 s to ~6 s of a clean debug build; BENCHMARKS.md "Compile cost").
///
/// An answer in the Tapis envelope (`in_envelope`) is read by
/// `answer_envelope` rather than `answer_json`: a 2xx whose envelope says
/// `"status": "error"` is an error (see that function).
fn sends_of(builder: &syn::ItemStruct, send: &Send, in_envelope: bool) -> Result<Item, String> {
    let name = &builder.ident;
    let (impl_generics, type_generics, where_clause) = builder.generics.split_for_impl();
    let (success, attrs) = (&send.success, &send.attrs);
    let answer = if in_envelope {
        envelope_answer(&send.decode).ok_or_else(|| {
            format!(
                "`{}`: an envelope answer read by neither `answer_json` nor \
                 `answer_json_or_default`",
                send.op_id
            )
        })?
    } else {
        send.decode.clone()
    };
    // The builder's lifetime (the client it borrows), which the returned
    // future keeps.
    let lifetime = builder
        .generics
        .lifetimes()
        .next()
        .map(|l| l.lifetime.clone())
        .unwrap_or_else(|| syn::parse_quote!('static));
    Ok(syn::parse_quote! {
        impl #impl_generics #name #type_generics #where_clause {
            #(#attrs)*
            #[inline]
            pub fn send(self) -> impl ::std::future::Future<
                Output = Result<crate::Response<#success>, crate::Error>,
            > + Send + #lifetime {
                let pending = crate::transport::start(self.prepare());
                #answer
            }

            /// [`send`](Self::send) without the declared type: the body as any
            /// JSON value, through the same path building, authentication,
            /// retries and errors. For what a server sends that no tolerance
            /// of the typed answer covers.
            #[inline]
            pub fn send_json(self) -> impl ::std::future::Future<
                Output = Result<crate::Response<::serde_json::Value>, crate::Error>,
            > + Send + #lifetime {
                crate::response::answer_json(crate::transport::start(self.prepare()))
            }
        }
    })
}

/// `answer_json(..)` / `answer_json_or_default(..)` (the calls `send.rs`
/// writes) as `answer_envelope(..)` / `answer_envelope_or_default(..)`, the
/// same arguments; `None` for any other expression.
fn envelope_answer(answer: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Call(call) = answer else {
        return None;
    };
    let syn::Expr::Path(function) = &*call.func else {
        return None;
    };
    let mut call = call.clone();
    let mut function = function.clone();
    let last = function.path.segments.last_mut()?;
    last.ident = match last.ident.to_string().as_str() {
        "answer_json" => syn::Ident::new("answer_envelope", last.ident.span()),
        "answer_json_or_default" => {
            syn::Ident::new("answer_envelope_or_default", last.ident.span())
        }
        _ => return None,
    };
    call.func = Box::new(syn::Expr::Path(function));
    Some(syn::Expr::Call(call))
}

/// `.send_blocking()`: `send` on the runtime of `tapis::blocking`.
fn blocking_send(builder: &syn::ItemStruct, success: &syn::Type) -> Item {
    let name = &builder.ident;
    let (impl_generics, type_generics, where_clause) = builder.generics.split_for_impl();
    syn::parse_quote! {
        impl #impl_generics #name #type_generics #where_clause {
            /// [`send`](Self::send) for code that is not async: runs the call on the
            /// runtime of [`crate::blocking`] and waits for it. Called from async code
            /// it is an [`crate::Error::Config`] (use `.send().await` there).
            #[cfg(feature = "blocking")]
            #[inline]
            pub fn send_blocking(self) -> Result<crate::Response<#success>, crate::Error> {
                crate::blocking::block_on(self.send())
            }
        }
    }
}

/// Whether an operation's answer is a download (`crate::Download`).
fn is_download(success: &syn::Type) -> bool {
    matches!(success, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "Download"))
}

/// `.to_file(dest)` and `.to_writer(w)` on a download operation's builder.
fn download_methods(builder: &syn::ItemStruct) -> Item {
    let name = &builder.ident;
    let (impl_generics, type_generics, where_clause) = builder.generics.split_for_impl();
    syn::parse_quote! {
        impl #impl_generics #name #type_generics #where_clause {
            /// Sends the call and streams the answer into the file `dest`, through a
            /// temporary file renamed once complete (see [`crate::Download::to_file`]);
            /// returns the bytes written. A destination whose directory does not
            /// exist is [`crate::Error::InvalidInput`] before anything is sent.
            pub async fn to_file(self, dest: impl AsRef<::std::path::Path>) -> Result<u64, crate::Error> {
                crate::transfer::send_to_file(self.send(), dest.as_ref()).await
            }

            /// Sends the call and streams the answer into `writer`; returns the
            /// bytes written (see [`crate::Download::to_writer`]).
            pub async fn to_writer<W: ::tokio::io::AsyncWrite + Unpin>(self, writer: W) -> Result<u64, crate::Error> {
                self.send().await?.into_inner().to_writer(writer).await
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn squeezed(e: &syn::Expr) -> String {
        e.to_token_stream().to_string().split_whitespace().collect()
    }

    #[test]
    fn envelope_answers_refuse_error_envelopes_and_keep_their_arguments() {
        let json: syn::Expr = syn::parse_quote!(crate::response::answer_json(pending));
        assert_eq!(
            squeezed(&envelope_answer(&json).unwrap()),
            "crate::response::answer_envelope(pending)"
        );
        let or_default: syn::Expr =
            syn::parse_quote!(crate::response::answer_json_or_default(pending, &[204u16]));
        assert_eq!(
            squeezed(&envelope_answer(&or_default).unwrap()),
            "crate::response::answer_envelope_or_default(pending,&[204u16])"
        );
        for other in [
            syn::parse_quote!(crate::response::answer_download(pending)),
            syn::parse_quote!(crate::response::answer_empty(pending)),
            syn::parse_quote!(pending),
        ] {
            assert!(envelope_answer(&other).is_none(), "{}", squeezed(&other));
        }
    }
}

//! Each operation's `send`: progenitor's execution and error handling are
//! replaced by `tapis::transport::send` (per-call options, token, retries,
//! tracing, typed errors). The request part becomes the builder's private
//! `exchange()`, returning the successful `reqwest::Response`; the decoding
//! part is returned to the caller, which adds `send()` (typed,
//! `Result<tapis::Response<T>, tapis::Error>`) and `send_json()` (untyped)
//! on top of `exchange()` (`builders.rs`).

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Expr, ExprLit, ImplItemFn, Lit, Pat, Stmt, Type};

use super::OpInfo;

/// How the success arm of a `send` produces its value.
enum Success {
    /// A typed JSON body.
    Json,
    /// A download (`tapis::Download`).
    Stream,
    /// No body.
    Empty,
}

/// Rewrites one `send` in place into `exchange`; returns its success type
/// `T`, the expression that decodes `response` into
/// `Result<tapis::Response<T>, tapis::Error>`, and `send`'s attributes (its
/// docs). `optional` names the builder's fields that hold an optional value.
pub(super) fn rewrite(
    f: &mut ImplItemFn,
    op: &OpInfo,
    service: &str,
    optional: &BTreeSet<String>,
) -> Result<(Type, Expr, Vec<syn::Attribute>), String> {
    let mut success_type = success_type(&f.sig.output)
        .ok_or_else(|| format!("`{}`: unexpected return type of send()", op.id))?;

    // The status match decides how the answer is read, which the
    // operation's description tells the transport.
    let (decode, kind) = f
        .block
        .stmts
        .iter()
        .find_map(|stmt| match stmt {
            Stmt::Expr(Expr::Match(m), None) => Some(rewrite_match(m, op)),
            _ => None,
        })
        .ok_or_else(|| format!("`{}`: no status match found in send()", op.id))??;
    if matches!(kind, Success::Stream) {
        success_type = syn::parse_quote!(crate::Download);
    }
    let operation = {
        let (id, method, path) = (&op.id, op.method.to_uppercase(), &op.path);
        let whole_answer = matches!(kind, Success::Json);
        quote::quote!(&crate::transport::Operation {
            service: #service, id: #id, method: #method, path: #path, whole_answer: #whole_answer
        })
    };
    let mut stmts = Vec::with_capacity(f.block.stmts.len());
    let mut sent = false;
    for stmt in std::mem::take(&mut f.block.stmts) {
        // `let Self { client, a, b } = self;` takes the call options too.
        if let Some(fields) = self_fields(&stmt) {
            stmts.push(syn::parse_quote!(let Self { #(#fields,)* call_options } = self;));
            continue;
        }
        let text = stmt.to_token_stream().to_string();
        match &stmt {
            // `let mut request = <builder chain>.build()?;` keeps the builder:
            // the transport builds it.
            Stmt::Local(local) if text.starts_with("# [allow (unused_mut)] let mut request") => {
                let init = local.init.as_ref().map(|i| &*i.expr);
                let Some(Expr::Try(t)) = init else {
                    return Err(format!("`{}`: unexpected request construction", op.id));
                };
                let Expr::MethodCall(build) = &*t.expr else {
                    return Err(format!("`{}`: unexpected request construction", op.id));
                };
                stmts.extend(optional_query_last(&build.receiver, optional));
            }
            // progenitor's hooks and execution become one transport call.
            _ if text.starts_with("let info = OperationInfo") => {
                stmts.push(syn::parse_quote!(
                    let response = crate::transport::send(&client.inner, #operation, request, call_options).await?;
                ));
                sent = true;
            }
            _ if text.starts_with("client . pre (")
                || text.starts_with("let result = client . exec (")
                || text.starts_with("client . post (")
                || text.starts_with("let response = result ?") => {}
            Stmt::Expr(Expr::Match(_), None) => {}
            _ => stmts.push(stmt),
        }
    }
    if !sent {
        return Err(format!("`{}`: no request execution found in send()", op.id));
    }
    stmts.push(syn::parse_quote!(return Ok(response);));
    f.block.stmts = stmts;
    f.sig.ident = syn::parse_quote!(exchange);
    f.vis = syn::Visibility::Inherited;
    f.sig.output = syn::parse_quote!(-> Result<::reqwest::Response, crate::Error>);
    InvalidRequest.visit_block_mut(&mut f.block);
    HeaderValues.visit_block_mut(&mut f.block);
    let attrs = std::mem::take(&mut f.attrs);
    Ok((success_type, decode, attrs))
}

/// `let request = <chain>;`, except that progenitor's `.query(..)` for an
/// optional parameter, which it calls whether the value is set or not (and
/// each call re-serialises the URL's query), is only called when the value
/// is set.
fn optional_query_last(chain: &Expr, optional: &BTreeSet<String>) -> Vec<Stmt> {
    let mut calls = Vec::new();
    let mut base = chain;
    while let Expr::MethodCall(call) = base {
        calls.push(call);
        base = &call.receiver;
    }
    let mut kept = base.clone();
    let mut optional_params = Vec::new();
    for call in calls.into_iter().rev() {
        match optional_query_param(call).filter(|(_, var)| optional.contains(&var.to_string())) {
            Some(param) => optional_params.push(param),
            None => {
                let mut call = call.clone();
                call.receiver = Box::new(kept);
                kept = Expr::MethodCall(call);
            }
        }
    }
    if optional_params.is_empty() {
        return vec![syn::parse_quote!(let request = #kept;)];
    }
    let mut stmts = vec![syn::parse_quote!(let mut request = #kept;)];
    for (name, var) in optional_params {
        stmts.push(syn::parse_quote!(
            if let Some(value) = &#var {
                request = request.query(&progenitor_client::QueryParam::new(#name, value));
            }
        ));
    }
    stmts
}

/// `.query(&progenitor_client::QueryParam::new("name", &var))` → the name
/// literal and `var`.
fn optional_query_param(call: &syn::ExprMethodCall) -> Option<(syn::LitStr, syn::Ident)> {
    if call.method != "query" || call.args.len() != 1 {
        return None;
    }
    let Expr::Reference(r) = &call.args[0] else {
        return None;
    };
    let Expr::Call(new) = &*r.expr else {
        return None;
    };
    let Expr::Path(func) = &*new.func else {
        return None;
    };
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["QueryParam".to_string(), "new".to_string()]) || new.args.len() != 2 {
        return None;
    }
    let Expr::Lit(ExprLit {
        lit: Lit::Str(name),
        ..
    }) = &new.args[0]
    else {
        return None;
    };
    let Expr::Reference(value) = &new.args[1] else {
        return None;
    };
    let Expr::Path(var) = &*value.expr else {
        return None;
    };
    Some((name.clone(), var.path.get_ident()?.clone()))
}

/// The fields of `let Self { .. } = self;`.
fn self_fields(stmt: &Stmt) -> Option<Vec<syn::Member>> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let Pat::Struct(p) = &local.pat else {
        return None;
    };
    p.path
        .is_ident("Self")
        .then(|| p.fields.iter().map(|f| f.member.clone()).collect())
}

/// `Result<ResponseValue<T>, Error<E>>` → `T`.
fn success_type(output: &syn::ReturnType) -> Option<Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = generic_arg(ty, "Result")?;
    generic_arg(&result, "ResponseValue")
}

/// The first type argument of `Name<..>`.
pub(super) fn generic_arg(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// The status match keeps only success: error statuses never reach it (the
/// transport turns them into `tapis::Error::Api`). Body-less success
/// statuses listed by normalisation get an arm returning the type's default.
fn rewrite_match(m: &syn::ExprMatch, op: &OpInfo) -> Result<(Expr, Success), String> {
    let success = m
        .arms
        .iter()
        .find(|arm| arm.pat.to_token_stream().to_string().starts_with('2'))
        .ok_or_else(|| format!("`{}`: no success arm in send()", op.id))?;
    let body = success.body.to_token_stream().to_string();
    let kind = if body.contains("ResponseValue :: stream") {
        Success::Stream
    } else if body.contains("ResponseValue :: empty") {
        Success::Empty
    } else if body.contains("from_response") {
        Success::Json
    } else {
        return Err(format!("`{}`: unexpected success arm `{body}`", op.id));
    };
    let value: Expr = match kind {
        Success::Json => syn::parse_quote!(crate::response::decode_json(response).await),
        Success::Stream => syn::parse_quote!(Ok(crate::transfer::download(response))),
        Success::Empty => syn::parse_quote!(Ok(crate::response::empty(response))),
    };
    let pat = &success.pat;
    let empty = op.empty_success.iter();
    let arms = syn::parse_quote! {
        match response.status().as_u16() {
            #(#empty => Ok(crate::Response::new(
                Default::default(),
                response.status(),
                response.headers().clone(),
            )),)*
            #pat => #value,
            _ => Err(crate::response::unexpected_status(response).await),
        }
    };
    Ok((arms, kind))
}

/// `Error::InvalidRequest` (a builder value that failed to convert, or a
/// required parameter not set) → `tapis::Error::InvalidInput`.
struct InvalidRequest;

impl VisitMut for InvalidRequest {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        if p.path.to_token_stream().to_string() == "Error :: InvalidRequest" {
            *p = syn::parse_quote!(crate::Error::InvalidInput);
        }
    }
}

/// `header_map.append("If-Match", v.to_string().try_into()?)` →
/// `..try_into().map_err(|_| tapis::Error::InvalidInput(..))?`, naming the
/// header parameter whose value cannot be sent.
struct HeaderValues;

impl VisitMut for HeaderValues {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "append"
            && call.receiver.to_token_stream().to_string() == "header_map"
            && call.args.len() == 2
        {
            let name = call.args[0].clone();
            if let Expr::Try(t) = &call.args[1] {
                let value = &t.expr;
                call.args[1] = syn::parse_quote!(#value.map_err(|_| crate::Error::InvalidInput(format!(
                    "header parameter `{}`: the value contains characters not allowed in HTTP headers",
                    #name
                )))?);
            }
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

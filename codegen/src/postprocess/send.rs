//! Each operation's `send`: progenitor's execution and error handling are
//! replaced by the transport (per-call options, token, retries, tracing,
//! typed errors). The request part becomes the builder's private, synchronous
//! `prepare()`, returning the checked request (`tapis::transport::Prepared`);
//! the answer part (which `tapis::response::answer_*` reads it) is returned
//! to the caller, which adds `send()` (typed,
//! `Result<tapis::Response<T>, tapis::Error>`) and `send_json()` (untyped)
//! on top of `prepare()` (`builders.rs`). No operation has an `async fn` of
//! its own: the futures are the transport's and the generic `answer_*`
//! functions', compiled once.

use std::collections::BTreeSet;

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

/// Rewrites one `send` in place into `prepare`; returns its success type
/// `T`, the expression that turns `pending` (the call under way) into the
/// future of `Result<tapis::Response<T>, tapis::Error>`, and `send`'s attributes (its
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
        // A constant: `Operation` is non-exhaustive, and the service crates
        // are not its crate.
        quote::quote!(&const {
            crate::transport::Operation::new(#service, #id, #method, #path, #whole_answer)
        })
    };
    let mut stmts = Vec::with_capacity(f.block.stmts.len());
    // How often each of progenitor's statements was seen: each must be
    // there exactly once (the hooks twice), or the output changed shape.
    let mut seen = [0usize; 7];
    for stmt in std::mem::take(&mut f.block.stmts) {
        // `let Self { client, a, b } = self;` takes the call options too.
        if let Some(fields) = self_fields(&stmt) {
            stmts.push(syn::parse_quote!(let Self { #(#fields,)* call_options } = self;));
            continue;
        }
        let step = Step::of(&stmt);
        if let Some(step) = step {
            seen[usize::from(step)] += 1;
        }
        match step {
            // `let mut request = <builder chain>.build()?;` keeps the builder:
            // the transport builds it.
            Some(Step::Request(build)) => {
                stmts.extend(optional_query_last(&build.receiver, optional));
            }
            // progenitor's hooks and execution become the prepared request
            // the transport sends.
            Some(Step::Info) => stmts.push(syn::parse_quote!(
                let prepared = crate::transport::Prepared {
                    context: &client.inner,
                    operation: #operation,
                    request,
                    options: call_options,
                };
            )),
            Some(Step::Hook | Step::Exec | Step::Response | Step::Match | Step::ApiVersion) => {}
            None => stmts.push(stmt),
        }
    }
    if seen != [1, 1, 2, 1, 1, 1, 1] {
        return Err(format!(
            "`{}`: send() does not have progenitor's shape (request, info, hooks, exec, \
             response, match, api-version seen {seen:?} times)",
            op.id
        ));
    }
    stmts.push(syn::parse_quote!(return Ok(prepared);));
    f.block.stmts = stmts;
    // Synchronous: the request is built and checked here, and sent by the
    // one shared future of the transport (no state machine per operation).
    f.sig.ident = syn::parse_quote!(prepare);
    f.sig.asyncness = None;
    f.vis = syn::Visibility::Inherited;
    f.sig.output = syn::parse_quote!(-> Result<crate::transport::Prepared<'a>, crate::Error>);
    InvalidRequest.visit_block_mut(&mut f.block);
    HeaderValues.visit_block_mut(&mut f.block);
    let attrs = std::mem::take(&mut f.attrs);
    // Compiled where it is called (see `builders::sends_of`).
    f.attrs.push(syn::parse_quote!(#[inline]));
    Ok((success_type, decode, attrs))
}

/// progenitor's statements in a `send`, recognised by their syntax.
#[derive(Clone, Copy)]
enum Step<'a> {
    /// `let mut request = <chain>.build()?;` (the `.build()` call).
    Request(&'a syn::ExprMethodCall),
    /// `let info = OperationInfo { .. };`
    Info,
    /// `client.pre(&mut request, &info).await?;` or `client.post(..)`.
    Hook,
    /// `let result = client.exec(request, &info).await;`
    Exec,
    /// `let response = result?;`
    Response,
    /// `match response.status().as_u16() { .. }`
    Match,
    /// `header_map.append(HeaderName::from_static("api-version"), ..);`:
    /// Tapis does not use the header.
    ApiVersion,
}

impl Step<'_> {
    fn of(stmt: &Stmt) -> Option<Step<'_>> {
        match stmt {
            Stmt::Local(local) => {
                let Pat::Ident(name) = &local.pat else {
                    return None;
                };
                let init = &*local.init.as_ref()?.expr;
                match (name.ident.to_string().as_str(), init) {
                    ("request", Expr::Try(t)) => match &*t.expr {
                        Expr::MethodCall(build) if build.method == "build" => {
                            Some(Step::Request(build))
                        }
                        _ => None,
                    },
                    ("info", Expr::Struct(s)) if s.path.is_ident("OperationInfo") => {
                        Some(Step::Info)
                    }
                    ("result", Expr::Await(a)) if is_client_call(&a.base, "exec") => {
                        Some(Step::Exec)
                    }
                    ("response", Expr::Try(t)) if is_ident(&t.expr, "result") => {
                        Some(Step::Response)
                    }
                    _ => None,
                }
            }
            Stmt::Expr(Expr::Try(t), Some(_)) => match &*t.expr {
                Expr::Await(a)
                    if is_client_call(&a.base, "pre") || is_client_call(&a.base, "post") =>
                {
                    Some(Step::Hook)
                }
                _ => None,
            },
            Stmt::Expr(Expr::Match(_), None) => Some(Step::Match),
            Stmt::Expr(Expr::MethodCall(call), Some(_))
                if call.method == "append"
                    && is_ident(&call.receiver, "header_map")
                    && call.args.first().is_some_and(is_api_version_name) =>
            {
                Some(Step::ApiVersion)
            }
            _ => None,
        }
    }
}

impl From<Step<'_>> for usize {
    fn from(step: Step<'_>) -> usize {
        match step {
            Step::Request(_) => 0,
            Step::Info => 1,
            Step::Hook => 2,
            Step::Exec => 3,
            Step::Response => 4,
            Step::Match => 5,
            Step::ApiVersion => 6,
        }
    }
}

/// `client.<method>(..)`.
fn is_client_call(e: &Expr, method: &str) -> bool {
    matches!(e, Expr::MethodCall(call) if call.method == method && is_ident(&call.receiver, "client"))
}

/// `HeaderName::from_static("api-version")`.
fn is_api_version_name(e: &Expr) -> bool {
    let Expr::Call(call) = e else { return false };
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    func.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "from_static")
        && matches!(call.args.first(), Some(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) if s.value() == "api-version")
}

/// A bare variable `name`.
fn is_ident(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(name))
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
    path_generic_arg(&p.path, name)
}

/// The first type argument of a path ending in `Name<..>` (a type or a
/// trait bound such as `TryInto<X>`).
pub(super) fn path_generic_arg(path: &syn::Path, name: &str) -> Option<Type> {
    let last = path.segments.last()?;
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
        .find(|arm| is_success_pattern(&arm.pat))
        .ok_or_else(|| format!("`{}`: no success arm in send()", op.id))?;
    let kind = match response_value_constructor(&success.body).as_deref() {
        Some("stream") => Success::Stream,
        Some("empty") => Success::Empty,
        Some("from_response") => Success::Json,
        other => {
            return Err(format!(
                "`{}`: unexpected success arm (ResponseValue::{other:?})",
                op.id
            ))
        }
    };
    // The answer of `pending` (the call under way): any 2xx is read as the
    // declared answer (a tolerant reader: a 201 where the spec says 200 is
    // still the answer), except the statuses declared without a body.
    let empty = &op.empty_success;
    let answer: Expr = match kind {
        Success::Json if empty.is_empty() => {
            syn::parse_quote!(crate::response::answer_json(pending))
        }
        Success::Json => syn::parse_quote!(
            crate::response::answer_json_or_default(pending, &[#(#empty),*])
        ),
        Success::Stream if empty.is_empty() => {
            syn::parse_quote!(crate::response::answer_download(pending))
        }
        Success::Stream => {
            return Err(format!(
                "`{}`: a download that also declares a body-less success ({empty:?})",
                op.id
            ))
        }
        // Body-less either way.
        Success::Empty => syn::parse_quote!(crate::response::answer_empty(pending)),
    };
    Ok((answer, kind))
}

/// progenitor's success patterns: `200u16` or `200 ..= 299`.
fn is_success_pattern(pat: &Pat) -> bool {
    let status = |e: &Expr| match e {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i
            .base10_parse::<u16>()
            .is_ok_and(|s| (200..300).contains(&s)),
        _ => false,
    };
    match pat {
        Pat::Lit(l) => status(&Expr::Lit(l.clone())),
        Pat::Range(r) => r.start.as_deref().is_some_and(status),
        _ => false,
    }
}

/// `stream` in `Ok(ResponseValue::stream(response))`, `from_response` in
/// `ResponseValue::from_response(response).await`.
fn response_value_constructor(body: &Expr) -> Option<String> {
    match body {
        Expr::Await(a) => response_value_constructor(&a.base),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(e, None)) => response_value_constructor(e),
            _ => None,
        },
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            let segments = &func.path.segments;
            if func.path.is_ident("Ok") && call.args.len() == 1 {
                return response_value_constructor(&call.args[0]);
            }
            let n = segments.len();
            (n >= 2 && segments[n - 2].ident == "ResponseValue")
                .then(|| segments[n - 1].ident.to_string())
        }
        _ => None,
    }
}

/// `Error::InvalidRequest` (a builder value that failed to convert, or a
/// required parameter not set) → `tapis::Error::InvalidInput`.
struct InvalidRequest;

impl VisitMut for InvalidRequest {
    fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
        let segments: Vec<_> = p.path.segments.iter().map(|s| &s.ident).collect();
        if segments.len() == 2 && segments[0] == "Error" && segments[1] == "InvalidRequest" {
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
        if call.method == "append" && is_ident(&call.receiver, "header_map") && call.args.len() == 2
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

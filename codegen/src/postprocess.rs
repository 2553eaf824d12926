//! Rewrites of progenitor's output that cannot be expressed in the spec:
//! - path parameters are encoded by `tapis::path` (per segment, `.`/`..`
//!   refused, `/` kept only in file-path parameters) instead of progenitor's
//!   `encode_path`, which encodes `/` everywhere;
//! - runs of `/` in URL templates collapse to one (actors and pgrest declare
//!   `//` paths to give one URL several operations);
//! - the `api-version` header progenitor adds to every request is dropped:
//!   Tapis does not use it;
//! - `Client::new` is removed: it builds its own reqwest client (15 s total
//!   timeout, `unwrap` on a TLS setup our rustls build does not provide);
//!   clients are made by `tapis::Tapis`;
//! - body-less success statuses get their match arm back
//!   (see `normalize::responses::unify_success_responses`);
//! - typed success bodies are decoded by `tapis::transport::decode_success`,
//!   which accepts an empty body (meta answers a create with an empty 201);
//! - doc comments are made safe for rustdoc (no spec prose run as doctests).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, ExprLit, ImplItemFn, Lit, LitStr, Meta, Token};

use crate::normalize::Normalized;
use crate::operations::METHODS;
use crate::CodegenError;

/// What post-processing knows about one operation.
struct OpInfo {
    /// The operationId as the spec spells it.
    id: String,
    /// Each path parameter, in template order: its name and whether it is a
    /// file path.
    path_params: Vec<(String, bool)>,
    /// Success statuses declared without a body.
    empty_success: Vec<u16>,
}

/// Applies every rewrite to a generated file. Returns the file and the
/// operationIds (as the spec spells them) of the operations it holds.
pub fn run(
    service: &str,
    mut file: syn::File,
    normalized: &Normalized,
) -> Result<(syn::File, Vec<String>), CodegenError> {
    let mut ops = BTreeMap::new();
    if let Some(paths) = normalized.spec["paths"].as_object() {
        for (path, item) in paths {
            let names = template_names(path);
            let like = normalized.path_like.get(path);
            for method in METHODS {
                let Some(id) = item.get(*method).and_then(|op| op["operationId"].as_str()) else {
                    continue;
                };
                let empty_success = normalized
                    .empty_success
                    .iter()
                    .filter(|(op, _)| op == id)
                    .map(|(_, s)| *s)
                    .collect();
                let path_params = names
                    .iter()
                    .map(|n| (n.clone(), like.is_some_and(|l| l.contains(n))))
                    .collect();
                let info = OpInfo {
                    id: id.to_string(),
                    path_params,
                    empty_success,
                };
                if ops.insert(op_key(id), info).is_some() {
                    return Err(CodegenError::Postprocess {
                        service: service.to_string(),
                        reason: format!(
                            "operationId `{id}` collides with another once snake-cased"
                        ),
                    });
                }
            }
        }
    }
    let mut rewriter = Rewriter {
        ops: &ops,
        error: None,
        current: None,
        rewritten_sends: 0,
        generated: Vec::new(),
    };
    rewriter.visit_file_mut(&mut file);
    if let Some(reason) = rewriter.error {
        return Err(CodegenError::Postprocess {
            service: service.to_string(),
            reason,
        });
    }
    if rewriter.rewritten_sends != ops.len() {
        return Err(CodegenError::Postprocess {
            service: service.to_string(),
            reason: format!(
                "rewrote {} operation bodies but the spec has {} operations",
                rewriter.rewritten_sends,
                ops.len()
            ),
        });
    }
    // Every path parameter must now go through `tapis::path`; a surviving
    // `encode_path(..)` call means progenitor's output changed shape.
    if file.to_token_stream().to_string().contains("encode_path (") {
        return Err(CodegenError::Postprocess {
            service: service.to_string(),
            reason: "a path parameter is still encoded by progenitor's encode_path".to_string(),
        });
    }
    Ok((file, rewriter.generated))
}

/// progenitor names operations in snake case (`getContents` → `get_contents`);
/// this key matches both spellings.
fn op_key(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `{a}/x/{b}` → `["a", "b"]`.
fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

struct Rewriter<'a> {
    ops: &'a BTreeMap<String, OpInfo>,
    error: Option<String>,
    current: Option<&'a OpInfo>,
    rewritten_sends: usize,
    generated: Vec<String>,
}

impl VisitMut for Rewriter<'_> {
    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        let is_client = matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if is_client && i.trait_.is_none() {
            i.items.retain(|item| {
                !matches!(item, syn::ImplItem::Fn(f) if f.sig.ident == "new"
                    && f.block.to_token_stream().to_string().contains("ClientBuilder"))
            });
        }
        syn::visit_mut::visit_item_impl_mut(self, i);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        let op_id = find_operation_id(&f.block.to_token_stream());
        self.current = op_id.as_ref().and_then(|id| self.ops.get(&op_key(id)));
        if op_id.is_some() && self.current.is_none() {
            self.error = Some(format!("generated operation {op_id:?} is not in the spec"));
        }
        if let Some(op) = self.current {
            // Drop `header_map.append(.."api-version"..)`.
            f.block
                .stmts
                .retain(|s| !s.to_token_stream().to_string().contains("\"api-version\""));
            if !op.empty_success.is_empty() {
                add_empty_success_arms(&mut f.block, &op.empty_success);
            }
            self.rewritten_sends += 1;
            self.generated.push(op.id.clone());
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        self.current = None;
    }

    fn visit_arm_mut(&mut self, arm: &mut syn::Arm) {
        // Success arms: `200..=299 => ResponseValue::from_response(response).await`.
        let pat = arm.pat.to_token_stream().to_string();
        if self.current.is_some() && pat.starts_with('2') {
            let body = arm.body.to_token_stream().to_string();
            if let Some(rest) = body.split("ResponseValue :: from_response (").nth(1) {
                let response: TokenStream = rest
                    .split(')')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .parse()
                    .unwrap_or_default();
                *arm.body =
                    syn::parse_quote!({ crate::transport::decode_success(#response).await });
            }
        }
        syn::visit_mut::visit_arm_mut(self, arm);
    }

    fn visit_expr_macro_mut(&mut self, m: &mut syn::ExprMacro) {
        if let Some(op) = self.current {
            if m.mac.path.is_ident("format") {
                match rewrite_url_format(m.mac.tokens.clone(), op) {
                    Ok(Some(tokens)) => m.mac.tokens = tokens,
                    Ok(None) => {}
                    Err(e) => self.error = Some(e),
                }
            }
        }
        syn::visit_mut::visit_expr_macro_mut(self, m);
    }

    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let Meta::NameValue(nv) = &mut attr.meta {
            if nv.path.is_ident("doc") {
                if let Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) = &mut nv.value
                {
                    *s = LitStr::new(&sanitize_doc(&s.value()), s.span());
                }
            }
        }
    }
}

/// Finds `operation_id: "x"` in a generated `send` body.
fn find_operation_id(tokens: &TokenStream) -> Option<String> {
    let text = tokens.to_string();
    let start = text.find("operation_id :")? + "operation_id :".len();
    let rest = text[start..].trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// `format!("{}/v3/x/{}", client.baseurl, encode_path(&id.to_string()),)`
/// → `format!("{}/v3/x/{}", client.baseurl, crate::path::segment("id", &id.to_string()).map_err(..)?,)`.
fn rewrite_url_format(tokens: TokenStream, op: &OpInfo) -> Result<Option<TokenStream>, String> {
    let args = syn::parse::Parser::parse2(Punctuated::<Expr, Token![,]>::parse_terminated, tokens)
        .map_err(|e| format!("cannot parse format! arguments: {e}"))?;
    let mut args: Vec<Expr> = args.into_iter().collect();
    let Some(Expr::Lit(ExprLit {
        lit: Lit::Str(fmt), ..
    })) = args.first()
    else {
        return Ok(None);
    };
    let fmt_value = fmt.value();
    let is_url = args
        .get(1)
        .is_some_and(|a| a.to_token_stream().to_string().ends_with("baseurl"));
    if !fmt_value.starts_with("{}/") || !is_url {
        return Ok(None);
    }
    let mut collapsed = String::with_capacity(fmt_value.len());
    for c in fmt_value.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    args[0] = syn::parse_quote!(#collapsed);
    let params = &mut args[2..];
    if params.len() != op.path_params.len() {
        return Err(format!(
            "URL template `{fmt_value}` has {} parameters, the spec {}",
            params.len(),
            op.path_params.len()
        ));
    }
    for (arg, (name, path_like)) in params.iter_mut().zip(&op.path_params) {
        let Expr::Call(call) = arg else {
            return Err(format!(
                "unexpected path argument `{}`",
                arg.to_token_stream()
            ));
        };
        if !call
            .func
            .to_token_stream()
            .to_string()
            .ends_with("encode_path")
            || call.args.len() != 1
        {
            return Err(format!(
                "unexpected path argument `{}`",
                call.to_token_stream()
            ));
        }
        let value = &call.args[0];
        let encode: syn::Path = if *path_like {
            syn::parse_quote!(crate::path::file_path)
        } else {
            syn::parse_quote!(crate::path::segment)
        };
        *arg = syn::parse_quote!(#encode(#name, #value).map_err(|e| Error::InvalidRequest(e.to_string()))?);
    }
    Ok(Some(quote!(#(#args),*)))
}

/// Adds `204u16 => Ok(ResponseValue::new(Default::default(), status, headers))`
/// arms to the status match of a `send` body.
fn add_empty_success_arms(block: &mut syn::Block, statuses: &[u16]) {
    struct Arms<'a>(&'a [u16]);
    impl VisitMut for Arms<'_> {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            let scrutinee = m.expr.to_token_stream().to_string();
            if let Some(response) = scrutinee.strip_suffix(". status () . as_u16 ()") {
                let response: TokenStream = response.trim().parse().unwrap_or_default();
                for status in self.0 {
                    let arm: syn::Arm = syn::parse_quote! {
                        #status => Ok(ResponseValue::new(
                            Default::default(),
                            #response.status(),
                            #response.headers().clone(),
                        )),
                    };
                    m.arms.insert(0, arm);
                }
            }
            syn::visit_mut::visit_expr_match_mut(self, m);
        }
    }
    Arms(statuses).visit_block_mut(block);
}

/// Makes spec prose safe as rustdoc: code fences without a language (and
/// indented blocks, which rustdoc also compiles as doctests) become text.
pub fn sanitize_doc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() + 8);
    let mut in_fence = false;
    for (i, line) in doc.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            let lang = trimmed.trim_start_matches('`').trim();
            if !in_fence && (lang.is_empty() || lang == "rust") {
                out.push_str(" ```text");
            } else {
                out.push(' ');
                out.push_str(trimmed);
            }
            in_fence = !in_fence;
        } else if !in_fence && (line.starts_with("    ") || line.starts_with('\t')) {
            // Keep a one-space indent (rustdoc strips it): no code block.
            out.push(' ');
            out.push_str(trimmed);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_and_indented_blocks_become_text() {
        let doc = " Intro\n\n```\nlet x = 1;\n```\n\n    indented code\n```json\n{}\n```";
        let out = sanitize_doc(doc);
        assert!(out.contains("```text\nlet x = 1;"), "{out}");
        assert!(out.contains("\n indented code"), "{out}");
        assert!(out.contains(" ```json"), "{out}");
    }

    #[test]
    fn template_names_in_order() {
        assert_eq!(
            template_names("/v3/files/ops/{systemId}/{path}"),
            ["systemId", "path"]
        );
    }
}

//! URL templates: path parameters encoded by `tapis::path`, `//` collapsed.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, Token};

use super::OpInfo;

/// `{a}/x/{b}` → `["a", "b"]`.
pub(super) fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
        .collect()
}

/// `format!("{}/v3/x/{}", client.baseurl, encode_path(&id.to_string()),)`
/// → `format!("{}/v3/x/{}", client.baseurl, crate::path::segment("id", &id.to_string()).map_err(..)?,)`.
pub(super) fn rewrite_url_format(
    tokens: TokenStream,
    op: &OpInfo,
) -> Result<Option<TokenStream>, String> {
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
        .is_some_and(|a| matches!(a, Expr::Field(f) if matches!(&f.member, syn::Member::Named(m) if m == "baseurl")));
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
        let is_encode_path = matches!(&*call.func, Expr::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "encode_path"));
        if !is_encode_path || call.args.len() != 1 {
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
        *arg = syn::parse_quote!(#encode(#name, #value).map_err(|e| crate::Error::InvalidInput(e.to_string()))?);
    }
    Ok(Some(quote!(#(#args),*)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_in_order() {
        assert_eq!(
            template_names("/v3/files/ops/{systemId}/{path}"),
            ["systemId", "path"]
        );
    }
}

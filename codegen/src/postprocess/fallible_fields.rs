//! Struct literals built from fallible fields become `let`s and a plain
//! literal: `Ok(Self { a: value.a?, b: value.b?, c })` (typify's body-builder
//! conversions, the `visit_map`s `serde_impls` writes) is written
//!
//! ```text
//! let a = value.a?;
//! let b = value.b?;
//! Ok(Self { a, b, c })
//! ```
//!
//! Same values, same order of evaluation, the same first error. Why: rustc
//! compiles a `?` inside a literal as an exit that drops every field built
//! so far and every field not yet moved out of its source, each exit on
//! its own, so the code grows with the square of the field count (debug
//! build, fields of owned types: 5 000 LLVM lines for 32 fields and 17 000
//! for 64 as a literal, 1 800 and 3 600 as `let`s, where the exits share
//! one chain of drops). In the vendored specs the body-builder conversions
//! alone were half of the workflows crate's LLVM lines.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::format_ident;
use syn::ext::IdentExt;
use syn::visit_mut::VisitMut;
use syn::{Expr, Member, Stmt};

/// Rewrites every block whose value is such a literal (two `?` fields or
/// more: one exit alone is linear). Returns how many were rewritten.
pub(super) fn rewrite(file: &mut syn::File) -> usize {
    let mut pass = Hoist(0);
    pass.visit_file_mut(file);
    pass.0
}

struct Hoist(usize);

impl VisitMut for Hoist {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, block);
        let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() else {
            return;
        };
        let Some(literal) = struct_literal(tail) else {
            return;
        };
        let lets = hoist(literal);
        if !lets.is_empty() {
            self.0 += 1;
            let at = block.stmts.len() - 1;
            block.stmts.splice(at..at, lets);
        }
    }
}

/// `S { .. }`, `Ok(S { .. })` or `::std::result::Result::Ok(S { .. })`.
fn struct_literal(e: &mut Expr) -> Option<&mut syn::ExprStruct> {
    match e {
        Expr::Struct(s) => Some(s),
        Expr::Call(call) if call.args.len() == 1 && is_ok(&call.func) => {
            match call.args.first_mut() {
                Some(Expr::Struct(s)) => Some(s),
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_ok(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Ok" && s.arguments.is_none()))
}

/// Moves the fields up to the last `?` one into `let`s (in their order, so
/// evaluation order is kept) and returns them; nothing when fewer than two
/// fields end in `?`.
fn hoist(literal: &mut syn::ExprStruct) -> Vec<Stmt> {
    let fallible = literal
        .fields
        .iter()
        .filter(|f| matches!(f.expr, Expr::Try(_)))
        .count();
    let Some(last) = literal
        .fields
        .iter()
        .rposition(|f| matches!(f.expr, Expr::Try(_)))
    else {
        return Vec::new();
    };
    if fallible < 2 {
        return Vec::new();
    }
    // A binding must not shadow a variable a later field still reads
    // (a field named `value` in `value.value?`, `unknown` in a visit_map).
    let mut taken = variables(literal);
    let mut lets = Vec::with_capacity(last + 1);
    for field in literal.fields.iter_mut().take(last + 1) {
        let name = binding(&field.member, &mut taken);
        let expr = std::mem::replace(&mut field.expr, syn::parse_quote!(#name));
        // `a: a` prints as `a`.
        if matches!(&field.member, Member::Named(m) if *m == name) {
            field.colon_token = None;
        }
        lets.push(syn::parse_quote!(let #name = #expr;));
    }
    lets
}

/// The field's own name, or `__name` (`__name0`...) when that is taken.
fn binding(member: &Member, taken: &mut BTreeSet<String>) -> syn::Ident {
    let mut name = match member {
        Member::Named(ident) => ident.clone(),
        Member::Unnamed(index) => format_ident!("__field{}", index.index),
    };
    let stem = name.unraw();
    let mut n = 0usize;
    while taken.contains(&name.unraw().to_string()) {
        name = if n == 0 {
            format_ident!("__{}", stem)
        } else {
            format_ident!("__{}{}", stem, n)
        };
        n += 1;
    }
    taken.insert(name.unraw().to_string());
    name
}

/// The names the literal's expressions may read as variables: every
/// one-segment path, and every identifier inside a macro's tokens.
fn variables(literal: &syn::ExprStruct) -> BTreeSet<String> {
    struct Names(BTreeSet<String>);
    impl VisitMut for Names {
        fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
            if let Some(ident) = p.path.get_ident() {
                self.0.insert(ident.unraw().to_string());
            }
            syn::visit_mut::visit_expr_path_mut(self, p);
        }
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            idents_in(m.tokens.clone(), &mut self.0);
        }
    }
    fn idents_in(tokens: TokenStream, out: &mut BTreeSet<String>) {
        for tree in tokens {
            match tree {
                TokenTree::Ident(i) => {
                    out.insert(i.unraw().to_string());
                }
                TokenTree::Group(g) => idents_in(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut names = Names(BTreeSet::new());
    // (The read-only `Visit` is a syn feature the build does not need.)
    names.visit_expr_struct_mut(&mut literal.clone());
    names.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn run(src: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(src).unwrap();
        let n = rewrite(&mut file);
        (n, prettyplease::unparse(&file))
    }

    fn squeeze(s: &str) -> String {
        s.split_whitespace().collect()
    }

    #[test]
    fn fallible_fields_become_lets_in_order() {
        let (n, out) = run(r#"
            impl TryFrom<B> for super::B {
                fn try_from(value: B) -> Result<Self, E> {
                    Ok(Self { app_id: value.app_id?, r#type: value.r#type?, tags: value.tags, extra: Default::default() })
                }
            }
        "#);
        assert_eq!(n, 1);
        let out = squeeze(&out);
        let wanted = "letapp_id=value.app_id?;letr#type=value.r#type?;\
                      Ok(Self{app_id,r#type,tags:value.tags,extra:Default::default()";
        assert!(out.contains(wanted), "{wanted} not in {out}");
    }

    #[test]
    fn bindings_never_shadow_what_a_later_field_reads() {
        // `value` and `unknown` are fields here and variables too; the
        // infallible field before the last `?` is hoisted as well.
        let (n, out) = run(r#"
            fn visit(value: B, unknown: M, __f0: Option<u8>) -> Result<S, E> {
                ::std::result::Result::Ok(S {
                    value: value.value?,
                    count: __f0.unwrap_or_default(),
                    unknown: take(value.unknown, "unknown")?,
                    extra: Extra::from_unknown(unknown)?,
                    note: format!("{}", value.note),
                })
            }
        "#);
        assert_eq!(n, 1);
        let out = squeeze(&out);
        let wanted = "let__value=value.value?;letcount=__f0.unwrap_or_default();\
                      let__unknown=take(value.unknown,\"unknown\")?;\
                      letextra=Extra::from_unknown(unknown)?;\
                      ::std::result::Result::Ok(S{value:__value,count,unknown:__unknown,extra,\
                      note:format!(\"{}\",value.note),})";
        assert!(out.contains(wanted), "{wanted} not in {out}");
    }

    #[test]
    fn macro_tokens_count_as_reads() {
        let (_, out) = run(r#"
            fn f(note: N) -> Result<S, E> {
                Ok(S { note: a()?, other: b()?, text: format!("{}", note) })
            }
        "#);
        assert!(squeeze(&out).contains("let__note=a()?;"), "{out}");
    }

    #[test]
    fn one_exit_and_other_shapes_are_left_alone() {
        let src = r#"
            fn one(v: B) -> Result<S, E> { Ok(S { a: v.a?, b: v.b }) }
            fn not_tail(v: B) -> Result<S, E> { let s = S { a: v.a?, b: v.b? }; Ok(s) }
            fn other_call(v: B) -> Option<S> { Some(S { a: v.a?, b: v.b? }) }
        "#;
        let (n, out) = run(src);
        assert_eq!(n, 0);
        let original = prettyplease::unparse(&syn::parse_str(src).unwrap());
        assert_eq!(out, original);
    }

    #[test]
    fn nested_blocks_and_bare_literals_are_rewritten() {
        let mut file: syn::File = syn::parse_str(
            "fn f() -> Result<S, E> { let inner = || -> Result<T, E> { Ok(T { a: x()?, b: y()? }) }; S { t: inner()?, u: u()? } }",
        )
        .unwrap();
        assert_eq!(rewrite(&mut file), 2);
        let text = squeeze(&file.to_token_stream().to_string());
        assert!(text.contains("leta=x()?;letb=y()?;Ok(T{a,b})"), "{text}");
        // `u` is called: the binding may not hide the function.
        assert!(
            text.contains("lett=inner()?;let__u=u()?;S{t,u:__u}"),
            "{text}"
        );
    }
}

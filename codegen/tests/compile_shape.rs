//! Walks the code generated from every vendored spec for the two shapes
//! that cost rustc out of proportion (BENCHMARKS.md, "Linear drop code,
//! non-generic envelope parts"):
//! - a struct literal with two or more fields ending in `?` as a block's
//!   value (drop code quadratic in its fields): none is left;
//! - an `Envelope` impl that hands a part declared as text or JSON to serde
//!   (generic code per response type): every such part is cloned.

use std::path::Path;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Expr, Item, Stmt};
use tapis_codegen::{generate_service, SpecSet};

fn generated_files() -> Vec<(String, syn::File)> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&specs).expect("the vendored specs");
    set.services()
        .map(|service| {
            let generated = generate_service(service, &set).expect("generates");
            let file = syn::parse_file(&generated.code).expect("parses");
            (service.to_string(), file)
        })
        .collect()
}

fn tries(literal: &syn::ExprStruct) -> usize {
    literal
        .fields
        .iter()
        .filter(|f| matches!(f.expr, Expr::Try(_)))
        .count()
}

#[derive(Default)]
struct Literals {
    /// Block values that are literals of two or more `?` fields.
    quadratic: Vec<String>,
    /// Body-builder conversions (`try_from` of `Ok(Self { .. })`) seen.
    conversions: usize,
}

impl VisitMut for Literals {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, block);
        let Some(Stmt::Expr(tail, None)) = block.stmts.last() else {
            return;
        };
        let literal = match tail {
            Expr::Struct(s) => Some(s),
            Expr::Call(c) => match c.args.first() {
                Some(Expr::Struct(s)) if c.args.len() == 1 => Some(s),
                _ => None,
            },
            _ => None,
        };
        if let Some(literal) = literal {
            if tries(literal) >= 2 {
                let text = literal.to_token_stream().to_string();
                self.quadratic.push(text.chars().take(120).collect());
            }
        }
    }
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident == "try_from" {
            let text = f.block.to_token_stream().to_string();
            if text.contains("Ok (Self {") && text.contains("value .") {
                self.conversions += 1;
            }
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
    }
}

#[test]
fn no_struct_literal_of_fallible_fields_is_left() {
    let mut conversions = 0;
    for (service, mut file) in generated_files() {
        let mut literals = Literals::default();
        literals.visit_file_mut(&mut file);
        assert!(
            literals.quadratic.is_empty(),
            "{service}: {:?}",
            literals.quadratic
        );
        conversions += literals.conversions;
    }
    // The body builders' conversions are there (as lets): the walk saw them.
    assert!(conversions > 100, "only {conversions} conversions seen");
}

/// The type of field `name` of struct `ty` in `items`, as text.
fn field_type(items: &[Item], ty: &str, name: &str) -> Option<String> {
    items.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == ty => s
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == name))
            .map(|f| f.ty.to_token_stream().to_string().replace(' ', "")),
        _ => None,
    })
}

#[test]
fn envelope_parts_declared_as_text_or_json_are_cloned() {
    let mut impls = 0;
    for (service, file) in generated_files() {
        let Some(types) = file.items.iter().find_map(|item| match item {
            Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
            _ => None,
        }) else {
            continue;
        };
        for item in types {
            let Item::Impl(imp) = item else { continue };
            let is_envelope = imp.trait_.as_ref().is_some_and(|(path, _)| {
                path.segments.last().is_some_and(|s| s.ident == "Envelope")
            });
            if !is_envelope {
                continue;
            }
            impls += 1;
            let ty = imp.self_ty.to_token_stream().to_string();
            let body = imp.to_token_stream().to_string().replace(' ', "");
            for (part, cloned_types) in [
                (
                    "status",
                    &["::std::option::Option<::std::string::String>"][..],
                ),
                (
                    "message",
                    &["::std::option::Option<::std::string::String>"][..],
                ),
                (
                    "version",
                    &["::std::option::Option<::std::string::String>"][..],
                ),
                (
                    "metadata",
                    &["::std::option::Option<::serde_json::Value>"][..],
                ),
            ] {
                let Some(declared) = field_type(types, &ty, part) else {
                    continue;
                };
                if cloned_types.contains(&declared.as_str()) {
                    assert!(
                        body.contains(&format!("self.{part}.clone()")),
                        "{service}: {ty}.{part} ({declared}) is not cloned: {body}"
                    );
                }
            }
        }
    }
    assert!(impls > 200, "only {impls} Envelope impls seen");
}

//! Rewrites of progenitor's output, each matched on syntax (paths,
//! identifiers, statement shapes) and counted: a rule that must apply and
//! does not fails the build, naming the rule.
//! - path parameters are encoded by `tapis::path` (per segment, `.`/`..`
//!   refused, `/` kept only in file-path parameters) instead of progenitor's
//!   `encode_path`, which encodes `/` everywhere; runs of `/` in URL
//!   templates collapse to one (`url.rs`);
//! - each `send` becomes a private, synchronous `prepare()` whose checked
//!   request `tapis::transport::start` sends (progenitor's hooks, execution
//!   and the unused `api-version` header removed; `send.rs`), and the
//!   builder gets `send()`
//!   (typed), `send_json()`, per-call options and `send_blocking()`
//!   (`builders.rs`), and `.paginate()` where the answer is a list
//!   (`paging.rs`);
//! - success types shaped as Tapis envelopes implement `tapis::Envelope`
//!   (`envelope.rs`);
//! - types read what real servers send: an `extra` field for unknown keys,
//!   null as default, scalar drift, `Unknown` enum variants (`tolerant.rs`);
//!   secret-named fields are redacted in `Debug` (`secrets.rs`);
//! - the structs that keep unknown keys get `Deserialize` and `Serialize`
//!   written here rather than derived: the same JSON both ways at a
//!   fraction of the compile time (`serde_impls.rs`);
//! - nothing of progenitor's API stays public: its re-exports, client traits,
//!   `Client::new`/`new_with_client` and builder constructors (`surface.rs`);
//! - doc comments are made safe for rustdoc (no spec prose run as
//!   doctests; `docs.rs`);
//! - struct literals whose fields end in `?` are built from `let`s, which
//!   rustc compiles in linear rather than quadratic code
//!   (`fallible_fields.rs`);
//! - the conformance suite's dispatcher over every operation is written
//!   beside the module (`dispatch.rs`; tests only).

mod builders;
mod dispatch;
mod docs;
mod envelope;
mod fallible_fields;
mod paging;
pub mod secrets;
mod send;
mod serde_impls;
mod setters;
mod surface;
mod tolerant;
mod url;

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprLit, ImplItemFn, Item, Lit, LitStr, Meta};

pub use docs::sanitize_doc;

use crate::normalize::Normalized;
use crate::operations::METHODS;
use crate::CodegenError;

/// What post-processing knows about one operation.
struct OpInfo {
    /// The operationId as the spec spells it.
    id: String,
    /// The HTTP method, lower case.
    method: String,
    /// The path template (normalised).
    path: String,
    /// Each path parameter, in template order: its name and whether it is a
    /// file path.
    path_params: Vec<(String, bool)>,
    /// Success statuses declared without a body.
    empty_success: Vec<u16>,
    /// The parameters, for the setters' docs.
    params: Vec<setters::Param>,
}

/// A generated file after post-processing.
pub struct Rewritten {
    pub file: syn::File,
    /// operationIds (as the spec spells them) of the operations it holds.
    pub generated: Vec<String>,
    /// operationIds of the operations whose builders got `.paginate()`.
    pub paginated: Vec<String>,
    /// The conformance suite's dispatcher over the operations (see
    /// `dispatch.rs`).
    pub dispatch: String,
}

/// Applies every rewrite to a generated file.
pub fn run(
    service: &str,
    mut file: syn::File,
    normalized: &Normalized,
) -> Result<Rewritten, CodegenError> {
    let mut ops = BTreeMap::new();
    if let Some(paths) = normalized.spec["paths"].as_object() {
        for (path, item) in paths {
            let names = url::template_names(path);
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
                    method: method.to_string(),
                    path: path.clone(),
                    path_params,
                    empty_success,
                    params: setters::params_of(&normalized.spec, item, &item[*method]),
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
        service,
        ops: &ops,
        error: None,
        current: None,
        current_impl: None,
        sends: BTreeMap::new(),
        rewritten_sends: 0,
        generated: Vec::new(),
        success_types: BTreeSet::new(),
        optional_fields: BTreeMap::new(),
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
    let fail = |reason: String| CodegenError::Postprocess {
        service: service.to_string(),
        reason,
    };
    // Types first: which success types hold a list decides paging.
    let mut envelopes = envelope::Envelopes::default();
    for item in &mut file.items {
        if let Item::Mod(m) = item {
            if m.ident == "types" {
                tolerant::rewrite(m).map_err(fail)?;
                envelope::tolerate_blank_results(m, &rewriter.success_types);
                optional_body_setters(m);
                envelopes = envelope::add_impls(m, &rewriter.success_types);
                serde_impls::rewrite(m).map_err(fail)?;
            }
        }
    }
    let sends = std::mem::take(&mut rewriter.sends);
    let mut builder_count = 0;
    let mut paginated = Vec::new();
    for item in &mut file.items {
        if let Item::Mod(m) = item {
            if m.ident == "builder" {
                (builder_count, paginated) =
                    builders::rewrite(m, &sends, &envelopes).map_err(fail)?;
            }
        }
    }
    if builder_count != ops.len() {
        return Err(fail(format!(
            "found {builder_count} operation builders for {} operations",
            ops.len()
        )));
    }
    surface::hide_generator(&mut file, builder_count).map_err(fail)?;
    surface::rename_body_builders(&mut file).map_err(fail)?;
    surface::prune_body_builders(&mut file).map_err(fail)?;
    let examples = docs::client_examples(&mut file, &crate::module_name(service));
    if examples != ops.len() {
        return Err(fail(format!(
            "rewrote {examples} `Client` examples for {} operations",
            ops.len()
        )));
    }
    // Every path parameter must now go through `tapis::path`; a surviving
    // `encode_path(..)` call means progenitor's output changed shape.
    if calls_function(&mut file, "encode_path") {
        return Err(CodegenError::Postprocess {
            service: service.to_string(),
            reason: "a path parameter is still encoded by progenitor's encode_path".to_string(),
        });
    }
    // After every rewrite that adds fields or structs.
    secrets::rewrite(&mut file);
    // After every rewrite that writes code: struct literals of `?` fields.
    fallible_fields::rewrite(&mut file);
    let dispatch = dispatch::source(&file, &sends, &crate::module_name(service));
    Ok(Rewritten {
        dispatch,
        file,
        generated: rewriter.generated,
        paginated,
    })
}

/// Applies [`setters::optional_setters_take_values`] to `types::builder`
/// (typify's name; `surface` renames it `types::body_builders` afterwards)
/// (absent in specs without object types).
fn optional_body_setters(types: &mut syn::ItemMod) {
    for item in types.content.iter_mut().flat_map(|(_, items)| items) {
        if let Item::Mod(m) = item {
            if m.ident == "builder" {
                setters::optional_setters_take_values(m);
            }
        }
    }
}

/// Whether anything in `file` calls a function named `name`.
fn calls_function(file: &mut syn::File, name: &str) -> bool {
    struct Finder<'a>(&'a str, bool);
    impl VisitMut for Finder<'_> {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            if let Expr::Path(p) = &*call.func {
                self.1 |= p.path.segments.last().is_some_and(|s| s.ident == self.0);
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
    }
    let mut finder = Finder(name, false);
    finder.visit_file_mut(file);
    finder.1
}

/// progenitor names operations in snake case (`getContents` → `get_contents`);
/// this key matches both spellings.
fn op_key(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

struct Rewriter<'a> {
    service: &'a str,
    ops: &'a BTreeMap<String, OpInfo>,
    error: Option<String>,
    current: Option<&'a OpInfo>,
    /// The type whose impl block is being visited (a builder, `Client`...).
    current_impl: Option<String>,
    /// Each builder's operation, by builder name.
    sends: BTreeMap<String, paging::Send>,
    rewritten_sends: usize,
    generated: Vec<String>,
    /// Names of the `types::X` success types of the operations.
    success_types: BTreeSet<String>,
    /// Each builder's fields that hold an optional value
    /// (`Result<Option<T>, String>`), by builder name.
    optional_fields: BTreeMap<String, BTreeSet<String>>,
}

impl VisitMut for Rewriter<'_> {
    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        let outer = self.current_impl.replace(match &*i.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        });
        syn::visit_mut::visit_item_impl_mut(self, i);
        self.current_impl = outer;
    }

    fn visit_item_struct_mut(&mut self, s: &mut syn::ItemStruct) {
        let optional = s
            .fields
            .iter()
            .filter(|f| {
                send::generic_arg(&f.ty, "Result")
                    .and_then(|t| send::generic_arg(&t, "Option"))
                    .is_some()
            })
            .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
            .collect();
        self.optional_fields.insert(s.ident.to_string(), optional);
        syn::visit_mut::visit_item_struct_mut(self, s);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut ImplItemFn) {
        let op_id = find_operation_id(&f.block);
        self.current = op_id.as_ref().and_then(|id| self.ops.get(&op_key(id)));
        if op_id.is_some() && self.current.is_none() {
            self.error = Some(format!("generated operation {op_id:?} is not in the spec"));
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        if let Some(op) = self.current {
            let no_fields = BTreeSet::new();
            let optional = self
                .current_impl
                .as_ref()
                .and_then(|b| self.optional_fields.get(b))
                .unwrap_or(&no_fields);
            match send::rewrite(f, op, self.service, optional) {
                Ok((ty, decode, attrs)) => {
                    if let Some(name) = envelope::types_name(&ty) {
                        self.success_types.insert(name);
                    }
                    if let Some(builder) = &self.current_impl {
                        self.sends.insert(
                            builder.clone(),
                            paging::Send {
                                success: ty,
                                op_id: op.id.clone(),
                                decode,
                                attrs,
                                params: op.params.clone(),
                            },
                        );
                    }
                }
                Err(e) => self.error = Some(e),
            }
            self.rewritten_sends += 1;
            self.generated.push(op.id.clone());
        }
        self.current = None;
    }

    fn visit_expr_macro_mut(&mut self, m: &mut syn::ExprMacro) {
        if let Some(op) = self.current {
            if m.mac.path.is_ident("format") {
                match url::rewrite_url_format(m.mac.tokens.clone(), op) {
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

/// The operationId of a generated `send`: the literal in its
/// `let info = OperationInfo { operation_id: "x" };`.
fn find_operation_id(block: &syn::Block) -> Option<String> {
    block.stmts.iter().find_map(|stmt| {
        let syn::Stmt::Local(local) = stmt else {
            return None;
        };
        let Expr::Struct(s) = &*local.init.as_ref()?.expr else {
            return None;
        };
        if !s.path.is_ident("OperationInfo") {
            return None;
        }
        s.fields
            .iter()
            .find_map(|field| match (&field.member, &field.expr) {
                (
                    syn::Member::Named(name),
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(id), ..
                    }),
                ) if name == "operation_id" => Some(id.value()),
                _ => None,
            })
    })
}

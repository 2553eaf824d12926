//! The operation builders' parameter setters, documented from the spec:
//! progenitor leaves them bare (the descriptions sit on the `Client` method)
//! and their conversion errors read "conversion to `:: uuid :: Uuid` for
//! postit_id failed". Each setter gets the parameter's spec name, where it
//! travels, whether it is required, its type, description, default and
//! allowed values; a value that does not convert names the parameter and
//! what it must be.

use serde_json::Value;
use syn::visit_mut::VisitMut;
use syn::{ImplItem, ItemImpl, Lit, LitStr};

/// One parameter of an operation, as the spec declares it.
#[derive(Debug, Clone)]
pub(super) struct Param {
    /// The spec's name (`systemId`).
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    /// The parameter's description and its schema's (which carries the
    /// server's default once normalisation moved it there).
    pub description: Vec<String>,
    /// `integer (int32)`, `text`, `list of text`, `ListTypeEnum`...
    pub type_name: String,
    /// What a value must be, for the conversion error (`a UUID`).
    pub expected: String,
    /// The allowed values, for enums.
    pub allowed: Vec<String>,
}

/// The parameters of an operation (path-level ones included), `$ref`s
/// resolved against `spec`.
pub(super) fn params_of(spec: &Value, path_item: &Value, op: &Value) -> Vec<Param> {
    let listed = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut out: Vec<Param> = Vec::new();
    for raw in listed(&op["parameters"])
        .into_iter()
        .chain(listed(&path_item["parameters"]))
    {
        let p = resolve(spec, &raw);
        let (Some(name), Some(location)) = (p["name"].as_str(), p["in"].as_str()) else {
            continue;
        };
        // An operation's own declaration overrides the path's.
        if out.iter().any(|o| o.name == name && o.location == location) {
            continue;
        }
        let schema = resolve(spec, &p["schema"]);
        let mut description = Vec::new();
        for d in [&p["description"], &schema["description"]] {
            if let Some(d) = d.as_str().map(str::trim).filter(|d| !d.is_empty()) {
                if !description.iter().any(|seen: &String| seen == d) {
                    description.push(d.to_string());
                }
            }
        }
        let allowed = schema["enum"]
            .as_array()
            .map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (type_name, expected) = describe(spec, &p["schema"]);
        out.push(Param {
            name: name.to_string(),
            location: location.to_string(),
            required: p["required"].as_bool().unwrap_or(false),
            description,
            type_name,
            expected,
            allowed,
        });
    }
    out
}

/// A `$ref` to a local component, followed once.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).unwrap_or(&Value::Null),
        None => v,
    }
}

/// The type as documentation shows it, and what a value must be.
fn describe(spec: &Value, schema: &Value) -> (String, String) {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        let target = resolve(spec, schema);
        let expected = if target["enum"].is_array() {
            "one of the allowed values".to_string()
        } else {
            format!("a valid `{name}`")
        };
        return (format!("`{name}`"), expected);
    }
    let format = schema["format"].as_str();
    match (schema["type"].as_str(), format) {
        (Some("integer"), Some("int32")) => (
            "integer (32-bit)".into(),
            "an integer that fits in 32 bits".into(),
        ),
        (Some("integer"), _) => ("integer".into(), "an integer that fits in 64 bits".into()),
        (Some("number"), _) => ("number".into(), "a number".into()),
        (Some("boolean"), _) => ("boolean".into(), "a boolean".into()),
        (Some("array"), _) => {
            let (item, _) = describe(spec, &schema["items"]);
            (format!("list of {item}"), "a list".into())
        }
        (Some("object"), _) => ("object".into(), "an object".into()),
        (_, Some("uuid")) => ("text (UUID)".into(), "a UUID".into()),
        (_, Some("date-time")) => ("text (date-time)".into(), "an RFC 3339 date-time".into()),
        _ if schema["enum"].is_array() => ("text".into(), "one of the allowed values".into()),
        _ => (
            "text".into(),
            "text meeting the parameter's constraints".into(),
        ),
    }
}

/// progenitor's setter name for a parameter name: both compared without
/// case and separators (`systemId`, `system_id`, `system-id`).
fn loose(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Documents the setters of one builder's `impl` and rewrites their
/// conversion errors; returns how many parameters found their setter, which
/// must be all of them.
pub(super) fn document(imp: &mut ItemImpl, op_id: &str, params: &[Param]) -> usize {
    let mut found = 0;
    for item in &mut imp.items {
        let ImplItem::Fn(f) = item else { continue };
        let setter = f.sig.ident.to_string();
        let Some(param) = params.iter().find(|p| loose(&p.name) == loose(&setter)) else {
            continue;
        };
        found += 1;
        let mut lines = vec![format!(
            "`{}` ({} parameter, {}): {}.",
            param.name,
            param.location,
            if param.required {
                "required"
            } else {
                "optional"
            },
            param.type_name
        )];
        for d in &param.description {
            lines.push(String::new());
            lines.push(super::sanitize_doc(d));
        }
        if !param.allowed.is_empty() {
            lines.push(String::new());
            let allowed: Vec<String> = param.allowed.iter().map(|a| format!("`{a}`")).collect();
            lines.push(format!("Allowed values: {}.", allowed.join(", ")));
        }
        let docs: Vec<syn::Attribute> = lines
            .iter()
            .map(|line| {
                let line = format!(" {line}");
                syn::parse_quote!(#[doc = #line])
            })
            .collect();
        f.attrs.splice(0..0, docs);
        let message = format!(
            "{op_id}: parameter `{}` (`.{setter}(..)`): the value is not {}",
            param.name, param.expected
        );
        ConversionMessage(&message).visit_block_mut(&mut f.block);
    }
    found
}

/// `.body_json(value)` for an operation builder whose `.body(..)` takes a
/// JSON body type (`V: TryInto<types::X>`): the body given as JSON, checked
/// against `types::X` (undeclared keys refused) before sending.
pub(super) fn body_json(imp: &ItemImpl, op_id: &str) -> Option<ImplItem> {
    let body_type = imp.items.iter().find_map(|item| match item {
        ImplItem::Fn(f) if f.sig.ident == "body" => target_of_try_into(f),
        _ => None,
    })?;
    // Only the spec's JSON body types (`types::X`), not raw bodies.
    let name = match &body_type {
        syn::Type::Path(p) if p.path.segments.first()?.ident == "types" => {
            p.path.segments.last()?.ident.to_string()
        }
        _ => return None,
    };
    let doc = format!(
        " The body as JSON, checked against [`{name}`](types::{name}) when the call is \
         sent, before anything goes out: a key the type does not declare (a typo), a \
         missing required field or a value of the wrong type is \
         [`crate::Error::InvalidInput`] naming its JSON path."
    );
    Some(syn::parse_quote! {
        #[doc = #doc]
        #[inline]
        pub fn body_json(mut self, value: ::serde_json::Value) -> Self {
            self.body = crate::request::body_from_json::<#body_type>(#op_id, value).map(From::from);
            self
        }
    })
}

/// `X` in a setter's `where V: TryInto<X>` (or `T: ..`).
fn target_of_try_into(f: &syn::ImplItemFn) -> Option<syn::Type> {
    f.sig
        .generics
        .where_clause
        .as_ref()?
        .predicates
        .iter()
        .find_map(|p| {
            let syn::WherePredicate::Type(t) = p else {
                return None;
            };
            t.bounds.iter().find_map(|b| match b {
                syn::TypeParamBound::Trait(tb) => {
                    super::send::path_generic_arg(&tb.path, "TryInto")
                }
                _ => None,
            })
        })
}

/// In typify's body builders (`types::builder`), a setter of an optional
/// field takes the value itself (`.bucket_name("bkt")`), not an `Option`
/// (`.bucket_name(Some("bkt".to_string()))`): its bound
/// `T: TryInto<Option<X>>` becomes `T: TryInto<X>` and the value is wrapped
/// in `Some`. Returns how many setters changed.
pub(super) fn optional_setters_take_values(module: &mut syn::ItemMod) -> usize {
    let Some((_, items)) = &mut module.content else {
        return 0;
    };
    let mut changed = 0;
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for item in &mut imp.items {
            let ImplItem::Fn(f) = item else { continue };
            if unwrap_option_bound(f) {
                WrapInSome.visit_block_mut(&mut f.block);
                changed += 1;
            }
        }
    }
    changed
}

/// `T: TryInto<Option<X>>` → `T: TryInto<X>`; whether it was there.
fn unwrap_option_bound(f: &mut syn::ImplItemFn) -> bool {
    let Some(where_clause) = &mut f.sig.generics.where_clause else {
        return false;
    };
    for p in &mut where_clause.predicates {
        let syn::WherePredicate::Type(t) = p else {
            continue;
        };
        for b in &mut t.bounds {
            let syn::TypeParamBound::Trait(tb) = b else {
                continue;
            };
            let Some(last) = tb.path.segments.last_mut() else {
                continue;
            };
            if last.ident != "TryInto" {
                continue;
            }
            let syn::PathArguments::AngleBracketed(args) = &mut last.arguments else {
                continue;
            };
            for a in &mut args.args {
                if let syn::GenericArgument::Type(ty) = a {
                    if let Some(inner) = super::send::generic_arg(ty, "Option") {
                        *ty = inner;
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// `value.try_into()` → `value.try_into().map(Some)`.
struct WrapInSome;

impl VisitMut for WrapInSome {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = e {
            let on_value =
                matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("value"));
            if call.method == "try_into" && on_value {
                *e = syn::parse_quote!(#call.map(Some));
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// progenitor's `"conversion to `T` for x failed"` → `message`.
struct ConversionMessage<'a>(&'a str);

impl VisitMut for ConversionMessage<'_> {
    fn visit_lit_mut(&mut self, lit: &mut Lit) {
        if let Lit::Str(s) = lit {
            if s.value().starts_with("conversion to `") {
                *s = LitStr::new(self.0, s.span());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_are_read_with_refs_defaults_and_enums() {
        let spec = json!({"components": {"schemas": {"ListType": {"type": "string", "enum": ["OWNED", "ALL"]}}}});
        let path_item = json!({"parameters": [{"name": "systemId", "in": "path", "required": true, "schema": {"type": "string"}}]});
        let op = json!({"parameters": [
            {"name": "limit", "in": "query", "description": "How many.",
             "schema": {"type": "integer", "format": "int32", "description": "Default (applied by the server): `100`."}},
            {"name": "listType", "in": "query", "schema": {"$ref": "#/components/schemas/ListType"}}
        ]});
        let params = params_of(&spec, &path_item, &op);
        assert_eq!(params.len(), 3);
        assert_eq!(params[0].type_name, "integer (32-bit)");
        assert_eq!(
            params[0].description,
            ["How many.", "Default (applied by the server): `100`."]
        );
        assert_eq!(params[1].type_name, "`ListType`");
        assert_eq!(params[2].name, "systemId");
        assert!(params[2].required);
    }

    #[test]
    fn setters_get_docs_and_a_named_conversion_error() {
        let mut imp: ItemImpl = syn::parse_quote! {
            impl<'a> GetThing<'a> {
                pub fn thing_id<V>(mut self, value: V) -> Self where V: TryInto<::uuid::Uuid> {
                    self.thing_id = value.try_into().map_err(|_| "conversion to `:: uuid :: Uuid` for thing_id failed".to_string());
                    self
                }
                pub fn body(self) -> Self { self }
            }
        };
        let params = params_of(
            &json!({}),
            &json!({}),
            &json!({"parameters": [{"name": "thingId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]}),
        );
        assert_eq!(document(&mut imp, "getThing", &params), 1);
        let text = quote::quote!(#imp).to_string();
        assert!(
            text.contains("`thingId` (path parameter, required): text (UUID)."),
            "{text}"
        );
        assert!(
            text.contains(
                "getThing: parameter `thingId` (`.thing_id(..)`): the value is not a UUID"
            ),
            "{text}"
        );
        assert!(!text.contains("conversion to"), "{text}");
    }
}

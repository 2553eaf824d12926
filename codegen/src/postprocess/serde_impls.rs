//! `Deserialize` and `Serialize` for the structs that keep unknown keys,
//! written here instead of derived.
//!
//! For a struct with `#[serde(flatten)] extra: crate::Extra` (every object
//! type, see `tolerant.rs`), serde's derive writes a key enum, a key visitor
//! with a dozen `visit_*` methods, a wrapper type with its own `Deserialize`
//! per `deserialize_with` field and a buffer for unknown keys: measured with
//! `-Z self-profile` on all 16 services, that code was the largest single
//! part of the crate's compile time (see BENCHMARKS.md, "Where the library's
//! compile time goes"). What is written here is one visitor whose
//! `visit_map` matches each key as text and reads its value in place, and
//! one `serialize` that writes the entries, through the hand-written
//! helpers of `src/response/fields.rs` and the tolerant helpers as seeds
//! (`src/response/tolerant.rs`).
//!
//! It reads and writes what the derive did. Reading: the same keys
//! (`rename`), the same defaults (`default` → `Default::default()`), the
//! same tolerant helpers (`deserialize_with`), the same errors (`duplicate
//! field` before the value is read, `missing field` in declaration order,
//! an absent `Option` without `default` as `None`), unknown keys into
//! `extra` (refused while a request body is checked, as before), objects
//! only (a flattened struct never read arrays). Writing: a map of the
//! fields in declaration order, each left out when its
//! `skip_serializing_if` says so, then the `extra` entries. A struct with
//! any other serde attribute, generics or a second `flatten` field keeps
//! the derives; a written struct loses its `#[serde]` attributes (no derive
//! is left to read them).
//!
//! String enums (a unit variant per value and the tolerant
//! `#[serde(untagged)] Unknown(String)`, see `tolerant.rs`) get a written
//! `Deserialize` too: with one untagged variant, serde's derive buffers
//! every value as `Content` and tries the tagged variants, then `Unknown`,
//! on that buffer. Written, a value is read as text and matched (the first
//! variant named by it wins, as with the derive); any other text is
//! `Unknown`, as before. What changes: a value that is not a string is
//! refused naming the type (`expected a string (a \`SystemTypeEnum\`)`)
//! where the derive said "data did not match any variant"; the map form of
//! a unit variant (`{"LINUX": null}`), which no Tapis server sends, is
//! refused. Their `Serialize` stays derived (it reads the variants'
//! `rename`s).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{parse_quote, Attribute, Fields, Item, ItemMod, ItemStruct, LitStr, Type};

use super::send::generic_arg;
use super::tolerant::{derives, remove_derives};

/// How a field's value is read.
enum Read {
    /// `T::deserialize`.
    Plain,
    /// One of `crate::response::tolerant`'s helpers, named by its seed type
    /// (`OptScalarSeed`...).
    Helper(&'static str),
}

/// One declared field of a struct.
struct Field {
    ident: syn::Ident,
    ty: Type,
    /// The JSON key.
    key: String,
    default: bool,
    read: Read,
    /// `skip_serializing_if`.
    skip: Option<syn::ExprPath>,
}

/// Writes `Deserialize` (and `Serialize`, where it was derived) for every
/// struct of `mod types` that qualifies, and `Deserialize` for its string
/// enums; returns how many types.
pub(super) fn rewrite(module: &mut ItemMod) -> Result<usize, String> {
    let Some((_, items)) = &mut module.content else {
        return Ok(0);
    };
    let mut impls = Vec::new();
    let mut count = 0;
    for item in items.iter_mut() {
        if let Item::Enum(e) = item {
            if let Some((variants, unknown)) = plan_string_enum(e) {
                count += 1;
                impls.push(Item::Impl(string_enum_deserialize_impl(
                    &e.ident, &variants, &unknown,
                )));
                remove_derives(&mut e.attrs, &["Deserialize"]);
            }
            continue;
        }
        let Item::Struct(s) = item else { continue };
        let Some((fields, extra)) = plan(s)? else {
            continue;
        };
        count += 1;
        impls.push(Item::Impl(deserialize_impl(&s.ident, &fields, &extra)));
        if derives(&s.attrs).iter().any(|d| d == "Serialize") {
            impls.push(Item::Impl(serialize_impl(&s.ident, &fields, &extra)));
        }
        remove_derives(&mut s.attrs, &["Deserialize", "Serialize"]);
        // Without a serde derive, `#[serde]` is no attribute at all.
        if let Fields::Named(named) = &mut s.fields {
            for f in named.named.iter_mut() {
                f.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
    }
    items.extend(impls);
    Ok(count)
}

/// The fields of `s` and the name of its `extra` field, when its
/// `Deserialize` can be written here; `None` when it keeps the derive.
fn plan(s: &ItemStruct) -> Result<Option<(Vec<Field>, syn::Ident)>, String> {
    let Fields::Named(named) = &s.fields else {
        return Ok(None);
    };
    if !derives(&s.attrs).iter().any(|d| d == "Deserialize")
        || !s.generics.params.is_empty()
        || s.attrs.iter().any(|a| a.path().is_ident("serde"))
    {
        return Ok(None);
    }
    let mut fields = Vec::new();
    let mut extra = None;
    for f in &named.named {
        let Some(ident) = f.ident.clone() else {
            return Ok(None);
        };
        let Some(attrs) = FieldAttrs::parse(&f.attrs).filter(|a| !a.untagged) else {
            return Ok(None);
        };
        if attrs.flatten {
            if extra.is_some()
                || !is_extra(&f.ty)
                || attrs.default
                || attrs.rename.is_some()
                || attrs.skip_serializing_if.is_some()
            {
                return Ok(None);
            }
            extra = Some(ident);
            continue;
        }
        let read = match attrs.deserialize_with.as_deref() {
            None => Read::Plain,
            Some("crate::response::tolerant::opt_scalar") => Read::Helper("OptScalarSeed"),
            Some("crate::response::tolerant::scalar") => Read::Helper("ScalarSeed"),
            Some("crate::response::tolerant::or_default") => Read::Helper("OrDefaultSeed"),
            Some("crate::response::tolerant::opt_or_blank") => Read::Helper("OptOrBlankSeed"),
            Some(_) => return Ok(None),
        };
        let key = attrs
            .rename
            .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
        fields.push(Field {
            ident,
            ty: f.ty.clone(),
            key,
            default: attrs.default,
            read,
            skip: attrs.skip_serializing_if,
        });
    }
    let Some(extra) = extra else {
        return Ok(None);
    };
    // Two fields read from one key would be a generator bug, not a shape
    // to fall back from.
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].iter().any(|g| g.key == f.key) {
            return Err(format!(
                "deserialize: `{}` has two fields read from key `{}`",
                s.ident, f.key
            ));
        }
    }
    Ok(Some((fields, extra)))
}

/// `crate::Extra`.
fn is_extra(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let mut segments = p.path.segments.iter();
    p.qself.is_none()
        && segments.next().is_some_and(|s| s.ident == "crate")
        && segments
            .next()
            .is_some_and(|s| s.ident == "Extra" && s.arguments.is_empty())
        && segments.next().is_none()
}

/// The serde attributes of one field (or enum variant), merged over its
/// `#[serde(..)]`s.
#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    default: bool,
    deserialize_with: Option<String>,
    skip_serializing_if: Option<syn::ExprPath>,
    flatten: bool,
    untagged: bool,
}

impl FieldAttrs {
    /// A string enum's value: nothing but, perhaps, `rename`.
    fn is_at_most_renamed(&self) -> bool {
        !self.untagged && !self.reads_or_writes_otherwise()
    }

    /// A string enum's `Unknown`: `untagged` and nothing else.
    fn is_only_untagged(&self) -> bool {
        self.untagged && self.rename.is_none() && !self.reads_or_writes_otherwise()
    }

    /// Any attribute but `rename` and `untagged`.
    fn reads_or_writes_otherwise(&self) -> bool {
        self.default
            || self.flatten
            || self.deserialize_with.is_some()
            || self.skip_serializing_if.is_some()
    }

    /// `None` when a field has an attribute this pass does not handle.
    fn parse(attrs: &[Attribute]) -> Option<FieldAttrs> {
        let mut out = FieldAttrs::default();
        let mut handled = true;
        for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            let parsed = attr.parse_nested_meta(|m| {
                let name = m
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                let value = if m.input.peek(syn::Token![=]) {
                    Some(m.value()?.parse::<LitStr>()?.value())
                } else {
                    None
                };
                match (name.as_str(), value) {
                    ("rename", Some(v)) => out.rename = Some(v),
                    ("default", None) => out.default = true,
                    ("deserialize_with", Some(v)) => out.deserialize_with = Some(v),
                    ("flatten", None) => out.flatten = true,
                    ("untagged", None) => out.untagged = true,
                    ("skip_serializing_if", Some(v)) => match syn::parse_str(&v) {
                        Ok(path) => out.skip_serializing_if = Some(path),
                        Err(_) => handled = false,
                    },
                    _ => handled = false,
                }
                Ok(())
            });
            if parsed.is_err() {
                return None;
            }
        }
        handled.then_some(out)
    }
}

/// The values of a string enum (each variant's ident and text, the first
/// of a text only) and its `Unknown` variant, when its `Deserialize` can be
/// written here: unit variants with at most a `rename`, then one
/// `#[serde(untagged)]` variant holding a `String`. `None` when it keeps
/// the derive.
fn plan_string_enum(e: &syn::ItemEnum) -> Option<(Vec<(syn::Ident, String)>, syn::Ident)> {
    if !derives(&e.attrs).iter().any(|d| d == "Deserialize")
        || !e.generics.params.is_empty()
        || e.attrs.iter().any(|a| a.path().is_ident("serde"))
    {
        return None;
    }
    let last = e.variants.last()?;
    let values = e.variants.iter().take(e.variants.len() - 1);
    let unknown_attrs = FieldAttrs::parse(&last.attrs)?;
    let Fields::Unnamed(held) = &last.fields else {
        return None;
    };
    let holds_string = held.unnamed.len() == 1
        && matches!(&held.unnamed[0].ty, Type::Path(p) if p.qself.is_none()
            && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()));
    if !holds_string || last.discriminant.is_some() || !unknown_attrs.is_only_untagged() {
        return None;
    }
    let mut out: Vec<(syn::Ident, String)> = Vec::new();
    for v in values {
        let attrs = FieldAttrs::parse(&v.attrs)?;
        if !matches!(v.fields, Fields::Unit)
            || v.discriminant.is_some()
            || !attrs.is_at_most_renamed()
        {
            return None;
        }
        let text = attrs
            .rename
            .unwrap_or_else(|| v.ident.to_string().trim_start_matches("r#").to_string());
        if !out.iter().any(|(_, t)| *t == text) {
            out.push((v.ident.clone(), text));
        }
    }
    Some((out, last.ident.clone()))
}

fn string_enum_deserialize_impl(
    name: &syn::Ident,
    values: &[(syn::Ident, String)],
    unknown: &syn::Ident,
) -> syn::ItemImpl {
    let expecting = format!("a string (a `{name}`)");
    let (idents, texts): (Vec<_>, Vec<_>) = values.iter().map(|(i, t)| (i, t.as_str())).unzip();
    parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let text = crate::response::fields::text(deserializer, #expecting)?;
                ::std::result::Result::Ok(match &*text {
                    #(#texts => Self::#idents,)*
                    _ => Self::#unknown(text.into_owned()),
                })
            }
        }
    }
}

fn deserialize_impl(name: &syn::Ident, fields: &[Field], extra: &syn::Ident) -> syn::ItemImpl {
    let expecting = format!("struct {name}");
    let slots: Vec<syn::Ident> = (0..fields.len()).map(|i| format_ident!("__f{i}")).collect();
    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    let (reads, values): (Vec<TokenStream>, Vec<TokenStream>) =
        fields.iter().map(read_value).unzip();
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.ident).collect();
    let finishes: Vec<TokenStream> = fields
        .iter()
        .zip(&slots)
        .map(|(f, slot)| {
            let key = &f.key;
            if f.default {
                quote!(#slot.unwrap_or_default())
            } else if matches!(f.read, Read::Helper(_)) {
                quote!(crate::response::fields::required(#slot, #key)?)
            } else {
                quote!(crate::response::fields::take(#slot, #key)?)
            }
        })
        .collect();
    parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                struct __Visitor;
                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;
                    fn expecting(
                        &self,
                        f: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<#name, A::Error>
                    where
                        A: ::serde::de::MapAccess<'de>,
                    {
                        // Each slot is typed (the value its seed reads):
                        // rustc then infers nothing across the function.
                        #(let mut #slots: ::std::option::Option<#values> = ::std::option::Option::None;)*
                        let mut unknown = ::serde_json::Map::new();
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<crate::response::fields::Key<'de>>()?
                        {
                            // One `?` for all arms: each is a call that
                            // returns `Result<(), A::Error>`.
                            match key.as_str() {
                                #(#keys => crate::response::fields::read(
                                    &mut map, &mut #slots, #keys, #reads,
                                ),)*
                                _ => crate::response::fields::unknown(&mut map, &mut unknown, key),
                            }?;
                        }
                        ::std::result::Result::Ok(#name {
                            #(#idents: #finishes,)*
                            #extra: crate::Extra::from_unknown(unknown)?,
                        })
                    }
                }
                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}

fn serialize_impl(name: &syn::Ident, fields: &[Field], extra: &syn::Ident) -> syn::ItemImpl {
    let entries = fields.iter().map(|f| {
        let (ident, key) = (&f.ident, &f.key);
        let write = quote! {
            ::serde::ser::SerializeMap::serialize_entry(&mut map, #key, &self.#ident)?;
        };
        match &f.skip {
            Some(skip) => quote!(if !#skip(&self.#ident) { #write }),
            None => write,
        }
    });
    parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                let mut map = ::serde::Serializer::serialize_map(serializer, ::std::option::Option::None)?;
                #(#entries)*
                crate::response::fields::write_extra(&mut map, &self.#extra)?;
                ::serde::ser::SerializeMap::end(map)
            }
        }
    }
}

/// The seed that reads one field's value, and the type of that value.
fn read_value(f: &Field) -> (TokenStream, TokenStream) {
    let ty = &f.ty;
    match f.read {
        Read::Plain => (quote!(::std::marker::PhantomData::<#ty>), quote!(#ty)),
        Read::Helper(seed) => {
            let seed = format_ident!("{seed}");
            // `opt_scalar` and `opt_or_blank` read the `T` of an `Option<T>`
            // field.
            let reads_inner = seed == "OptScalarSeed" || seed == "OptOrBlankSeed";
            let (of, value) = match (reads_inner, generic_arg(ty, "Option")) {
                (true, Some(inner)) => (inner, quote!(#ty)),
                (true, None) => (ty.clone(), quote!(::std::option::Option<#ty>)),
                (false, _) => (ty.clone(), quote!(#ty)),
            };
            (quote!(crate::response::tolerant::#seed::<#of>::NEW), value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (usize, String) {
        let mut m: ItemMod = syn::parse_str(src).unwrap();
        let n = rewrite(&mut m).unwrap();
        let file: syn::File = parse_quote!(#m);
        (n, prettyplease::unparse(&file))
    }

    #[test]
    fn a_struct_with_extra_gets_a_written_impl_and_keeps_what_serialize_reads() {
        let (n, out) = run(r#"
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
                pub struct S {
                    #[serde(rename = "canExec")]
                    #[serde(default, deserialize_with = "crate::response::tolerant::scalar")]
                    pub can_exec: bool,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    #[serde(default, deserialize_with = "crate::response::tolerant::opt_scalar")]
                    pub r#type: ::std::option::Option<i64>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub result: ::std::option::Option<T>,
                    #[serde(deserialize_with = "crate::response::tolerant::or_default")]
                    pub list: Vec<u8>,
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
            }
        "#);
        assert_eq!(n, 1);
        assert!(out.contains("#[derive(Clone, Debug, Default)]"), "{out}");
        assert!(!out.contains("#[serde"), "{out}");
        for wanted in [
            "\"canExec\" =>",
            "\"type\" =>",
            "ScalarSeed::<bool>::NEW",
            "OptScalarSeed::<i64>::NEW",
            "OrDefaultSeed::<Vec<u8>>::NEW",
            "crate::response::fields::take(__f2, \"result\")?",
            "crate::response::fields::required(__f3, \"list\")?",
            "can_exec: __f0.unwrap_or_default()",
            "extra: crate::Extra::from_unknown(unknown)?",
            "impl ::serde::Serialize for S",
            "serialize_entry(&mut map, \"canExec\", &self.can_exec",
            "if !::std::option::Option::is_none(&self.r#type)",
            "serialize_entry(&mut map, \"type\", &self.r#type",
            "write_extra(&mut map, &self.extra)",
        ] {
            // Compared without white space: prettyplease breaks lines.
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            assert!(
                squeeze(&out).contains(&squeeze(wanted)),
                "{wanted} not in {out}"
            );
        }
    }

    #[test]
    fn other_shapes_keep_the_derive() {
        let (n, out) = run(r#"
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct NoExtra { pub a: i64 }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct TwoFlattened {
                    #[serde(flatten)]
                    pub a: ::std::option::Option<A>,
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct OtherDefault {
                    #[serde(default = "defaults::a")]
                    pub a: i64,
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct StructAttribute {
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
                #[derive(::serde::Serialize)]
                pub struct WriteOnly {
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
            }
        "#);
        assert_eq!(n, 0, "{out}");
        assert_eq!(out.matches("::serde::Deserialize,").count(), 4, "{out}");
        assert_eq!(out.matches("#[serde(flatten)]").count(), 5, "{out}");
    }

    #[test]
    fn a_struct_without_serialize_gets_only_deserialize() {
        let (n, out) = run(r#"
            mod types {
                #[derive(::serde::Deserialize, Debug)]
                pub struct ReadOnly {
                    #[serde(rename = "a-b")]
                    pub a_b: i64,
                    #[serde(flatten)]
                    pub extra: crate::Extra,
                }
            }
        "#);
        assert_eq!(n, 1);
        assert!(
            out.contains("impl<'de> ::serde::Deserialize<'de> for ReadOnly"),
            "{out}"
        );
        assert!(
            !out.contains("Serialize") && !out.contains("#[serde"),
            "{out}"
        );
    }

    #[test]
    fn string_enums_get_a_written_deserialize_and_keep_serialize() {
        let (n, out) = run(r#"
            mod types {
                /// Type of system
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                pub enum SystemType {
                    #[serde(rename = "LINUX")]
                    Linux,
                    S3,
                    #[serde(rename = "LINUX")]
                    Linux2,
                    /// A value this version does not know.
                    #[serde(untagged)]
                    Unknown(::std::string::String),
                }
            }
        "#);
        assert_eq!(n, 1, "{out}");
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        for wanted in [
            "#[derive(::serde::Serialize, Clone, Debug, PartialEq)]",
            "#[serde(rename = \"LINUX\")] Linux,",
            "#[serde(untagged)] Unknown(::std::string::String),",
            "impl<'de> ::serde::Deserialize<'de> for SystemType",
            "crate::response::fields::text(deserializer,",
            "\"a string (a `SystemType`)\"",
            "\"LINUX\" => Self::Linux,",
            "\"S3\" => Self::S3,",
            "_ => Self::Unknown(text.into_owned()),",
        ] {
            assert!(
                squeeze(&out).contains(&squeeze(wanted)),
                "{wanted} not in {out}"
            );
        }
        // The first variant named by a text wins, as with the derive.
        assert!(!out.contains("Self::Linux2"), "{out}");
    }

    #[test]
    fn other_enums_keep_the_derive() {
        let (n, out) = run(r#"
            mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(untagged)]
                pub enum Union {
                    A(i64),
                    Unknown(::serde_json::Value),
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum NoFallback {
                    A,
                    B,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum HeldValue {
                    A,
                    #[serde(untagged)]
                    Unknown(::serde_json::Value),
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum Aliased {
                    #[serde(alias = "a")]
                    A,
                    #[serde(untagged)]
                    Unknown(::std::string::String),
                }
                #[derive(::serde::Serialize)]
                pub enum WriteOnly {
                    A,
                    #[serde(untagged)]
                    Unknown(::std::string::String),
                }
            }
        "#);
        assert_eq!(n, 0, "{out}");
        assert_eq!(out.matches("::serde::Deserialize,").count(), 4, "{out}");
    }
}

//! List operations that page with `limit` and `skip` or `offset` (and maybe
//! `startAfter`/`orderBy`) and answer a list in the envelope's `result` get
//! `impl tapis::paging::Paged` and a `.paginate()` method on their builder.
//! Which operations qualify is read from the generated code, not listed.

use proc_macro2::Ident;
use quote::format_ident;
use syn::{Fields, Item, ItemStruct, Type};

use super::send::generic_arg;

/// A builder's `send`: its success type and operationId.
pub(super) struct Send {
    pub success: Type,
    pub op_id: String,
    /// Decodes `response` (a successful `reqwest::Response`) into
    /// `Result<tapis::Response<success>, tapis::Error>`.
    pub decode: syn::Expr,
    /// The docs progenitor gave `send`.
    pub attrs: Vec<syn::Attribute>,
    /// The operation's parameters (their setters get docs from them).
    pub params: Vec<super::setters::Param>,
}

/// Where a list operation's items are in its success type.
pub(super) enum Shape {
    /// In the envelope's `result`.
    Envelope,
    /// The body itself is the list (meta).
    Bare,
}

/// The paging items for `builder`, or `None` if its operation does not page
/// (no `limit` with `skip`/`offset`, nor `pagesize` with `page`).
pub(super) fn items_for(builder: &ItemStruct, send: &Send, shape: Shape) -> Option<Vec<Item>> {
    if !builder
        .generics
        .params
        .iter()
        .all(|p| matches!(p, syn::GenericParam::Lifetime(_)))
    {
        return None;
    }
    let Fields::Named(fields) = &builder.fields else {
        return None;
    };
    let has = |name: &str| {
        fields
            .named
            .iter()
            .any(|f| f.ident.as_ref().is_some_and(|i| i == name))
    };
    // The page size's parameter, the position's, and whether the position
    // is a page number (meta: `page` from 1) rather than an item offset.
    let (limit, position, page_numbers): (Ident, Ident, bool) = if has("limit") && has("skip") {
        (format_ident!("limit"), format_ident!("skip"), false)
    } else if has("limit") && has("offset") {
        (format_ident!("limit"), format_ident!("offset"), false)
    } else if has("pagesize") && has("page") {
        (format_ident!("pagesize"), format_ident!("page"), true)
    } else {
        return None;
    };
    let limit_name = limit.to_string();
    let name = &builder.ident;
    let success = &send.success;
    let op_id = &send.op_id;
    let position_name = position.to_string();
    let start_after_type = fields
        .named
        .iter()
        .find(|f| f.ident.as_ref().is_some_and(|i| i == "start_after"))
        .and_then(|f| generic_arg(&f.ty, "Result"))
        .and_then(|t| generic_arg(&t, "Option"));
    let (start_after_given, start_after_set, has_start_after) = if let Some(ty) = start_after_type {
        (
            quote::quote!(crate::paging::given_value("startAfter", &self.start_after)?),
            // The value comes from an item's field; the spec may type the
            // parameter differently (jobs: integer), so convert it here.
            quote::quote! {
                self.start_after = match start_after {
                    Some(value) => crate::paging::start_after_as::<#ty>(value).map(Some),
                    None => Ok(None),
                };
            },
            true,
        )
    } else {
        (
            quote::quote!(None),
            quote::quote!(let _ = start_after;),
            false,
        )
    };
    let order_by_given = if has("order_by") {
        quote::quote!(crate::paging::given_text("orderBy", &self.order_by)?)
    } else {
        quote::quote!(None)
    };
    let doc = format!(
        "Every item of every page of `{op_id}`, as a lazy stream: pages are fetched with \
         `{limit_name}` and `{position_name}` only as the stream is read, keeping every other \
         parameter and per-call control. See [`crate::paging::Paginator`] for the page size, \
         a cap on the items{}.",
        if has_start_after {
            " and paging by `startAfter`"
        } else {
            ""
        }
    );
    let (item, page) = match shape {
        Shape::Envelope => (
            quote::quote!(<<#success as crate::Envelope>::Result as crate::paging::Items>::Item),
            quote::quote!(crate::paging::page(self.send().await?)),
        ),
        Shape::Bare => (
            quote::quote!(<#success as crate::paging::Items>::Item),
            quote::quote!(crate::paging::bare_page(self.send().await?)),
        ),
    };
    Some(vec![
        syn::parse_quote! {
            impl<'a> crate::paging::Paged<'a> for #name<'a> {
                type Item = #item;
                const OPERATION: &'static str = #op_id;
                const POSITION: &'static str = #position_name;
                const PAGE_NUMBERS: bool = #page_numbers;
                const START_AFTER: bool = #has_start_after;
                fn initial(&self) -> Result<crate::paging::Initial, crate::Error> {
                    Ok(crate::paging::Initial {
                        limit: crate::paging::given_number(#limit_name, &self.#limit)?,
                        position: crate::paging::given_number(#position_name, &self.#position)?,
                        start_after: #start_after_given,
                        order_by: #order_by_given,
                    })
                }
                fn with_page(
                    mut self,
                    limit: i64,
                    position: Option<i64>,
                    start_after: Option<::serde_json::Value>,
                ) -> Self {
                    self = self.#limit(limit);
                    self.#position = Ok(None);
                    if let Some(value) = position {
                        self = self.#position(value);
                    }
                    #start_after_set
                    self
                }
                // Compiled where it is called (see `builders::sends_of`).
                #[inline]
                fn fetch_page(self) -> crate::paging::PageFuture<'a, Self::Item> {
                    Box::pin(async move { #page })
                }
            }
        },
        syn::parse_quote! {
            impl<'a> #name<'a> {
                #[doc = #doc]
                pub fn paginate(self) -> crate::paging::Paginator<'a, Self> {
                    crate::paging::Paginator::new(self)
                }
            }
        },
    ])
}

//! `Debug` never shows a secret: every generated struct (body types, their
//! builders, operation builders) with a secret-named field gets a `Debug`
//! impl of its own that shows `<redacted>` for that field, in place of the
//! derived one. Errors, logs and test output are where `Debug` ends up.

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, ItemMod, ItemStruct};

/// Whether a field name (snake case) names a secret. `public_key` and other
/// public material are not secrets.
pub fn is_secret_field(name: &str) -> bool {
    let name = name.trim_start_matches("r#").to_ascii_lowercase();
    // Public material, and names *about* a secret (its lifetime, type,
    // owner, where to get one, whether to make one) rather than holding it.
    if name.contains("public")
        || [
            "_ttl",
            "_type",
            "_id",
            "_url",
            "_service",
            "_services",
            "_username",
            "_expires_at",
            "_expires_in",
        ]
        .iter()
        .any(|s| name.ends_with(s))
        || ["generate_", "is_", "has_", "use_"]
            .iter()
            .any(|p| name.starts_with(p))
    {
        return false;
    }
    [
        "password",
        "passphrase",
        "secret",
        "token",
        "private_key",
        "access_key",
        "client_key",
        "api_key",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// Rewrites every module of `file`; returns how many structs it changed.
pub(super) fn rewrite(file: &mut syn::File) -> usize {
    let mut pass = Pass { hits: 0 };
    let added = pass.items(&mut file.items);
    file.items.extend(added);
    pass.hits
}

struct Pass {
    hits: usize,
}

impl Pass {
    /// Redacts the structs among `items`, returning the `Debug` impls to add.
    fn items(&mut self, items: &mut [Item]) -> Vec<Item> {
        let mut added = Vec::new();
        for item in items.iter_mut() {
            match item {
                Item::Struct(s) => {
                    if let Some(imp) = self.redact(s) {
                        added.push(imp);
                    }
                }
                Item::Mod(m) => self.visit_item_mod_mut(m),
                _ => {}
            }
        }
        added
    }

    fn redact(&mut self, s: &mut ItemStruct) -> Option<Item> {
        let Fields::Named(fields) = &s.fields else {
            return None;
        };
        let secret = |f: &syn::Field| {
            f.ident
                .as_ref()
                .is_some_and(|i| is_secret_field(&i.to_string()))
        };
        if !fields.named.iter().any(secret) {
            return None;
        }
        let mut derived = false;
        for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
            let mut kept: Vec<syn::Path> = Vec::new();
            let _ = attr.parse_nested_meta(|m| {
                if m.path.is_ident("Debug") {
                    derived = true;
                } else {
                    kept.push(m.path.clone());
                }
                Ok(())
            });
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
        if !derived {
            return None;
        }
        let name = &s.ident;
        let shown = name.to_string();
        let entries = fields.named.iter().map(|f| {
            let ident = f.ident.as_ref().expect("named");
            let label = ident.to_string();
            let label = label.trim_start_matches("r#");
            if secret(f) {
                quote!(.field(#label, &"<redacted>"))
            } else {
                quote!(.field(#label, &self.#ident))
            }
        });
        let (impl_generics, type_generics, where_clause) = s.generics.split_for_impl();
        let f = format_ident!("f");
        self.hits += 1;
        Some(syn::parse_quote! {
            impl #impl_generics ::std::fmt::Debug for #name #type_generics #where_clause {
                fn fmt(&self, #f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #f.debug_struct(#shown) #(#entries)* .finish()
                }
            }
        })
    }
}

impl VisitMut for Pass {
    fn visit_item_mod_mut(&mut self, m: &mut ItemMod) {
        if let Some((_, items)) = &mut m.content {
            let added = self.items(items);
            items.extend(added);
        }
    }
}

/// The structs of `file` that have a secret-named field and still derive
/// `Debug` (none, once post-processing has run).
pub fn leaking_structs(file: &syn::File) -> Vec<String> {
    fn walk(items: &[Item], out: &mut Vec<String>) {
        for item in items {
            match item {
                Item::Struct(s) => {
                    let secret = s.fields.iter().any(|f| {
                        f.ident
                            .as_ref()
                            .is_some_and(|i| is_secret_field(&i.to_string()))
                    });
                    let derives_debug = s.attrs.iter().any(|a| {
                        let mut found = false;
                        if a.path().is_ident("derive") {
                            let _ = a.parse_nested_meta(|m| {
                                found |= m.path.is_ident("Debug");
                                Ok(())
                            });
                        }
                        found
                    });
                    if secret && derives_debug {
                        out.push(s.ident.to_string());
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        walk(items, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&file.items, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for secret in [
            "password",
            "private_key",
            "access_key",
            "access_secret",
            "access_token",
            "refresh_token",
            "token",
            "client_key",
            "user_password",
        ] {
            assert!(is_secret_field(secret), "{secret}");
        }
        for open in [
            "public_key",
            "username",
            "host",
            "key_type",
            "token_service",
            "access_token_ttl",
            "token_tenant_id",
            "generate_refresh_token",
        ] {
            assert!(!is_secret_field(open), "{open}");
        }
    }

    #[test]
    fn derived_debug_is_replaced() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone, Debug)]
                pub struct Cred { pub user: String, pub password: Option<String> }
                pub mod builder {
                    #[derive(Debug)]
                    pub struct Cred { password: Result<String, String> }
                }
            }
        };
        assert_eq!(leaking_structs(&file).len(), 2);
        assert_eq!(rewrite(&mut file), 2);
        assert!(leaking_structs(&file).is_empty());
        let text = quote::ToTokens::to_token_stream(&file).to_string();
        assert!(text.contains("\"<redacted>\""), "{text}");
    }
}

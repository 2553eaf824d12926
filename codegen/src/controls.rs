//! The per-call methods every operation builder has (`.tapis_header(..)`,
//! `.timeout(..)`...), in one table: `cargo xtask call-controls` writes the
//! runtime's `call_controls!` macro from it (each method forwards to the
//! `tapis::CallOptions` method of the same name, so the compiler checks the
//! two agree), and post-processing refuses a spec parameter whose setter
//! would take one of these names.

/// One per-call method of the builders.
pub struct Control {
    /// The method's name, the same as the `CallOptions` method it forwards to.
    pub name: &'static str,
    /// Its generic parameters (`<K: Into<String>>`), or empty.
    pub generics: &'static str,
    /// Its parameters after `self`.
    pub params: &'static str,
    /// The arguments passed on to `CallOptions::<name>`.
    pub args: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
}

/// Every per-call method, in the order the docs show them.
pub const CONTROLS: &[Control] = &[
    Control {
        name: "tapis_header",
        generics: "",
        params: "name: impl Into<String>, value: impl Into<String>",
        args: "name, value",
        doc: "Adds a header to this call; see [`CallOptions::tapis_header`](crate::CallOptions::tapis_header).",
    },
    Control {
        name: "tapis_headers",
        generics: "<K: Into<String>, V: Into<String>>",
        params: "headers: impl IntoIterator<Item = (K, V)>",
        args: "headers",
        doc: "Adds headers to this call; see [`CallOptions::tapis_header`](crate::CallOptions::tapis_header).",
    },
    Control {
        name: "tapis_query",
        generics: "",
        params: "name: impl Into<String>, value: impl ToString",
        args: "name, value",
        doc: "Adds a query parameter (a search filter such as `owner.eq`); see [`CallOptions::tapis_query`](crate::CallOptions::tapis_query).",
    },
    Control {
        name: "tapis_query_params",
        generics: "<K: Into<String>, V: ToString>",
        params: "params: impl IntoIterator<Item = (K, V)>",
        args: "params",
        doc: "Adds query parameters; see [`CallOptions::tapis_query`](crate::CallOptions::tapis_query).",
    },
    Control {
        name: "tracking_id",
        generics: "",
        params: "id: impl Into<String>",
        args: "id",
        doc: "Sets `X-Tapis-Tracking-ID`; see [`CallOptions::tracking_id`](crate::CallOptions::tracking_id).",
    },
    Control {
        name: "on_behalf_of",
        generics: "",
        params: "user: impl Into<String>, tenant: impl Into<String>",
        args: "user, tenant",
        doc: "Makes this call on behalf of `user` in `tenant`; see [`CallOptions::on_behalf_of`](crate::CallOptions::on_behalf_of).",
    },
    Control {
        name: "timeout",
        generics: "",
        params: "timeout: std::time::Duration",
        args: "timeout",
        doc: "A total timeout for this call, token refresh and retries included; see [`CallOptions::timeout`](crate::CallOptions::timeout).",
    },
    Control {
        name: "retry_policy",
        generics: "",
        params: "policy: $crate::RetryPolicy",
        args: "policy",
        doc: "The retry policy of this call, instead of the client's.",
    },
    Control {
        name: "debug_capture",
        generics: "",
        params: "capture: &$crate::DebugCapture",
        args: "capture",
        doc: "Records what this call sends and receives; see [`DebugCapture`](crate::DebugCapture).",
    },
    Control {
        name: "call_options",
        generics: "",
        params: "options: $crate::CallOptions",
        args: "options",
        doc: "Applies prepared [`CallOptions`](crate::CallOptions) to this call (see [`CallOptions::merge`](crate::CallOptions::merge)).",
    },
];

/// Where the `call_controls!` macro is kept, from the workspace root
/// (written by `cargo xtask call-controls`; a test checks it is current).
pub const CALL_CONTROLS_FILE: &str = "src/runtime/request/call_controls.rs";

/// The source of the `call_controls!` macro: given a builder type with a
/// `call_options: CallOptions` field and a lifetime `'a` (and optionally
/// one type parameter), it adds every method of [`CONTROLS`].
pub fn call_controls_macro() -> String {
    let mut methods = String::new();
    for c in CONTROLS {
        // `call_options` merges; the others have a CallOptions method of
        // their own name.
        let forwarded = if c.name == "call_options" {
            "merge"
        } else {
            c.name
        };
        methods.push_str(&format!(
            "            #[doc = {doc:?}]\n            #[inline]\n            \
             pub fn {name}{generics}(mut self, {params}) -> Self {{\n                \
             self.call_options = std::mem::take(&mut self.call_options).{forwarded}({args});\n                \
             self\n            }}\n\n",
            doc = c.doc,
            name = c.name,
            generics = c.generics,
            params = c.params,
            args = c.args,
        ));
    }
    format!(
        "// @generated by `cargo xtask call-controls` from tapis-codegen's `controls::CONTROLS`.\n\
         // Do not edit.\n\
         #[doc(hidden)]\n#[macro_export]\n\
         macro_rules! call_controls {{\n    \
         ($builder:ident<$t:ident>) => {{\n        \
         $crate::request::call_controls!(@impl [$t] $builder<'a, $t>);\n    }};\n    \
         ($builder:ident) => {{\n        \
         $crate::request::call_controls!(@impl [] $builder<'a>);\n    }};\n    \
         (@impl [$($t:ident)?] $builder:ty) => {{\n        \
         impl<'a, $($t)?> $builder {{\n{methods}        }}\n    }};\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macro_parses_and_has_every_method() {
        let source = call_controls_macro();
        let item: syn::ItemMacro = syn::parse_str(&source).expect("a macro_rules item");
        let body = item.mac.tokens.to_string();
        for c in CONTROLS {
            assert!(body.contains(&format!("pub fn {}", c.name)), "{}", c.name);
        }
    }
}

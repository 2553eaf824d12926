//! Spec prose as rustdoc.

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

/// The example progenitor writes on each `Client` method calls the builder
/// on a `client` no user has; it becomes the call as users write it,
/// `t.<module>().<operation>()...send().await?`, and the argument list says
/// where the parameters are documented. Returns how many methods were
/// rewritten (every operation has one).
pub(super) fn client_examples(file: &mut syn::File, module: &str) -> usize {
    let mut hits = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client || imp.trait_.is_some() {
            continue;
        }
        for item in &mut imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            for attr in &mut f.attrs {
                let syn::Meta::NameValue(nv) = &mut attr.meta else {
                    continue;
                };
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &mut nv.value
                else {
                    continue;
                };
                let doc = s.value();
                if !doc.contains("let response = client.") {
                    continue;
                }
                hits += 1;
                let doc = doc
                    .replace(
                        "let response = client.",
                        &format!("let response = t.{module}()."),
                    )
                    .replace(".send()\n    .await;", ".send()\n    .await?;")
                    .replace(
                        "\nArguments:\n",
                        "\nParameters (each a setter of the builder, documented there):\n",
                    );
                *s = syn::LitStr::new(&doc, s.span());
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_examples_are_written_as_users_call() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                #[doc = "Lists.\n\nArguments:\n- `limit`: how many\n```ignore\nlet response = client.get_things()\n    .limit(limit)\n    .send()\n    .await;\n```"]
                pub fn get_things(&self) {}
            }
        };
        assert_eq!(client_examples(&mut file, "things"), 1);
        let text = quote::quote!(#file).to_string();
        assert!(
            text.contains("let response = t.things().get_things()"),
            "{text}"
        );
        assert!(text.contains(".await?;"), "{text}");
        assert!(text.contains("Parameters (each a setter"), "{text}");
    }

    #[test]
    fn fences_and_indented_blocks_become_text() {
        let doc = " Intro\n\n```\nlet x = 1;\n```\n\n    indented code\n```json\n{}\n```";
        let out = sanitize_doc(doc);
        assert!(out.contains("```text\nlet x = 1;"), "{out}");
        assert!(out.contains("\n indented code"), "{out}");
        assert!(out.contains(" ```json"), "{out}");
    }
}

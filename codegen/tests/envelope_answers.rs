//! In the code generated from every vendored spec, each operation whose
//! answer is a Tapis envelope reads it with `answer_envelope` (a 2xx whose
//! envelope says `"status": "error"` is an error), and every other one
//! (meta's documents, bare lists) with `answer_json`.

use std::collections::BTreeSet;
use std::path::Path;

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use tapis_codegen::{generate_service, SpecSet};

/// The names of the `types` that implement `crate::Envelope`, and every
/// `send()`: its answer type's tokens and whether it reads an envelope.
#[derive(Default)]
struct Seen {
    envelopes: BTreeSet<String>,
    sends: Vec<(String, String)>,
}

impl VisitMut for Seen {
    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        if let Some((path, _)) = &i.trait_ {
            if path.segments.last().is_some_and(|s| s.ident == "Envelope") {
                self.envelopes
                    .insert(i.self_ty.to_token_stream().to_string());
            }
        }
        syn::visit_mut::visit_item_impl_mut(self, i);
    }

    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        if f.sig.ident == "send" {
            let output = f.sig.output.to_token_stream().to_string();
            let body = f.block.to_token_stream().to_string();
            let reader = [
                "answer_envelope_or_default",
                "answer_envelope",
                "answer_json_or_default",
                "answer_json",
                "answer_download",
                "answer_empty",
            ]
            .into_iter()
            .find(|r| body.contains(&format!("{r} (")))
            .unwrap_or("none");
            self.sends.push((output, reader.to_string()));
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
    }
}

#[test]
fn envelope_answers_are_read_as_envelopes() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let set = SpecSet::load_dir(&specs).expect("the vendored specs");
    let (mut envelope_reads, mut json_reads) = (0, 0);
    let mut wrong = Vec::new();
    for service in set.services() {
        let generated = generate_service(service, &set).expect("generates");
        let mut file = syn::parse_file(&generated.code).expect("parses");
        let mut seen = Seen::default();
        seen.visit_file_mut(&mut file);
        for (output, reader) in &seen.sends {
            // `Response < types :: X >`: the answer type.
            let answer = output
                .split("Response < types :: ")
                .nth(1)
                .and_then(|rest| rest.split(" >").next())
                .map(str::to_string);
            let is_envelope = answer.as_ref().is_some_and(|a| seen.envelopes.contains(a));
            match (is_envelope, reader.as_str()) {
                (true, "answer_envelope" | "answer_envelope_or_default") => envelope_reads += 1,
                (false, "answer_json" | "answer_json_or_default") => json_reads += 1,
                (false, "answer_envelope" | "answer_envelope_or_default")
                | (false, "answer_download" | "answer_empty") => {}
                _ => wrong.push(format!("{service}: {answer:?} read by {reader}")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Envelopes without a declared `result` (`BasicResponse`) get no
    // `Envelope` impl but are read as envelopes too: counted above as the
    // `(false, answer_envelope)` arm.
    assert!(envelope_reads > 400, "{envelope_reads}");
    assert!(json_reads > 20, "{json_reads}");
}

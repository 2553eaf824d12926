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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_and_indented_blocks_become_text() {
        let doc = " Intro\n\n```\nlet x = 1;\n```\n\n    indented code\n```json\n{}\n```";
        let out = sanitize_doc(doc);
        assert!(out.contains("```text\nlet x = 1;"), "{out}");
        assert!(out.contains("\n indented code"), "{out}");
        assert!(out.contains(" ```json"), "{out}");
    }
}

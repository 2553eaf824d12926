//! Declaring the cargo feature of a newly vendored service in the root
//! `Cargo.toml`, so that build.rs generates its module with no hand edit:
//! `name = []` among the other service features and `"name"` in `default`.

use std::path::Path;

/// Adds the feature for `service` unless it is declared already; returns
/// whether the file changed.
pub fn ensure_feature(cargo_toml: &Path, service: &str) -> Result<bool, String> {
    let text = std::fs::read_to_string(cargo_toml)
        .map_err(|e| format!("{}: {e}", cargo_toml.display()))?;
    match add_feature(&text, service).map_err(|e| format!("{}: {e}", cargo_toml.display()))? {
        Some(updated) => {
            crate::update_specs::write_atomic(cargo_toml, updated.as_bytes())?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// `text` with the feature added, or `None` if it is declared already.
fn add_feature(text: &str, service: &str) -> Result<Option<String>, String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "[features]")
        .ok_or("no [features] table")?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| start + 1 + i);
    let key = |l: &str| {
        l.split('=')
            .next()
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    if lines[start + 1..end].iter().any(|l| key(l) == service) {
        return Ok(None);
    }

    // The new feature goes among the other empty (service) features, in
    // alphabetical order.
    let services: Vec<usize> = (start + 1..end)
        .filter(|&i| lines[i].trim().ends_with("= []"))
        .collect();
    let at = services
        .iter()
        .find(|&&i| key(&lines[i]).as_str() > service)
        .copied()
        .or_else(|| services.last().map(|i| i + 1))
        .unwrap_or(end);

    // ... and into `default`, which may span several lines.
    let default = (start + 1..end)
        .find(|&i| key(&lines[i]) == "default")
        .ok_or("no `default` feature")?;
    let close = (default..end)
        .find(|&i| lines[i].contains(']'))
        .ok_or("the `default` feature's list is not closed")?;
    let quoted = format!("\"{service}\"");
    let mut at = at;
    if lines[close].trim() == "]" {
        lines.insert(close, format!("    {quoted},"));
        if at > close {
            at += 1;
        }
    } else {
        let line = &mut lines[close];
        let bracket = line.rfind(']').unwrap_or(line.len());
        let before = line[..bracket].trim_end();
        let item = if before.ends_with('[') || before.ends_with(',') {
            quoted
        } else {
            format!(", {quoted}")
        };
        line.insert_str(bracket, &item);
    }
    lines.insert(at, format!("{service} = []"));

    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::add_feature;

    #[test]
    fn adds_the_feature_in_order_and_to_default() {
        let toml = "[package]\nname = \"tapis\"\n\n[features]\n# comment\ndefault = [\n    \"apps\", \"jobs\",\n]\napps = []\njobs = []\ntesting = [\"dep:x\"]\n\n[dependencies]\nx = \"1\"\n";
        let out = add_feature(toml, "hello").unwrap().unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"tapis\"\n\n[features]\n# comment\ndefault = [\n    \"apps\", \"jobs\",\n    \"hello\",\n]\napps = []\nhello = []\njobs = []\ntesting = [\"dep:x\"]\n\n[dependencies]\nx = \"1\"\n"
        );
        assert_eq!(add_feature(&out, "hello").unwrap(), None);
        let out = add_feature(&out, "zeta").unwrap().unwrap();
        assert!(out.contains("jobs = []\nzeta = []\ntesting"), "{out}");
    }

    #[test]
    fn handles_a_one_line_default_and_reports_a_missing_table() {
        let out = add_feature("[features]\ndefault = [\"a\"]\na = []\n", "b")
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[features]\ndefault = [\"a\", \"b\"]\na = []\nb = []\n"
        );
        assert!(add_feature("[package]\n", "b")
            .unwrap_err()
            .contains("[features]"));
    }

    #[test]
    fn the_real_manifest_takes_a_new_service() {
        let text = std::fs::read_to_string(crate::workspace_root().join("Cargo.toml")).unwrap();
        let out = add_feature(&text, "hello").unwrap().unwrap();
        assert!(out.contains("\n    \"hello\",\n]"), "{out}");
        assert!(
            out.contains("globus-proxy = []\nhello = []\njobs = []"),
            "{out}"
        );
        assert_eq!(add_feature(&text, "systems").unwrap(), None);
    }
}

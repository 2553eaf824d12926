//! Which operation a request is for: the request path matched against the
//! route table generated from the specs (`ROUTES`).

use std::collections::BTreeMap;

/// An operation of a service, as the specs name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OperationRef {
    /// The service (`systems`).
    pub service: &'static str,
    /// The operationId as the spec spells it (`getSystems`).
    pub id: &'static str,
}

/// A matched route: the operation and its decoded path parameters.
#[derive(Debug, Clone)]
pub(crate) struct Matched {
    pub operation: OperationRef,
    pub params: BTreeMap<String, String>,
}

/// The operation `method path` is for; where several templates match, the
/// one with the most literal segments wins (`/v3/systems/search` over
/// `/v3/systems/{systemId}`).
pub(crate) fn find(method: &str, path: &str) -> Option<Matched> {
    let mut best: Option<(usize, Matched)> = None;
    for (service, id, route_method, template) in crate::ROUTES {
        if !route_method.eq_ignore_ascii_case(method) {
            continue;
        }
        let Some((literals, params)) = match_template(template, path) else {
            continue;
        };
        if best.as_ref().is_none_or(|(score, _)| literals > *score) {
            let operation = OperationRef { service, id };
            best = Some((literals, Matched { operation, params }));
        }
    }
    best.map(|(_, m)| m)
}

/// Matches `path` against `template`: `{name}` takes one segment, a final
/// `{name*}` the rest of the path (possibly empty). Returns the number of
/// literal segments and the decoded parameters.
pub(crate) fn match_template(
    template: &str,
    path: &str,
) -> Option<(usize, BTreeMap<String, String>)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut params = BTreeMap::new();
    let mut literals = 0;
    let mut segments = path.trim_start_matches('/').split('/');
    let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if let Some(name) = name.strip_suffix('*').filter(|_| i == parts.len() - 1) {
                let rest: Vec<&str> = segments.by_ref().collect();
                let rest = rest.join("/");
                params.insert(name.to_string(), decode(rest.trim_end_matches('/')));
                return Some((literals, params));
            }
            let segment = segments.next().filter(|s| !s.is_empty())?;
            params.insert(name.trim_end_matches('*').to_string(), decode(segment));
        } else {
            if segments.next()? != *part {
                return None;
            }
            literals += 1;
        }
    }
    // A trailing `/` is tolerated; anything more is another route.
    match (segments.next(), segments.next()) {
        (None, _) | (Some(""), None) => Some((literals, params)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_segments_and_file_paths() {
        let (n, p) = match_template("/v3/systems/{systemId}", "/v3/systems/s%201").unwrap();
        assert_eq!((n, p["systemId"].as_str()), (2, "s 1"));
        assert!(match_template("/v3/systems/{systemId}", "/v3/systems/a/b").is_none());
        assert!(match_template("/v3/systems/{systemId}", "/v3/systems/").is_none());
        let (_, p) = match_template(
            "/v3/files/ops/{systemId}/{path*}",
            "/v3/files/ops/s/a/b%3F.txt",
        )
        .unwrap();
        assert_eq!(p["path"], "a/b?.txt");
        let (_, p) = match_template("/v3/files/ops/{systemId}/{path*}", "/v3/files/ops/s").unwrap();
        assert_eq!(p["path"], "");
    }

    #[test]
    fn literal_routes_win_over_parameters() {
        let m = find("GET", "/v3/systems/search").unwrap();
        assert_eq!(m.operation.id, "searchSystemsQueryParameters");
        assert_eq!(
            find("GET", "/v3/systems/abc").unwrap().operation.id,
            "getSystem"
        );
        assert!(find("GET", "/v3/nothing/here").is_none());
    }
}

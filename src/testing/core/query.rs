//! Tapis list queries: `search=(key.op.value)~(...)` and `key.op=value`
//! filters, `orderBy`, `startAfter`, `skip`, `limit`, `computeTotal` and
//! `select`, with the paging counts in `metadata`.

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::Reply;

/// Query parameters that are not filters.
const RESERVED: &[&str] = &[
    "limit",
    "skip",
    "startAfter",
    "orderBy",
    "computeTotal",
    "select",
    "search",
    "listType",
    "showDeleted",
    "returnAll",
    "impersonationId",
    "sharedAppCtx",
];
const OPERATORS: &[&str] = &[
    "eq", "neq", "lt", "lte", "gt", "gte", "like", "nlike", "in", "nin", "between",
];
/// Tapis's default page size.
const DEFAULT_LIMIT: i64 = 100;

/// One filter: `key op value`.
struct Condition {
    key: String,
    op: String,
    value: String,
}

/// The page of `items` the query asks for, and its metadata; a malformed
/// query is a 400 naming the problem.
pub(super) fn list(
    items: &[Value],
    query: &[(String, String)],
    summary: &[&str],
) -> Result<(Vec<Value>, Value), Reply> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let bad = |message: String| Reply::error(400, &message);
    let number = |name: &str, default: i64| match get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| bad(format!("`{name}` must be an integer, not `{v}`"))),
    };
    let limit = number("limit", DEFAULT_LIMIT)?;
    let skip = number("skip", 0)?.max(0) as usize;
    let conditions = conditions(query, get("search")).map_err(bad)?;
    let order = order_by(get("orderBy").unwrap_or(""));
    let start_after = get("startAfter");
    if start_after.is_some() && (order.is_empty() || skip > 0) {
        return Err(bad("`startAfter` needs `orderBy` and no `skip`".to_string()));
    }

    let mut matching: Vec<&Value> = items
        .iter()
        .filter(|item| conditions.iter().all(|c| c.holds(item)))
        .collect();
    matching.sort_by(|a, b| {
        order
            .iter()
            .map(|(key, desc)| {
                let o = compare_values(&a[key.as_str()], &b[key.as_str()]);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    if let (Some(after), Some((key, desc))) = (start_after, order.first()) {
        matching.retain(|item| {
            let o = compare_literal(&item[key.as_str()], after).unwrap_or(Ordering::Less);
            if *desc {
                o.is_lt()
            } else {
                o.is_gt()
            }
        });
    }
    let total = matching.len();
    let take = if limit < 0 {
        usize::MAX
    } else {
        limit as usize
    };
    let page: Vec<Value> = matching
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|item| select(item, get("select"), summary))
        .collect();
    let compute_total = get("computeTotal") == Some("true");
    let metadata = json!({
        "recordCount": page.len(),
        "recordLimit": limit,
        "recordsSkipped": skip,
        "orderBy": get("orderBy"),
        "startAfter": start_after,
        "totalCount": if compute_total { total as i64 } else { -1 },
    });
    Ok((page, metadata))
}

/// A list answer: the page as `result`, the counts as `metadata`.
pub(super) fn page_reply(message: &str, page: Vec<Value>, metadata: Value) -> Reply {
    Reply::json(
        200,
        &json!({"status": "success", "message": message, "result": page,
                "version": "testing", "metadata": metadata}),
    )
}

fn conditions(query: &[(String, String)], search: Option<&str>) -> Result<Vec<Condition>, String> {
    let mut out = Vec::new();
    for (name, value) in query {
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        // Other parameters without an operator are not filters.
        let Some((key, op)) = name.rsplit_once('.') else {
            continue;
        };
        out.push(condition(key, op, value)?);
    }
    if let Some(search) = search.filter(|s| !s.is_empty()) {
        for term in search.split('~') {
            let inner = term
                .strip_prefix('(')
                .and_then(|t| t.strip_suffix(')'))
                .ok_or_else(|| format!("search term `{term}` must be `(key.op.value)`"))?;
            let mut parts = inner.splitn(3, '.');
            let (Some(key), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("search term `{term}` must be `(key.op.value)`"));
            };
            out.push(condition(key, op, value)?);
        }
    }
    Ok(out)
}

fn condition(key: &str, op: &str, value: &str) -> Result<Condition, String> {
    if !OPERATORS.contains(&op) {
        return Err(format!(
            "unsupported search operator `{op}` (in `{key}.{op}`); known: {}",
            OPERATORS.join(", ")
        ));
    }
    Ok(Condition {
        key: key.to_string(),
        op: op.to_string(),
        value: value.to_string(),
    })
}

impl Condition {
    fn holds(&self, item: &Value) -> bool {
        let field = &item[self.key.as_str()];
        let cmp = |lit: &str| compare_literal(field, lit);
        let list = || self.value.split(',').map(str::trim);
        match self.op.as_str() {
            "eq" => cmp(&self.value) == Some(Ordering::Equal),
            "neq" => cmp(&self.value) != Some(Ordering::Equal),
            "lt" => cmp(&self.value) == Some(Ordering::Less),
            "lte" => cmp(&self.value).is_some_and(Ordering::is_le),
            "gt" => cmp(&self.value) == Some(Ordering::Greater),
            "gte" => cmp(&self.value).is_some_and(Ordering::is_ge),
            "like" => field.as_str().is_some_and(|s| glob(&self.value, s)),
            "nlike" => !field.as_str().is_some_and(|s| glob(&self.value, s)),
            "in" => list().any(|v| cmp(v) == Some(Ordering::Equal)),
            "nin" => !list().any(|v| cmp(v) == Some(Ordering::Equal)),
            "between" => {
                let mut bounds = list();
                match (bounds.next(), bounds.next()) {
                    (Some(lo), Some(hi)) => {
                        cmp(lo).is_some_and(Ordering::is_ge) && cmp(hi).is_some_and(Ordering::is_le)
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// A field against a literal from the query: numbers as numbers, booleans
/// as booleans, anything else as text.
fn compare_literal(field: &Value, literal: &str) -> Option<Ordering> {
    match field {
        Value::Number(n) => n.as_f64()?.partial_cmp(&literal.parse::<f64>().ok()?),
        Value::Bool(b) => Some(b.cmp(&literal.parse::<bool>().ok()?)),
        Value::String(s) => Some(s.as_str().cmp(literal)),
        _ => None,
    }
}

/// Two fields, for sorting; missing values sort last.
fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// `orderBy=created(desc),id` → `[("created", true), ("id", false)]`.
fn order_by(spec: &str) -> Vec<(String, bool)> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('(') {
            Some((key, dir)) => (
                key.to_string(),
                dir.trim_end_matches(')').eq_ignore_ascii_case("desc"),
            ),
            None => (s.to_string(), false),
        })
        .collect()
}

/// Tapis `like`: `*` matches any run of characters, `!` exactly one.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Classic wildcard matching with backtracking on the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '!' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// `select=allAttributes` (or none): everything; `summaryAttributes`: the
/// resource's summary fields; else the listed fields.
fn select(item: &Value, select: Option<&str>, summary: &[&str]) -> Value {
    let keep: Vec<&str> = match select {
        None | Some("allAttributes") | Some("") => return item.clone(),
        Some("summaryAttributes") => summary.to_vec(),
        Some(list) => list.split(',').map(str::trim).collect(),
    };
    let Some(object) = item.as_object() else {
        return item.clone();
    };
    let picked: Map<String, Value> = object
        .iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn ids(page: &[Value]) -> Vec<&str> {
        page.iter().map(|v| v["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn filters_sort_and_page() {
        let items: Vec<Value> = (1..=5)
            .map(|i| json!({"id": format!("s{i}"), "n": i, "host": format!("h{}.org", i % 2), "on": i > 2}))
            .collect();
        let (page, meta) = list(
            &items,
            &q(&[
                ("n.gt", "1"),
                ("on.eq", "true"),
                ("orderBy", "n(desc)"),
                ("computeTotal", "true"),
                ("limit", "2"),
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(ids(&page), ["s5", "s4"]);
        assert_eq!(meta["totalCount"], 3);
        let (page, _) = list(
            &items,
            &q(&[("search", "(host.like.h1*)~(id.nin.s1,s3)")]),
            &[],
        )
        .unwrap();
        assert_eq!(ids(&page), ["s5"]);
        let (page, _) = list(&items, &q(&[("orderBy", "n"), ("startAfter", "3")]), &[]).unwrap();
        assert_eq!(ids(&page), ["s4", "s5"]);
        let (page, _) = list(&items, &q(&[("skip", "3"), ("select", "id")]), &[]).unwrap();
        assert_eq!(page, [json!({"id": "s4"}), json!({"id": "s5"})]);
        assert!(list(&items, &q(&[("n.approx", "1")]), &[]).is_err());
        assert!(list(&items, &q(&[("limit", "ten")]), &[]).is_err());
        assert!(list(&items, &q(&[("search", "id.eq.s1")]), &[]).is_err());
    }

    #[test]
    fn like_wildcards() {
        assert!(glob("h*.org", "h1.org"));
        assert!(glob("s!", "s1"));
        assert!(!glob("s!", "s12"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "acd"));
    }
}

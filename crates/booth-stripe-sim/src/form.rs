//! Stripe-style form decoding: `a[b][0][c]=v&tags[]=x` → nested JSON.
//!
//! Every leaf stays a string (Stripe's form encoding carries no types); the
//! handlers convert with the typed getters below so error messages name the
//! parameter the way Stripe does (`line_items[0][quantity]`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// How deeply a key may nest, counting its base name: `a[b][c]` is 3. Stripe's API is
/// Rack-based and Rack 3 refuses keys past its `param_depth_limit` of 32, counted the
/// same way. Stripe's deepest real parameter,
/// `line_items[0][price_data][product_data][metadata][key]`, is 6. The bound is what
/// keeps `insert` and `finish` (which recurse once per level) from overflowing the
/// stack: a stack overflow aborts the process, which catch_unwind can't stop.
pub const MAX_DEPTH: usize = 32;

/// How many `key=value` pairs one request may carry: Rack's `params_limit` (4096,
/// added for CVE-2025-46727). Booth's biggest request, 100 line items, sends ~700.
pub const MAX_PARAMS: usize = 4096;

enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
}

/// Splits `a[b][]` into `["a", "b", ""]`; `None` when the brackets are malformed.
fn segments(key: &str) -> Option<Vec<&str>> {
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if base.is_empty() || base.contains(']') {
        return None;
    }
    let mut out = vec![base];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let seg = &inner[..close];
        if seg.contains('[') {
            return None;
        }
        out.push(seg);
        rest = &inner[close + 1..];
    }
    Some(out)
}

fn insert(map: &mut BTreeMap<String, Node>, segs: &[&str], value: String) -> Result<(), ()> {
    let (first, rest) = segs.split_first().ok_or(())?;
    let key = if first.is_empty() {
        // `[]` appends, but `items[][a]=1&items[][b]=2` fills one element
        // (Rack semantics) until a key repeats.
        let len = map.len();
        let reuse = match (
            rest.first(),
            len.checked_sub(1).and_then(|i| map.get(&i.to_string())),
        ) {
            (Some(next), Some(Node::Map(last))) => !last.contains_key(*next),
            _ => false,
        };
        if reuse {
            (len - 1).to_string()
        } else {
            len.to_string()
        }
    } else {
        (*first).to_string()
    };
    if rest.is_empty() {
        if let Some(Node::Map(_)) = map.get(&key) {
            return Err(());
        }
        map.insert(key, Node::Leaf(value));
        return Ok(());
    }
    let child = map.entry(key).or_insert_with(|| Node::Map(BTreeMap::new()));
    match child {
        Node::Map(m) => insert(m, rest, value),
        Node::Leaf(_) => Err(()),
    }
}

fn finish(node: Node) -> Value {
    match node {
        Node::Leaf(s) => Value::String(s),
        Node::Map(m) => {
            let numeric = !m.is_empty()
                && m.keys().all(|k| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) && k.len() < 10
                });
            if numeric {
                let mut items: Vec<(u64, Node)> = m
                    .into_iter()
                    .map(|(k, v)| (k.parse().unwrap_or(0), v))
                    .collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| finish(v)).collect())
            } else {
                Value::Object(
                    m.into_iter()
                        .map(|(k, v)| (k, finish(v)))
                        .collect::<Map<_, _>>(),
                )
            }
        }
    }
}

/// A key as error messages show it: an 18 KB key needn't come back whole.
fn shown(key: &str) -> String {
    if key.chars().count() <= 64 {
        return key.to_string();
    }
    format!("{}…", key.chars().take(64).collect::<String>())
}

/// Decodes a form/query string. Errors name the offending key.
pub fn parse(input: &[u8]) -> Result<Value, String> {
    let mut root = BTreeMap::new();
    for (n, (k, v)) in url::form_urlencoded::parse(input).enumerate() {
        if n >= MAX_PARAMS {
            return Err(format!(
                "too many parameters: at most {MAX_PARAMS} are accepted in one request"
            ));
        }
        if k.is_empty() && v.is_empty() {
            continue;
        }
        let segs = segments(&k).ok_or_else(|| format!("Invalid parameter name: {}", shown(&k)))?;
        if segs.len() > MAX_DEPTH {
            return Err(format!(
                "the parameter {} is nested too deeply: at most {MAX_DEPTH} levels are accepted",
                shown(&k)
            ));
        }
        insert(&mut root, &segs, v.into_owned()).map_err(|_| {
            format!(
                "Invalid parameter: {} is given both as a value and as a hash",
                shown(&k)
            )
        })?;
    }
    let mut obj = Map::new();
    for (k, v) in root {
        obj.insert(k, finish(v));
    }
    Ok(Value::Object(obj))
}

/// A list parameter may arrive as an array (`x[0]=a`, `x[]=a`) or a bare value (`x=a`).
pub fn list_of_str(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_and_arrays() {
        let v = parse(
            b"line_items[0][price_data][product_data][name]=A+B&line_items[0][quantity]=2&line_items[1][quantity]=1&metadata[k]=v%20w&expand[0]=line_items&tags[]=x&tags[]=y",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({
                "line_items": [{"price_data": {"product_data": {"name": "A B"}}, "quantity": "2"}, {"quantity": "1"}],
                "metadata": {"k": "v w"},
                "expand": ["line_items"],
                "tags": ["x", "y"],
            })
        );
    }

    #[test]
    fn rack_style_append() {
        let v = parse(b"i[][a]=1&i[][b]=2&i[][a]=3").unwrap();
        assert_eq!(v, json!({"i": [{"a": "1", "b": "2"}, {"a": "3"}]}));
    }

    #[test]
    fn malformed() {
        assert!(parse(b"a[b=1").is_err());
        assert!(parse(b"[x]=1").is_err());
        assert!(parse(b"a=1&a[b]=2").is_err());
        assert!(parse(b"a[b]=2&a=1").is_err());
        assert!(parse(b"a[b]c=1").is_err());
    }

    /// `a` followed by `levels - 1` bracketed `[a]`s: `levels` levels in all.
    fn nested(levels: usize) -> String {
        format!("a{}=1", "[a]".repeat(levels - 1))
    }

    #[test]
    fn six_thousand_levels_are_refused_not_a_stack_overflow() {
        let err = parse(nested(6000).as_bytes()).unwrap_err();
        assert!(err.contains("nested too deeply"), "{err}");
        // The message names the key, but not all 18 KB of it.
        assert!(err.len() < 300, "{err}");
    }

    #[test]
    fn depth_at_the_bound_works_and_one_more_is_refused() {
        let v = parse(nested(MAX_DEPTH).as_bytes()).unwrap();
        let mut leaf = &v;
        for _ in 0..MAX_DEPTH {
            leaf = &leaf["a"];
        }
        assert_eq!(leaf, "1");
        let err = parse(nested(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        assert!(err.contains("nested too deeply"), "{err}");
        // Stripe's deepest real parameter is well inside the bound.
        assert!(parse(b"line_items[0][price_data][product_data][metadata][k]=v").is_ok());
    }

    #[test]
    fn parameter_count_is_bounded() {
        let pairs = |n: usize| {
            (0..n)
                .map(|i| format!("metadata[k{i}]=v"))
                .collect::<Vec<_>>()
                .join("&")
        };
        assert!(parse(pairs(MAX_PARAMS).as_bytes()).is_ok());
        let err = parse(pairs(MAX_PARAMS + 1).as_bytes()).unwrap_err();
        assert!(err.contains("too many parameters"), "{err}");
    }
}

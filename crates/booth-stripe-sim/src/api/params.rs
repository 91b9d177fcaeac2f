//! Reading Stripe's form parameters: typed getters whose errors name the parameter as Stripe does, metadata, URLs, emails, and list pagination.

use super::*;

pub(super) fn get_str<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

pub(super) fn get_int(p: &Value, key: &str, param: &str) -> Result<Option<i64>, ApiError> {
    match p.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("Invalid integer: {s}"), Some(param))),
        Some(_) => Err(ApiError::invalid("Invalid integer", Some(param))),
    }
}

/// A decimal parameter (`percent_off=25.5`): digits with an optional sign and fraction,
/// no exponent.
pub(super) fn get_decimal(p: &Value, key: &str) -> Result<Option<f64>, ApiError> {
    let bad = |s: &str| ApiError::invalid(format!("Invalid decimal: {s}"), Some(key));
    match p.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
            let well_formed = !(whole.is_empty() && frac.is_empty())
                && whole
                    .bytes()
                    .chain(frac.bytes())
                    .all(|b| b.is_ascii_digit());
            match t.parse::<f64>() {
                Ok(v) if well_formed && v.is_finite() => Ok(Some(v)),
                _ => Err(bad(s)),
            }
        }
        Some(_) => Err(bad("")),
    }
}

/// Stripe's error for a string over its length limit; it shows the first and last ten
/// characters of a long one.
pub(super) fn too_long(s: &str, max: usize, param: &str) -> ApiError {
    let chars: Vec<char> = s.chars().collect();
    let shown: String = if chars.len() > 20 {
        let head: String = chars[..10].iter().collect();
        let tail: String = chars[chars.len() - 10..].iter().collect();
        format!("{head}...{tail}")
    } else {
        s.to_string()
    };
    ApiError::invalid(
        format!("Invalid string: {shown}; must be at most {max} characters"),
        Some(param),
    )
}

/// A list's `created` filter: `created=<t>` or `created[gt|gte|lt|lte]=<t>`.
pub(super) fn created_filter(p: &Value) -> Result<impl Fn(i64) -> bool, ApiError> {
    let (mut gt, mut gte, mut lt, mut lte) = (None, None, None, None);
    match p.get("created") {
        None => {}
        Some(Value::Object(_)) => {
            let c = &p["created"];
            gt = get_int(c, "gt", "created[gt]")?;
            gte = get_int(c, "gte", "created[gte]")?;
            lt = get_int(c, "lt", "created[lt]")?;
            lte = get_int(c, "lte", "created[lte]")?;
        }
        Some(_) => {
            gte = get_int(p, "created", "created")?;
            lte = gte;
        }
    }
    Ok(move |c: i64| {
        gt.is_none_or(|v| c > v)
            && gte.is_none_or(|v| c >= v)
            && lt.is_none_or(|v| c < v)
            && lte.is_none_or(|v| c <= v)
    })
}

pub(super) fn get_bool(p: &Value, key: &str) -> Result<Option<bool>, ApiError> {
    match get_str(p, key) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(s) => Err(ApiError::invalid(
            format!("Invalid boolean: {s}"),
            Some(key),
        )),
    }
}

pub(super) fn metadata(p: &Value, key: &str) -> Result<Map<String, Value>, ApiError> {
    let map: Map<String, Value> = match p.get(key) {
        None => Map::new(),
        Some(Value::String(s)) if s.is_empty() => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        // `metadata[0]=x` parses as an array; Stripe treats the index as the key.
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        Some(_) => return Err(ApiError::invalid("Invalid hash", Some(key))),
    };
    if map.len() > 50 {
        return Err(ApiError::invalid(
            "You can have at most 50 metadata keys.",
            Some(key),
        ));
    }
    for (k, v) in &map {
        let Some(s) = v.as_str() else {
            return Err(ApiError::invalid(
                "Invalid hash",
                Some(&format!("{key}[{k}]")),
            ));
        };
        if k.chars().count() > 40 {
            return Err(ApiError::invalid(
                format!("Metadata keys can have up to 40 characters. The key `{k}` is too long."),
                Some(key),
            ));
        }
        if s.chars().count() > 500 {
            return Err(ApiError::invalid(
                "Metadata values can have up to 500 characters.",
                Some(&format!("{key}[{k}]")),
            ));
        }
    }
    Ok(map
        .into_iter()
        .filter(|(_, v)| v.as_str() != Some(""))
        .collect())
}

/// Applies an update's `metadata` (already checked with `metadata`) the way Stripe
/// does: keys merge, an empty value deletes its key, `metadata=` clears them all.
pub(super) fn merge_metadata(o: &mut Value, p: &Value) {
    match p.get("metadata") {
        Some(Value::Object(m)) => {
            if let Some(cur) = o["metadata"].as_object_mut() {
                for (k, v) in m {
                    if v.as_str() == Some("") {
                        cur.remove(k);
                    } else {
                        cur.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Some(Value::String(s)) if s.is_empty() => o["metadata"] = json!({}),
        _ => {}
    }
}

pub(super) fn check_url(p: &Value, key: &str, required: bool) -> Result<Option<String>, ApiError> {
    match get_str(p, key) {
        None if required => Err(ApiError::missing(key)),
        None => Ok(None),
        Some(u) => {
            // Checkout's `{CHECKOUT_SESSION_ID}` template is not a valid URL character sequence as-is.
            let probe = u.replace("{CHECKOUT_SESSION_ID}", "x");
            match url::Url::parse(&probe) {
                Ok(parsed)
                    if matches!(parsed.scheme(), "http" | "https")
                        && !u.chars().any(char::is_control) =>
                {
                    Ok(Some(u.to_string()))
                }
                _ => Err(ApiError::invalid("Not a valid URL", Some(key)).code("url_invalid")),
            }
        }
    }
}

pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
        && !domain.contains('@')
}

// ---- lists, expansion -------------------------------------------------------

/// Stripe cursor pagination over `items` (already in list order).
pub(super) fn paginate(items: Vec<Value>, p: &Value, url: &str, kind: &str) -> R {
    let limit = get_int(p, "limit", "limit")?.unwrap_or(10);
    if limit < 1 {
        return Err(ApiError::invalid(
            "This value must be greater than or equal to 1.",
            Some("limit"),
        ));
    }
    if limit > 100 {
        return Err(ApiError::invalid(
            "This value must be less than or equal to 100.",
            Some("limit"),
        ));
    }
    let limit = limit as usize;
    let pos = |param: &str, id: &str| {
        items
            .iter()
            .position(|v| v["id"] == id)
            .ok_or_else(|| ApiError::no_such(kind, id, param, 400))
    };
    let (data, has_more): (Vec<Value>, bool) =
        if let Some(id) = get_str(p, "starting_after").filter(|s| !s.is_empty()) {
            let rest = &items[pos("starting_after", id)? + 1..];
            (
                rest.iter().take(limit).cloned().collect(),
                rest.len() > limit,
            )
        } else if let Some(id) = get_str(p, "ending_before").filter(|s| !s.is_empty()) {
            let before = &items[..pos("ending_before", id)?];
            let start = before.len().saturating_sub(limit);
            (before[start..].to_vec(), start > 0)
        } else {
            (
                items.iter().take(limit).cloned().collect(),
                items.len() > limit,
            )
        };
    Ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": url }))
}

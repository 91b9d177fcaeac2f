//! A Checkout Session's tax parameters: `automatic_tax`, `billing_address_collection`,
//! `tax_id_collection`, `invoice_creation`, and each line's `tax_behavior` and
//! `tax_code`, checked as Stripe checks them and turned into the shapes the session
//! shows.

use super::*;
use crate::objects::TaxSettings;

/// Stripe's answer to `param=` on a create, where nothing can be unset.
fn empty_string(param: &str) -> ApiError {
    ApiError::invalid(
        format!("You passed an empty string for '{param}'. We assume empty values are an attempt to unset a parameter; however '{param}' cannot be unset. You should remove '{param}' from your request or supply a non-empty value."),
        Some(param),
    )
}

/// A hash parameter (`key[...]=...`): absent, or an object; anything else is refused.
fn hash<'a>(p: &'a Value, key: &str, param: &str) -> Result<Option<&'a Value>, ApiError> {
    match p.get(key) {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(Value::String(s)) if s.is_empty() => Err(empty_string(param)),
        Some(_) => Err(ApiError::invalid("Invalid object", Some(param))),
    }
}

fn boolean(p: &Value, key: &str, param: &str) -> Result<Option<bool>, ApiError> {
    get_bool(p, key).map_err(|e| ApiError {
        param: Some(param.to_string()),
        ..e
    })
}

/// An enum parameter, with Stripe's message for a value outside it.
fn one_of<'a>(
    p: &'a Value,
    key: &str,
    param: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    let Some(v) = p.get(key) else {
        return Ok(None);
    };
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Ok(Some(s)),
        _ => {
            let list = match allowed {
                [a, b] => format!("{a} or {b}"),
                [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
                [] => String::new(),
            };
            Err(ApiError::invalid(
                format!("Invalid {param}: must be one of {list}"),
                Some(param),
            ))
        }
    }
}

fn string_at_most(
    p: &Value,
    key: &str,
    param: &str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match p.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.chars().count() > max => Err(too_long(s, max, param)),
        Some(Value::String(s)) => Ok((!s.is_empty()).then(|| s.clone())),
        Some(_) => Err(ApiError::invalid("Invalid string", Some(param))),
    }
}

/// `liability` / `issuer`: `{type: self}` (the simulator has no connected accounts).
fn account_reference(p: &Value, key: &str, param: &str) -> Result<Option<Value>, ApiError> {
    let Some(h) = hash(p, key, param)? else {
        return Ok(None);
    };
    let type_param = format!("{param}[type]");
    match one_of(h, "type", &type_param, &["account", "self"])? {
        None => Err(ApiError::missing(&type_param)),
        Some("account") => {
            let acct_param = format!("{param}[account]");
            let id = get_str(h, "account").ok_or_else(|| ApiError::missing(&acct_param))?;
            Err(ApiError::no_such("account", id, &acct_param, 400))
        }
        Some(_) => Ok(Some(json!({ "type": "self" }))),
    }
}

/// Stripe allows `invoice_creation` in payment mode only.
pub(super) fn check_mode(p: &Value, mode: &str) -> Result<(), ApiError> {
    if mode != "payment" && p.get("invoice_creation").is_some() {
        return Err(ApiError::invalid(
            "`invoice_creation` can only be used in `payment` mode.",
            Some("invoice_creation"),
        ));
    }
    Ok(())
}

fn automatic_tax(p: &Value) -> Result<bool, ApiError> {
    let Some(h) = hash(p, "automatic_tax", "automatic_tax")? else {
        return Ok(false);
    };
    let enabled = boolean(h, "enabled", "automatic_tax[enabled]")?
        .ok_or_else(|| ApiError::missing("automatic_tax[enabled]"))?;
    account_reference(h, "liability", "automatic_tax[liability]")?;
    Ok(enabled)
}

fn tax_id_collection(p: &Value) -> Result<Value, ApiError> {
    let Some(h) = hash(p, "tax_id_collection", "tax_id_collection")? else {
        return Ok(json!({ "enabled": false, "required": "never" }));
    };
    let enabled = boolean(h, "enabled", "tax_id_collection[enabled]")?
        .ok_or_else(|| ApiError::missing("tax_id_collection[enabled]"))?;
    let required = one_of(
        h,
        "required",
        "tax_id_collection[required]",
        &["if_supported", "never"],
    )?
    .unwrap_or("never");
    Ok(json!({ "enabled": enabled, "required": required }))
}

fn custom_fields(d: &Value) -> Result<Option<Vec<Value>>, ApiError> {
    let pfx = "invoice_creation[invoice_data][custom_fields]";
    let items = match d.get("custom_fields") {
        None => return Ok(None),
        Some(Value::String(s)) if s.is_empty() => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::invalid("Invalid array", Some(pfx))),
    };
    if items.len() > 4 {
        return Err(ApiError::invalid(
            "You may only specify up to 4 custom fields.",
            Some(pfx),
        ));
    }
    let mut out = Vec::new();
    for (i, f) in items.iter().enumerate() {
        let name_param = format!("{pfx}[{i}][name]");
        let value_param = format!("{pfx}[{i}][value]");
        if !f.is_object() {
            return Err(ApiError::invalid(
                "Invalid object",
                Some(&format!("{pfx}[{i}]")),
            ));
        }
        let name = string_at_most(f, "name", &name_param, 40)?
            .ok_or_else(|| ApiError::missing(&name_param))?;
        let value = string_at_most(f, "value", &value_param, 140)?
            .ok_or_else(|| ApiError::missing(&value_param))?;
        out.push(json!({ "name": name, "value": value }));
    }
    Ok(Some(out))
}

fn invoice_creation(p: &Value) -> Result<Value, ApiError> {
    let nulls = |enabled: bool, issuer: Value| json!({ "enabled": enabled, "invoice_data": { "account_tax_ids": null, "custom_fields": null, "description": null, "footer": null, "issuer": issuer, "metadata": {}, "rendering_options": null } });
    let Some(h) = hash(p, "invoice_creation", "invoice_creation")? else {
        return Ok(nulls(false, Value::Null));
    };
    let enabled = boolean(h, "enabled", "invoice_creation[enabled]")?
        .ok_or_else(|| ApiError::missing("invoice_creation[enabled]"))?;
    let issuer = if enabled {
        json!({ "type": "self" })
    } else {
        Value::Null
    };
    let mut out = nulls(enabled, issuer);
    let pfx = "invoice_creation[invoice_data]";
    let Some(d) = hash(h, "invoice_data", pfx)? else {
        return Ok(out);
    };
    if let Some(id) = form::list_of_str(d.get("account_tax_ids")).first() {
        // The account has no tax IDs of its own.
        return Err(ApiError::no_such(
            "tax_id",
            id,
            &format!("{pfx}[account_tax_ids][0]"),
            400,
        ));
    }
    let data = &mut out["invoice_data"];
    data["custom_fields"] = json!(custom_fields(d)?);
    data["description"] = json!(string_at_most(
        d,
        "description",
        &format!("{pfx}[description]"),
        1500
    )?);
    data["footer"] = json!(string_at_most(
        d,
        "footer",
        &format!("{pfx}[footer]"),
        5000
    )?);
    if let Some(issuer) = account_reference(d, "issuer", &format!("{pfx}[issuer]"))? {
        data["issuer"] = issuer;
    }
    data["metadata"] = Value::Object(metadata(d, "metadata").map_err(|mut e| {
        e.param = Some(format!("{pfx}[{}]", e.param.unwrap_or_default()));
        e
    })?);
    let ro_param = format!("{pfx}[rendering_options]");
    if let Some(ro) = hash(d, "rendering_options", &ro_param)? {
        let display = match get_str(ro, "amount_tax_display") {
            Some("") => None,
            _ => one_of(
                ro,
                "amount_tax_display",
                &format!("{ro_param}[amount_tax_display]"),
                &["exclude_tax", "include_inclusive_tax"],
            )?,
        };
        if let Some(t) = get_str(ro, "template").filter(|t| !t.is_empty()) {
            return Err(ApiError::no_such(
                "invoice_rendering_template",
                t,
                &format!("{ro_param}[template]"),
                400,
            ));
        }
        data["rendering_options"] = json!({ "amount_tax_display": display, "template": null });
    }
    Ok(out)
}

/// The session-level tax parameters.
pub(super) fn tax_settings(p: &Value) -> Result<TaxSettings, ApiError> {
    let automatic_tax = automatic_tax(p)?;
    let billing_address_collection = one_of(
        p,
        "billing_address_collection",
        "billing_address_collection",
        &["auto", "required"],
    )?
    .map(String::from);
    Ok(TaxSettings {
        automatic_tax,
        billing_address_collection,
        tax_id_collection: tax_id_collection(p)?,
        invoice_creation: invoice_creation(p)?,
    })
}

/// A line's `price_data[tax_behavior]` and `price_data[product_data][tax_code]`.
pub(super) fn line_tax(pd: &Value, pfx: &str) -> Result<(String, Option<String>), ApiError> {
    let behavior = one_of(
        pd,
        "tax_behavior",
        &format!("{pfx}[price_data][tax_behavior]"),
        &["exclusive", "inclusive", "unspecified"],
    )?
    .unwrap_or("unspecified");
    // `product_data[tax_code]`, or the newer `product_data[tax_details][tax_code]`.
    let data = pd.get("product_data");
    let given = [
        (data.and_then(|d| d.get("tax_code")), "[tax_code]"),
        (
            data.and_then(|d| d.get("tax_details"))
                .and_then(|t| t.get("tax_code")),
            "[tax_details][tax_code]",
        ),
    ];
    let mut code = None;
    for (v, at) in given {
        let Some(v) = v else { continue };
        let id = v.as_str().unwrap_or_default();
        let param = format!("{pfx}[price_data][product_data]{at}");
        if id.is_empty() {
            return Err(empty_string(&param));
        }
        if !tax_codes::exists(id) {
            return Err(ApiError::no_such("tax_code", id, &param, 400));
        }
        code = code.or(Some(id.to_string()));
    }
    Ok((behavior.to_string(), code))
}

/// With automatic tax, every price needs a tax behavior: the simulated account sets no
/// default one in its Tax settings, so Stripe refuses the session.
pub(super) fn require_tax_behavior(lines: &[LineInput], automatic: bool) -> Result<(), ApiError> {
    if !automatic {
        return Ok(());
    }
    match lines.iter().position(|l| l.tax_behavior == "unspecified") {
        None => Ok(()),
        Some(i) => Err(ApiError::invalid(
            format!("The price `{}` does not have a tax behavior set, which is required for automatic tax computation. Please visit https://stripe.com/docs/tax/products-prices-tax-categories-tax-behavior#tax-behavior for more information.", lines[i].price_id),
            Some(&format!("line_items[{i}][price_data][tax_behavior]")),
        )),
    }
}

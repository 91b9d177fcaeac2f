//! Checkout Sessions: creating one from its line items (their tax parameters are read
//! by checkout_tax.rs).

use super::*;

pub(super) fn create_session(st: &mut State, public: &str, p: &Value) -> R {
    match get_str(p, "mode") {
        None => return Err(ApiError::missing("mode")),
        Some("payment") => {}
        Some(m @ ("subscription" | "setup")) => {
            checkout_tax::check_mode(p, m)?;
            return Err(ApiError::invalid(
                "This simulator only supports `mode=payment` Checkout Sessions.",
                Some("mode"),
            ));
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "Invalid mode: must be one of payment, setup, or subscription",
                Some("mode"),
            ))
        }
    }
    let success_url = check_url(p, "success_url", true)?.unwrap_or_default();
    let cancel_url = check_url(p, "cancel_url", false)?;
    let items = match p.get("line_items") {
        None => return Err(ApiError::missing("line_items")),
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(_) => return Err(ApiError::invalid("Invalid array", Some("line_items"))),
    };
    if items.len() > 100 {
        return Err(ApiError::invalid(
            "You may only specify up to 100 line items.",
            Some("line_items"),
        ));
    }
    let mut lines = Vec::new();
    for (i, li) in items.iter().enumerate() {
        let pfx = format!("line_items[{i}]");
        if !li.is_object() {
            return Err(ApiError::invalid("Invalid object", Some(&pfx)));
        }
        if let Some(price) = get_str(li, "price") {
            return Err(ApiError::no_such(
                "price",
                price,
                &format!("{pfx}[price]"),
                400,
            ));
        }
        let Some(pd) = li.get("price_data").filter(|v| v.is_object()) else {
            return Err(ApiError::invalid(
                "You must specify either `price` or `price_data` for each line item.",
                Some(&pfx),
            )
            .code("parameter_missing"));
        };
        let currency = get_str(pd, "currency")
            .ok_or_else(|| ApiError::missing(&format!("{pfx}[price_data][currency]")))?
            .to_ascii_lowercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ApiError::invalid(format!("Invalid currency: {currency}. Stripe currently supports these currencies: usd, eur, gbp, ..."), Some(&format!("{pfx}[price_data][currency]"))));
        }
        if let Some(prod) = get_str(pd, "product") {
            return Err(ApiError::no_such(
                "product",
                prod,
                &format!("{pfx}[price_data][product]"),
                400,
            ));
        }
        if pd.get("recurring").is_some() {
            return Err(ApiError::invalid("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", Some(&format!("{pfx}[price_data][recurring]"))));
        }
        let name_param = format!("{pfx}[price_data][product_data][name]");
        let name = pd
            .get("product_data")
            .and_then(|d| get_str(d, "name"))
            .ok_or_else(|| ApiError::missing(&name_param))?;
        if name.trim().is_empty() {
            return Err(ApiError::invalid("You passed an empty string for 'name'. We assume empty values are an attempt to unset a parameter; however 'name' cannot be unset. You should remove 'name' from your request or supply a non-empty value.", Some(&name_param)));
        }
        let ua_param = format!("{pfx}[price_data][unit_amount]");
        if pd.get("unit_amount").is_none() && pd.get("unit_amount_decimal").is_some() {
            return Err(ApiError::invalid(
                "This simulator supports integer `unit_amount` only (amounts are in minor units).",
                Some(&format!("{pfx}[price_data][unit_amount_decimal]")),
            ));
        }
        let unit_amount =
            get_int(pd, "unit_amount", &ua_param)?.ok_or_else(|| ApiError::missing(&ua_param))?;
        if unit_amount < 0 {
            return Err(ApiError::invalid(
                "This value must be greater than or equal to 0.",
                Some(&ua_param),
            ));
        }
        let q_param = format!("{pfx}[quantity]");
        let quantity = get_int(li, "quantity", &q_param)?.ok_or_else(|| {
            ApiError::invalid(
                format!("Quantity is required. Add `quantity` to `{pfx}`"),
                Some(&q_param),
            )
            .code("parameter_missing")
        })?;
        if quantity < 1 {
            return Err(ApiError::invalid(
                "This value must be greater than or equal to 1.",
                Some(&q_param),
            ));
        }
        if quantity > 999_999 {
            return Err(ApiError::invalid(
                "This value must be less than or equal to 999999.",
                Some(&q_param),
            ));
        }
        let (tax_behavior, tax_code) = checkout_tax::line_tax(pd, &pfx)?;
        lines.push(LineInput {
            name: name.to_string(),
            currency,
            unit_amount,
            quantity,
            metadata: metadata(li, "metadata")?,
            price_id: new_id("price_", 24),
            tax_behavior,
            tax_code,
        });
    }
    let tax = checkout_tax::tax_settings(p)?;
    checkout_tax::require_tax_behavior(&lines, tax.automatic_tax)?;
    if lines.iter().any(|l| l.currency != lines[0].currency) {
        return Err(ApiError::invalid(
            "All line items must have the same currency.",
            Some("line_items"),
        ));
    }
    let max_total = 99_999_999i64;
    let total = lines
        .iter()
        .try_fold(0i64, |acc, l| {
            l.unit_amount
                .checked_mul(l.quantity)
                .and_then(|x| acc.checked_add(x))
        })
        .filter(|t| *t <= max_total);
    let Some(total) = total else {
        return Err(ApiError::invalid(
            format!(
                "The Checkout Session's total amount due must be no more than {}.",
                objects::format_amount(max_total, &lines[0].currency)
            ),
            Some("line_items"),
        )
        .code("amount_too_large"));
    };
    let allow_promotion_codes = get_bool(p, "allow_promotion_codes")?;
    // A total of 0 after the discount is a no-cost order, which Checkout accepts (API
    // versions from 2023-08-16 on): the buyer completes it without a payment method.
    let discount = session_discount(st, p, &lines[0].currency, total)?;
    let customer_email = get_str(p, "customer_email").filter(|s| !s.is_empty());
    if let Some(e) = customer_email {
        if !valid_email(e) {
            return Err(ApiError::invalid(
                format!("Invalid email address: {e}"),
                Some("customer_email"),
            )
            .code("email_invalid"));
        }
    }
    let client_reference_id = get_str(p, "client_reference_id").filter(|s| !s.is_empty());
    if client_reference_id.is_some_and(|c| c.chars().count() > 200) {
        return Err(ApiError::invalid(
            "client_reference_id must be at most 200 characters.",
            Some("client_reference_id"),
        ));
    }
    let created = now_secs();
    let expires_at = match get_int(p, "expires_at", "expires_at")? {
        None => created + 24 * 3600,
        Some(t) if t < created + 30 * 60 => return Err(ApiError::invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", Some("expires_at"))),
        Some(t) if t > created + 24 * 3600 => return Err(ApiError::invalid("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", Some("expires_at"))),
        Some(t) => t,
    };
    let mut pi_data = json!({});
    if let Some(pid) = p.get("payment_intent_data") {
        pi_data["metadata"] = Value::Object(metadata(pid, "metadata").map_err(|mut e| {
            e.param = Some(format!(
                "payment_intent_data[{}]",
                e.param.unwrap_or_default()
            ));
            e
        })?);
        if let Some(d) = get_str(pid, "description") {
            pi_data["description"] = json!(d);
        }
    }
    let input = SessionInput {
        lines,
        success_url,
        cancel_url,
        customer_email: customer_email.map(String::from),
        client_reference_id: client_reference_id.map(String::from),
        metadata: metadata(p, "metadata")?,
        expires_at,
        locale: get_str(p, "locale").map(String::from),
        allow_promotion_codes,
        discount,
        tax,
    };
    let session = objects::session(&input, total, created);
    let id = session["id"].as_str().unwrap_or_default().to_string();
    st.line_items
        .insert(id.clone(), objects::line_items(&input, created));
    let codes: Vec<&str> = input
        .lines
        .iter()
        .map(|l| l.tax_code.as_deref().unwrap_or(tax_codes::PRESET))
        .collect();
    let discount_id = input.discount.as_ref().map(|_| new_id("di_", 24));
    st.tax_details.insert(
        id.clone(),
        json!({ "tax_codes": codes, "discount_id": discount_id }),
    );
    st.session_pi_data.insert(id, pi_data);
    let rendered = render_session(public, &session);
    state::append(&mut st.index, &mut st.sessions, session);
    expand(st, public, rendered, p)
}

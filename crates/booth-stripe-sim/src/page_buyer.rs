//! What the hosted page asks of the buyer beyond email and card: the billing address
//! (`billing_address_collection: required`: country, street, city, postal code; or, for
//! `automatic_tax` alone, the country Stripe Tax needs) and, with `tax_id_collection`,
//! "I'm purchasing as a business" with the business name and VAT number. Their checks,
//! and the fields' HTML. Fields the session doesn't ask for are ignored if posted.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::page::esc;
use crate::tax::{self, Place};
use crate::tax_id::{self, TaxId};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AddressMode {
    None,
    /// The country only (and a postal code if given): what automatic tax needs.
    Country,
    /// The full billing address.
    Full,
}

/// What the session asks for.
pub struct Asks {
    pub address: AddressMode,
    pub tax_id: bool,
    /// `tax_id_collection[required]=if_supported`: a tax ID wherever one can be given.
    pub tax_id_required: bool,
}

pub fn asks(s: &Value) -> Asks {
    let tic = &s["tax_id_collection"];
    // Stripe Tax needs the buyer's country, and so does a tax ID's type.
    let address = if s["billing_address_collection"] == "required" {
        AddressMode::Full
    } else if crate::session_tax::enabled(s) || tic["enabled"] == true {
        AddressMode::Country
    } else {
        AddressMode::None
    };
    Asks {
        address,
        tax_id: tic["enabled"] == true,
        tax_id_required: tic["enabled"] == true && tic["required"] == "if_supported",
    }
}

/// The buyer's details that passed their checks.
#[derive(Default)]
pub struct Checked {
    /// Stripe's Address object, when one was collected.
    pub address: Option<Value>,
    pub country: Option<String>,
    pub business_name: Option<String>,
    pub tax_id: Option<TaxId>,
}

impl Checked {
    /// Where the buyer is for Stripe Tax, if known.
    pub fn place(&self) -> Option<Place<'_>> {
        self.country.as_deref().map(|country| Place {
            country,
            business: self.tax_id.is_some(),
        })
    }

    /// `none`, or `reverse` when the buyer accounts for the VAT.
    pub fn tax_exempt(&self) -> &'static str {
        match (&self.country, &self.tax_id) {
            (Some(c), Some(_)) if tax::reverse_charge_applies(c) => "reverse",
            _ => "none",
        }
    }
}

fn get(values: &HashMap<String, String>, k: &str) -> String {
    values
        .get(k)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Checks the address and business fields; errors go to `errors` by field name.
pub fn check(
    asks: &Asks,
    values: &HashMap<String, String>,
    errors: &mut HashMap<&'static str, String>,
) -> Checked {
    let mut out = Checked::default();
    if asks.address == AddressMode::None {
        return out;
    }
    let country = get(values, "country");
    match tax::country(&country) {
        Some(c) => out.country = Some(c.code.to_string()),
        None => {
            errors.insert("country", "Select your country.".into());
        }
    }
    let field =
        |k: &str| Some(get(values, k)).filter(|v| !v.is_empty() && v.chars().count() <= 200);
    if asks.address == AddressMode::Full {
        for (k, msg) in [
            ("line1", "Your address is incomplete."),
            ("city", "Your city is incomplete."),
            ("postal_code", "Your postal code is incomplete."),
        ] {
            if field(k).is_none() {
                errors.insert(k, msg.into());
            }
        }
    }
    out.address = Some(json!({
        "city": field("city").filter(|_| asks.address == AddressMode::Full),
        "country": out.country,
        "line1": field("line1").filter(|_| asks.address == AddressMode::Full),
        "line2": field("line2").filter(|_| asks.address == AddressMode::Full),
        "postal_code": field("postal_code"),
        "state": null,
    }));
    if !asks.tax_id {
        return out;
    }
    let raw_id = get(values, "tax_id");
    let business = values.get("business").is_some_and(|v| v == "on") || !raw_id.is_empty();
    let supported = out.country.as_deref().is_some_and(tax_id::supported);
    if business {
        match field("business_name") {
            Some(n) => out.business_name = Some(n),
            None => {
                errors.insert("business_name", "Your business name is incomplete.".into());
            }
        }
    }
    let Some(c) = out.country.clone() else {
        return out;
    };
    let name = tax::country_name(&c).to_string();
    if raw_id.is_empty() {
        // Where no tax ID can be collected, a business buys without one.
        if supported && (business || asks.tax_id_required) {
            errors.insert(
                "tax_id",
                format!("Enter the VAT number of your business in {name}."),
            );
        }
        return out;
    }
    match tax_id::parse(&c, &name, &raw_id) {
        Ok(t) => out.tax_id = Some(t),
        Err(msg) => {
            errors.insert("tax_id", msg);
        }
    }
    out
}

/// The address and business fields, filled with what was posted.
pub fn fields_html(
    asks: &Asks,
    values: &HashMap<String, String>,
    errors: &HashMap<&'static str, String>,
) -> String {
    if asks.address == AddressMode::None {
        return String::new();
    }
    let val = |k: &str| esc(values.get(k).map(String::as_str).unwrap_or(""));
    let err = |k: &str| {
        errors
            .get(k)
            .map(|e| format!("<div class=ferr role=alert>{}</div>", esc(e)))
            .unwrap_or_default()
    };
    let bad = |k: &str| {
        if errors.contains_key(k) {
            " class=bad"
        } else {
            ""
        }
    };
    let chosen = values.get("country").map(String::as_str).unwrap_or("");
    let options: String = tax::COUNTRIES
        .iter()
        .map(|c| {
            let sel = if c.code == chosen { " selected" } else { "" };
            format!("<option value={}{sel}>{}</option>", c.code, esc(c.name))
        })
        .collect();
    let mut html = format!(
        "<label for=country>Billing address</label><select id=country name=country{}><option value=\"\">Country</option>{options}</select>{}",
        bad("country"),
        err("country")
    );
    let input = |k: &str, placeholder: &str| {
        format!(
            "<input{} name={k} value=\"{}\" placeholder=\"{placeholder}\" aria-label=\"{placeholder}\">{}",
            bad(k),
            val(k),
            err(k)
        )
    };
    if asks.address == AddressMode::Full {
        html.push_str(&input("line1", "Address line 1"));
        html.push_str(&input("line2", "Address line 2 (optional)"));
        html.push_str(&input("city", "City"));
        html.push_str(&input("postal_code", "Postal code"));
    } else {
        html.push_str(&input("postal_code", "Postal code (optional)"));
    }
    if asks.tax_id {
        let checked = if values.get("business").is_some_and(|v| v == "on") {
            " checked"
        } else {
            ""
        };
        html.push_str(&format!(
            "<label class=check><input type=checkbox name=business value=on{checked}> I'm purchasing as a business</label>{}{}",
            input("business_name", "Business name"),
            input("tax_id", "VAT number, e.g. DE123456789"),
        ));
    }
    html
}

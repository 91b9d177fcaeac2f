//! The hosted checkout page (`/c/pay/{id}`) and the simulator's index page. The page's
//! HTML is in page_view.rs, its address and tax ID fields in page_buyer.rs.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::{valid_email, Resp};
use crate::objects::format_amount;
use crate::page_view::{render_page, View, CSS};
use crate::state::State;
use crate::{card, discount, page_buyer, payment, session_tax, Shared};

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn doc(title: &str, body: &str) -> String {
    format!("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>{body}</body></html>", esc(title))
}

fn notice(status: u16, title: &str, text: &str, link: Option<(&str, &str)>) -> Resp {
    let link = link
        .map(|(href, label)| format!("<a class=button href=\"{}\">{}</a>", esc(href), esc(label)))
        .unwrap_or_default();
    let body = format!(
        "<div class=notice><span class=badge>Test mode</span><h1>{}</h1><p>{}</p>{link}</div>",
        esc(title),
        esc(text)
    );
    Resp::html(status, doc(title, &body))
}

/// What the buyer posted, what's wrong with it, and a message over the form.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: HashMap<&'static str, String>,
    pub banner: Option<String>,
}

/// What the page shows for the session's discount: the coupon's name, else its id.
fn discount_label(st: &State, s: &Value) -> Option<String> {
    let id = discount::session_coupon(s)?;
    let name = discount::find(st, id).and_then(|c| c["name"].as_str());
    Some(name.unwrap_or(id).to_string())
}

fn closed_page(s: &Value) -> Option<Resp> {
    let id = s["id"].as_str().unwrap_or_default();
    match s["status"].as_str() {
        Some("complete") => {
            let url = s["success_url"]
                .as_str()
                .unwrap_or("")
                .replace("{CHECKOUT_SESSION_ID}", id);
            Some(notice(
                200,
                "Payment complete",
                "This checkout session has already been paid. Thank you!",
                Some((&url, "Continue")),
            ))
        }
        Some("expired") => {
            let link = s["cancel_url"].as_str().map(|u| (u, "← Back to the shop"));
            Some(notice(
                200,
                "This checkout session has expired",
                "The link you followed is no longer valid. Please start your purchase again.",
                link,
            ))
        }
        _ => None,
    }
}

/// The payment page for `s` with the form's values, errors and banner, and the tax for
/// the buyer's place as far as the form tells it.
fn show(st: &State, s: &Value, f: &FormState, status: u16) -> Resp {
    let id = s["id"].as_str().unwrap_or_default();
    let items = st.line_items.get(id).cloned().unwrap_or_default();
    let label = discount_label(st, s);
    let asks = page_buyer::asks(s);
    let checked = page_buyer::check(&asks, &f.values, &mut HashMap::new());
    let calc = checked
        .place()
        .and_then(|p| session_tax::calculate(st, s, &p));
    let view = View {
        s,
        items: &items,
        discount: label.as_deref(),
        form: f,
        asks: &asks,
        calc: calc.as_ref(),
    };
    Resp::html(status, render_page(&view))
}

fn missing_session() -> Resp {
    notice(
        404,
        "Checkout session not found",
        "This checkout link is not valid.",
        None,
    )
}

/// The payment page. Its query may carry the form's fields (`?country=DE`): the page
/// then shows the tax for that place, as the form's "Update total" does.
pub fn get_pay(shared: &Shared, id: &str, query: &str) -> Resp {
    let st = shared.lock();
    let Some(s) = st.find(&st.sessions, id) else {
        return missing_session();
    };
    if let Some(r) = closed_page(s) {
        return r;
    }
    let f = FormState {
        values: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        ..Default::default()
    };
    show(&st, s, &f, 200)
}

pub fn post_pay(shared: &Shared, id: &str, body: &[u8]) -> Resp {
    let values: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let mut st = shared.lock();
    let Some(s) = st.find(&st.sessions, id).cloned() else {
        return missing_session();
    };
    if let Some(r) = closed_page(&s) {
        // Never charge twice: a closed session answers with its final state.
        return Resp { status: 409, ..r };
    }
    let mut f = FormState {
        values,
        ..Default::default()
    };
    let asks = page_buyer::asks(&s);
    if f.values.get("action").is_some_and(|a| a == "update") {
        // Only the totals: nothing is paid. A VAT number's format error is shown now.
        let mut errors = HashMap::new();
        page_buyer::check(&asks, &f.values, &mut errors);
        if let Some(e) = errors.remove("tax_id") {
            f.errors.insert("tax_id", e);
        }
        return show(&st, &s, &f, 200);
    }
    let get = |k: &str| {
        f.values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let email = get("email");
    let number: String = get("card_number")
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    let (name, expiry, cvc, shown) = (
        get("name"),
        get("card_expiry"),
        get("card_cvc"),
        get("shown_total"),
    );
    if email.is_empty() {
        f.errors.insert("email", "Your email is incomplete.".into());
    } else if !valid_email(&email) {
        f.errors
            .insert("email", "Your email address is invalid.".into());
    }
    // The buyer's address and tax ID, checked on the server: the tax is calculated from
    // them here, whatever the page showed or was sent.
    let buyer = page_buyer::check(&asks, &f.values, &mut f.errors);
    // A no-cost order (total 0) takes no card.
    let free = s["amount_total"].as_i64() == Some(0);
    let card = if free {
        None
    } else {
        card::check(&number, &expiry, &cvc, &mut f.errors)
    };
    if !f.errors.is_empty() {
        return show(&st, &s, &f, 400);
    }
    // The discount was fine when the session was created; its coupon may have been used
    // up (by another session), expired or been deleted since.
    if !discount::still_available(&st, &s) {
        f.banner = Some("This discount is no longer available. The payment was not made.".into());
        return show(&st, &s, &f, 402);
    }
    let calc = buyer
        .place()
        .and_then(|p| session_tax::calculate(&st, &s, &p));
    if let Some(c) = &calc {
        // The buyer pays what the page last showed them, or sees the new total first.
        if shown.parse::<i64>().ok() != Some(c.total) {
            let cur = s["currency"].as_str().unwrap_or("usd");
            f.banner = Some(format!(
                "Your total with tax for {} is {}. Check it, then pay again.",
                crate::tax::country_name(&c.country),
                format_amount(c.total, cur)
            ));
            return show(&st, &s, &f, 409);
        }
    }
    if let Some(msg) = card::decline(&number).filter(|_| !free) {
        f.banner = Some(msg.into());
        return show(&st, &s, &f, 402);
    }
    if let (Some(c), Some(idx)) = (&calc, st.position(&st.sessions, id)) {
        session_tax::apply(&mut st, idx, c);
    }
    let details = payment::Buyer {
        email: &email,
        name: (!name.is_empty()).then_some(name.as_str()),
        // Reverse charge is Stripe Tax's verdict: none without automatic tax.
        tax_exempt: if calc.is_some() {
            buyer.tax_exempt()
        } else {
            "none"
        },
        address: buyer.address,
        business_name: buyer.business_name,
        tax_id: buyer.tax_id,
    };
    let public = shared.public_url.clone();
    match &card {
        Some(card) => payment::complete_payment(&mut st, id, &details, card, &public),
        None if free => payment::complete_free(&mut st, id, &details, &public),
        None => return show(&st, &s, &f, 400),
    };
    shared.commit(&st);
    let location = s["success_url"]
        .as_str()
        .unwrap_or("/")
        .replace("{CHECKOUT_SESSION_ID}", id);
    Resp {
        status: 303,
        headers: vec![
            ("location", location),
            ("content-type", "text/plain; charset=utf-8".into()),
        ],
        body: String::new(),
    }
}

/// What the simulator is, and counts. The page needs no key, so it shows nothing a
/// stranger could use: no session ids or links (each is a buyer's payment page), no
/// emails, no endpoints or their secrets. The API, with the key, has all of it.
pub fn index(shared: &Shared) -> Resp {
    let st: &State = &shared.lock();
    let count = |status: &str| st.sessions.iter().filter(|s| s["status"] == status).count();
    let body = format!(
        "<div class=notice><span class=badge>Test mode</span><h1>Booth Stripe simulator</h1>\
<p>A Stripe-compatible API at <code>{base}/v1</code> for testing Booth. No real money moves. \
Requests need this simulator's secret key: <code>booth serve</code> keeps it in its \
<code>run.json</code>; <code>booth stripe-sim</code> prints it.</p>\
<p>Checkout sessions: {open} open, {complete} complete, {expired} expired. \
Events: {events}. Webhook endpoints: {endpoints}.</p></div>",
        base = esc(shared.public_url.trim_end_matches('/')),
        open = count("open"),
        complete = count("complete"),
        expired = count("expired"),
        events = st.events.len(),
        endpoints = st.endpoints.len(),
    );
    Resp::html(200, doc("Booth Stripe simulator", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }
}

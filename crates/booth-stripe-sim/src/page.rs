//! The hosted checkout page (`/c/pay/{id}`) and the simulator's index page.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::{valid_email, Resp};
use crate::objects::format_amount;
use crate::state::State;
use crate::{card, discount, payment, Shared};

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

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1f36;background:#fff;font-size:15px}
.wrap{display:flex;min-height:100vh}.summary{flex:1;background:#f6f9fc;padding:56px 48px;display:flex;justify-content:flex-end}
.summary>div{width:100%;max-width:400px}.pay{flex:1;padding:56px 48px}.pay>div{width:100%;max-width:400px}
.top{display:flex;align-items:center;gap:12px;margin-bottom:28px}.back{color:#697386;text-decoration:none;font-weight:500}.back:hover{color:#1a1f36}
.badge{background:#ffde92;color:#a04d00;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:2px 6px;border-radius:4px}
.merchant{font-weight:600;color:#3c4257}.label{color:#697386;margin-top:18px}.total{font-size:36px;font-weight:600;margin:4px 0 28px;letter-spacing:-.02em}
ul{list-style:none;margin:0;padding:0}li{display:flex;justify-content:space-between;padding:12px 0}.qty{color:#697386;font-size:13px;margin-top:2px}
.row{display:flex;justify-content:space-between;border-top:1px solid #e3e8ee;padding:14px 0}.row.strong{font-weight:600}
h2{font-size:20px;margin:0 0 24px}label{display:block;color:#3c4257;font-size:13px;font-weight:500;margin:16px 0 6px}
input{width:100%;font-size:15px;padding:10px 12px;border:1px solid #d5dbe1;border-radius:6px;box-shadow:0 1px 1px rgba(0,0,0,.03)}
input:focus{outline:none;border-color:#635bff;box-shadow:0 0 0 3px rgba(99,91,255,.25)}input.bad{border-color:#df1b41}
.pair{display:flex;gap:0}.pair input:first-child{border-radius:0 0 0 6px}.pair input:last-child{border-radius:0 0 6px 0;border-left:none}
.cardnum{border-radius:6px 6px 0 0;border-bottom:none}.ferr{color:#df1b41;font-size:13px;margin-top:6px}
.banner{background:#fff1f3;border:1px solid #fbc6d0;color:#a4123a;border-radius:6px;padding:12px 14px;margin-bottom:8px}
button{width:100%;margin-top:28px;background:#635bff;color:#fff;border:0;border-radius:6px;padding:13px;font-size:16px;font-weight:600;cursor:pointer}button:hover{background:#5146e0}
.hint{margin-top:28px;font-size:13px;color:#697386;background:#f6f9fc;border-radius:6px;padding:12px 14px}.hint code{color:#3c4257}
.hint table{border-collapse:collapse;margin-top:6px}.hint td{padding:2px 10px 2px 0}
.notice{max-width:460px;margin:12vh auto;text-align:center;padding:0 24px}.notice h1{font-size:24px}.notice a{color:#635bff;font-weight:600}
a.button{display:inline-block;margin-top:12px;background:#635bff;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none}
@media (max-width:800px){.wrap{flex-direction:column}.summary,.pay{padding:32px 20px;justify-content:flex-start}}
"#;

fn doc(title: &str, body: &str) -> String {
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

#[derive(Default)]
struct FormState {
    values: HashMap<String, String>,
    errors: HashMap<&'static str, String>,
    banner: Option<String>,
}

/// What the page shows for the session's discount: the coupon's name, else its id.
fn discount_label(st: &State, s: &Value) -> Option<String> {
    let id = discount::session_coupon(s)?;
    let name = discount::find(st, id).and_then(|c| c["name"].as_str());
    Some(name.unwrap_or(id).to_string())
}

const CARD_HINT: &str = r#"<div class=hint><strong>Test mode.</strong> No real money moves. Use any future expiry and any CVC.
<table><tr><td><code>4242 4242 4242 4242</code></td><td>succeeds</td></tr>
<tr><td><code>4000 0000 0000 0002</code></td><td>declined</td></tr>
<tr><td><code>4000 0000 0000 9995</code></td><td>insufficient funds</td></tr>
<tr><td><code>4000 0000 0000 0069</code></td><td>expired card</td></tr>
<tr><td><code>4000 0000 0000 0127</code></td><td>incorrect CVC</td></tr>
<tr><td><code>4000 0000 0000 0259</code></td><td>succeeds, then disputed</td></tr></table></div>"#;

/// The payment page. A session whose total is 0 (a no-cost order) asks for no card:
/// Stripe's Checkout collects no payment method then.
fn render_page(s: &Value, items: &[Value], discount: Option<&str>, f: &FormState) -> String {
    let cur = s["currency"].as_str().unwrap_or("usd");
    let due = s["amount_total"].as_i64().unwrap_or(0);
    let total = format_amount(due, cur);
    let mut lis = String::new();
    for it in items {
        let q = it["quantity"].as_i64().unwrap_or(1);
        let unit = it["price"]["unit_amount"].as_i64().unwrap_or(0);
        let qty = if q > 1 {
            format!(
                "<div class=qty>Qty {q} × {}</div>",
                esc(&format_amount(unit, cur))
            )
        } else {
            String::new()
        };
        lis.push_str(&format!(
            "<li><div><div>{}</div>{qty}</div><div>{}</div></li>",
            esc(it["description"].as_str().unwrap_or("")),
            esc(&format_amount(
                it["amount_subtotal"].as_i64().unwrap_or(0),
                cur
            ))
        ));
    }
    let back = s["cancel_url"]
        .as_str()
        .map(|u| format!("<a class=back href=\"{}\">← Back</a>", esc(u)))
        .unwrap_or_default();
    let val = |k: &str| esc(f.values.get(k).map(String::as_str).unwrap_or(""));
    let email = if f.values.contains_key("email") {
        val("email")
    } else {
        esc(s["customer_email"].as_str().unwrap_or(""))
    };
    let err = |k: &str| {
        f.errors
            .get(k)
            .map(|e| format!("<div class=ferr>{}</div>", esc(e)))
            .unwrap_or_default()
    };
    let bad = |k: &str| if f.errors.contains_key(k) { " bad" } else { "" };
    let card_err = [err("card_number"), err("card_expiry"), err("card_cvc")].concat();
    let banner = f
        .banner
        .as_ref()
        .map(|b| format!("<div class=banner role=alert>{}</div>", esc(b)))
        .unwrap_or_default();
    let off = s["total_details"]["amount_discount"].as_i64().unwrap_or(0);
    let discount_row = discount
        .map(|d| {
            format!(
                "<div class=row><span>Discount ({})</span><span>−{}</span></div>",
                esc(d),
                esc(&format_amount(off, cur))
            )
        })
        .unwrap_or_default();
    let (heading, card_fields, action, hint) = if due == 0 {
        ("Complete your order", String::new(), "Complete order".to_string(), "<div class=hint><strong>Test mode.</strong> Nothing to pay: no payment method is needed.</div>".to_string())
    } else {
        let fields = format!(
            r#"<label for=card_number>Card information</label>
<input class="cardnum{nb}" id=card_number name=card_number inputmode=numeric value="{num}" placeholder="1234 1234 1234 1234">
<div class=pair><input class="{xb}" name=card_expiry value="{exp}" placeholder="MM / YY"><input class="{cb}" name=card_cvc inputmode=numeric value="{cvc}" placeholder="CVC"></div>{card_err}
<label for=name>Cardholder name</label><input id=name name=name value="{name}" placeholder="Full name on card">"#,
            nb = bad("card_number"),
            xb = bad("card_expiry"),
            cb = bad("card_cvc"),
            num = val("card_number"),
            exp = val("card_expiry"),
            cvc = val("card_cvc"),
            name = val("name"),
        );
        (
            "Pay with card",
            fields,
            format!("Pay {}", esc(&total)),
            CARD_HINT.to_string(),
        )
    };
    let body = format!(
        r#"<div class=wrap><section class=summary><div>
<div class=top>{back}<span class=badge>Test mode</span></div>
<div class=merchant>Booth</div><div class=label>Pay</div><div class=total>{total}</div>
<ul>{lis}</ul>
<div class=row><span>Subtotal</span><span>{subtotal}</span></div>{discount_row}
<div class="row strong"><span>Total due</span><span>{total}</span></div>
</div></section>
<section class=pay><div>
<h2>{heading}</h2>{banner}
<form method=post autocomplete=off novalidate>
<label for=email>Email</label><input class="{eb}" id=email name=email type=email value="{email}" placeholder="you@example.com">{ee}
{card_fields}
<button type=submit>{action}</button>
</form>
{hint}
</div></section></div>"#,
        subtotal = esc(&format_amount(
            s["amount_subtotal"].as_i64().unwrap_or(0),
            cur
        )),
        total = esc(&total),
        eb = bad("email"),
        ee = err("email"),
    );
    doc(&format!("Pay {total} · Booth (test mode)"), &body)
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

pub fn get_pay(shared: &Shared, id: &str) -> Resp {
    let st = shared.lock();
    let Some(s) = st.find(&st.sessions, id) else {
        return notice(
            404,
            "Checkout session not found",
            "This checkout link is not valid.",
            None,
        );
    };
    if let Some(r) = closed_page(s) {
        return r;
    }
    let items = st.line_items.get(id).cloned().unwrap_or_default();
    let label = discount_label(&st, s);
    Resp::html(
        200,
        render_page(s, &items, label.as_deref(), &FormState::default()),
    )
}

pub fn post_pay(shared: &Shared, id: &str, body: &[u8]) -> Resp {
    let values: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let mut st = shared.lock();
    let Some(s) = st.find(&st.sessions, id).cloned() else {
        return notice(
            404,
            "Checkout session not found",
            "This checkout link is not valid.",
            None,
        );
    };
    if let Some(r) = closed_page(&s) {
        // Never charge twice: a closed session answers with its final state.
        return Resp { status: 409, ..r };
    }
    let items = st.line_items.get(id).cloned().unwrap_or_default();
    let mut f = FormState {
        values,
        ..Default::default()
    };
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
    let name = get("name");
    if email.is_empty() {
        f.errors.insert("email", "Your email is incomplete.".into());
    } else if !valid_email(&email) {
        f.errors
            .insert("email", "Your email address is invalid.".into());
    }
    // A no-cost order (total 0) takes no card.
    let free = s["amount_total"].as_i64() == Some(0);
    let card = if free {
        None
    } else {
        card::check(
            &number,
            &get("card_expiry"),
            &get("card_cvc"),
            &mut f.errors,
        )
    };
    let label = discount_label(&st, &s);
    if !f.errors.is_empty() {
        return Resp::html(400, render_page(&s, &items, label.as_deref(), &f));
    }
    // The discount was fine when the session was created; its coupon may have been used
    // up (by another session), expired or been deleted since.
    if !discount::still_available(&st, &s) {
        f.banner = Some("This discount is no longer available. The payment was not made.".into());
        return Resp::html(402, render_page(&s, &items, label.as_deref(), &f));
    }
    if let Some(msg) = card::decline(&number).filter(|_| !free) {
        f.banner = Some(msg.into());
        return Resp::html(402, render_page(&s, &items, label.as_deref(), &f));
    }
    let name = (!name.is_empty()).then_some(name.as_str());
    match &card {
        Some(card) => payment::complete_payment(&mut st, id, &email, name, card),
        None if free => payment::complete_free(&mut st, id, &email, name),
        None => return Resp::html(400, render_page(&s, &items, label.as_deref(), &f)),
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

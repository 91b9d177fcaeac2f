//! The hosted payment page's HTML: the order summary (with its discount and, once the
//! buyer's country is known, its tax) and the form.

use serde_json::Value;

use crate::objects::format_amount;
use crate::page::{doc, esc, FormState};
use crate::page_buyer::{self, AddressMode, Asks};
use crate::session_tax::Calc;

pub(crate) const CSS: &str = r#"
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
select{width:100%;font-size:15px;padding:10px 12px;border:1px solid #d5dbe1;border-radius:6px;background:#fff;margin-bottom:6px}select.bad{border-color:#df1b41}
#billing input{margin-bottom:6px}label.check{display:flex;gap:8px;align-items:center;font-weight:400}label.check input{width:auto}
button.secondary{background:#fff;color:#635bff;border:1px solid #635bff;margin-top:12px;padding:9px}button.secondary:hover{background:#f6f9fc}
.notice{max-width:460px;margin:12vh auto;text-align:center;padding:0 24px}.notice h1{font-size:24px}.notice a{color:#635bff;font-weight:600}
a.button{display:inline-block;margin-top:12px;background:#635bff;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none}
@media (max-width:800px){.wrap{flex-direction:column}.summary,.pay{padding:32px 20px;justify-content:flex-start}}
"#;

const CARD_HINT: &str = r#"<div class=hint><strong>Test mode.</strong> No real money moves. Use any future expiry and any CVC.
<table><tr><td><code>4242 4242 4242 4242</code></td><td>succeeds</td></tr>
<tr><td><code>4000 0000 0000 0002</code></td><td>declined</td></tr>
<tr><td><code>4000 0000 0000 9995</code></td><td>insufficient funds</td></tr>
<tr><td><code>4000 0000 0000 0069</code></td><td>expired card</td></tr>
<tr><td><code>4000 0000 0000 0127</code></td><td>incorrect CVC</td></tr>
<tr><td><code>4000 0000 0000 0259</code></td><td>succeeds, then disputed</td></tr></table></div>"#;

/// What a rendering of the payment page shows.
pub struct View<'a> {
    pub s: &'a Value,
    pub items: &'a [Value],
    /// The discount's label (the coupon's name, else its id).
    pub discount: Option<&'a str>,
    pub form: &'a FormState,
    pub asks: &'a Asks,
    /// The tax for the buyer's place, once known (sessions with automatic tax).
    pub calc: Option<&'a Calc>,
}

impl View<'_> {
    /// What the buyer is asked to pay: with the tax once calculated.
    pub fn due(&self) -> i64 {
        self.calc
            .map(|c| c.total)
            .unwrap_or_else(|| self.s["amount_total"].as_i64().unwrap_or(0))
    }
}

/// The summary's tax rows: each tax, or a prompt while the address is unknown.
fn tax_rows(v: &View, cur: &str) -> String {
    if !crate::session_tax::enabled(v.s) {
        return String::new();
    }
    match v.calc {
        None => "<div class=row><span>Tax</span><span class=qty>Enter your address to calculate</span></div>".to_string(),
        Some(c) => c
            .rows()
            .iter()
            .map(|(label, amount)| {
                format!(
                    "<div class=row><span>{}</span><span>{}</span></div>",
                    esc(label),
                    esc(&format_amount(*amount, cur))
                )
            })
            .collect(),
    }
}

/// Without JavaScript, a changed country reaches the server through this button: the
/// page comes back with the tax for it.
fn update_button(asks: &Asks) -> &'static str {
    if asks.address == AddressMode::None {
        ""
    } else {
        "<button type=submit name=action value=update class=secondary formnovalidate>Update total</button>"
    }
}

/// The payment page. A session whose total is 0 (a no-cost order) asks for no card:
/// Stripe's Checkout collects no payment method then.
pub fn render_page(v: &View) -> String {
    let (s, f) = (v.s, v.form);
    let cur = s["currency"].as_str().unwrap_or("usd");
    let due = v.due();
    let total = format_amount(due, cur);
    let mut lis = String::new();
    for it in v.items {
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
    let discount_row = v
        .discount
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
<div class=row><span>Subtotal</span><span>{subtotal}</span></div>{discount_row}{tax_rows}
<div class="row strong"><span>Total due</span><span>{total}</span></div>
</div></section>
<section class=pay><div>
<h2>{heading}</h2>{banner}
<form method=post autocomplete=off novalidate>
<label for=email>Email</label><input class="{eb}" id=email name=email type=email value="{email}" placeholder="you@example.com">{ee}
<div id=billing>{buyer}</div>{update}
{card_fields}
<input type=hidden name=shown_total value="{due}">
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
        tax_rows = tax_rows(v, cur),
        buyer = page_buyer::fields_html(v.asks, &f.values, &f.errors),
        update = update_button(v.asks),
    );
    doc(&format!("Pay {total} · Booth (test mode)"), &body)
}

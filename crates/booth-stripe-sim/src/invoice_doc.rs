//! An invoice's hosted page (`hosted_invoice_url`, HTML) and its PDF (`invoice_pdf`): the
//! simulator's stand-ins for invoice.stripe.com and pay.stripe.com. Both show the same
//! document: number, dates, who was billed (with their tax ID), the lines, discount,
//! taxes and total, and "Reverse charge" when the buyer accounts for the VAT (as Stripe
//! prints it for `tax_exempt: reverse`). The PDF is a one-page PDF 1.4 in Helvetica.

use serde_json::Value;

use crate::api::Resp;
use crate::objects::{format_amount, format_plain};
use crate::page::{doc, esc};
use crate::state::State;
use crate::{invoice, tax, Shared};

/// "2026-12-02" from a Unix time (civil-from-days).
fn date(secs: i64) -> String {
    let z = secs.div_euclid(86400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// What both renderings show, with amounts formatted by `fmt`.
struct Model {
    number: String,
    paid: String,
    billed_to: Vec<String>,
    lines: Vec<(String, String, String)>,
    totals: Vec<(String, String)>,
    notes: Vec<String>,
}

fn model(st: &State, inv: &Value, fmt: fn(i64, &str) -> String) -> Model {
    let cur = inv["currency"].as_str().unwrap_or("usd");
    let amount = |v: &Value| fmt(v.as_i64().unwrap_or(0), cur);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut billed_to: Vec<String> = ["customer_name", "customer_email"]
        .iter()
        .map(|k| text(&inv[*k]))
        .collect();
    let a = &inv["customer_address"];
    let city = [text(&a["postal_code"]), text(&a["city"])].join(" ");
    for line in [text(&a["line1"]), text(&a["line2"]), city] {
        billed_to.push(line.trim().to_string());
    }
    if let Some(c) = a["country"].as_str() {
        billed_to.push(tax::country_name(c).to_string());
    }
    for t in inv["customer_tax_ids"].as_array().into_iter().flatten() {
        let kind = text(&t["type"]).replace('_', " ").to_uppercase();
        billed_to.push(format!("{kind} {}", text(&t["value"])));
    }
    billed_to.retain(|l| !l.is_empty());
    let lines = inv["lines"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let q = l["quantity"].as_i64().unwrap_or(1).to_string();
            (text(&l["description"]), q, amount(&l["amount"]))
        })
        .collect();
    let mut totals = vec![("Subtotal".to_string(), amount(&inv["subtotal"]))];
    for d in inv["total_discount_amounts"]
        .as_array()
        .into_iter()
        .flatten()
    {
        totals.push(("Discount".into(), format!("-{}", amount(&d["amount"]))));
    }
    let id = inv["id"].as_str().unwrap_or_default();
    let rates = st.tax_details.get(id).map(|d| &d["rates"]);
    for t in inv["total_taxes"].as_array().into_iter().flatten() {
        let rate = rates.map(|r| {
            &r[t["tax_rate_details"]["tax_rate"]
                .as_str()
                .unwrap_or_default()]
        });
        let name = rate
            .and_then(|r| r["display_name"].as_str())
            .unwrap_or("Tax");
        let pct = rate.and_then(|r| r["percentage"].as_f64()).unwrap_or(0.0);
        let label = match t["taxability_reason"].as_str() {
            Some("standard_rated") => {
                let included = if t["tax_behavior"] == "inclusive" {
                    " included"
                } else {
                    ""
                };
                format!(
                    "{name} ({}%){included}",
                    tax::percent_label((pct * 100.0).round() as u32)
                )
            }
            Some("reverse_charge") => format!("{name} (reverse charge)"),
            _ => name.to_string(),
        };
        totals.push((label, amount(&t["amount"])));
    }
    totals.push(("Total".into(), amount(&inv["total"])));
    totals.push(("Amount paid".into(), amount(&inv["amount_paid"])));
    let mut notes = Vec::new();
    if inv["customer_tax_exempt"] == "reverse" {
        notes.push("Reverse charge".to_string());
    }
    for k in ["description", "footer"] {
        if let Some(s) = inv[k].as_str() {
            notes.push(s.to_string());
        }
    }
    Model {
        number: text(&inv["number"]),
        paid: date(inv["status_transitions"]["paid_at"].as_i64().unwrap_or(0)),
        billed_to,
        lines,
        totals,
        notes,
    }
}

fn not_found() -> Resp {
    let body =
        "<div class=notice><h1>Invoice not found</h1><p>This invoice link is not valid.</p></div>";
    Resp::html(404, doc("Invoice not found", body))
}

/// The hosted invoice page.
pub fn page(shared: &Shared, token: &str) -> Resp {
    let st = shared.lock();
    let Some(inv) = invoice::by_token(&st, token) else {
        return not_found();
    };
    let m = model(&st, inv, format_amount);
    let row = |cells: &[&str]| {
        let tds: String = cells
            .iter()
            .map(|c| format!("<td>{}</td>", esc(c)))
            .collect();
        format!("<tr>{tds}</tr>")
    };
    let lines: String = m.lines.iter().map(|(d, q, a)| row(&[d, q, a])).collect();
    let totals: String = m.totals.iter().map(|(l, a)| row(&["", l, a])).collect();
    let billed: String = m
        .billed_to
        .iter()
        .map(|l| format!("{}<br>", esc(l)))
        .collect();
    let notes: String = m
        .notes
        .iter()
        .map(|n| format!("<p>{}</p>", esc(n)))
        .collect();
    let pdf = format!("/i/{}/pdf", esc(token));
    let body = format!(
        "<div class=notice style=\"text-align:left;max-width:640px\"><span class=badge>Test mode</span>\
<h1>Invoice {number}</h1><p>Booth · Paid {paid}</p><p><strong>Billed to</strong><br>{billed}</p>\
<table style=\"width:100%;border-collapse:collapse\"><tr><th align=left>Description</th><th>Qty</th><th align=right>Amount</th></tr>{lines}{totals}</table>\
{notes}<a class=button href=\"{pdf}\">Download PDF</a></div>",
        number = esc(&m.number),
        paid = esc(&m.paid),
    );
    Resp::html(200, doc(&format!("Invoice {}", m.number), &body))
}

/// Text for a PDF string: printable ASCII, with `\`, `(` and `)` escaped.
fn pdf_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// A one-page PDF of `lines`, with a correct cross-reference table.
pub fn pdf_bytes(lines: &[String]) -> String {
    let mut content = String::from("BT /F1 11 Tf 56 780 Td 15 TL\n");
    for l in lines {
        content.push_str(&format!("({}) Tj T*\n", pdf_text(l)));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out
}

/// The invoice PDF.
pub fn pdf(shared: &Shared, token: &str) -> Resp {
    let st = shared.lock();
    let Some(inv) = invoice::by_token(&st, token) else {
        return not_found();
    };
    let m = model(&st, inv, format_plain);
    let mut lines = vec![
        format!("Invoice {}", m.number),
        format!("Booth (test mode) - paid {}", m.paid),
        String::new(),
        "Billed to:".to_string(),
    ];
    lines.extend(m.billed_to.iter().map(|l| format!("  {l}")));
    lines.push(String::new());
    lines.extend(m.lines.iter().map(|(d, q, a)| format!("{d}  x{q}  {a}")));
    lines.push(String::new());
    lines.extend(m.totals.iter().map(|(l, a)| format!("{l}: {a}")));
    lines.extend(m.notes.iter().cloned());
    Resp {
        status: 200,
        headers: vec![
            ("content-type", "application/pdf".into()),
            (
                "content-disposition",
                format!("inline; filename=\"Invoice-{}.pdf\"", pdf_text(&m.number)),
            ),
        ],
        body: pdf_bytes(&lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_pdf_structure() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        let pdf = pdf_bytes(&["Invoice (1) \\ €".to_string()]);
        assert!(pdf.starts_with("%PDF-1.4\n") && pdf.ends_with("%%EOF\n"));
        assert!(pdf.contains("(Invoice \\(1\\) \\\\ ?) Tj"));
        // Every xref offset points at its object.
        let xref_at: usize = pdf
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with("xref\n"));
        for (i, line) in pdf[xref_at..].lines().skip(3).take(5).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(&format!("{} 0 obj", i + 1)), "{i}");
        }
    }
}

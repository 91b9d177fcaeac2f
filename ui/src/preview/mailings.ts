// Sample answers for the Mailings screen: three past mailings (finished with a bounce and
// an unsubscribe, canceled, one still going out) to the buyers in purchases.ts, the preview
// and sending of a new one, each update email queued in the outbox (mail.ts). A sending
// mailing moves along on each poll. /preview.html?empty#mailings shows none.
import type { MailingFailure, MailingPreview, MailingRequest, MailingSummary, Product, Purchase } from "../lib/api";
import { BASE, DAY as D, EMPTY, NOW, SHOP, clone, mistakes, type Commands } from "./data";
import { FONT, button, enqueue, esc, layout, retried } from "./mail";
import { PRODUCTS, purchases } from "./purchases";

// ---- the update email, shaped like the real template -------------------------------

function update(p: Purchase, prod: Product, subject: string, message: string, mailingId: number): { text: string; html: string; unsub: string } {
  const url = `${BASE}/d/${p.token}`;
  const unsub = `${BASE}/u/${p.token}?m=${mailingId}`;
  const paras = message.trim() ? message.trim().split(/\n\s*\n/) : [];
  const files = prod.files.map((f) => `<tr><td class="rule" style="padding:11px 12px 11px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:15px;"><span class="text" style="color:#17161d; font-weight:600;">${esc(f.display_name)}</span></td><td class="rule" align="right" style="padding:11px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:14px;"><span class="muted" style="color:#5c5b6a;">version ${esc(f.version)}</span></td></tr>`).join("");
  const html = layout(subject, p.email, p.test, `
<tr><td style="padding:32px 36px 8px; font-family:${FONT};"><span style="display:inline-block; background:#eef2ff; border-radius:999px; padding:3px 10px; font-size:12px; font-weight:bold; letter-spacing:1px; text-transform:uppercase; color:#4338ca;">New version</span>
<h1 class="text" style="margin:14px 0 10px; font-size:24px; line-height:32px; color:#17161d;">${esc(prod.name)} has been updated</h1>
<p class="muted" style="margin:0; font-size:16px; line-height:25px; color:#5c5b6a;">${esc(SHOP)} has released a new version. Your download link now serves it, so you can grab the latest files right away.</p></td></tr>
${paras.length ? `<tr><td style="padding:28px 36px 0; font-family:${FONT}; font-size:12px; font-weight:bold; letter-spacing:1px; text-transform:uppercase; color:#5c5b6a;"><span class="muted">What&rsquo;s new</span></td></tr>
<tr><td style="padding:12px 36px 0;"><div style="padding:2px 0 2px 16px; border-left:3px solid #c7d2fe; font-family:${FONT}; font-size:16px; line-height:25px; color:#17161d;">${paras.map((x) => `<p class="text" style="margin:0 0 14px;">${esc(x).replace(/\n/g, "<br>")}</p>`).join("")}</div></td></tr>` : ""}
<tr><td style="padding:28px 36px 0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">${files}</table></td></tr>
${button(url, "Download the new version")}`, `You get this because you bought ${esc(prod.name)}. <a class="link" href="${unsub}" style="color:#4338ca;">Unsubscribe from updates</a>.<br>`);
  const text = `${prod.name} has been updated

${SHOP} has released a new version. Your download link now serves it:
${url}
${paras.length ? `\nWhat's new:\n\n${paras.join("\n\n")}\n` : ""}
${prod.files.map((f) => `- ${f.display_name} (version ${f.version})`).join("\n")}

You get this because you bought ${prod.name}. Unsubscribe: ${unsub}
${SHOP} · Powered by Booth
`;
  return { text, html, unsub };
}

// ---- mailings --------------------------------------------------------------------

type Mailing = MailingSummary & { include_test: boolean; message: string; failures: MailingFailure[] };
const mailings: Mailing[] = [];
const unsubscribed = new Set(["noah.kim@gmail.com"]);
const polls = new Map<number, number>();

function buyers(slug: string, includeTest: boolean): Purchase[] {
  const seen = new Set<string>();
  const out: Purchase[] = [];
  for (const p of purchases) {
    if (p.status !== "paid" || (p.test && !includeTest)) continue;
    if (!p.items.some((i) => i.product_slug === slug && !i.revoked)) continue;
    if (seen.has(p.email)) continue;
    seen.add(p.email);
    out.push(p);
  }
  return out;
}

function summary(m: Mailing): MailingSummary {
  const { include_test: _i, message: _m, failures: _f, ...s } = m;
  return s;
}

function addMailing(m: Omit<Mailing, "id">): Mailing {
  const full = { ...m, id: mailings.length + 1 };
  mailings.push(full);
  return full;
}

// Three past mailings: finished (with a bounce and an unsubscribe), canceled, and one still going out.
function seedMailings() {
  // A finished one, with a bounce and an unsubscribe.
  {
    const prod = PRODUCTS[0];
    const subject = "The Field Guide, 3rd edition: a new chapter on newsletters";
    const message = "The third edition is out, free for everyone who bought it.\n\nNew: a whole chapter on growing a newsletter before launch, and the pricing worksheet now comes as a spreadsheet too.";
    const m = addMailing({
      product_slug: prod.slug, product_name: prod.name, subject, created_at: NOW - 13 * D, recipients: 9, sent: 8, failed: 1,
      pending: 0, skipped: 0, skipped_unsubscribed: 0, unsubscribed: 1, canceled: false, include_test: false, message,
      failures: [{ recipient: "k.lee@oldcompany.example", status: "failed", attempts: 5, reason: "550 5.1.1 <k.lee@oldcompany.example>: Recipient address rejected: User unknown in virtual mailbox table" }],
    });
    for (const p of buyers(prod.slug, false).slice(0, 6)) {
      const u = update(p, prod, subject, message, m.id);
      enqueue({ kind: "update", purchase_id: p.id, mailing_id: m.id, recipient: p.email, subject, body_text: u.text, body_html: u.html, unsubscribe_url: u.unsub, status: "sent", attempts: 1, last_error: null, created_at: m.created_at, sent_at: m.created_at + 20 });
    }
    const bounced = { ...purchases[purchases.length - 2], email: "k.lee@oldcompany.example" };
    const u = update(bounced, prod, subject, message, m.id);
    enqueue({ kind: "update", purchase_id: bounced.id, mailing_id: m.id, recipient: bounced.email, subject, body_text: u.text, body_html: u.html, unsubscribe_url: u.unsub, status: "failed", attempts: 5, last_error: m.failures[0].reason, created_at: m.created_at, sent_at: null });
  }

  // A canceled one.
  addMailing({
    product_slug: "field-guide", product_name: "The Field Guide to Indie Publishing", subject: "Field Guide: the fixed chapter 7",
    created_at: NOW - 6 * D, recipients: 40, sent: 12, failed: 0, pending: 0, skipped: 28, skipped_unsubscribed: 2, unsubscribed: 0,
    canceled: true, include_test: false, message: "", failures: [],
  });

  // One still going out: each `mailing` poll moves it along.
  {
    const prod = PRODUCTS[1];
    const subject = "Golden Hour Presets v2: eight new looks for blue hour";
    const message = "Version 2 adds eight presets for the half hour after sunset, and every preset now has a matching profile for Lightroom Mobile.\n\nThe how-to video is updated too.";
    const m = addMailing({
      product_slug: prod.slug, product_name: prod.name, subject, created_at: NOW - 4 * 60, recipients: 48, sent: 17, failed: 0,
      pending: 31, skipped: 0, skipped_unsubscribed: 1, unsubscribed: 0, canceled: false, include_test: false, message, failures: [],
    });
    buyers(prod.slug, false).forEach((p, i) => {
      const u = update(p, prod, subject, message, m.id);
      enqueue({ kind: "update", purchase_id: p.id, mailing_id: m.id, recipient: p.email, subject, body_text: u.text, body_html: u.html, unsubscribe_url: u.unsub, status: i < 2 ? "sent" : "queued", attempts: i < 2 ? 1 : 0, last_error: null, created_at: m.created_at, sent_at: i < 2 ? m.created_at + 30 : null });
    });
  }
}
if (!EMPTY) seedMailings();

/** Moves a sending mailing along: a few deliveries per poll, now and then a bounce. */
function advance(m: Mailing) {
  if (m.pending === 0) return;
  const n = (polls.get(m.id) ?? 0) + 1;
  polls.set(m.id, n);
  const step = Math.min(m.pending, 3);
  m.pending -= step;
  if (n % 4 === 0) {
    m.failed += 1;
    m.sent += step - 1;
    m.failures.push({ recipient: `reader${n}@mail.example`, status: "failed", attempts: 5, reason: "554 5.7.1 Message rejected: the recipient's mailbox is full" });
  } else {
    m.sent += step;
  }
}

function getMailing(id: unknown): Mailing {
  const m = mailings.find((x) => x.id === id);
  if (!m) throw { code: "not_found", message: `no mailing #${id}` };
  return m;
}

function checkSubject(subject: string) {
  if (subject.trim().length > 200) throw { code: "invalid_input", field: "subject", message: "a subject is 1–200 characters on one line" };
}

function checkMessage(message: string) {
  if (message.length > 20000) throw { code: "invalid_input", field: "message", message: "a message is at most 20,000 characters" };
}

function checkRequest(r: MailingRequest): { prod: Product; subject: string } {
  const prod = PRODUCTS.find((p) => p.slug === r.product);
  if (!r.product) throw { code: "invalid_input", field: "product", message: "choose a product" };
  if (!prod) throw { code: "not_found", message: `no product with the slug '${r.product}'` };
  checkSubject(r.subject);
  checkMessage(r.message);
  return { prod, subject: r.subject.trim() || `${prod.name}: a new version is out` };
}

export const commands: Commands = {
  validate_mailing: ({ request }) => {
    const r = request as MailingRequest;
    return mistakes(() => checkSubject(r.subject), () => checkMessage(r.message));
  },

  preview_mailing: ({ request }): MailingPreview => {
    const r = request as MailingRequest;
    const { prod, subject } = checkRequest(r);
    const all = buyers(prod.slug, r.include_test);
    const to = all.filter((p) => !unsubscribed.has(p.email));
    const first = to[0];
    const sample = first ? update(first, prod, subject, r.message, 0) : null;
    return clone({ product: prod, subject, recipients: to.length, skipped_unsubscribed: all.length - to.length, sample: sample ? [sample.text, sample.html] : null });
  },

  // As the core words it (booth-core shop/mail.rs, version_news).
  version_news: ({ slug, file }) => {
    const prod = PRODUCTS.find((p) => p.slug === slug);
    if (!prod) throw { code: "not_found", message: `no product with the slug '${slug}'` };
    const f = prod.files.find((x) => String(x.id) === file || x.display_name === file);
    if (!f) throw { code: "not_found", message: `'${slug}' has no file '${file}'` };
    const live = buyers(prod.slug, false).filter((p) => !unsubscribed.has(p.email)).length;
    const test = buyers(prod.slug, true).filter((p) => !unsubscribed.has(p.email)).length - live;
    const who = live ? `its ${live} ${live === 1 ? "buyer" : "buyers"}` : test ? `its ${test} test ${test === 1 ? "buyer" : "buyers"}` : null;
    const nudge = who ? `Version ${f.version} of ${f.display_name} is live. Tell ${who}?` : null;
    return { slug, file: f.display_name, version: f.version, buyers: live, test_buyers: test, nudge };
  },

  send_mailing: ({ request }) => {
    const r = request as MailingRequest;
    const { prod, subject } = checkRequest(r);
    const going = mailings.find((m) => m.product_slug === prod.slug && m.pending > 0 && !m.canceled);
    if (going) throw { code: "conflict", message: `mailing #${going.id} for '${prod.slug}' is still being sent; wait for it to finish or cancel it` };
    const all = buyers(prod.slug, r.include_test);
    const to = all.filter((p) => !unsubscribed.has(p.email));
    const m = addMailing({
      product_slug: prod.slug, product_name: prod.name, subject, created_at: Math.floor(Date.now() / 1000), recipients: to.length,
      sent: 0, failed: 0, pending: to.length, skipped: 0, skipped_unsubscribed: all.length - to.length, unsubscribed: 0,
      canceled: false, include_test: r.include_test, message: r.message, failures: [],
    });
    for (const p of to) {
      const u = update(p, prod, subject, r.message, m.id);
      const msg = enqueue({ kind: "update", purchase_id: p.id, mailing_id: m.id, recipient: p.email, subject, body_text: u.text, body_html: u.html, unsubscribe_url: u.unsub, status: "queued", attempts: 0, last_error: null, created_at: m.created_at, sent_at: null });
      retried.add(msg.id);
    }
    return summary(m);
  },

  mailings: () => [...mailings].reverse().map(summary),

  mailing: ({ id }) => {
    const m = getMailing(id);
    advance(m);
    return summary(m);
  },

  mailing_failures: ({ id }) => clone(getMailing(id).failures),

  cancel_mailing: ({ id }) => {
    const m = getMailing(id);
    const left = m.pending;
    m.skipped += left;
    m.pending = 0;
    m.canceled = true;
    return left;
  },
};

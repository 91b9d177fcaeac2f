// Sample answers for the purchases, mailings and mail commands. State lives in this module,
// so actions in the preview (refund, grant, send a mailing...) change what later calls return.
import type {
  DownloadLog, ItemFile, MailingFailure, MailingPreview, MailingRequest, MailingSummary,
  OutboxMessage, Product, Purchase, PurchaseDetail, PurchaseItem,
} from "../lib/api";

type Args = Record<string, unknown>;

// /preview.html?empty#purchases shows a brand-new shop: nothing bought, mailed or sent yet.
const EMPTY = location.search.includes("empty");
const NOW = Math.floor(Date.now() / 1000);
const H = 3600;
const D = 86400;
const SHOP = "Ada's Little Shop";
const BASE = "http://127.0.0.1:8080";
const SUPPORT = "help@adasshop.com";

// Deterministic pseudo-random numbers, so the preview looks the same on every load.
let seed = 20261122;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function hex(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}
function uuid(): string {
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
}

// ---- products: the other preview module answers list_products; these mirror its three ----

function product(id: number, slug: string, name: string, price: number, limit: number | null, active: boolean, files: [number, string, string, number][]): Product {
  return {
    id, slug, name, description: "", price_minor: price, currency: "usd", active, download_limit: limit,
    created_at: NOW - 60 * D,
    files: files.map(([fid, display_name, version, size]) => ({
      id: fid, display_name, version_id: fid * 10 + Number(version), version, size, sha256: hex(64),
      stored_path: `files/${hex(2)}/${hex(62)}`, versions: Number(version),
    })),
  };
}

const PRODUCTS: Product[] = [
  product(1, "field-guide", "The Field Guide to Indie Publishing", 1900, 5, true, [
    [10, "field-guide.pdf", "3", 4_412_331],
    [11, "field-guide.epub", "3", 2_203_114],
  ]),
  product(2, "golden-hour-presets", "Golden Hour Lightroom Presets", 1200, null, true, [[12, "golden-hour-presets.zip", "2", 48_230_114]]),
  product(3, "brushes-vol-2", "Sketchbook Brushes Vol. 2", 750, 3, false, [[13, "brushes-vol-2.zip", "1", 120_331_003]]),
];

// ---- purchases -------------------------------------------------------------------

const UAS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "curl/8.5.0",
];

type Spec = {
  email: string; products: number[]; ago: number; used: number[][]; token?: string;
  status?: string; reason?: string; grant?: boolean; test?: boolean; refunded?: number;
};

// The newest eight are the Dashboard's "recent purchases" (same tokens), so opening one
// from there lands on it here.
const recentToken = (i: number) => (i + 1).toString(16).padStart(2, "0").repeat(16);
const M = 60;

const SPECS: Spec[] = [
  { token: recentToken(0), email: "maya.lindqvist@gmail.com", products: [1], ago: 4 * M, used: [[0, 0]] },
  { token: recentToken(1), email: "tom@northwind.studio", products: [2], ago: 38 * M, used: [[1]] },
  { token: recentToken(2), email: "j.okafor@outlook.com", products: [1], ago: 95 * M, used: [[1, 1]] },
  { token: recentToken(3), email: "sara.k@fastmail.com", products: [1, 2], ago: 210 * M, used: [[2, 1], [4]] },
  { token: recentToken(4), email: "li.wei@proton.me", products: [2], ago: 600 * M, used: [[1]], test: true },
  { token: recentToken(5), email: "hello@pixelandpine.co", products: [2], ago: 1500 * M, used: [[2]], grant: true },
  { token: recentToken(6), email: "r.moreau@orange.fr", products: [1], ago: 2900 * M, used: [[1, 0]], status: "refunded", reason: "refunded by the seller", refunded: 1900 },
  { token: recentToken(7), email: "dev@kestrel.io", products: [2], ago: 4400 * M, used: [[3]] },
  { email: "test-buyer@example.com", products: [3], ago: 2 * D + 5 * H, used: [[1]], test: true },
  { email: "leo.martin@outlook.com", products: [3], ago: 3 * D + 2 * H, used: [[3]] },
  { email: "reviewer@typewolf.example", products: [1], ago: 4 * D, used: [[1, 1]], grant: true },
  { email: "hana.sato@icloud.com", products: [1], ago: 4 * D + 6 * H, used: [[5, 2]], refunded: 500 },
  { email: "chris.b@hey.com", products: [2], ago: 5 * D, used: [[2]], status: "revoked", reason: "dispute opened: fraudulent" },
  { email: "test-buyer@example.com", products: [1], ago: 7 * D, used: [[1, 0]], test: true },
  { email: "noah.kim@gmail.com", products: [1], ago: 8 * D, used: [[1, 0]] },
  { email: "j.doe@gmial.com", products: [2], ago: 9 * D, used: [[0]] },
  { email: "fatima.z@yahoo.com", products: [1, 2], ago: 10 * D, used: [[1, 1], [2]] },
  { email: "daniel.ortiz@gmail.com", products: [2], ago: 14 * D, used: [[2]], status: "refunded", reason: "refunded through Stripe", refunded: 1200 },
  { email: "emma.lindqvist@telia.se", products: [1], ago: 16 * D, used: [[3, 3]] },
  { email: "tom.becker@web.de", products: [1], ago: 27 * D, used: [[6, 2]], status: "revoked", reason: "revoked by the seller" },
];

const purchases: Purchase[] = [];
const logs = new Map<number, DownloadLog[]>();
let nextPurchaseId = 1;
let nextItemId = 1;

function makeItem(p: Product, amount: number, used: number[]): PurchaseItem {
  const files: ItemFile[] = p.files.map((f, i) => ({
    ...f,
    downloads_used: used[i] ?? 0,
    downloads_left: p.download_limit === null ? null : Math.max(0, p.download_limit - (used[i] ?? 0)),
  }));
  return {
    id: nextItemId++, product_id: p.id, product_slug: p.slug, product_name: p.name, amount_minor: amount,
    download_limit: p.download_limit, revoked: false, files,
  };
}

function addPurchase(s: Spec): Purchase {
  const id = nextPurchaseId++;
  const items = s.products.map((pid, i) => {
    const p = PRODUCTS.find((x) => x.id === pid)!;
    return makeItem(p, s.grant ? 0 : p.price_minor, s.used[i] ?? []);
  });
  const amount = items.reduce((sum, i) => sum + i.amount_minor, 0);
  const purchase: Purchase = {
    id, token: s.token ?? uuid(), email: s.email, amount_minor: amount, currency: "usd",
    amount_refunded_minor: s.refunded ?? 0,
    checkout_session_id: s.grant ? null : `cs_test_${hex(24)}`,
    payment_intent_id: s.grant ? null : `pi_${hex(24)}`,
    status: s.status ?? "paid", status_reason: s.reason ?? null, email_problem: null,
    source: s.grant ? "grant" : "checkout", test: !!s.test, created_at: NOW - s.ago, items,
  };
  if (purchase.status === "revoked") items.forEach((i) => (i.revoked = true));

  // A download log that matches the counts: each counted download, and now and then a
  // resumed one (a Range request) that isn't counted.
  const log: DownloadLog[] = [];
  const ip = rand() < 0.2 ? `2001:db8:${hex(4)}::${hex(2)}` : `${rand() < 0.5 ? "203.0.113" : "198.51.100"}.${1 + Math.floor(rand() * 250)}`;
  const ua = UAS[Math.floor(rand() * (UAS.length - 1))];
  let t = purchase.created_at + 40;
  for (const item of items) {
    for (const f of item.files) {
      for (let n = 0; n < f.downloads_used; n++) {
        t += Math.floor(rand() * (s.ago / 8 + 60)) + 30;
        log.push({ at: Math.min(t, NOW - 30), file_id: f.id, file_name: f.display_name, version: f.version, ip, user_agent: ua, range: null, bytes: f.size, counted: true });
        if (rand() < 0.25) {
          const from = Math.floor(f.size / 3);
          log.push({ at: Math.min(t + 95, NOW - 20), file_id: f.id, file_name: f.display_name, version: f.version, ip, user_agent: ua, range: `bytes=${from}-`, bytes: f.size - from, counted: false });
        }
      }
    }
  }
  log.sort((a, b) => a.at - b.at);
  logs.set(id, log);
  purchases.push(purchase);
  return purchase;
}

if (!EMPTY) for (const s of SPECS) addPurchase(s);

function find(token: unknown): Purchase {
  const p = purchases.find((x) => x.token === token);
  if (!p) throw { code: "not_found", message: "no purchase with that token" };
  return p;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

function parseLimit(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === "unlimited" || t === "none") return null;
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 1_000_000) {
    throw { code: "invalid_input", field: "limit", message: "a download limit is a whole number from 1 to 1000000, or 'unlimited'" };
  }
  return n;
}

function parseCents(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw { code: "invalid_input", field: "amount", message: `'${text}' is not a price; write it like 9.99` };
  const cents = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (cents === 0) throw { code: "invalid_input", field: "amount", message: "a price must be more than zero" };
  return cents;
}

function usd(minor: number): string {
  return `$${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
}

// ---- emails, shaped like the real templates (inline styles, table layout) ----------

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function layout(title: string, email: string, test: boolean, content: string, footer = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${esc(title)}</title>
<style>@media (prefers-color-scheme: dark) { .bg { background:#0e0e13 !important; } .card { background:#17171f !important; border-color:#2b2b38 !important; } .text { color:#ececf2 !important; } .muted { color:#a3a3b3 !important; } .soft { background:#1d1d27 !important; } .link { color:#a5b4fc !important; } .rule { border-color:#2b2b38 !important; } }</style>
</head>
<body class="bg" style="margin:0; padding:0; background:#f4f4f7;">
<table role="presentation" class="bg" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f7;"><tr><td align="center" style="padding:32px 12px 40px;">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="width:100%; max-width:560px;">
<tr><td style="padding:0 8px 18px; font-family:${FONT}; font-size:17px; font-weight:bold;"><span class="text" style="color:#17161d;">${esc(SHOP)}</span></td></tr>
<tr><td class="card" style="background:#ffffff; border:1px solid #e4e4ec; border-radius:14px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
${test ? `<tr><td style="padding:24px 36px 0;"><div style="background:#fffaeb; border:1px solid #fedf89; border-radius:10px; padding:10px 14px; font-family:${FONT}; font-size:14px; line-height:20px; color:#7a2e0e;"><strong>Test mode.</strong> This was a test purchase &mdash; no real payment was taken.</div></td></tr>` : ""}
${content}
<tr><td style="padding:20px 36px 32px; font-family:${FONT}; font-size:13px; color:#5c5b6a;"><span class="muted">Sent to: ${esc(email)}</span></td></tr>
</table></td></tr>
<tr><td align="center" style="padding:24px 16px 0; font-family:${FONT}; font-size:13px; line-height:20px; color:#6b6a78;"><span class="muted">Questions or trouble downloading? Write to <a class="link" href="mailto:${SUPPORT}" style="color:#4338ca;">${SUPPORT}</a>.<br>${footer}${esc(SHOP)} &middot; Powered by Booth</span></td></tr>
</table></td></tr></table>
</body></html>`;
}

function button(url: string, label: string): string {
  return `<tr><td style="padding:24px 36px 8px;"><a href="${url}" target="_blank" style="display:inline-block; padding:14px 28px; background:#4f46e5; border-radius:10px; font-family:${FONT}; font-size:16px; font-weight:bold; color:#ffffff; text-decoration:none;">${label}</a></td></tr>
<tr><td style="padding:12px 36px 0; font-family:${FONT}; font-size:13px; line-height:20px; color:#5c5b6a;"><span class="muted">Button not working? Copy this link into your browser:</span><br><a class="link" href="${url}" style="color:#4338ca; word-break:break-all;">${url}</a></td></tr>`;
}

function receipt(p: Purchase): { subject: string; text: string; html: string } {
  const url = `${BASE}/d/${p.token}`;
  const gift = p.source === "grant";
  const rows = p.items.map((i) => `<tr><td class="rule" style="padding:12px 12px 12px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:15px;"><span class="text" style="color:#17161d; font-weight:600;">${esc(i.product_name)}</span><br><span class="muted" style="font-size:13px; color:#5c5b6a;">${i.download_limit === null ? "Unlimited downloads" : `${i.download_limit} downloads per file`}</span></td><td class="rule" align="right" style="padding:12px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:15px;"><span class="text" style="color:#17161d;">${gift ? "Free" : usd(i.amount_minor)}</span></td></tr>`).join("");
  const html = layout(`Your receipt from ${SHOP}`, p.email, p.test, `
<tr><td style="padding:32px 36px 8px; font-family:${FONT};"><h1 class="text" style="margin:0 0 10px; font-size:24px; line-height:32px; color:#17161d;">${gift ? "Enjoy your free copy!" : "Thanks for your purchase!"}</h1>
<p class="muted" style="margin:0; font-size:16px; line-height:25px; color:#5c5b6a;">${gift ? `${esc(SHOP)} sent you a complimentary copy. Your files are ready to download.` : "Your files are ready. Download them right away, or come back to this email whenever you need them."}</p></td></tr>
${button(url, "Download your files")}
<tr><td style="padding:24px 36px 0;"><div class="soft" style="background:#eef2ff; border-radius:10px; padding:12px 16px; font-family:${FONT}; font-size:14px; line-height:21px; color:#312e81;"><span class="text"><strong>This link is personal to you</strong> &mdash; please don&rsquo;t share it.</span></div></td></tr>
<tr><td style="padding:32px 36px 0; font-family:${FONT}; font-size:12px; font-weight:bold; letter-spacing:1px; text-transform:uppercase; color:#5c5b6a;"><span class="muted">Purchase summary</span></td></tr>
<tr><td style="padding:10px 36px 0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">${rows}
<tr><td class="rule" style="padding:12px 0; border-top:2px solid #17161d; font-family:${FONT}; font-size:15px; font-weight:bold;"><span class="text" style="color:#17161d;">Total</span></td><td class="rule" align="right" style="padding:12px 0; border-top:2px solid #17161d; font-family:${FONT}; font-size:15px; font-weight:bold;"><span class="text" style="color:#17161d;">${gift ? "Free" : usd(p.amount_minor)}</span></td></tr></table></td></tr>`);
  const text = `${gift ? "Enjoy your free copy!" : "Thanks for your purchase!"}

Your files are ready. Download them here (this link is personal to you, please don't share it):
${url}

${p.items.map((i) => `- ${i.product_name}  ${gift ? "Free" : usd(i.amount_minor)}`).join("\n")}
Total: ${gift ? "Free" : usd(p.amount_minor)}

Questions or trouble downloading? Write to ${SUPPORT}.
${SHOP} · Powered by Booth
`;
  return { subject: gift ? `A free copy from ${SHOP}` : `Your receipt from ${SHOP}`, text, html };
}

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

// ---- outbox ----------------------------------------------------------------------

const outbox: OutboxMessage[] = [];
let nextMailId = 1;

function enqueue(m: Omit<OutboxMessage, "id" | "message_id">): OutboxMessage {
  const msg = { ...m, id: nextMailId++, message_id: `<${hex(16)}@adasshop.com>` };
  outbox.push(msg);
  return msg;
}

function queueReceipt(p: Purchase, at: number, status = "sent", error: string | null = null, attempts = 1): OutboxMessage {
  const r = receipt(p);
  return enqueue({
    kind: "receipt", purchase_id: p.id, mailing_id: null, recipient: p.email, subject: r.subject,
    body_text: r.text, body_html: r.html, unsubscribe_url: null, status, attempts, last_error: error,
    created_at: at, sent_at: status === "sent" ? at + 2 : null,
  });
}

for (const p of [...purchases].reverse()) {
  if (p.email.endsWith("@gmial.com")) {
    queueReceipt(p, p.created_at + 1, "failed", "550 5.1.2 <j.doe@gmial.com>: Recipient address rejected: Domain not found", 5);
  } else if (p === purchases[0]) {
    queueReceipt(p, p.created_at + 1, "queued", "421 4.7.0 smtp.mailrelay.example: Try again later, closing connection", 1);
  } else {
    queueReceipt(p, p.created_at + 1);
  }
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

function checkRequest(r: MailingRequest): { prod: Product; subject: string } {
  const prod = PRODUCTS.find((p) => p.slug === r.product);
  if (!r.product) throw { code: "invalid_input", field: "product", message: "choose a product" };
  if (!prod) throw { code: "not_found", message: `no product with the slug '${r.product}'` };
  const subject = r.subject.trim() || `${prod.name}: a new version is out`;
  if (subject.length > 200) throw { code: "invalid_input", field: "subject", message: "a subject is 1–200 characters on one line" };
  if (r.message.length > 20000) throw { code: "invalid_input", field: "message", message: "a message is at most 20,000 characters" };
  return { prod, subject };
}

// Retried messages go out on the next outbox poll (and the misspelt domain fails again).
const retried = new Set<number>();

// ---- handlers ---------------------------------------------------------------------

export const handlers: Record<string, (args: Args) => unknown> = {
  list_purchases: ({ query }) => {
    const q = String(query ?? "").trim().toLowerCase();
    return clone(
      purchases
        .filter((p) => !q || p.email.toLowerCase().includes(q) || p.token.startsWith(q))
        .sort((a, b) => b.created_at - a.created_at),
    );
  },

  purchase_detail: ({ token }): PurchaseDetail => {
    const p = find(token);
    return clone({ purchase: p, url: `${BASE}/d/${p.token}`, downloads: logs.get(p.id) ?? [] });
  },

  reset_downloads: ({ token }) => {
    const p = find(token);
    for (const i of p.items) for (const f of i.files) {
      f.downloads_used = 0;
      f.downloads_left = i.download_limit;
    }
    return clone(p);
  },

  set_download_limit: ({ token, limit }) => {
    const p = find(token);
    const l = parseLimit(String(limit));
    for (const i of p.items) {
      i.download_limit = l;
      for (const f of i.files) f.downloads_left = l === null ? null : Math.max(0, l - f.downloads_used);
    }
    return clone(p);
  },

  resend_receipt: ({ token }) => {
    const p = find(token);
    if (p.status !== "paid") throw { code: "conflict", message: `this purchase is ${p.status}; its link no longer works, so there's nothing to resend` };
    queueReceipt(p, Math.floor(Date.now() / 1000), "queued", null, 0);
    retried.add(nextMailId - 1);
    return null;
  },

  revoke: ({ token }) => {
    const p = find(token);
    p.status = "revoked";
    p.status_reason = "revoked by the seller";
    p.items.forEach((i) => (i.revoked = true));
    return clone(p);
  },

  refund: ({ token, amount }) => {
    const p = find(token);
    if (!p.payment_intent_id) throw { code: "invalid_input", field: "token", message: "this purchase wasn't paid through Stripe (a complimentary copy?)" };
    const left = p.amount_minor - p.amount_refunded_minor;
    const cents = amount === null || amount === undefined ? left : parseCents(String(amount));
    if (cents > left) throw { code: "invalid_input", field: "amount", message: `at most ${usd(left)} can still be refunded` };
    if (cents <= 0) throw { code: "conflict", message: "this purchase is already fully refunded" };
    p.amount_refunded_minor += cents;
    if (p.amount_refunded_minor >= p.amount_minor) {
      p.status = "refunded";
      p.status_reason = "refunded by the seller";
    }
    return clone(p);
  },

  grant: ({ slug, email }) => {
    const e = String(email ?? "").trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) throw { code: "invalid_input", field: "email", message: `'${e}' is not an email address` };
    const prod = PRODUCTS.find((p) => p.slug === slug);
    if (!prod) throw { code: "not_found", message: `no product with the slug '${slug}'` };
    const p = addPurchase({ email: e, products: [prod.id], ago: 0, used: [[]], grant: true });
    queueReceipt(p, NOW, "queued", null, 0);
    retried.add(nextMailId - 1);
    return clone(p);
  },

  export_csv: () => purchases.length,

  // The save dialog of @tauri-apps/plugin-dialog, as the preview's answer.
  "plugin:dialog|save": () => "/home/ada/Documents/booth-purchases.csv",

  preview_mailing: ({ request }): MailingPreview => {
    const r = request as MailingRequest;
    const { prod, subject } = checkRequest(r);
    const all = buyers(prod.slug, r.include_test);
    const to = all.filter((p) => !unsubscribed.has(p.email));
    const first = to[0];
    const sample = first ? update(first, prod, subject, r.message, 0) : null;
    return clone({ product: prod, subject, recipients: to.length, skipped_unsubscribed: all.length - to.length, sample: sample ? [sample.text, sample.html] : null });
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
      enqueue({ kind: "update", purchase_id: p.id, mailing_id: m.id, recipient: p.email, subject, body_text: u.text, body_html: u.html, unsubscribe_url: u.unsub, status: "queued", attempts: 0, last_error: null, created_at: m.created_at, sent_at: null });
      retried.add(nextMailId - 1);
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

  outbox: ({ status, limit }) => {
    const at = Math.floor(Date.now() / 1000);
    for (const m of outbox) {
      if (!retried.has(m.id) || m.status !== "queued") continue;
      retried.delete(m.id);
      m.attempts += 1;
      if (m.recipient.endsWith("@gmial.com")) {
        m.status = "failed";
        m.last_error = "550 5.1.2 <j.doe@gmial.com>: Recipient address rejected: Domain not found";
      } else {
        m.status = "sent";
        m.sent_at = at;
        m.last_error = null;
      }
    }
    return clone(
      outbox
        .filter((m) => !status || m.status === status)
        .sort((a, b) => b.created_at - a.created_at || b.id - a.id)
        .slice(0, Number(limit ?? 200)),
    );
  },

  retry_mail: ({ id }) => {
    const m = outbox.find((x) => x.id === id);
    if (!m) throw { code: "not_found", message: `no message #${id}` };
    if (m.status !== "failed") throw { code: "conflict", message: `message #${id} is ${m.status}, not failed` };
    m.status = "queued";
    retried.add(m.id);
    return null;
  },
};

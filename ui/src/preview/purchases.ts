// Sample answers for the Purchases screen: purchases of products.ts's products (paid, test,
// granted, claimed free, refunded, revoked; some with a discount code, tax or a referral;
// those of the last 20 days with the consent their buyer gave and Stripe's invoice, as
// taxes.ts's settings ask) with their download logs, the seller's actions on them, and their receipts in the outbox
// (mail.ts). State lives in this module, so actions
// in the preview (refund, grant…) change what later calls return.
// /preview.html?empty#purchases shows a brand-new shop: nothing bought yet.
import type { Charge, DownloadLog, ItemFile, OutboxMessage, Product, Purchase, PurchaseDetail, PurchaseItem, PurchasePage, PurchaseQuery, Referral } from "../lib/api";
import { BASE, DAY as D, EMPTY, HOUR as H, NOW, SHOP, SUPPORT, clone, hex, mistakes, rand, uuid, type Commands } from "./data";
import { FONT, button, enqueue, esc, layout, retried } from "./mail";
import { licenseCommands, licenseOf, syncLicenses } from "./licenses";
import { taxSettings, wordingAt } from "./taxes";

// ---- products: products.ts answers list_products; these mirror its four -----------

function product(id: number, slug: string, name: string, price: number, limit: number | null, active: boolean, files: [number, string, string, number][], min: number | null = null, keys: number | null = null): Product {
  return {
    id, slug, name, description: "", price_minor: price, currency: "usd", min_price_minor: min, tax_code: null, active, download_limit: limit, license_activations: keys, pdf_stamp: null,
    created_at: NOW - 60 * D, archived_at: null,
    files: files.map(([fid, display_name, version, size]) => ({
      id: fid, display_name, version_id: fid * 10 + Number(version), version, size, sha256: hex(64),
      stored_path: `files/${hex(2)}/${hex(62)}`, versions: Number(version), notes: "",
    })),
  };
}

export const PRODUCTS: Product[] = [
  product(1, "field-guide", "The Field Guide to Indie Publishing", 1900, 5, true, [
    [10, "field-guide.pdf", "3", 4_412_331],
    [11, "field-guide.epub", "3", 2_203_114],
  ]),
  product(2, "golden-hour-presets", "Golden Hour Lightroom Presets", 1200, null, true, [[12, "golden-hour-presets.zip", "2", 48_230_114]], null, 3),
  product(3, "brushes-vol-2", "Sketchbook Brushes Vol. 2", 750, 3, false, [[13, "brushes-vol-2.zip", "1", 120_331_003]]),
  product(4, "quiet-corners-zine", "Quiet Corners, a Photo Zine", 500, null, true, [[14, "quiet-corners.pdf", "1", 18_402_221]], 0),
];

// The codes these purchases used, as discounts.ts lists them.
const CODES: Record<string, { percent?: number; off?: number }> = { LAUNCH20: { percent: 20 }, NEWSLETTER: { off: 500 }, SUMMER: { percent: 15 } };

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
  status?: Purchase["status"]; reason?: string; grant?: boolean; test?: boolean; refunded?: number;
  /** Claimed for nothing (a pay-what-you-want product at 0). */
  free?: boolean;
  /** What the buyer chose to pay for a pay-what-you-want product. */
  paid?: number;
  code?: string;
  /** VAT on top of the price, as Stripe Tax would add it, with the buyer's country and tax ID. */
  tax?: { rate: number; country: string; id?: string };
  /** ref, or [utm_source, utm_medium, utm_campaign]. */
  ref?: string; utm?: [string, string?, string?];
};

// The newest eight are the Dashboard's "recent purchases" (same tokens), so opening one
// from there lands on it here.
const recentToken = (i: number) => (i + 1).toString(16).padStart(2, "0").repeat(16);
const M = 60;

const SPECS: Spec[] = [
  { token: recentToken(0), email: "maya.lindqvist@gmail.com", products: [1], ago: 4 * M, used: [[0, 0]], code: "NEWSLETTER", ref: "newsletter", utm: ["buttondown", "email", "december"] },
  { token: recentToken(1), email: "tom@northwind.studio", products: [2], ago: 38 * M, used: [[1]], ref: "youtube" },
  { token: recentToken(2), email: "j.okafor@outlook.com", products: [1], ago: 95 * M, used: [[1, 1]], code: "LAUNCH20", tax: { rate: 0.19, country: "DE", id: "DE129273398" }, ref: "mastodon" },
  { token: recentToken(3), email: "sara.k@fastmail.com", products: [1, 2], ago: 210 * M, used: [[2, 1], [4]], code: "LAUNCH20", ref: "newsletter" },
  { token: recentToken(4), email: "li.wei@proton.me", products: [2], ago: 600 * M, used: [[1]], test: true },
  { token: recentToken(5), email: "hello@pixelandpine.co", products: [2], ago: 1500 * M, used: [[2]], grant: true },
  { token: recentToken(6), email: "r.moreau@orange.fr", products: [1], ago: 2900 * M, used: [[1, 0]], status: "refunded", reason: "refunded by the seller", refunded: 1900 },
  { token: recentToken(7), email: "dev@kestrel.io", products: [4], ago: 4400 * M, used: [[1]], free: true, ref: "mastodon" },
  { email: "test-buyer@example.com", products: [3], ago: 2 * D + 5 * H, used: [[1]], test: true },
  { email: "leo.martin@outlook.com", products: [3], ago: 3 * D + 2 * H, used: [[3]], tax: { rate: 0.2, country: "FR" } },
  { email: "ines.duarte@sapo.pt", products: [4], ago: 3 * D + 9 * H, used: [[1]], paid: 800, utm: ["instagram", "social", "zine-launch"] },
  { email: "k.nakamura@gmail.com", products: [4], ago: 3 * D + 20 * H, used: [[0]], free: true, utm: ["instagram", "social", "zine-launch"] },
  { email: "reviewer@typewolf.example", products: [1], ago: 4 * D, used: [[1, 1]], grant: true },
  { email: "hana.sato@icloud.com", products: [1], ago: 4 * D + 6 * H, used: [[5, 2]], refunded: 500 },
  { email: "chris.b@hey.com", products: [2], ago: 5 * D, used: [[2]], status: "revoked", reason: "dispute opened: fraudulent" },
  { email: "test-buyer@example.com", products: [1], ago: 7 * D, used: [[1, 0]], test: true },
  { email: "noah.kim@gmail.com", products: [1], ago: 8 * D, used: [[1, 0]], code: "LAUNCH20", ref: "newsletter" },
  { email: "j.doe@gmial.com", products: [2], ago: 9 * D, used: [[0]] },
  { email: "fatima.z@yahoo.com", products: [1, 2], ago: 10 * D, used: [[1, 1], [2]] },
  { email: "daniel.ortiz@gmail.com", products: [2], ago: 14 * D, used: [[2]], status: "refunded", reason: "refunded through Stripe", refunded: 1200 },
  { email: "emma.lindqvist@telia.se", products: [1], ago: 16 * D, used: [[3, 3]], tax: { rate: 0.25, country: "SE", id: "SE556703748501" }, ref: "youtube" },
  { email: "tom.becker@web.de", products: [1], ago: 27 * D, used: [[6, 2]], status: "revoked", reason: "revoked by the seller" },
];

export const purchases: Purchase[] = [];
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
    download_limit: p.download_limit, revoked: false, license: null, files,
  };
}

/** Sample data standing in for the core: the lines its Charge::lines sends for a charge. */
function linesOf(c: Purchase["charge"]): Purchase["charge_lines"] {
  if (!c.discount_minor && !c.tax_minor) return [];
  const lines = [{ label: "Subtotal", minor: c.subtotal_minor }];
  if (c.discount_minor) lines.push({ label: c.discount_code ? `Discount (${c.discount_code})` : "Discount", minor: -c.discount_minor });
  const included = c.subtotal_minor - c.discount_minor === c.total_minor;
  if (c.tax_minor) lines.push({ label: included ? "Tax (included)" : "Tax", minor: c.tax_minor });
  return lines;
}

function addPurchase(s: Spec): Purchase {
  const id = nextPurchaseId++;
  const items = s.products.map((pid, i) => {
    const p = PRODUCTS.find((x) => x.id === pid)!;
    return makeItem(p, s.grant || s.free ? 0 : (s.paid ?? p.price_minor), s.used[i] ?? []);
  });
  const charge = chargeOf(s, items);
  const unpaid = s.grant || s.free;
  const purchase: Purchase = {
    id, token: s.token ?? uuid(), email: s.email, amount_minor: charge.total_minor, currency: "usd",
    amount_refunded_minor: s.refunded ?? 0,
    checkout_session_id: unpaid ? null : `cs_test_${hex(24)}`,
    payment_intent_id: unpaid ? null : `pi_${hex(24)}`,
    status: s.status ?? "paid", standing: s.status === "refunded" || s.status === "revoked" ? s.status : s.refunded ? "partially_refunded" : "paid", status_reason: s.reason ?? null, email_problem: null,
    source: s.grant ? "grant" : s.free ? "free" : "checkout", test: !!s.test, created_at: NOW - s.ago,
    charge, charge_lines: linesOf(charge), referral: referralOf(s), items, consent: null, invoice_url: null,
  };
  items.forEach((item, i) => {
    const keys = PRODUCTS.find((x) => x.id === s.products[i])?.license_activations ?? null;
    if (keys !== null) item.license = licenseOf(purchase, item, keys);
  });
  // The shop has asked for consent and made invoices for 20 days: checkouts since then
  // carry what their buyer ticked (in their language, the version shown then) and a link
  // to the simulator's hosted invoice.
  if (purchase.source === "checkout" && s.ago < 20 * D && !EMPTY) {
    const { consent, invoices } = taxSettings();
    const at = purchase.created_at - 45;
    if (consent) {
      const w = wordingAt(languageOf(s), at);
      purchase.consent = { wording_id: w.id, lang: w.lang, text: w.text, at };
    }
    if (invoices) purchase.invoice_url = `${BASE}/i/test_${purchase.token.replace(/-/g, "").slice(0, 24)}`;
  }
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

/** What the purchase cost: the lines, the code's discount off the fixed-price ones, tax on top. */
function chargeOf(s: Spec, items: PurchaseItem[]): Charge {
  const subtotal = items.reduce((sum, i) => sum + i.amount_minor, 0);
  const rule = s.code ? CODES[s.code] : undefined;
  const eligible = items
    .filter((i) => PRODUCTS.find((p) => p.id === i.product_id)?.min_price_minor === null)
    .reduce((sum, i) => sum + i.amount_minor, 0);
  const discount = !rule ? 0 : rule.percent ? Math.round((eligible * rule.percent) / 100) : Math.min(eligible, rule.off ?? 0);
  const tax = s.tax ? Math.round((subtotal - discount) * s.tax.rate) : 0;
  return {
    subtotal_minor: subtotal, discount_minor: discount, tax_minor: tax, total_minor: subtotal - discount + tax,
    discount_id: rule ? Object.keys(CODES).indexOf(s.code!) + 1 : null, discount_code: rule ? s.code! : null,
    country: s.tax?.country ?? null, tax_id: s.tax?.id ?? null,
  };
}

/** The language the buyer's browser preferred, guessed from their country or address. */
function languageOf(s: Spec): string {
  const where = (s.tax?.country ?? s.email.split(".").pop() ?? "").toLowerCase();
  return ({ de: "de", at: "de", fr: "fr", be: "fr", nl: "nl" } as Record<string, string>)[where] ?? "en";
}

function referralOf(s: Spec): Referral {
  return { ref: s.ref ?? null, utm_source: s.utm?.[0] ?? null, utm_medium: s.utm?.[1] ?? null, utm_campaign: s.utm?.[2] ?? null };
}

if (!EMPTY) for (const s of SPECS) addPurchase(s);

function find(token: unknown): Purchase {
  const p = purchases.find((x) => x.token === token);
  if (!p) throw { code: "not_found", message: "no purchase with that token" };
  return p;
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

/** What a refund takes back, in cents (the sample shop sells in usd). */
function refundCents(p: Purchase, amount: unknown): number {
  const left = p.amount_minor - p.amount_refunded_minor;
  const cents = amount === null || amount === undefined ? left : parseCents(String(amount));
  if (cents > left) throw { code: "invalid_input", field: "amount", message: `at most ${usd(left)} can still be refunded` };
  return cents;
}

function checkEmail(email: string) {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw { code: "invalid_input", field: "email", message: `'${email}' is not an email address` };
}

function usd(minor: number): string {
  return `$${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
}

// ---- receipts, shaped like the real template --------------------------------------

function receipt(p: Purchase): { subject: string; text: string; html: string } {
  const url = `${BASE}/d/${p.token}`;
  const gift = p.source === "grant";
  const rows = p.items.map((i) => `<tr><td class="rule" style="padding:12px 12px 12px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:15px;"><span class="text" style="color:#17161d; font-weight:600;">${esc(i.product_name)}</span><br><span class="muted" style="font-size:13px; color:#5c5b6a;">${i.download_limit === null ? "Unlimited downloads" : `${i.download_limit} downloads per file`}</span></td><td class="rule" align="right" style="padding:12px 0; border-top:1px solid #e4e4ec; font-family:${FONT}; font-size:15px;"><span class="text" style="color:#17161d;">${gift || p.source === "free" ? "Free" : usd(i.amount_minor)}</span></td></tr>`).join("");
  const html = layout(`Your receipt from ${SHOP}`, p.email, p.test, `
<tr><td style="padding:32px 36px 8px; font-family:${FONT};"><h1 class="text" style="margin:0 0 10px; font-size:24px; line-height:32px; color:#17161d;">${gift ? "Enjoy your free copy!" : "Thanks for your purchase!"}</h1>
<p class="muted" style="margin:0; font-size:16px; line-height:25px; color:#5c5b6a;">${gift ? `${esc(SHOP)} sent you a complimentary copy. Your files are ready to download.` : "Your files are ready. Download them right away, or come back to this email whenever you need them."}</p></td></tr>
${button(url, "Download your files")}
<tr><td style="padding:24px 36px 0;"><div class="soft" style="background:#eef2ff; border-radius:10px; padding:12px 16px; font-family:${FONT}; font-size:14px; line-height:21px; color:#312e81;"><span class="text"><strong>This link is personal to you</strong> &mdash; please don&rsquo;t share it.</span></div></td></tr>
<tr><td style="padding:32px 36px 0; font-family:${FONT}; font-size:12px; font-weight:bold; letter-spacing:1px; text-transform:uppercase; color:#5c5b6a;"><span class="muted">Purchase summary</span></td></tr>
<tr><td style="padding:10px 36px 0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">${rows}
<tr><td class="rule" style="padding:12px 0; border-top:2px solid #17161d; font-family:${FONT}; font-size:15px; font-weight:bold;"><span class="text" style="color:#17161d;">Total</span></td><td class="rule" align="right" style="padding:12px 0; border-top:2px solid #17161d; font-family:${FONT}; font-size:15px; font-weight:bold;"><span class="text" style="color:#17161d;">${gift || p.source === "free" ? "Free" : usd(p.amount_minor)}</span></td></tr></table></td></tr>`);
  const text = `${gift ? "Enjoy your free copy!" : "Thanks for your purchase!"}

Your files are ready. Download them here (this link is personal to you, please don't share it):
${url}

${p.items.map((i) => `- ${i.product_name}  ${gift || p.source === "free" ? "Free" : usd(i.amount_minor)}`).join("\n")}
Total: ${gift || p.source === "free" ? "Free" : usd(p.amount_minor)}

Questions or trouble downloading? Write to ${SUPPORT}.
${SHOP} · Powered by Booth
`;
  return { subject: gift ? `A free copy from ${SHOP}` : `Your receipt from ${SHOP}`, text, html };
}

function queueReceipt(p: Purchase, at: number, status: OutboxMessage["status"] = "sent", error: string | null = null, attempts = 1): OutboxMessage {
  const r = receipt(p);
  return enqueue({
    kind: "receipt", purchase_id: p.id, mailing_id: null, recipient: p.email, subject: r.subject,
    body_text: r.text, body_html: r.html, unsubscribe_url: null, status, attempts, last_error: error,
    created_at: at, sent_at: status === "sent" ? at + 2 : null,
  });
}

// Each purchase's receipt: most sent, one to a misspelt domain failed, the newest still queued.
for (const p of [...purchases].reverse()) {
  if (p.email.endsWith("@gmial.com")) {
    queueReceipt(p, p.created_at + 1, "failed", "550 5.1.2 <j.doe@gmial.com>: Recipient address rejected: Domain not found", 5);
  } else if (p === purchases[0]) {
    queueReceipt(p, p.created_at + 1, "queued", "421 4.7.0 smtp.mailrelay.example: Try again later, closing connection", 1);
  } else {
    queueReceipt(p, p.created_at + 1);
  }
}

export const commands: Commands = {
  list_purchases: ({ query }) => {
    const q = String(query ?? "").trim().toLowerCase();
    return clone(
      purchases
        .filter((p) => !q || p.email.toLowerCase().includes(q) || p.token.startsWith(q))
        .sort((a, b) => b.created_at - a.created_at),
    );
  },

  // The core's PurchaseFilter, roughly: the same fields, a keyset cursor "<created_at>.<id>".
  find_purchases: ({ filter }): PurchasePage => {
    const f = (filter ?? {}) as Partial<PurchaseQuery>;
    const q = String(f.text ?? "").trim().toLowerCase();
    if (q.length > 320) throw { code: "invalid_input", field: "text", message: "search for at most 320 characters" };
    const day = (d: string | undefined, end: boolean) => (d ? Date.parse(`${d}T00:00:00Z`) / 1000 + (end ? D : 0) : null);
    const since = day(f.from, false);
    const until = day(f.to, true);
    if (since !== null && until !== null && until <= since) throw { code: "invalid_input", field: "to", message: "the last day comes before the first" };
    const standing = (p: Purchase) => (p.status === "paid" && p.amount_refunded_minor > 0 ? "partially_refunded" : p.status);
    const matching = purchases
      .filter((p) => !q || p.email.toLowerCase().includes(q) || p.token === q
        || p.items.some((i) => i.product_name.toLowerCase().includes(q) || i.product_slug.includes(q)))
      .filter((p) => !f.status || standing(p) === f.status)
      .filter((p) => !f.product || p.items.some((i) => i.product_slug === f.product))
      .filter((p) => !f.source || p.source === f.source)
      .filter((p) => !f.test || p.test === (f.test === "test"))
      .filter((p) => (since === null || p.created_at >= since) && (until === null || p.created_at < until))
      .sort((a, b) => b.created_at - a.created_at || b.id - a.id);
    const [at, id] = (f.after ?? "").split(".").map(Number);
    const rest = f.after ? matching.filter((p) => p.created_at < at || (p.created_at === at && p.id < id)) : matching;
    const limit = Number(f.limit ?? 100);
    const page = rest.slice(0, limit);
    const last = page[page.length - 1];
    return clone({ purchases: page, total: matching.length, next: rest.length > limit && last ? `${last.created_at}.${last.id}` : null });
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

  validate_limit: ({ limit }) => mistakes(() => parseLimit(String(limit))),

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
    retried.add(queueReceipt(p, Math.floor(Date.now() / 1000), "queued", null, 0).id);
    return null;
  },

  revoke: ({ token }) => {
    const p = find(token);
    p.status = "revoked";
    p.status_reason = "revoked by the seller";
    p.items.forEach((i) => (i.revoked = true));
    syncLicenses(p);
    return clone(p);
  },

  validate_refund: ({ token, amount }) => mistakes(() => refundCents(find(token), amount)),

  refund: ({ token, amount }) => {
    const p = find(token);
    if (!p.payment_intent_id) throw { code: "invalid_input", field: "token", message: "this purchase wasn't paid through Stripe (a complimentary copy?)" };
    const cents = refundCents(p, amount);
    if (cents <= 0) throw { code: "conflict", message: "this purchase is already fully refunded" };
    p.amount_refunded_minor += cents;
    if (p.amount_refunded_minor >= p.amount_minor) {
      p.status = "refunded";
      p.status_reason = "refunded by the seller";
    }
    syncLicenses(p);
    return clone(p);
  },

  validate_grant: ({ email }) => mistakes(() => checkEmail(String(email ?? "").trim())),

  grant: ({ slug, email }) => {
    const e = String(email ?? "").trim();
    checkEmail(e);
    const prod = PRODUCTS.find((p) => p.slug === slug);
    if (!prod) throw { code: "not_found", message: `no product with the slug '${slug}'` };
    const p = addPurchase({ email: e, products: [prod.id], ago: 0, used: [[]], grant: true });
    retried.add(queueReceipt(p, NOW, "queued", null, 0).id);
    return clone(p);
  },

  export_csv: () => purchases.length,

  ...licenseCommands(() => purchases),

  // The save dialog of @tauri-apps/plugin-dialog (this CSV's, and the Taxes screen's): the
  // name the screen suggests, in Documents.
  "plugin:dialog|save": ({ options }) => `/home/ada/Documents/${(options as { defaultPath?: string } | undefined)?.defaultPath ?? "booth-purchases.csv"}`,
};

// Sample answers for the Taxes screen: Stripe Tax on with prices that include tax, VAT IDs
// and invoices; the consent box on, with the built-in wordings (en, de, fr), a newer English
// version and Dutch added; and a year and a half of sales to the EU, the UK, Norway,
// Switzerland, Hong Kong and the US for the VAT return (some in EUR and GBP, some
// reverse-charged, a few refunded). State lives in this module.
// /preview.html?empty#taxes starts as a new shop: tax off, consent off, nothing sold.
// #taxes/consent and #taxes/vat-return open the screen at that card.
import type { TaxRow, TaxSettings, Wording } from "../lib/api";
import { DAY, EMPTY, NOW, invalid, mistakes, sleep, type Args, type Commands } from "./data";

// ---- settings ----------------------------------------------------------------------

const NAMED: Record<string, string> = { digital: "txcd_10000000", ebook: "txcd_10302000", software: "txcd_10202000" };

let settings: TaxSettings = EMPTY
  ? { tax: "off", tax_ids: false, invoices: false, tax_code: "txcd_10000000", consent: false }
  : { tax: "inclusive", tax_ids: true, invoices: true, tax_code: "txcd_10302000", consent: true };

/** Whether the shop asks for consent and invoices, for purchases.ts's samples. */
export const taxSettings = (): TaxSettings => settings;

// Rough stand-ins for the core's checks (settings.rs, tax.rs), enough to show the form's errors.
function taxCode(input: string): string {
  const s = input.trim().toLowerCase();
  if (NAMED[s]) return NAMED[s];
  if (!/^txcd_\d{8}$/.test(s)) throw invalid("tax_code", "a Stripe tax code like txcd_10302000, or ebook, software or digital");
  return s;
}

function checks(f: TaxSettings): (() => unknown)[] {
  return [
    () => { if (!["off", "exclusive", "inclusive"].includes(f.tax)) throw invalid("tax", "off, exclusive (tax added at checkout) or inclusive (prices include tax)"); },
    () => taxCode(f.tax_code),
  ];
}

// ---- consent wordings: every version, oldest first -----------------------------------

const versions: Wording[] = [
  { id: 1, lang: "en", created_at: 0, text: "I agree that delivery of the digital content starts immediately after payment, and I acknowledge that I thereby lose my 14-day right of withdrawal." },
  { id: 2, lang: "de", created_at: 0, text: "Ich stimme ausdrücklich zu, dass die Lieferung der digitalen Inhalte sofort nach der Zahlung beginnt, und nehme zur Kenntnis, dass ich dadurch mein 14-tägiges Widerrufsrecht verliere." },
  { id: 3, lang: "fr", created_at: 0, text: "J'accepte expressément que la fourniture du contenu numérique commence immédiatement après le paiement et je reconnais perdre ainsi mon droit de rétractation de 14 jours." },
  ...(EMPTY ? [] : [
    { id: 4, lang: "en", created_at: NOW - 10 * DAY, text: "I expressly agree that my download starts immediately after payment, and I understand that I therefore lose my 14-day right of withdrawal." },
    { id: 5, lang: "nl", created_at: NOW - 6 * DAY, text: "Ik ga er uitdrukkelijk mee akkoord dat de levering van de digitale inhoud direct na de betaling begint, en ik erken dat ik daardoor mijn herroepingsrecht van 14 dagen verlies." },
  ]),
];

/** The newest version of each language, by language, as the core lists them. */
function current(): Wording[] {
  const latest = new Map<string, Wording>();
  for (const w of versions) latest.set(w.lang, w);
  return [...latest.values()].sort((a, b) => a.lang.localeCompare(b.lang));
}

/** The wording a buyer preferring `lang` saw at `at`: that language's version then, else English's. */
export function wordingAt(lang: string, at: number): Wording {
  const then = versions.filter((w) => w.created_at <= at);
  const pick = (l: string) => then.filter((w) => w.lang === l).pop();
  return pick(lang) ?? pick("en")!;
}

// ---- sales for the VAT return ------------------------------------------------------

type Sale = { at: number; country: string; currency: string; net: number; tax: number; reverse: boolean; refunded: boolean };

// Standard rates as the simulator charges them; the US and Hong Kong charge none.
const COUNTRIES: [country: string, rate: number, weight: number, local?: string][] = [
  ["DE", 0.19, 14, "eur"], ["FR", 0.2, 8, "eur"], ["NL", 0.21, 6, "eur"], ["IT", 0.22, 4, "eur"], ["ES", 0.21, 4, "eur"],
  ["AT", 0.2, 2, "eur"], ["BE", 0.21, 2, "eur"], ["IE", 0.23, 2, "eur"], ["SE", 0.25, 3], ["DK", 0.25, 2], ["PL", 0.23, 2],
  ["FI", 0.255, 1, "eur"], ["PT", 0.23, 1, "eur"], ["GB", 0.2, 9, "gbp"], ["NO", 0.25, 2], ["CH", 0.081, 2], ["HK", 0, 1],
  ["US", 0, 20], ["", 0, 1],
];
const PRICES: Record<string, number[]> = { usd: [1900, 1200, 750, 800], eur: [1800, 1100, 700], gbp: [1500, 950] };

// Its own repeatable random source, so the other samples' draws stay as they were.
let seed = 15;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function makeSales(): Sale[] {
  if (EMPTY) return [];
  const total = COUNTRIES.reduce((n, c) => n + c[2], 0);
  const sales: Sale[] = [];
  for (let d = 540; d >= 0; d--) {
    const count = Math.floor(rnd() * 5);
    for (let i = 0; i < count; i++) {
      let w = rnd() * total;
      const [country, rate, , local] = COUNTRIES.find((c) => (w -= c[2]) < 0) ?? COUNTRIES[0];
      const currency = local && rnd() < 0.45 ? local : "usd";
      const prices = PRICES[currency];
      const gross = prices[Math.floor(rnd() * prices.length)];
      // Prices include tax: the tax is the part of the price above the net.
      const net = Math.round(gross / (1 + rate));
      const reverse = rate > 0 && country !== "" && !["GB", "NO", "CH"].includes(country) && rnd() < 0.08;
      sales.push({ at: NOW - d * DAY - Math.floor(rnd() * DAY), country, currency, net, tax: reverse ? 0 : gross - net, reverse, refunded: rnd() < 0.03 });
    }
  }
  return sales;
}
const sales = makeSales();

function dayOf(s: unknown, field: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(String(s ?? "").trim());
  if (!m) throw invalid(field, "write a date like 2026-12-24 or 2026-12-24T18:00 (UTC)");
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0)) / 1000;
}

function report({ from, to }: Args): TaxRow[] {
  const start = dayOf(from, "from");
  const end = dayOf(to, "to");
  if (end <= start) throw invalid("to", "the period must end after it starts");
  const rows = new Map<string, TaxRow>();
  for (const s of sales) {
    if (s.at < start || s.at >= end) continue;
    const key = `${s.country}/${s.currency}`;
    const r = rows.get(key) ?? { country: s.country, currency: s.currency, purchases: 0, net_minor: 0, tax_minor: 0, reverse_charged: 0 };
    r.purchases += 1;
    // A refunded sale still counts as a purchase, with nothing kept.
    if (!s.refunded) {
      r.net_minor += s.net;
      r.tax_minor += s.tax;
    }
    if (s.reverse) r.reverse_charged += 1;
    rows.set(key, r);
  }
  return [...rows.values()].sort((a, b) => a.country.localeCompare(b.country) || a.currency.localeCompare(b.currency));
}

export const commands: Commands = {
  tax_settings: () => structuredClone(settings),

  validate_tax_settings: ({ form }: Args) => mistakes(...checks(form as TaxSettings)),

  save_tax_settings: async ({ form }: Args) => {
    const f = form as TaxSettings;
    const found = mistakes(...checks(f));
    if (found.length) throw found[0];
    await sleep(300);
    settings = { ...f, tax_code: taxCode(f.tax_code) };
    return structuredClone(settings);
  },

  consent_wordings: async () => { await sleep(120); return structuredClone(current()); },

  set_consent_wording: async ({ lang, text }: Args) => {
    const l = String(lang ?? "").trim().toLowerCase();
    if (!/^[a-z]{2,8}$/.test(l)) throw invalid("lang", "a language code such as en, de or fr");
    const t = String(text ?? "").trim();
    if (!t || t.length > 2000) throw invalid("text", "the wording is 1–2000 characters");
    await sleep(250);
    const w: Wording = { id: versions.length + 1, lang: l, text: t, created_at: Math.floor(Date.now() / 1000) };
    versions.push(w);
    return structuredClone(w);
  },

  tax_report: async (args: Args) => { await sleep(200); return report(args); },

  export_taxes: async (args: Args) => { await sleep(400); return report(args).length; },
};

// The Taxes screen in words: the Stripe Tax form as the seller fills it in, the consent
// wordings' languages and versions, and the VAT return's period and rows. The form's
// checks are the core's (`api.validateTaxSettings`); these only shape what is sent and shown.
import type { TaxRow, TaxSettings, Wording } from "./api";
import { DEFAULT_TAX_CODE, TAX_CODES as CORE_TAX_CODES } from "./bindings";
import { countryName } from "./purchases";

// ---- the Stripe Tax form -----------------------------------------------------------

export type TaxMode = "off" | "exclusive" | "inclusive";

/** Short words for the core's named codes (the names and codes are the core's, tax.rs). */
const LABELS: Record<string, string> = { ebook: "E-books", software: "Software", digital: "Digital goods" };

/** The tax codes the select offers by name, in the core's order. */
export const TAX_CODES = CORE_TAX_CODES.map(([name, code, stripeName]) => ({ name, code, label: LABELS[name] ?? stripeName }));

export type CodeChoice = (typeof CORE_TAX_CODES)[number][0] | "other";

/** The code a product gets when neither it nor the shop names one. */
export { DEFAULT_TAX_CODE };

/** The Stripe Tax card's fields as the seller sets them. */
export type TaxFields = {
  tax: TaxMode;
  taxIds: boolean;
  invoices: boolean;
  code: CodeChoice;
  /** The txcd_… typed under "Other…". */
  otherCode: string;
};

/** The fields the Stripe Tax card shows a mistake beside, named as the core names them. */
export const TAX_FIELDS = ["tax", "tax_ids", "invoices", "tax_code"] as const;

/** Which of the select's choices a saved code is ("txcd_10302000" or "ebook" → ebook; another txcd_ → other). */
export function codeChoice(code: string): CodeChoice {
  const c = code.trim().toLowerCase();
  return TAX_CODES.find((t) => t.code === c || t.name === c)?.name ?? "other";
}

/** The form as saved: the mode, the switches, the code as a choice (or typed under "Other…"). */
export function taxFieldsOf(s: TaxSettings): TaxFields {
  const tax: TaxMode = s.tax === "exclusive" || s.tax === "inclusive" ? s.tax : "off";
  const code = codeChoice(s.tax_code || DEFAULT_TAX_CODE);
  return { tax, taxIds: s.tax_ids, invoices: s.invoices, code, otherCode: code === "other" ? s.tax_code : "" };
}

/** What the core takes: the card's fields, a named code as its txcd_, and `consent` as it is. */
export function taxSettingsOf(f: TaxFields, consent: boolean): TaxSettings {
  const named = TAX_CODES.find((t) => t.name === f.code);
  return {
    tax: f.tax,
    tax_ids: f.taxIds,
    invoices: f.invoices,
    tax_code: named ? named.code : f.otherCode.trim(),
    consent,
  };
}

/** The same settings, whatever the spelling of the code ("EBOOK" and "txcd_10302000" are one). */
export function sameTaxSettings(a: TaxSettings, b: TaxSettings): boolean {
  const code = (s: TaxSettings) => {
    const c = s.tax_code.trim().toLowerCase();
    return TAX_CODES.find((t) => t.name === c)?.code ?? c;
  };
  return a.tax === b.tax && a.tax_ids === b.tax_ids && a.invoices === b.invoices && a.consent === b.consent && code(a) === code(b);
}

/** How checkout charges tax, in a few words for a badge or a toast. */
export function taxModeText(tax: string): string {
  if (tax === "exclusive") return "Tax added at checkout";
  if (tax === "inclusive") return "Prices include tax";
  return "Stripe Tax off";
}

// ---- consent wordings --------------------------------------------------------------

/** A language's name from its code ("de" → "German"), or the code when it has none. */
export function languageName(lang: string): string {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(lang);
    return name && name.toLowerCase() !== lang.toLowerCase() ? name : lang;
  } catch {
    return lang;
  }
}

/** "German (de)". */
export function languageLabel(lang: string): string {
  const name = languageName(lang);
  return name === lang ? lang : `${name} (${lang})`;
}

/** "version 4 · 12 Nov 2026", or "version 1 · built in" for the wordings Booth comes with. */
export function versionText(w: Pick<Wording, "id" | "created_at">): string {
  const when = w.created_at === 0
    ? "built in"
    : new Date(w.created_at * 1000).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  return `version ${w.id} · ${when}`;
}

/** English first (the one buyers without a wording of their own see), then by language code. */
export function sortWordings(ws: Wording[]): Wording[] {
  return [...ws].sort((a, b) => (a.lang === "en" ? -1 : b.lang === "en" ? 1 : a.lang.localeCompare(b.lang)));
}

/** The list with `w` as its language's current wording (a new language is added). */
export function withWording(ws: Wording[], w: Wording): Wording[] {
  return sortWordings([...ws.filter((x) => x.lang !== w.lang), w]);
}

// ---- the VAT return's period -------------------------------------------------------

/** A period of whole UTC days, both included: "2026-07-01" to "2026-09-30". */
export type Period = { from: string; to: string };

export type QuickPick = "last-quarter" | "this-quarter" | "last-month" | "this-year";

export const QUICK_PICKS: { id: QuickPick; label: string }[] = [
  { id: "last-quarter", label: "Last quarter" },
  { id: "this-quarter", label: "This quarter" },
  { id: "last-month", label: "Last month" },
  { id: "this-year", label: "This year" },
];

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10);

/** A quick pick's days, in UTC as the report counts them: months and quarters whole. */
export function quickPeriod(pick: QuickPick, now = new Date()): Period {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const q = m - (m % 3);
  switch (pick) {
    case "this-quarter":
      return { from: iso(y, q, 1), to: iso(y, q + 3, 0) };
    case "last-quarter":
      return { from: iso(y, q - 3, 1), to: iso(y, q, 0) };
    case "last-month":
      return { from: iso(y, m - 1, 1), to: iso(y, m, 0) };
    case "this-year":
      return { from: iso(y, 0, 1), to: iso(y, 11, 31) };
  }
}

/** Which quick pick a period is, if any (to mark its button). */
export function pickOf(p: Period, now = new Date()): QuickPick | null {
  return QUICK_PICKS.find(({ id }) => {
    const q = quickPeriod(id, now);
    return q.from === p.from && q.to === p.to;
  })?.id ?? null;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-09-30" → "2026-10-01"; anything that isn't a day is given back as it is. */
export function nextDay(day: string): string {
  const m = DAY_RE.exec(day.trim());
  if (!m) return day.trim();
  return iso(+m[1], +m[2] - 1, +m[3] + 1);
}

/**
 * What `taxReport` and `exportTaxes` take: the first day, and the day after the last (the
 * core's end is exclusive; the seller picks the last day they mean).
 */
export function periodArgs(p: Period): [string, string] {
  return [p.from.trim(), nextDay(p.to)];
}

/** Both ends are days (as a date field gives them); the core checks the rest. */
export function periodComplete(p: Period): boolean {
  return DAY_RE.test(p.from.trim()) && DAY_RE.test(p.to.trim());
}

/** "1 Jul – 30 Sep 2026", "15 Dec 2025 – 14 Jan 2026", "3 Oct 2026" (UTC days). */
export function periodText(p: Period): string {
  if (!periodComplete(p)) return "";
  const day = (s: string, year: boolean) =>
    new Date(`${s}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: year ? "numeric" : undefined, timeZone: "UTC" });
  if (p.from === p.to) return day(p.from, true);
  const sameYear = p.from.slice(0, 4) === p.to.slice(0, 4);
  return `${day(p.from, !sameYear)} – ${day(p.to, true)}`;
}

/** A file name for the period's CSV: booth-taxes-2026-07-01-to-2026-09-30.csv. */
export function exportFileName(p: Period): string {
  return `booth-taxes-${p.from.trim()}-to-${p.to.trim()}.csv`;
}

// ---- the VAT return's rows ---------------------------------------------------------

// The countries Booth's simulator charges tax for (EU 27, GB, NO, CH, HK), and the US.
const COUNTRIES: Record<string, string> = {
  AT: "Austria", BE: "Belgium", BG: "Bulgaria", HR: "Croatia", CY: "Cyprus", CZ: "Czechia", DK: "Denmark",
  EE: "Estonia", FI: "Finland", FR: "France", DE: "Germany", GR: "Greece", HU: "Hungary", IE: "Ireland",
  IT: "Italy", LV: "Latvia", LT: "Lithuania", LU: "Luxembourg", MT: "Malta", NL: "Netherlands", PL: "Poland",
  PT: "Portugal", RO: "Romania", SK: "Slovakia", SI: "Slovenia", ES: "Spain", SE: "Sweden",
  GB: "United Kingdom", NO: "Norway", CH: "Switzerland", HK: "Hong Kong", US: "United States",
};

/** A report row's country in words: "Germany", "No address" for "", else what Intl knows. */
export function reportCountry(code: string): string {
  const c = code.trim().toUpperCase();
  if (!c) return "No address";
  return COUNTRIES[c] ?? countryName(c);
}

/** The rows by country name (then currency), those without an address last. */
export function sortRows(rows: TaxRow[]): TaxRow[] {
  return [...rows].sort((a, b) =>
    (a.country ? 0 : 1) - (b.country ? 0 : 1) ||
    reportCountry(a.country).localeCompare(reportCountry(b.country)) ||
    a.currency.localeCompare(b.currency));
}

export const grossMinor = (r: TaxRow) => r.net_minor + r.tax_minor;

export type CurrencyTotal = { currency: string; purchases: number; net_minor: number; tax_minor: number; reverse_charged: number };

/** The rows added up per currency (amounts in different currencies never add), by currency code. */
export function totalsByCurrency(rows: TaxRow[]): CurrencyTotal[] {
  const out = new Map<string, CurrencyTotal>();
  for (const r of rows) {
    const c = r.currency.toLowerCase();
    const t = out.get(c) ?? { currency: c, purchases: 0, net_minor: 0, tax_minor: 0, reverse_charged: 0 };
    t.purchases += r.purchases;
    t.net_minor += r.net_minor;
    t.tax_minor += r.tax_minor;
    t.reverse_charged += r.reverse_charged;
    out.set(c, t);
  }
  return [...out.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

// Sample answers for the Discounts screen: codes in every state (active, limited, for some
// products, scheduled, used up, expired, disabled), and the codes the preview adds, edits,
// disables and enables. State lives in this module. /preview.html?empty#discounts has none.
import type { AmountOff, Discount, DiscountForm } from "../lib/api";
import { CURRENCY_DIGITS } from "../lib/bindings";
import { minorDigits } from "../lib/format";
import { DAY, EMPTY, NOW, invalid, mistakes, sleep, type Args, type Commands } from "./data";
import { catalogue } from "./products";

/** Midnight UTC, `days` from today: codes are usually given whole days. */
const day = (days: number) => Math.floor(NOW / DAY) * DAY + days * DAY;

let nextId = 1;
function code(c: Partial<Discount> & Pick<Discount, "code">, createdDaysAgo: number): Discount {
  return {
    id: nextId++, percent_off: null, amounts_off: [], products: [], starts_at: null, expires_at: null,
    max_uses: null, uses: 0, disabled: false, created_at: NOW - createdDaysAgo * DAY, ...c,
  };
}

// Newest first, as the core lists them.
let discounts: Discount[] = EMPTY ? [] : [
  code({ code: "BLACKFRIDAY", percent_off: 30, starts_at: day(21), expires_at: day(25) }, 1),
  code({ code: "LAUNCH20", percent_off: 20, starts_at: day(-20), expires_at: day(9), max_uses: 100, uses: 37 }, 21),
  code({
    code: "NEWSLETTER", products: ["field-guide"], uses: 12,
    amounts_off: [{ currency: "usd", amount_minor: 500 }, { currency: "eur", amount_minor: 500 }],
  }, 45),
  code({ code: "PODCAST", amounts_off: [{ currency: "usd", amount_minor: 300 }], max_uses: 25, uses: 25 }, 50),
  code({ code: "FRIENDS", percent_off: 50, products: ["golden-hour-presets", "brushes-vol-2"], max_uses: 10, uses: 3, disabled: true }, 70),
  code({ code: "SUMMER", percent_off: 15, starts_at: day(-160), expires_at: day(-70), uses: 41 }, 170),
];

// ---- rough stand-ins for the core's checks, enough to show the form's errors --------

function checkCode(c: string): string {
  const t = c.trim();
  if (!/^[A-Za-z0-9_-]{3,32}$/.test(t)) throw invalid("code", "a code is 3–32 letters (A–Z), digits, dashes or underscores, e.g. LAUNCH");
  return t.toUpperCase();
}

function percentOf(p: string): number | null {
  const t = p.trim().replace(/%$/, "").trim();
  if (!t) return null;
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 100) throw invalid("percent_off", "a percent off is a whole number from 1 to 100");
  return n;
}

function amountOf(a: string): AmountOff {
  const bad = () => invalid("amounts_off", "write an amount off like 5.00 EUR");
  const [x, y, rest] = a.trim().split(/\s+/);
  if (!x || !y || rest) throw bad();
  const known = (c: string) => c.toLowerCase() in CURRENCY_DIGITS;
  const [amount, currency] = known(y) ? [x, y.toLowerCase()] : known(x) ? [y, x.toLowerCase()] : ["", ""];
  const n = Number(amount);
  if (!currency || !/^\d+(\.\d+)?$/.test(amount)) throw bad();
  if (n === 0) throw invalid("amounts_off", "an amount off must be more than zero");
  return { currency, amount_minor: Math.round(n * 10 ** minorDigits(currency)) };
}

function timeOf(s: string, field: string): number | null {
  const t = s.trim();
  if (!t) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(t);
  if (!m) throw invalid(field, "write a date like 2026-12-24 or 2026-12-24T18:00 (UTC)");
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0)) / 1000;
}

function maxOf(s: string): number | null {
  const t = s.trim();
  if (!t) return null;
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 1_000_000) throw invalid("max_uses", "maximum uses is a whole number from 1 to 1000000, or empty for no limit");
  return n;
}

function checks(f: DiscountForm): (() => unknown)[] {
  return [
    () => checkCode(f.code),
    () => percentOf(f.percent_off),
    () => {
      const seen = new Set<string>();
      for (const a of f.amounts_off) {
        const m = amountOf(a);
        if (seen.has(m.currency)) throw invalid("amounts_off", `${m.currency.toUpperCase()} is given twice`);
        seen.add(m.currency);
      }
    },
    () => {
      if (!!f.percent_off.trim() === !!f.amounts_off.length) throw invalid("percent_off", "give a percent off or amounts off (one of the two)");
    },
    () => {
      for (const s of f.products) if (!catalogue().some((p) => p.slug === s)) throw invalid("products", `there is no product '${s}'`);
    },
    () => timeOf(f.starts, "starts"),
    () => timeOf(f.expires, "expires"),
    () => {
      const s = timeOf(f.starts, "starts");
      const e = timeOf(f.expires, "expires");
      if (s !== null && e !== null && e <= s) throw invalid("expires_at", "the code must expire after it starts");
    },
    () => maxOf(f.max_uses),
  ];
}

/** The form as the core would store it; the first mistake throws, as add/edit answer. */
function parse(f: DiscountForm, except?: Discount): Omit<Discount, "id" | "uses" | "disabled" | "created_at"> {
  const found = mistakes(...checks(f));
  if (found.length) throw found[0];
  const c = checkCode(f.code);
  if (discounts.some((d) => d !== except && d.code === c)) throw { code: "conflict", message: `the code ${c} already exists` };
  return {
    code: c, percent_off: percentOf(f.percent_off), amounts_off: f.amounts_off.map(amountOf),
    products: [...new Set(f.products)], starts_at: timeOf(f.starts, "starts"), expires_at: timeOf(f.expires, "expires"),
    max_uses: maxOf(f.max_uses),
  };
}

function find(c: unknown): Discount {
  const d = discounts.find((x) => x.code === String(c).toUpperCase());
  if (!d) throw { code: "not_found", message: `no discount code '${String(c)}'` };
  return d;
}

export const commands: Commands = {
  list_discounts: async () => { await sleep(150); return structuredClone(discounts); },

  validate_discount: ({ form }: Args) => mistakes(...checks(form as DiscountForm)),

  add_discount: async ({ form }: Args) => {
    const d: Discount = { id: nextId++, ...parse(form as DiscountForm), uses: 0, disabled: false, created_at: Math.floor(Date.now() / 1000) };
    await sleep(300);
    discounts = [d, ...discounts];
    return structuredClone(d);
  },

  edit_discount: async ({ code: c, form }: Args) => {
    const d = find(c);
    Object.assign(d, parse(form as DiscountForm, d));
    await sleep(300);
    return structuredClone(d);
  },

  set_discount_disabled: ({ code: c, disabled }: Args) => {
    const d = find(c);
    d.disabled = !!disabled;
    return structuredClone(d);
  },
};

// Discount codes in words ("20% off", "3 / 100 used", "Until 24 Dec 2026"), their share
// links, and the form as the seller types it. The form's checks are the core's
// (`api.validateDiscount`); these only shape what is sent and shown.
import type { Discount, DiscountForm, Product } from "./api";
import { formatMoney, minorToInput } from "./format";
import type { Badge } from "./purchases";

/** "20% off", "€5.00 off", "$5.00 / €5.00 off" (one amount per currency). */
export function describeDiscount(d: Discount): string {
  if (d.percent_off !== null) return `${d.percent_off}% off`;
  if (!d.amounts_off.length) return "–";
  return `${d.amounts_off.map((a) => formatMoney(a.amount_minor, a.currency)).join(" / ")} off`;
}

/** "3 / 100 used", or "3 used" when there is no limit. */
export function usesText(d: Discount): string {
  return d.max_uses === null ? `${d.uses} used` : `${d.uses} / ${d.max_uses} used`;
}

/** The products a code is for, by name: "Every product", "Book", "Book and Zine", "3 products". */
export function productsText(d: Discount, products: Product[] | null): string {
  if (!d.products.length) return "Every product";
  const names = productNames(d, products);
  if (names.length === 1) return names[0];
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  return `${names.length} products`;
}

/** Each of the code's products by name (its slug when the product isn't in the list). */
export function productNames(d: Discount, products: Product[] | null): string[] {
  return d.products.map((slug) => products?.find((p) => p.slug === slug)?.name ?? slug);
}

/** Where a code stands now: Active, Scheduled, Expired, Used up or Disabled. */
export function discountState(d: Discount, now = Date.now() / 1000): Badge {
  if (d.disabled) return { label: "Disabled", cls: "" };
  if (d.expires_at !== null && now >= d.expires_at) return { label: "Expired", cls: "badge-warn" };
  if (d.starts_at !== null && now < d.starts_at) return { label: "Scheduled", cls: "badge-accent" };
  if (d.max_uses !== null && d.uses >= d.max_uses) return { label: "Used up", cls: "badge-warn" };
  return { label: "Active", cls: "badge-ok" };
}

/** Unix seconds → "24 Dec 2026" (UTC, as the form takes dates), with the time when it isn't midnight. */
export function formatDay(unix: number): string {
  const d = new Date(unix * 1000);
  const day = d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return unix % 86400 === 0 ? day : `${day}, ${d.toISOString().slice(11, 16)} UTC`;
}

/** The window a code works in: "Until 24 Dec 2026", "From 1 Dec 2026", "1 Dec 2026 – 24 Dec 2026", "No end date". */
export function validityText(d: Discount): string {
  const { starts_at: s, expires_at: e } = d;
  if (s !== null && e !== null) return `${formatDay(s)} – ${formatDay(e)}`;
  if (s !== null) return `From ${formatDay(s)}`;
  if (e !== null) return `Until ${formatDay(e)}`;
  return "No end date";
}

/** Unix seconds → what the form's date field holds: "2026-12-24", or "2026-12-24T18:00" when it has a time (UTC). */
export function toDateInput(unix: number | null): string {
  if (unix === null) return "";
  const iso = new Date(unix * 1000).toISOString();
  return unix % 86400 === 0 ? iso.slice(0, 10) : iso.slice(0, 16);
}

/** A product page with the code filled in: `<public url>/p/<slug>?code=CODE`. */
export function shareLink(publicUrl: string, slug: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/p/${encodeURIComponent(slug)}?code=${encodeURIComponent(code)}`;
}

/**
 * The products a share link can point to: those the code is for (every product when it
 * names none) that are for sale and have a fixed price, since pay-what-you-want products are
 * never discounted. When none is left, the code's own products (a link to a page that
 * isn't for sale still shows the seller what a buyer would get).
 */
export function shareProducts(d: Discount, products: Product[]): Product[] {
  const applies = products.filter((p) => !d.products.length || d.products.includes(p.slug));
  const good = applies.filter((p) => p.active && p.min_price_minor === null);
  return good.length ? good : d.products.length ? applies : [];
}

// ---- the form ----------------------------------------------------------------------

export type AmountRow = { amount: string; currency: string };

/** The form's fields as the seller types them. */
export type DiscountFields = {
  code: string;
  kind: "percent" | "amount";
  percent: string;
  amounts: AmountRow[];
  products: string[];
  starts: string;
  expires: string;
  maxUses: string;
};

/** The fields the form shows a mistake beside, named as the core names them. */
export const DISCOUNT_FIELDS = ["code", "percent_off", "amounts_off", "products", "starts", "expires", "max_uses"] as const;

/**
 * Which of the form's fields a core error belongs to. The core names the dates' order
 * `starts_at`/`expires_at`, and "a percent or amounts off" `percent_off` whichever the
 * seller chose; it goes beside the part of the form they are filling in.
 */
export function discountField(field: string | undefined, kind: DiscountFields["kind"]): string | undefined {
  if (field === "starts_at") return "starts";
  if (field === "expires_at") return "expires";
  if (kind === "amount" && field === "percent_off") return "amounts_off";
  if (kind === "percent" && field === "amounts_off") return "percent_off";
  return field;
}

/** The form for a new code (nothing typed; amounts in `currency`), or prefilled from `d`. */
export function fieldsOf(d: Discount | null, currency = "usd"): DiscountFields {
  if (!d) {
    return { code: "", kind: "percent", percent: "", amounts: [{ amount: "", currency }], products: [], starts: "", expires: "", maxUses: "" };
  }
  const amounts = d.amounts_off.map((a) => ({ amount: minorToInput(a.amount_minor, a.currency), currency: a.currency.toLowerCase() }));
  return {
    code: d.code,
    kind: d.percent_off === null ? "amount" : "percent",
    percent: d.percent_off === null ? "" : String(d.percent_off),
    amounts: amounts.length ? amounts : [{ amount: "", currency }],
    products: [...d.products],
    starts: toDateInput(d.starts_at),
    expires: toDateInput(d.expires_at),
    maxUses: d.max_uses === null ? "" : String(d.max_uses),
  };
}

/** What the core takes: the chosen kind only, amounts as "5.00 EUR", rows left empty dropped. */
export function discountForm(f: DiscountFields): DiscountForm {
  return {
    code: f.code.trim(),
    percent_off: f.kind === "percent" ? f.percent.trim() : "",
    amounts_off: f.kind === "amount"
      ? f.amounts.filter((r) => r.amount.trim()).map((r) => `${r.amount.trim()} ${r.currency.toUpperCase()}`)
      : [],
    products: [...f.products],
    starts: f.starts.trim(),
    expires: f.expires.trim(),
    max_uses: f.maxUses.trim(),
  };
}

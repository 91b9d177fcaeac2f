// A product's price in words, fixed or pay what you want.
import type { Product, ProductFile } from "./api";
import { formatMoney } from "./format";

/** Pay what you want: buyers choose the amount, from the minimum (possibly 0) up. */
export function isPayWhatYouWant(p: Pick<Product, "min_price_minor">): boolean {
  return p.min_price_minor !== null;
}

/** "$19.00", or "Pay what you want from $5.00" (the minimum; `price_minor` is then the suggestion). */
export function priceText(p: Pick<Product, "price_minor" | "currency" | "min_price_minor">): string {
  if (p.min_price_minor === null) return formatMoney(p.price_minor, p.currency);
  return `Pay what you want from ${formatMoney(p.min_price_minor, p.currency)}`;
}

/** The file of `after` that has a newer version than in `before` (the same product as the
 * window last knew it), if an upload just made one; added or removed files aren't. */
export function newVersionOf(before: Product | undefined, after: Product): ProductFile | null {
  if (!before) return null;
  return after.files.find((f) => before.files.some((b) => b.id === f.id && b.version_id !== f.version_id)) ?? null;
}

// Pure rules and wording for the Purchases screen. Money stays in integer minor units;
// amounts the seller types are parsed digit by digit, never through floats.
import type { ItemFile, Mode, Purchase, PurchaseItem } from "./api";
import { formatMoney, minorDigits } from "./format";

export type Badge = { label: string; cls: string };

export function statusBadge(status: string): Badge {
  if (status === "paid") return { label: "paid", cls: "badge-ok" };
  if (status === "refunded") return { label: "refunded", cls: "badge-warn" };
  if (status === "revoked") return { label: "revoked", cls: "badge-bad" };
  return { label: status, cls: "" };
}

/** A compact date for table cells: "Nov 22, 14:05" this year, "Nov 22, 2025" before. */
export function shortDate(unix: number, now = Date.now()): string {
  const d = new Date(unix * 1000);
  if (d.getFullYear() !== new Date(now).getFullYear()) {
    return d.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  }
  return d.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** "1 purchase", "3 purchases". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One file's allowance in words, e.g. "2 of 5 used" or "2 used · unlimited". */
export function fileDownloads(file: ItemFile, limit: number | null): string {
  if (limit === null) return `${file.downloads_used} used · unlimited`;
  return `${file.downloads_used} of ${limit} used`;
}

/** The whole purchase's downloads for a table cell: "3 of 10 used", "3 used", "no files". */
export function downloadsSummary(p: Purchase): string {
  let used = 0;
  let limit = 0;
  let unlimited = false;
  let files = 0;
  for (const item of p.items) {
    for (const f of item.files) {
      files++;
      used += f.downloads_used;
      if (item.download_limit === null) unlimited = true;
      else limit += item.download_limit;
    }
  }
  if (files === 0) return "no files";
  return unlimited ? `${used} used` : `${used} of ${limit} used`;
}

export function productNames(p: Purchase): string {
  return p.items.map((i) => i.product_name).join(", ");
}

export function refundableMinor(p: Purchase): number {
  return Math.max(0, p.amount_minor - p.amount_refunded_minor);
}

/** Why this purchase can't be refunded, in words; null when it can. */
export function refundBlock(p: Purchase): string | null {
  if (p.source === "grant") return "It was a gift, so there's no payment to refund.";
  if (!p.payment_intent_id) return "It wasn't paid through Stripe, so there's no payment to refund.";
  if (refundableMinor(p) === 0) return "It has already been refunded in full.";
  return null;
}

/** Why the link-related actions (reset, limit, resend, revoke) are off; null when they're on. */
export function accessBlock(p: Purchase): string | null {
  if (p.status === "paid") return null;
  return `This purchase is ${p.status}: its download link no longer works.`;
}

/**
 * "4.50" in the major unit → 450 minor units, checked like the core does: digits, one
 * point, a comma only as a thousands separator, at most the currency's decimals.
 */
export function parseMajor(text: string, currency: string): { minor: number } | { error: string } {
  const t = text.trim();
  const digits = minorDigits(currency);
  const [whole, frac = "", extra] = t.split(".");
  if (extra !== undefined) return { error: `'${t}' is not an amount; write it like 4.50` };
  const groups = whole.split(",");
  if (groups.length > 1 && (groups[0] === "" || groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) {
    return { error: `'${t}' is not an amount; use a point for decimals, e.g. 4.50` };
  }
  const w = whole.replace(/,/g, "");
  if (w === "" && frac === "") return { error: "Enter an amount, e.g. 4.50" };
  if (!/^\d*$/.test(w) || !/^\d*$/.test(frac)) return { error: `'${t}' is not an amount; write it like 4.50` };
  if (frac.length > digits) {
    return { error: digits ? `${currency.toUpperCase()} takes at most ${digits} digits after the point` : `${currency.toUpperCase()} has no decimals` };
  }
  const all = (w + frac.padEnd(digits, "0")).replace(/^0+/, "");
  if (all.length > 15) return { error: "That amount is too large" };
  return { minor: all === "" ? 0 : Number(all) };
}

/**
 * The refund dialog's amount field: "" means everything still refundable (null for the API);
 * otherwise a positive amount no larger than what's left.
 */
export function checkRefundAmount(text: string, p: Purchase): { amount: string | null } | { error: string } {
  if (text.trim() === "") return { amount: null };
  const r = parseMajor(text, p.currency);
  if ("error" in r) return r;
  if (r.minor <= 0) return { error: "The amount must be more than zero" };
  const left = refundableMinor(p);
  if (r.minor > left) return { error: `At most ${formatMoney(left, p.currency)} can still be refunded` };
  return { amount: text.trim() };
}

/** A download limit as typed: a whole number from 1 to 1,000,000, or "unlimited". Error text or null. */
export function checkLimit(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (t === "unlimited" || t === "none") return null;
  if (t === "") return "Enter a number of downloads, or “unlimited”";
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 1_000_000) {
    return "A limit is a whole number from 1 to 1000000, or “unlimited”";
  }
  return null;
}

/** The current limit to prefill the limit field with ("" when the items differ). */
export function currentLimit(p: Purchase): string {
  const limits = new Set(p.items.map((i) => (i.download_limit === null ? "unlimited" : String(i.download_limit))));
  return limits.size === 1 ? [...limits][0] : "";
}

export function limitText(item: PurchaseItem): string {
  if (item.download_limit === null) return "Unlimited downloads";
  return `${plural(item.download_limit, "download")} per file`;
}

/** A plausible email address; the core has the final word. Error text or null. */
export function checkEmail(text: string): string | null {
  const t = text.trim();
  if (t === "") return "Enter the buyer's email address";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) return `'${t}' doesn't look like an email address`;
  return null;
}

/** How a refund is carried out, for the confirm dialog. */
export function refundRoute(mode: Mode | undefined): string {
  if (mode === "live") return "The refund goes through Stripe; the buyer usually sees the money back within 5–10 days.";
  if (mode === "test") return "The refund goes through Stripe in test mode; no real money moves.";
  return "The refund goes through the Stripe simulator; no real money moves.";
}

// Wording for the Purchases screen, and which actions a purchase allows. The dialogs'
// fields are checked by the core (`api.validateLimit`, `api.validateRefund`, `api.validateGrant`).
import type { ItemFile, Mode, Purchase, PurchaseItem, Referral, Tally } from "./api";

export type Badge = { label: string; cls: string };

/** Where a purchase stands (the core's `standing`: a partial refund is told apart). */
export function statusBadge(standing: string): Badge {
  if (standing === "paid") return { label: "paid", cls: "badge-ok" };
  if (standing === "partially_refunded") return { label: "partially refunded", cls: "badge-warn" };
  if (standing === "refunded") return { label: "refunded", cls: "badge-warn" };
  if (standing === "revoked") return { label: "revoked", cls: "badge-bad" };
  return { label: standing, cls: "" };
}

/** What a purchase is, where a list mixes kinds: test, gift or free, and its standing unless plainly paid. */
export function purchaseBadges(p: Purchase): Badge[] {
  const out: Badge[] = [];
  if (p.test) out.push({ label: "test", cls: "badge-warn" });
  if (p.source === "grant") out.push({ label: "gift", cls: "" });
  if (p.source === "free") out.push({ label: "free", cls: "" });
  if (p.standing !== "paid") out.push(statusBadge(p.standing));
  return out;
}

/** The dashboard's line under its sales count: what the count leaves out or holds, e.g. "1 refunded · 301 gifts (not sales)". */
export function tallyNote(t: Tally, test: boolean): string {
  const parts: string[] = [];
  if (t.refunded) parts.push(`${t.refunded} refunded`);
  if (t.partially_refunded) parts.push(`${t.partially_refunded} partially refunded`);
  if (t.gifts) parts.push(`${plural(t.gifts, "gift")} (not sales)`);
  if (t.other_mode) parts.push(`${t.other_mode} ${test ? "live" : "test"} not shown`);
  return parts.join(" · ");
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
  if (p.source === "free") return "It was free, so there's no payment to refund.";
  if (!p.payment_intent_id) return "It wasn't paid through Stripe, so there's no payment to refund.";
  if (refundableMinor(p) === 0) return "It has already been refunded in full.";
  return null;
}

/** Why the link-related actions (reset, limit, resend, revoke) are off; null when they're on. */
export function accessBlock(p: Purchase): string | null {
  if (p.status === "paid") return null;
  return `This purchase is ${p.status}: its download link no longer works.`;
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

/** How a refund is carried out, for the confirm dialog. */
export function refundRoute(mode: Mode | undefined): string {
  if (mode === "live") return "The refund goes through Stripe; the buyer usually sees the money back within 5–10 days.";
  if (mode === "test") return "The refund goes through Stripe in test mode; no real money moves.";
  return "The refund goes through the Stripe simulator; no real money moves.";
}

/** How the purchase came about, for the detail: "Checkout", "Gift" (given by the seller), "Free" (claimed by the buyer). */
export function sourceLabel(source: Purchase["source"]): string {
  if (source === "grant") return "Gift";
  if (source === "free") return "Free";
  return "Checkout";
}

export type ChargeLine = { label: string; minor: number; total?: boolean };

/**
 * The charge line by line (the core's lines: Subtotal, Discount (CODE), Tax or Tax
 * (included)), then the Total; null when the total is simply the price.
 */
export function chargeLines(p: Purchase): ChargeLine[] | null {
  if (!p.charge_lines.length) return null;
  return [...p.charge_lines, { label: "Total", minor: p.charge.total_minor, total: true }];
}

/** The link's referral values that are set, in order: [["ref", "newsletter"], ["utm_medium", "email"]]. */
export function referralValues(r: Referral): [string, string][] {
  const keys = ["ref", "utm_source", "utm_medium", "utm_campaign"] as const;
  return keys.flatMap((k) => (r[k] ? [[k, r[k]] as [string, string]] : []));
}

/** The source the Dashboard counts a purchase under: ref, else utm_source, else "" (direct). */
export function referralSource(r: Referral): string {
  return r.ref || r.utm_source || "";
}

/** A country's name from its ISO code ("DE" → "Germany"), or the code when it has none. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: "region" }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

// The filter bars of the Purchases and Mail screens: their choices, as the core's words
// (`PurchaseFilter`, `MailFilter` read them; a wrong word is refused there), and the
// "how many match" line. Paging is the core's cursor (`next`), handed back as `after`.
import type { MailQuery, PurchaseQuery } from "./api";

/** The filter bar's fields; "" is "any". Paging is added when a page is asked for. */
export type PurchaseFilter = Required<Omit<PurchaseQuery, "after" | "limit">>;
export type MailFilter = Required<Omit<MailQuery, "after" | "limit">>;

export type Choice = { value: string; label: string };

export const PURCHASE_STATUSES: Choice[] = [
  { value: "", label: "Any status" },
  { value: "paid", label: "Paid" },
  { value: "partially_refunded", label: "Partly refunded" },
  { value: "refunded", label: "Refunded" },
  { value: "revoked", label: "Revoked" },
];

export const PURCHASE_SOURCES: Choice[] = [
  { value: "", label: "Any source" },
  { value: "checkout", label: "Checkout" },
  { value: "grant", label: "Gift" },
  { value: "free", label: "Free claim" },
];

export const PURCHASE_MODES: Choice[] = [
  { value: "", label: "Live and test" },
  { value: "live", label: "Live only" },
  { value: "test", label: "Test only" },
];

export const MAIL_KINDS: Choice[] = [
  { value: "", label: "Any kind" },
  { value: "receipt", label: "Receipts" },
  { value: "update", label: "Updates" },
  { value: "library", label: "Lost links" },
  { value: "refund", label: "Refunds" },
];

export const MAIL_STATUSES: Choice[] = [
  { value: "", label: "Any status" },
  { value: "queued", label: "Queued" },
  { value: "sending", label: "Sending" },
  { value: "sent", label: "Sent" },
  { value: "failed", label: "Failed" },
  { value: "skipped", label: "Skipped" },
];

export function noPurchaseFilter(): PurchaseFilter {
  return { text: "", status: "", product: "", source: "", test: "", from: "", to: "" };
}

export function noMailFilter(): MailFilter {
  return { text: "", kind: "", status: "" };
}

/** Whether any field narrows the list (blank text doesn't). */
export function isFiltered(f: PurchaseFilter | MailFilter): boolean {
  return Object.values(f).some((v) => String(v ?? "").trim() !== "");
}

/** Rows to ask for when refreshing a list already shown: as many as it holds, a page at least. */
export function refreshLimit(shown: number): number {
  return Math.min(500, Math.max(100, shown));
}

/** "1,204 purchases" when nothing is filtered, "3 purchases match" when something is. */
export function matchLine(total: number, one: string, many: string, filtered: boolean): string {
  const noun = `${total.toLocaleString("en-US")} ${total === 1 ? one : many}`;
  if (!filtered) return noun;
  return `${noun} ${total === 1 ? "matches" : "match"}`;
}

/**
 * When a filter bar asks for a search: `typed` once per pause in typing (250 ms), `now` at
 * once (a choice), cancelling a pending one; `stop` when the bar goes.
 */
export function searchTiming(search: () => void, pause = 250) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    typed() {
      clearTimeout(timer);
      timer = setTimeout(search, pause);
    },
    now() {
      clearTimeout(timer);
      search();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

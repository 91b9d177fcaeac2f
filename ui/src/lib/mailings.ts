// Wording for the Mailings and Mail screens (the form is checked by the core: `api.validateMailing`).
import type { MailingSummary } from "./api";
import type { Badge } from "./purchases";

/** Deliveries that are over, one way or another. */
export function mailingDone(m: MailingSummary): number {
  return m.sent + m.failed + m.skipped;
}

/** Whole percent of deliveries done (0–100); a mailing with nothing left to send is 100. */
export function mailingPercent(m: MailingSummary): number {
  if (m.pending === 0 || m.recipients <= 0) return 100;
  return Math.min(100, Math.floor((mailingDone(m) * 100) / m.recipients));
}

export type MailingState = "sending" | "done" | "canceled";

export function mailingState(m: MailingSummary): MailingState {
  if (m.canceled) return "canceled";
  return m.pending > 0 ? "sending" : "done";
}

export function mailingBadge(m: MailingSummary): Badge {
  const s = mailingState(m);
  return { label: s, cls: s === "sending" ? "badge-accent" : s === "done" ? "badge-ok" : "badge-warn" };
}

/** What the core uses when the subject is left empty. */
export function defaultSubject(productName: string): string {
  return `${productName}: a new version is out`;
}

/** Outbox status → badge. */
/** `toFolder`: the shop has no mail server, so "sent" means written to the outbox folder. */
export function mailBadge(status: string, toFolder = false): Badge {
  switch (status) {
    case "sent": return toFolder ? { label: "in folder", cls: "" } : { label: "sent", cls: "badge-ok" };
    case "failed": return { label: "failed", cls: "badge-bad" };
    case "sending": return { label: "sending", cls: "badge-accent" };
    case "queued": return { label: "queued", cls: "badge-warn" };
    default: return { label: status, cls: "" };
  }
}

/** The empty state for each status of the Mail filter bar (null: any). */
export function mailEmptyText(status: string | null): string {
  switch (status) {
    case "queued": return "Nothing waiting. Mail is queued here for a moment before it goes out.";
    case "sending": return "Nothing is being sent right now.";
    case "skipped": return "Nothing skipped. Updates to buyers who unsubscribed, or of a canceled mailing, would show here.";
    case "sent": return "Nothing sent yet. Receipts appear here the moment a purchase is paid.";
    case "failed": return "No failures. Mail the server refused would show here, with the reason and a Retry button.";
    default: return "No mail yet. Receipts appear here the moment a purchase is paid.";
  }
}

/** The From line of Booth's emails: "Ada's Shop <hello@ada.shop>", or the name alone. */
export function senderLine(storeName: string, fromAddress: string): string {
  return fromAddress ? `${storeName} <${fromAddress}>` : storeName;
}

export function kindLabel(kind: string): string {
  if (kind === "receipt") return "Receipt";
  if (kind === "update") return "Update";
  if (kind === "library") return "Lost link";
  if (kind === "refund") return "Refund";
  return kind;
}

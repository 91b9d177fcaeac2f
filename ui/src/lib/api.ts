// The one door from the window to the shop. The calls and their types are generated from
// the Rust commands (bindings.ts, by src-tauri/src/bindings.rs); this file only names the
// types as the screens use them. Screens call `api` and never `invoke` directly.
// A failed call rejects with {code, message} (and `field` for form errors); see `ApiError`.
// Each form has a `validate…` call: the core's own checks, answering every mistake (empty
// when the form is fine), so forms show them beside their fields before anything is done.
import { commands } from "./bindings";
import type * as B from "./bindings";

/**
 * code: invalid_input, not_found, conflict, payment_provider, mail, database, file, internal,
 * not_running; `field`, for invalid_input: which form field is wrong (e.g. "price", "slug").
 */
export type ApiError = B.CmdError_Serialize;

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Any thrown value as words for the seller. */
export function errorText(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * A validate call's answer as field → its first message. Mistakes of no field, or of a
 * field the form doesn't show (when `fields` are given), go under "" for a banner.
 */
export function byField(mistakes: ApiError[], fields?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of mistakes) {
    const shown = m.field && (!fields || fields.includes(m.field));
    out[shown ? m.field! : ""] ??= m.message;
  }
  return out;
}

// ---- types: what commands answer (`_Serialize`) and what they take (`_Deserialize`) ----

export type Mode = B.SettingsView["payments"];
export type Status = B.Status_Serialize;

export type TunnelProvider = B.Provider;
export type TunnelState = B.TunnelState;
export type TunnelHealth = B.Health_Serialize;
export type TunnelStatus = B.TunnelStatus_Serialize;
/** The tunnel form, as typed (Start and its check take the same). */
export type TunnelInput = B.TunnelInput_Serialize;
export type TunnelProviderInfo = B.ProviderInfo_Serialize;
export type TunnelLogEntry = B.LogEntry;
export type TunnelView = B.TunnelView_Serialize;

export type ProductFile = B.ProductFile;
export type Product = B.Product_Serialize;
export type ProductInput = B.ProductForm_Deserialize;
/** Only the fields present are changed. */
export type ProductEditInput = B.ProductEditInput_Deserialize;
export type ProductLinks = B.ProductLinks;

export type Discount = B.Discount_Serialize;
/** The discount form as typed: times as "2026-12-24" (UTC), empty for none. */
export type DiscountForm = B.DiscountForm;
export type AmountOff = B.AmountOff;

export type ItemFile = B.ItemFile_Serialize;
export type PurchaseItem = B.PurchaseItem_Serialize;
export type Purchase = B.Purchase_Serialize;
/** What a purchase cost: subtotal, discount (and its code), tax, total; country and tax ID. */
export type Charge = B.Charge_Serialize;
/** The ref and utm_* values of the link the buyer came through. */
export type Referral = B.Referral_Serialize;
export type DownloadLog = B.DownloadLog_Serialize;
export type PurchaseDetail = B.PurchaseDetail_Serialize;
/** The Purchases filter bar as typed ("" is any); `after` is the previous page's `next`. */
export type PurchaseQuery = B.PurchaseQuery_Deserialize;
/** One page of `findPurchases`: `total` match in all; `next` asks for the page after. */
export type PurchasePage = B.PurchasePage_Serialize;

/** A purchase item's license key: its limit, the computers (instances) it is active on, and why it can't be used, if it can't. */
export type License = B.License_Serialize;
/** One computer a key is activated on: its id (to free it), the name the app gave, since when. */
export type LicenseInstance = B.Instance;
/** Why a key can't be used: disabled (by the seller), refunded, revoked (and the API's own). */
export type Refusal = B.Refusal;
/** The public key license files are checked with (base64 Ed25519) and its id. */
export type PublicKey = B.PublicKey;
/** The public keys app updaters check update feeds with: Sparkle's, Tauri's, the minisign file. */
export type UpdateKeys = B.UpdateKeys;

export type DayPoint = B.DayPoint;
export type Funnel = B.Funnel;
export type Dashboard = B.Dashboard_Serialize;
export type Tally = B.Tally_Serialize;
export type DeliveryTrouble = B.DeliveryTrouble;
export type SetupStep = B.SetupStep;
/** One referral source's visits, checkouts, sales and revenue; `source` "" is none. */
export type SourceRow = B.SourceRow;

export type MailingRequest = B.MailingForm;
export type MailingPreview = B.MailingPreview_Serialize;
export type MailingSummary = B.MailingSummary;
export type MailingFailure = B.Failure;
export type OutboxMessage = B.OutboxRow_Serialize;
/** The Mail filter bar as typed ("" is any); `after` is the previous page's `next`. */
export type MailQuery = B.MailQuery_Deserialize;
/** One page of `findMail`: `total` match in all; `next` asks for the page after. */
export type MailPage = B.MailPage_Serialize;

/** The Taxes screen's form: tax "off" | "exclusive" | "inclusive", the switches, the default tax code. */
export type TaxSettings = B.TaxSettings;
/** One language's consent wording, in one version (`id`); created_at 0 for the built-in ones. */
export type Wording = B.Wording;
/** What a buyer agreed to before paying: the wording's version, language and text, and when. */
export type ConsentGiven = B.ConsentGiven;
/** One country's sales in one currency for a period: net and tax, refunds taken off. */
export type TaxRow = B.TaxRow;

export type Settings = B.SettingsView;
/** Fields left out are not changed. Secrets are write-only: "" clears one. */
export type SettingsInput = B.SettingsInput_Deserialize;
export type StripeCheck = B.StripeCheck;
/** Settings → While Booth runs: start at login, stay awake, notifications, the tray. */
export type Background = B.Background;
/** Settings → Storage: the seller's bucket (off-site backups and product files). */
export type StorageView = B.StorageView_Serialize;
export type StorageInput = B.StorageInput;
/** A file going to or from the bucket, as the `TRANSFER_EVENT` events tell it. */
export type Transfer = B.Transfer;
/** What moving the product files did: files (and bytes) copied now, and those already there. */
export type Migrated = B.Migrated;
/** The data-dir copies that freeing deleted. */
export type Freed = B.Freed;
export type BackgroundPref = "stay_awake" | "notify_sales" | "notify_tunnel" | "background_told";

// ---- commands ---------------------------------------------------------------------

export const api = {
  ...commands,
  // The token field: undefined keeps the saved token, "" removes it.
  validateTunnel: (input: TunnelInput, token?: string) => commands.validateTunnel(input, token ?? null),
  startTunnel: (input: TunnelInput, token?: string) => commands.startTunnel(input, token ?? null),
};

// The one door from the window to the shop: every Tauri command Booth's shell exposes,
// typed. Screens call these and never `invoke` directly, so the names live in one place.
// Errors arrive as {code, message} (and `field` for form errors); see `ApiError`.
import { invoke } from "@tauri-apps/api/core";

export interface ApiError {
  /** invalid_input, not_found, conflict, payment_provider, mail, database, file, internal, not_running */
  code: string;
  message: string;
  /** For invalid_input: which form field is wrong (e.g. "price", "slug", "email"). */
  field?: string;
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Any thrown value as words for the seller. */
export function errorText(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

// ---- types (mirror the Rust structs' serde output) ----------------------------------

export type Mode = "simulated" | "test" | "live";

export interface Status {
  /** The shop server, outbox worker (and simulator) are up. */
  running: boolean;
  /** Why it is not running (port taken, data dir unusable, bad Stripe key...). */
  error: ApiError | null;
  mode: Mode;
  /** Where the server listens, e.g. "127.0.0.1:8080". */
  listen: string;
  /** Where links in emails point now: the stable address if set, else the tunnel's, else the local one. */
  public_url: string;
  data_dir: string;
  /** Where secrets are kept, in words, e.g. "a file only you can read (…/secrets.json, mode 0600)". */
  secrets_store: string;
  store_name: string;
  version: string;
  tunnel: TunnelStatus;
}

// ---- tunnel (the shop's public address) ----

export type TunnelProvider = "bore" | "cloudflared" | "cloudflared-named" | "ngrok" | "ssh" | "custom";
export type TunnelState = "off" | "starting" | "up" | "retrying" | "failed";

export interface TunnelHealth {
  ok: boolean;
  /** unix seconds of the check */
  at: number;
  latency_ms: number | null;
  error: string | null;
}

export interface TunnelStatus {
  state: TunnelState;
  provider: TunnelProvider | null;
  label: string | null;
  /** The public URL, once the tunnel printed it. */
  url: string | null;
  /** The address changes on every start (cloudflared quick, bore without a fixed port…). */
  ephemeral: boolean;
  /** http:// (bore): not encrypted. */
  plain_http: boolean;
  /** Last check of url + "/healthz" through the tunnel (every minute). */
  health: TunnelHealth | null;
  /** Times the tunnel program was started again since Start. */
  restarts: number;
  /** The tunnel program's process id while it runs. */
  pid: number | null;
  /** state "retrying": seconds until the next start. */
  retry_in_secs: number | null;
  /** What went wrong, or what to do (e.g. "bore isn't installed… Install it with `cargo install bore-cli`…"). */
  message: string | null;
  /** Where Stripe (or the simulator) sends payment events, or why it doesn't, in words. */
  webhook: string | null;
  /** Things the seller should know (ephemeral address, plain http), in words. */
  warnings: string[];
}

/** The tunnel form, as typed. Fields a provider doesn't use are ignored. */
export interface TunnelInput {
  provider: TunnelProvider | string;
  /** bore: server (default bore.pub); ssh: [user@]host[:port] (default nokey@localhost.run) */
  server: string;
  /** bore: fixed public port (makes the address stable); ssh: remote port (default 80) */
  port: string;
  /** cloudflared-named: public hostname (required); ngrok: reserved domain (optional, makes it stable) */
  hostname: string;
  /** custom: the command line; {port}, {addr}, {url} stand for the shop's local address */
  command: string;
  /** custom (required) or ssh (optional): regular expression finding the URL in the output */
  pattern: string;
}

export interface TunnelProviderInfo {
  id: TunnelProvider;
  label: string;
  /** The program it runs; null for custom. */
  program: string | null;
  /** The program was found on this machine. */
  installed: boolean;
  /** Label of the token field, if this provider has one (cloudflared-named: required). */
  token_label: string | null;
}

export interface TunnelLogEntry {
  at: number;
  /** started, up, address, exited, timeout, restart, health, webhook, failed, stopped, error */
  kind: string;
  message: string;
}

export interface TunnelView {
  status: TunnelStatus;
  saved: TunnelInput | null;
  /** The tunnel reopens when the shop starts. */
  on: boolean;
  token_set: boolean;
  /** Where links in emails point now. */
  public_url: string;
  /** The stable public address the seller set (Settings → public_url), if any. */
  configured_url: string | null;
  providers: TunnelProviderInfo[];
  /** Newest first, at most 50. */
  log: TunnelLogEntry[];
}

export interface ProductFile {
  id: number;
  display_name: string;
  version_id: number;
  version: string;
  size: number;
  sha256: string;
  stored_path: string;
  versions: number;
}

export interface Product {
  id: number;
  slug: string;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  active: boolean;
  /** null: unlimited downloads */
  download_limit: number | null;
  created_at: number;
  files: ProductFile[];
}

/** What the seller types; the core parses it (price "9.99" in the major unit, limit "5" or "unlimited"). */
export interface ProductInput {
  name: string;
  slug: string | null;
  description: string;
  price: string;
  currency: string;
  limit: string;
  active: boolean;
  /** Absolute paths of files to copy in (from the file picker or drag and drop). */
  files: string[];
}

/** Only the fields present are changed. */
export interface ProductEditInput {
  name?: string;
  slug?: string;
  description?: string;
  price?: string;
  currency?: string;
  limit?: string;
  active?: boolean;
}

export interface ProductLinks {
  page_url: string;
  buy_url: string;
  /** An HTML snippet: a styled <a> button linking to buy_url. */
  button_html: string;
}

export interface ItemFile extends ProductFile {
  downloads_used: number;
  /** null when unlimited */
  downloads_left: number | null;
}

export interface PurchaseItem {
  id: number;
  product_id: number;
  product_slug: string;
  product_name: string;
  amount_minor: number;
  download_limit: number | null;
  revoked: boolean;
  files: ItemFile[];
}

export interface Purchase {
  id: number;
  token: string;
  email: string;
  amount_minor: number;
  currency: string;
  amount_refunded_minor: number;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  /** paid, refunded or revoked */
  status: string;
  status_reason: string | null;
  /** checkout or grant */
  source: string;
  test: boolean;
  /** unix seconds */
  created_at: number;
  /** Why the buyer's address (as Stripe gave it) can't be mailed; null when it can. */
  email_problem: string | null;
  items: PurchaseItem[];
}

export interface DownloadLog {
  at: number;
  file_id: number;
  file_name: string;
  version: string;
  ip: string;
  user_agent: string;
  range: string | null;
  bytes: number;
  counted: boolean;
}

export interface PurchaseDetail {
  purchase: Purchase;
  /** The buyer's download page. */
  url: string;
  downloads: DownloadLog[];
}

export interface DayPoint {
  /** "2026-11-22" (UTC) */
  day: string;
  purchases: number;
  revenue_minor: number;
}

export interface Funnel {
  visits: number;
  checkouts: number;
  paid: number;
  downloaded: number;
}

export interface Dashboard {
  /** The currency the series and totals are in (the shop's most used one). */
  currency: string;
  /** One point per day, oldest first, `days` long, zeros included. */
  series: DayPoint[];
  total_revenue_minor: number;
  total_purchases: number;
  funnel: Funnel;
  /** Newest first, up to 8. Test purchases when the shop is in simulated/test mode, live ones in live mode. */
  recent: Purchase[];
}

export interface MailingRequest {
  product: string;
  /** Empty: the default "<product>: a new version is out". */
  subject: string;
  message: string;
  include_test: boolean;
}

export interface MailingPreview {
  product: Product;
  subject: string;
  recipients: number;
  skipped_unsubscribed: number;
  /** [text, html] of the email as the first recipient would get it; null when nobody would. */
  sample: [string, string] | null;
}

export interface MailingSummary {
  id: number;
  product_slug: string;
  product_name: string;
  subject: string;
  created_at: number;
  recipients: number;
  sent: number;
  failed: number;
  pending: number;
  skipped: number;
  skipped_unsubscribed: number;
  unsubscribed: number;
  canceled: boolean;
}

export interface MailingFailure {
  recipient: string;
  status: string;
  attempts: number;
  reason: string;
}

export interface OutboxMessage {
  id: number;
  /** receipt or update */
  kind: string;
  purchase_id: number | null;
  mailing_id: number | null;
  recipient: string;
  subject: string;
  body_text: string;
  body_html: string;
  unsubscribe_url: string | null;
  message_id: string;
  /** queued, sending, sent, failed, skipped */
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface Settings {
  store_name: string;
  from_address: string;
  support_email: string;
  public_url: string;
  /** host:port the shop server listens on */
  listen: string;
  /** Which payments the shop uses; "simulated" needs no keys. */
  payments: Mode;
  stripe_test_key_set: boolean;
  stripe_live_key_set: boolean;
  webhook_secret_set: boolean;
  /** smtp://user@host:port without the password; empty: mail goes to the local outbox folder */
  smtp_url: string;
  smtp_password_set: boolean;
  secrets_store: string;
  /** Folder where seller-edited templates override the built-in ones. */
  templates_dir: string;
  /** Template names, and whether the seller has overridden each. */
  templates: { name: string; overridden: boolean }[];
}

/** Fields left null are not changed. Secrets are write-only: "" clears one. */
export interface SettingsInput {
  store_name?: string;
  from_address?: string;
  support_email?: string;
  public_url?: string;
  listen?: string;
  payments?: Mode;
  stripe_test_key?: string;
  stripe_live_key?: string;
  webhook_secret?: string;
  smtp_url?: string;
  smtp_password?: string;
}

export interface StripeCheck {
  ok: boolean;
  /** e.g. "Connected to acct_123 (test mode)" or why not. */
  message: string;
}

// ---- commands ---------------------------------------------------------------------

export const api = {
  // shell
  status: () => invoke<Status>("status"),
  /** Stops and starts the server, worker and payments with the saved settings. */
  restartShop: () => invoke<Status>("restart_shop"),
  openExternal: (url: string) => invoke<void>("open_external", { url }),

  // dashboard
  dashboard: (days: number) => invoke<Dashboard>("dashboard", { days }),

  // products
  listProducts: () => invoke<Product[]>("list_products"),
  createProduct: (input: ProductInput) => invoke<Product>("create_product", { input }),
  editProduct: (slug: string, edit: ProductEditInput) => invoke<Product>("edit_product", { slug, edit }),
  addFiles: (slug: string, paths: string[]) => invoke<Product>("add_files", { slug, paths }),
  /** `file` is the file's display name or id; version "" means the next number. Returns the new version label. */
  newVersion: (slug: string, file: string, path: string, version: string) =>
    invoke<string>("new_version", { slug, file, path, version }),
  productLinks: (slug: string) => invoke<ProductLinks>("product_links", { slug }),
  /** Opens the product's checkout in a second in-app window; resolves once it is open. */
  openTestPurchase: (slug: string) => invoke<void>("open_test_purchase", { slug }),

  // purchases
  /** query: part of an email, or a token; "" lists all (newest first, up to 500). */
  listPurchases: (query: string) => invoke<Purchase[]>("list_purchases", { query }),
  purchaseDetail: (token: string) => invoke<PurchaseDetail>("purchase_detail", { token }),
  resetDownloads: (token: string) => invoke<Purchase>("reset_downloads", { token }),
  setDownloadLimit: (token: string, limit: string) => invoke<Purchase>("set_download_limit", { token, limit }),
  resendReceipt: (token: string) => invoke<void>("resend_receipt", { token }),
  /** product: a slug to revoke one item, null for the whole purchase. */
  revoke: (token: string, product: string | null) => invoke<Purchase>("revoke", { token, product }),
  /** amount in the major unit ("4.50"); null refunds everything not yet refunded. */
  refund: (token: string, amount: string | null) => invoke<Purchase>("refund", { token, amount }),
  grant: (slug: string, email: string) => invoke<Purchase>("grant", { slug, email }),
  /** Writes the CSV to `path`; returns the number of purchases written. */
  exportCsv: (path: string) => invoke<number>("export_csv", { path }),

  // mailings
  previewMailing: (request: MailingRequest) => invoke<MailingPreview>("preview_mailing", { request }),
  sendMailing: (request: MailingRequest) => invoke<MailingSummary>("send_mailing", { request }),
  mailings: () => invoke<MailingSummary[]>("mailings"),
  mailing: (id: number) => invoke<MailingSummary>("mailing", { id }),
  mailingFailures: (id: number) => invoke<MailingFailure[]>("mailing_failures", { id }),
  cancelMailing: (id: number) => invoke<number>("cancel_mailing", { id }),

  // mail
  /** status: null for all; newest first. */
  outbox: (status: string | null, limit: number) => invoke<OutboxMessage[]>("outbox", { status, limit }),
  retryMail: (id: number) => invoke<void>("retry_mail", { id }),

  // settings
  settings: () => invoke<Settings>("settings"),
  /** Saves; on invalid_input, `field` names the SettingsInput key. Restart the shop to apply listen/payments/smtp. */
  saveSettings: (input: SettingsInput) => invoke<Settings>("save_settings", { input }),
  /** Checks a key (or the saved one for `mode` when key is "") against Stripe. */
  checkStripe: (mode: Mode, key: string) => invoke<StripeCheck>("check_stripe", { mode, key }),
  /** Sends a test mail now, through the saved SMTP settings (or into the local folder). */
  sendTestMail: (to: string) => invoke<string>("send_test_mail", { to }),
  /** Copies the built-in template into the templates folder for editing; returns its path. */
  customizeTemplate: (name: string) => invoke<string>("customize_template", { name }),

  // tunnel
  tunnel: () => invoke<TunnelView>("tunnel"),
  /** Saves the tunnel (token: undefined keeps the saved one, "" removes it) and starts it; on invalid_input `field` is provider/server/port/hostname/command/pattern/token. */
  startTunnel: (input: TunnelInput, token?: string) => invoke<TunnelView>("start_tunnel", { input, token: token ?? null }),
  stopTunnel: () => invoke<TunnelView>("stop_tunnel"),
  /** Checks the public address now; the result appears in status.health shortly after. */
  checkTunnel: () => invoke<TunnelView>("check_tunnel"),
};

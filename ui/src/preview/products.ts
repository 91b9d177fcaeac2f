// Sample answers for the shell, dashboard, products and settings commands: a small shop
// with three products and a month of sales. Query flags show other states:
// /preview.html?empty#dashboard (a brand-new shop), ?live (live payments), ?stopped (the
// shop server failed to start).
import type { ApiError, Dashboard, DayPoint, Mode, Product, ProductEditInput, ProductInput, Purchase, Settings, SettingsInput, Status } from "../lib/api";
import { checkEmail, checkListen, checkPublicUrl, checkSmtpUrl, parsePrice, suggestSlug } from "../lib/validate";

const EMPTY = location.search.includes("empty");
const LIVE = location.search.includes("live");
let stopped = location.search.includes("stopped");
const HOME = "/home/ada/.local/share/booth";
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86400;

const invalid = (field: string, message: string): ApiError => ({ code: "invalid_input", field, message });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let nextFileId = 10;
function file(name: string, size: number, version: string, versions: number) {
  const id = nextFileId++;
  return {
    id, display_name: name, version_id: id * 10 + versions, version, size, versions,
    sha256: "9f2c4e1b7a".padEnd(64, "0"), stored_path: `files/${id}-${name}`,
  };
}

let products: Product[] = EMPTY ? [] : [
  {
    id: 1, slug: "field-guide", name: "The Field Guide to Indie Publishing",
    description: "A practical, 240-page guide to writing, designing and selling your own books.",
    price_minor: 1900, currency: "usd", active: true, download_limit: 5, created_at: NOW - 120 * DAY,
    files: [file("field-guide.pdf", 4_412_331, "3", 3), file("field-guide.epub", 2_203_114, "3", 3)],
  },
  {
    id: 2, slug: "golden-hour-presets", name: "Golden Hour Lightroom Presets",
    description: "24 warm presets for portraits and landscapes, with a how-to video.",
    price_minor: 1200, currency: "usd", active: true, download_limit: null, created_at: NOW - 60 * DAY,
    files: [file("golden-hour-presets.zip", 48_230_114, "2", 2)],
  },
  {
    id: 3, slug: "brushes-vol-2", name: "Sketchbook Brushes Vol. 2",
    description: "",
    price_minor: 750, currency: "usd", active: false, download_limit: 3, created_at: NOW - 4 * DAY,
    files: [file("brushes-vol-2.zip", 120_331_003, "1", 1)],
  },
];

let settings: Settings = {
  store_name: "Ada's Little Shop", from_address: "hello@adasshop.com", support_email: "help@adasshop.com",
  public_url: "http://127.0.0.1:8080", listen: "127.0.0.1:8080", payments: LIVE ? "live" : "simulated",
  stripe_test_key_set: true, stripe_live_key_set: LIVE, webhook_secret_set: LIVE,
  smtp_url: "smtp://ada@smtp.fastmail.com:587?tls=required", smtp_password_set: true,
  secrets_store: `a file only you can read (${HOME}/secrets.json, mode 0600)`,
  templates_dir: `${HOME}/templates`,
  templates: ["email/base.html", "email/receipt.html", "email/receipt.txt", "email/update.html", "email/update.txt"]
    .map((name) => ({ name, overridden: name === "email/receipt.html" })),
};

function status(): Status {
  return {
    running: !stopped,
    error: stopped ? { code: "not_running", message: `can't listen on ${settings.listen}: address already in use (os error 98)` } : null,
    mode: settings.payments, listen: settings.listen,
    public_url: settings.public_url, data_dir: HOME, secrets_store: settings.secrets_store,
    store_name: settings.store_name, version: "0.1.0",
    tunnel: {
      state: "off", provider: null, label: null, url: null, ephemeral: false, plain_http: false, health: null,
      restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [],
    },
  };
}

// A repeatable month of sales: weekday rhythm plus a launch bump, no randomness per reload.
function salesOn(dayIndexFromToday: number): { purchases: number; revenue_minor: number } {
  if (EMPTY) return { purchases: 0, revenue_minor: 0 };
  const d = dayIndexFromToday;
  const wave = [2, 3, 1, 4, 2, 5, 3][d % 7];
  const bump = d >= 9 && d <= 12 ? 6 - Math.abs(d - 10) * 2 : 0;
  const purchases = Math.max(0, wave + bump - (d % 5 === 0 ? 2 : 0) - (d > 40 ? 1 : 0));
  const mix = [1900, 1200, 1900, 3100, 1200];
  let revenue = 0;
  for (let i = 0; i < purchases; i++) revenue += mix[(d + i) % mix.length];
  return { purchases, revenue_minor: revenue };
}

const BUYERS = ["maya.lindqvist@gmail.com", "tom@northwind.studio", "j.okafor@outlook.com", "sara.k@fastmail.com", "li.wei@proton.me", "hello@pixelandpine.co", "r.moreau@orange.fr", "dev@kestrel.io"];

function recent(): Purchase[] {
  if (EMPTY) return [];
  const minutesAgo = [4, 38, 95, 210, 600, 1500, 2900, 4400];
  return BUYERS.map((email, i) => {
    const p = products[i % 2];
    const both = i === 3;
    const amount = both ? products[0].price_minor + products[1].price_minor : p.price_minor;
    return {
      id: 200 - i, token: (i + 1).toString(16).padStart(2, "0").repeat(16), email,
      amount_minor: amount, currency: "usd", amount_refunded_minor: 0,
      checkout_session_id: `cs_test_a1b2c3${i}`, payment_intent_id: `pi_3Nx${i}`,
      status: i === 6 ? "refunded" : "paid", status_reason: null, email_problem: null, source: i === 5 ? "grant" : "checkout",
      test: true, created_at: NOW - minutesAgo[i] * 60,
      items: (both ? [products[0], products[1]] : [p]).map((q, j) => ({
        id: 500 + i * 2 + j, product_id: q.id, product_slug: q.slug, product_name: q.name,
        amount_minor: q.price_minor, download_limit: q.download_limit, revoked: false, files: [],
      })),
    };
  });
}

function dashboard(days: number): Dashboard {
  const series: DayPoint[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date((NOW - i * DAY) * 1000).toISOString().slice(0, 10);
    series.push({ day: d, ...salesOn(i) });
  }
  const paid = series.reduce((n, p) => n + p.purchases, 0);
  return {
    currency: "usd", series,
    total_revenue_minor: series.reduce((n, p) => n + p.revenue_minor, 0),
    total_purchases: paid,
    funnel: EMPTY
      ? { visits: 0, checkouts: 0, paid: 0, downloaded: 0 }
      : { visits: paid * 17 + 41, checkouts: Math.round(paid * 2.4), paid, downloaded: Math.round(paid * 0.9) },
    recent: recent(),
  };
}

function find(slug: unknown): Product {
  const p = products.find((x) => x.slug === slug);
  if (!p) throw { code: "not_found", message: `no product '${String(slug)}'` };
  return p;
}

// Paths the sample "disk" has; anything else fails like a missing file would.
function checkPath(path: string) {
  if (!path.startsWith("/home/") && !path.startsWith("/tmp/")) {
    throw invalid("file", `can't read ${path}: No such file or directory (os error 2)`);
  }
}

function limitOf(s: string): number | null {
  return /^(unlimited|none)$/i.test(s.trim()) ? null : Number(s);
}

const basename = (p: string) => p.split(/[\\/]/).pop() || p;

export const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {
  status: () => status(),
  restart_shop: async () => { await sleep(900); stopped = false; return status(); },
  open_external: () => null,

  dashboard: async ({ days }) => { await sleep(250); return dashboard(Number(days)); },

  list_products: async () => { await sleep(200); return structuredClone(products); },

  create_product: async ({ input }) => {
    const i = input as ProductInput;
    if (!i.name.trim()) throw invalid("name", "a name is 1–200 characters with no control characters");
    const price = parsePrice(i.price, i.currency);
    if ("error" in price) throw invalid("price", price.error);
    if (!i.files.length) throw invalid("file", "a product needs at least one file");
    i.files.forEach(checkPath);
    const slug = i.slug?.trim() || suggestSlug(i.name);
    if (products.some((p) => p.slug === slug)) throw { code: "conflict", message: `a product with the slug '${slug}' already exists` };
    await sleep(1800); // copying files
    const p: Product = {
      id: products.length + 1, slug, name: i.name.trim(), description: i.description.trim(),
      price_minor: price.minor, currency: i.currency, active: i.active, download_limit: limitOf(i.limit),
      created_at: Math.floor(Date.now() / 1000),
      files: i.files.map((f, n) => file(basename(f), 1_200_000 + n * 3_400_000, "1", 1)),
    };
    products = [...products, p];
    return p;
  },

  edit_product: async ({ slug, edit }) => {
    const e = edit as ProductEditInput;
    const p = find(slug);
    if (e.name !== undefined && !e.name.trim()) throw invalid("name", "a name is 1–200 characters with no control characters");
    if (e.slug !== undefined && e.slug !== p.slug && products.some((x) => x.slug === e.slug)) {
      throw { code: "conflict", message: "another product already uses that slug" };
    }
    const currency = e.currency ?? p.currency;
    let price_minor = p.price_minor;
    if (e.price !== undefined) {
      const r = parsePrice(e.price, currency);
      if ("error" in r) throw invalid("price", r.error);
      price_minor = r.minor;
    }
    await sleep(400);
    Object.assign(p, {
      name: e.name ?? p.name, slug: e.slug ?? p.slug, description: e.description ?? p.description,
      currency, price_minor, active: e.active ?? p.active,
      download_limit: e.limit !== undefined ? limitOf(e.limit) : p.download_limit,
    });
    return structuredClone(p);
  },

  add_files: async ({ slug, paths }) => {
    const p = find(slug);
    (paths as string[]).forEach(checkPath);
    await sleep(1200);
    p.files.push(...(paths as string[]).map((f) => file(basename(f), 2_500_000, "1", 1)));
    return structuredClone(p);
  },

  new_version: async ({ slug, file: which, path, version }) => {
    const p = find(slug);
    const f = p.files.find((x) => String(x.id) === which || x.display_name === which);
    if (!f) throw { code: "not_found", message: `no file '${String(which)}'` };
    checkPath(String(path));
    const label = String(version).trim() || String(f.versions + 1);
    if (/\s/.test(label)) throw invalid("version", "a version label is 1–40 characters without spaces, e.g. 1.1");
    await sleep(1200);
    Object.assign(f, { version: label, versions: f.versions + 1, size: f.size + 81_920 });
    return label;
  },

  product_links: ({ slug }) => {
    const p = find(slug);
    const buy = `${settings.public_url}/buy/${p.slug}`;
    return {
      page_url: `${settings.public_url}/p/${p.slug}`, buy_url: buy,
      button_html: `<a href="${buy}" style="display:inline-block;padding:10px 18px;background:#4f46e5;color:#fff;border-radius:8px;text-decoration:none;font-weight:600">Buy ${p.name}</a>`,
    };
  },

  open_test_purchase: async ({ slug }) => {
    const p = find(slug);
    if (!p.active) throw { code: "not_found", message: `'${p.slug}' is not for sale` };
    await sleep(500);
    return null;
  },

  settings: async () => { await sleep(150); return structuredClone(settings); },

  save_settings: async ({ input }) => {
    const i = input as SettingsInput;
    if (i.from_address !== undefined && checkEmail(i.from_address)) throw invalid("from_address", checkEmail(i.from_address)!);
    if (i.public_url !== undefined && checkPublicUrl(i.public_url)) throw invalid("public_url", checkPublicUrl(i.public_url)!);
    if (i.listen !== undefined) {
      if (checkListen(i.listen)) throw invalid("listen", checkListen(i.listen)!);
      // What a real machine says about low ports: only the server knows this one.
      if (Number(i.listen.split(":").pop()) < 1024) throw invalid("listen", "ports below 1024 need administrator rights; use e.g. 8080");
    }
    if (i.smtp_url !== undefined && checkSmtpUrl(i.smtp_url)) throw invalid("smtp_url", checkSmtpUrl(i.smtp_url)!);
    if (i.stripe_test_key && !i.stripe_test_key.startsWith("sk_test_") && !i.stripe_test_key.startsWith("rk_test_")) {
      throw invalid("stripe_test_key", "a Stripe test key starts with sk_test_");
    }
    const mode: Mode | undefined = i.payments;
    const testKey = i.stripe_test_key !== undefined ? i.stripe_test_key !== "" : settings.stripe_test_key_set;
    const liveKey = i.stripe_live_key !== undefined ? i.stripe_live_key !== "" : settings.stripe_live_key_set;
    if (mode === "test" && !testKey) throw invalid("payments", "add a Stripe test key to use Stripe test mode");
    if (mode === "live" && !liveKey) throw invalid("payments", "add a Stripe live key to take real payments");
    await sleep(500);
    const { stripe_test_key, stripe_live_key, webhook_secret, smtp_password, ...plain } = i;
    settings = { ...settings, ...plain };
    if (stripe_test_key !== undefined) settings.stripe_test_key_set = stripe_test_key !== "";
    if (stripe_live_key !== undefined) settings.stripe_live_key_set = stripe_live_key !== "";
    if (webhook_secret !== undefined) settings.webhook_secret_set = webhook_secret !== "";
    if (smtp_password !== undefined) settings.smtp_password_set = smtp_password !== "";
    return structuredClone(settings);
  },

  check_stripe: async ({ mode, key }) => {
    await sleep(700);
    const k = String(key);
    if (!k) {
      const set = mode === "live" ? settings.stripe_live_key_set : settings.stripe_test_key_set;
      return set ? { ok: true, message: `Connected to acct_1PqR8sAda (${mode} mode)` } : { ok: false, message: `no ${mode} key is saved` };
    }
    if (k.length < 20) return { ok: false, message: "Stripe says: Invalid API Key provided: " + k.slice(0, 8) + "****" };
    return { ok: true, message: `Connected to acct_1PqR8sAda (${mode} mode)` };
  },

  send_test_mail: async ({ to }) => {
    await sleep(900);
    if (String(to).endsWith("@example.com")) throw { code: "mail", message: "smtp.fastmail.com said: 550 5.1.1 recipient rejected" };
    return settings.smtp_url ? `Sent to ${String(to)} through smtp.fastmail.com` : `Written to ${HOME}/outbox/test.eml`;
  },

  customize_template: async ({ name }) => {
    await sleep(200);
    const t = settings.templates.find((x) => x.name === name);
    if (t) t.overridden = true;
    return `${settings.templates_dir}/${String(name)}`;
  },

  // Tauri plugins the screens use; the preview answers them too.
  "plugin:dialog|open": ({ options }) => {
    const multiple = (options as { multiple?: boolean } | undefined)?.multiple;
    return multiple ? ["/home/ada/Books/field-guide-4th.pdf", "/home/ada/Books/field-guide-4th.epub"] : "/home/ada/Books/field-guide-4th.pdf";
  },
  "plugin:event|listen": () => Math.floor(Math.random() * 1e6),
  "plugin:event|unlisten": () => null,
};

// Sample answers for the Products screen: four products with their files (one is pay what
// you want, from free), and the edits, uploads, links and test purchases made on them. State lives in this module, so
// what the preview saves shows on the next list. /preview.html?empty#products starts with none.
import type { Product, ProductEditInput, ProductInput } from "../lib/api";
import { minorDigits } from "../lib/format";
import { DAY, EMPTY, NOW, invalid, mistakes, sleep, type Commands } from "./data";
import { activationsOf } from "./licenses";
import { savedSettings } from "./settings";

let nextFileId = 10;
function file(name: string, size: number, version: string, versions: number, notes = "") {
  const id = nextFileId++;
  return {
    id, display_name: name, version_id: id * 10 + versions, version, size, versions,
    sha256: "9f2c4e1b7a".padEnd(64, "0"), stored_path: `files/${id}-${name}`, notes,
  };
}

const GUIDE_NOTES = "The third edition: a new chapter on print-on-demand, the pricing chapter rewritten for 2026, and every link checked again.";

let products: Product[] = EMPTY ? [] : [
  {
    id: 1, slug: "field-guide", name: "The Field Guide to Indie Publishing",
    description: "A practical, 240-page guide to writing, designing and selling your own books.",
    price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true, download_limit: 5, license_activations: null, pdf_stamp: null, created_at: NOW - 120 * DAY, archived_at: null,
    files: [file("field-guide.pdf", 4_412_331, "3", 3, GUIDE_NOTES), file("field-guide.epub", 2_203_114, "3", 3, GUIDE_NOTES)],
  },
  {
    id: 2, slug: "golden-hour-presets", name: "Golden Hour Lightroom Presets",
    description: "24 warm presets for portraits and landscapes, with a how-to video.",
    price_minor: 1200, currency: "usd", min_price_minor: null, tax_code: null, active: true, download_limit: null, license_activations: 3, pdf_stamp: null, created_at: NOW - 60 * DAY, archived_at: null,
    files: [file("golden-hour-presets.zip", 48_230_114, "2", 2)],
  },
  {
    id: 3, slug: "brushes-vol-2", name: "Sketchbook Brushes Vol. 2",
    description: "",
    price_minor: 750, currency: "usd", min_price_minor: null, tax_code: null, active: false, download_limit: 3, license_activations: null, pdf_stamp: null, created_at: NOW - 4 * DAY, archived_at: null,
    files: [file("brushes-vol-2.zip", 120_331_003, "1", 1)],
  },
  {
    id: 4, slug: "quiet-corners-zine", name: "Quiet Corners, a Photo Zine",
    description: "32 pages of small places in big cities. Pay what you like, or take it free.",
    price_minor: 500, currency: "usd", min_price_minor: 0, tax_code: null, active: true, download_limit: null, license_activations: null, pdf_stamp: null, created_at: NOW - 30 * DAY, archived_at: null,
    files: [file("quiet-corners.pdf", 18_402_221, "1", 1)],
  },
];

/** The products as they are now (the Dashboard's recent purchases name them). */
export const catalogue = (): Product[] => products;

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

// Rough stand-ins for the core's checks, enough to show the form's errors.
function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

function checkName(name: string) {
  if (!name.trim()) throw invalid("name", "a name is 1–200 characters with no control characters");
}

function priceOf(text: string, currency: string): number {
  const n = Number(text.trim().replaceAll(",", ""));
  if (!text.trim() || !Number.isFinite(n)) throw invalid("price", `'${text.trim()}' is not a price; write it like 9.99`);
  if (n <= 0) throw invalid("price", "a price must be more than zero");
  return Math.round(n * 10 ** minorDigits(currency));
}

/** A pay-what-you-want minimum: "" is a fixed price; otherwise from 0 up to the price. */
function minOf(text: string | null | undefined, price: number, currency: string): number | null {
  const t = (text ?? "").trim();
  if (!t) return null;
  const n = Number(t.replaceAll(",", ""));
  if (!Number.isFinite(n) || n < 0) throw invalid("min_price", `'${t}' is not an amount; write it like 2.50, or 0 for free`);
  const minor = Math.round(n * 10 ** minorDigits(currency));
  if (minor > price) throw invalid("min_price", "the minimum can't be above the suggested price");
  return minor;
}

function limitOf(s: string): number | null {
  return /^(unlimited|none)$/i.test(s.trim()) ? null : Number(s);
}

const basename = (p: string) => p.split(/[\\/]/).pop() || p;

/** The core's stamp setting, roughly: "off" none, "on" or "default" its wording, else the line. */
function stampOf(typed: string | null | undefined): string | null {
  if (typed == null) return null;
  const t = String(typed).trim();
  if (!t) throw invalid("stamp", "write the line to stamp, or turn stamping off");
  if (/^off$/i.test(t)) return null;
  if (/^(on|default)$/i.test(t)) return "Licensed to {email} · {date}";
  if ([...t].length > 200 || /[\u0000-\u001f\u007f]/.test(t)) throw invalid("stamp", "a stamp is 1–200 characters on one line");
  const other = [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).find((n) => n !== "email" && n !== "date");
  if (other) throw invalid("stamp", `{${other}} is not a placeholder: a stamp can use {email} and {date}`);
  return t;
}

export const commands: Commands = {
  list_products: async () => { await sleep(200); return structuredClone(products); },

  suggest_slug: ({ name }) => slugOf(String(name)),

  validate_product: ({ input }) => {
    const i = input as ProductInput;
    return mistakes(
      () => checkName(i.name),
      () => priceOf(i.price, i.currency),
      () => minOf(i.min_price, priceOf(i.price, i.currency), i.currency),
      () => { if (!i.files.length) throw invalid("file", "a product needs at least one file"); },
      () => activationsOf(i.licenses),
      () => stampOf(i.stamp),
    );
  },

  validate_product_edit: ({ slug, edit }) => {
    const e = edit as ProductEditInput;
    const p = find(slug);
    return mistakes(
      () => e.name != null && checkName(e.name),
      () => e.price != null && priceOf(e.price, e.currency ?? p.currency),
      () => e.min_price != null && minOf(e.min_price, e.price != null ? priceOf(e.price, e.currency ?? p.currency) : p.price_minor, e.currency ?? p.currency),
      () => activationsOf(e.licenses),
      () => e.stamp != null && stampOf(e.stamp),
    );
  },

  validate_version: ({ version, notes }) => mistakes(() => {
    if (/\s/.test(String(version).trim())) throw invalid("version", "a version label is 1–40 characters without spaces, e.g. 1.1");
  }, () => {
    if (String(notes ?? "").length > 10_000) throw invalid("notes", "release notes are at most 10,000 characters of text");
  }),

  create_product: async ({ input }) => {
    const i = input as ProductInput;
    checkName(i.name);
    const price = priceOf(i.price, i.currency);
    const min = minOf(i.min_price, price, i.currency);
    if (!i.files.length) throw invalid("file", "a product needs at least one file");
    i.files.forEach(checkPath);
    const slug = i.slug?.trim() || slugOf(i.name);
    if (products.some((p) => p.slug === slug)) throw { code: "conflict", message: `a product with the slug '${slug}' already exists` };
    await sleep(1800); // copying files
    const p: Product = {
      id: products.length + 1, slug, name: i.name.trim(), description: i.description.trim(),
      price_minor: price, currency: i.currency, min_price_minor: min, tax_code: i.tax_code?.trim() || null, active: i.active, download_limit: limitOf(i.limit), license_activations: activationsOf(i.licenses), pdf_stamp: stampOf(i.stamp),
      created_at: Math.floor(Date.now() / 1000), archived_at: null,
      files: i.files.map((f, n) => file(basename(f), 1_200_000 + n * 3_400_000, "1", 1)),
    };
    products = [...products, p];
    return p;
  },

  edit_product: async ({ slug, edit }) => {
    const e = edit as ProductEditInput;
    const p = find(slug);
    if (e.name != null) checkName(e.name);
    if (e.slug != null && e.slug !== p.slug && products.some((x) => x.slug === e.slug)) {
      throw { code: "conflict", message: "another product already uses that slug" };
    }
    const currency = e.currency ?? p.currency;
    const price_minor = e.price != null ? priceOf(e.price, currency) : p.price_minor;
    const min_price_minor = e.min_price != null ? minOf(e.min_price, price_minor, currency) : p.min_price_minor;
    await sleep(400);
    Object.assign(p, {
      name: e.name ?? p.name, slug: e.slug ?? p.slug, description: e.description ?? p.description,
      currency, price_minor, min_price_minor, active: e.active ?? p.active,
      download_limit: e.limit != null ? limitOf(e.limit) : p.download_limit,
      license_activations: e.licenses != null ? activationsOf(e.licenses) : p.license_activations,
      pdf_stamp: e.stamp != null ? stampOf(e.stamp) : p.pdf_stamp,
    });
    return structuredClone(p);
  },

  archive_product: async ({ slug }) => {
    const p = find(slug);
    if (p.archived_at !== null) throw { code: "conflict", message: `'${p.slug}' is already archived` };
    await sleep(300);
    p.archived_at = Math.floor(Date.now() / 1000);
    return structuredClone(p);
  },

  unarchive_product: async ({ slug }) => {
    const p = find(slug);
    if (p.archived_at === null) throw { code: "conflict", message: `'${p.slug}' isn't archived` };
    await sleep(300);
    p.archived_at = null;
    return structuredClone(p);
  },

  remove_file: async ({ slug, fileId }) => {
    const p = find(slug);
    const f = p.files.find((x) => x.id === fileId);
    if (!f) throw { code: "not_found", message: `'${p.slug}' has no file ${String(fileId)}` };
    if (p.files.length === 1 && p.active && p.archived_at === null) {
      throw { code: "conflict", message: `'${f.display_name}' is the only file of '${p.slug}', which is for sale: add another file first, or make the product inactive or archive it` };
    }
    await sleep(300);
    p.files = p.files.filter((x) => x.id !== fileId);
    return structuredClone(p);
  },

  add_files: async ({ slug, paths }) => {
    const p = find(slug);
    (paths as string[]).forEach(checkPath);
    await sleep(1200);
    p.files.push(...(paths as string[]).map((f) => file(basename(f), 2_500_000, "1", 1)));
    return structuredClone(p);
  },

  new_version: async ({ slug, file: which, path, version, notes }) => {
    const p = find(slug);
    const f = p.files.find((x) => String(x.id) === which || x.display_name === which);
    if (!f) throw { code: "not_found", message: `no file '${String(which)}'` };
    checkPath(String(path));
    const label = String(version).trim() || String(f.versions + 1);
    if (/\s/.test(label)) throw invalid("version", "a version label is 1–40 characters without spaces, e.g. 1.1");
    await sleep(1200);
    Object.assign(f, { version: label, versions: f.versions + 1, size: f.size + 81_920, notes: String(notes ?? "").trim() });
    return label;
  },

  product_links: ({ slug }) => {
    const p = find(slug);
    const { public_url } = savedSettings();
    const buy = `${public_url}/buy/${p.slug}`;
    return {
      page_url: `${public_url}/p/${p.slug}`, buy_url: buy,
      button_html: `<a href="${buy}" style="display:inline-block;padding:10px 18px;background:#4f46e5;color:#fff;border-radius:8px;text-decoration:none;font-weight:600">Buy ${p.name}</a>`,
    };
  },

  open_test_purchase: async ({ slug }) => {
    const p = find(slug);
    if (!p.active) throw { code: "not_found", message: `'${p.slug}' is not for sale` };
    await sleep(500);
    return null;
  },

  // The native file picker of @tauri-apps/plugin-dialog, for a product's files.
  "plugin:dialog|open": ({ options }) => {
    const multiple = (options as { multiple?: boolean } | undefined)?.multiple;
    return multiple ? ["/home/ada/Books/field-guide-4th.pdf", "/home/ada/Books/field-guide-4th.epub"] : "/home/ada/Books/field-guide-4th.pdf";
  },
};

// Client-side form checks that mirror the core's rules (booth-core domain.rs, catalog.rs,
// settings.rs), so the seller sees the obvious mistakes before a round trip. The core stays
// the judge: its `invalid_input` errors are shown the same way.
// Each check returns the problem in words, or null when the value is fine.

/** Stripe's presentment currencies, as the core accepts them. */
export const CURRENCIES = [
  "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
  "bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad",
  "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp",
  "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl",
  "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf",
  "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd",
  "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok",
  "npr", "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd",
  "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl",
  "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs", "vnd",
  "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];
/** Offered first in the currency picker. */
export const COMMON_CURRENCIES = ["usd", "eur", "gbp", "cad", "aud", "jpy", "chf", "sek", "nok", "dkk", "nzd", "inr", "brl", "mxn", "pln", "sgd"];

const ZERO_DECIMAL = ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];
const THREE_DECIMAL = ["bhd", "jod", "kwd", "omr", "tnd"];
/** Stripe's ceiling for one charge, in minor units. */
export const MAX_AMOUNT_MINOR = 99_999_999;

/** Digits after the point in the currency's minor unit (as the core counts them). */
export function currencyExponent(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.includes(c)) return 0;
  if (THREE_DECIMAL.includes(c)) return 3;
  return 2;
}

/** Minor units → the price as the seller would type it (1999 → "19.99", 1234 kwd → "1.234"). */
export function minorToPrice(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (!exp) return String(minor);
  const s = String(minor).padStart(exp + 1, "0");
  return `${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

// Rust's char::is_control: C0 and C1 control characters.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function checkName(name: string): string | null {
  const n = name.trim();
  if (!n) return "A name is required";
  if ([...n].length > 200) return "A name is at most 200 characters";
  if (CONTROL.test(n)) return "A name can't contain control characters";
  return null;
}

export function checkDescription(d: string): string | null {
  if ([...d].length > 10_000) return "A description is at most 10,000 characters";
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(d)) return "A description is plain text";
  return null;
}

export function checkSlug(slug: string): string | null {
  const s = slug.trim();
  const ok = s.length > 0 && s.length <= 64 && /^[a-z0-9-]+$/.test(s) && !s.startsWith("-") && !s.endsWith("-") && !s.includes("--");
  return ok ? null : "Use 1–64 lowercase letters, digits and single dashes, e.g. my-ebook";
}

/** The slug the core would derive from a name ("The Book, 2nd ed." → "the-book-2nd-ed"); "" if none. */
export function suggestSlug(name: string): string {
  let out = "";
  for (const c of name.toLowerCase()) {
    if (/^[a-z0-9]$/.test(c)) out += c;
    else if (out && !out.endsWith("-")) out += "-";
  }
  return out.replace(/-+$/, "").slice(0, 64).replace(/-+$/, "");
}

export function checkCurrency(currency: string): string | null {
  return CURRENCIES.includes(currency.trim().toLowerCase()) ? null : `'${currency.trim()}' is not a currency Stripe supports`;
}

/**
 * A typed price ("9.99", "1,000.50") → minor units, or the problem. Integer digits only:
 * the string is split at the point and never goes through a float.
 */
export function parsePrice(input: string, currency: string): { minor: number } | { error: string } {
  const t = input.trim();
  const exp = currencyExponent(currency);
  const dot = t.indexOf(".");
  const whole = dot < 0 ? t : t.slice(0, dot);
  const frac = dot < 0 ? "" : t.slice(dot + 1);
  // A comma only groups thousands; "9,99" is a decimal comma and would mean 999.
  const groups = whole.split(",");
  if (groups.length > 1 && (!groups[0] || groups[0].length > 3 || groups.slice(1).some((g) => g.length !== 3))) {
    return { error: "Use a point for decimals, e.g. 9.99" };
  }
  const digits = whole.replaceAll(",", "");
  if (!digits && !frac) return { error: "A price is required, e.g. 9.99" };
  if (!/^\d*$/.test(digits) || !/^\d*$/.test(frac)) return { error: "Write the price like 9.99" };
  if (frac.length > exp) {
    return { error: exp ? `${currency.toUpperCase()} takes at most ${exp} digits after the point` : `${currency.toUpperCase()} has no cents: use a whole number` };
  }
  const all = (digits + frac.padEnd(exp, "0")).replace(/^0+/, "");
  if (all.length > 9 || Number(all) > MAX_AMOUNT_MINOR) return { error: "That is above the most Stripe can charge at once" };
  const minor = all ? Number(all) : 0;
  if (minor === 0) return { error: "A price must be more than zero" };
  return { minor };
}

export function checkPrice(input: string, currency: string): string | null {
  const r = parsePrice(input, currency);
  return "error" in r ? r.error : null;
}

/** "5", "unlimited" (or "none"). */
export function checkLimit(limit: string): string | null {
  const s = limit.trim().toLowerCase();
  if (s === "unlimited" || s === "none") return null;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= 1_000_000) return null;
  }
  return "A whole number from 1 to 1,000,000, or unlimited";
}

export function checkVersionLabel(label: string): string | null {
  const l = label.trim();
  if (!l) return null; // empty: the core picks the next number
  if (l.length > 40 || /\s/.test(l) || CONTROL.test(l)) return "1–40 characters without spaces, e.g. 1.1";
  return null;
}

export function checkEmail(input: string): string | null {
  const s = input.trim();
  if (!s) return "An email address is required";
  if (s.length > 254) return "An email address is at most 254 characters";
  if (/[\s<>,;"()[\]\\]/.test(s) || CONTROL.test(s)) return "An email address can't contain spaces or <>,;\"()[]\\";
  const at = s.lastIndexOf("@");
  if (at < 0) return "An email address needs an @";
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!local || local.length > 64) return "The part before the @ is not valid";
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((l) => !l || l.startsWith("-") || l.endsWith("-"))) {
    return "The part after the @ is not a valid domain";
  }
  return null;
}

export function checkPublicUrl(input: string): string | null {
  const s = input.trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return "A public URL looks like https://shop.example.com";
  }
  if (!["http:", "https:"].includes(u.protocol) || !u.hostname || u.search || u.hash || u.username || u.password || /\s/.test(s)) {
    return "Use http(s)://host[:port][/path], without a query, fragment or login";
  }
  return null;
}

/** An IP address and port (the core parses a SocketAddr): 127.0.0.1:8080, 0.0.0.0:80, [::1]:8080. */
export function checkListen(input: string): string | null {
  const s = input.trim();
  const m = /^(?:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(s);
  if (!m) return "An IP address and port, like 127.0.0.1:8080";
  if (m[1] !== undefined && m.slice(1, 5).some((o) => Number(o) > 255)) return "An IP address and port, like 127.0.0.1:8080";
  const port = Number(m[5]);
  if (port < 1 || port > 65535) return "A port is a number from 1 to 65535";
  return null;
}

/** "" is fine: mail then goes to the local outbox folder. */
export function checkSmtpUrl(input: string): string | null {
  const s = input.trim();
  if (!s) return null;
  if (/\s/.test(s) || CONTROL.test(s) || s.length > 500) return "No spaces or line breaks, at most 500 characters";
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return "Not a URL; e.g. smtp://user@smtp.example.com:587";
  }
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:") return "The URL starts with smtp:// or smtps://";
  if (!u.hostname) return "The URL needs a host, e.g. smtp://user@smtp.example.com:587";
  if (u.password) return "Put the password in the password field, not in the URL";
  const tls = u.searchParams.get("tls");
  if (tls !== null && tls !== "required" && tls !== "opportunistic") return "tls= is required or opportunistic";
  return null;
}

/** A key typed into the test or live field must be of that kind. */
export function checkStripeKey(mode: "test" | "live", key: string): string | null {
  const k = key.trim();
  if (!k) return "Paste the key from the Stripe dashboard";
  const ok = mode === "test" ? /^(sk|rk)_test_/.test(k) : /^(sk|rk)_live_/.test(k);
  if (ok) return null;
  if (/^pk_/.test(k)) return "That is a publishable key; Booth needs the secret key (sk_…)";
  return mode === "test" ? "A test secret key starts with sk_test_" : "A live secret key starts with sk_live_";
}

export function checkWebhookSecret(secret: string): string | null {
  return /^whsec_\S+$/.test(secret.trim()) ? null : "A webhook signing secret starts with whsec_";
}

export interface ProductFields {
  name: string;
  slug: string;
  description: string;
  price: string;
  currency: string;
  limit: string;
}

/** All field problems of the product form, keyed by field name (the core's `field` names). */
export function validateProduct(p: ProductFields, files: string[] | null): Record<string, string> {
  const errors: Record<string, string> = {};
  const put = (field: string, e: string | null) => { if (e) errors[field] = e; };
  put("name", checkName(p.name));
  // An empty slug is derived from the name by the core; only check it when given or needed.
  if (p.slug.trim()) put("slug", checkSlug(p.slug));
  else if (!errors.name && !suggestSlug(p.name)) put("slug", "Couldn't make a slug from the name; type one");
  put("description", checkDescription(p.description));
  put("currency", checkCurrency(p.currency));
  if (!errors.currency) put("price", checkPrice(p.price, p.currency));
  put("limit", checkLimit(p.limit));
  if (files && files.length === 0) put("file", "Add at least one file buyers will download");
  return errors;
}

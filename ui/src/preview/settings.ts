// Sample answers for the Settings screen: the shop's settings and secrets, the Stripe
// and mail checks, the email templates, and the tunnel panel (Settings → Public address),
// with a tunnel that starts, comes up, gets checked, dies and retries as it would for real.
// /preview.html?live#settings takes live payments. The tunnel starts as ?tunnel=up (the
// default: a Cloudflare quick tunnel is up), ?tunnel=off, ?tunnel=retrying, ?tunnel=failed
// (bore isn't installed) or ?tunnel=named (a named tunnel with a stable address).
// app.ts puts the tunnel and the public address in the sidebar's status, so the sidebar
// and the "stable public address" field agree with the tunnel.
import type {
  Mode, Settings, SettingsInput, TunnelInput, TunnelLogEntry, TunnelProvider, TunnelProviderInfo, TunnelStatus,
  TunnelView,
} from "../lib/api";
import { INSTALL_HINT, changesAddress, inputFor } from "../lib/tunnel";
import { HOME, invalid, mistakes, sleep, type Commands } from "./data";

const LIVE = location.search.includes("live");

// ---- settings --------------------------------------------------------------------

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

/**
 * The settings as the shop keeps them. Their `public_url` is the address the shop was
 * given (http://127.0.0.1:8080 until a stable one is saved), which product links use;
 * the `settings` command answers the stable public address in its place.
 */
export const savedSettings = (): Settings => settings;

// ---- the public address: a tunnel ------------------------------------------------

const LOCAL = "http://127.0.0.1:8080";
const START = new URLSearchParams(location.search).get("tunnel") ?? "up";
const now = () => Math.floor(Date.now() / 1000);

const INSTALLED: Record<TunnelProvider, boolean> = {
  bore: false, cloudflared: true, "cloudflared-named": true, ngrok: false, ssh: true, custom: true,
};
const PROVIDERS: TunnelProviderInfo[] = [
  { id: "bore", label: "bore", program: "bore", installed: INSTALLED.bore, token_label: "Server secret (only if the bore server asks for one)", changes_address: true, stable_with: "port" },
  { id: "cloudflared", label: "Cloudflare quick tunnel", program: "cloudflared", installed: INSTALLED.cloudflared, token_label: null, changes_address: true, stable_with: null },
  { id: "cloudflared-named", label: "Cloudflare named tunnel", program: "cloudflared", installed: INSTALLED["cloudflared-named"], token_label: "Tunnel token", changes_address: false, stable_with: null },
  { id: "ngrok", label: "ngrok", program: "ngrok", installed: INSTALLED.ngrok, token_label: "Authtoken (not needed if ngrok is already set up)", changes_address: true, stable_with: "hostname" },
  { id: "ssh", label: "SSH (localhost.run, serveo, pinggy…)", program: "ssh", installed: INSTALLED.ssh, token_label: null, changes_address: true, stable_with: null },
  { id: "custom", label: "Custom command", program: null, installed: true, token_label: null, changes_address: false, stable_with: null },
];
const labelOf = (p: string) => PROVIDERS.find((x) => x.id === p)?.label ?? p;
const isEphemeral = (i: TunnelInput) => {
  const p = PROVIDERS.find((x) => x.id === i.provider);
  return !!p && changesAddress(i, p);
};

// Rough stand-ins for the core's checks, enough to show the forms' errors.
function checkEmail(field: string, email: string) {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) throw invalid(field, "this is not a valid email address");
}

function settingsChecks(i: SettingsInput): (() => void)[] {
  const has = (typed: string | null | undefined, saved: boolean) => (typed != null ? typed !== "" : saved);
  return [
    () => { if (i.from_address != null) checkEmail("from_address", i.from_address); },
    () => { if (i.support_email) checkEmail("support_email", i.support_email); },
    () => { if (i.public_url && !/^https?:\/\/[^\s/?#]+/.test(i.public_url)) throw invalid("public_url", "a public URL looks like https://shop.example.com"); },
    () => { if (i.listen != null && !/:\d{1,5}$/.test(i.listen.trim())) throw invalid("listen", "an address and port, like 127.0.0.1:8080"); },
    () => { if (i.smtp_url && !/^smtps?:\/\//.test(i.smtp_url)) throw invalid("smtp_url", "an SMTP URL starts with smtp:// or smtps:// and names a host"); },
    () => { if (i.stripe_test_key && !/^[sr]k_test_/.test(i.stripe_test_key)) throw invalid("stripe_test_key", "this key should start with sk_test_ or rk_test_"); },
    () => { if (i.payments === "test" && !has(i.stripe_test_key, settings.stripe_test_key_set)) throw invalid("payments", "add a Stripe test secret key to use Stripe test mode"); },
    () => { if (i.payments === "live" && !has(i.stripe_live_key, settings.stripe_live_key_set)) throw invalid("payments", "add a Stripe live secret key to take real payments"); },
  ];
}

function checkTunnel(i: TunnelInput, token: string | undefined): (() => void)[] {
  const named = i.provider === "cloudflared-named";
  return [
    () => { if (i.port && !/^\d+$/.test(i.port)) throw invalid("port", "a port is a number from 1 to 65535"); },
    () => { if (i.server.startsWith("-")) throw invalid("server", "an SSH server is [user@]host[:port], like nokey@localhost.run"); },
    () => { if (named && !i.hostname) throw invalid("hostname", "a hostname looks like shop.example.com (no path, no port)"); },
    () => { if (named && !(token === undefined ? tokenSet : token)) throw invalid("token", "a named tunnel needs its token"); },
    () => { if (i.provider === "custom" && !i.command.trim()) throw invalid("command", "type the command that opens the tunnel"); },
    () => { if (i.provider === "custom" && !i.pattern.trim()) throw invalid("pattern", "say how to find the public URL in the command's output"); },
  ];
}

let saved: TunnelInput | null = null;
let on = false;
let tokenSet = false;
/** The stable public address saved in Settings → Public address; null when there is none. */
let configured: string | null = null;
let log: TunnelLogEntry[] = [];
let status: TunnelStatus = off();
/** state "retrying": when the next start is due (unix seconds). */
let retryAt = 0;
/** Bumped by Start and Stop, so timers of an earlier run do nothing. */
let run = 0;

function off(): TunnelStatus {
  return {
    state: "off", provider: null, label: null, url: null, ephemeral: false, plain_http: false, health: null,
    restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [],
  };
}

function note(kind: string, message: string, at = now()) {
  log = [{ at, kind, message }, ...log].slice(0, 50);
}

function urlFor(i: TunnelInput): string {
  switch (i.provider) {
    case "bore": return `http://bore.pub:${i.port || 41327}`;
    case "cloudflared": return `https://${["seasonal", "deck", "organisms", "quiet", "harbor", "lantern"].sort(() => Math.random() - 0.5).slice(0, 3).join("-")}.trycloudflare.com`;
    case "cloudflared-named": return `https://${i.hostname}`;
    case "ngrok": return i.hostname ? `https://${i.hostname}` : "https://3a1f-203-0-113-7.ngrok-free.app";
    case "ssh": return "https://3f2c8d2a1b9e4c.lhr.life";
    default: return "https://x.example.net";
  }
}

function warningsFor(i: TunnelInput, url: string): string[] {
  const w: string[] = [];
  if (isEphemeral(i) && !configured) {
    w.push(`${url} changes every time the tunnel starts, so purchase links already emailed stop working when it does. Use a stable address (a named Cloudflare tunnel or an ngrok domain) and set it as the shop's public address.`);
  }
  if (url.startsWith("http://")) {
    w.push("This address is plain http: downloads and purchase pages aren't encrypted (cards never pass through Booth). Fine for trying things out; for real sales use an https tunnel such as Cloudflare or ngrok.");
  }
  return w;
}

function up(i: TunnelInput, restarts: number) {
  const url = urlFor(i);
  status = {
    state: "up", provider: i.provider as TunnelProvider, label: labelOf(i.provider), url, ephemeral: isEphemeral(i),
    plain_http: url.startsWith("http://"), health: null, restarts, pid: 4242, retry_in_secs: null, message: null,
    webhook: "The simulator sends payment events to " + url + "/webhooks/stripe",
    warnings: warningsFor(i, url),
  };
  note("address", `public address ${url}`);
  note("webhook", `payment events now go to ${url}/webhooks/stripe`);
  note("up", `${labelOf(i.provider)} is up`);
  const mine = run;
  setTimeout(() => { if (mine === run) void checkNow(); }, 1200);
}

async function checkNow() {
  if (status.state !== "up") return;
  const mine = run;
  await sleep(500);
  if (mine !== run || status.state !== "up") return;
  status.health = { ok: true, at: now(), latency_ms: 90 + Math.floor(Math.random() * 80), error: null };
}

/** Starts the saved tunnel: a moment "starting", then up (or failed if not installed). */
function launch(restarts = 0) {
  const i = saved!;
  const mine = ++run;
  status = { ...off(), state: "starting", provider: i.provider as TunnelProvider, label: labelOf(i.provider), restarts, ephemeral: isEphemeral(i) };
  note("started", `${PROVIDERS.find((p) => p.id === i.provider)?.program ?? "the command"} started`);
  setTimeout(() => {
    if (mine !== run) return;
    if (!INSTALLED[i.provider as TunnelProvider]) {
      const program = PROVIDERS.find((p) => p.id === i.provider)?.program ?? i.provider;
      const message = `${program} isn't installed (or isn't on the PATH Booth sees). ${INSTALL_HINT[i.provider as TunnelProvider].replace(/\.$/, "")}, then press Start again.`;
      status = { ...status, state: "failed", message };
      note("failed", message);
      return;
    }
    up(i, restarts);
  }, 2200);
}

function retry(restarts: number, secs: number, why: string) {
  const mine = ++run;
  retryAt = now() + secs;
  status = { ...status, state: "retrying", url: null, health: null, restarts, retry_in_secs: secs, message: why, webhook: null };
  note("exited", why);
  note("restart", `starting again in ${secs} s`);
  setTimeout(() => { if (mine === run) launch(restarts + 1); }, secs * 1000);
}

// The starting state, picked by ?tunnel=…
(function seed() {
  const t = now();
  if (START === "off") {
    saved = null;
    return;
  }
  if (START === "named") {
    saved = { provider: "cloudflared-named", server: "", port: "", hostname: "shop.adasshop.com", command: "", pattern: "" };
    tokenSet = true;
    configured = "https://shop.adasshop.com";
  } else if (START === "failed") {
    saved = { provider: "bore", server: "", port: "", hostname: "", command: "", pattern: "" };
  } else {
    saved = { provider: "cloudflared", server: "", port: "", hostname: "", command: "", pattern: "" };
  }
  on = true;
  note("started", "cloudflared started", t - 3 * 3600);
  note("up", `${labelOf(saved.provider)} is up`, t - 3 * 3600 + 4);
  note("health", "https://old-name-here.trycloudflare.com/healthz: timed out after 10 s", t - 50 * 60);
  note("exited", "the tunnel program ended (exit 1)", t - 49 * 60);
  note("restart", "starting again in 1 s", t - 49 * 60);
  note("started", "cloudflared started", t - 49 * 60 + 1);
  if (START === "failed") {
    const message = `bore isn't installed (or isn't on the PATH Booth sees). ${INSTALL_HINT.bore.replace(/\.$/, "")}, then press Start again.`;
    status = { ...off(), state: "failed", provider: "bore", label: "bore", ephemeral: true, message };
    note("failed", message, t - 20);
    return;
  }
  up(saved, 1);
  status.health = { ok: true, at: t - 20, latency_ms: 124, error: null };
  if (START === "retrying") retry(3, 16, "The tunnel program ended (exit 1)");
})();

function view(): TunnelView {
  if (status.state === "retrying") status.retry_in_secs = Math.max(0, retryAt - now());
  return structuredClone({
    status, saved, on, token_set: tokenSet, public_url: publicAddress(), links_local: /^http:\/\/127\./.test(publicAddress()), configured_url: configured,
    providers: PROVIDERS, log,
  });
}

/** The tunnel's status, for the sidebar. */
export const tunnelStatus = (): TunnelStatus => structuredClone(status);

/** Where buyers reach the shop: the stable public address, else the tunnel's, else the shop's own. */
export function publicAddress(): string {
  const url = status.state === "up" ? status.url : null;
  return configured ?? url ?? LOCAL;
}

// ---- commands --------------------------------------------------------------------

export const commands: Commands = {
  // The stable public address in place of the shop's own ("" when there is none).
  settings: async () => { await sleep(150); return { ...structuredClone(settings), public_url: configured ?? "" }; },

  validate_settings: ({ input }) => mistakes(...settingsChecks(input as SettingsInput)),

  validate_test_mail: ({ to }) => mistakes(() => checkEmail("email", String(to))),

  save_settings: async ({ input }) => {
    const { public_url, ...rest } = input as SettingsInput;
    // "" clears the stable public address: it isn't checked as a URL nor kept as the shop's own.
    const i: SettingsInput = public_url ? { ...rest, public_url } : rest;
    const [mistake] = mistakes(...settingsChecks(i));
    if (mistake) throw mistake;
    // What a real machine says about low ports: only the server knows this one.
    if (i.listen != null && Number(i.listen.split(":").pop()) < 1024) throw invalid("listen", "ports below 1024 need administrator rights; use e.g. 8080");
    await sleep(500);
    const { stripe_test_key, stripe_live_key, webhook_secret, smtp_password, payments, ...plain } = i;
    // Fields left out (or null) keep their value.
    settings = { ...settings, ...Object.fromEntries(Object.entries(plain).filter(([, v]) => v != null)) };
    if (payments) settings.payments = payments as Mode;
    if (stripe_test_key !== undefined) settings.stripe_test_key_set = stripe_test_key !== "";
    if (stripe_live_key !== undefined) settings.stripe_live_key_set = stripe_live_key !== "";
    if (webhook_secret !== undefined) settings.webhook_secret_set = webhook_secret !== "";
    if (smtp_password !== undefined) settings.smtp_password_set = smtp_password !== "";
    if (public_url != null) configured = public_url.trim().replace(/\/$/, "") || null;
    return { ...structuredClone(settings), public_url: configured ?? "" };
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

  tunnel: async () => { await sleep(120); return view(); },

  validate_tunnel: ({ input, token }) => mistakes(...checkTunnel(input as TunnelInput, (token ?? undefined) as string | undefined)),

  start_tunnel: async ({ input, token }) => {
    const i = input as TunnelInput;
    const tok = (token ?? undefined) as string | undefined;
    const [mistake] = mistakes(...checkTunnel(i, tok));
    if (mistake) throw mistake;
    // A mistake only the far end knows about, to show a field error from "the core".
    if (i.provider === "cloudflared-named" && i.hostname.endsWith(".example.com")) {
      throw invalid("hostname", "example.com isn't a zone in your Cloudflare account; route a hostname of your own domain to the tunnel");
    }
    await sleep(500);
    saved = inputFor(i);
    if (tok !== undefined) tokenSet = tok !== "";
    on = true;
    launch();
    return view();
  },

  stop_tunnel: async () => {
    await sleep(300);
    run++;
    on = false;
    status = off();
    note("stopped", "stopped by you");
    return view();
  },

  check_tunnel: async () => {
    void checkNow();
    return view();
  },
};

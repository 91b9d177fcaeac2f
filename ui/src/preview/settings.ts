// Sample answers for the tunnel commands (Settings → Public address), with a tunnel that
// starts, comes up, gets checked, dies and retries in the preview as it would for real.
// /preview.html?tunnel=up#settings (the default: a Cloudflare quick tunnel is up),
// ?tunnel=off, ?tunnel=retrying, ?tunnel=failed (bore isn't installed), ?tunnel=named (a
// named tunnel with a stable address). Also wraps shell/settings answers from mock-a, so
// the sidebar and the "stable public address" field agree with the tunnel.
import type {
  ApiError, Settings, SettingsInput, Status, TunnelInput, TunnelLogEntry, TunnelProvider, TunnelProviderInfo,
  TunnelStatus, TunnelView,
} from "../lib/api";
import { INSTALL_HINT, inputFor, isEphemeral, validateTunnel } from "../lib/tunnel";
import { handlers as a } from "./mock-a";

type Args = Record<string, unknown>;

const LOCAL = "http://127.0.0.1:8080";
const START = new URLSearchParams(location.search).get("tunnel") ?? "up";
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const INSTALLED: Record<TunnelProvider, boolean> = {
  bore: false, cloudflared: true, "cloudflared-named": true, ngrok: false, ssh: true, custom: true,
};
const PROVIDERS: TunnelProviderInfo[] = [
  { id: "bore", label: "bore", program: "bore", installed: INSTALLED.bore, token_label: "Server secret (only if the bore server asks for one)" },
  { id: "cloudflared", label: "Cloudflare quick tunnel", program: "cloudflared", installed: INSTALLED.cloudflared, token_label: null },
  { id: "cloudflared-named", label: "Cloudflare named tunnel", program: "cloudflared", installed: INSTALLED["cloudflared-named"], token_label: "Tunnel token" },
  { id: "ngrok", label: "ngrok", program: "ngrok", installed: INSTALLED.ngrok, token_label: "Authtoken (not needed if ngrok is already set up)" },
  { id: "ssh", label: "SSH (localhost.run, serveo, pinggy…)", program: "ssh", installed: INSTALLED.ssh, token_label: null },
  { id: "custom", label: "Custom command", program: null, installed: true, token_label: null },
];
const labelOf = (p: string) => PROVIDERS.find((x) => x.id === p)?.label ?? p;

let saved: TunnelInput | null = null;
let on = false;
let tokenSet = false;
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
  const url = status.state === "up" ? status.url : null;
  return structuredClone({
    status, saved, on, token_set: tokenSet, public_url: configured ?? url ?? LOCAL, configured_url: configured,
    providers: PROVIDERS, log,
  });
}

const invalid = (field: string, message: string): ApiError => ({ code: "invalid_input", field, message });

export const handlers: Record<string, (args: Args) => unknown> = {
  tunnel: async () => { await sleep(120); return view(); },

  start_tunnel: async ({ input, token }) => {
    const i = input as TunnelInput;
    const tok = (token ?? undefined) as string | undefined;
    // The same checks the window makes (the real core makes them again).
    const errors = validateTunnel(i, tok, tokenSet);
    const [field] = Object.keys(errors) as (keyof typeof errors)[];
    if (field) throw invalid(field, errors[field]!);
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

  // The shell and settings, as mock-a answers them, but with the tunnel in them.
  status: (args) => {
    const s = a.status(args) as Status;
    const url = status.state === "up" ? status.url : null;
    return { ...s, public_url: configured ?? url ?? LOCAL, tunnel: structuredClone(status) };
  },
  restart_shop: async (args) => {
    const s = (await a.restart_shop(args)) as Status;
    return { ...s, tunnel: structuredClone(status) };
  },
  settings: async (args) => ({ ...((await a.settings(args)) as Settings), public_url: configured ?? "" }),
  save_settings: async (args) => {
    const { public_url, ...rest } = args.input as SettingsInput;
    // "" clears the stable address (mock-a would refuse it as a URL).
    const input: SettingsInput = public_url ? { ...rest, public_url } : rest;
    const saved = (await a.save_settings({ ...args, input })) as Settings;
    if (public_url !== undefined) configured = public_url.trim().replace(/\/$/, "") || null;
    return { ...saved, public_url: configured ?? "" };
  },
};

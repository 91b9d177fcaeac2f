// The tunnel form and status, in words: which fields each provider asks for, the state as a
// badge, "checked 12 s ago". The form's checks are the core's (`api.validateTunnel`).
import type { TunnelHealth, TunnelInput, TunnelProvider, TunnelProviderInfo, TunnelStatus } from "./api";

/** Form fields, named as the core's `field` in its errors. */
export type TunnelField = "server" | "port" | "hostname" | "command" | "pattern" | "token";

export const PROVIDERS: TunnelProvider[] = ["bore", "cloudflared", "cloudflared-named", "ngrok", "ssh", "custom"];

const FIELDS: Record<TunnelProvider, TunnelField[]> = {
  bore: ["server", "port", "token"],
  cloudflared: [],
  "cloudflared-named": ["hostname", "token"],
  ngrok: ["hostname", "token"],
  ssh: ["server", "port", "pattern"],
  custom: ["command", "pattern"],
};

/** The fields the form shows for a provider, in order ("token" when it has a token). */
export function fieldsFor(provider: string): TunnelField[] {
  return FIELDS[provider as TunnelProvider] ?? [];
}

/** One line on each provider's card. */
export const BLURB: Record<TunnelProvider, string> = {
  bore: "Open source, no account. Plain http; a new port each start unless you fix one.",
  cloudflared: "Free, no account. https, but a new random address every start.",
  "cloudflared-named": "Your own hostname on Cloudflare: https and stable. Needs a free account and a domain.",
  ngrok: "https. Stable with your ngrok domain; needs an ngrok account.",
  ssh: "Only needs ssh. localhost.run, serveo or pinggy; a new address each start.",
  custom: "Any program that prints its public URL.",
};

/** How to install a provider's program (the core says it again if Start fails). */
export const INSTALL_HINT: Record<TunnelProvider, string> = {
  bore: "Install it with `cargo install bore-cli`, or download it from github.com/ekzhang/bore/releases.",
  cloudflared: "Download it from github.com/cloudflare/cloudflared/releases (a .deb for Debian and Ubuntu).",
  "cloudflared-named": "Download cloudflared from github.com/cloudflare/cloudflared/releases (a .deb for Debian and Ubuntu).",
  ngrok: "Download it from ngrok.com/download (or `snap install ngrok`).",
  ssh: "Install OpenSSH's client: `sudo apt install openssh-client`.",
  custom: "Give the program's full path, or install it somewhere on your PATH.",
};

/** The one-line fields, in the order the form shows them. */
export const TEXT_FIELDS = ["server", "port", "hostname"] as const;

export interface FieldText {
  label: string;
  hint: string;
  placeholder: string;
}

/** What a field is called, and what it means, for each provider that has it. */
const FIELD_TEXT: Partial<Record<TunnelProvider, Partial<Record<(typeof TEXT_FIELDS)[number], FieldText>>>> = {
  bore: {
    server: { label: "bore server", hint: "Empty: the free public server bore.pub.", placeholder: "bore.pub" },
    port: {
      label: "Fixed public port (optional)",
      hint: "The same port every start keeps the address stable. Empty: a random port each time.",
      placeholder: "e.g. 41327",
    },
  },
  ssh: {
    server: { label: "SSH service", hint: "[user@]host[:port]. Empty: localhost.run.", placeholder: "nokey@localhost.run" },
    port: { label: "Remote port (optional)", hint: "The port asked of the service. Empty: 80.", placeholder: "80" },
  },
  ngrok: {
    hostname: {
      label: "Your ngrok domain (optional)",
      hint: "Your free static domain (ngrok dashboard → Domains) keeps the address stable. Empty: a new one each start.",
      placeholder: "your-name.ngrok-free.app",
    },
  },
  "cloudflared-named": {
    hostname: {
      label: "Public hostname",
      hint: "The hostname you routed to this tunnel in Cloudflare (the tunnel's Public hostnames).",
      placeholder: "shop.example.com",
    },
  },
};

export function fieldText(provider: string, field: (typeof TEXT_FIELDS)[number]): FieldText {
  return FIELD_TEXT[provider as TunnelProvider]?.[field] ?? { label: field, hint: "", placeholder: "" };
}

/** SSH services that take a tunnel without an account, as the server field's quick picks. */
export const SSH_SERVICES: { label: string; server: string }[] = [
  { label: "localhost.run", server: "nokey@localhost.run" },
  { label: "serveo", server: "serveo.net" },
  { label: "pinggy", server: "a.pinggy.io:443" },
];

export function emptyInput(provider: string = "cloudflared"): TunnelInput {
  return { provider, server: "", port: "", hostname: "", command: "", pattern: "" };
}

/** What Start sends: the provider's own fields, trimmed, the others empty. */
export function inputFor(form: TunnelInput): TunnelInput {
  const out = emptyInput(form.provider);
  for (const f of fieldsFor(form.provider)) {
    if (f === "token") continue;
    // A pattern is a regular expression: spaces may matter inside, not around it.
    out[f] = form[f].trim();
  }
  return out;
}

/** Does this tunnel get a new address on every start? As the core says of its provider. */
export function changesAddress(form: TunnelInput, p: Pick<TunnelProviderInfo, "changes_address" | "stable_with">): boolean {
  const stableWith = p.stable_with as keyof TunnelInput | null;
  return p.changes_address && !(stableWith && form[stableWith]?.trim());
}

// ---- status in words -------------------------------------------------------------------

export type Tone = "ok" | "warn" | "bad" | "accent" | "";

/** The state badge: "Up", "Retrying in 8 s"… and its colour. */
export function stateBadge(s: Pick<TunnelStatus, "state" | "retry_in_secs">): { text: string; tone: Tone } {
  switch (s.state) {
    case "up": return { text: "Up", tone: "ok" };
    case "starting": return { text: "Starting…", tone: "accent" };
    case "retrying":
      return { text: s.retry_in_secs != null && s.retry_in_secs > 0 ? `Retrying in ${s.retry_in_secs} s` : "Retrying…", tone: "warn" };
    case "failed": return { text: "Failed", tone: "bad" };
    default: return { text: "Off", tone: "" };
  }
}

/** Seconds since `at` (unix seconds) in words: "just now", "12 s ago", "3 min ago". */
export function ago(at: number, now: number = Date.now() / 1000): string {
  const s = Math.max(0, Math.floor(now - at));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** "Reachable · 120 ms · checked 20 s ago" or "Not reachable: <why> · checked …". */
export function healthText(h: TunnelHealth | null, now: number = Date.now() / 1000): string {
  if (!h) return "Not checked yet";
  const when = `checked ${ago(h.at, now)}`;
  if (h.ok) return ["Reachable", h.latency_ms != null ? `${h.latency_ms} ms` : null, when].filter(Boolean).join(" · ");
  return `Not reachable: ${h.error || "no answer"} · ${when}`;
}

/** "Restarted 3 times" (nothing when it never was). */
export function restartsText(n: number): string {
  return n <= 0 ? "" : n === 1 ? "Restarted once" : `Restarted ${n} times`;
}

/** An incident-log kind's badge colour. */
export function kindTone(kind: string): Tone {
  if (kind === "up" || kind === "address") return "ok";
  if (kind === "failed" || kind === "error") return "bad";
  if (kind === "exited" || kind === "timeout" || kind === "restart" || kind === "health" || kind === "webhook") return "warn";
  return "";
}

/** Unix seconds → local time, "14:05:09" today, "22 Nov, 14:05" before. */
export function logTime(at: number, now: number = Date.now() / 1000): string {
  const d = new Date(at * 1000);
  if (d.toDateString() === new Date(now * 1000).toDateString()) {
    return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  return d.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** A message with `code` in backticks → parts, to show commands as code. */
export function codeParts(text: string): { text: string; code: boolean }[] {
  return text.split("`").map((t, i) => ({ text: t, code: i % 2 === 1 })).filter((p) => p.text);
}

/**
 * Should the "this address changes" callout show (a tunnel up, starting or retrying)? Then the core's warning saying the same
 * (it comes first, for an ephemeral tunnel without a stable address) is left out of the list.
 */
export function ephemeralCallout(s: TunnelStatus, configuredUrl: string | null): boolean {
  // Off or failed, there is no address to warn about.
  return s.ephemeral && !configuredUrl && s.state !== "off" && s.state !== "failed";
}

export function otherWarnings(s: TunnelStatus, configuredUrl: string | null): string[] {
  if (!ephemeralCallout(s, configuredUrl)) return s.warnings;
  return s.warnings.filter((w) => !/changes every time|emailed/i.test(w));
}


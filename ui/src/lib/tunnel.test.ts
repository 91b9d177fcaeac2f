import { describe, expect, it } from "vitest";
import type { TunnelStatus } from "./api";
import {
  ago, checkCommand, checkHostname, checkPattern, checkPort, checkServer, codeParts, emptyInput, ephemeralCallout,
  fieldsFor, healthText, inputFor, isEphemeral, isLocalUrl, kindTone, normalizeHostname, otherWarnings, restartsText,
  splitCommand, stateBadge, validateTunnel,
} from "./tunnel";

const st = (over: Partial<TunnelStatus> = {}): TunnelStatus => ({
  state: "up", provider: "cloudflared", label: "Cloudflare quick tunnel", url: "https://a-b.trycloudflare.com",
  ephemeral: true, plain_http: false, health: null, restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null,
  warnings: [], ...over,
});

describe("fieldsFor", () => {
  it("asks each provider only for what it uses", () => {
    expect(fieldsFor("bore")).toEqual(["server", "port", "token"]);
    expect(fieldsFor("cloudflared")).toEqual([]);
    expect(fieldsFor("cloudflared-named")).toEqual(["hostname", "token"]);
    expect(fieldsFor("ngrok")).toEqual(["hostname", "token"]);
    expect(fieldsFor("ssh")).toEqual(["server", "port", "pattern"]);
    expect(fieldsFor("custom")).toEqual(["command", "pattern"]);
    expect(fieldsFor("nope")).toEqual([]);
  });
});

describe("inputFor", () => {
  it("sends the provider's fields trimmed and blanks the others", () => {
    const form = { provider: "bore", server: " bore.pub ", port: " 4000", hostname: "left.over", command: "x", pattern: "y" };
    expect(inputFor(form)).toEqual({ ...emptyInput("bore"), server: "bore.pub", port: "4000" });
    expect(inputFor({ ...form, provider: "cloudflared" })).toEqual(emptyInput("cloudflared"));
  });
});

describe("isEphemeral (mirrors TunnelSpec::ephemeral)", () => {
  it("is stable only with a fixed bore port, an ngrok domain or a named tunnel", () => {
    expect(isEphemeral(emptyInput("bore"))).toBe(true);
    expect(isEphemeral({ ...emptyInput("bore"), port: "4000" })).toBe(false);
    expect(isEphemeral(emptyInput("cloudflared"))).toBe(true);
    expect(isEphemeral(emptyInput("cloudflared-named"))).toBe(false);
    expect(isEphemeral(emptyInput("ngrok"))).toBe(true);
    expect(isEphemeral({ ...emptyInput("ngrok"), hostname: "ada.ngrok.app" })).toBe(false);
    expect(isEphemeral(emptyInput("ssh"))).toBe(true);
    expect(isEphemeral(emptyInput("custom"))).toBe(false);
  });
});

describe("checkPort", () => {
  it.each(["", "1", "80", "65535", " 4000 "])("accepts %j", (p) => expect(checkPort(p)).toBeNull());
  it.each(["0", "65536", "-1", "80a", "1e3", "8.0", "99999999999"])("refuses %j", (p) => expect(checkPort(p)).toMatch(/1 to 65535/));
});

describe("checkServer", () => {
  it("accepts bore servers and ssh destinations", () => {
    for (const s of ["", "bore.pub", "203.0.113.7:7835", "[::1]", "my_host.local"]) expect(checkServer(s, false)).toBeNull();
    for (const s of ["", "nokey@localhost.run", "serveo.net", "qr@a.pinggy.io:443"]) expect(checkServer(s, true)).toBeNull();
  });
  it.each([
    "-oProxyCommand=touch /tmp/x", "-x", "host;rm -rf /", "a b", "host\nx", "h".repeat(300), "héllo.com", "$(id)",
  ])("refuses %j as an ssh server (an option or a shell word could run a command)", (s) => {
    expect(checkServer(s, true)).toMatch(/SSH server/);
  });
  it("refuses a user@ and a bad port for bore", () => {
    expect(checkServer("user@bore.pub", false)).toMatch(/bore server/);
    expect(checkServer("bore.pub:0", false)).toMatch(/1 to 65535/);
    expect(checkServer("bore.pub:99999", false)).toMatch(/1 to 65535/);
    expect(checkServer("bore.pub:", false)).toMatch(/1 to 65535/);
  });
});

describe("checkHostname", () => {
  it("takes a bare hostname, stripping https:// and a trailing slash", () => {
    expect(normalizeHostname(" https://Shop.Example.com/ ")).toBe("shop.example.com");
    expect(checkHostname("https://Shop.Example.com/", true)).toBeNull();
    expect(checkHostname("ada.ngrok-free.app", false)).toBeNull();
  });
  it("is optional for ngrok, required for a named tunnel", () => {
    expect(checkHostname("", false)).toBeNull();
    expect(checkHostname("  ", true)).toMatch(/hostname/);
  });
  it.each(["localhost", "shop.example.com/path", "https://shop.example.com/buy", "-a.com", "a..com", "a_b.com", "shop.example.com:8443", "a-.com", `${"a".repeat(64)}.com`])(
    "refuses %j", (h) => expect(checkHostname(h, true)).toMatch(/shop\.example\.com/),
  );
});

describe("custom command", () => {
  it("splits words and quotes like the core, without a shell", () => {
    expect(splitCommand(`my-tunnel --to "{url}" --name 'my shop' --port {port}`)).toEqual(
      ["my-tunnel", "--to", "{url}", "--name", "my shop", "--port", "{port}"],
    );
    expect(splitCommand(`x ''`)).toEqual(["x", ""]);
  });
  it.each([
    ["", /Type the command/], ["   ", /Type the command/], ["x 'open", /quote/], ["--flag x", /program's name/],
    ["x\ny", /one line/], ["x".repeat(2001), /2000/],
  ])("refuses %j", (c, why) => expect(checkCommand(c)).toMatch(why));
});

describe("checkPattern", () => {
  it("accepts a pattern with at most one group, and Rust's inline flags", () => {
    expect(checkPattern(String.raw`ready at (https://\S+)`, true)).toBeNull();
    expect(checkPattern(String.raw`https://[a-z0-9-]+\.lhr\.life`, false)).toBeNull();
    expect(checkPattern(String.raw`(?i)url=(?P<url>https://\S+)`, true)).toBeNull();
  });
  it("is required for a custom command only", () => {
    expect(checkPattern("", false)).toBeNull();
    expect(checkPattern(" ", true)).toMatch(/how to find the public URL/);
  });
  it("refuses what doesn't compile, two groups and very long ones", () => {
    expect(checkPattern("(unclosed", true)).toMatch(/isn't a regular expression/);
    expect(checkPattern("a{1000}{1000}", true)).toMatch(/isn't a regular expression/);
    expect(checkPattern("(a)(b)", true)).toMatch(/one group/);
    expect(checkPattern("a".repeat(501), true)).toMatch(/500/);
  });
});

describe("validateTunnel", () => {
  it("checks only the picked provider's fields", () => {
    const form = { ...emptyInput("cloudflared"), port: "0", server: "-x", hostname: "bad" };
    expect(validateTunnel(form, undefined, false)).toEqual({});
    expect(Object.keys(validateTunnel({ ...form, provider: "ssh" }, undefined, false)).sort()).toEqual(["port", "server"]);
  });
  it("wants a token for a named tunnel unless one is saved and kept", () => {
    const named = { ...emptyInput("cloudflared-named"), hostname: "shop.example.com" };
    expect(validateTunnel(named, undefined, false).token).toMatch(/token/);
    expect(validateTunnel(named, undefined, true)).toEqual({});
    expect(validateTunnel(named, "", true).token).toMatch(/token/);
    expect(validateTunnel(named, "eyJh", false)).toEqual({});
  });
  it("needs a command and a pattern for a custom tunnel", () => {
    const e = validateTunnel(emptyInput("custom"), undefined, false);
    expect(Object.keys(e).sort()).toEqual(["command", "pattern"]);
  });
  it("refuses an unknown provider", () => {
    expect(validateTunnel(emptyInput("ftp"), undefined, false).provider).toBeTruthy();
  });
});

describe("status in words", () => {
  it("names each state", () => {
    expect(stateBadge(st({ state: "off" }))).toEqual({ text: "Off", tone: "" });
    expect(stateBadge(st({ state: "starting" })).text).toBe("Starting…");
    expect(stateBadge(st({ state: "up" }))).toEqual({ text: "Up", tone: "ok" });
    expect(stateBadge(st({ state: "retrying", retry_in_secs: 8 }))).toEqual({ text: "Retrying in 8 s", tone: "warn" });
    expect(stateBadge(st({ state: "retrying", retry_in_secs: null })).text).toBe("Retrying…");
    expect(stateBadge(st({ state: "failed" }))).toEqual({ text: "Failed", tone: "bad" });
  });
  it("says how long ago", () => {
    expect(ago(1000, 1002)).toBe("just now");
    expect(ago(1000, 1012)).toBe("12 s ago");
    expect(ago(1000, 1000 + 185)).toBe("3 min ago");
    expect(ago(1000, 1000 + 7300)).toBe("2 h ago");
    expect(ago(1000, 1000 + 3 * 86400)).toBe("3 d ago");
    expect(ago(1000, 900)).toBe("just now"); // a clock a little behind
  });
  it("says how the last health check went", () => {
    expect(healthText(null)).toBe("Not checked yet");
    expect(healthText({ ok: true, at: 100, latency_ms: 120, error: null }, 120)).toBe("Reachable · 120 ms · checked 20 s ago");
    expect(healthText({ ok: false, at: 100, latency_ms: null, error: "HTTP 502" }, 100)).toBe("Not reachable: HTTP 502 · checked just now");
  });
  it("counts restarts", () => {
    expect(restartsText(0)).toBe("");
    expect(restartsText(1)).toBe("Restarted once");
    expect(restartsText(4)).toBe("Restarted 4 times");
  });
  it("colours log kinds", () => {
    expect(kindTone("up")).toBe("ok");
    expect(kindTone("failed")).toBe("bad");
    expect(kindTone("exited")).toBe("warn");
    expect(kindTone("stopped")).toBe("");
  });
  it("shows `commands` as code", () => {
    expect(codeParts("Install it with `cargo install bore-cli`, then Start.")).toEqual([
      { text: "Install it with ", code: false }, { text: "cargo install bore-cli", code: true }, { text: ", then Start.", code: false },
    ]);
  });
  it("knows a local address", () => {
    expect(isLocalUrl("http://127.0.0.1:8080")).toBe(true);
    expect(isLocalUrl("http://localhost:8080")).toBe(true);
    expect(isLocalUrl("https://shop.example.com")).toBe(false);
    expect(isLocalUrl("nope")).toBe(false);
  });
});

describe("the changing-address callout", () => {
  const w = ["https://a-b.trycloudflare.com changes every time the tunnel starts, so purchase links already emailed stop working", "This address is plain http"];
  it("shows for a running ephemeral tunnel without a stable address, instead of the same warning", () => {
    expect(ephemeralCallout(st({ warnings: w }), null)).toBe(true);
    expect(otherWarnings(st({ warnings: w }), null)).toEqual(["This address is plain http"]);
  });
  it("doesn't once a stable address is set, or for a stable tunnel, or when off or failed", () => {
    expect(ephemeralCallout(st(), "https://shop.example.com")).toBe(false);
    expect(ephemeralCallout(st({ ephemeral: false }), null)).toBe(false);
    expect(ephemeralCallout(st({ state: "off" }), null)).toBe(false);
    expect(ephemeralCallout(st({ state: "failed" }), null)).toBe(false);
    expect(ephemeralCallout(st({ state: "retrying" }), null)).toBe(true);
    expect(otherWarnings(st({ ephemeral: false, warnings: w }), null)).toEqual(w);
  });
});

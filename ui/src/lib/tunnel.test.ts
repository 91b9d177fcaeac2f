import { describe, expect, it } from "vitest";
import type { TunnelStatus } from "./api";
import {
  ago, changesAddress, codeParts, emptyInput, ephemeralCallout, fieldsFor, healthText, inputFor, kindTone,
  otherWarnings, restartsText, stateBadge,
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

describe("changesAddress (from what the core says of each provider)", () => {
  const bore = { changes_address: true, stable_with: "port" };
  it("is stable when the provider's stable field is filled in, or the provider never changes it", () => {
    expect(changesAddress(emptyInput("bore"), bore)).toBe(true);
    expect(changesAddress({ ...emptyInput("bore"), port: " " }, bore)).toBe(true);
    expect(changesAddress({ ...emptyInput("bore"), port: "4000" }, bore)).toBe(false);
    expect(changesAddress(emptyInput("cloudflared"), { changes_address: true, stable_with: null })).toBe(true);
    expect(changesAddress(emptyInput("cloudflared-named"), { changes_address: false, stable_with: null })).toBe(false);
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

// The tunnel panel (Settings → Public address): the form per provider, the checks before
// Start, what Start sends, the core's field errors in place, and the status as the seller sees it.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TunnelInput, TunnelStatus, TunnelView } from "../../lib/api";
import Tunnel from "./Tunnel.svelte";

const api = vi.hoisted(() => ({
  tunnel: vi.fn(),
  startTunnel: vi.fn(),
  stopTunnel: vi.fn(),
  checkTunnel: vi.fn(),
  openExternal: vi.fn(),
  validateTunnel: vi.fn(),
}));
const invalid = (field: string, message: string) => ({ code: "invalid_input", field, message });
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const NOW = () => Math.floor(Date.now() / 1000);

function status(over: Partial<TunnelStatus> = {}): TunnelStatus {
  return {
    state: "off", provider: null, label: null, url: null, ephemeral: false, plain_http: false, health: null,
    restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [], ...over,
  };
}

function view(over: Partial<TunnelView> = {}): TunnelView {
  return {
    status: status(), saved: null, on: false, token_set: false, public_url: "http://127.0.0.1:8080", links_local: true, configured_url: null,
    providers: [
      { id: "bore", label: "bore", program: "bore", installed: false, token_label: "Server secret (only if the bore server asks for one)", changes_address: true, stable_with: "port" },
      { id: "cloudflared", label: "Cloudflare quick tunnel", program: "cloudflared", installed: true, token_label: null, changes_address: true, stable_with: null },
      { id: "cloudflared-named", label: "Cloudflare named tunnel", program: "cloudflared", installed: true, token_label: "Tunnel token", changes_address: false, stable_with: null },
      { id: "ngrok", label: "ngrok", program: "ngrok", installed: true, token_label: "Authtoken (not needed if ngrok is already set up)", changes_address: true, stable_with: "hostname" },
      { id: "ssh", label: "SSH (localhost.run, serveo, pinggy…)", program: "ssh", installed: true, token_label: null, changes_address: true, stable_with: null },
      { id: "custom", label: "Custom command", program: null, installed: true, token_label: null, changes_address: false, stable_with: null },
    ],
    log: [],
    ...over,
  };
}

const input = (provider: string, over: Partial<TunnelInput> = {}): TunnelInput =>
  ({ provider, server: "", port: "", hostname: "", command: "", pattern: "", ...over });

const el = (sel: string) => document.querySelector(sel) as HTMLElement | null;
const field = (name: string) => el(`#tunnel-${name}`) as HTMLInputElement | null;
const byTest = (id: string) => el(`[data-testid="${id}"]`);
const pick = (provider: string) => fireEvent.click(el(`input[name="tunnel-provider"][value="${provider}"]`)!);
const start = () => fireEvent.click(byTest("start-tunnel")!);
/** The error shown under a field (Field and SecretField both put it in #<id>-msg). */
const errorOf = (name: string) => el(`#tunnel-${name}-msg.error`)?.textContent ?? null;

async function mount(v: TunnelView) {
  api.tunnel.mockResolvedValue(v);
  const r = render(Tunnel, { props: { onchange: vi.fn() } });
  await waitFor(() => expect(byTest("tunnel-status")).toBeTruthy());
  return r;
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  // The core finds nothing wrong unless a test says otherwise.
  api.validateTunnel.mockResolvedValue([]);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("the form", () => {
  it("starts on the free quick tunnel, which needs nothing filled in", async () => {
    await mount(view());
    expect((el('input[value="cloudflared"]') as HTMLInputElement).checked).toBe(true);
    expect(document.querySelectorAll('[data-testid="tunnel-form"] input:not([type="radio"])')).toHaveLength(0);
    expect(screen.getByText(/Nothing to fill in, and no account needed/)).toBeTruthy();
    expect(byTest("tunnel-addr-kind")!.textContent).toMatch(/new address every start/);
  });

  it("shows each provider's own fields", async () => {
    await mount(view());
    await pick("bore");
    expect(field("server")!.placeholder).toBe("bore.pub");
    expect(screen.getByLabelText("Fixed public port (optional)")).toBeTruthy();
    expect(screen.getByLabelText("Server secret (only if the bore server asks for one)")).toBeTruthy();
    expect(field("hostname")).toBeNull();

    await pick("cloudflared-named");
    expect(screen.getByLabelText("Public hostname")).toBeTruthy();
    expect(screen.getByLabelText("Tunnel token")).toBeTruthy();
    expect(field("server")).toBeNull();
    expect(byTest("tunnel-addr-kind")!.textContent).toMatch(/stable address/);

    await pick("ngrok");
    expect(screen.getByLabelText("Your ngrok domain (optional)")).toBeTruthy();
    expect(screen.getByLabelText(/^Authtoken/)).toBeTruthy();

    await pick("ssh");
    expect(field("server")!.placeholder).toBe("nokey@localhost.run");
    expect(screen.getByLabelText("Remote port (optional)")).toBeTruthy();
    expect(field("pattern")).toBeTruthy();
    expect(el("#tunnel-token")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "serveo" }));
    expect(field("server")!.value).toBe("serveo.net");

    await pick("custom");
    expect(screen.getByLabelText("Command")).toBeTruthy();
    expect(screen.getByLabelText("URL pattern")).toBeTruthy();
    expect(field("port")).toBeNull();
  });

  it("says when a program isn't installed, and how to install it", async () => {
    await mount(view());
    const card = el('[data-provider="bore"]')!;
    expect(within(card).getByText("Not installed")).toBeTruthy();
    expect(within(el('[data-provider="ngrok"]')!).queryByText("Not installed")).toBeNull();
    await pick("bore");
    const note = byTest("tunnel-install")!;
    expect(note.textContent).toMatch(/bore isn't installed/);
    expect(note.querySelector("code")!.textContent).toBe("cargo install bore-cli");
  });

  it("fills the form from the saved tunnel once, and leaves what the seller types alone on each poll", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    await mount(view({ saved: input("bore", { server: "tunnel.example.net", port: "4000" }) }));
    expect((el('input[value="bore"]') as HTMLInputElement).checked).toBe(true);
    expect(field("server")!.value).toBe("tunnel.example.net");
    expect(field("port")!.value).toBe("4000");
    await fireEvent.input(field("port")!, { target: { value: "4001" } });
    const calls = api.tunnel.mock.calls.length;
    await vi.advanceTimersByTimeAsync(4100);
    expect(api.tunnel.mock.calls.length).toBeGreaterThanOrEqual(calls + 2);
    expect(field("port")!.value).toBe("4001");
  });

  it("stops polling once it is gone", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const r = await mount(view());
    r.unmount();
    const calls = api.tunnel.mock.calls.length;
    await vi.advanceTimersByTimeAsync(6000);
    expect(api.tunnel.mock.calls.length).toBe(calls);
  });
});

describe("checks before Start", () => {
  it("refuses an ssh option smuggled in as the server", async () => {
    api.validateTunnel.mockResolvedValueOnce([invalid("server", "an SSH server is [user@]host[:port], like nokey@localhost.run")]);
    await mount(view());
    await pick("ssh");
    await fireEvent.input(field("server")!, { target: { value: "-oProxyCommand=touch /tmp/x" } });
    await start();
    expect(errorOf("server")).toMatch(/SSH server is \[user@\]host/);
    expect(field("server")!.getAttribute("aria-invalid")).toBe("true");
    expect(api.startTunnel).not.toHaveBeenCalled();
  });

  it.each(["0", "65536", "80a"])("refuses port %j", async (port) => {
    api.validateTunnel.mockResolvedValueOnce([invalid("port", "a port is a number from 1 to 65535")]);
    await mount(view({ saved: input("bore") }));
    await fireEvent.input(field("port")!, { target: { value: port } });
    await start();
    expect(errorOf("port")).toMatch(/1 to 65535/);
    expect(api.startTunnel).not.toHaveBeenCalled();
  });

  it("refuses a hostname with a path, and a named tunnel without a token", async () => {
    api.validateTunnel.mockResolvedValueOnce([
      invalid("hostname", "a hostname looks like shop.example.com (no path, no port)"),
      invalid("token", "a named tunnel needs its token (Cloudflare dashboard → Zero Trust → Networks → Tunnels → your tunnel)"),
    ]);
    await mount(view({ saved: input("cloudflared-named") }));
    await fireEvent.input(field("hostname")!, { target: { value: "shop.example.com/buy" } });
    await start();
    expect(errorOf("hostname")).toMatch(/no path, no port/);
    expect(errorOf("token")).toMatch(/needs its token/);
    expect(api.startTunnel).not.toHaveBeenCalled();
    // Typing in the field takes its error away.
    await fireEvent.input(field("hostname")!, { target: { value: "shop.example.com" } });
    expect(errorOf("hostname")).toBeNull();
  });

  it("refuses an unclosed regular expression and an empty command", async () => {
    api.validateTunnel.mockResolvedValueOnce([
      invalid("command", "Type the command that opens the tunnel"),
      invalid("pattern", "That isn't a regular expression: unclosed group"),
    ]);
    await mount(view({ saved: input("custom") }));
    await fireEvent.input(field("pattern")!, { target: { value: "(https://\\S+" } });
    await start();
    expect(errorOf("pattern")).toMatch(/isn't a regular expression/);
    expect(errorOf("command")).toMatch(/Type the command/);
    expect(api.startTunnel).not.toHaveBeenCalled();
  });
});

describe("Start", () => {
  it("sends the provider's fields, and no token when the saved one is untouched", async () => {
    const onchange = vi.fn();
    api.tunnel.mockResolvedValue(view({ saved: input("ngrok"), token_set: true }));
    render(Tunnel, { props: { onchange } });
    await waitFor(() => expect(field("hostname")).toBeTruthy());
    expect(byTest("tunnel-token-saved")).toBeTruthy();
    api.startTunnel.mockResolvedValue(view({ saved: input("ngrok", { hostname: "ada.ngrok.app" }), token_set: true, status: status({ state: "starting" }) }));
    await fireEvent.input(field("hostname")!, { target: { value: " https://Ada.ngrok.app/ " } });
    await start();
    expect(api.startTunnel).toHaveBeenCalledWith(input("ngrok", { hostname: "https://Ada.ngrok.app/" }), undefined);
    await waitFor(() => expect(byTest("tunnel-status")!.dataset.state).toBe("starting"));
    expect(onchange).toHaveBeenCalledOnce();
  });

  it("sends \"\" when the seller removed the token, and the new one when typed", async () => {
    await mount(view({ saved: input("ngrok"), token_set: true }));
    api.startTunnel.mockResolvedValue(view({ saved: input("ngrok"), token_set: false }));
    await fireEvent.click(screen.getByRole("button", { name: "Remove" }));
    await start();
    expect(api.startTunnel).toHaveBeenLastCalledWith(input("ngrok"), "");

    await waitFor(() => expect(field("token")).toBeTruthy()); // nothing saved now: an empty input
    await fireEvent.input(field("token")!, { target: { value: " 2abcTOKEN " } });
    await start();
    expect(api.startTunnel).toHaveBeenLastCalledWith(input("ngrok"), "2abcTOKEN");
  });

  it("never sends a token for a provider without one", async () => {
    await mount(view({ saved: input("ssh", { server: "serveo.net" }), token_set: true }));
    api.startTunnel.mockResolvedValue(view());
    await start();
    expect(api.startTunnel).toHaveBeenCalledWith(input("ssh", { server: "serveo.net" }), undefined);
  });

  it("shows the core's field error beside that field, and other errors in a banner", async () => {
    await mount(view({ saved: input("cloudflared-named", { hostname: "shop.example.com" }), token_set: true }));
    api.startTunnel.mockRejectedValue({ code: "invalid_input", field: "hostname", message: "example.com isn't in your Cloudflare account" });
    await start();
    await waitFor(() => expect(errorOf("hostname")).toBe("example.com isn't in your Cloudflare account"));
    expect(byTest("tunnel-error")).toBeNull();

    api.startTunnel.mockRejectedValue({ code: "not_running", message: "the shop isn't running" });
    await start();
    await waitFor(() => expect(byTest("tunnel-error")!.textContent).toBe("the shop isn't running"));
  });

  it("is disabled while a request is under way", async () => {
    await mount(view());
    let done!: (v: TunnelView) => void;
    api.startTunnel.mockReturnValue(new Promise((r) => (done = r)));
    await start();
    expect((byTest("start-tunnel") as HTMLButtonElement).disabled).toBe(true);
    expect(byTest("start-tunnel")!.textContent).toMatch(/Starting…/);
    done(view({ status: status({ state: "starting" }) }));
    await waitFor(() => expect((byTest("start-tunnel") as HTMLButtonElement).disabled).toBe(false));
    expect(api.startTunnel).toHaveBeenCalledOnce();
  });
});

describe("the status", () => {
  const upWarnings = [
    "https://a-b.trycloudflare.com changes every time the tunnel starts, so purchase links already emailed stop working when it does.",
    "This address is plain http: downloads and purchase pages aren't encrypted.",
  ];

  it("when up: the URL to copy and open, the health check, the webhook and warnings", async () => {
    await mount(view({
      saved: input("cloudflared"), on: true,
      status: status({
        state: "up", provider: "cloudflared", label: "Cloudflare quick tunnel", url: "https://a-b.trycloudflare.com", ephemeral: true,
        health: { ok: true, at: NOW() - 20, latency_ms: 120, error: null }, webhook: "Stripe sends events to https://a-b.trycloudflare.com/webhooks/stripe",
        warnings: upWarnings,
      }),
    }));
    expect(byTest("tunnel-status")!.dataset.state).toBe("up");
    expect(byTest("tunnel-state")!.textContent).toBe("Up");
    expect(byTest("tunnel-url")!.textContent).toBe("https://a-b.trycloudflare.com");
    expect(byTest("tunnel-health")!.textContent).toMatch(/Reachable · 120 ms · checked 2\d s ago/);
    expect(byTest("tunnel-webhook")!.textContent).toMatch(/webhooks\/stripe/);
    // The changing address gets the callout; the core's same warning isn't repeated.
    expect(byTest("tunnel-ephemeral")!.textContent).toMatch(/already sent/);
    const warnings = document.querySelectorAll('[data-testid="tunnel-warning"]');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].textContent).toMatch(/plain http/);
    expect(byTest("start-tunnel")!.textContent).toMatch(/Restart with these settings/);

    api.openExternal.mockResolvedValue(undefined);
    await fireEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(api.openExternal).toHaveBeenCalledWith("https://a-b.trycloudflare.com");
    api.checkTunnel.mockResolvedValue(view());
    await fireEvent.click(byTest("check-tunnel")!);
    expect(api.checkTunnel).toHaveBeenCalledOnce();
  });

  it("says why the address isn't reachable", async () => {
    await mount(view({
      configured_url: "https://shop.example.com",
      status: status({ state: "up", url: "https://shop.example.com", health: { ok: false, at: NOW() - 5, latency_ms: null, error: "HTTP 502 from the tunnel" } }),
    }));
    expect(byTest("tunnel-health")!.textContent).toMatch(/Not reachable: HTTP 502 from the tunnel · checked \d s ago/);
    expect(byTest("tunnel-ephemeral")).toBeNull();
  });

  it("when retrying: the countdown, the restarts and why; Stop but no Check", async () => {
    await mount(view({
      status: status({ state: "retrying", label: "bore", restarts: 3, retry_in_secs: 8, message: "The tunnel program ended (exit 1)" }),
    }));
    expect(byTest("tunnel-status")!.dataset.state).toBe("retrying");
    expect(byTest("tunnel-state")!.textContent).toBe("Retrying in 8 s");
    expect(byTest("tunnel-restarts")!.textContent).toBe("Restarted 3 times");
    expect(byTest("tunnel-message")!.textContent).toBe("The tunnel program ended (exit 1)");
    expect(byTest("tunnel-url")).toBeNull();
    expect(byTest("check-tunnel")).toBeNull();
    api.stopTunnel.mockResolvedValue(view());
    await fireEvent.click(byTest("stop-tunnel")!);
    await waitFor(() => expect(byTest("tunnel-status")!.dataset.state).toBe("off"));
  });

  it("when failed: what to do, prominently", async () => {
    await mount(view({
      saved: input("bore"),
      status: status({
        state: "failed", label: "bore",
        message: "bore isn't installed (or isn't on the PATH Booth sees). Install it with `cargo install bore-cli`, then press Start again.",
      }),
    }));
    const m = byTest("tunnel-message")!;
    expect(m.getAttribute("role")).toBe("alert");
    expect(m.textContent).toMatch(/bore isn't installed/);
    expect(m.querySelector("code")!.textContent).toBe("cargo install bore-cli");
    expect(byTest("tunnel-state")!.textContent).toBe("Failed");
    expect(byTest("start-tunnel")!.textContent!.trim()).toBe("Start");
  });

  it("when off: no Stop, and where links point now", async () => {
    await mount(view());
    expect(byTest("stop-tunnel")).toBeNull();
    expect(byTest("tunnel-status")!.textContent).toMatch(/127\.0\.0\.1:8080, which only this computer can open/);
  });

  it("lists the incident log, newest first, folded away", async () => {
    const t = NOW();
    await mount(view({
      log: [
        { at: t - 10, kind: "restart", message: "starting again in 2 s" },
        { at: t - 12, kind: "exited", message: "the tunnel program ended (exit 1)" },
        { at: t - 600, kind: "up", message: "Cloudflare quick tunnel is up" },
      ],
    }));
    const log = byTest("tunnel-log") as HTMLDetailsElement;
    expect(log.tagName).toBe("DETAILS");
    expect(log.open).toBe(false);
    expect(log.querySelector("summary")!.textContent).toMatch(/Tunnel log \(3\)/);
    const rows = log.querySelectorAll("li");
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toMatch(/restart\s*starting again in 2 s/);
    expect(rows[0].querySelector(".badge")!.className).toMatch(/badge-warn/);
    expect(rows[2].querySelector(".badge")!.className).toMatch(/badge-ok/);
    expect(rows[0].querySelector("time")!.getAttribute("datetime")).toBe(new Date((t - 10) * 1000).toISOString());
  });

  it("says why it couldn't load, with a retry", async () => {
    api.tunnel.mockRejectedValueOnce({ code: "database", message: "database is locked" }).mockResolvedValue(view());
    render(Tunnel, { props: {} });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/database is locked/));
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(byTest("tunnel-status")).toBeTruthy());
  });
});

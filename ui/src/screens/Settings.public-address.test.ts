// Settings → Public address: the tunnel panel sits right after Store, and the stable public
// address is optional (saving "" clears it).
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings as S, TunnelView } from "../lib/api";
import Settings from "./Settings.svelte";

const api = vi.hoisted(() => ({
  settings: vi.fn(),
  saveSettings: vi.fn(),
  tunnel: vi.fn(),
  startTunnel: vi.fn(),
  validateSettings: vi.fn(),
}));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

const saved: S = {
  store_name: "Ada's Shop", from_address: "hello@ada.shop", support_email: "", public_url: "https://shop.example.com",
  listen: "127.0.0.1:8080", payments: "simulated", stripe_test_key_set: false, stripe_live_key_set: false,
  webhook_secret_set: false, smtp_url: "", smtp_password_set: false, secrets_store: "the keyring",
  templates_dir: "/data/templates", templates: [],
};

const tunnel: TunnelView = {
  status: {
    state: "up", provider: "cloudflared", label: "Cloudflare quick tunnel", url: "https://a-b.trycloudflare.com", ephemeral: true,
    plain_http: false, health: null, restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [],
  },
  saved: { provider: "cloudflared", server: "", port: "", hostname: "", command: "", pattern: "" },
  on: true, token_set: false, public_url: "https://a-b.trycloudflare.com", links_local: false, configured_url: null,
  providers: [{
    id: "cloudflared", label: "Cloudflare quick tunnel", program: "cloudflared", installed: true, token_label: null,
    changes_address: true, stable_with: null,
  }],
  log: [],
};

beforeEach(async () => {
  for (const f of Object.values(api)) f.mockReset();
  api.validateSettings.mockResolvedValue([]);
  api.settings.mockResolvedValue(structuredClone(saved));
  api.tunnel.mockResolvedValue(structuredClone(tunnel));
  render(Settings, { props: { status: null } });
  await waitFor(() => expect(screen.getByTestId("tunnel-status")).toBeTruthy());
});
afterEach(cleanup);

describe("Settings → Public address", () => {
  it("comes right after Store, with the tunnel in it", () => {
    const sections = [...document.querySelectorAll("[data-section]")].map((e) => e.getAttribute("data-section"));
    expect(sections.slice(0, 3)).toEqual(["store", "public", "server"]);
    expect(document.querySelector('[data-section="public"] h2')!.textContent).toBe("Public address");
    expect(document.querySelector('[data-section="public"] [data-testid="tunnel-status"]')).toBeTruthy();
  });

  it("calls the public URL the optional stable address, and saving it empty clears it", async () => {
    const input = screen.getByLabelText("Stable public address (optional)") as HTMLInputElement;
    expect(input.name).toBe("public_url");
    api.saveSettings.mockResolvedValue({ ...saved, public_url: "" });
    await fireEvent.input(input, { target: { value: "" } });
    await fireEvent.click(screen.getByTestId("save-server"));
    expect(api.saveSettings).toHaveBeenCalledWith({ listen: "127.0.0.1:8080", public_url: "" });
  });

  it("the changing-address callout leads to that field", async () => {
    const input = screen.getByLabelText("Stable public address (optional)");
    await fireEvent.click(screen.getByRole("button", { name: "stable public address" }));
    expect(document.activeElement).toBe(input);
  });
});

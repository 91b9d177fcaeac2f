// The Settings screen: each section saves only its own fields.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Settings as S } from "../lib/api";
import Settings from "./Settings.svelte";

const api = vi.hoisted(() => ({
  settings: vi.fn(),
  saveSettings: vi.fn(),
  restartShop: vi.fn(),
  checkStripe: vi.fn(),
  sendTestMail: vi.fn(),
  customizeTemplate: vi.fn(),
  tunnel: vi.fn(),
  validateSettings: vi.fn(),
  validateTestMail: vi.fn(),
}));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

const saved: S = {
  store_name: "Ada's Shop", from_address: "hello@ada.shop", support_email: "", public_url: "http://127.0.0.1:8080",
  listen: "127.0.0.1:8080", payments: "simulated", stripe_test_key_set: true, stripe_live_key_set: false,
  webhook_secret_set: false, smtp_url: "", smtp_password_set: false, secrets_store: "the keyring",
  templates_dir: "/data/templates", templates: [{ name: "email/receipt.html", overridden: false }],
};

const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const click = (testid: string) => fireEvent.click(document.querySelector(`[data-testid="${testid}"]`)!);

let onchange: ReturnType<typeof vi.fn>;
beforeEach(async () => {
  for (const f of Object.values(api)) f.mockReset();
  // The core finds nothing wrong unless a test says otherwise.
  api.validateSettings.mockResolvedValue([]);
  api.validateTestMail.mockResolvedValue([]);
  api.settings.mockResolvedValue(structuredClone(saved));
  api.tunnel.mockResolvedValue({
    status: {
      state: "off", provider: null, label: null, url: null, ephemeral: false, plain_http: false, health: null,
      restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [],
    },
    saved: null, on: false, token_set: false, public_url: "http://127.0.0.1:8080", configured_url: null,
    providers: [], log: [],
  });
  onchange = vi.fn();
  render(Settings, { props: { status: null, onchange } });
  await waitFor(() => expect(field("store_name")).toBeTruthy());
});
afterEach(cleanup);

describe("Settings", () => {
  it("saves the store section alone and refreshes the sidebar, without a restart", async () => {
    api.saveSettings.mockResolvedValue({ ...saved, store_name: "Ada's Books" });
    await fireEvent.input(field("store_name"), { target: { value: "Ada's Books" } });
    await click("save-store");
    // Only what changed: the sender stays as saved.
    expect(api.saveSettings).toHaveBeenCalledWith({ store_name: "Ada's Books" });
    await waitFor(() => expect(onchange).toHaveBeenCalled());
    expect(document.querySelector('[data-testid="restart-banner"]')).toBeNull();
  });

  it("asks for a restart after saving the server, and restarts", async () => {
    api.saveSettings.mockResolvedValue({ ...saved, listen: "0.0.0.0:8080" });
    api.restartShop.mockResolvedValue({ running: true, error: null });
    await fireEvent.input(field("listen"), { target: { value: "0.0.0.0:8080" } });
    await click("save-server");
    expect(api.saveSettings).toHaveBeenCalledWith({ listen: "0.0.0.0:8080", public_url: "http://127.0.0.1:8080" });
    await waitFor(() => expect(document.querySelector('[data-testid="restart-banner"]')).toBeTruthy());
    await click("restart-shop");
    await waitFor(() => expect(document.querySelector('[data-testid="restart-banner"]')).toBeNull());
    expect(api.restartShop).toHaveBeenCalledOnce();
  });

  it("checks fields before saving and shows the core's field error in place", async () => {
    api.validateSettings.mockResolvedValueOnce([
      { code: "invalid_input", field: "listen", message: "an IP address and port, like 127.0.0.1:8080" },
    ]);
    await fireEvent.input(field("listen"), { target: { value: "localhost" } });
    await click("save-server");
    expect(screen.getByText(/IP address and port/)).toBeTruthy();
    expect(api.saveSettings).not.toHaveBeenCalled();

    api.saveSettings.mockRejectedValue({ code: "invalid_input", field: "listen", message: "port 8081 is taken" });
    await fireEvent.input(field("listen"), { target: { value: "127.0.0.1:8081" } });
    await click("save-server");
    await waitFor(() => expect(screen.getByText("port 8081 is taken")).toBeTruthy());
  });

  it("sends a secret only when one was typed, and never the saved one", async () => {
    api.saveSettings.mockResolvedValue({ ...saved, payments: "test" });
    await fireEvent.click(field("payments").closest("fieldset")!.querySelector('input[value="test"]')!);
    await click("save-payments");
    expect(api.saveSettings).toHaveBeenLastCalledWith({ payments: "test" });
  });

  it("won't switch to live payments without a live key", async () => {
    api.validateSettings.mockResolvedValueOnce([
      { code: "invalid_input", field: "payments", message: "Add a Stripe live secret key to take real payments" },
    ]);
    await fireEvent.click(document.querySelector('input[value="live"]')!);
    await click("save-payments");
    expect(screen.getByText(/Add a Stripe live secret key/)).toBeTruthy();
    expect(api.saveSettings).not.toHaveBeenCalled();
  });

  it("sends an SMTP password exactly as typed, spaces included", async () => {
    api.saveSettings.mockResolvedValue({ ...saved, smtp_password_set: true });
    await fireEvent.input(field("smtp_password"), { target: { value: " correct horse " } });
    await click("save-email");
    expect(api.saveSettings).toHaveBeenCalledWith({ smtp_url: "", smtp_password: " correct horse " });
  });
});

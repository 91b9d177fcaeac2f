// The sidebar's server status (App.svelte): the public address under "Shop running" while
// the tunnel is up, or a word about its trouble.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Status, TunnelStatus } from "./lib/api";
import App from "./App.svelte";

const api = vi.hoisted(() => ({
  status: vi.fn(),
  restartShop: vi.fn(),
  openExternal: vi.fn(),
  setSalesPaused: vi.fn(),
  // The dashboard behind the sidebar: left loading.
  dashboard: vi.fn(() => new Promise(() => {})),
}));
vi.mock("./lib/api", async (orig) => ({ ...(await orig<typeof import("./lib/api")>()), api }));

function shop(tunnel: Partial<TunnelStatus>, running = true, sales_paused = false): Status {
  return {
    sales_paused, links_local: false, mail_folder: null, mail_trouble: null,
    running, error: null, mode: "simulated", listen: "127.0.0.1:8080", public_url: "http://127.0.0.1:8080",
    data_dir: "/data", secrets_store: "the keyring", store_name: "Ada's Shop", version: "0.1.0",
    tunnel: {
      state: "off", provider: null, label: null, url: null, ephemeral: false, plain_http: false, health: null,
      restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [], ...tunnel,
    },
  };
}

const sidebar = async () => {
  await waitFor(() => expect(screen.getByTestId("server-status")).toBeTruthy());
  return screen.getByTestId("server-status");
};

beforeEach(() => {
  api.status.mockReset();
  api.openExternal.mockReset();
});
afterEach(cleanup);

describe("pausing sales from the sidebar", () => {
  it("pauses, says so, and resumes", async () => {
    api.status.mockResolvedValue(shop({}));
    api.setSalesPaused.mockImplementation(async (paused: boolean) => shop({}, true, paused));
    render(App);
    const s = await sidebar();
    expect(s.textContent).toMatch(/Shop running/);
    await fireEvent.click(screen.getByTestId("toggle-pause"));
    expect(api.setSalesPaused).toHaveBeenCalledWith(true);
    await waitFor(() => expect(s.textContent).toMatch(/Sales paused/));
    expect(screen.getByTestId("toggle-pause").textContent).toMatch(/Resume sales/);
    await fireEvent.click(screen.getByTestId("toggle-pause"));
    expect(api.setSalesPaused).toHaveBeenLastCalledWith(false);
    await waitFor(() => expect(s.textContent).toMatch(/Shop running/));
  });

  it("offers no pause while the shop is stopped", async () => {
    api.status.mockResolvedValue(shop({}, false));
    render(App);
    await sidebar();
    expect(screen.queryByTestId("toggle-pause")).toBeNull();
  });
});

describe("sidebar server status", () => {
  it("shows the public address while the tunnel is up, and opens it", async () => {
    api.status.mockResolvedValue(shop({ state: "up", url: "https://a-b.trycloudflare.com" }));
    api.openExternal.mockResolvedValue(undefined);
    render(App);
    const s = await sidebar();
    expect(s.textContent).toMatch(/Shop running/);
    const url = screen.getByTestId("public-url");
    expect(url.textContent).toBe("a-b.trycloudflare.com");
    await fireEvent.click(url);
    expect(api.openExternal).toHaveBeenCalledWith("https://a-b.trycloudflare.com");
  });

  it.each([
    ["retrying", "Tunnel retrying"],
    ["failed", "Tunnel failed"],
  ] as const)("says when the tunnel is %s", async (state, words) => {
    api.status.mockResolvedValue(shop({ state, url: "https://a-b.trycloudflare.com" }));
    render(App);
    await sidebar();
    expect(screen.getByTestId("tunnel-hint").textContent).toBe(words);
    expect(screen.queryByTestId("public-url")).toBeNull();
  });

  it("says nothing about a tunnel that is off, or when the shop is stopped", async () => {
    api.status.mockResolvedValue(shop({ state: "off" }));
    render(App);
    await sidebar();
    expect(screen.queryByTestId("public-url")).toBeNull();
    expect(screen.queryByTestId("tunnel-hint")).toBeNull();
    cleanup();

    api.status.mockResolvedValue(shop({ state: "up", url: "https://a-b.trycloudflare.com" }, false));
    render(App);
    const s = await sidebar();
    expect(s.textContent).toMatch(/Shop stopped/);
    expect(screen.queryByTestId("public-url")).toBeNull();
  });
});

describe("sidebar sections", () => {
  it("has Discounts and Taxes between Products and Purchases", async () => {
    api.status.mockResolvedValue(shop({ state: "off" }));
    render(App);
    await sidebar();
    const order = [...document.querySelectorAll("[data-nav]")].map((b) => b.getAttribute("data-nav"));
    expect(order.slice(1, 5)).toEqual(["products", "discounts", "taxes", "purchases"]);
    expect(screen.getByRole("button", { name: "Discounts" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Taxes" })).toBeTruthy();
  });
});

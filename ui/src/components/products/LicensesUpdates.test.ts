import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Product, Status } from "../../lib/api";
import { shop } from "../../lib/status.svelte";
import { toasts } from "../../lib/toast.svelte";
import LicensesUpdates from "./LicensesUpdates.svelte";

const api = vi.hoisted(() => ({ licensePublicKey: vi.fn(), updateKeys: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const URL = "https://shop.example.com";
const MINISIGN = "untrusted comment: minisign public key 5A1E9C0B\nRWRBHp0LfT8u\n";
const product: Product = {
  id: 1, slug: "my-app", name: "My App", description: "", price_minor: 2900, currency: "usd", min_price_minor: null, tax_code: null,
  active: true, download_limit: null, license_activations: 3, pdf_stamp: null, created_at: 0, archived_at: null, files: [],
};

const show = () => fireEvent.click(document.querySelector('[data-action="show-keys"]')!);
const row = (id: string) => document.querySelector(`[data-row="${id}"]`) as HTMLElement;
let writeText: ReturnType<typeof vi.fn>;

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.licensePublicKey.mockResolvedValue({ public_key: "TGljZW5zZUtleQ==", key_id: "k1" });
  api.updateKeys.mockResolvedValue({ sparkle: "U3BhcmtsZUtleQ==", tauri: "VGF1cmlLZXk=", minisign: MINISIGN });
  shop.status = { public_url: URL, links_local: false } as Status;
  toasts.splice(0);
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
});
afterEach(() => {
  cleanup();
  shop.status = null;
});

describe("LicensesUpdates", () => {
  it("asks for no keys until the seller opens it (the shop makes them on first use)", () => {
    render(LicensesUpdates, { product });
    expect(screen.getByText("Licenses & updates")).toBeTruthy();
    expect(api.updateKeys).not.toHaveBeenCalled();
    expect(api.licensePublicKey).not.toHaveBeenCalled();
  });

  it("shows each key with where it goes, and the product's feeds, each copyable", async () => {
    render(LicensesUpdates, { product });
    await show();
    await waitFor(() => expect(row("key-sparkle")).toBeTruthy());
    expect(row("key-license").textContent).toMatch(/License files: verify with this key\s*TGljZW5zZUtleQ==/);
    expect(row("key-sparkle").textContent).toMatch(/Sparkle: SUPublicEDKey in Info.plist\s*U3BhcmtsZUtleQ==/);
    expect(row("key-tauri").textContent).toMatch(/Tauri: plugins.updater.pubkey\s*VGF1cmlLZXk=/);
    expect(row("key-minisign").querySelector("code")?.textContent).toBe(MINISIGN.trim());
    expect(row("feed-json").querySelector("code")?.textContent).toBe(`${URL}/feeds/my-app/versions.json?key=LICENSE_KEY`);
    expect(row("feed-sparkle").querySelector("code")?.textContent).toBe(`${URL}/feeds/my-app/appcast.xml?key=LICENSE_KEY&file=FILE`);
    expect(row("feed-tauri").querySelector("code")?.textContent).toBe(`${URL}/feeds/my-app/tauri/{{target}}-{{arch}}?key=LICENSE_KEY`);

    await fireEvent.click(row("key-tauri").querySelector("[data-copy]")!);
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("VGF1cmlLZXk="));
    expect(toasts[toasts.length - 1].text).toBe("Tauri key copied");
    await fireEvent.click(row("feed-sparkle").querySelector("[data-copy]")!);
    await waitFor(() => expect(writeText).toHaveBeenLastCalledWith(`${URL}/feeds/my-app/appcast.xml?key=LICENSE_KEY&file=FILE`));
  });

  it("has no feed URLs for a product without license keys, and says how to get them", async () => {
    render(LicensesUpdates, { product: { ...product, license_activations: null } });
    await show();
    await waitFor(() => expect(row("key-license")).toBeTruthy());
    expect(row("feed-json")).toBeNull();
    expect(screen.getByTestId("feeds-need-keys").textContent).toMatch(/Turn on License keys/);
  });

  it("warns when the feeds open only on this computer", async () => {
    shop.status = { public_url: "http://127.0.0.1:8080", links_local: true } as Status;
    render(LicensesUpdates, { product });
    await show();
    expect(screen.getByTestId("feeds-local")).toBeTruthy();
    expect(row("feed-json").textContent).toContain("http://127.0.0.1:8080/feeds/my-app/versions.json");
  });

  it("says why the keys couldn't be loaded, and tries again", async () => {
    api.updateKeys.mockRejectedValueOnce({ code: "database", message: "the database is locked" });
    render(LicensesUpdates, { product });
    await show();
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/Couldn't load the keys: the database is locked/));
    await fireEvent.click(screen.getByText("Try again"));
    await waitFor(() => expect(row("key-sparkle")).toBeTruthy());
    expect(api.updateKeys).toHaveBeenCalledTimes(2);
  });
});

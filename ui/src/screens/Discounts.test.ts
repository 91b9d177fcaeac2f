import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Discount, Product, Status } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import { toasts } from "../lib/toast.svelte";
import Discounts from "./Discounts.svelte";

const api = vi.hoisted(() => ({
  listDiscounts: vi.fn(), listProducts: vi.fn(), setDiscountDisabled: vi.fn(), validateDiscount: vi.fn(), addDiscount: vi.fn(), editDiscount: vi.fn(),
}));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

const book: Product = {
  id: 1, slug: "book", name: "The Book", description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
  download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [],
};

function discount(code: string, over: Partial<Discount> = {}): Discount {
  return {
    id: code.length, code, percent_off: 20, amounts_off: [], products: [], starts_at: null, expires_at: null,
    max_uses: null, uses: 0, disabled: false, created_at: 0, ...over,
  };
}

function status(public_url: string): Status {
  // The core's answer: these test addresses are local exactly when on loopback.
  const links_local = public_url.startsWith("http://127.");
  return {
    running: true, error: null, mode: "simulated", listen: "127.0.0.1:8080", public_url, data_dir: "/data", secrets_store: "",
    store_name: "Shop", version: "0.1.0", sales_paused: false, links_local, mail_folder: null, mail_trouble: null,
    tunnel: {
      state: "up", provider: "cloudflared", label: null, url: public_url, ephemeral: true, plain_http: false, health: null,
      restarts: 0, pid: null, retry_in_secs: null, message: null, webhook: null, warnings: [],
    },
  };
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.listProducts.mockResolvedValue([book]);
  api.validateDiscount.mockResolvedValue([]);
  toasts.splice(0);
  nav.screen = "discounts";
  nav.param = null;
});
afterEach(cleanup);

describe("Discounts screen", () => {
  it("explains codes and ?code= links when there are none", async () => {
    api.listDiscounts.mockResolvedValue([]);
    render(Discounts, { status: status("https://a-b.trycloudflare.com") });
    const empty = await screen.findByTestId("discounts-empty");
    expect(empty.textContent).toMatch(/No discount codes yet/);
    expect(empty.textContent).toMatch(/\?code=LAUNCH20/);
    await fireEvent.click(screen.getByRole("button", { name: "Create your first code" }));
    expect(screen.getByRole("dialog", { name: "New discount code" })).toBeTruthy();
  });

  it("lists the codes with share links on the public address", async () => {
    api.listDiscounts.mockResolvedValue([discount("LAUNCH20"), discount("FRIENDS", { disabled: true })]);
    render(Discounts, { status: status("https://a-b.trycloudflare.com") });
    await waitFor(() => expect(document.querySelectorAll("[data-discount]")).toHaveLength(2));
    expect(screen.getByText("2 codes · 1 enabled")).toBeTruthy();
    expect(screen.getAllByTestId("share-link")[0].textContent).toBe("https://a-b.trycloudflare.com/p/book?code=LAUNCH20");
  });

  it("warns when only this computer can open the links", async () => {
    api.listDiscounts.mockResolvedValue([discount("LAUNCH20")]);
    render(Discounts, { status: status("http://127.0.0.1:8080") });
    await waitFor(() => expect(screen.getByText(/Only this computer can open these links/)).toBeTruthy());
  });

  it("disables a code and says so", async () => {
    api.listDiscounts.mockResolvedValue([discount("LAUNCH20")]);
    api.setDiscountDisabled.mockResolvedValue(discount("LAUNCH20", { disabled: true }));
    render(Discounts, { status: status("https://shop.example.com") });
    await fireEvent.click(await screen.findByRole("button", { name: "Disable" }));
    expect(api.setDiscountDisabled).toHaveBeenCalledWith("LAUNCH20", true);
    await waitFor(() => expect(screen.getByTestId("discount-state").textContent).toBe("Disabled"));
    expect(toasts[toasts.length - 1]?.text).toMatch(/LAUNCH20 disabled/);
    expect(screen.getByRole("button", { name: "Enable" })).toBeTruthy();
  });

  it("adds a new code to the top of the list", async () => {
    api.listDiscounts.mockResolvedValue([discount("OLD")]);
    api.addDiscount.mockResolvedValue(discount("SPRING"));
    render(Discounts, { status: status("https://shop.example.com") });
    await fireEvent.click(await screen.findByTestId("new-discount"));
    await fireEvent.input(document.querySelector('[name="code"]')!, { target: { value: "SPRING" } });
    await fireEvent.input(document.querySelector('[name="percent_off"]')!, { target: { value: "20" } });
    await fireEvent.click(screen.getByTestId("save-discount"));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect([...document.querySelectorAll("[data-discount]")].map((e) => e.getAttribute("data-discount"))).toEqual(["SPRING", "OLD"]);
    expect(toasts[toasts.length - 1]?.text).toBe("SPRING created");
  });

  it("opens the code another screen sent the seller to", async () => {
    nav.param = "LAUNCH20";
    api.listDiscounts.mockResolvedValue([discount("LAUNCH20")]);
    render(Discounts, { status: null });
    await waitFor(() => expect(screen.getByRole("dialog", { name: "Edit LAUNCH20" })).toBeTruthy());
  });
});

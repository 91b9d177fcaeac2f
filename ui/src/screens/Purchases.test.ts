import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Purchase } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import { toasts } from "../lib/toast.svelte";
import Purchases from "./Purchases.svelte";

const api = vi.hoisted(() => ({ findPurchases: vi.fn(), listProducts: vi.fn(), purchaseDetail: vi.fn(), exportCsv: vi.fn(), showInFolder: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));
const dialog = vi.hoisted(() => ({ save: vi.fn() }));
vi.mock("@tauri-apps/plugin-dialog", () => dialog);

function purchase(token: string, email: string): Purchase {
  return {
    id: 1, token, email, amount_minor: 1900, currency: "usd", amount_refunded_minor: 0, checkout_session_id: "cs", payment_intent_id: "pi",
    status: "paid", standing: "paid", status_reason: null, email_problem: null, source: "checkout", test: false, created_at: 1_700_000_000,
    charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
    charge_lines: [],
    referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
    items: [{ id: 1, product_id: 1, product_slug: "book", product_name: "Book", amount_minor: 1900, download_limit: 5, revoked: false, license: null, files: [] }],
  };
}

function page(purchases: Purchase[], total = purchases.length, next: string | null = null) {
  return { purchases, total, next };
}

const NO_FILTER = { text: "", status: "", product: "", source: "", test: "", from: "", to: "", after: null, limit: null };

beforeEach(() => {
  for (const f of [...Object.values(api), dialog.save]) f.mockReset();
  api.findPurchases.mockResolvedValue(page([purchase("tok-a", "ada@example.com"), purchase("tok-b", "bob@example.com")]));
  api.listProducts.mockResolvedValue([]);
  api.purchaseDetail.mockReturnValue(new Promise(() => {})); // the drawer itself is tested elsewhere
  toasts.splice(0);
  nav.screen = "purchases";
  nav.param = null;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("Purchases screen", () => {
  it("lists purchases as clickable rows that open the detail", async () => {
    render(Purchases, { status: null });
    await waitFor(() => expect(document.querySelectorAll("tr.clickable[data-purchase]")).toHaveLength(2));
    expect(api.findPurchases).toHaveBeenCalledWith(NO_FILTER);
    expect(screen.getByTestId("match-count").textContent).toBe("2 purchases");
    await fireEvent.click(document.querySelector('tr[data-purchase="tok-b"]')!);
    expect(document.querySelector('[data-testid="purchase-detail"]')!.getAttribute("data-token")).toBe("tok-b");
    expect(api.purchaseDetail).toHaveBeenCalledWith("tok-b");
  });

  it("shows a row's discount code and where it came from, compactly", async () => {
    const coded = purchase("tok-c", "cy@example.com");
    coded.charge.discount_code = "LAUNCH20";
    coded.referral.ref = "newsletter";
    const free = { ...purchase("tok-f", "fay@example.com"), source: "free" as const, amount_minor: 0 };
    api.findPurchases.mockResolvedValue(page([coded, free, purchase("tok-a", "ada@example.com")]));
    render(Purchases, { status: null });
    await waitFor(() => expect(screen.getAllByTestId("purchase-tags")).toHaveLength(1));
    expect(screen.getByTestId("purchase-tags").textContent).toMatch(/LAUNCH20\s*via newsletter/);
    const row = document.querySelector('tr[data-purchase="tok-f"]')!;
    expect(row.textContent).toMatch(/Free/);
    expect(row.querySelector(".badge-accent")?.textContent).toBe("free");
  });

  it("searches once per pause in typing", async () => {
    vi.useFakeTimers();
    render(Purchases, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    api.findPurchases.mockClear();
    const input = document.querySelector('input[name="purchase-search"]') as HTMLInputElement;
    for (const q of ["a", "ad", "ada"]) {
      await fireEvent.input(input, { target: { value: q } });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(api.findPurchases).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(api.findPurchases).toHaveBeenCalledTimes(1);
    expect(api.findPurchases).toHaveBeenCalledWith({ ...NO_FILTER, text: "ada" });
  });

  it("says what to do when there are no purchases", async () => {
    api.findPurchases.mockResolvedValue(page([]));
    render(Purchases, { status: null });
    await waitFor(() => expect(screen.getByText("No purchases yet.")).toBeTruthy());
    expect(screen.getByText(/Make a test purchase from Products/)).toBeTruthy();
  });

  it("says when nothing matches the filters, and clears them", async () => {
    render(Purchases, { status: null });
    await waitFor(() => expect(api.findPurchases).toHaveBeenCalledTimes(1));
    api.findPurchases.mockResolvedValue(page([]));
    const status = document.querySelector('select[name="status"]') as HTMLSelectElement;
    status.value = "refunded";
    await fireEvent.change(status);
    expect(api.findPurchases).toHaveBeenLastCalledWith({ ...NO_FILTER, status: "refunded" });
    await waitFor(() => expect(screen.getByText("No purchases match.")).toBeTruthy());
    expect(screen.getByTestId("match-count").textContent).toBe("0 purchases match");
    expect(screen.queryByText("No purchases yet.")).toBeNull();
    api.findPurchases.mockResolvedValue(page([purchase("tok-a", "ada@example.com")]));
    await fireEvent.click(screen.getByTestId("no-match").querySelector('[data-action="clear-filters"]')!);
    expect(api.findPurchases).toHaveBeenLastCalledWith(NO_FILTER);
    await waitFor(() => expect(document.querySelectorAll("tr[data-purchase]")).toHaveLength(1));
    expect(status.value).toBe("");
  });

  it("shows how many match and pages on with Show more", async () => {
    api.findPurchases.mockResolvedValue(page([purchase("tok-a", "ada@example.com"), purchase("tok-b", "bob@example.com")], 3, "170.2"));
    render(Purchases, { status: null });
    await waitFor(() => expect(screen.getByTestId("match-count").textContent).toBe("3 purchases"));
    api.findPurchases.mockResolvedValue(page([purchase("tok-c", "cy@example.com")], 3, null));
    await fireEvent.click(document.querySelector('[data-action="show-more"]')!);
    expect(api.findPurchases).toHaveBeenLastCalledWith({ ...NO_FILTER, after: "170.2" });
    await waitFor(() => expect(document.querySelectorAll("tr[data-purchase]")).toHaveLength(3));
    expect(document.querySelector('[data-action="show-more"]')).toBeNull();
  });

  it("shows a refused filter beside the bar and keeps the list", async () => {
    render(Purchases, { status: null });
    await waitFor(() => expect(document.querySelectorAll("tr[data-purchase]")).toHaveLength(2));
    api.findPurchases.mockRejectedValue({ code: "invalid_input", field: "to", message: "the last day comes before the first" });
    const to = document.querySelector('input[name="to"]') as HTMLInputElement;
    to.value = "2026-01-01";
    await fireEvent.input(to);
    await fireEvent.change(to);
    await waitFor(() => expect(screen.getByTestId("filter-problem").textContent).toBe("the last day comes before the first"));
    expect(screen.getByTestId("filter-problem").getAttribute("data-field")).toBe("to");
    expect(to.getAttribute("aria-invalid")).toBe("true");
    expect(document.querySelectorAll("tr[data-purchase]")).toHaveLength(2);
  });

  it("opens the purchase another screen sent the seller to", async () => {
    nav.param = "tok-a";
    render(Purchases, { status: null });
    await waitFor(() => expect(document.querySelector('[data-testid="purchase-detail"]')).not.toBeNull());
    expect(api.purchaseDetail).toHaveBeenCalledWith("tok-a");
    expect(nav.param).toBeNull(); // consumed, so coming back later shows the list
  });

  it("exports to the chosen file and says how many, where, with a way to see it", async () => {
    dialog.save.mockResolvedValue("/home/ada/booth-purchases.csv");
    api.exportCsv.mockResolvedValue(20);
    api.showInFolder.mockResolvedValue(null);
    render(Purchases, { status: null });
    await fireEvent.click(document.querySelector('[data-action="export-csv"]')!);
    const saved = await screen.findByTestId("saved-file");
    expect(saved.textContent).toContain("Saved 20 purchases to /home/ada/booth-purchases.csv");
    await fireEvent.click(saved.querySelector('[data-action="show-in-folder"]')!);
    expect(api.showInFolder).toHaveBeenCalledWith("/home/ada/booth-purchases.csv");
    await fireEvent.click(saved.querySelector('[aria-label="Dismiss"]')!);
    expect(screen.queryByTestId("saved-file")).toBeNull();
    expect(dialog.save).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: "booth-purchases.csv" }));
    expect(api.exportCsv).toHaveBeenCalledWith("/home/ada/booth-purchases.csv");
  });

  it("does nothing when the save dialog is canceled", async () => {
    dialog.save.mockResolvedValue(null);
    render(Purchases, { status: null });
    await fireEvent.click(document.querySelector('[data-action="export-csv"]')!);
    await waitFor(() => expect(dialog.save).toHaveBeenCalled());
    expect(api.exportCsv).not.toHaveBeenCalled();
    expect(toasts).toHaveLength(0);
    expect(screen.queryByTestId("saved-file")).toBeNull();
  });
});

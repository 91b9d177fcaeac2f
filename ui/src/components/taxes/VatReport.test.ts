import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaxRow } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import VatReport from "./VatReport.svelte";

const api = vi.hoisted(() => ({ taxReport: vi.fn(), exportTaxes: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
const dialog = vi.hoisted(() => ({ save: vi.fn() }));
vi.mock("@tauri-apps/plugin-dialog", () => dialog);

const now = new Date(Date.UTC(2026, 10, 22, 15)); // 22 Nov 2026
const row = (country: string, currency: string, purchases: number, net: number, tax: number, reverse = 0): TaxRow => ({
  country, currency, purchases, net_minor: net, tax_minor: tax, reverse_charged: reverse,
});
const ROWS = [
  row("", "usd", 1, 1900, 0),
  row("DE", "eur", 11, 10335, 1789, 1),
  row("FR", "eur", 4, 5000, 1000),
  row("GB", "gbp", 8, 8168, 1632),
  row("JP", "jpy", 2, 3000, 300),
  row("US", "usd", 28, 30650, 0),
];

const cells = (tr: Element) => [...tr.querySelectorAll("td, th")].map((c) => c.textContent!.replace(/\s+/g, " ").trim());
const bodyRow = (country: string, currency: string) => document.querySelector(`tbody tr[data-country="${country}"][data-currency="${currency}"]`)!;
const lastToast = () => toasts[toasts.length - 1];

beforeEach(() => {
  for (const f of [...Object.values(api), dialog.save]) f.mockReset();
  api.taxReport.mockResolvedValue(ROWS);
  toasts.splice(0);
});
afterEach(cleanup);

describe("VatReport", () => {
  it("starts with last quarter, sending the day after its last", async () => {
    render(VatReport, { props: { now } });
    await waitFor(() => expect(api.taxReport).toHaveBeenCalledWith("2026-07-01", "2026-10-01"));
    expect((document.getElementById("vat-from") as HTMLInputElement).value).toBe("2026-07-01");
    expect((document.getElementById("vat-to") as HTMLInputElement).value).toBe("2026-09-30");
    expect(document.querySelector('[data-pick="last-quarter"]')!.getAttribute("aria-pressed")).toBe("true");
  });

  it("formats each row's amounts in its own currency, with gross and reverse charges", async () => {
    render(VatReport, { props: { now } });
    await screen.findByTestId("vat-table");
    expect(cells(bodyRow("DE", "eur"))).toEqual(["Germany DE", "EUR", "11", "€103.35", "€17.89", "€121.24", "1"]);
    expect(cells(bodyRow("GB", "gbp"))).toEqual(["United Kingdom GB", "GBP", "8", "£81.68", "£16.32", "£98.00", "–"]);
    expect(cells(bodyRow("JP", "jpy")).slice(3, 6)).toEqual(["¥3,000", "¥300", "¥3,300"]);
    expect(cells(bodyRow("US", "usd")).slice(3, 6)).toEqual(["$306.50", "$0.00", "$306.50"]);
    expect(cells(bodyRow("", "usd"))[0]).toBe("No address");
    // By country name, the sales without an address last.
    const order = [...document.querySelectorAll("tbody tr")].map((r) => r.getAttribute("data-country"));
    expect(order).toEqual(["FR", "DE", "JP", "GB", "US", ""]);
  });

  it("adds up per currency, never across", async () => {
    render(VatReport, { props: { now } });
    await screen.findByTestId("vat-table");
    const totals = [...document.querySelectorAll("tfoot tr")].map(cells);
    expect(totals).toEqual([
      ["Total", "EUR", "15", "€153.35", "€27.89", "€181.24", "1"],
      ["Total", "GBP", "8", "£81.68", "£16.32", "£98.00", "–"],
      ["Total", "JPY", "2", "¥3,000", "¥300", "¥3,300", "–"],
      ["Total", "USD", "29", "$325.50", "$0.00", "$325.50", "–"],
    ]);
    expect(screen.getByTestId("vat-summary").textContent).toMatch(/54 purchases in 6 rows/);
  });

  it("reports the period a quick pick or the dates choose", async () => {
    render(VatReport, { props: { now } });
    await waitFor(() => expect(api.taxReport).toHaveBeenCalledTimes(1));
    await fireEvent.click(document.querySelector('[data-pick="this-year"]')!);
    await waitFor(() => expect(api.taxReport).toHaveBeenLastCalledWith("2026-01-01", "2027-01-01"));
    await fireEvent.click(document.querySelector('[data-pick="last-month"]')!);
    await waitFor(() => expect(api.taxReport).toHaveBeenLastCalledWith("2026-10-01", "2026-11-01"));
    await fireEvent.input(document.getElementById("vat-from")!, { target: { value: "2026-02-01" } });
    await fireEvent.input(document.getElementById("vat-to")!, { target: { value: "2026-02-28" } });
    await waitFor(() => expect(api.taxReport).toHaveBeenLastCalledWith("2026-02-01", "2026-03-01"));
    expect(document.querySelectorAll('[aria-pressed="true"]')).toHaveLength(0);
  });

  it("explains an empty period", async () => {
    api.taxReport.mockResolvedValue([]);
    render(VatReport, { props: { now, mode: "simulated" } });
    const empty = await screen.findByTestId("vat-empty");
    expect(empty.textContent).toMatch(/No paid sales in Jul.*2026/);
    expect(empty.textContent).toMatch(/billing\s+address/);
    expect(screen.getByTestId("vat-testing").textContent).toMatch(/simulated, so this adds up test purchases/);
  });

  it("shows the core's period mistake beside the date", async () => {
    api.taxReport.mockRejectedValue({ code: "invalid_input", field: "to", message: "the period must end after it starts" });
    render(VatReport, { props: { now } });
    await waitFor(() => expect(document.getElementById("vat-to-msg")?.textContent).toMatch(/must end after it starts/));
    expect(document.getElementById("vat-to")!.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("vat-table")).toBeNull();
  });

  it("exports the chosen period's CSV where the seller saves it, and says how many rows", async () => {
    dialog.save.mockResolvedValue("/home/ada/q3.csv");
    api.exportTaxes.mockResolvedValue(6);
    render(VatReport, { props: { now } });
    await screen.findByTestId("vat-table");
    await fireEvent.click(document.querySelector('[data-pick="this-quarter"]')!);
    await fireEvent.click(document.querySelector('[data-action="export-taxes"]')!);
    await waitFor(() => expect(api.exportTaxes).toHaveBeenCalledWith("2026-10-01", "2027-01-01", "/home/ada/q3.csv"));
    expect(dialog.save.mock.calls[0][0].defaultPath).toBe("booth-taxes-2026-10-01-to-2026-12-31.csv");
    await waitFor(() => expect(lastToast()?.text).toMatch(/^Exported 6 rows for Oct.*2026/));
  });

  it("exports nothing when the save dialog is canceled, and says why an export failed", async () => {
    dialog.save.mockResolvedValueOnce(null).mockResolvedValueOnce("/read-only/taxes.csv");
    api.exportTaxes.mockRejectedValue({ code: "invalid_input", field: "path", message: "can't write /read-only/taxes.csv: permission denied" });
    render(VatReport, { props: { now } });
    const button = document.querySelector('[data-action="export-taxes"]')!;
    await fireEvent.click(button);
    await waitFor(() => expect(dialog.save).toHaveBeenCalledTimes(1));
    expect(api.exportTaxes).not.toHaveBeenCalled();
    await fireEvent.click(button);
    await waitFor(() => expect(lastToast()).toEqual(expect.objectContaining({ kind: "error", text: expect.stringMatching(/permission denied/) })));
  });
});

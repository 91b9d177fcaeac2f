import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaxSettings } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import Taxes from "./Taxes.svelte";

const api = vi.hoisted(() => ({
  taxSettings: vi.fn(), validateTaxSettings: vi.fn(), saveTaxSettings: vi.fn(), consentWordings: vi.fn(), setConsentWording: vi.fn(),
  taxReport: vi.fn(), exportTaxes: vi.fn(),
}));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

const saved: TaxSettings = { tax: "off", tax_ids: false, invoices: false, tax_code: "txcd_10000000", consent: false };

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.taxSettings.mockResolvedValue(saved);
  api.consentWordings.mockResolvedValue([{ id: 1, lang: "en", text: "I agree.", created_at: 0 }]);
  api.validateTaxSettings.mockResolvedValue([]);
  api.saveTaxSettings.mockImplementation(async (form: TaxSettings) => form);
  api.taxReport.mockResolvedValue([]);
  nav.screen = "taxes";
  nav.param = null;
});
afterEach(cleanup);

describe("Taxes screen", () => {
  it("shows the three cards once the settings and wordings are in", async () => {
    render(Taxes, { status: null });
    await screen.findByRole("heading", { name: "Stripe Tax" });
    expect(screen.getByRole("heading", { name: "EU consent to immediate delivery" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "VAT return" })).toBeTruthy();
    await waitFor(() => expect(document.querySelector('[data-wording="en"]')).toBeTruthy());
    expect(document.querySelector(".page-head")!.textContent).toMatch(/Stripe Tax off/);
  });

  it("keeps the consent the switch saved when the Stripe Tax card saves", async () => {
    render(Taxes, { status: null });
    const sw = (await screen.findByRole("switch", { name: /Ask buyers to agree/ })) as HTMLInputElement;
    await fireEvent.click(sw);
    await waitFor(() => expect(api.saveTaxSettings).toHaveBeenCalledWith({ ...saved, consent: true }));
    await fireEvent.click(document.querySelector('input[name="tax"][value="inclusive"]')!);
    await fireEvent.click(screen.getByTestId("save-tax"));
    await waitFor(() => expect(api.saveTaxSettings).toHaveBeenLastCalledWith({ ...saved, tax: "inclusive", consent: true }));
    expect(document.querySelector(".page-head")!.textContent).toMatch(/Prices include tax · EU consent on/);
  });

  it("says why the settings didn't load, and tries again", async () => {
    api.taxSettings.mockRejectedValueOnce({ code: "database", message: "database is locked" });
    render(Taxes, { status: null });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/Couldn't load the tax settings: database is locked/);
    await fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("heading", { name: "Stripe Tax" });
  });
});

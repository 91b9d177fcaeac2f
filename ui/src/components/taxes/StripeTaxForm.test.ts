import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaxSettings } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import StripeTaxForm from "./StripeTaxForm.svelte";

const api = vi.hoisted(() => ({ validateTaxSettings: vi.fn(), saveTaxSettings: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const off: TaxSettings = { tax: "off", tax_ids: false, invoices: false, tax_code: "txcd_10000000", consent: true };

const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const radio = (value: string) => document.querySelector(`input[name="tax"][value="${value}"]`) as HTMLInputElement;
const save = () => screen.getByTestId("save-tax") as HTMLButtonElement;
const errorOf = (id: string) => document.getElementById(`${id}-msg`)?.textContent ?? "";

let onsaved: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onsaved = vi.fn();
  for (const f of Object.values(api)) f.mockReset();
  api.validateTaxSettings.mockResolvedValue([]);
  api.saveTaxSettings.mockImplementation(async (form: TaxSettings) => form);
  toasts.splice(0);
});
afterEach(cleanup);

describe("StripeTaxForm", () => {
  it("shows the saved settings, with nothing to save yet", () => {
    render(StripeTaxForm, { props: { settings: { ...off, tax: "inclusive", tax_ids: true, tax_code: "txcd_10302000" }, onsaved } });
    expect(radio("inclusive").checked).toBe(true);
    expect(field("tax_ids").checked).toBe(true);
    expect(field("invoices").checked).toBe(false);
    expect((field("tax_code_choice") as unknown as HTMLSelectElement).value).toBe("ebook");
    expect(field("other_code")).toBeNull();
    expect(save().disabled).toBe(true);
  });

  it("sends the TaxSettings as set, a named code as its txcd_, and the consent as saved", async () => {
    render(StripeTaxForm, { props: { settings: off, mode: "live", onsaved } });
    await fireEvent.click(radio("exclusive"));
    await fireEvent.click(field("tax_ids"));
    await fireEvent.click(field("invoices"));
    await fireEvent.change(field("tax_code_choice"), { target: { value: "software" } });
    expect(save().disabled).toBe(false);
    await fireEvent.click(save());
    const sent: TaxSettings = { tax: "exclusive", tax_ids: true, invoices: true, tax_code: "txcd_10202000", consent: true };
    await waitFor(() => expect(api.saveTaxSettings).toHaveBeenCalledWith(sent));
    expect(api.validateTaxSettings).toHaveBeenCalledWith(sent);
    expect(onsaved).toHaveBeenCalledWith(sent);
    expect(toasts[toasts.length - 1]?.text).toBe("Tax settings saved: tax added at checkout");
  });

  it("sends the code typed under Other…", async () => {
    render(StripeTaxForm, { props: { settings: off, onsaved } });
    await fireEvent.change(field("tax_code_choice"), { target: { value: "other" } });
    await waitFor(() => expect(document.activeElement).toBe(field("other_code")));
    await fireEvent.input(field("other_code"), { target: { value: " txcd_20030000 " } });
    await fireEvent.click(save());
    await waitFor(() => expect(api.saveTaxSettings).toHaveBeenCalledWith({ ...off, tax_code: "txcd_20030000" }));
  });

  it("prefills a code of its own under Other…", () => {
    render(StripeTaxForm, { props: { settings: { ...off, tax_code: "txcd_20030000" }, onsaved } });
    expect((field("tax_code_choice") as unknown as HTMLSelectElement).value).toBe("other");
    expect(field("other_code").value).toBe("txcd_20030000");
  });

  it("shows each of the core's mistakes beside its field, the rest in the card, and saves nothing", async () => {
    api.validateTaxSettings.mockResolvedValue([
      { code: "invalid_input", field: "tax", message: "off, exclusive (tax added at checkout) or inclusive (prices include tax)" },
      { code: "invalid_input", field: "tax_code", message: "a Stripe tax code like txcd_10302000, or ebook, software or digital" },
      { code: "invalid_input", field: "invoices", message: "yes or no" },
      { code: "invalid_input", field: "consent", message: "consent: yes or no" },
    ]);
    render(StripeTaxForm, { props: { settings: off, onsaved } });
    await fireEvent.change(field("tax_code_choice"), { target: { value: "other" } });
    await fireEvent.input(field("other_code"), { target: { value: "txcd_1" } });
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("tx-tax_code")).toMatch(/Stripe tax code like/));
    expect(errorOf("tx-tax")).toMatch(/off, exclusive/);
    expect(errorOf("tx-invoices")).toBe("yes or no");
    expect(field("other_code").getAttribute("aria-invalid")).toBe("true");
    expect(document.querySelector(".section-foot [role='alert']")?.textContent).toBe("consent: yes or no");
    expect(api.saveTaxSettings).not.toHaveBeenCalled();
    expect(onsaved).not.toHaveBeenCalled();
    // Typing in a field takes its mistake away.
    await fireEvent.input(field("other_code"), { target: { value: "txcd_10302000" } });
    expect(errorOf("tx-tax_code")).not.toMatch(/Stripe tax code like/);
  });

  it("puts a mistake the save answers beside its field", async () => {
    api.saveTaxSettings.mockRejectedValue({ code: "invalid_input", field: "tax_code", message: "a Stripe tax code like txcd_10302000" });
    render(StripeTaxForm, { props: { settings: off, onsaved } });
    await fireEvent.click(radio("inclusive"));
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("tx-code")).toMatch(/Stripe tax code like/));
  });

  it("says who computes the tax in simulated mode", () => {
    render(StripeTaxForm, { props: { settings: off, mode: "simulated", onsaved } });
    expect(screen.getByTestId("sim-note").textContent).toMatch(/simulator computes the tax for EU countries, the UK,\s+Norway, Switzerland and Hong Kong/);
  });
});

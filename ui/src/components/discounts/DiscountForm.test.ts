import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Discount, Product } from "../../lib/api";
import DiscountForm from "./DiscountForm.svelte";

const api = vi.hoisted(() => ({ validateDiscount: vi.fn(), addDiscount: vi.fn(), editDiscount: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

function product(slug: string, name: string, over: Partial<Product> = {}): Product {
  return {
    id: 1, slug, name, description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
    download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [], ...over,
  };
}
const products = [product("book", "The Book"), product("presets", "Presets"), product("zine", "Zine", { min_price_minor: 0, price_minor: 500 })];

const saved: Discount = {
  id: 3, code: "NEWS", percent_off: null, amounts_off: [{ currency: "usd", amount_minor: 500 }, { currency: "eur", amount_minor: 450 }],
  products: ["book"], starts_at: null, expires_at: Date.UTC(2026, 11, 24) / 1000, max_uses: 50, uses: 7, disabled: false, created_at: 0,
};

const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const save = () => document.querySelector('[data-testid="save-discount"]') as HTMLButtonElement;
const errorOf = (id: string) => document.getElementById(`df-${id}-msg`)?.textContent ?? "";
const type = (name: string, value: string) => fireEvent.input(field(name), { target: { value } });
const tick = (slug: string) => fireEvent.click(document.querySelector(`input[name="product"][value="${slug}"]`)!);

let onsaved: ReturnType<typeof vi.fn>;
let oncancel: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onsaved = vi.fn();
  oncancel = vi.fn();
  for (const f of Object.values(api)) f.mockReset();
  api.validateDiscount.mockResolvedValue([]);
});
afterEach(cleanup);

describe("DiscountForm: a new code", () => {
  it("sends a percent code for every product, checked first", async () => {
    api.addDiscount.mockResolvedValue({ ...saved, code: "LAUNCH20" });
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    expect(document.activeElement).toBe(field("code"));
    await type("code", "launch20");
    await type("percent_off", "20");
    await type("max_uses", "100");
    await fireEvent.click(save());
    const form = { code: "launch20", percent_off: "20", amounts_off: [], products: [], starts: "", expires: "", max_uses: "100" };
    await waitFor(() => expect(api.addDiscount).toHaveBeenCalledWith(form));
    expect(api.validateDiscount).toHaveBeenCalledWith(form);
    expect(onsaved).toHaveBeenCalledWith({ ...saved, code: "LAUNCH20" }, true);
  });

  it("sends amounts per currency, the products ticked and the dates", async () => {
    api.addDiscount.mockResolvedValue(saved);
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    await type("code", "NEWS");
    await fireEvent.click(document.querySelector('input[name="kind"][value="amount"]')!);
    expect(field("percent_off")).toBeNull();
    // The first row is in the shop's currency; another row takes the next one.
    expect(field("currency-0").value).toBe("usd");
    await type("amount-0", "5.00");
    await fireEvent.click(screen.getByTestId("add-amount"));
    await type("amount-1", "4.50");
    await fireEvent.change(field("currency-1"), { target: { value: "eur" } });
    await fireEvent.click(screen.getByTestId("add-amount"));
    expect(screen.getAllByTestId("amount-row")).toHaveLength(3);
    await fireEvent.click(screen.getAllByRole("button", { name: /^Remove/ })[2]);
    expect(screen.getAllByTestId("amount-row")).toHaveLength(2);

    expect(screen.getByTestId("products-hint").textContent).toMatch(/every product/);
    await tick("book");
    await tick("presets");
    await tick("presets");
    expect(screen.getByTestId("products-hint").textContent).toMatch(/Only for the product ticked/);
    await fireEvent.input(field("starts"), { target: { value: "2026-12-01" } });
    await fireEvent.input(field("expires"), { target: { value: "2026-12-24" } });
    await fireEvent.click(save());
    await waitFor(() => expect(api.addDiscount).toHaveBeenCalledWith({
      code: "NEWS", percent_off: "", amounts_off: ["5.00 USD", "4.50 EUR"], products: ["book"],
      starts: "2026-12-01", expires: "2026-12-24", max_uses: "",
    }));
  });

  it("says a pay-what-you-want product isn't discounted", () => {
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    const zine = document.querySelector('input[value="zine"]')!.closest("label")!;
    expect(zine.textContent).toMatch(/Pay what you want from \$0\.00/);
    expect(zine.textContent).toMatch(/codes don't apply/);
  });

  it("shows each of the core's mistakes beside its field and saves nothing", async () => {
    api.validateDiscount.mockResolvedValue([
      { code: "invalid_input", field: "code", message: "a code is 3–32 letters (A–Z), digits, dashes or underscores, e.g. LAUNCH" },
      { code: "invalid_input", field: "percent_off", message: "a percent off is a whole number from 1 to 100" },
      { code: "invalid_input", field: "starts", message: "write a date like 2026-12-24 or 2026-12-24T18:00 (UTC)" },
      { code: "invalid_input", field: "expires_at", message: "the code must expire after it starts" },
      { code: "invalid_input", field: "max_uses", message: "maximum uses is a whole number from 1 to 1000000, or empty for no limit" },
    ]);
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    await type("code", "x");
    await type("percent_off", "150");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("code")).toMatch(/3–32 letters/));
    expect(errorOf("percent")).toMatch(/1 to 100/);
    expect(errorOf("starts")).toMatch(/write a date/);
    expect(errorOf("expires")).toMatch(/expire after it starts/);
    expect(errorOf("max")).toMatch(/whole number/);
    expect(field("code").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(field("code"));
    expect(api.addDiscount).not.toHaveBeenCalled();
    // Typing in a field clears its mistake.
    await type("code", "LAUNCH");
    expect(errorOf("code")).not.toMatch(/3–32 letters/);
  });

  it("shows 'a percent or amounts' beside the amounts when the seller chose amounts", async () => {
    api.validateDiscount.mockResolvedValue([
      { code: "invalid_input", field: "percent_off", message: "give a percent off or amounts off (one of the two)" },
    ]);
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    await type("code", "NEWS");
    await fireEvent.click(document.querySelector('input[name="kind"][value="amount"]')!);
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("amounts_off")).toMatch(/one of the two/));
  });

  it("puts a taken code at the code, and other failures in a banner", async () => {
    api.addDiscount.mockRejectedValueOnce({ code: "conflict", message: "the code LAUNCH20 already exists" });
    api.addDiscount.mockRejectedValueOnce({ code: "database", message: "disk full" });
    render(DiscountForm, { props: { products, onsaved, oncancel } });
    await type("code", "LAUNCH20");
    await type("percent_off", "20");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("code")).toMatch(/already exists/));
    await fireEvent.click(save());
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/disk full/));
    expect(onsaved).not.toHaveBeenCalled();
  });
});

describe("DiscountForm: editing", () => {
  it("prefills the code and saves it under its old code", async () => {
    api.editDiscount.mockResolvedValue({ ...saved, code: "NEWS5" });
    render(DiscountForm, { props: { discount: saved, products, onsaved, oncancel } });
    expect(screen.getByText(/Used 7 times so far/)).toBeTruthy();
    expect(field("code").value).toBe("NEWS");
    expect((document.querySelector('input[name="kind"][value="amount"]') as HTMLInputElement).checked).toBe(true);
    expect(field("amount-0").value).toBe("5.00");
    expect(field("currency-1").value).toBe("eur");
    expect(field("amount-1").value).toBe("4.50");
    expect((document.querySelector('input[value="book"]') as HTMLInputElement).checked).toBe(true);
    expect(field("expires").value).toBe("2026-12-24");
    expect(field("max_uses").value).toBe("50");

    await type("code", "NEWS5");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editDiscount).toHaveBeenCalledWith("NEWS", {
      code: "NEWS5", percent_off: "", amounts_off: ["5.00 USD", "4.50 EUR"], products: ["book"],
      starts: "", expires: "2026-12-24", max_uses: "50",
    }));
    expect(onsaved).toHaveBeenCalledWith({ ...saved, code: "NEWS5" }, false);
  });

  it("asks its panel to close from Cancel and the close button", async () => {
    render(DiscountForm, { props: { discount: saved, products, onsaved, oncancel } });
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await fireEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(oncancel).toHaveBeenCalledTimes(2);
  });
});

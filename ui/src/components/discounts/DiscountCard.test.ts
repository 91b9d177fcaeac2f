import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Discount, Product } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import DiscountCard from "./DiscountCard.svelte";

function product(slug: string, name: string, over: Partial<Product> = {}): Product {
  return {
    id: 1, slug, name, description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
    download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [], ...over,
  };
}
const products = [product("book", "The Book"), product("presets", "Presets"), product("zine", "Zine", { min_price_minor: 0 })];

function discount(over: Partial<Discount> = {}): Discount {
  return {
    id: 1, code: "LAUNCH20", percent_off: 20, amounts_off: [], products: [], starts_at: null, expires_at: null,
    max_uses: 100, uses: 3, disabled: false, created_at: 0, ...over,
  };
}

const URL = "https://shop.example.com";
const link = () => screen.getByTestId("share-link").textContent;
let onedit: ReturnType<typeof vi.fn>;
let ontoggle: ReturnType<typeof vi.fn>;
let writeText: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onedit = vi.fn();
  ontoggle = vi.fn();
  toasts.splice(0);
  writeText = vi.fn().mockResolvedValue(undefined);
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
});
afterEach(cleanup);

describe("DiscountCard", () => {
  it("says what the code takes off, for what, how often it was used, and when it works", () => {
    render(DiscountCard, { props: { discount: discount({ expires_at: 4_102_444_800 }), products, publicUrl: URL, onedit, ontoggle } });
    expect(screen.getByTestId("discount-off").textContent).toBe("20% off");
    expect(screen.getByTestId("discount-products").textContent).toBe("Every product");
    expect(screen.getByTestId("discount-uses").textContent).toBe("3 / 100 used");
    expect(screen.getByTestId("discount-validity").textContent).toMatch(/^Until .*2100/);
    expect(screen.getByTestId("discount-state").textContent).toBe("Active");
  });

  it("shows a fixed amount, its products and a disabled state", () => {
    render(DiscountCard, {
      props: {
        discount: discount({ percent_off: null, amounts_off: [{ currency: "eur", amount_minor: 500 }], products: ["book"], disabled: true, max_uses: null }),
        products, publicUrl: URL, onedit, ontoggle,
      },
    });
    expect(screen.getByTestId("discount-off").textContent).toBe("€5.00 off");
    expect(screen.getByTestId("discount-products").textContent).toBe("The Book");
    expect(screen.getByTestId("discount-uses").textContent).toBe("3 used");
    expect(screen.getByTestId("discount-state").textContent).toBe("Disabled");
    expect(screen.getByRole("button", { name: "Enable" })).toBeTruthy();
  });

  it("builds the share link from the public address, for the product picked, and copies it", async () => {
    render(DiscountCard, { props: { discount: discount(), products, publicUrl: URL + "/", onedit, ontoggle } });
    expect(link()).toBe("https://shop.example.com/p/book?code=LAUNCH20");
    // Pay-what-you-want products aren't offered: the code doesn't apply to them.
    const pick = screen.getByRole("combobox", { name: "Product the link opens" }) as HTMLSelectElement;
    expect([...pick.options].map((o) => o.value)).toEqual(["book", "presets"]);
    await fireEvent.change(pick, { target: { value: "presets" } });
    expect(link()).toBe("https://shop.example.com/p/presets?code=LAUNCH20");
    await fireEvent.click(document.querySelector('[data-action="copy-share"]')!);
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("https://shop.example.com/p/presets?code=LAUNCH20"));
    expect(toasts[toasts.length - 1]?.text).toBe("Link with LAUNCH20 copied");
  });

  it("has no picker for a code of one product", () => {
    render(DiscountCard, { props: { discount: discount({ products: ["presets"] }), products, publicUrl: URL, onedit, ontoggle } });
    expect(screen.queryByRole("combobox")).toBeNull();
    expect(link()).toBe("https://shop.example.com/p/presets?code=LAUNCH20");
  });

  it("edits and disables through its buttons", async () => {
    render(DiscountCard, { props: { discount: discount(), products, publicUrl: URL, onedit, ontoggle } });
    await fireEvent.click(document.querySelector('[data-action="edit"]')!);
    await fireEvent.click(screen.getByRole("button", { name: "Disable" }));
    expect(onedit).toHaveBeenCalledTimes(1);
    expect(ontoggle).toHaveBeenCalledTimes(1);
  });
});

describe("DiscountCard: a code buyers can't use now", () => {
  it.each([
    [{ disabled: true }, "disabled"],
    [{ expires_at: 1_000_000 }, "expired"],
    [{ uses: 100, max_uses: 100 }, "used up"],
  ] as [Partial<Discount>, string][])("offers no link while it is %j", (over, words) => {
    render(DiscountCard, { props: { discount: discount(over), products, publicUrl: URL, onedit: vi.fn(), ontoggle: vi.fn() } });
    expect(screen.queryByTestId("share-link")).toBeNull();
    expect(screen.getByTestId("share-idle").textContent).toBe(`Links with it show the full price while it is ${words}.`);
  });
});

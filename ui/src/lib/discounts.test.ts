import { describe, expect, it } from "vitest";
import type { Discount, Product } from "./api";
import {
  describeDiscount, discountField, discountForm, discountState, fieldsOf, formatDay, productsText, shareLink, shareProducts,
  toDateInput, usesText, validityText,
} from "./discounts";

const DAY = 86400;
const DEC_24 = Date.UTC(2026, 11, 24) / 1000;

function discount(over: Partial<Discount> = {}): Discount {
  return {
    id: 1, code: "LAUNCH20", percent_off: 20, amounts_off: [], products: [], starts_at: null, expires_at: null,
    max_uses: null, uses: 0, disabled: false, created_at: 0, ...over,
  };
}

function product(slug: string, name: string, over: Partial<Product> = {}): Product {
  return {
    id: 1, slug, name, description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
    download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [], ...over,
  };
}

const PRODUCTS = [
  product("book", "The Book"),
  product("zine", "Zine", { min_price_minor: 0 }),
  product("old", "Old Pack", { active: false }),
  product("presets", "Presets"),
];

describe("describeDiscount", () => {
  it("says a percent or each currency's amount off", () => {
    expect(describeDiscount(discount())).toBe("20% off");
    expect(describeDiscount(discount({ percent_off: null, amounts_off: [{ currency: "eur", amount_minor: 500 }] }))).toBe("€5.00 off");
    expect(describeDiscount(discount({
      percent_off: null, amounts_off: [{ currency: "usd", amount_minor: 500 }, { currency: "jpy", amount_minor: 700 }],
    }))).toBe("$5.00 / ¥700 off");
  });
});

describe("usesText", () => {
  it("counts uses against the maximum, or alone without one", () => {
    expect(usesText(discount({ uses: 3, max_uses: 100 }))).toBe("3 / 100 used");
    expect(usesText(discount({ uses: 3 }))).toBe("3 used");
  });
});

describe("productsText", () => {
  it("names the products, or says every product", () => {
    expect(productsText(discount(), PRODUCTS)).toBe("Every product");
    expect(productsText(discount({ products: ["book"] }), PRODUCTS)).toBe("The Book");
    expect(productsText(discount({ products: ["book", "presets"] }), PRODUCTS)).toBe("The Book and Presets");
    expect(productsText(discount({ products: ["book", "presets", "zine"] }), PRODUCTS)).toBe("3 products");
    // A product not (yet) in the list goes by its slug.
    expect(productsText(discount({ products: ["gone"] }), null)).toBe("gone");
  });
});

describe("discountState", () => {
  const now = DEC_24;
  it("tells disabled, expired, scheduled, used up and active apart", () => {
    expect(discountState(discount({ disabled: true, expires_at: now - DAY }), now).label).toBe("Disabled");
    expect(discountState(discount({ expires_at: now }), now).label).toBe("Expired");
    expect(discountState(discount({ starts_at: now + 1 }), now).label).toBe("Scheduled");
    expect(discountState(discount({ uses: 10, max_uses: 10 }), now).label).toBe("Used up");
    expect(discountState(discount({ starts_at: now, expires_at: now + DAY, uses: 9, max_uses: 10 }), now)).toEqual({ label: "Active", cls: "badge-ok" });
  });
});

describe("dates", () => {
  it("shows the window a code works in, in UTC", () => {
    expect(validityText(discount())).toBe("No end date");
    expect(validityText(discount({ expires_at: DEC_24 }))).toBe(`Until ${formatDay(DEC_24)}`);
    expect(validityText(discount({ starts_at: DEC_24 - DAY }))).toBe(`From ${formatDay(DEC_24 - DAY)}`);
    expect(validityText(discount({ starts_at: DEC_24 - DAY, expires_at: DEC_24 }))).toBe(`${formatDay(DEC_24 - DAY)} – ${formatDay(DEC_24)}`);
    expect(formatDay(DEC_24)).toMatch(/2026/);
    expect(formatDay(DEC_24 + 18 * 3600)).toMatch(/, 18:00 UTC$/);
  });

  it("fills the date fields with a day, or a day and time when it has one", () => {
    expect(toDateInput(null)).toBe("");
    expect(toDateInput(DEC_24)).toBe("2026-12-24");
    expect(toDateInput(DEC_24 + 18 * 3600)).toBe("2026-12-24T18:00");
  });
});

describe("shareLink", () => {
  it("is the product page with the code, without a doubled slash", () => {
    expect(shareLink("https://shop.example.com", "book", "LAUNCH20")).toBe("https://shop.example.com/p/book?code=LAUNCH20");
    expect(shareLink("https://a-b.trycloudflare.com/", "book", "LAUNCH20")).toBe("https://a-b.trycloudflare.com/p/book?code=LAUNCH20");
  });
});

describe("shareProducts", () => {
  it("offers the code's products that are for sale at a fixed price", () => {
    expect(shareProducts(discount(), PRODUCTS).map((p) => p.slug)).toEqual(["book", "presets"]);
    expect(shareProducts(discount({ products: ["presets", "old"] }), PRODUCTS).map((p) => p.slug)).toEqual(["presets"]);
  });

  it("falls back to the code's own products when none of them is for sale", () => {
    expect(shareProducts(discount({ products: ["old"] }), PRODUCTS).map((p) => p.slug)).toEqual(["old"]);
    expect(shareProducts(discount(), [])).toEqual([]);
  });
});

describe("the form", () => {
  it("sends only the chosen kind, amounts as '5.00 EUR', and drops empty rows", () => {
    const f = fieldsOf(null, "eur");
    expect(f.amounts).toEqual([{ amount: "", currency: "eur" }]);
    Object.assign(f, {
      code: " launch ", kind: "amount", percent: "20",
      amounts: [{ amount: "5.00", currency: "eur" }, { amount: " ", currency: "usd" }, { amount: "6", currency: "usd" }],
      products: ["book"], starts: "2026-12-01", expires: "", maxUses: " 100 ",
    });
    expect(discountForm(f)).toEqual({
      code: "launch", percent_off: "", amounts_off: ["5.00 EUR", "6 USD"], products: ["book"],
      starts: "2026-12-01", expires: "", max_uses: "100",
    });
    expect(discountForm({ ...f, kind: "percent" })).toMatchObject({ percent_off: "20", amounts_off: [] });
  });

  it("prefills a code so that saving it unchanged sends it back as it was", () => {
    const d = discount({
      code: "NEWS", percent_off: null, amounts_off: [{ currency: "usd", amount_minor: 500 }], products: ["book"],
      starts_at: DEC_24 - 7 * DAY, expires_at: DEC_24 + 18 * 3600, max_uses: 50,
    });
    expect(discountForm(fieldsOf(d))).toEqual({
      code: "NEWS", percent_off: "", amounts_off: ["5.00 USD"], products: ["book"],
      starts: "2026-12-17", expires: "2026-12-24T18:00", max_uses: "50",
    });
  });

  it("puts the core's fields where the form shows them", () => {
    expect(discountField("expires_at", "percent")).toBe("expires");
    expect(discountField("starts_at", "percent")).toBe("starts");
    expect(discountField("percent_off", "amount")).toBe("amounts_off");
    expect(discountField("percent_off", "percent")).toBe("percent_off");
    expect(discountField("code", "amount")).toBe("code");
    expect(discountField(undefined, "amount")).toBeUndefined();
  });
});

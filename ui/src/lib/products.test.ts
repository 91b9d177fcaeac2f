import { describe, expect, it } from "vitest";
import { isPayWhatYouWant, priceText } from "./products";

describe("priceText", () => {
  it("shows a fixed price as it is", () => {
    expect(priceText({ price_minor: 1900, currency: "usd", min_price_minor: null })).toBe("$19.00");
  });

  it("shows pay what you want from its minimum, free included", () => {
    expect(priceText({ price_minor: 500, currency: "usd", min_price_minor: 200 })).toBe("Pay what you want from $2.00");
    expect(priceText({ price_minor: 500, currency: "eur", min_price_minor: 0 })).toBe("Pay what you want from €0.00");
    expect(isPayWhatYouWant({ min_price_minor: 0 })).toBe(true);
    expect(isPayWhatYouWant({ min_price_minor: null })).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { isPayWhatYouWant, newVersionOf, priceText } from "./products";

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

describe("newVersionOf", () => {
  const file = (id: number, version_id: number, version: string) => ({
    id, display_name: `f${id}.pdf`, version_id, version, size: 1, sha256: "", stored_path: "", notes: "", versions: version_id,
  });
  const product = (files: ReturnType<typeof file>[]) => ({
    id: 1, slug: "guide", name: "Guide", description: "", price_minor: 100, currency: "usd", min_price_minor: null,
    tax_code: null, active: true, download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files,
  });

  it("names the file an upload gave a new version", () => {
    const before = product([file(1, 10, "3"), file(2, 20, "1")]);
    const after = product([file(1, 10, "3"), file(2, 21, "2")]);
    expect(newVersionOf(before, after)?.id).toBe(2);
  });

  it("is nothing for an added or removed file, or a product it didn't know", () => {
    const before = product([file(1, 10, "3")]);
    expect(newVersionOf(before, product([file(1, 10, "3"), file(2, 20, "1")]))).toBeNull();
    expect(newVersionOf(product([file(1, 10, "3"), file(2, 20, "1")]), before)).toBeNull();
    expect(newVersionOf(undefined, before)).toBeNull();
  });
});

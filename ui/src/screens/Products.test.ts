import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Product } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import Products from "./Products.svelte";

const api = vi.hoisted(() => ({ listProducts: vi.fn(), archiveProduct: vi.fn(), unarchiveProduct: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

function product(slug: string, over: Partial<Product> = {}): Product {
  return {
    id: slug === "book" ? 1 : 2, slug, name: slug, description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
    download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [], ...over,
  };
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  nav.screen = "products";
  nav.param = null;
});
afterEach(cleanup);

describe("Products screen", () => {
  it("shows a fixed price, and pay what you want from its minimum with the suggestion", async () => {
    api.listProducts.mockResolvedValue([product("book"), product("zine", { price_minor: 500, min_price_minor: 0 })]);
    render(Products, { status: null });
    expect((await screen.findByTestId("price-book")).textContent).toBe("$19.00");
    const zine = screen.getByTestId("price-zine").textContent!;
    expect(zine).toMatch(/Pay what you want from \$0\.00/);
    expect(zine).toMatch(/Suggested \$5\.00/);
  });

  it("keeps archived products under an Archived toggle, and Unarchive brings one back", async () => {
    api.listProducts.mockResolvedValue([product("book"), product("zine", { archived_at: 100 })]);
    api.unarchiveProduct.mockResolvedValue(product("zine"));
    render(Products, { status: null });
    await screen.findByTestId("price-book");
    expect(document.querySelector('[data-product="zine"]')).toBeNull();
    const toggle = screen.getByTestId("archived-toggle");
    expect(toggle.textContent).toMatch(/Archived \(1\)/);
    expect(document.querySelector('[data-archived="zine"]')).toBeNull();
    await fireEvent.click(toggle);
    expect(document.querySelector('[data-archived="zine"]')?.textContent).toMatch(/\/p\/zine/);
    await fireEvent.click(screen.getByTestId("unarchive-zine"));
    await waitFor(() => expect(document.querySelector('[data-product="zine"]')).toBeTruthy());
    expect(api.unarchiveProduct).toHaveBeenCalledWith("zine");
    expect(screen.queryByTestId("archived-toggle")).toBeNull();
  });

  it("archives from the product panel only after confirming, and the product leaves the list", async () => {
    api.listProducts.mockResolvedValue([product("book"), product("zine")]);
    api.archiveProduct.mockResolvedValue(product("book", { archived_at: 100 }));
    render(Products, { status: null });
    await fireEvent.click(await screen.findByTestId("edit-book"));
    await fireEvent.click(screen.getByTestId("archive-product"));
    expect(api.archiveProduct).not.toHaveBeenCalled();
    const dialog = screen.getByTestId("archive-dialog");
    expect(dialog.textContent).toMatch(/Archive book\?/);
    expect(dialog.textContent).toMatch(/Everyone who bought it keeps/);
    await fireEvent.click(document.querySelector('[data-confirm="archive"]')!);
    await waitFor(() => expect(document.querySelector('[data-product="book"]')).toBeNull());
    expect(api.archiveProduct).toHaveBeenCalledWith("book");
    expect(screen.queryByTestId("product-panel")).toBeNull();
    expect(screen.getByTestId("archived-toggle").textContent).toMatch(/Archived \(1\)/);
  });
});

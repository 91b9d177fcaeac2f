import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Product } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import Products from "./Products.svelte";

const api = vi.hoisted(() => ({ listProducts: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

function product(slug: string, over: Partial<Product> = {}): Product {
  return {
    id: slug === "book" ? 1 : 2, slug, name: slug, description: "", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null, active: true,
    download_limit: 5, created_at: 0, files: [], ...over,
  };
}

beforeEach(() => {
  api.listProducts.mockReset();
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
});

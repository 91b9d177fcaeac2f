import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noPurchaseFilter, type PurchaseFilter } from "../../lib/filters";
import PurchaseFilters from "./PurchaseFilters.svelte";

const api = vi.hoisted(() => ({ listProducts: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

beforeEach(() => {
  api.listProducts.mockReset();
  api.listProducts.mockResolvedValue([{ slug: "field-guide", name: "The Field Guide" }, { slug: "presets", name: "Golden Hour Presets" }]);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function bar(filter: PurchaseFilter = noPurchaseFilter()) {
  const onchange = vi.fn();
  const props = $state({ filter, onchange, problem: null });
  render(PurchaseFilters, props);
  return { props, onchange };
}

const field = <T extends Element>(sel: string) => document.querySelector(sel) as unknown as T;

describe("PurchaseFilters", () => {
  it("offers every status, source and mode the core takes, and the shop's products", async () => {
    bar();
    const values = (name: string) => [...field<HTMLSelectElement>(`select[name="${name}"]`).options].map((o) => o.value);
    expect(values("status")).toEqual(["", "paid", "partially_refunded", "refunded", "revoked"]);
    expect(values("source")).toEqual(["", "checkout", "grant", "free"]);
    expect(values("test")).toEqual(["", "live", "test"]);
    await waitFor(() => expect(values("product")).toEqual(["", "field-guide", "presets"]));
    expect(field<HTMLInputElement>('input[name="from"]').type).toBe("date");
  });

  it("asks again at once for a choice, and once per pause in typing", async () => {
    vi.useFakeTimers();
    const { props, onchange } = bar();
    const source = field<HTMLSelectElement>('select[name="source"]');
    source.value = "grant";
    await fireEvent.change(source);
    expect(onchange).toHaveBeenCalledTimes(1);
    expect(props.filter.source).toBe("grant");
    const search = screen.getByTestId("purchase-search");
    for (const t of ["r", "re", "ref"]) await fireEvent.input(search, { target: { value: t } });
    await vi.advanceTimersByTimeAsync(249);
    expect(onchange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(onchange).toHaveBeenCalledTimes(2);
    expect(props.filter.text).toBe("ref");
  });

  it("clears every field with one button, shown only when something is filtered", async () => {
    const { props, onchange } = bar();
    expect(document.querySelector('[data-action="clear-filters"]')).toBeNull();
    const to = field<HTMLInputElement>('input[name="to"]');
    to.value = "2026-12-24";
    await fireEvent.input(to);
    await fireEvent.change(to);
    expect(props.filter.to).toBe("2026-12-24");
    await fireEvent.click(document.querySelector('[data-action="clear-filters"]')!);
    expect(props.filter).toEqual(noPurchaseFilter());
    expect(onchange).toHaveBeenCalledTimes(2);
    expect(document.querySelector('[data-action="clear-filters"]')).toBeNull();
  });

  it("marks the field the core refused", async () => {
    const { props } = bar();
    (props as { problem: unknown }).problem = { code: "invalid_input", field: "text", message: "search for at most 320 characters" };
    await waitFor(() => expect(screen.getByTestId("filter-problem").textContent).toBe("search for at most 320 characters"));
    expect(screen.getByTestId("purchase-search").getAttribute("aria-invalid")).toBe("true");
    expect(field<HTMLSelectElement>('select[name="status"]').getAttribute("aria-invalid")).toBe("false");
  });
});

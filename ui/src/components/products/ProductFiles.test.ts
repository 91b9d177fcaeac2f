import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Product } from "../../lib/api";
import ProductFiles from "./ProductFiles.svelte";

const api = vi.hoisted(() => ({ removeFile: vi.fn(), addFiles: vi.fn(), newVersion: vi.fn(), listProducts: vi.fn(), validateVersion: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
vi.mock("@tauri-apps/plugin-dialog", () => ({ open: vi.fn() }));
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({ onDragDropEvent: () => Promise.reject(new Error("not in Tauri")) }),
}));

const file = (id: number, name: string) => ({ id, display_name: name, version_id: id, version: "1", size: 1000, sha256: "", stored_path: "", versions: 1 });
const product: Product = {
  id: 1, slug: "pack", name: "The Pack", description: "", price_minor: 500, currency: "usd", min_price_minor: null, tax_code: null,
  active: true, download_limit: 5, license_activations: null, created_at: 0, archived_at: null, files: [file(11, "a.pdf"), file(12, "b.pdf")],
};
const removeOf = (name: string) => document.querySelector(`li[data-file="${name}"] [data-testid="remove-file"]`) as HTMLButtonElement;

let onchange: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onchange = vi.fn();
  for (const f of Object.values(api)) f.mockReset();
});
afterEach(cleanup);

describe("ProductFiles: removing a file", () => {
  it("asks first, saying earlier buyers keep it, then removes that file only", async () => {
    api.removeFile.mockResolvedValue({ ...product, files: [file(11, "a.pdf")] });
    render(ProductFiles, { product, onchange });
    await fireEvent.click(removeOf("b.pdf"));
    expect(api.removeFile).not.toHaveBeenCalled();
    const dialog = screen.getByTestId("remove-file-dialog");
    expect(dialog.textContent).toMatch(/Remove b\.pdf\?/);
    expect(dialog.textContent).toMatch(/New buyers of The Pack won't get this file/);
    expect(dialog.textContent).toMatch(/Everyone who bought it before keeps it/);
    await fireEvent.click(document.querySelector('[data-confirm="remove-file"]')!);
    await waitFor(() => expect(onchange).toHaveBeenCalledWith({ ...product, files: [file(11, "a.pdf")] }));
    expect(api.removeFile).toHaveBeenCalledWith("pack", 12);
    expect(screen.queryByTestId("remove-file-dialog")).toBeNull();
  });

  it("keeps the dialog open with the core's reason when it refuses", async () => {
    api.removeFile.mockRejectedValue({ code: "conflict", message: "'a.pdf' is the only file of 'pack', which is for sale" });
    render(ProductFiles, { product: { ...product, files: [file(11, "a.pdf")] }, onchange });
    await fireEvent.click(removeOf("a.pdf"));
    await fireEvent.click(document.querySelector('[data-confirm="remove-file"]')!);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/only file of 'pack'/));
    expect(screen.getByTestId("remove-file-dialog")).toBeTruthy();
    expect(onchange).not.toHaveBeenCalled();
  });

  it("Cancel removes nothing", async () => {
    render(ProductFiles, { product, onchange });
    await fireEvent.click(removeOf("a.pdf"));
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("remove-file-dialog")).toBeNull();
    expect(api.removeFile).not.toHaveBeenCalled();
  });
});

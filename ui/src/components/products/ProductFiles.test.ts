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

const file = (id: number, name: string) => ({ id, display_name: name, version_id: id, version: "1", size: 1000, sha256: "", stored_path: "", notes: "", versions: 1 });
const product: Product = {
  id: 1, slug: "pack", name: "The Pack", description: "", price_minor: 500, currency: "usd", min_price_minor: null, tax_code: null,
  active: true, download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null, files: [file(11, "a.pdf"), file(12, "b.pdf")],
};
const field = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const typeIn = (name: string, value: string) => fireEvent.input(field(name), { target: { value } });
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

describe("ProductFiles: a new version's release notes", () => {
  const NOTES = "Faster sync.\nFixes the crash when opening large files.";

  async function openPanel(name = "a.pdf") {
    await fireEvent.click(document.querySelector(`li[data-file="${name}"] [aria-expanded]`)!);
    await typeIn("version-path", "/home/ada/a-2.pdf");
  }

  beforeEach(() => {
    api.validateVersion.mockResolvedValue([]);
    api.listProducts.mockResolvedValue([product]);
  });

  it("sends the notes typed with the version, trimmed, after the core checked them", async () => {
    api.newVersion.mockResolvedValue("2");
    render(ProductFiles, { product, onchange });
    await openPanel();
    await typeIn("version-notes", `  ${NOTES}\n`);
    await fireEvent.click(screen.getByTestId("upload-version"));
    await waitFor(() => expect(api.newVersion).toHaveBeenCalledWith("pack", "11", "/home/ada/a-2.pdf", "", NOTES));
    expect(api.validateVersion).toHaveBeenCalledWith("", `  ${NOTES}\n`);
    await waitFor(() => expect(onchange).toHaveBeenCalledWith(product));
  });

  it("shows the core's objection to the notes beside them and uploads nothing", async () => {
    api.validateVersion.mockResolvedValue([{ code: "invalid_input", field: "notes", message: "release notes are at most 10,000 characters of text" }]);
    render(ProductFiles, { product, onchange });
    await openPanel();
    await typeIn("version-notes", "x".repeat(10_001));
    await fireEvent.click(screen.getByTestId("upload-version"));
    await waitFor(() => expect(document.getElementById("nv-notes-11-msg")?.textContent).toMatch(/at most 10,000 characters/));
    expect(field("version-notes").getAttribute("aria-invalid")).toBe("true");
    expect(api.newVersion).not.toHaveBeenCalled();
  });

  it("puts a notes error of the upload itself beside the notes too", async () => {
    api.newVersion.mockRejectedValue({ code: "invalid_input", field: "notes", message: "release notes are at most 10,000 characters of text" });
    render(ProductFiles, { product, onchange });
    await openPanel();
    await fireEvent.click(screen.getByTestId("upload-version"));
    await waitFor(() => expect(document.getElementById("nv-notes-11-msg")?.textContent).toMatch(/at most 10,000/));
    expect(onchange).not.toHaveBeenCalled();
  });

  it("shows the newest version's notes under its file, on one clamped line, and nothing for a file without", () => {
    render(ProductFiles, { product: { ...product, files: [{ ...file(11, "a.pdf"), notes: NOTES }, file(12, "b.pdf")] }, onchange });
    const shown = document.querySelectorAll('[data-testid="file-notes"]');
    expect(shown).toHaveLength(1);
    expect(shown[0].closest("li")?.getAttribute("data-file")).toBe("a.pdf");
    expect(shown[0].textContent).toBe("Faster sync. Fixes the crash when opening large files.");
    expect(shown[0].getAttribute("title")).toBe(NOTES);
  });
});

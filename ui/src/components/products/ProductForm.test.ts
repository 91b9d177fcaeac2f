import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Product } from "../../lib/api";
import ProductForm from "./ProductForm.svelte";

const api = vi.hoisted(() => ({
  createProduct: vi.fn(),
  editProduct: vi.fn(),
  addFiles: vi.fn(),
  newVersion: vi.fn(),
  listProducts: vi.fn(),
  validateProduct: vi.fn(),
  validateProductEdit: vi.fn(),
  validateVersion: vi.fn(),
  suggestSlug: vi.fn(),
}));
// The core's slugs for the names these tests type.
const SLUGS: Record<string, string> = { "The Book, 2nd ed.": "the-book-2nd-ed", "Field Guide": "field-guide", X: "x" };
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
const dialog = vi.hoisted(() => ({ open: vi.fn() }));
vi.mock("@tauri-apps/plugin-dialog", () => dialog);
// Outside Tauri there is no webview; the drop zone must still work without it.
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({ onDragDropEvent: () => Promise.reject(new Error("not in Tauri")) }),
}));

const product: Product = {
  id: 1, slug: "field-guide", name: "Field Guide", description: "A guide.", price_minor: 1900, currency: "usd", min_price_minor: null, tax_code: null,
  active: true, download_limit: 5, license_activations: null, pdf_stamp: null, created_at: 0, archived_at: null,
  files: [{ id: 11, display_name: "guide.pdf", version_id: 3, version: "3", size: 4_400_000, sha256: "", stored_path: "", notes: "", versions: 3 }],
};

const input = (name: string) => document.querySelector(`[name="${name}"]`) as HTMLInputElement;
const save = () => document.querySelector('[data-testid="save-product"]') as HTMLButtonElement;
const errorOf = (name: string) => document.getElementById(`pf-${name}-msg`)?.textContent ?? "";

async function type(name: string, value: string) {
  await fireEvent.input(input(name), { target: { value } });
}

async function addPath(path: string) {
  await type("file-path", path);
  await fireEvent.click(document.querySelector('[data-testid="add-file-path"]')!);
}

let onsaved: ReturnType<typeof vi.fn>;
let oncancel: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onsaved = vi.fn();
  oncancel = vi.fn();
  for (const f of [...Object.values(api), dialog.open]) f.mockReset();
  // The core finds nothing wrong unless a test says otherwise.
  for (const f of [api.validateProduct, api.validateProductEdit, api.validateVersion]) f.mockResolvedValue([]);
  api.suggestSlug.mockImplementation(async (name: string) => SLUGS[name] ?? "");
});
afterEach(cleanup);

describe("ProductForm: new product", () => {
  const renderNew = () => render(ProductForm, { props: { onsaved, oncancel } });

  it("suggests the slug from the name until the seller edits the slug", async () => {
    renderNew();
    await type("name", "The Book, 2nd ed.");
    expect(input("slug").value).toBe("the-book-2nd-ed");
    await type("slug", "my-book");
    await type("name", "Another Name");
    expect(input("slug").value).toBe("my-book");
  });

  it("shows the core's check next to each field and creates nothing", async () => {
    api.validateProduct.mockResolvedValueOnce([
      { code: "invalid_input", field: "name", message: "A name is required" },
      { code: "invalid_input", field: "price", message: "'9,99' is not a price; use a point for decimals, e.g. 9.99" },
      { code: "invalid_input", field: "limit", message: "A whole number from 1 to 1,000,000, or unlimited" },
      { code: "invalid_input", field: "file", message: "a product needs at least one file" },
    ]);
    renderNew();
    await type("price", "9,99");
    await type("limit", "0");
    await fireEvent.click(save());
    expect(errorOf("name")).toMatch(/name is required/i);
    expect(errorOf("price")).toMatch(/point for decimals/);
    expect(errorOf("limit")).toMatch(/1 to 1,000,000/);
    expect(errorOf("file")).toMatch(/at least one file/);
    expect(input("name").getAttribute("aria-invalid")).toBe("true");
    expect(api.createProduct).not.toHaveBeenCalled();
  });

  it("refuses a relative pasted path and lists an absolute one", async () => {
    renderNew();
    await addPath("book.pdf");
    expect(screen.getByText(/Type the full path/)).toBeTruthy();
    await addPath("/home/ada/book.pdf");
    expect(screen.getByText("book.pdf")).toBeTruthy();
    expect(input("file-path").value).toBe("");
  });

  it("adds picked files and creates the product with what was typed", async () => {
    dialog.open.mockResolvedValue(["/home/ada/a.pdf", "/home/ada/b.epub"]);
    let finish!: (p: Product) => void;
    api.createProduct.mockReturnValue(new Promise((r) => (finish = r)));
    renderNew();
    await type("name", "Field Guide");
    await type("description", "About fields.");
    await type("price", "19");
    await fireEvent.change(document.querySelector('[name="currency"]')!, { target: { value: "eur" } });
    await fireEvent.click(input("unlimited"));
    await fireEvent.click(screen.getByText("Choose files…"));
    await waitFor(() => expect(screen.getByText("b.epub")).toBeTruthy());
    await fireEvent.click(save());

    expect(api.createProduct).toHaveBeenCalledWith({
      name: "Field Guide", slug: "field-guide", description: "About fields.", price: "19", currency: "eur", min_price: "", tax_code: "",
      limit: "unlimited", licenses: "off", stamp: "off", active: true, files: ["/home/ada/a.pdf", "/home/ada/b.epub"],
    });
    // Copying can take a while: the button says so and can't be pressed twice.
    await waitFor(() => expect(save().textContent).toMatch(/Creating…/));
    expect(save().disabled).toBe(true);
    expect(screen.getByRole("status").textContent).toMatch(/Copying 2 files/);

    finish(product);
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(product, true));
  });

  it("puts the core's invalid_input error next to its field", async () => {
    api.createProduct.mockRejectedValue({ code: "invalid_input", field: "file", message: "can't read /home/ada/x.pdf" });
    renderNew();
    await type("name", "X");
    await type("price", "5");
    await addPath("/home/ada/x.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("file")).toMatch(/can't read/));
    expect(onsaved).not.toHaveBeenCalled();
    expect(save().disabled).toBe(false);
  });

  it("shows a taken slug at the slug, and other errors in a banner", async () => {
    api.createProduct.mockRejectedValueOnce({ code: "conflict", message: "a product with the slug 'x' already exists" });
    api.createProduct.mockRejectedValueOnce({ code: "database", message: "disk full" });
    renderNew();
    await type("name", "X");
    await type("price", "5");
    await addPath("/home/ada/x.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("slug")).toMatch(/already exists/));
    await fireEvent.click(save());
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/disk full/));
  });
});

describe("ProductForm: editing", () => {
  it("prefills the product, has no drop zone for the form, and sends only what changed", async () => {
    api.editProduct.mockResolvedValue({ ...product, price_minor: 2400 });
    render(ProductForm, { props: { product, onsaved, oncancel } });
    expect(input("name").value).toBe("Field Guide");
    expect(input("price").value).toBe("19.00");
    expect(input("limit").value).toBe("5");
    // The files section lists the file instead of a new-product drop zone.
    expect(screen.getByText("guide.pdf")).toBeTruthy();
    expect(document.querySelector('[name="file-path"]')).toBeNull();

    await type("price", "24");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { price: "24" }));
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith({ ...product, price_minor: 2400 }, false));
  });

  it("closes without a call when nothing changed", async () => {
    render(ProductForm, { props: { product, onsaved, oncancel } });
    await fireEvent.click(save());
    await waitFor(() => expect(onsaved).toHaveBeenCalledWith(product, false));
    expect(api.editProduct).not.toHaveBeenCalled();
  });

  it("uploads a new version of a file with the typed label", async () => {
    api.newVersion.mockResolvedValue("4");
    api.listProducts.mockResolvedValue([product]);
    const onfileschange = vi.fn();
    render(ProductForm, { props: { product, onsaved, oncancel, onfileschange } });
    await fireEvent.click(screen.getByText("Upload new version"));
    await type("version-path", "/home/ada/guide-4.pdf");
    await type("version-label", "4");
    await fireEvent.click(document.querySelector('[data-testid="upload-version"]')!);
    await waitFor(() => expect(api.newVersion).toHaveBeenCalledWith("field-guide", "11", "/home/ada/guide-4.pdf", "4", ""));
    await waitFor(() => expect(onfileschange).toHaveBeenCalledWith(product));
  });

  it("adds a file chosen under Add file when the seller presses Save changes, instead of dropping it", async () => {
    const withTwo = { ...product, files: [...product.files, { ...product.files[0], id: 12, display_name: "extras.zip", versions: 1 }] };
    api.addFiles.mockResolvedValue(withTwo);
    const onfileschange = vi.fn();
    const { component } = render(ProductForm, { props: { product, onsaved, oncancel, onfileschange } });
    expect(component.unsaved()).toBe(false);
    await fireEvent.click(screen.getByText("Add file"));
    await addPath("/home/ada/extras.zip");
    // Chosen, not added yet: closing now would lose it.
    expect(component.unsaved()).toBe(true);
    await fireEvent.click(save());
    await waitFor(() => expect(api.addFiles).toHaveBeenCalledWith("field-guide", ["/home/ada/extras.zip"]));
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(onfileschange).toHaveBeenCalledWith(withTwo);
    expect(api.editProduct).not.toHaveBeenCalled();
  });

  it("keeps the panel open and says why when a chosen file can't be added", async () => {
    api.addFiles.mockRejectedValue({ code: "invalid_input", field: "file", message: "/home/ada/gone.zip doesn't exist" });
    render(ProductForm, { props: { product, onsaved, oncancel } });
    await fireEvent.click(screen.getByText("Add file"));
    await addPath("/home/ada/gone.zip");
    await fireEvent.click(save());
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/wasn't added: .*gone\.zip doesn't exist/));
    expect(onsaved).not.toHaveBeenCalled();
  });

  it("says a typed change is unsaved, and a new form with nothing typed is not", async () => {
    const { component } = render(ProductForm, { props: { product, onsaved, oncancel } });
    await type("price", "24");
    expect(component.unsaved()).toBe(true);
    cleanup();
    const fresh = render(ProductForm, { props: { onsaved, oncancel } });
    expect(fresh.component.unsaved()).toBe(false);
    await type("name", "X");
    expect(fresh.component.unsaved()).toBe(true);
  });

  it("refuses a version label with spaces before uploading", async () => {
    api.validateVersion.mockResolvedValueOnce([
      { code: "invalid_input", field: "version", message: "a version label is 1–40 characters without spaces, e.g. 1.1" },
    ]);
    render(ProductForm, { props: { product, onsaved, oncancel } });
    await fireEvent.click(screen.getByText("Upload new version"));
    await type("version-path", "/home/ada/guide-4.pdf");
    await type("version-label", "4 final");
    await fireEvent.click(document.querySelector('[data-testid="upload-version"]')!);
    expect(screen.getByText(/without spaces/)).toBeTruthy();
    expect(api.newVersion).not.toHaveBeenCalled();
  });
});

describe("ProductForm: pay what you want", () => {
  const label = (id: string) => document.querySelector(`label[for="${id}"]`)?.textContent;

  it("asks for a suggested price and a minimum, and sends the minimum", async () => {
    api.createProduct.mockResolvedValue(product);
    render(ProductForm, { props: { onsaved, oncancel } });
    expect(label("pf-price")).toBe("Price");
    expect(input("min_price")).toBeNull();

    await fireEvent.click(input("pwyw"));
    expect(label("pf-price")).toBe("Suggested price");
    expect(label("pf-min_price")).toBe("Minimum");
    expect(errorOf("min_price")).toMatch(/0 lets buyers take it free; they still get a link and a receipt/);

    await type("name", "Field Guide");
    await type("price", "5");
    await type("min_price", "0");
    await addPath("/home/ada/zine.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(api.createProduct).toHaveBeenCalledWith(expect.objectContaining({ price: "5", min_price: "0" })));
    expect(api.validateProduct).toHaveBeenCalledWith(expect.objectContaining({ min_price: "0" }));
  });

  it("shows the core's minimum mistake beside the minimum", async () => {
    api.validateProduct.mockResolvedValueOnce([
      { code: "invalid_input", field: "min_price", message: "the minimum can't be above the suggested price ($5.00)" },
    ]);
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("pwyw"));
    await type("min_price", "9");
    await fireEvent.click(save());
    expect(errorOf("min_price")).toMatch(/can't be above the suggested price/);
    expect(input("min_price").getAttribute("aria-invalid")).toBe("true");
    expect(api.createProduct).not.toHaveBeenCalled();
  });

  it("won't take the switch on with no minimum (empty would mean a fixed price)", async () => {
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("pwyw"));
    await type("name", "X");
    await type("price", "5");
    await addPath("/home/ada/x.pdf");
    await fireEvent.click(save());
    expect(errorOf("min_price")).toMatch(/least a buyer can pay/);
    expect(api.createProduct).not.toHaveBeenCalled();
  });

  it("prefills a pay-what-you-want product and turns it back to a fixed price with an empty minimum", async () => {
    const zine = { ...product, min_price_minor: 0, price_minor: 500 };
    api.editProduct.mockResolvedValue({ ...zine, min_price_minor: null });
    render(ProductForm, { props: { product: zine, onsaved, oncancel } });
    expect(input("pwyw").checked).toBe(true);
    expect(input("min_price").value).toBe("0.00");
    expect(input("price").value).toBe("5.00");
    await fireEvent.click(input("pwyw"));
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { min_price: "" }));
  });

  it("sends the minimum again with a new suggested price", async () => {
    const zine = { ...product, min_price_minor: 200, price_minor: 500 };
    api.editProduct.mockResolvedValue(zine);
    render(ProductForm, { props: { product: zine, onsaved, oncancel } });
    await type("price", "8");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { price: "8", min_price: "2.00" }));
  });
});

describe("ProductForm: tax code", () => {
  it("sends the code picked, and only when it changed", async () => {
    api.editProduct.mockResolvedValue({ ...product, tax_code: "txcd_10302000" });
    render(ProductForm, { props: { product, onsaved, oncancel } });
    const select = document.querySelector<HTMLSelectElement>('[name="tax_code"]')!;
    expect(select.value).toBe("");
    expect([...select.options].map((o) => o.value)).toEqual(["", "txcd_10302000", "txcd_10202000", "txcd_10000000"]);
    await fireEvent.change(select, { target: { value: "txcd_10302000" } });
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { tax_code: "txcd_10302000" }));
  });
});

describe("ProductForm: license keys", () => {
  it("is off for a new product, and sends the activations when turned on", async () => {
    api.createProduct.mockResolvedValue({ ...product, license_activations: 5 });
    render(ProductForm, { props: { onsaved, oncancel } });
    expect(input("licenses-on").checked).toBe(false);
    expect(input("licenses")).toBeNull();
    await type("name", "Field Guide");
    await type("price", "19");
    await addPath("/home/ada/app.zip");
    await fireEvent.click(input("licenses-on"));
    expect(input("licenses").value).toBe("3");
    await type("licenses", "5");
    await fireEvent.click(save());
    await waitFor(() => expect(api.createProduct).toHaveBeenCalledWith(expect.objectContaining({ licenses: "5" })));
  });

  it("shows the core's mistake beside the field", async () => {
    api.validateProduct.mockResolvedValueOnce([{ code: "invalid_input", field: "licenses", message: "license keys allow 1 to 1000 activations, or \"off\"" }]);
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("licenses-on"));
    await type("licenses", "0");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("licenses")).toMatch(/1 to 1000 activations/));
    expect(input("licenses").getAttribute("aria-invalid")).toBe("true");
    expect(api.createProduct).not.toHaveBeenCalled();
    await type("licenses", "2");
    expect(errorOf("licenses")).not.toMatch(/1 to 1000/);
  });

  it("prefills a product's keys, and sends \"off\" only when they are turned off", async () => {
    const app = { ...product, license_activations: 4 };
    api.editProduct.mockResolvedValue({ ...app, license_activations: null });
    render(ProductForm, { props: { product: app, onsaved, oncancel } });
    expect(input("licenses-on").checked).toBe(true);
    expect(input("licenses").value).toBe("4");
    await fireEvent.click(input("licenses-on"));
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { licenses: "off" }));
  });

  it("leaves the keys alone when an edit doesn't touch them", async () => {
    const app = { ...product, license_activations: 4 };
    api.editProduct.mockResolvedValue({ ...app, price_minor: 2400 });
    render(ProductForm, { props: { product: app, onsaved, oncancel } });
    await type("price", "24");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { price: "24" }));
  });
});

describe("ProductForm: stamped PDFs", () => {
  const DEFAULT = "Licensed to {email} · {date}";
  const stamped = { ...product, pdf_stamp: "For {email} only" };

  it("is off for a new product; on, it offers the default line with a hint and an example, and sends the wording", async () => {
    api.createProduct.mockResolvedValue({ ...product, pdf_stamp: DEFAULT });
    const { component } = render(ProductForm, { props: { onsaved, oncancel } });
    expect(input("stamp-on").checked).toBe(false);
    expect(input("stamp")).toBeNull();
    await fireEvent.click(input("stamp-on"));
    // Turned on and nothing else: closing would lose it.
    expect(component.unsaved()).toBe(true);
    expect(input("stamp").value).toBe(DEFAULT);
    expect(errorOf("stamp")).toMatch(/foot of every page of each PDF, once per buyer/);
    expect(screen.getByTestId("stamp-example").textContent).toMatch(/^Licensed to buyer@example\.com · \d{4}-\d{2}-\d{2}$/);
    expect(screen.getByText(/encrypted or damaged/).textContent).toMatch(/refused when added/);
    await type("stamp", "Bought by {email}");
    expect(screen.getByTestId("stamp-example").textContent).toBe("Bought by buyer@example.com");

    await type("name", "Field Guide");
    await type("price", "19");
    await addPath("/home/ada/guide.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(api.createProduct).toHaveBeenCalledWith(expect.objectContaining({ stamp: "Bought by {email}" })));
    expect(api.validateProduct).toHaveBeenCalledWith(expect.objectContaining({ stamp: "Bought by {email}" }));
  });

  it("sends the default wording when a new product's stamping is left as offered", async () => {
    api.createProduct.mockResolvedValue({ ...product, pdf_stamp: DEFAULT });
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("stamp-on"));
    await type("name", "Field Guide");
    await type("price", "19");
    await addPath("/home/ada/guide.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(api.createProduct).toHaveBeenCalledWith(expect.objectContaining({ stamp: DEFAULT })));
  });

  it("shows the core's \"stamp\" mistake beside the field, and clears it on typing", async () => {
    api.validateProduct.mockResolvedValueOnce([{ code: "invalid_input", field: "stamp", message: "{name} is not a placeholder: a stamp can use {email} and {date}" }]);
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("stamp-on"));
    await type("stamp", "For {name}");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("stamp")).toMatch(/\{name\} is not a placeholder/));
    expect(input("stamp").getAttribute("aria-invalid")).toBe("true");
    expect(api.createProduct).not.toHaveBeenCalled();
    await type("stamp", "For {email}");
    expect(errorOf("stamp")).not.toMatch(/not a placeholder/);
  });

  it("asks the core about a cleared line while on (sent as nothing, never as \"off\")", async () => {
    api.validateProduct.mockResolvedValueOnce([{ code: "invalid_input", field: "stamp", message: "write the line to stamp, or turn stamping off" }]);
    render(ProductForm, { props: { onsaved, oncancel } });
    await fireEvent.click(input("stamp-on"));
    await type("stamp", "  ");
    await type("name", "X");
    await type("price", "5");
    await addPath("/home/ada/x.pdf");
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("stamp")).toMatch(/write the line to stamp/i));
    expect(api.validateProduct).toHaveBeenCalledWith(expect.objectContaining({ stamp: "" }));
    expect(api.createProduct).not.toHaveBeenCalled();
  });

  it("turns stamping on for a product that had it off, and says its PDFs are checked", async () => {
    api.editProduct.mockResolvedValue({ ...product, pdf_stamp: DEFAULT });
    const { component } = render(ProductForm, { props: { product, onsaved, oncancel } });
    expect(input("stamp-on").checked).toBe(false);
    await fireEvent.click(input("stamp-on"));
    expect(component.unsaved()).toBe(true);
    expect(screen.getByText(/encrypted or damaged/).textContent).toMatch(/checks this product's PDFs first/);
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { stamp: DEFAULT }));
    expect(api.validateProductEdit).toHaveBeenCalledWith("field-guide", { stamp: DEFAULT });
  });

  it("shows a PDF that turning it on can't stamp beside the field", async () => {
    api.editProduct.mockRejectedValue({ code: "invalid_input", field: "file", message: "this PDF is encrypted: remove its password before adding it (guide.pdf)" });
    render(ProductForm, { props: { product, onsaved, oncancel } });
    await fireEvent.click(input("stamp-on"));
    await fireEvent.click(save());
    await waitFor(() => expect(errorOf("stamp")).toMatch(/encrypted: remove its password .*guide\.pdf/));
    expect(onsaved).not.toHaveBeenCalled();
  });

  it("prefills a product's line, and sends \"off\" when stamping is turned off", async () => {
    api.editProduct.mockResolvedValue({ ...stamped, pdf_stamp: null });
    const { component } = render(ProductForm, { props: { product: stamped, onsaved, oncancel } });
    expect(input("stamp-on").checked).toBe(true);
    expect(input("stamp").value).toBe("For {email} only");
    expect(component.unsaved()).toBe(false);
    await fireEvent.click(input("stamp-on"));
    expect(component.unsaved()).toBe(true);
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { stamp: "off" }));
  });

  it("sends a changed line, and leaves the stamp alone when an edit doesn't touch it", async () => {
    api.editProduct.mockResolvedValue(stamped);
    render(ProductForm, { props: { product: stamped, onsaved, oncancel } });
    await type("price", "24");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { price: "24" }));
    cleanup();
    api.editProduct.mockClear();
    render(ProductForm, { props: { product: stamped, onsaved, oncancel } });
    await type("stamp", "For {email} on {date}");
    await fireEvent.click(save());
    await waitFor(() => expect(api.editProduct).toHaveBeenCalledWith("field-guide", { stamp: "For {email} on {date}" }));
  });
});

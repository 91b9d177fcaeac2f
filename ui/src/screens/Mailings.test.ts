import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MailingSummary, Product } from "../lib/api";
import { nav } from "../lib/nav.svelte";
import Mailings from "./Mailings.svelte";

const api = vi.hoisted(() => ({
  listProducts: vi.fn(), mailings: vi.fn(), settings: vi.fn(), previewMailing: vi.fn(), sendMailing: vi.fn(), mailing: vi.fn(), mailingFailures: vi.fn(),
  validateMailing: vi.fn(),
}));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

const book = { id: 1, slug: "book", name: "The Book", files: [] } as unknown as Product;

function summary(over: Partial<MailingSummary> = {}): MailingSummary {
  return {
    id: 9, product_slug: "book", product_name: "The Book", subject: "The Book: a new version is out", created_at: 1_700_000_000,
    recipients: 3, sent: 0, failed: 0, pending: 3, skipped: 0, skipped_unsubscribed: 0, unsubscribed: 0, canceled: false, ...over,
  };
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
  api.validateMailing.mockResolvedValue([]); // the core finds nothing wrong unless a test says otherwise
  api.listProducts.mockResolvedValue([book]);
  api.settings.mockResolvedValue({ store_name: "Ada's Shop", from_address: "hello@ada.shop" });
  api.mailings.mockResolvedValue([]);
  api.mailing.mockReturnValue(new Promise(() => {}));
  api.previewMailing.mockResolvedValue({ product: book, subject: "The Book: a new version is out", recipients: 3, skipped_unsubscribed: 1, sample: ["text", "<p>html</p>"] });
});
afterEach(cleanup);

const subject = () => screen.getByLabelText("Subject") as HTMLInputElement;

describe("Mailings screen", () => {
  it("shows the default subject as placeholder and an empty history", async () => {
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toBe("The Book: a new version is out")); // the only product is chosen
    expect(screen.getByText("No mailings yet.")).toBeTruthy();
  });

  it("starts on the product another screen sent the seller here for", async () => {
    const zine = { id: 2, slug: "zine", name: "The Zine", files: [] } as unknown as Product;
    api.listProducts.mockResolvedValue([book, zine]);
    nav.screen = "mailings";
    nav.param = "zine";
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toBe("The Zine: a new version is out"));
    expect(nav.param).toBeNull(); // consumed: coming back later starts afresh
  });

  it("checks the subject before asking the shop", async () => {
    api.validateMailing.mockResolvedValueOnce([
      { code: "invalid_input", field: "subject", message: "A subject is at most 200 characters (this one is 201)" },
    ]);
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toMatch(/The Book/));
    await fireEvent.input(subject(), { target: { value: "x".repeat(201) } });
    await fireEvent.click(document.querySelector('[data-action="preview-mailing"]')!);
    expect(screen.getByText(/at most 200 characters/)).toBeTruthy();
    expect(api.previewMailing).not.toHaveBeenCalled();
  });

  it("puts the server's field error next to that field", async () => {
    api.previewMailing.mockRejectedValue({ code: "invalid_input", field: "message", message: "a message is plain text" });
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toMatch(/The Book/));
    await fireEvent.click(document.querySelector('[data-action="preview-mailing"]')!);
    await waitFor(() => expect(screen.getByText("a message is plain text").className).toBe("error"));
    expect(screen.getByText("a message is plain text").closest(".field")!.querySelector("textarea")).not.toBeNull();
  });

  it("previews, confirms with the count, sends and shows progress", async () => {
    api.sendMailing.mockResolvedValue(summary());
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toMatch(/The Book/));
    await fireEvent.click(document.querySelector('[data-action="preview-mailing"]')!);
    await waitFor(() => expect(screen.getByTestId("preview-recipients").textContent).toBe("3 buyers"));
    expect(document.querySelector("iframe.email")!.getAttribute("sandbox")).toBe("");
    expect(screen.getByText(/1 buyer left out: unsubscribed/)).toBeTruthy();
    expect(screen.getByText("Ada's Shop <hello@ada.shop>")).toBeTruthy();

    const send = document.querySelector('[data-action="send-mailing"]') as HTMLButtonElement;
    expect(send.textContent!.trim()).toBe("Send to 3 buyers");
    await fireEvent.click(send);
    expect(api.sendMailing).not.toHaveBeenCalled(); // not before confirming
    await fireEvent.click(document.querySelector('[data-confirm="send-mailing"]')!);
    await waitFor(() => expect(document.querySelector('[data-testid="mailing-progress"]')).not.toBeNull());
    expect(api.sendMailing).toHaveBeenCalledWith({ product: "book", subject: "", message: "", include_test: false });
  });

  it("previews again before sending when the form changed", async () => {
    render(Mailings, { status: null });
    await waitFor(() => expect(subject().placeholder).toMatch(/The Book/));
    await fireEvent.click(document.querySelector('[data-action="preview-mailing"]')!);
    await waitFor(() => expect(screen.getByTestId("preview-recipients")).toBeTruthy());
    await fireEvent.click(screen.getByLabelText(/Include test purchases/));
    const send = document.querySelector('[data-action="send-mailing"]') as HTMLButtonElement;
    expect(send.textContent!.trim()).toBe("Send…");
    await fireEvent.click(send);
    await waitFor(() => expect(api.previewMailing).toHaveBeenCalledTimes(2));
    expect(api.previewMailing).toHaveBeenLastCalledWith(expect.objectContaining({ include_test: true }));
    await waitFor(() => expect(screen.getByRole("dialog")).toBeTruthy());
  });
});

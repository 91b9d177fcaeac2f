import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutboxMessage } from "../lib/api";
import Mail from "./Mail.svelte";

const api = vi.hoisted(() => ({ outbox: vi.fn(), settings: vi.fn(), retryMail: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

function msg(id: number, kind: string, status: OutboxMessage["status"], recipient: string): OutboxMessage {
  return {
    id, kind, purchase_id: 1, mailing_id: null, recipient, subject: `Subject ${id}`, body_text: "text", body_html: "<p>html</p>",
    unsubscribe_url: null, message_id: `<${id}@x>`, status, attempts: 1, last_error: status === "failed" ? "550 no such user" : null,
    created_at: Math.floor(Date.now() / 1000) - 60, sent_at: null,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  for (const f of Object.values(api)) f.mockReset();
  api.settings.mockResolvedValue({ store_name: "Ada's Shop", from_address: "hello@ada.shop" });
  api.outbox.mockResolvedValue([msg(2, "update", "queued", "bob@example.com"), msg(1, "receipt", "sent", "ada@example.com")]);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("Mail screen", () => {
  it("lists the outbox with a kind cell holding the recipient", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.outbox).toHaveBeenCalledWith(null, 200);
    const cell = document.querySelector('tr[data-mail="1"] [data-kind="receipt"]')!;
    expect(cell.textContent).toBe("ada@example.com");
    expect(document.querySelector('tr[data-mail="2"] [data-kind="update"]')!.textContent).toBe("bob@example.com");
  });

  it("refreshes every 3 seconds", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.outbox).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(api.outbox).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.outbox).toHaveBeenCalledTimes(2);
  });

  it("filters by status, with an empty state per tab", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    api.outbox.mockResolvedValue([]);
    await fireEvent.click(screen.getByRole("button", { name: "Failed" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.outbox).toHaveBeenLastCalledWith("failed", 200);
    expect(screen.getByText(/No failures/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Failed" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("opens a message with its sender and recipient", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    await fireEvent.click(document.querySelector('tr[data-mail="1"]')!);
    const view = document.querySelector('[data-testid="mail-message"]')!;
    expect(view.getAttribute("data-mail-id")).toBe("1");
    expect(view.textContent).toContain("Ada's Shop <hello@ada.shop>");
    expect(view.querySelector("iframe")!.getAttribute("srcdoc")).toBe("<p>html</p>");
  });
});

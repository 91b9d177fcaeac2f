import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutboxMessage } from "../lib/api";
import Mail from "./Mail.svelte";

const api = vi.hoisted(() => ({ findMail: vi.fn(), settings: vi.fn(), retryMail: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));

function msg(id: number, kind: string, status: OutboxMessage["status"], recipient: string): OutboxMessage {
  return {
    id, kind, purchase_id: 1, mailing_id: null, recipient, subject: `Subject ${id}`, body_text: "text", body_html: "<p>html</p>",
    unsubscribe_url: null, message_id: `<${id}@x>`, status, attempts: 1, last_error: status === "failed" ? "550 no such user" : null,
    created_at: Math.floor(Date.now() / 1000) - 60, sent_at: null,
  };
}

function page(messages: OutboxMessage[], total = messages.length, next: string | null = null) {
  return { messages, total, next };
}

const NO_FILTER = { text: "", kind: "", status: "", after: null, limit: null };

beforeEach(() => {
  vi.useFakeTimers();
  for (const f of Object.values(api)) f.mockReset();
  api.settings.mockResolvedValue({ store_name: "Ada's Shop", from_address: "hello@ada.shop" });
  api.findMail.mockResolvedValue(page([msg(2, "update", "queued", "bob@example.com"), msg(1, "receipt", "sent", "ada@example.com")]));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("Mail screen", () => {
  it("lists the outbox with a kind cell holding the recipient", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.findMail).toHaveBeenCalledWith(NO_FILTER);
    expect(screen.getByTestId("match-count").textContent).toBe("2 messages");
    const cell = document.querySelector('tr[data-mail="1"] [data-kind="receipt"]')!;
    expect(cell.textContent).toBe("ada@example.com");
    expect(document.querySelector('tr[data-mail="2"] [data-kind="update"]')!.textContent).toBe("bob@example.com");
  });

  it("refreshes every 3 seconds, keeping the rows shown", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.findMail).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2999);
    expect(api.findMail).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.findMail).toHaveBeenCalledTimes(2);
    expect(api.findMail).toHaveBeenLastCalledWith({ ...NO_FILTER, limit: 100 });
  });

  it("filters by status, with that status's empty state", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    api.findMail.mockResolvedValue(page([]));
    const status = document.querySelector('select[name="status"]') as HTMLSelectElement;
    status.value = "failed";
    await fireEvent.change(status);
    await vi.advanceTimersByTimeAsync(0);
    expect(api.findMail).toHaveBeenLastCalledWith({ ...NO_FILTER, status: "failed" });
    expect(screen.getByText(/No failures/)).toBeTruthy();
  });

  it("searches recipients and subjects, says when nothing matches, and clears", async () => {
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    api.findMail.mockResolvedValue(page([]));
    await fireEvent.input(screen.getByTestId("mail-search"), { target: { value: "nobody" } });
    await vi.advanceTimersByTimeAsync(250);
    expect(api.findMail).toHaveBeenLastCalledWith({ ...NO_FILTER, text: "nobody" });
    expect(screen.getByText("No messages match.")).toBeTruthy();
    expect(screen.getByTestId("match-count").textContent).toBe("0 messages match");
    await fireEvent.click(screen.getByTestId("no-match").querySelector('[data-action="clear-filters"]')!);
    expect(api.findMail).toHaveBeenLastCalledWith(NO_FILTER);
  });

  it("pages on with Show more", async () => {
    api.findMail.mockResolvedValue(page([msg(3, "receipt", "sent", "a@example.com")], 2, "3"));
    render(Mail, { status: null });
    await vi.advanceTimersByTimeAsync(0);
    api.findMail.mockResolvedValue(page([msg(1, "receipt", "sent", "b@example.com")], 2, null));
    await fireEvent.click(document.querySelector('[data-action="show-more"]')!);
    await vi.advanceTimersByTimeAsync(0);
    expect(api.findMail).toHaveBeenLastCalledWith({ ...NO_FILTER, after: "3" });
    expect(document.querySelectorAll("tr[data-mail]")).toHaveLength(2);
    expect(document.querySelector('[data-action="show-more"]')).toBeNull();
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

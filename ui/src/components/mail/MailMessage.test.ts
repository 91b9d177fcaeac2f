import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OutboxMessage } from "../../lib/api";
import MailMessage from "./MailMessage.svelte";

const api = vi.hoisted(() => ({ retryMail: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

function msg(over: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: 12, kind: "receipt", purchase_id: 1, mailing_id: null, recipient: "j.doe@gmial.com", subject: "Your receipt",
    body_text: "Thanks", body_html: "<p>Thanks</p>", unsubscribe_url: null, message_id: "<x@y>", status: "failed", attempts: 5,
    last_error: "550 5.1.2 Domain not found", created_at: 0, sent_at: null, ...over,
  };
}

beforeEach(() => api.retryMail.mockReset());
afterEach(cleanup);

describe("MailMessage", () => {
  it("shows why a message failed and retries it", async () => {
    api.retryMail.mockResolvedValue(undefined);
    const onretried = vi.fn();
    render(MailMessage, { message: msg(), from: "Shop <shop@x.io>", onretried });
    expect(screen.getByRole("alert").textContent).toMatch(/550 5.1.2 Domain not found/);
    expect(screen.getByText("Shop <shop@x.io>")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(onretried).toHaveBeenCalled());
    expect(api.retryMail).toHaveBeenCalledWith(12);
  });

  it("offers no retry for a sent message", () => {
    render(MailMessage, { message: msg({ status: "sent", last_error: null, sent_at: 5 }) });
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

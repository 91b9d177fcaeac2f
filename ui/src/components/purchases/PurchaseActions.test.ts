import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Purchase } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import PurchaseActions from "./PurchaseActions.svelte";

const api = vi.hoisted(() => ({
  resetDownloads: vi.fn(),
  setDownloadLimit: vi.fn(),
  resendReceipt: vi.fn(),
  revoke: vi.fn(),
  refund: vi.fn(),
  validateLimit: vi.fn(),
  validateRefund: vi.fn(),
}));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

function purchase(over: Partial<Purchase> = {}): Purchase {
  return {
    id: 7, token: "tok-7", email: "maya@example.com", amount_minor: 1900, currency: "usd", amount_refunded_minor: 0,
    checkout_session_id: "cs_1", payment_intent_id: "pi_1", status: "paid", standing: "paid", status_reason: null, email_problem: null, source: "checkout",
    test: false, created_at: 0,
    charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
    charge_lines: [],
    referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
    items: [{ id: 1, product_id: 1, product_slug: "book", product_name: "Book", amount_minor: 1900, download_limit: 5, revoked: false, license: null, files: [] }],
    ...over,
  };
}

function button(action: string): HTMLButtonElement {
  return document.querySelector(`[data-action="${action}"]`) as HTMLButtonElement;
}

function lastToast() {
  return toasts[toasts.length - 1];
}

let onchanged: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onchanged = vi.fn();
  toasts.splice(0);
  for (const f of Object.values(api)) f.mockReset();
  // The core finds nothing wrong unless a test says otherwise.
  api.validateLimit.mockResolvedValue([]);
  api.validateRefund.mockResolvedValue([]);
});
afterEach(cleanup);

describe("PurchaseActions", () => {
  it("resets downloads, then refreshes and says so", async () => {
    api.resetDownloads.mockResolvedValue(purchase());
    render(PurchaseActions, { purchase: purchase(), mode: "simulated", onchanged });
    await fireEvent.click(button("reset-downloads"));
    await waitFor(() => expect(onchanged).toHaveBeenCalledTimes(1));
    expect(api.resetDownloads).toHaveBeenCalledWith("tok-7");
    expect(lastToast().text).toBe("Downloads reset for maya@example.com");
  });

  it("shows a server error in words when resending fails", async () => {
    api.resendReceipt.mockRejectedValue({ code: "conflict", message: "this purchase is revoked; its link no longer works" });
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("resend"));
    await waitFor(() => expect(lastToast()?.kind).toBe("error"));
    expect(lastToast().text).toBe("this purchase is revoked; its link no longer works");
    expect(onchanged).not.toHaveBeenCalled();
  });

  it("checks the limit before calling, then sends it", async () => {
    api.validateLimit.mockResolvedValueOnce([
      { code: "invalid_input", field: "limit", message: "a download limit is a whole number from 1 to 1000000, or 'unlimited'" },
    ]);
    api.setDownloadLimit.mockResolvedValue(purchase({ items: [{ ...purchase().items[0], download_limit: 10 }] }));
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("set-limit"));
    const input = screen.getByLabelText("Downloads per file") as HTMLInputElement;
    expect(input.value).toBe("5"); // prefilled with the current limit

    await fireEvent.input(input, { target: { value: "lots" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save limit" }));
    expect(screen.getByText(/whole number from 1 to 1000000/)).toBeTruthy();
    expect(api.setDownloadLimit).not.toHaveBeenCalled();

    await fireEvent.input(input, { target: { value: "10" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save limit" }));
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(api.setDownloadLimit).toHaveBeenCalledWith("tok-7", "10");
    expect(lastToast().text).toBe("Download limit set to 10 per file");
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("puts the server's invalid_input next to the limit field", async () => {
    api.setDownloadLimit.mockRejectedValue({ code: "invalid_input", field: "limit", message: "too many for this shop" });
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("set-limit"));
    await fireEvent.click(screen.getByRole("button", { name: "Save limit" }));
    await waitFor(() => expect(screen.getByText("too many for this shop").className).toBe("error"));
    expect(screen.getByRole("dialog")).toBeTruthy(); // stays open to fix it
  });

  it("revokes only after confirming", async () => {
    api.revoke.mockResolvedValue(purchase({ status: "revoked" }));
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("revoke"));
    expect(api.revoke).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog").textContent).toMatch(/maya@example.com loses access/);
    await fireEvent.click(document.querySelector('[data-confirm="revoke"]')!);
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(api.revoke).toHaveBeenCalledWith("tok-7", null);
  });

  it("cancel closes the revoke dialog without revoking", async () => {
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("revoke"));
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(api.revoke).not.toHaveBeenCalled();
  });

  it("refunds in full with an empty amount, naming the simulator", async () => {
    api.refund.mockResolvedValue(purchase({ status: "refunded", amount_refunded_minor: 1900 }));
    render(PurchaseActions, { purchase: purchase(), mode: "simulated", onchanged });
    await fireEvent.click(button("refund"));
    expect(screen.getByRole("dialog").textContent).toMatch(/Stripe simulator/);
    await fireEvent.click(document.querySelector('[data-confirm="refund"]')!);
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(api.refund).toHaveBeenCalledWith("tok-7", null);
    expect(lastToast().text).toBe("Refunded $19.00; the purchase is now refunded");
  });

  it("refunds part, refusing more than what's left", async () => {
    api.refund.mockResolvedValue(purchase({ amount_refunded_minor: 950 }));
    render(PurchaseActions, { purchase: purchase({ amount_refunded_minor: 500 }), mode: "live", onchanged });
    await fireEvent.click(button("refund"));
    expect(screen.getByRole("dialog").textContent).toMatch(/through Stripe; the buyer/);
    const input = screen.getByLabelText(/Amount to refund/);
    api.validateRefund.mockResolvedValueOnce([{ code: "invalid_input", field: "amount", message: "At most $14.00 can still be refunded" }]);
    await fireEvent.input(input, { target: { value: "15" } });
    await fireEvent.click(document.querySelector('[data-confirm="refund"]')!);
    expect(screen.getByText("At most $14.00 can still be refunded")).toBeTruthy();
    expect(api.refund).not.toHaveBeenCalled();

    await fireEvent.input(input, { target: { value: "4.50" } });
    await fireEvent.click(document.querySelector('[data-confirm="refund"]')!);
    await waitFor(() => expect(onchanged).toHaveBeenCalled());
    expect(api.refund).toHaveBeenCalledWith("tok-7", "4.50");
    expect(lastToast().text).toBe("Refunded $4.50");
  });

  it("shows a payment provider error inside the refund dialog", async () => {
    api.refund.mockRejectedValue({ code: "payment_provider", message: "Stripe said: charge already refunded" });
    render(PurchaseActions, { purchase: purchase(), onchanged });
    await fireEvent.click(button("refund"));
    await fireEvent.click(document.querySelector('[data-confirm="refund"]')!);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("Stripe said: charge already refunded"));
    expect(onchanged).not.toHaveBeenCalled();
  });

  it("explains why a gift can't be refunded, and turns off link actions when revoked", () => {
    render(PurchaseActions, { purchase: purchase({ source: "grant", payment_intent_id: null, amount_minor: 0, status: "revoked" }), onchanged });
    expect(button("refund").disabled).toBe(true);
    expect(button("revoke").disabled).toBe(true);
    expect(button("resend").disabled).toBe(true);
    const note = screen.getByTestId("actions-note").textContent!;
    expect(note).toMatch(/revoked: its download link no longer works/);
    expect(note).toMatch(/it was a gift/);
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MailingSummary } from "../../lib/api";
import { nav } from "../../lib/nav.svelte";
import { toasts } from "../../lib/toast.svelte";
import MailingProgress from "./MailingProgress.svelte";

const api = vi.hoisted(() => ({ mailing: vi.fn(), cancelMailing: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

function summary(over: Partial<MailingSummary> = {}): MailingSummary {
  return {
    id: 4, product_slug: "pack", product_name: "Sample Pack", subject: "v2 is out", created_at: 0,
    recipients: 10, sent: 0, failed: 0, pending: 10, skipped: 0, skipped_unsubscribed: 0, unsubscribed: 0, canceled: false, ...over,
  };
}

const percent = () => screen.getByTestId("mailing-percent").textContent;

beforeEach(() => {
  vi.useFakeTimers();
  api.mailing.mockReset();
  api.cancelMailing.mockReset();
  toasts.splice(0);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("MailingProgress", () => {
  it("polls every 500 ms until nothing is pending, then stops", async () => {
    api.mailing
      .mockResolvedValueOnce(summary({ sent: 4, pending: 6 }))
      .mockResolvedValueOnce(summary({ sent: 9, failed: 1, pending: 0 }));
    const onfinish = vi.fn();
    render(MailingProgress, { mailing: summary(), onfinish });
    expect(percent()).toBe("0%");

    await vi.advanceTimersByTimeAsync(499);
    expect(api.mailing).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(api.mailing).toHaveBeenCalledWith(4);
    expect(percent()).toBe("40%");
    expect(screen.getByTestId("mailing-sent").textContent).toBe("4");

    await vi.advanceTimersByTimeAsync(500);
    expect(percent()).toBe("100%");
    expect(screen.getByTestId("mailing-failed").textContent).toBe("1");
    expect(onfinish).toHaveBeenCalledWith(expect.objectContaining({ sent: 9, pending: 0 }));
    expect(screen.queryByRole("button", { name: "Cancel" })).toBeNull();

    await vi.advanceTimersByTimeAsync(5000);
    expect(api.mailing).toHaveBeenCalledTimes(2);
  });

  it("doesn't poll a mailing that's already finished", async () => {
    render(MailingProgress, { mailing: summary({ sent: 10, pending: 0 }) });
    await vi.advanceTimersByTimeAsync(2000);
    expect(api.mailing).not.toHaveBeenCalled();
    expect(percent()).toBe("100%");
  });

  it("keeps polling through an error and says so", async () => {
    api.mailing
      .mockRejectedValueOnce({ code: "database", message: "database is locked" })
      .mockResolvedValueOnce(summary({ sent: 5, pending: 5 }));
    render(MailingProgress, { mailing: summary() });
    await vi.advanceTimersByTimeAsync(500);
    expect(screen.getByRole("alert").textContent).toMatch(/database is locked/);
    await vi.advanceTimersByTimeAsync(500);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(percent()).toBe("50%");
  });

  it("cancels after confirming, and shows the canceled state", async () => {
    api.cancelMailing.mockResolvedValue(7);
    api.mailing.mockResolvedValue(summary({ sent: 3, skipped: 7, pending: 0, canceled: true }));
    render(MailingProgress, { mailing: summary({ sent: 3, pending: 7 }) });

    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("dialog").textContent).toMatch(/7 buyers who haven't got/);
    expect(api.cancelMailing).not.toHaveBeenCalled();
    await fireEvent.click(document.querySelector('[data-confirm="cancel-mailing"]')!);
    await vi.advanceTimersByTimeAsync(0);

    expect(api.cancelMailing).toHaveBeenCalledWith(4);
    expect(toasts[toasts.length - 1].text).toBe("Mailing canceled: 7 messages won't be sent");
    expect(document.querySelector('[data-testid="mailing-progress"]')!.getAttribute("data-state")).toBe("canceled");
    expect(screen.getByText(/^Canceled/)).toBeTruthy();
  });
});

describe("MailingProgress: mail that isn't going out", () => {
  it("says on the card why nothing goes out, with the way to the email settings", async () => {
    api.mailing.mockReturnValue(new Promise(() => {}));
    const trouble = { error: "connection refused (os error 111)", since: 1_700_000_000, failures: 4, waiting: 301 };
    render(MailingProgress, { mailing: summary({ recipients: 301, pending: 301 }), trouble });
    const banner = screen.getByTestId("mail-trouble").textContent!;
    expect(banner).toMatch(/Mail isn't going out/);
    expect(banner).toMatch(/connection refused/);
    expect(banner).toMatch(/301 messages wait/);
    // No spinner promising progress that isn't happening.
    expect(document.querySelector(".counts .spinner")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Email settings" }));
    expect([nav.screen, nav.param]).toEqual(["settings", "email"]);
  });

  it("shows the spinner and no trouble while mail goes out", () => {
    api.mailing.mockReturnValue(new Promise(() => {}));
    render(MailingProgress, { mailing: summary() });
    expect(screen.queryByTestId("mail-trouble")).toBeNull();
    expect(document.querySelector(".counts .spinner")).not.toBeNull();
  });
});

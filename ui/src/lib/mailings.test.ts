import { describe, expect, it } from "vitest";
import type { MailingSummary } from "./api";
import {
  defaultSubject, kindLabel, mailBadge, mailEmptyText,
  mailingBadge, mailingDone, mailingPercent, mailingState, senderLine,
} from "./mailings";

function mailing(over: Partial<MailingSummary> = {}): MailingSummary {
  return {
    id: 1, product_slug: "book", product_name: "Book", subject: "Book: a new version is out", created_at: 0,
    recipients: 48, sent: 17, failed: 1, pending: 30, skipped: 0, skipped_unsubscribed: 0, unsubscribed: 0, canceled: false, ...over,
  };
}

describe("mailing progress", () => {
  it("counts done deliveries and a whole percentage", () => {
    expect(mailingDone(mailing())).toBe(18);
    expect(mailingPercent(mailing())).toBe(37); // 18/48 = 37.5, rounded down so 100 means finished
    expect(mailingPercent(mailing({ sent: 47, failed: 0, pending: 1 }))).toBe(97);
  });

  it("is 100 when nothing is pending, even with no recipients", () => {
    expect(mailingPercent(mailing({ sent: 40, failed: 0, skipped: 8, pending: 0 }))).toBe(100);
    expect(mailingPercent(mailing({ recipients: 0, sent: 0, failed: 0, pending: 0 }))).toBe(100);
  });

  it("names the state and its badge", () => {
    expect(mailingState(mailing())).toBe("sending");
    expect(mailingState(mailing({ pending: 0 }))).toBe("done");
    expect(mailingState(mailing({ pending: 0, canceled: true }))).toBe("canceled");
    expect(mailingBadge(mailing()).cls).toBe("badge-accent");
    expect(mailingBadge(mailing({ pending: 0 }))).toEqual({ label: "done", cls: "badge-ok" });
  });
});

describe("the mailing form", () => {
  it("uses the core's default subject", () => {
    expect(defaultSubject("Field Recorder Pack")).toBe("Field Recorder Pack: a new version is out");
  });
});

describe("outbox wording", () => {
  it("gives each delivery status a badge", () => {
    expect(mailBadge("sent").cls).toBe("badge-ok");
    expect(mailBadge("failed").cls).toBe("badge-bad");
    expect(mailBadge("queued").cls).toBe("badge-warn");
    expect(mailBadge("skipped")).toEqual({ label: "skipped", cls: "" });
  });

  it("has an empty state for each status", () => {
    expect(mailEmptyText("skipped")).toMatch(/unsubscribed/);
    expect(mailEmptyText(null)).toBe("No mail yet. Receipts appear here the moment a purchase is paid.");
    expect(mailEmptyText("failed")).toMatch(/No failures/);
  });

  it("writes the From line", () => {
    expect(senderLine("Ada's Shop", "hello@ada.shop")).toBe("Ada's Shop <hello@ada.shop>");
    expect(senderLine("Ada's Shop", "")).toBe("Ada's Shop");
  });

  it("labels kinds", () => {
    expect(kindLabel("receipt")).toBe("Receipt");
    expect(kindLabel("update")).toBe("Update");
    expect(kindLabel("library")).toBe("Lost link");
    expect(kindLabel("refund")).toBe("Refund");
  });
});

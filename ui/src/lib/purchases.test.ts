import { describe, expect, it } from "vitest";
import type { ItemFile, Purchase, PurchaseItem } from "./api";
import {
  accessBlock, chargeLines, currentLimit, downloadsSummary, fileDownloads, plural, productNames, referralSource, referralValues,
  purchaseBadges, refundBlock, refundRoute, refundableMinor, shortDate, sourceLabel, statusBadge, tallyNote,
} from "./purchases";

function file(id: number, used: number, left: number | null): ItemFile {
  return { id, display_name: `f${id}.pdf`, version_id: id, version: "1", size: 10, sha256: "", stored_path: "", notes: "", versions: 1, downloads_used: used, downloads_left: left };
}

function item(name: string, limit: number | null, files: ItemFile[], slug = name.toLowerCase()): PurchaseItem {
  return { id: 1, product_id: 1, product_slug: slug, product_name: name, amount_minor: 1900, download_limit: limit, revoked: false, license: null, files };
}

function purchase(over: Partial<Purchase> = {}): Purchase {
  return {
    id: 1, token: "t-1", email: "a@b.co", amount_minor: 1900, currency: "usd", amount_refunded_minor: 0,
    checkout_session_id: "cs_1", payment_intent_id: "pi_1", status: "paid", standing: "paid", status_reason: null, email_problem: null, source: "checkout",
    test: false, created_at: 0,
    charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
    charge_lines: [],
    referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
    items: [item("Book", 5, [file(1, 2, 3), file(2, 0, 5)])], ...over,
  };
}

describe("statusBadge", () => {
  it("maps each status to its colour", () => {
    expect(statusBadge("paid")).toEqual({ label: "paid", cls: "badge-ok" });
    expect(statusBadge("refunded").cls).toBe("badge-warn");
    expect(statusBadge("revoked").cls).toBe("badge-bad");
    expect(statusBadge("weird")).toEqual({ label: "weird", cls: "" });
  });

  it("tells a partial refund apart from paid", () => {
    expect(statusBadge("partially_refunded")).toEqual({ label: "partially refunded", cls: "badge-warn" });
  });
});

describe("purchaseBadges", () => {
  it("marks each kind for what it is, and nothing on a plain paid sale", () => {
    expect(purchaseBadges(purchase())).toEqual([]);
    expect(purchaseBadges(purchase({ source: "grant", amount_minor: 0 })).map((b) => b.label)).toEqual(["gift"]);
    expect(purchaseBadges(purchase({ test: true, status: "refunded", standing: "refunded" })).map((b) => b.label)).toEqual(["test", "refunded"]);
    expect(purchaseBadges(purchase({ source: "free", standing: "partially_refunded" })).map((b) => b.label)).toEqual(["free", "partially refunded"]);
  });
});

describe("tallyNote", () => {
  const none = { sales: 1, refunded: 0, partially_refunded: 0, gifts: 0, other_mode: 0, average_sale_minor: 1900 };
  it("says what the sales count holds and leaves out", () => {
    expect(tallyNote(none, false)).toBe("");
    expect(tallyNote({ ...none, refunded: 1, gifts: 301 }, true)).toBe("1 refunded · 301 gifts (not sales)");
    expect(tallyNote({ ...none, partially_refunded: 2, gifts: 1, other_mode: 3 }, false)).toBe("2 partially refunded · 1 gift (not sales) · 3 test not shown");
    expect(tallyNote({ ...none, other_mode: 1 }, true)).toBe("1 live not shown");
  });
});

describe("downloads wording", () => {
  it("says used of limit per file, or unlimited", () => {
    expect(fileDownloads(file(1, 0, 5), 5)).toBe("0 of 5 used");
    expect(fileDownloads(file(1, 2, null), null)).toBe("2 used · unlimited");
  });

  it("sums a purchase across items and files", () => {
    expect(downloadsSummary(purchase())).toBe("2 of 10 used");
    const mixed = purchase({ items: [item("Book", 5, [file(1, 2, 3)]), item("Pack", null, [file(3, 4, null)])] });
    expect(downloadsSummary(mixed)).toBe("6 used");
    expect(downloadsSummary(purchase({ items: [item("Empty", 5, [])] }))).toBe("no files");
  });

  it("lists product names", () => {
    expect(productNames(purchase({ items: [item("Book", 5, []), item("Pack", 3, [])] }))).toBe("Book, Pack");
  });

  it("dates table cells compactly, with the year only when it isn't this one", () => {
    const now = new Date(2026, 10, 22, 12, 0).getTime();
    const thisYear = Math.floor(new Date(2026, 10, 20, 9, 5).getTime() / 1000);
    const lastYear = Math.floor(new Date(2025, 2, 3, 9, 5).getTime() / 1000);
    expect(shortDate(thisYear, now)).toMatch(/09:05/);
    expect(shortDate(thisYear, now)).not.toMatch(/2026/);
    expect(shortDate(lastYear, now)).toMatch(/2025/);
  });

  it("pluralises", () => {
    expect(plural(1, "purchase")).toBe("1 purchase");
    expect(plural(0, "purchase")).toBe("0 purchases");
    expect(plural(3, "buyer")).toBe("3 buyers");
  });
});

describe("refund rules", () => {
  it("knows what's left to refund", () => {
    expect(refundableMinor(purchase({ amount_refunded_minor: 450 }))).toBe(1450);
    expect(refundableMinor(purchase({ amount_refunded_minor: 1900 }))).toBe(0);
  });

  it("blocks gifts, unpaid and fully refunded purchases, with a reason", () => {
    expect(refundBlock(purchase())).toBeNull();
    expect(refundBlock(purchase({ source: "grant", payment_intent_id: null, amount_minor: 0 }))).toMatch(/gift/);
    expect(refundBlock(purchase({ payment_intent_id: null }))).toMatch(/Stripe/);
    expect(refundBlock(purchase({ amount_refunded_minor: 1900, status: "refunded" }))).toMatch(/already/);
  });

  it("says where the money goes for each mode", () => {
    expect(refundRoute("simulated")).toMatch(/simulator/);
    expect(refundRoute("test")).toMatch(/test mode/);
    expect(refundRoute("live")).toMatch(/5–10 days/);
  });

  it("turns off link actions once the purchase isn't paid", () => {
    expect(accessBlock(purchase())).toBeNull();
    expect(accessBlock(purchase({ status: "revoked" }))).toMatch(/revoked/);
  });
});

describe("the limit field", () => {
  it("prefills the current limit, or nothing when items differ", () => {
    expect(currentLimit(purchase())).toBe("5");
    expect(currentLimit(purchase({ items: [item("A", null, [])] }))).toBe("unlimited");
    expect(currentLimit(purchase({ items: [item("A", 5, []), item("B", 3, [])] }))).toBe("");
  });
});

describe("the charge", () => {
  it("has no breakdown when the core sends no lines (nothing taken off or added)", () => {
    expect(chargeLines(purchase())).toBeNull();
  });

  it("shows the core's lines, then the total", () => {
    const lines = [
      { label: "Subtotal", minor: 1900 },
      { label: "Discount (LAUNCH20)", minor: -380 },
      { label: "Tax", minor: 289 },
    ];
    const p = purchase({ charge: { ...purchase().charge, total_minor: 1809 }, charge_lines: lines });
    expect(chargeLines(p)).toEqual([...lines, { label: "Total", minor: 1809, total: true }]);
  });
});

describe("where a purchase came from", () => {
  const none = { ref: null, utm_source: null, utm_medium: null, utm_campaign: null };

  it("lists the link's values that are set, in order", () => {
    expect(referralValues(none)).toEqual([]);
    expect(referralValues({ ...none, utm_campaign: "dec", ref: "newsletter" })).toEqual([["ref", "newsletter"], ["utm_campaign", "dec"]]);
  });

  it("counts it under ref, else utm_source, else direct", () => {
    expect(referralSource({ ...none, ref: "newsletter", utm_source: "buttondown" })).toBe("newsletter");
    expect(referralSource({ ...none, utm_source: "buttondown" })).toBe("buttondown");
    expect(referralSource(none)).toBe("");
  });

  it("names the source, and a free purchase has nothing to refund", () => {
    expect(sourceLabel("checkout")).toBe("Checkout");
    expect(sourceLabel("grant")).toBe("Gift");
    expect(sourceLabel("free")).toBe("Free");
    expect(refundBlock(purchase({ source: "free", payment_intent_id: null, amount_minor: 0 }))).toMatch(/free/);
  });
});

import { describe, expect, it } from "vitest";
import { DEFAULT_STAMP, stampChanged, stampDay, stampExample, stampField, stampInput } from "./stamp";

describe("stamp", () => {
  it("fills in the example with the sample buyer and the day, as the core does", () => {
    expect(stampExample(DEFAULT_STAMP, "ada@example.com", "2026-12-03")).toBe("Licensed to ada@example.com · 2026-12-03");
    expect(stampExample("  {email} bought this on {date}; {email} ", "a@b.c", "2026-01-01")).toBe("a@b.c bought this on 2026-01-01; a@b.c");
    expect(stampExample("No placeholders", "a@b.c", "2026-01-01")).toBe("No placeholders");
    expect(stampExample("", "a@b.c", "2026-01-01")).toBe("");
    // Today, with the sample buyer.
    expect(stampExample(DEFAULT_STAMP)).toMatch(/^Licensed to buyer@example\.com · \d{4}-\d{2}-\d{2}$/);
  });

  it("dates in UTC, YYYY-MM-DD", () => {
    expect(stampDay(new Date(Date.UTC(2026, 0, 5, 23, 59)))).toBe("2026-01-05");
  });

  it("opens off with the default wording ready, or on with the product's", () => {
    expect(stampField(null)).toEqual({ on: false, wording: DEFAULT_STAMP });
    expect(stampField({ pdf_stamp: null })).toEqual({ on: false, wording: DEFAULT_STAMP });
    expect(stampField({ pdf_stamp: "For {email}" })).toEqual({ on: true, wording: "For {email}" });
  });

  it("sends the wording, or off", () => {
    expect(stampInput(false, DEFAULT_STAMP)).toBe("off");
    expect(stampInput(true, "  For {email} ")).toBe("For {email}");
  });

  it("sees a change only against what is saved", () => {
    expect(stampChanged({ pdf_stamp: null }, false, DEFAULT_STAMP)).toBe(false);
    expect(stampChanged({ pdf_stamp: null }, true, DEFAULT_STAMP)).toBe(true);
    expect(stampChanged({ pdf_stamp: "For {email}" }, true, " For {email} ")).toBe(false);
    expect(stampChanged({ pdf_stamp: "For {email}" }, true, "To {email}")).toBe(true);
    expect(stampChanged({ pdf_stamp: "For {email}" }, false, "For {email}")).toBe(true);
  });
});

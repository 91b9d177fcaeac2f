/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import sizesJson from "../../../crates/booth-core/src/domain/testdata/sizes.json?raw";
import { formatMoney, formatSize, minorToInput, timeAgo } from "./format";

describe("formatMoney", () => {
  it("formats two-, zero- and three-decimal currencies from integer minor units", () => {
    expect(formatMoney(1999, "usd")).toBe("$19.99");
    expect(formatMoney(123456789, "eur")).toBe("€1,234,567.89");
    expect(formatMoney(1500, "jpy")).toBe("¥1,500");
    expect(formatMoney(1005, "kwd")).toBe("1.005 KWD");
    expect(formatMoney(5, "usd")).toBe("$0.05");
    expect(formatMoney(-250, "gbp")).toBe("−£2.50");
  });
  it("never goes through floating point for the digits", () => {
    // 0.1 + 0.2 style errors would show here.
    expect(formatMoney(30, "usd")).toBe("$0.30");
    expect(formatMoney(9_999_999_999, "usd")).toBe("$99,999,999.99");
  });
});

describe("minorToInput", () => {
  it("gives what the seller would type", () => {
    expect(minorToInput(999, "usd")).toBe("9.99");
    expect(minorToInput(1500, "jpy")).toBe("1500");
    expect(minorToInput(1005, "kwd")).toBe("1.005");
  });
});

describe("timeAgo and formatSize", () => {
  it("reads naturally", () => {
    const now = 1_000_000_000_000;
    expect(timeAgo(now / 1000 - 30, now)).toBe("just now");
    expect(timeAgo(now / 1000 - 600, now)).toBe("10 min ago");
    expect(timeAgo(now / 1000 - 7200, now)).toBe("2 h ago");
  });
});

describe("formatSize", () => {
  // The core's own table (its domain tests read the same file), so the window's sizes
  // are the buyer's page's and the CLI's to the character.
  const table = JSON.parse(sizesJson) as { cases: [number, string][] };
  it("follows the core's table of sizes", () => {
    expect(table.cases.length).toBeGreaterThan(20);
    for (const [bytes, text] of table.cases) expect([bytes, formatSize(bytes)]).toEqual([bytes, text]);
  });
  it("is decimal, as Finder and the buyer's pages are", () => {
    expect(formatSize(29_400_000)).toBe("29.4 MB");
    expect(formatSize(200 * 1024 * 1024)).toBe("210 MB");
  });
});

import { describe, expect, it } from "vitest";
import type { TaxRow, TaxSettings, Wording } from "./api";
import {
  codeChoice, exportFileName, languageLabel, nextDay, periodArgs, periodComplete, periodText, pickOf, quickPeriod,
  reportCountry, sameTaxSettings, sortRows, taxFieldsOf, taxSettingsOf, totalsByCurrency, versionText, withWording,
} from "./taxes";

const saved: TaxSettings = { tax: "inclusive", tax_ids: true, invoices: false, tax_code: "txcd_10302000", consent: true };
const row = (country: string, currency: string, net: number, tax: number, over: Partial<TaxRow> = {}): TaxRow => ({
  country, currency, purchases: 1, net_minor: net, tax_minor: tax, reverse_charged: 0, ...over,
});

describe("the Stripe Tax form", () => {
  it("names the codes the select offers, by code or name, and anything else as other", () => {
    expect(codeChoice("txcd_10302000")).toBe("ebook");
    expect(codeChoice("SOFTWARE")).toBe("software");
    expect(codeChoice("txcd_10000000")).toBe("digital");
    expect(codeChoice("txcd_99999999")).toBe("other");
  });

  it("fills the form from the saved settings and sends them back as they were", () => {
    const f = taxFieldsOf(saved);
    expect(f).toEqual({ tax: "inclusive", taxIds: true, invoices: false, code: "ebook", otherCode: "" });
    expect(taxSettingsOf(f, true)).toEqual(saved);
  });

  it("sends a named code as its txcd_, a typed one trimmed, and the consent it is given", () => {
    const f = taxFieldsOf({ ...saved, tax_code: "txcd_12345678" });
    expect(f.code).toBe("other");
    expect(f.otherCode).toBe("txcd_12345678");
    expect(taxSettingsOf({ ...f, otherCode: " txcd_87654321 " }, false)).toEqual({ ...saved, tax_code: "txcd_87654321", consent: false });
    expect(taxSettingsOf({ ...f, code: "software" }, true).tax_code).toBe("txcd_10202000");
  });

  it("reads an unknown tax mode as off", () => {
    expect(taxFieldsOf({ ...saved, tax: "sometimes" }).tax).toBe("off");
  });

  it("counts a code's name and its txcd_ as the same setting", () => {
    expect(sameTaxSettings(saved, { ...saved, tax_code: "ebook" })).toBe(true);
    expect(sameTaxSettings(saved, { ...saved, tax_code: "software" })).toBe(false);
    expect(sameTaxSettings(saved, { ...saved, consent: false })).toBe(false);
  });
});

describe("consent wordings", () => {
  it("names languages and versions", () => {
    expect(languageLabel("de")).toBe("German (de)");
    expect(languageLabel("qq")).toBe("qq");
    expect(versionText({ id: 2, created_at: 0 })).toBe("version 2 · built in");
    expect(versionText({ id: 7, created_at: Date.UTC(2026, 10, 22) / 1000 })).toMatch(/^version 7 · .*2026/);
  });

  it("puts a new version in its language's place, English first", () => {
    const w = (id: number, lang: string): Wording => ({ id, lang, text: lang, created_at: 0 });
    expect(withWording([w(1, "en"), w(2, "de"), w(3, "fr")], w(7, "de")).map((x) => [x.lang, x.id])).toEqual([["en", 1], ["de", 7], ["fr", 3]]);
    expect(withWording([w(2, "de"), w(1, "en")], w(8, "nl")).map((x) => x.lang)).toEqual(["en", "de", "nl"]);
  });
});

describe("the VAT return's period", () => {
  const now = new Date(Date.UTC(2026, 10, 22, 15)); // 22 Nov 2026

  it("gives whole months, quarters and years for the quick picks", () => {
    expect(quickPeriod("last-quarter", now)).toEqual({ from: "2026-07-01", to: "2026-09-30" });
    expect(quickPeriod("this-quarter", now)).toEqual({ from: "2026-10-01", to: "2026-12-31" });
    expect(quickPeriod("last-month", now)).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(quickPeriod("this-year", now)).toEqual({ from: "2026-01-01", to: "2026-12-31" });
  });

  it("crosses into the year before in January", () => {
    const jan = new Date(Date.UTC(2027, 0, 10));
    expect(quickPeriod("last-quarter", jan)).toEqual({ from: "2026-10-01", to: "2026-12-31" });
    expect(quickPeriod("last-month", jan)).toEqual({ from: "2026-12-01", to: "2026-12-31" });
  });

  it("knows which quick pick a period is", () => {
    expect(pickOf({ from: "2026-07-01", to: "2026-09-30" }, now)).toBe("last-quarter");
    expect(pickOf({ from: "2026-07-01", to: "2026-09-29" }, now)).toBeNull();
  });

  it("sends the day after the last, since the core's end is exclusive", () => {
    expect(nextDay("2026-09-30")).toBe("2026-10-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
    expect(nextDay("soon")).toBe("soon");
    expect(periodArgs({ from: "2026-07-01", to: "2026-09-30" })).toEqual(["2026-07-01", "2026-10-01"]);
  });

  it("says the period in words and names its file", () => {
    expect(periodComplete({ from: "2026-07-01", to: "" })).toBe(false);
    expect(periodText({ from: "2026-07-01", to: "" })).toBe("");
    expect(periodText({ from: "2026-07-01", to: "2026-09-30" })).toMatch(/Jul.*–.*Sep.*2026/);
    expect(periodText({ from: "2025-12-15", to: "2026-01-14" })).toMatch(/2025.*–.*2026/);
    expect(exportFileName({ from: "2026-07-01", to: "2026-09-30" })).toBe("booth-taxes-2026-07-01-to-2026-09-30.csv");
  });
});

describe("the VAT return's rows", () => {
  it("names countries, and a sale without an address", () => {
    expect(reportCountry("DE")).toBe("Germany");
    expect(reportCountry("gb")).toBe("United Kingdom");
    expect(reportCountry("HK")).toBe("Hong Kong");
    expect(reportCountry("")).toBe("No address");
  });

  it("lists rows by country name, those without an address last", () => {
    const rows = [row("", "usd", 1, 0), row("CH", "usd", 1, 0), row("DE", "usd", 1, 0), row("DE", "eur", 1, 0), row("AT", "eur", 1, 0)];
    expect(sortRows(rows).map((r) => `${r.country}/${r.currency}`)).toEqual(["AT/eur", "DE/eur", "DE/usd", "CH/usd", "/usd"]);
  });

  it("adds rows up per currency, never across", () => {
    const rows = [
      row("DE", "eur", 10000, 1900, { purchases: 3, reverse_charged: 1 }),
      row("FR", "eur", 5000, 1000, { purchases: 2 }),
      row("US", "usd", 1900, 0),
    ];
    expect(totalsByCurrency(rows)).toEqual([
      { currency: "eur", purchases: 5, net_minor: 15000, tax_minor: 2900, reverse_charged: 1 },
      { currency: "usd", purchases: 1, net_minor: 1900, tax_minor: 0, reverse_charged: 0 },
    ]);
  });
});

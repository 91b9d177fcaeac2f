import { describe, expect, it } from "vitest";
import {
  checkDescription, checkEmail, checkLimit, checkListen, checkName, checkPrice, checkPublicUrl,
  checkSlug, checkSmtpUrl, checkStripeKey, checkVersionLabel, checkWebhookSecret, currencyExponent,
  minorToPrice, parsePrice, suggestSlug, validateProduct,
} from "./validate";

describe("suggestSlug (mirrors Slug::from_name)", () => {
  it("lowercases and joins words with single dashes", () => {
    expect(suggestSlug("The Book, 2nd ed.")).toBe("the-book-2nd-ed");
    expect(suggestSlug("  Hello   World  ")).toBe("hello-world");
    expect(suggestSlug("--Rust!!--")).toBe("rust");
  });
  it("treats non-ASCII letters as separators, like the core", () => {
    expect(suggestSlug("Café Guide")).toBe("caf-guide");
    expect(suggestSlug("日本語")).toBe("");
  });
  it("cuts at 64 characters without a trailing dash", () => {
    const s = suggestSlug("a".repeat(63) + " b c");
    expect(s.length).toBeLessThanOrEqual(64);
    expect(s.endsWith("-")).toBe(false);
    expect(checkSlug(s)).toBeNull();
  });
});

describe("checkSlug", () => {
  it("accepts lowercase, digits and single dashes", () => {
    expect(checkSlug("my-ebook-2")).toBeNull();
  });
  it.each(["", "My-Ebook", "-lead", "trail-", "dou--ble", "sp ace", "a".repeat(65), "ü"])("refuses %j", (s) => {
    expect(checkSlug(s)).toMatch(/lowercase/);
  });
});

describe("parsePrice (mirrors Money::parse_price)", () => {
  it("reads major units into integer minor units", () => {
    expect(parsePrice("9.99", "usd")).toEqual({ minor: 999 });
    expect(parsePrice("10", "usd")).toEqual({ minor: 1000 });
    expect(parsePrice("1,000.50", "eur")).toEqual({ minor: 100050 });
    expect(parsePrice(".5", "usd")).toEqual({ minor: 50 });
    expect(parsePrice("500", "jpy")).toEqual({ minor: 500 });
    expect(parsePrice("1.234", "kwd")).toEqual({ minor: 1234 });
  });
  it("never goes through floats (0.29 * 100 would be 28.999…)", () => {
    expect(parsePrice("0.29", "usd")).toEqual({ minor: 29 });
    expect(parsePrice("1.15", "usd")).toEqual({ minor: 115 });
  });
  it("refuses a decimal comma instead of charging 100×", () => {
    expect(checkPrice("9,99", "usd")).toMatch(/point/);
    expect(checkPrice("1,00,000", "usd")).toMatch(/point/);
  });
  it("refuses empty, zero, words, too many decimals and too large", () => {
    expect(checkPrice("", "usd")).toMatch(/required/);
    expect(checkPrice("0.00", "usd")).toMatch(/more than zero/);
    expect(checkPrice("abc", "usd")).toMatch(/like 9.99/);
    expect(checkPrice("-5", "usd")).toMatch(/like 9.99/);
    expect(checkPrice("9.999", "usd")).toMatch(/at most 2/);
    expect(checkPrice("5.5", "jpy")).toMatch(/whole number/);
    expect(checkPrice("1000000", "usd")).toMatch(/most Stripe/);
    expect(checkPrice("999999.99", "usd")).toBeNull();
  });
  it("knows each currency's exponent", () => {
    expect(currencyExponent("USD")).toBe(2);
    expect(currencyExponent("jpy")).toBe(0);
    expect(currencyExponent("bhd")).toBe(3);
  });
});

describe("simple field checks", () => {
  it("checks names and descriptions", () => {
    expect(checkName("  ")).toMatch(/required/);
    expect(checkName("x".repeat(201))).toMatch(/200/);
    expect(checkName("Bad\u0007name")).toMatch(/control/);
    expect(checkName("Good")).toBeNull();
    expect(checkDescription("Two\nlines\tok")).toBeNull();
    expect(checkDescription("bell\u0007")).toMatch(/plain text/);
    expect(checkDescription("x".repeat(10_001))).toMatch(/10,000/);
  });
  it("checks download limits", () => {
    expect(checkLimit("5")).toBeNull();
    expect(checkLimit("Unlimited")).toBeNull();
    expect(checkLimit("0")).toMatch(/1 to/);
    expect(checkLimit("1000001")).toMatch(/1 to/);
    expect(checkLimit("2.5")).toMatch(/1 to/);
  });
  it("checks version labels", () => {
    expect(checkVersionLabel("")).toBeNull();
    expect(checkVersionLabel("1.1")).toBeNull();
    expect(checkVersionLabel("1 final")).toMatch(/without spaces/);
  });
  it("checks emails", () => {
    expect(checkEmail("ada@example.com")).toBeNull();
    expect(checkEmail("")).toMatch(/required/);
    expect(checkEmail("ada.example.com")).toMatch(/@/);
    expect(checkEmail("ada@localhost")).toMatch(/domain/);
    expect(checkEmail("a da@example.com")).toMatch(/spaces/);
  });
  it("checks the public URL and listen address", () => {
    expect(checkPublicUrl("https://shop.example.com")).toBeNull();
    expect(checkPublicUrl("shop.example.com")).toMatch(/looks like/);
    expect(checkPublicUrl("https://shop.example.com/?a=1")).toMatch(/query/);
    expect(checkPublicUrl("ftp://shop.example.com")).toMatch(/http/);
    expect(checkListen("127.0.0.1:8080")).toBeNull();
    expect(checkListen("[::1]:8080")).toBeNull();
    expect(checkListen("localhost")).toMatch(/IP address and port/);
    expect(checkListen("localhost:8080")).toMatch(/IP address and port/);
    expect(checkListen("256.0.0.1:8080")).toMatch(/IP address and port/);
    expect(checkListen("0.0.0.0:70000")).toMatch(/65535/);
  });
  it("checks SMTP URLs; empty means the local outbox folder", () => {
    expect(checkSmtpUrl("")).toBeNull();
    expect(checkSmtpUrl("smtp://ada@smtp.example.com:587")).toBeNull();
    expect(checkSmtpUrl("smtps://smtp.example.com")).toBeNull();
    expect(checkSmtpUrl("http://smtp.example.com")).toMatch(/smtp:\/\//);
    expect(checkSmtpUrl("smtp://ada:secret@smtp.example.com")).toMatch(/password field/);
    expect(checkSmtpUrl("smtp://smtp.example.com?tls=maybe")).toMatch(/tls=/);
    expect(checkSmtpUrl("smtp://a b@smtp.example.com")).toMatch(/no spaces/i);
  });
  it("checks Stripe keys against the field they are typed in", () => {
    expect(checkStripeKey("test", "sk_test_123")).toBeNull();
    expect(checkStripeKey("test", "rk_test_123")).toBeNull();
    expect(checkStripeKey("live", "sk_live_123")).toBeNull();
    expect(checkStripeKey("test", "sk_live_123")).toMatch(/sk_test_/);
    expect(checkStripeKey("live", "pk_live_123")).toMatch(/publishable/);
    expect(checkWebhookSecret("whsec_abc")).toBeNull();
    expect(checkWebhookSecret("abc")).toMatch(/whsec_/);
  });
});

describe("validateProduct", () => {
  const good = { name: "Field Guide", slug: "", description: "", price: "9.99", currency: "usd", limit: "5" };
  it("passes a good product", () => {
    expect(validateProduct(good, ["/tmp/guide.pdf"])).toEqual({});
  });
  it("names each bad field with the core's field names", () => {
    const e = validateProduct({ name: "", slug: "Bad Slug", description: "", price: "9,99", currency: "usd", limit: "0" }, []);
    expect(Object.keys(e).sort()).toEqual(["file", "limit", "name", "price", "slug"]);
  });
  it("asks for a slug when none can be derived from the name", () => {
    expect(validateProduct({ ...good, name: "日本語" }, ["/a"]).slug).toMatch(/type one/);
  });
  it("does not ask for files when editing (files: null)", () => {
    expect(validateProduct(good, null)).toEqual({});
  });
  it("reports an unknown currency instead of a price problem", () => {
    const e = validateProduct({ ...good, currency: "xyz" }, ["/a"]);
    expect(e.currency).toMatch(/xyz/);
    expect(e.price).toBeUndefined();
  });
});

describe("minorToPrice", () => {
  it("prefills price fields with the currency's digits, round-tripping parsePrice", () => {
    expect(minorToPrice(1999, "usd")).toBe("19.99");
    expect(minorToPrice(5, "eur")).toBe("0.05");
    expect(minorToPrice(500, "jpy")).toBe("500");
    expect(minorToPrice(1234, "kwd")).toBe("1.234");
    for (const [m, c] of [[1, "usd"], [99_999_999, "usd"], [70, "bhd"]] as const) {
      expect(parsePrice(minorToPrice(m, c), c)).toEqual({ minor: m });
    }
  });
});

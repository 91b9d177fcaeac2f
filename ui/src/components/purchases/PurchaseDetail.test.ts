import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PurchaseDetail as Detail } from "../../lib/api";
import PurchaseDetail from "./PurchaseDetail.svelte";

const api = vi.hoisted(() => ({ purchaseDetail: vi.fn(), resetDownloads: vi.fn(), openExternal: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

function detail(used = 2): Detail {
  const f = { display_name: "book.pdf", version_id: 3, version: "3", size: 2048, sha256: "", stored_path: "", notes: "", versions: 3 };
  return {
    url: "http://127.0.0.1:8080/d/tok-9",
    purchase: {
      id: 9, token: "tok-9", email: "hana@example.com", amount_minor: 1900, currency: "usd", amount_refunded_minor: 500,
      checkout_session_id: "cs", payment_intent_id: "pi", status: "paid", standing: "paid", status_reason: null, email_problem: null, source: "checkout", test: true, created_at: 1_700_000_000,
      charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
      charge_lines: [],
      referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
      items: [
        { id: 1, product_id: 1, product_slug: "book", product_name: "Book", amount_minor: 1900, download_limit: 5, revoked: false, license: null,
          files: [{ ...f, id: 11, downloads_used: used, downloads_left: 5 - used }] },
        { id: 2, product_id: 2, product_slug: "pack", product_name: "Pack", amount_minor: 0, download_limit: null, revoked: false, license: null,
          files: [{ ...f, id: 21, display_name: "pack.zip", downloads_used: 1, downloads_left: null }] },
      ],
    },
    downloads: [
      { at: 1_700_000_100, file_id: 11, file_name: "book.pdf", version: "3", ip: "203.0.113.9", user_agent: "Firefox", range: null, bytes: 2048, counted: true },
      { at: 1_700_000_200, file_id: 11, file_name: "book.pdf", version: "3", ip: "203.0.113.9", user_agent: "curl/8.5.0", range: "bytes=1024-", bytes: 1024, counted: false },
    ],
  };
}

beforeEach(() => {
  for (const f of Object.values(api)) f.mockReset();
});
afterEach(cleanup);

describe("PurchaseDetail", () => {
  it("shows money, each file's allowance and the log, newest first", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    render(PurchaseDetail, { token: "tok-9" });
    await waitFor(() => expect(screen.getByTestId("downloads-11").textContent).toBe("2 of 5 used"));
    expect(api.purchaseDetail).toHaveBeenCalledWith("tok-9");
    expect(screen.getByTestId("downloads-21").textContent).toBe("1 used · unlimited");
    expect(screen.getByText("$5.00")).toBeTruthy(); // refunded so far
    expect(screen.getByText("test")).toBeTruthy();
    const rows = document.querySelectorAll("table.log tbody tr");
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toMatch(/bytes=1024-/);
    expect(rows[0].querySelector("td:last-child")!.textContent!.trim()).toBe("no");
    expect(rows[1].querySelector("td:last-child")!.textContent!.trim()).toBe("yes");
  });

  it("refreshes itself and tells the list after an action", async () => {
    api.purchaseDetail.mockResolvedValueOnce(detail(4)).mockResolvedValueOnce(detail(0));
    api.resetDownloads.mockResolvedValue(detail(0).purchase);
    const onchanged = vi.fn();
    render(PurchaseDetail, { token: "tok-9", onchanged });
    await waitFor(() => expect(screen.getByTestId("downloads-11").textContent).toBe("4 of 5 used"));
    await fireEvent.click(document.querySelector('[data-action="reset-downloads"]')!);
    await waitFor(() => expect(screen.getByTestId("downloads-11").textContent).toBe("0 of 5 used"));
    expect(onchanged).toHaveBeenCalledTimes(1);
  });

  it("flags an address that can't be mailed, and an address no tunnel told", async () => {
    const d = detail();
    d.purchase.email = "odd\uFFFD@example.com";
    d.purchase.email_problem = "the address contains control characters";
    d.downloads[0].ip = "";
    api.purchaseDetail.mockResolvedValue(d);
    render(PurchaseDetail, { token: "tok-9" });
    const note = await screen.findByTestId("email-problem");
    expect(note.textContent).toMatch(/receipt wasn't sent.*control characters/s);
    const rows = document.querySelectorAll("table.log tbody tr");
    expect(rows[1].textContent).toMatch(/address unknown/);
  });

  it("shows no flag for an address that can be mailed", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("downloads-11");
    expect(screen.queryByTestId("email-problem")).toBeNull();
  });

  it("opens the link in the browser", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    api.openExternal.mockResolvedValue(undefined);
    render(PurchaseDetail, { token: "tok-9" });
    await fireEvent.click(await screen.findByRole("button", { name: "Open" }));
    expect(api.openExternal).toHaveBeenCalledWith("http://127.0.0.1:8080/d/tok-9");
  });

  it("breaks the charge down when a code or tax changed it, with the buyer's country and tax ID", async () => {
    const d = detail();
    d.purchase.amount_minor = 1809;
    d.purchase.charge = {
      subtotal_minor: 1900, discount_minor: 380, tax_minor: 289, total_minor: 1809, discount_id: 2, discount_code: "LAUNCH20",
      country: "DE", tax_id: "DE129273398",
    };
    // As the core sends them (Charge::lines).
    d.purchase.charge_lines = [
      { label: "Subtotal", minor: 1900 },
      { label: "Discount (LAUNCH20)", minor: -380 },
      { label: "Tax", minor: 289 },
    ];
    api.purchaseDetail.mockResolvedValue(d);
    render(PurchaseDetail, { token: "tok-9" });
    const rows = [...(await screen.findByTestId("charge")).querySelectorAll("tr")].map((r) => [r.querySelector("th")!.textContent, r.querySelector("td")!.textContent]);
    expect(rows).toEqual([["Subtotal", "$19.00"], ["Discount (LAUNCH20)", "−$3.80"], ["Tax", "$2.89"], ["Total", "$18.09"]]);
    const buyer = screen.getByTestId("buyer-tax").textContent!;
    expect(buyer).toMatch(/\(DE\)/);
    expect(buyer).toMatch(/Tax ID DE129273398/);
  });

  it("shows no breakdown, country or 'came from' when there is nothing to say", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("downloads-11");
    expect(screen.queryByTestId("charge")).toBeNull();
    expect(screen.queryByTestId("buyer-tax")).toBeNull();
    expect(screen.queryByTestId("came-from")).toBeNull();
    expect(screen.queryByTestId("free-badge")).toBeNull();
  });

  it("says where the buyer came from, and marks a free purchase", async () => {
    const d = detail();
    d.purchase.source = "free";
    d.purchase.amount_minor = 0;
    d.purchase.referral = { ref: "newsletter", utm_source: null, utm_medium: "email", utm_campaign: "december" };
    api.purchaseDetail.mockResolvedValue(d);
    render(PurchaseDetail, { token: "tok-9" });
    const came = await screen.findByTestId("came-from");
    expect([...came.querySelectorAll("dt")].map((e) => e.textContent)).toEqual(["ref", "utm_medium", "utm_campaign"]);
    expect([...came.querySelectorAll("dd")].map((e) => e.textContent)).toEqual(["newsletter", "email", "december"]);
    expect(screen.getByTestId("free-badge").textContent).toBe("Free");
  });

  it("quotes what the buyer agreed to before paying, in its language, with the version and time", async () => {
    const d = detail();
    const text = "Ich stimme ausdrücklich zu, dass die Lieferung der digitalen Inhalte sofort nach der Zahlung beginnt.";
    d.purchase.consent = { wording_id: 2, lang: "de", text, at: 1_699_999_955 };
    api.purchaseDetail.mockResolvedValue(d);
    render(PurchaseDetail, { token: "tok-9" });
    const consent = await screen.findByTestId("consent");
    expect(consent.querySelector("h3")!.textContent).toBe("Agreed before paying");
    const quote = consent.querySelector("blockquote")!;
    expect(quote.textContent).toBe(text);
    expect(quote.getAttribute("lang")).toBe("de");
    const meta = screen.getByTestId("consent-meta").textContent!;
    expect(meta).toMatch(/German \(de\) · version 2 · ticked /);
    expect(meta).toMatch(/2023/);
  });

  it("links Stripe's invoice, opened in the browser", async () => {
    const d = detail();
    d.purchase.invoice_url = "https://invoice.stripe.com/i/acct_1/test_YWNjdF8x";
    api.purchaseDetail.mockResolvedValue(d);
    api.openExternal.mockResolvedValue(undefined);
    render(PurchaseDetail, { token: "tok-9" });
    const link = (await screen.findByRole("link", { name: "Invoice" })) as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("https://invoice.stripe.com/i/acct_1/test_YWNjdF8x");
    const click = new MouseEvent("click", { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    // The window doesn't navigate away: the seller's browser opens it.
    expect(click.defaultPrevented).toBe(true);
    expect(api.openExternal).toHaveBeenCalledWith("https://invoice.stripe.com/i/acct_1/test_YWNjdF8x");
  });

  it("has no consent or invoice when the purchase has none", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("downloads-11");
    expect(screen.queryByTestId("consent")).toBeNull();
    expect(screen.queryByRole("link", { name: "Invoice" })).toBeNull();
  });

  it("says why it couldn't load", async () => {
    api.purchaseDetail.mockRejectedValue({ code: "not_found", message: "no purchase with that token" });
    render(PurchaseDetail, { token: "nope" });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/no purchase with that token/));
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { nav } from "../lib/nav.svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Dashboard as Data, Purchase } from "../lib/api";
import Dashboard from "./Dashboard.svelte";

const api = vi.hoisted(() => ({ dashboard: vi.fn(), setupSteps: vi.fn() }));
vi.mock("../lib/api", async (orig) => ({ ...(await orig<typeof import("../lib/api")>()), api }));
afterEach(cleanup);
// jsdom has no layout, so no ResizeObserver; the chart only needs it to exist.
globalThis.ResizeObserver ??= class { observe() {} unobserve() {} disconnect() {} };

function purchase(id: number, over: Partial<Purchase>): Purchase {
  return {
    id, token: `t${id}`, email: `buyer${id}@example.com`, amount_minor: 1900, currency: "usd", amount_refunded_minor: 0,
    checkout_session_id: null, payment_intent_id: null, status: "paid", standing: "paid", status_reason: null, email_problem: null,
    source: "checkout", test: false, created_at: 1_700_000_000,
    charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
    charge_lines: [], referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
    items: [], ...over,
  };
}

const ALL_DONE = (["store_name", "sender", "product", "payments", "email", "public_address"] as const).map((key) => ({ key, done: true }));

function empty(): Data {
  return {
    currency: "usd", series: [], total_revenue_minor: 0, total_purchases: 0, test: true,
    tally: { sales: 0, refunded: 0, partially_refunded: 0, gifts: 0, other_mode: 0, average_sale_minor: null },
    funnel: { visits: 0, checkouts: 0, paid: 0, downloaded: 0 }, sources: [], recent: [],
  };
}

describe("Dashboard", () => {
  it("shows a fresh shop what to set up, each step with the way to it, and no test purchase to make yet", async () => {
    api.dashboard.mockResolvedValue(empty());
    api.setupSteps.mockResolvedValue(ALL_DONE.map((s) => ({ ...s, done: s.key === "public_address" })));
    render(Dashboard, { status: null });
    expect((await screen.findByTestId("setup-progress")).textContent).toBe("1 of 6 done");
    const open = [...document.querySelectorAll("[data-step][data-done=false] .title")].map((e) => e.textContent);
    expect(open).toEqual(["Name your shop", "Choose the address receipts come from", "Add your first product", "Connect Stripe", "Set up email"]);
    expect(screen.getByTestId("dashboard-empty").textContent).toMatch(/Add a product first/);
    await fireEvent.click(document.querySelector("[data-action=setup-email]")!);
    expect([nav.screen, nav.param]).toEqual(["settings", "email"]);
  });

  it("goes once everything is set up", async () => {
    api.dashboard.mockResolvedValue(empty());
    api.setupSteps.mockResolvedValue(ALL_DONE);
    render(Dashboard, { status: null });
    await screen.findByTestId("dashboard-empty");
    expect(screen.queryByTestId("setup-checklist")).toBeNull();
  });

  it("counts 301 gifts and one refunded test purchase each for what it is", async () => {
    const data: Data = {
      currency: "usd", series: [{ day: "2026-12-02", purchases: 1, revenue_minor: 0 }], total_revenue_minor: 0, total_purchases: 1,
      test: true,
      tally: { sales: 1, refunded: 1, partially_refunded: 0, gifts: 301, other_mode: 0, average_sale_minor: null },
      funnel: { visits: 1, checkouts: 1, paid: 1, downloaded: 0 }, sources: [],
      recent: [
        purchase(2, { source: "grant", amount_minor: 0 }),
        purchase(1, { test: true, status: "refunded", standing: "refunded", amount_refunded_minor: 1900 }),
      ],
    };
    api.dashboard.mockResolvedValue(data);
    api.setupSteps.mockResolvedValue(ALL_DONE);
    render(Dashboard, { status: null });
    expect((await screen.findByTestId("stat-purchases")).textContent).toBe("1");
    expect(screen.getByText("Test sales")).toBeTruthy();
    expect(screen.getByTestId("stat-sales-note").textContent).toBe("1 refunded · 301 gifts (not sales)");
    // Nothing was paid and kept: no average of $0.00.
    expect(screen.getByTestId("stat-average").textContent).toBe("–");
    const rows = [...document.querySelectorAll("[data-purchase]")].map((r) => r.textContent!.replace(/\s+/g, " "));
    expect(rows[0]).toMatch(/gift/);
    expect(rows[0]).not.toMatch(/\$0\.00/);
    expect(rows[1]).toMatch(/test.*refunded.*\$19\.00/);
  });
});

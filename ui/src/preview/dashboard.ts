// Sample answers for the Dashboard: a month of sales with a weekday rhythm and a launch
// bump, the funnel, where sales came from, and the newest eight purchases of products.ts's
// products.
// /preview.html?empty#dashboard shows a brand-new shop.
import type { Dashboard, DayPoint, Purchase, SourceRow } from "../lib/api";
import { DAY, EMPTY, NOW, sleep, type Commands } from "./data";
import { catalogue } from "./products";
import { purchases } from "./purchases";

// A repeatable month of sales: weekday rhythm plus a launch bump, no randomness per reload.
function salesOn(dayIndexFromToday: number): { purchases: number; revenue_minor: number } {
  if (EMPTY) return { purchases: 0, revenue_minor: 0 };
  const d = dayIndexFromToday;
  const wave = [2, 3, 1, 4, 2, 5, 3][d % 7];
  const bump = d >= 9 && d <= 12 ? 6 - Math.abs(d - 10) * 2 : 0;
  const purchases = Math.max(0, wave + bump - (d % 5 === 0 ? 2 : 0) - (d > 40 ? 1 : 0));
  const mix = [1900, 1200, 1900, 3100, 1200];
  let revenue = 0;
  for (let i = 0; i < purchases; i++) revenue += mix[(d + i) % mix.length];
  return { purchases, revenue_minor: revenue };
}

// The same buyers and tokens as the newest eight in purchases.ts, so opening one from the
// Dashboard lands on it in Purchases.
const BUYERS = ["maya.lindqvist@gmail.com", "tom@northwind.studio", "j.okafor@outlook.com", "sara.k@fastmail.com", "li.wei@proton.me", "hello@pixelandpine.co", "r.moreau@orange.fr", "dev@kestrel.io"];

function recent(): Purchase[] {
  if (EMPTY) return [];
  const products = catalogue();
  const minutesAgo = [4, 38, 95, 210, 600, 1500, 2900, 4400];
  return BUYERS.map((email, i) => {
    const token = (i + 1).toString(16).padStart(2, "0").repeat(16);
    // Its twin in purchases.ts: what it cost, the code and the link it came through.
    const twin = purchases.find((x) => x.token === token)!;
    const p = products[i % 2];
    const both = i === 3;
    const free = twin.source === "free";
    const bought = free ? [products[3]] : both ? [products[0], products[1]] : [p];
    return {
      id: 200 - i, token, email,
      amount_minor: twin.amount_minor, currency: "usd", amount_refunded_minor: 0,
      checkout_session_id: free ? null : `cs_test_a1b2c3${i}`, payment_intent_id: free ? null : `pi_3Nx${i}`,
      status: i === 6 ? "refunded" : "paid", standing: i === 6 ? "refunded" : "paid", status_reason: null, email_problem: null, source: twin.source,
      test: true, created_at: NOW - minutesAgo[i] * 60, charge: twin.charge, charge_lines: twin.charge_lines, referral: twin.referral, consent: twin.consent, invoice_url: twin.invoice_url,
      items: bought.map((q, j) => ({
        id: 500 + i * 2 + j, product_id: q.id, product_slug: q.slug, product_name: q.name,
        amount_minor: q.price_minor, download_limit: q.download_limit, revoked: false, license: null, files: [],
      })),
    };
  });
}

// Where the sales came from, busiest first as the core orders them (sales, then visits):
// the newsletter sells best, Instagram brings visits that don't buy. Each source's share of
// the period's visits, checkouts, sales and revenue, so the rows add up to the totals.
const SOURCES: [string, number, number, number, number][] = [
  // source, visits, checkouts, sales, revenue (relative weights)
  ["newsletter", 19, 36, 41, 44],
  ["", 30, 30, 29, 30],
  ["youtube", 14, 17, 18, 17],
  ["mastodon", 6, 8, 7, 5],
  ["instagram", 29, 7, 4, 2],
  ["other", 2, 2, 1, 2],
];

/** `total` split by `weights` in whole numbers that add up to it (largest remainder). */
function split(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0]);
  for (let k = 0; k < total - out.reduce((a, b) => a + b, 0); k++) out[order[k][1]]++;
  return out;
}

function sources(funnel: Dashboard["funnel"], revenue: number): SourceRow[] {
  if (EMPTY) return [];
  const col = (j: number) => SOURCES.map((r) => r[j] as number);
  const [visits, checkouts, sales, money] = [split(funnel.visits, col(1)), split(funnel.checkouts, col(2)), split(funnel.paid, col(3)), split(revenue, col(4))];
  return SOURCES.map(([source], i) => ({ source, visits: visits[i], checkouts: checkouts[i], sales: sales[i], revenue_minor: money[i] }))
    .sort((a, b) => b.sales - a.sales || b.visits - a.visits || a.source.localeCompare(b.source));
}

function dashboard(days: number): Dashboard {
  const series: DayPoint[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date((NOW - i * DAY) * 1000).toISOString().slice(0, 10);
    series.push({ day: d, ...salesOn(i) });
  }
  const paid = series.reduce((n, p) => n + p.purchases, 0);
  const revenue = series.reduce((n, p) => n + p.revenue_minor, 0);
  const funnel = EMPTY
    ? { visits: 0, checkouts: 0, paid: 0, downloaded: 0 }
    : { visits: paid * 17 + 41, checkouts: Math.round(paid * 2.4), paid, downloaded: Math.round(paid * 0.9) };
  return {
    currency: "usd", series,
    total_revenue_minor: revenue,
    total_purchases: paid,
    test: true,
    tally: {
      sales: paid, refunded: EMPTY ? 0 : Math.round(paid * 0.03), partially_refunded: EMPTY ? 0 : 1, gifts: EMPTY ? 0 : 12, other_mode: 0,
      average_sale_minor: paid ? Math.round(revenue / paid) : null,
    },
    funnel,
    sources: sources(funnel, revenue),
    recent: recent(),
  };
}

export const commands: Commands = {
  dashboard: async ({ days }) => { await sleep(250); return dashboard(Number(days)); },
  // A shop half set up: named, with products, taking simulated payments, mail to a folder.
  setup_steps: async () => [
    { key: "store_name", done: true }, { key: "sender", done: true }, { key: "product", done: !EMPTY },
    { key: "payments", done: false }, { key: "email", done: false }, { key: "public_address", done: true },
  ],
};

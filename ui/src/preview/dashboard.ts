// Sample answers for the Dashboard: a month of sales with a weekday rhythm and a launch
// bump, the funnel, and the newest eight purchases of products.ts's products.
// /preview.html?empty#dashboard shows a brand-new shop.
import type { Dashboard, DayPoint, Purchase } from "../lib/api";
import { DAY, EMPTY, NOW, sleep, type Commands } from "./data";
import { catalogue } from "./products";

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
    const p = products[i % 2];
    const both = i === 3;
    const amount = both ? products[0].price_minor + products[1].price_minor : p.price_minor;
    return {
      id: 200 - i, token: (i + 1).toString(16).padStart(2, "0").repeat(16), email,
      amount_minor: amount, currency: "usd", amount_refunded_minor: 0,
      checkout_session_id: `cs_test_a1b2c3${i}`, payment_intent_id: `pi_3Nx${i}`,
      status: i === 6 ? "refunded" : "paid", status_reason: null, email_problem: null, source: i === 5 ? "grant" : "checkout",
      test: true, created_at: NOW - minutesAgo[i] * 60,
      items: (both ? [products[0], products[1]] : [p]).map((q, j) => ({
        id: 500 + i * 2 + j, product_id: q.id, product_slug: q.slug, product_name: q.name,
        amount_minor: q.price_minor, download_limit: q.download_limit, revoked: false, files: [],
      })),
    };
  });
}

function dashboard(days: number): Dashboard {
  const series: DayPoint[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date((NOW - i * DAY) * 1000).toISOString().slice(0, 10);
    series.push({ day: d, ...salesOn(i) });
  }
  const paid = series.reduce((n, p) => n + p.purchases, 0);
  return {
    currency: "usd", series,
    total_revenue_minor: series.reduce((n, p) => n + p.revenue_minor, 0),
    total_purchases: paid,
    funnel: EMPTY
      ? { visits: 0, checkouts: 0, paid: 0, downloaded: 0 }
      : { visits: paid * 17 + 41, checkouts: Math.round(paid * 2.4), paid, downloaded: Math.round(paid * 0.9) },
    recent: recent(),
  };
}

export const commands: Commands = {
  dashboard: async ({ days }) => { await sleep(250); return dashboard(Number(days)); },
};

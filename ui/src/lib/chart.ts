// Pure helpers for the dashboard's revenue chart and funnel: scales, nice axis ticks,
// bar geometry, SVG paths and conversion percentages. No DOM, so they are unit-tested.
import type { Funnel } from "./api";
import { formatMoney, minorDigits } from "./format";

/** Maps [d0, d1] linearly onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => r0;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/**
 * Axis ticks from 0 to at least `max`: about `count` steps of 1, 2 or 5 × 10^k, never
 * smaller than `minStep`. Integers in, integers out (money ticks are minor units).
 */
export function niceTicks(max: number, count = 4, minStep = 1): number[] {
  const top = Math.max(0, max);
  let step = minStep;
  if (top > 0) {
    const raw = top / count;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const norm = raw / mag;
    const nice = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
    step = Math.max(minStep, Math.round(nice));
  }
  const steps = Math.max(1, Math.ceil(top / step));
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
}

export interface Bar {
  index: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The whole column of the day (for hover targets). */
  bandX: number;
  bandWidth: number;
}

/** One bar per value in a plot box; `max` is the value at the top edge. */
export function barLayout(
  values: number[],
  box: { left: number; top: number; width: number; height: number },
  max: number,
  fill = 0.7,
): Bar[] {
  const n = values.length;
  if (n === 0) return [];
  const band = box.width / n;
  const width = Math.max(1, band * fill);
  const y = linearScale(0, max, box.top + box.height, box.top);
  return values.map((v, index) => {
    const top = y(Math.max(0, v));
    return {
      index,
      x: box.left + index * band + (band - width) / 2,
      y: top,
      width,
      height: box.top + box.height - top,
      bandX: box.left + index * band,
      bandWidth: band,
    };
  });
}

/** An SVG path through the points ("M x y L x y …"), rounded to 0.1 px. */
export function linePath(points: [number, number][]): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  return points.map(([x, y], i) => `${i ? "L" : "M"}${r(x)} ${r(y)}`).join(" ");
}

/** The line closed down to `baseY`, for a filled area under it. */
export function areaPath(points: [number, number][], baseY: number): string {
  if (points.length === 0) return "";
  const first = points[0];
  const last = points[points.length - 1];
  return `${linePath(points)} L${Math.round(last[0] * 10) / 10} ${baseY} L${Math.round(first[0] * 10) / 10} ${baseY} Z`;
}

/** Which of `n` points get an x-axis label: about `max` evenly spaced, always the last. */
export function labelIndices(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const every = Math.ceil((n - 1) / Math.max(1, max - 1));
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i -= every) out.unshift(i);
  return out;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11-02" (a UTC day) → "2 Nov"; read as text so the time zone can't shift it. */
export function dayLabel(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? "?"}`;
}

/** Like dayLabel with the weekday and year, for the tooltip: "Mon, 2 Nov 2026". */
export function dayLong(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay()];
  return `${wd}, ${dayLabel(day)} ${m[1]}`;
}

/** Money for an axis: whole amounts without ".00" ("$150"), others as usual. */
export function axisMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const text = formatMoney(minor, currency);
  return digits && minor % 10 ** digits === 0 ? text.replace(`.${"0".repeat(digits)}`, "") : text;
}

/** part / whole as a percentage, or null when there is nothing to divide by. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? (part / whole) * 100 : null;
}

/** 42.345 → "42%", 3.21 → "3.2%", null → "–". */
export function formatPercent(p: number | null): string {
  if (p === null) return "–";
  if (p > 0 && p < 10 && Math.round(p) !== p) return `${(Math.round(p * 10) / 10).toString()}%`;
  return `${Math.round(p)}%`;
}

export interface FunnelStep {
  key: keyof Funnel;
  label: string;
  count: number;
  /** Share of the largest step, for the bar width; null when every step is 0. */
  share: number | null;
  /** Conversion from the step before; null for the first step or when the one before is 0. */
  fromPrev: number | null;
}

const STEPS: { key: keyof Funnel; label: string }[] = [
  { key: "visits", label: "Product page visits" },
  { key: "checkouts", label: "Checkouts started" },
  { key: "paid", label: "Paid" },
  { key: "downloaded", label: "Downloaded" },
];

export function funnelSteps(f: Funnel): FunnelStep[] {
  // Bars are relative to the largest step: a granted purchase can be paid without a visit.
  const top = Math.max(...STEPS.map((s) => f[s.key]));
  return STEPS.map((s, i) => ({
    key: s.key,
    label: s.label,
    count: f[s.key],
    share: percent(f[s.key], top),
    fromPrev: i === 0 ? null : percent(f[s.key], f[STEPS[i - 1].key]),
  }));
}

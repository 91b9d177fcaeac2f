// Money is integer minor units everywhere; these only turn it into words for the seller.
import { CURRENCY_DIGITS } from "./bindings";

/** Digits after the point in the currency's minor unit, as the core counts them (usd 2, jpy 0, kwd 3). */
export function minorDigits(currency: string): number {
  return (CURRENCY_DIGITS as Record<string, number>)[currency.toLowerCase()] ?? 2;
}

/** 1999, "usd" → "$19.99". Uses integer arithmetic, never floats, for the digits. */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const neg = minor < 0;
  const abs = Math.abs(Math.trunc(minor));
  const base = 10 ** digits;
  const major = Math.floor(abs / base);
  const rest = abs % base;
  const grouped = major.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const amount = digits ? `${grouped}.${rest.toString().padStart(digits, "0")}` : grouped;
  const symbol: Record<string, string> = { usd: "$", eur: "€", gbp: "£", jpy: "¥", cad: "CA$", aud: "A$" };
  const s = symbol[currency.toLowerCase()];
  const text = s ? `${s}${amount}` : `${amount} ${currency.toUpperCase()}`;
  return neg ? `−${text}` : text;
}

/** Minor units → the string the seller would type ("9.99"), for prefilling price fields. */
export function minorToInput(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (!digits) return String(minor);
  const base = 10 ** digits;
  return `${Math.floor(minor / base)}.${(minor % base).toString().padStart(digits, "0")}`;
}

/** Unix seconds → "22 Nov 2026, 14:05" in the seller's locale. */
export function formatTime(unix: number): string {
  return new Date(unix * 1000).toLocaleString(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

/** Unix seconds → "3 min ago" style, relative to `now` (ms). */
export function timeAgo(unix: number, now = Date.now()): string {
  const s = Math.max(0, Math.round(now / 1000 - unix));
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

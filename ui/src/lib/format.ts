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

/** Bytes in words, by the core's rule (crates/booth-core/src/domain/size.rs, `ByteSize`):
 * decimal units (1 MB = 1,000,000 bytes, as Finder and the buyer's pages show), one
 * decimal under 100, whole from 100, rounded half up. The window can't ask Rust for each
 * number, so this is the same rule, checked against the core's own table of cases
 * (format.test.ts reads crates/booth-core/src/domain/testdata/sizes.json). BigInt, so
 * sizes past 2^53 / 10 round the same as in Rust. */
export function formatSize(bytes: number): string {
  const b = BigInt(Math.max(0, Math.floor(bytes)));
  if (b < 1000n) return `${b} B`;
  const units = ["KB", "MB", "GB", "TB"];
  for (let i = 0; i < units.length; i++) {
    const size = 1000n ** BigInt(i + 1);
    const tenths = (b * 10n + size / 2n) / size;
    if (tenths < 1000n) return `${tenths / 10n}.${tenths % 10n} ${units[i]}`;
    const whole = (b + size / 2n) / size;
    // 999.5 KB and up reads as the next unit's "1.0 MB", never "1000 KB".
    if (whole < 1000n || i === units.length - 1) return `${whole} ${units[i]}`;
  }
  return `${b} B`;
}

// Stamped PDFs in the product form: every page of a product's PDFs can carry a line the
// seller words, filled in per buyer ({email}, {date}). The rules are the core's (stamp/):
// 1–200 characters on one line, no placeholder but {email} and {date}; the form sends the
// wording as the `stamp` string, or "off", and the core's mistakes come as field "stamp"
// (a cleared line with the switch on among them).
import type { Product } from "./api";

/** The wording a product gets when the seller turns stamping on (the core's default). */
export const DEFAULT_STAMP = "Licensed to {email} · {date}";

/** The buyer the live example is made for. */
export const SAMPLE_EMAIL = "buyer@example.com";

/** YYYY-MM-DD in UTC, as the core fills in {date} (the day of the purchase). */
export function stampDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The line as one buyer would see it: the placeholders filled in ("" for no wording). */
export function stampExample(wording: string, email = SAMPLE_EMAIL, day = stampDay(new Date())): string {
  return wording.trim().replaceAll("{email}", email).replaceAll("{date}", day);
}

/** The product form's field as it opens: on with the product's wording, else off (default wording ready). */
export function stampField(p: Pick<Product, "pdf_stamp"> | null): { on: boolean; wording: string } {
  const s = p?.pdf_stamp ?? null;
  return { on: s !== null, wording: s ?? DEFAULT_STAMP };
}

/** The `stamp` string the core takes: the wording, or "off". */
export function stampInput(on: boolean, wording: string): string {
  return on ? wording.trim() : "off";
}

/** Whether the field differs from the product as saved (an edit sends it only then). */
export function stampChanged(p: Pick<Product, "pdf_stamp">, on: boolean, wording: string): boolean {
  if (!on) return p.pdf_stamp !== null;
  return wording.trim() !== (p.pdf_stamp ?? "");
}

// What the preview's per-screen modules share: the shape of a command table, the query
// flags, the clock, the shop's fixed facts and a repeatable random source.
import type { ApiError } from "../lib/api";

export type Args = Record<string, unknown>;
/** Answers one command, as the shell would. */
export type Handler = (args: Args) => unknown;
/** One screen's commands, by name. */
export type Commands = Record<string, Handler>;

/** /preview.html?empty#… shows a brand-new shop: no products, nothing bought, mailed or sent yet. */
export const EMPTY = location.search.includes("empty");

export const NOW = Math.floor(Date.now() / 1000);
export const HOUR = 3600;
export const DAY = 86400;

export const HOME = "/home/ada/.local/share/booth";
export const SHOP = "Ada's Little Shop";
export const BASE = "http://127.0.0.1:8080";
export const SUPPORT = "help@adasshop.com";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const invalid = (field: string, message: string): ApiError => ({ code: "invalid_input", field, message });

/**
 * A `validate_…` command's answer: the mistake each sample check throws, all of them, as
 * the core answers. The checks are the preview's rough stand-ins, not the shop's rules.
 */
export function mistakes(...checks: (() => unknown)[]): ApiError[] {
  const found: ApiError[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (e) {
      found.push(e as ApiError);
    }
  }
  return found;
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

// Deterministic pseudo-random numbers, so the preview looks the same on every load.
// At load purchases.ts draws first (its products, purchases and their receipts), then
// mailings.ts (its past mailings' messages): mailings.ts imports purchases.ts, which fixes
// that order whatever order main.ts lists them in.
let seed = 20261122;
export function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
export function hex(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}
export function uuid(): string {
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
}

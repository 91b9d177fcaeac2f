// License keys in words (the purchase detail's key, the product form's field). The rules
// are the core's: a key works while its purchase is paid, its item not revoked and the
// seller hasn't disabled it; the core says why not as the license's `refusal`.
import type { License, Product, Refusal } from "./api";
import type { Badge } from "./purchases";

/** Activations a key allows when the seller first turns license keys on. */
export const DEFAULT_ACTIVATIONS = "3";

/** "2 of 3 activations", "0 of 1 activation". */
export function activationsText(l: Pick<License, "instances" | "activation_limit">): string {
  const noun = l.activation_limit === 1 ? "activation" : "activations";
  return `${l.instances.length} of ${l.activation_limit} ${noun}`;
}

/** "1 activation", "5 activations": what a key allows. */
export function allowedText(limit: number): string {
  return `${limit} ${limit === 1 ? "activation" : "activations"}`;
}

/** Whether every activation is taken (a new computer would be refused). */
export function isFull(l: Pick<License, "instances" | "activation_limit">): boolean {
  return l.instances.length >= l.activation_limit;
}

/** The badge of a key that can't be used now (disabled, refunded, revoked); null when it can. */
export function refusalBadge(r: Refusal | null): Badge | null {
  if (r === "disabled") return { label: "disabled", cls: "badge-bad" };
  if (r === "refunded") return { label: "refunded", cls: "badge-warn" };
  if (r === "revoked") return { label: "revoked", cls: "badge-bad" };
  if (r) return { label: r.replace(/_/g, " "), cls: "badge-warn" };
  return null;
}

/** Why the key can't be used, for the seller; null when it can. */
export function refusalText(r: Refusal | null): string | null {
  switch (r) {
    case null:
      return null;
    case "disabled":
      return "You disabled this key: apps can't activate or validate it until you enable it again.";
    case "refunded":
      return "The purchase was refunded, so this key no longer works.";
    case "revoked":
      return "The purchase was revoked, so this key no longer works.";
    case "limit_reached":
      return "Every activation of this key is taken.";
    default:
      return "This key can't be used.";
  }
}

/** The seller's toggle: "Disable key" or "Enable key". */
export function toggleLabel(l: Pick<License, "disabled">): string {
  return l.disabled ? "Enable key" : "Disable key";
}

/** What a toggle did, for the toast. */
export function toggledText(l: Pick<License, "disabled">): string {
  return l.disabled ? "Key disabled: apps can't use it any more" : "Key enabled again";
}

/** "1 activation freed earlier", "" when none was. */
export function freedText(freed: number): string {
  return freed ? `${allowedText(freed)} freed earlier` : "";
}

/** The product form's field as it opens: on with the product's activations, else off. */
export function licensesField(p: Pick<Product, "license_activations"> | null): { on: boolean; activations: string } {
  const n = p?.license_activations ?? null;
  return { on: n !== null, activations: n === null ? DEFAULT_ACTIVATIONS : String(n) };
}

/** The `licenses` string the core takes: the activations per key, or "off". */
export function licensesInput(on: boolean, activations: string): string {
  return on ? activations.trim() : "off";
}

/** Whether the field differs from the product as saved (an edit sends it only then). */
export function licensesChanged(p: Pick<Product, "license_activations">, on: boolean, activations: string): boolean {
  if (!on) return p.license_activations !== null;
  return activations.trim() !== String(p.license_activations ?? "");
}

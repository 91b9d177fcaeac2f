// Sample license keys: purchases of a product that gives them (products.ts's Golden Hour
// presets) carry a key, activated on a computer or two, and the seller's actions on them
// (free an activation, disable, change the limit). purchases.ts makes the keys and answers
// these commands with its purchases; nothing here draws from the random source, so the
// rest of the preview looks as it did.
import type { License, Purchase, PurchaseItem, Refusal } from "../lib/api";
import { HOUR, invalid, clone, type Commands } from "./data";

const MACHINES = ["Studio iMac", "MacBook Pro", "DESKTOP-7QK2M", "ThinkPad X1", "Mac mini"];

/** A stable UUID-shaped string from a number (keys upper-case, instance ids lower-case). */
function uuidOf(n: number, salt: number): string {
  let x = (n * 2654435761 + salt * 40503) >>> 0 || 1;
  const h = Array.from({ length: 32 }, () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; // xorshift32
    return (x & 15).toString(16);
  }).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Why a key can't be used, as the core says it. */
function refusalOf(p: Purchase, item: PurchaseItem, l: Pick<License, "disabled">): Refusal | null {
  if (p.status === "refunded") return "refunded";
  if (p.status === "revoked" || item.revoked) return "revoked";
  return l.disabled ? "disabled" : null;
}

/** The key of one purchase item of a product with `limit` activations per key. */
export function licenseOf(p: Purchase, item: PurchaseItem, limit: number): License {
  const n = item.id;
  const used = n % (limit + 1);
  const l: License = {
    id: n, key: uuidOf(n, 1).toUpperCase(), activation_limit: limit, freed: n % 3 === 0 ? 1 : 0, disabled: false, created_at: p.created_at,
    instances: Array.from({ length: used }, (_, k) => ({
      id: uuidOf(n, k + 2), name: MACHINES[(n + k) % MACHINES.length], created_at: p.created_at + (k + 1) * 5 * HOUR,
    })),
    purchase_id: p.id, purchase_item_id: item.id, product_id: item.product_id, product_slug: item.product_slug, product_name: item.product_name,
    email: p.email, test: p.test, refusal: null,
  };
  l.refusal = refusalOf(p, item, l);
  return l;
}

/** After a refund or revocation: each key says so. */
export function syncLicenses(p: Purchase) {
  for (const i of p.items) if (i.license) i.license.refusal = refusalOf(p, i, i.license);
}

/** The core's activation limit, roughly: 1 to 1000, or "off" (null). */
export function activationsOf(typed: string | null | undefined): number | null {
  if (typed == null) return null;
  const t = String(typed).trim();
  if (!t) throw invalid("licenses", "give how many computers a key may activate (1 to 1000), or turn license keys off");
  if (/^(off|none)$/i.test(t)) return null;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw invalid("licenses", 'license keys allow 1 to 1000 activations, or "off"');
  return n;
}

export function licenseCommands(purchases: () => Purchase[]): Commands {
  const items = () => purchases().flatMap((p) => p.items.map((item) => ({ p, item })));
  const byKey = (key: unknown) => {
    const found = items().find(({ item }) => item.license?.key === String(key).trim().toUpperCase());
    if (!found) throw { code: "not_found", message: "no license key like that" };
    return found;
  };
  return {
    free_license_instance: ({ instanceId }) => {
      const found = items().find(({ item }) => item.license?.instances.some((i) => i.id === instanceId));
      if (!found) throw { code: "not_found", message: `no activation ${String(instanceId)}` };
      const l = found.item.license!;
      l.instances = l.instances.filter((i) => i.id !== instanceId);
      l.freed += 1;
      return clone(l);
    },
    set_license_disabled: ({ key, disabled }) => {
      const { p, item } = byKey(key);
      const l = item.license!;
      l.disabled = !!disabled;
      l.refusal = refusalOf(p, item, l);
      return clone(l);
    },
    set_license_limit: ({ key, limit }) => {
      const l = byKey(key).item.license!;
      const t = String(limit).trim();
      const n = Number(t);
      if (!/^\d+$/.test(t) || n < 1 || n > 1000) throw invalid("limit", "a key allows 1 to 1000 activations");
      l.activation_limit = n;
      return clone(l);
    },
    license_public_key: () => ({ public_key: "c2FtcGxlLXB1YmxpYy1rZXktZm9yLXRoZS1wcmV2aWV3IQ==", key_id: "preview1" }),
    // The update feeds' keys (docs/updates.md): Sparkle's, Tauri's (base64 of the minisign file) and the file.
    update_keys: () => {
      const minisign = "untrusted comment: minisign public key 5A1E9C0B7D3F2E41\nRWRBHp0LfT8uQVNhbXBsZS11cGRhdGUta2V5LWZvci10aGUtcHJldmlldyE=\n";
      return { sparkle: "U2FtcGxlLXVwZGF0ZS1rZXktZm9yLXRoZS1wcmV2aWV3IQ==", tauri: btoa(minisign), minisign };
    },
  };
}

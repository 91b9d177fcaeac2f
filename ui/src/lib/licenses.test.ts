import { describe, expect, it } from "vitest";
import type { LicenseInstance } from "./api";
import {
  activationsText, allowedText, freedText, isFull, licensesChanged, licensesField, licensesInput, refusalBadge, refusalText, toggleLabel, toggledText,
} from "./licenses";

const instance = (id: string): LicenseInstance => ({ id, name: `pc-${id}`, created_at: 0 });
const key = (used: number, limit: number) => ({ instances: Array.from({ length: used }, (_, i) => instance(String(i))), activation_limit: limit });

describe("licenses", () => {
  it("counts activations against the limit", () => {
    expect(activationsText(key(2, 3))).toBe("2 of 3 activations");
    expect(activationsText(key(0, 1))).toBe("0 of 1 activation");
    expect(isFull(key(2, 3))).toBe(false);
    expect(isFull(key(3, 3))).toBe(true);
    // A lowered limit leaves the activations already made.
    expect(isFull(key(4, 2))).toBe(true);
    expect(allowedText(1)).toBe("1 activation");
    expect(allowedText(1000)).toBe("1000 activations");
  });

  it("says how many were freed, and nothing when none was", () => {
    expect(freedText(0)).toBe("");
    expect(freedText(1)).toBe("1 activation freed earlier");
    expect(freedText(4)).toBe("4 activations freed earlier");
  });

  it("badges and words a key that can't be used", () => {
    expect(refusalBadge(null)).toBeNull();
    expect(refusalText(null)).toBeNull();
    expect(refusalBadge("disabled")).toEqual({ label: "disabled", cls: "badge-bad" });
    expect(refusalBadge("refunded")).toEqual({ label: "refunded", cls: "badge-warn" });
    expect(refusalBadge("revoked")).toEqual({ label: "revoked", cls: "badge-bad" });
    expect(refusalBadge("limit_reached")?.label).toBe("limit reached");
    expect(refusalText("disabled")).toMatch(/You disabled this key/);
    expect(refusalText("refunded")).toMatch(/refunded/);
    expect(refusalText("revoked")).toMatch(/revoked/);
    expect(refusalText("unknown_key")).toBe("This key can't be used.");
  });

  it("names the toggle after what it will do, and the toast after what it did", () => {
    expect(toggleLabel({ disabled: false })).toBe("Disable key");
    expect(toggleLabel({ disabled: true })).toBe("Enable key");
    expect(toggledText({ disabled: true })).toMatch(/disabled/);
    expect(toggledText({ disabled: false })).toBe("Key enabled again");
  });

  it("opens the product form's field from the product, off by default", () => {
    expect(licensesField(null)).toEqual({ on: false, activations: "3" });
    expect(licensesField({ license_activations: null })).toEqual({ on: false, activations: "3" });
    expect(licensesField({ license_activations: 5 })).toEqual({ on: true, activations: "5" });
  });

  it("sends the activations, or off", () => {
    expect(licensesInput(true, " 5 ")).toBe("5");
    expect(licensesInput(false, "5")).toBe("off");
  });

  it("tells a changed field from the product as saved", () => {
    expect(licensesChanged({ license_activations: null }, false, "3")).toBe(false);
    expect(licensesChanged({ license_activations: null }, true, "3")).toBe(true);
    expect(licensesChanged({ license_activations: 3 }, true, "3")).toBe(false);
    expect(licensesChanged({ license_activations: 3 }, true, "4")).toBe(true);
    expect(licensesChanged({ license_activations: 3 }, false, "3")).toBe(true);
    // A mistake is sent too, for the core to name it.
    expect(licensesChanged({ license_activations: 3 }, true, "")).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { isFiltered, matchLine, noMailFilter, noPurchaseFilter, refreshLimit } from "./filters";

describe("filters", () => {
  it("says how many, and that they match only when something is filtered", () => {
    expect(matchLine(1204, "purchase", "purchases", false)).toBe("1,204 purchases");
    expect(matchLine(1, "purchase", "purchases", true)).toBe("1 purchase matches");
    expect(matchLine(0, "message", "messages", true)).toBe("0 messages match");
  });

  it("treats blank fields as no filter", () => {
    expect(isFiltered(noPurchaseFilter())).toBe(false);
    expect(isFiltered({ ...noPurchaseFilter(), text: "   " })).toBe(false);
    expect(isFiltered({ ...noPurchaseFilter(), from: "2026-01-01" })).toBe(true);
    expect(isFiltered({ ...noMailFilter(), kind: "receipt" })).toBe(true);
  });

  it("refreshes as many rows as are shown, within the core's page sizes", () => {
    expect([0, 100, 250, 900].map(refreshLimit)).toEqual([100, 100, 250, 500]);
  });
});

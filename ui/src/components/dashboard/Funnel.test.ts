import { cleanup, render } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import Funnel from "./Funnel.svelte";

afterEach(cleanup);

const conv = (step: string) => document.querySelector(`[data-testid="conv-${step}"]`)?.textContent;
const fill = (step: string) => document.querySelector<HTMLElement>(`[data-step="${step}"] .fill`);

describe("Funnel", () => {
  it("shows each count and the conversion from the step before", () => {
    render(Funnel, { props: { funnel: { visits: 1200, checkouts: 300, paid: 120, downloaded: 108 } } });
    expect(document.querySelector('[data-step="visits"] .count')?.textContent).toBe((1200).toLocaleString());
    expect(conv("checkouts")).toBe("25%");
    expect(conv("paid")).toBe("40%");
    expect(conv("downloaded")).toBe("90%");
    expect(fill("visits")?.style.width).toBe("100%");
    expect(fill("paid")?.style.width).toBe("10%");
  });

  it("shows a dash, not NaN or Infinity, when a step before is zero", () => {
    render(Funnel, { props: { funnel: { visits: 0, checkouts: 0, paid: 0, downloaded: 0 } } });
    expect(conv("checkouts")).toBe("–");
    expect(document.body.textContent).not.toMatch(/NaN|Infinity/);
    expect(fill("visits")).toBeNull();
  });
});

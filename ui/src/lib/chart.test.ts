import { describe, expect, it } from "vitest";
import {
  areaPath, axisMoney, barLayout, dayLabel, dayLong, formatPercent, funnelSteps, labelIndices,
  linePath, linearScale, niceTicks, percent,
} from "./chart";

describe("linearScale", () => {
  it("maps the domain onto the range, inverted for SVG y", () => {
    const y = linearScale(0, 100, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(50)).toBe(100);
    expect(y(100)).toBe(0);
  });
  it("maps a zero-width domain to the range start instead of NaN", () => {
    expect(linearScale(5, 5, 10, 20)(5)).toBe(10);
  });
});

describe("niceTicks", () => {
  it("picks 1-2-5 steps covering the max", () => {
    expect(niceTicks(12345, 4)).toEqual([0, 5000, 10000, 15000]);
    expect(niceTicks(100, 4)).toEqual([0, 50, 100]);
    expect(niceTicks(7, 4)).toEqual([0, 2, 4, 6, 8]);
  });
  it("never steps below minStep (whole major units for money)", () => {
    expect(niceTicks(150, 4, 100)).toEqual([0, 100, 200]);
  });
  it("gives a usable axis when everything is zero", () => {
    expect(niceTicks(0, 4, 100)).toEqual([0, 100]);
  });
  it("always reaches at least max with integer ticks", () => {
    for (const max of [1, 3, 99, 101, 999, 4321, 87_654, 1_000_001]) {
      const t = niceTicks(max, 4);
      expect(t[t.length - 1]).toBeGreaterThanOrEqual(max);
      expect(t.every(Number.isInteger)).toBe(true);
      expect(t.length).toBeLessThanOrEqual(7);
    }
  });
});

describe("barLayout", () => {
  const box = { left: 40, top: 10, width: 300, height: 100 };
  it("puts one bar per value in its band, height proportional to the value", () => {
    const bars = barLayout([0, 50, 100], box, 100);
    expect(bars).toHaveLength(3);
    expect(bars[0].height).toBe(0);
    expect(bars[1].height).toBe(50);
    expect(bars[2].height).toBe(100);
    expect(bars[2].y).toBe(10);
    expect(bars[1].bandX).toBe(140);
    expect(bars[1].bandWidth).toBe(100);
    expect(bars[1].x).toBeCloseTo(155);
    expect(bars[1].width).toBeCloseTo(70);
  });
  it("handles an empty series and an all-zero max", () => {
    expect(barLayout([], box, 100)).toEqual([]);
    expect(barLayout([0, 0], box, 0).every((b) => b.height === 0)).toBe(true);
  });
});

describe("paths", () => {
  it("builds a line and a closed area", () => {
    expect(linePath([[0, 10], [5.04, 20]])).toBe("M0 10 L5 20");
    expect(areaPath([[0, 10], [5, 20]], 100)).toBe("M0 10 L5 20 L5 100 L0 100 Z");
    expect(areaPath([], 100)).toBe("");
  });
});

describe("labelIndices", () => {
  it("labels every point when they fit", () => {
    expect(labelIndices(5, 7)).toEqual([0, 1, 2, 3, 4]);
  });
  it("thins out long series and always keeps the last day", () => {
    const l = labelIndices(30, 7);
    expect(l[l.length - 1]).toBe(29);
    expect(l.length).toBeLessThanOrEqual(7);
    expect(l.length).toBeGreaterThanOrEqual(5);
  });
  it("is empty for no points", () => {
    expect(labelIndices(0, 7)).toEqual([]);
  });
});

describe("day labels", () => {
  it("reads the date as text, independent of the time zone", () => {
    expect(dayLabel("2026-11-02")).toBe("2 Nov");
    expect(dayLabel("2026-01-31")).toBe("31 Jan");
    expect(dayLong("2026-11-22")).toBe("Sun, 22 Nov 2026");
    expect(dayLabel("garbage")).toBe("garbage");
  });
});

describe("axisMoney", () => {
  it("drops .00 on whole amounts only", () => {
    expect(axisMoney(15000, "usd")).toBe("$150");
    expect(axisMoney(150050, "usd")).toBe("$1,500.50");
    expect(axisMoney(500, "jpy")).toBe("¥500");
    expect(axisMoney(0, "eur")).toBe("€0");
  });
});

describe("percent and the funnel", () => {
  it("guards divide by zero", () => {
    expect(percent(3, 0)).toBeNull();
    expect(formatPercent(null)).toBe("–");
    expect(percent(1, 4)).toBe(25);
  });
  it("formats small shares with a decimal", () => {
    expect(formatPercent(25)).toBe("25%");
    expect(formatPercent(3.21)).toBe("3.2%");
    expect(formatPercent(66.666)).toBe("67%");
  });
  it("computes step-to-step conversion", () => {
    const steps = funnelSteps({ visits: 200, checkouts: 50, paid: 20, downloaded: 18 });
    expect(steps.map((s) => s.count)).toEqual([200, 50, 20, 18]);
    expect(steps[0].fromPrev).toBeNull();
    expect(steps[1].fromPrev).toBe(25);
    expect(steps[2].fromPrev).toBe(40);
    expect(steps[3].fromPrev).toBe(90);
    expect(steps[0].share).toBe(100);
    expect(steps[2].share).toBe(10);
  });
  it("has no NaN when nothing happened or a step is empty", () => {
    const empty = funnelSteps({ visits: 0, checkouts: 0, paid: 0, downloaded: 0 });
    expect(empty.every((s) => s.share === null && s.fromPrev === null)).toBe(true);
    const granted = funnelSteps({ visits: 0, checkouts: 0, paid: 2, downloaded: 1 });
    expect(granted[2].fromPrev).toBeNull();
    expect(granted[3].fromPrev).toBe(50);
    expect(granted[2].share).toBe(100);
  });
});

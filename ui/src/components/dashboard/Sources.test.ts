import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import Sources from "./Sources.svelte";

afterEach(cleanup);

const cells = (source: string) =>
  [...document.querySelectorAll(`tr[data-source="${source}"] td`)].map((td) => td.textContent?.trim());

describe("Sources", () => {
  it("shows each source's numbers in the dashboard's currency, busiest first as given", () => {
    render(Sources, {
      props: {
        currency: "eur",
        sources: [
          { source: "newsletter", visits: 1200, checkouts: 96, sales: 41, revenue_minor: 70110 },
          { source: "", visits: 655, checkouts: 88, sales: 29, revenue_minor: 47560 },
          { source: "instagram", visits: 0, checkouts: 0, sales: 2, revenue_minor: 1000 },
        ],
      },
    });
    expect(cells("newsletter")).toEqual(["newsletter", (1200).toLocaleString(), "96", "41", "€701.10", "3.4%"]);
    // Sales without a ref are "Direct".
    expect(cells("")).toEqual(["Direct", "655", "88", "29", "€475.60", "4.4%"]);
    // No visits counted (e.g. the counter's cap): a dash, not Infinity.
    expect(cells("instagram")[5]).toBe("–");
    expect([...document.querySelectorAll("tr[data-source]")].map((r) => r.getAttribute("data-source"))).toEqual(["newsletter", "", "instagram"]);
    expect(screen.queryByText(/Share links with/)).toBeNull();
  });

  it("tells a new seller how to see which links sell", () => {
    render(Sources, { props: { currency: "usd", sources: [] } });
    expect(screen.getByTestId("sources-empty").textContent).toMatch(/Share links with \?ref=newsletter to see which links sell/);
    expect(document.querySelector("table")).toBeNull();
  });

  it("still says so when every sale came without a ref", () => {
    render(Sources, { props: { currency: "usd", sources: [{ source: "", visits: 10, checkouts: 2, sales: 1, revenue_minor: 1900 }] } });
    expect(cells("")).toEqual(["Direct", "10", "2", "1", "$19.00", "10%"]);
    expect(screen.getByText(/to see which links sell/)).toBeTruthy();
  });
});

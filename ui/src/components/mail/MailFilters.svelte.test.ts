import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { noMailFilter } from "../../lib/filters";
import MailFilters from "./MailFilters.svelte";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function bar() {
  const onchange = vi.fn();
  const props = $state({ filter: noMailFilter(), onchange, problem: null });
  render(MailFilters, props);
  return { props, onchange };
}

const select = (name: string) => document.querySelector(`select[name="${name}"]`) as HTMLSelectElement;

describe("MailFilters", () => {
  it("offers every kind and status the outbox records", () => {
    bar();
    const values = (name: string) => [...select(name).options].map((o) => o.value);
    expect(values("kind")).toEqual(["", "receipt", "update", "library", "refund"]);
    expect(values("status")).toEqual(["", "queued", "sending", "sent", "failed", "skipped"]);
  });

  it("asks again at once for a choice and once per pause in typing; Clear resets all", async () => {
    vi.useFakeTimers();
    const { props, onchange } = bar();
    select("kind").value = "update";
    await fireEvent.change(select("kind"));
    expect(onchange).toHaveBeenCalledTimes(1);
    const search = screen.getByTestId("mail-search");
    for (const t of ["g", "gm", "gmail"]) await fireEvent.input(search, { target: { value: t } });
    expect(onchange).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(onchange).toHaveBeenCalledTimes(2);
    expect(props.filter).toEqual({ text: "gmail", kind: "update", status: "" });
    await fireEvent.click(document.querySelector('[data-action="clear-filters"]')!);
    expect(props.filter).toEqual(noMailFilter());
    expect(onchange).toHaveBeenCalledTimes(3);
    expect(select("kind").value).toBe("");
  });

  it("marks the field the core refused", async () => {
    const { props } = bar();
    (props as { problem: unknown }).problem = { code: "invalid_input", field: "kind", message: "'spam' is not one of: receipt, update, library" };
    await waitFor(() => expect(screen.getByTestId("filter-problem").getAttribute("data-field")).toBe("kind"));
    expect(select("kind").getAttribute("aria-invalid")).toBe("true");
  });
});

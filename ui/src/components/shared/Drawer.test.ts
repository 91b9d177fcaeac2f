import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import Drawer from "./Drawer.svelte";

const form = createRawSnippet(() => ({
  render: () => `<form><input name="a" /><input name="b" /><button type="button" name="last">Save</button></form>`,
}));

function open(unsaved = false) {
  const onclose = vi.fn();
  render(Drawer, { props: { title: "Edit", onclose, unsaved: () => unsaved, children: form } });
  const panel = screen.getByRole("dialog", { name: "Edit" });
  return { onclose, panel };
}

const el = (name: string) => document.querySelector<HTMLElement>(`[name=${name}]`)!;

describe("Drawer", () => {
  it("opens as a modal dialog and closes on Escape when nothing is unsaved", async () => {
    const { onclose, panel } = open();
    expect(panel.tagName).toBe("DIALOG");
    expect(panel.hasAttribute("open")).toBe(true);
    await fireEvent.keyDown(el("a"), { key: "Escape" });
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it("asks before throwing away unsaved changes, and keeps them on Keep editing", async () => {
    const { onclose } = open(true);
    await fireEvent.keyDown(el("a"), { key: "Escape" });
    expect(onclose).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog", { name: "Discard your changes?" })).toBeTruthy();
    await fireEvent.click(screen.getByTestId("keep-editing"));
    expect(screen.queryByRole("dialog", { name: "Discard your changes?" })).toBeNull();
    expect(onclose).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole("button", { name: "Close" }));
    await fireEvent.click(screen.getByTestId("discard"));
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it("keeps Tab inside: past the last field it comes back to the first, and the reverse", async () => {
    open();
    el("last").focus();
    await fireEvent.keyDown(el("last"), { key: "Tab" });
    // The first reachable thing in the panel is its close button.
    expect(document.activeElement?.getAttribute("aria-label")).toBe("Close");
    await fireEvent.keyDown(document.activeElement!, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(el("last"));
  });

  it("an Escape in the discard question closes the question, not the panel", async () => {
    const { onclose } = open(true);
    await fireEvent.keyDown(el("a"), { key: "Escape" });
    await fireEvent.keyDown(screen.getByTestId("keep-editing"), { key: "Escape" });
    expect(screen.queryByRole("dialog", { name: "Discard your changes?" })).toBeNull();
    expect(onclose).not.toHaveBeenCalled();
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import CloseQuestion from "./CloseQuestion.svelte";

const api = vi.hoisted(() => ({ closeWindow: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
// The window's close button, as the shell sends it: the handler runs at once.
const events = vi.hoisted(() => ({ listen: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => events);
afterEach(cleanup);

function closeButton(tray: boolean) {
  events.listen.mockImplementation(async (_name: string, handler: (e: unknown) => void) => {
    setTimeout(() => handler({ payload: { tray } }), 0);
    return () => {};
  });
}

describe("CloseQuestion", () => {
  it("asks on the close button, and sends the seller's answer", async () => {
    closeButton(false);
    api.closeWindow.mockResolvedValue(null);
    render(CloseQuestion);
    expect(await screen.findByTestId("close-question")).toBeTruthy();
    expect(events.listen).toHaveBeenCalledWith("close-requested", expect.any(Function));
    await fireEvent.click(screen.getByRole("button", { name: "Keep selling in the background" }));
    expect(api.closeWindow).toHaveBeenCalledWith(true);
  });

  it("quits when asked to", async () => {
    closeButton(false);
    api.closeWindow.mockResolvedValue(null);
    render(CloseQuestion);
    await fireEvent.click(await screen.findByRole("button", { name: "Quit Booth" }));
    expect(api.closeWindow).toHaveBeenCalledWith(false);
  });

  it("with a tray, says once that the shop keeps selling and where to quit", async () => {
    closeButton(true);
    api.closeWindow.mockResolvedValue(null);
    render(CloseQuestion);
    const told = await screen.findByTestId("close-question");
    expect(told.textContent).toContain("Your shop keeps selling");
    expect(told.textContent).toContain("icon in the tray");
    expect(screen.queryByRole("button", { name: "Keep selling in the background" })).toBeNull();
    // Enter keeps selling: the answer in focus is never Quit.
    expect(document.activeElement?.textContent).toBe("Got it, close the window");
    await fireEvent.click(screen.getByRole("button", { name: "Got it, close the window" }));
    expect(api.closeWindow).toHaveBeenCalledWith(true);
  });
});

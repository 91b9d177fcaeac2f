// The bar shows the app's transfer events as they come, and what it wraps until then.
import { cleanup, render, screen } from "@testing-library/svelte";
import { createRawSnippet } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import TransferProgress from "./TransferProgress.svelte";

const events = vi.hoisted(() => ({ listen: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => events);
afterEach(cleanup);

describe("TransferProgress", () => {
  it("shows what it wraps, then each transfer's file, bytes and share", async () => {
    let send: (payload: unknown) => void = () => {};
    const unlisten = vi.fn();
    events.listen.mockImplementation(async (_name: string, handler: (e: unknown) => void) => {
      send = (payload) => handler({ payload });
      return unlisten;
    });
    const children = createRawSnippet(() => ({ render: () => "<span>Copying…</span>" }));
    const { unmount } = render(TransferProgress, { children });
    expect(screen.getByText("Copying…")).toBeTruthy();
    await vi.waitFor(() => expect(events.listen).toHaveBeenCalledWith("transfer", expect.any(Function)));

    send({ kind: "upload", name: "guide.pdf", done: 12_000_000, total: 48_000_000 });
    expect((await screen.findByTestId("transfer-progress")).textContent).toContain("Uploading guide.pdf — 12.0 MB of 48.0 MB");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");
    expect(screen.queryByText("Copying…")).toBeNull();

    send({ kind: "verify", name: "guide.pdf", done: 48_000_000, total: 48_000_000 });
    await vi.waitFor(() => expect(screen.getByTestId("transfer-progress").textContent).toContain("Checking guide.pdf"));
    unmount();
    expect(unlisten).toHaveBeenCalled();
  });
});

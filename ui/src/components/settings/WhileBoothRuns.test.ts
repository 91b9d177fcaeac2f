// Settings → While Booth runs: each switch saves at once through its own call, and the
// card says what the sleep inhibitor and the tray do.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Background } from "../../lib/api";
import WhileBoothRuns from "./WhileBoothRuns.svelte";

const api = vi.hoisted(() => ({ background: vi.fn(), setBackgroundPref: vi.fn(), setStartAtLogin: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function bg(over: Partial<Background> = {}): Background {
  return {
    prefs: { stay_awake: true, notify_sales: true, notify_tunnel: true, background_told: false },
    start_at_login: false,
    awake: { state: "off" },
    tray: true,
    ...over,
  };
}

const toggle = (pref: string) => document.querySelector<HTMLInputElement>(`[data-pref=${pref}] input`)!;

describe("WhileBoothRuns", () => {
  it("shows each choice as saved and switches one at a time", async () => {
    api.background.mockResolvedValue(bg({ awake: { state: "held" } }));
    api.setBackgroundPref.mockResolvedValue(bg({ prefs: { stay_awake: false, notify_sales: true, notify_tunnel: true, background_told: false } }));
    render(WhileBoothRuns);
    expect((await screen.findByTestId("awake-state")).textContent).toContain("Keeping this computer awake now");
    expect(toggle("start_at_login").checked).toBe(false);
    expect(toggle("notify_sales").checked).toBe(true);
    expect(screen.getByText(/icon in the tray/)).toBeTruthy();

    await fireEvent.click(toggle("stay_awake"));
    expect(api.setBackgroundPref).toHaveBeenCalledWith("stay_awake", false);
    await waitFor(() => expect(toggle("stay_awake").checked).toBe(false));
    expect(screen.queryByTestId("awake-state")).toBeNull();
  });

  it("turns start at login on, and says why the computer can't be kept awake", async () => {
    api.background.mockResolvedValue(bg({ tray: false, awake: { state: "unavailable", reason: "no logind" } }));
    api.setStartAtLogin.mockResolvedValue(bg({ tray: false, start_at_login: true }));
    render(WhileBoothRuns);
    expect((await screen.findByTestId("awake-state")).textContent).toContain("no logind");
    expect(screen.getByText(/closing the window asks/)).toBeTruthy();
    await fireEvent.click(toggle("start_at_login"));
    expect(api.setStartAtLogin).toHaveBeenCalledWith(true);
    await waitFor(() => expect(toggle("start_at_login").checked).toBe(true));
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { nav } from "../../lib/nav.svelte";
import VersionNudge from "./VersionNudge.svelte";

const api = vi.hoisted(() => ({ versionNews: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const news = (nudge: string | null) => ({ slug: "guide", file: "guide.pdf", version: "4", buyers: nudge ? 12 : 0, test_buyers: 0, nudge });

beforeEach(() => {
  api.versionNews.mockReset();
  nav.screen = "products";
  nav.param = null;
});
afterEach(cleanup);

describe("VersionNudge", () => {
  it("says the core's nudge and opens Mailings on the product", async () => {
    api.versionNews.mockResolvedValue(news("Version 4 of guide.pdf is live. Tell its 12 buyers?"));
    const onclose = vi.fn();
    render(VersionNudge, { slug: "guide", file: "7", onclose });
    const shown = await screen.findByTestId("version-nudge");
    expect(api.versionNews).toHaveBeenCalledWith("guide", "7");
    expect(shown.textContent).toContain("Version 4 of guide.pdf is live. Tell its 12 buyers?");
    await fireEvent.click(shown.querySelector('[data-action="tell-buyers"]')!);
    expect([nav.screen, nav.param]).toEqual(["mailings", "guide"]);
    await fireEvent.click(shown.querySelector('[aria-label="Dismiss"]')!);
    expect(onclose).toHaveBeenCalled();
  });

  it("stays out of the way with nobody to tell, or when the shop can't say", async () => {
    api.versionNews.mockResolvedValueOnce(news(null));
    render(VersionNudge, { slug: "guide", file: "7", onclose: () => {} });
    await vi.waitFor(() => expect(api.versionNews).toHaveBeenCalled());
    await Promise.resolve();
    expect(screen.queryByTestId("version-nudge")).toBeNull();
    cleanup();
    api.versionNews.mockRejectedValueOnce({ code: "not_running", message: "the shop isn't running" });
    render(VersionNudge, { slug: "guide", file: "7", onclose: () => {} });
    await vi.waitFor(() => expect(api.versionNews).toHaveBeenCalledTimes(2));
    await Promise.resolve();
    expect(screen.queryByTestId("version-nudge")).toBeNull();
  });
});

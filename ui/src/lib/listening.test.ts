import { describe, expect, it, vi } from "vitest";
import { listening } from "./listening";

describe("listening", () => {
  it("stops the listener when the component goes", async () => {
    const unlisten = vi.fn();
    const stop = listening(() => Promise.resolve(unlisten));
    await Promise.resolve();
    stop();
    expect(unlisten).toHaveBeenCalledOnce();
  });

  it("drops a listener that arrives after the component went", async () => {
    const unlisten = vi.fn();
    let arrive!: (u: () => void) => void;
    const stop = listening(() => new Promise((r) => (arrive = r)));
    stop();
    arrive(unlisten);
    await Promise.resolve();
    await Promise.resolve();
    expect(unlisten).toHaveBeenCalledOnce();
  });

  it("outside Tauri does nothing and doesn't throw", () => {
    const stop = listening(() => {
      throw new Error("no Tauri");
    });
    expect(() => stop()).not.toThrow();
    const rejected = listening(() => Promise.reject(new Error("no Tauri")));
    expect(() => rejected()).not.toThrow();
  });
});

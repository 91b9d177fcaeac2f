// Settings → Storage: the form's mistakes beside their fields before anything is tried,
// the bucket's own refusal said in words, and a saved bucket with Check and Stop.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StorageView } from "../../lib/api";
import Storage from "./Storage.svelte";

const api = vi.hoisted(() => ({
  storage: vi.fn(), validateStorage: vi.fn(), setStorage: vi.fn(), checkStorage: vi.fn(), useLocalStorage: vi.fn(),
}));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));
afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const local: StorageView = { bucket: null, secret_set: false, backup_keep: 7 };
const saved: StorageView = {
  bucket: { endpoint: "https://acct.r2.cloudflarestorage.com", region: "auto", bucket: "shop-files", prefix: "booth", access_key_id: "AKID" },
  secret_set: true,
  backup_keep: 7,
};
const input = (id: string) => document.getElementById(id) as HTMLInputElement;

describe("Storage", () => {
  it("shows the form's mistakes beside their fields and tries nothing", async () => {
    api.storage.mockResolvedValue(local);
    api.validateStorage.mockResolvedValue([{ code: "invalid_input", field: "bucket", message: "a bucket name: 3–63 lowercase letters" }]);
    render(Storage);
    await fireEvent.input(await screen.findByLabelText("Bucket"), { target: { value: "No" } });
    await fireEvent.click(screen.getByTestId("save-storage"));
    expect(await screen.findByText(/3–63 lowercase letters/)).toBeTruthy();
    expect(input("bucket").getAttribute("aria-invalid")).toBe("true");
    expect(api.setStorage).not.toHaveBeenCalled();
  });

  it("says why the bucket refused, then saves a working one and offers Check and Stop", async () => {
    api.storage.mockResolvedValue(local);
    api.validateStorage.mockResolvedValue([]);
    api.setStorage.mockRejectedValueOnce({ code: "storage", message: "storage: the bucket shop-files refused these keys (write)" });
    render(Storage);
    await fireEvent.input(await screen.findByLabelText("Endpoint"), { target: { value: saved.bucket!.endpoint } });
    await fireEvent.click(screen.getByTestId("save-storage"));
    expect((await screen.findByTestId("storage-result")).textContent).toContain("refused these keys");
    expect(screen.queryByRole("button", { name: "Check again" })).toBeNull();

    api.setStorage.mockResolvedValueOnce(saved);
    await fireEvent.click(screen.getByTestId("save-storage"));
    await waitFor(() => expect(screen.getByTestId("storage-now").textContent).toContain("shop-files/booth"));
    expect(api.setStorage).toHaveBeenLastCalledWith(expect.objectContaining({ endpoint: saved.bucket!.endpoint }), null);
    api.useLocalStorage.mockResolvedValue(local);
    await fireEvent.click(screen.getByRole("button", { name: "Stop using the bucket" }));
    await waitFor(() => expect(screen.queryByTestId("storage-now")).toBeNull());
  });
});

// Settings → Storage: the form's mistakes beside their fields before anything is tried,
// the bucket's own refusal said in words, a saved bucket with Check and Stop, and the
// product files moved there, freed here and moved back.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StorageView } from "../../lib/api";
import Storage from "./Storage.svelte";

const api = vi.hoisted(() => ({
  storage: vi.fn(), validateStorage: vi.fn(), setStorage: vi.fn(), checkStorage: vi.fn(), useLocalStorage: vi.fn(),
  migrateStorage: vi.fn(), freeLocalCopies: vi.fn(),
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

  it("moves the files to the bucket, frees the copies here once asked, and moves them back", async () => {
    api.storage.mockResolvedValueOnce(saved).mockResolvedValueOnce(local);
    api.migrateStorage.mockResolvedValueOnce({ files: 3, bytes: 18, already: 2 });
    render(Storage);
    await fireEvent.click(await screen.findByRole("button", { name: "Move files to the bucket" }));
    expect(api.migrateStorage).toHaveBeenCalledWith("bucket");
    await waitFor(() => expect(screen.getByTestId("storage-result").textContent).toBe("Copied 3 files (18 B) to the bucket; 2 were there already."));

    await fireEvent.click(screen.getByRole("button", { name: "Free local copies" }));
    expect((await screen.findByTestId("free-dialog")).textContent).toContain("The bucket's copies are kept");
    expect(api.freeLocalCopies).not.toHaveBeenCalled();
    api.freeLocalCopies.mockResolvedValueOnce({ files: 5, bytes: 30 });
    await fireEvent.click(screen.getByRole("button", { name: "Delete this computer's copies" }));
    await waitFor(() => expect(screen.getByTestId("storage-result").textContent).toContain("copies of 5 files (30 B)"));
    expect(screen.queryByTestId("free-dialog")).toBeNull();

    api.migrateStorage.mockRejectedValueOnce({ code: "storage", message: "storage: the bucket didn't answer" });
    await fireEvent.click(screen.getByRole("button", { name: "Move files back to this computer" }));
    const failed = await screen.findByText("storage: the bucket didn't answer");
    expect(failed.classList.contains("error")).toBe(true);

    api.migrateStorage.mockResolvedValueOnce({ files: 5, bytes: 30, already: 0 });
    await fireEvent.click(screen.getByRole("button", { name: "Move files back to this computer" }));
    expect(api.migrateStorage).toHaveBeenLastCalledWith("local");
    await waitFor(() => expect(screen.getByTestId("storage-result").textContent).toContain("Copied 5 files (30 B) back to this computer."));
    expect(screen.getByTestId("storage-here")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Free local copies" })).toBeNull();
  });

  it("says how to stop using a bucket that holds the only copies", async () => {
    api.storage.mockResolvedValue(saved);
    api.useLocalStorage.mockRejectedValue({ code: "conflict", message: "1 file(s) are only in the bucket: `booth storage migrate --to local` …" });
    render(Storage);
    await fireEvent.click(await screen.findByRole("button", { name: "Stop using the bucket" }));
    await waitFor(() => expect(screen.getByTestId("storage-result").textContent).toContain("Move files back to this computer fetches them"));
    expect(screen.getByTestId("storage-now")).toBeTruthy();
  });
});

import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import SecretField from "./SecretField.svelte";

afterEach(cleanup);

describe("SecretField", () => {
  it("never shows a saved secret, only that it is saved", () => {
    render(SecretField, { props: { id: "stripe_test_key", label: "Test key", saved: true } });
    expect(screen.getByText("Saved")).toBeTruthy();
    expect(document.querySelector("input")).toBeNull();
  });

  it("Replace opens an empty password input, Keep saved goes back", async () => {
    render(SecretField, { props: { id: "k", label: "Key", saved: true } });
    await fireEvent.click(screen.getByText("Replace"));
    const input = document.querySelector("input") as HTMLInputElement;
    expect(input.type).toBe("password");
    expect(input.value).toBe("");
    await fireEvent.click(screen.getByText("Keep saved"));
    expect(document.querySelector("input")).toBeNull();
  });

  it("Remove marks it for removal, with an undo", async () => {
    render(SecretField, { props: { id: "k", label: "Key", saved: true } });
    await fireEvent.click(screen.getByText("Remove"));
    expect(screen.getByText(/Removed when you save/)).toBeTruthy();
    await fireEvent.click(screen.getByText("Undo"));
    expect(screen.getByText("Saved")).toBeTruthy();
  });

  it("checks the saved key with \"\" and a typed one as typed, showing the answer inline", async () => {
    const oncheck = vi.fn().mockResolvedValue({ ok: true, message: "Connected to acct_1" });
    render(SecretField, { props: { id: "k", label: "Key", saved: true, oncheck } });
    await fireEvent.click(screen.getByText("Check"));
    expect(oncheck).toHaveBeenLastCalledWith("");
    await waitFor(() => expect(screen.getByRole("status").textContent).toMatch(/Connected to acct_1/));

    oncheck.mockRejectedValue({ code: "payment_provider", message: "Invalid API Key" });
    await fireEvent.click(screen.getByText("Replace"));
    await fireEvent.input(document.querySelector("input")!, { target: { value: " sk_test_new " } });
    await fireEvent.click(screen.getByText("Check"));
    expect(oncheck).toHaveBeenLastCalledWith("sk_test_new");
    await waitFor(() => expect(screen.getByRole("status").textContent).toMatch(/Invalid API Key/));
  });

  it("can't check when there is no key at all", () => {
    render(SecretField, { props: { id: "k", label: "Key", saved: false, oncheck: vi.fn() } });
    expect((screen.getByText("Check") as HTMLButtonElement).disabled).toBe(true);
  });
});

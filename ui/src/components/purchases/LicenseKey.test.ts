import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PurchaseDetail as Detail, License } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import PurchaseDetail from "./PurchaseDetail.svelte";

const api = vi.hoisted(() => ({ purchaseDetail: vi.fn(), freeLicenseInstance: vi.fn(), setLicenseDisabled: vi.fn(), setLicenseLimit: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const KEY = "3F2A9C1E-7B44-4D0A-9E21-5C6B8A7F0D13";

function license(over: Partial<License> = {}): License {
  return {
    id: 4, key: KEY, activation_limit: 3, freed: 0, disabled: false, created_at: 1_700_000_000,
    instances: [
      { id: "inst-a", name: "Studio iMac", created_at: 1_700_000_500 },
      { id: "inst-b", name: "ThinkPad", created_at: 1_700_000_900 },
    ],
    purchase_id: 9, purchase_item_id: 1, product_id: 1, product_slug: "app", product_name: "App", email: "hana@example.com", test: true,
    refusal: null, ...over,
  };
}

function detail(l: License | null = license()): Detail {
  return {
    url: "http://127.0.0.1:8080/d/tok-9",
    purchase: {
      id: 9, token: "tok-9", email: "hana@example.com", amount_minor: 1900, currency: "usd", amount_refunded_minor: 0,
      checkout_session_id: "cs", payment_intent_id: "pi", status: "paid", standing: "paid", status_reason: null, email_problem: null, source: "checkout", test: true, created_at: 1_700_000_000,
      charge: { subtotal_minor: 1900, discount_minor: 0, tax_minor: 0, total_minor: 1900, discount_id: null, discount_code: null, country: null, tax_id: null },
      charge_lines: [],
      referral: { ref: null, utm_source: null, utm_medium: null, utm_campaign: null }, consent: null, invoice_url: null,
      items: [{ id: 1, product_id: 1, product_slug: "app", product_name: "App", amount_minor: 1900, download_limit: 5, revoked: false, license: l, files: [] }],
    },
    downloads: [],
  };
}

const button = (action: string) => document.querySelector(`[data-action="${action}"]`) as HTMLButtonElement;
const activations = () => screen.getByTestId("license-activations").textContent;
const lastToast = () => toasts[toasts.length - 1];

beforeEach(() => {
  toasts.splice(0);
  for (const f of Object.values(api)) f.mockReset();
});
afterEach(cleanup);

describe("PurchaseDetail: license key", () => {
  it("shows the key, its activations and the computers it is active on", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    render(PurchaseDetail, { token: "tok-9" });
    expect((await screen.findByTestId("license-key")).textContent).toBe(KEY);
    expect(activations()).toBe("2 of 3 activations");
    const rows = [...screen.getByTestId("license-instances").querySelectorAll("li")];
    expect(rows.map((r) => r.querySelector(".name")!.textContent)).toEqual(["Studio iMac", "ThinkPad"]);
    expect(rows[0].textContent).toMatch(/since /);
    expect(screen.queryByTestId("license-refusal")).toBeNull();
    expect(button("license-toggle").textContent).toBe("Disable key");
  });

  it("has no license section for an item without a key", async () => {
    api.purchaseDetail.mockResolvedValue(detail(null));
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("purchase-status");
    expect(screen.queryByTestId("license-key")).toBeNull();
  });

  it("frees an activation and shows the key as the core answers it", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    const after = license({ instances: [license().instances[1]], freed: 1 });
    api.freeLicenseInstance.mockResolvedValue(after);
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("license-key");
    await fireEvent.click(document.querySelectorAll<HTMLButtonElement>('[data-action="free-instance"]')[0]);
    await waitFor(() => expect(activations()).toBe("1 of 3 activations"));
    expect(api.freeLicenseInstance).toHaveBeenCalledWith("inst-a");
    expect(screen.getByText(/1 activation freed earlier/)).toBeTruthy();
    expect(lastToast().text).toMatch(/Freed “Studio iMac”/);
    // The purchase itself wasn't loaded again.
    expect(api.purchaseDetail).toHaveBeenCalledTimes(1);
  });

  it("disables the key, badges it, and enables it again", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    api.setLicenseDisabled.mockResolvedValueOnce(license({ disabled: true, refusal: "disabled" })).mockResolvedValueOnce(license());
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("license-key");
    await fireEvent.click(button("license-toggle"));
    await waitFor(() => expect(screen.getByTestId("license-refusal").textContent).toBe("disabled"));
    expect(api.setLicenseDisabled).toHaveBeenCalledWith(KEY, true);
    expect(screen.getByTestId("license-why").textContent).toMatch(/You disabled this key/);
    expect(button("license-toggle").textContent).toBe("Enable key");
    await fireEvent.click(button("license-toggle"));
    await waitFor(() => expect(screen.queryByTestId("license-refusal")).toBeNull());
    expect(api.setLicenseDisabled).toHaveBeenLastCalledWith(KEY, false);
  });

  it("badges a key whose purchase was refunded", async () => {
    api.purchaseDetail.mockResolvedValue(detail(license({ refusal: "refunded" })));
    render(PurchaseDetail, { token: "tok-9" });
    expect((await screen.findByTestId("license-refusal")).textContent).toBe("refunded");
    expect(screen.getByTestId("license-why").textContent).toMatch(/refunded/);
  });

  it("changes the activation limit, with the core's mistake beside the field", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    api.setLicenseLimit
      .mockRejectedValueOnce({ code: "invalid_input", field: "licenses", message: "license keys allow 1 to 1000 activations, or \"off\"" })
      .mockResolvedValueOnce(license({ activation_limit: 5 }));
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("license-key");
    await fireEvent.click(button("license-limit"));
    const field = document.querySelector<HTMLInputElement>('[name="license-limit"]')!;
    expect(field.value).toBe("3");
    await fireEvent.input(field, { target: { value: "5000" } });
    await fireEvent.submit(field.form!);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/1 to 1000 activations/));
    expect(field.getAttribute("aria-invalid")).toBe("true");
    await fireEvent.input(field, { target: { value: "5" } });
    await fireEvent.submit(field.form!);
    await waitFor(() => expect(activations()).toBe("2 of 5 activations"));
    expect(api.setLicenseLimit).toHaveBeenLastCalledWith(KEY, "5");
    expect(document.querySelector('[name="license-limit"]')).toBeNull();
    expect(lastToast().text).toBe("This key now allows 5 activations");
  });

  it("toasts an action that fails, keeping the key as it was", async () => {
    api.purchaseDetail.mockResolvedValue(detail());
    api.freeLicenseInstance.mockRejectedValue({ code: "conflict", message: "activation inst-a was freed already" });
    render(PurchaseDetail, { token: "tok-9" });
    await screen.findByTestId("license-key");
    await fireEvent.click(document.querySelectorAll<HTMLButtonElement>('[data-action="free-instance"]')[0]);
    await waitFor(() => expect(lastToast()).toEqual(expect.objectContaining({ text: "activation inst-a was freed already", kind: "error" })));
    expect(activations()).toBe("2 of 3 activations");
  });
});

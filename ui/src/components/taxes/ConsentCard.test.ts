import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TaxSettings, Wording } from "../../lib/api";
import { toasts } from "../../lib/toast.svelte";
import ConsentCard from "./ConsentCard.svelte";

const api = vi.hoisted(() => ({ validateTaxSettings: vi.fn(), saveTaxSettings: vi.fn(), setConsentWording: vi.fn() }));
vi.mock("../../lib/api", async (orig) => ({ ...(await orig<typeof import("../../lib/api")>()), api }));

const settings: TaxSettings = { tax: "inclusive", tax_ids: true, invoices: true, tax_code: "txcd_10302000", consent: false };
const EN = "I agree that delivery of the digital content starts immediately after payment.";
const DE = "Ich stimme ausdrücklich zu, dass die Lieferung sofort beginnt.";
const wordings = (): Wording[] => [
  { id: 2, lang: "de", text: DE, created_at: 0 },
  { id: 4, lang: "en", text: EN, created_at: Date.UTC(2026, 10, 12) / 1000 },
];

const row = (lang: string) => document.querySelector(`[data-wording="${lang}"]`) as HTMLElement;
const box = (lang: string) => document.querySelector(`textarea[name="wording-${lang}"]`) as HTMLTextAreaElement;
const version = (lang: string) => row(lang).querySelector('[data-testid="wording-version"]')!.textContent;
const lastToast = () => toasts[toasts.length - 1]?.text;

let onsaved: ReturnType<typeof vi.fn>;
beforeEach(() => {
  onsaved = vi.fn();
  for (const f of Object.values(api)) f.mockReset();
  api.validateTaxSettings.mockResolvedValue([]);
  api.saveTaxSettings.mockImplementation(async (form: TaxSettings) => form);
  toasts.splice(0);
});
afterEach(cleanup);

describe("ConsentCard: the switch", () => {
  it("explains the EU rule and saves the switch at once, with the other settings as saved", async () => {
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    const card = document.querySelector('[data-section="consent"]')!.textContent!;
    expect(card).toMatch(/14-day|14 days/);
    expect(card).toMatch(/right of withdrawal/);
    expect(card).toMatch(/receipt repeats what they agreed to/);
    const sw = document.querySelector('input[name="consent"]') as HTMLInputElement;
    expect(sw.checked).toBe(false);
    await fireEvent.click(sw);
    await waitFor(() => expect(api.saveTaxSettings).toHaveBeenCalledWith({ ...settings, consent: true }));
    expect(api.validateTaxSettings).toHaveBeenCalledWith({ ...settings, consent: true });
    expect(onsaved).toHaveBeenCalledWith({ ...settings, consent: true });
    expect(lastToast()).toBe("Buyers now agree to immediate delivery before paying");
  });

  it("shows the core's mistake beside the switch and leaves it as it was", async () => {
    api.validateTaxSettings.mockResolvedValue([{ code: "invalid_input", field: "consent", message: "yes or no" }]);
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    const sw = document.querySelector('input[name="consent"]') as HTMLInputElement;
    await fireEvent.click(sw);
    await waitFor(() => expect(document.getElementById("consent-msg")?.textContent).toBe("yes or no"));
    expect(sw.checked).toBe(false);
    expect(api.saveTaxSettings).not.toHaveBeenCalled();
  });
});

describe("ConsentCard: the wordings", () => {
  it("lists each language's current text, English first, with its version and date", () => {
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    expect([...document.querySelectorAll("[data-wording]")].map((e) => e.getAttribute("data-wording"))).toEqual(["en", "de"]);
    expect(row("en").textContent).toMatch(/English \(en\)/);
    expect(version("en")).toMatch(/^version 4 · .*2026/);
    expect(version("de")).toBe("version 2 · built in");
    expect(box("de").value).toBe(DE);
    expect(screen.getByText(/Buyers don't see these while the box is off/)).toBeTruthy();
  });

  it("saves an edited wording as a new version and shows it", async () => {
    const edited = `${DE} Mein Widerrufsrecht erlischt.`;
    api.setConsentWording.mockResolvedValue({ id: 7, lang: "de", text: edited, created_at: Date.UTC(2026, 10, 22) / 1000 });
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    // Nothing to save until the text changes.
    expect(row("de").querySelector('[data-action="save-wording"]')).toBeNull();
    await fireEvent.input(box("de"), { target: { value: edited } });
    await fireEvent.click(row("de").querySelector('[data-action="save-wording"]')!);
    await waitFor(() => expect(version("de")).toMatch(/^version 7 · .*2026/));
    expect(api.setConsentWording).toHaveBeenCalledWith("de", edited);
    expect(box("de").value).toBe(edited);
    expect(row("de").querySelector('[data-action="save-wording"]')).toBeNull();
    expect(lastToast()).toBe("German wording saved as version 7");
    // The other language is as it was.
    expect(version("en")).toMatch(/^version 4/);
  });

  it("shows the text's mistake beside it, and Undo puts the saved text back", async () => {
    api.setConsentWording.mockRejectedValue({ code: "invalid_input", field: "text", message: "the wording is 1–2000 characters" });
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    await fireEvent.input(box("en"), { target: { value: "x".repeat(2001) } });
    await fireEvent.click(row("en").querySelector('[data-action="save-wording"]')!);
    await waitFor(() => expect(document.getElementById("wording-en-msg")?.textContent).toBe("the wording is 1–2000 characters"));
    expect(box("en").getAttribute("aria-invalid")).toBe("true");
    await fireEvent.click(screen.getByRole("button", { name: "Undo changes" }));
    expect(box("en").value).toBe(EN);
    expect(document.getElementById("wording-en-msg")).toBeNull();
  });

  it("adds a language", async () => {
    const NL = "Ik ga er uitdrukkelijk mee akkoord dat de levering direct begint.";
    api.setConsentWording.mockResolvedValue({ id: 8, lang: "nl", text: NL, created_at: Date.UTC(2026, 10, 22) / 1000 });
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    await fireEvent.click(document.querySelector('[data-action="add-language"]')!);
    const lang = document.getElementById("aw-lang") as HTMLInputElement;
    expect(document.activeElement).toBe(lang);
    await fireEvent.input(lang, { target: { value: "nl" } });
    expect(document.getElementById("aw-lang-msg")?.textContent).toMatch(/^Dutch\./);
    await fireEvent.input(document.getElementById("aw-text")!, { target: { value: NL } });
    await fireEvent.click(document.querySelector('[data-action="add-wording"]')!);
    await waitFor(() => expect(row("nl")).toBeTruthy());
    expect(api.setConsentWording).toHaveBeenCalledWith("nl", NL);
    expect(version("nl")).toMatch(/^version 8/);
    expect(row("nl").textContent).toMatch(/Dutch \(nl\)/);
    expect(screen.queryByTestId("add-wording")).toBeNull();
    expect(lastToast()).toBe("Dutch added");
  });

  it("shows a bad language code beside it, and says when the language has a wording already", async () => {
    api.setConsentWording.mockRejectedValue({ code: "invalid_input", field: "lang", message: "a language code such as en, de or fr" });
    render(ConsentCard, { props: { settings, wordings: wordings(), onsaved } });
    await fireEvent.click(document.querySelector('[data-action="add-language"]')!);
    await fireEvent.input(document.getElementById("aw-lang")!, { target: { value: "DE" } });
    expect(document.getElementById("aw-lang-msg")?.textContent).toMatch(/German \(de\) wording already: this makes a new version/);
    await fireEvent.input(document.getElementById("aw-lang")!, { target: { value: "d3" } });
    await fireEvent.input(document.getElementById("aw-text")!, { target: { value: "Text" } });
    await fireEvent.click(document.querySelector('[data-action="add-wording"]')!);
    await waitFor(() => expect(document.getElementById("aw-lang-msg")?.textContent).toBe("a language code such as en, de or fr"));
    expect(document.getElementById("aw-lang")!.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(document.getElementById("aw-lang"));
  });

  it("says why the wordings didn't load", () => {
    const onretry = vi.fn();
    render(ConsentCard, { props: { settings, wordings: null, wordingsError: "database is locked", onsaved, onretry } });
    expect(screen.getByRole("alert").textContent).toMatch(/Couldn't load the wordings: database is locked/);
  });
});

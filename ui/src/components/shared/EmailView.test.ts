import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import EmailView from "./EmailView.svelte";

afterEach(cleanup);

describe("EmailView", () => {
  it("shows the HTML in a sandboxed frame, and the text on request", async () => {
    render(EmailView, { html: "<p>Hello <b>buyer</b></p><script>alert(1)</script>", text: "Hello buyer", to: "a@b.co", subject: "Receipt" });
    const frame = document.querySelector("iframe.email") as HTMLIFrameElement;
    expect(frame.getAttribute("sandbox")).toBe(""); // no scripts, no same-origin
    expect(frame.getAttribute("srcdoc")).toContain("<b>buyer</b>");
    expect(screen.getByText("a@b.co")).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Text" }));
    expect(document.querySelector("iframe")).toBeNull();
    expect(document.querySelector("pre")!.textContent).toBe("Hello buyer");
    expect(screen.getByRole("button", { name: "Text" }).getAttribute("aria-pressed")).toBe("true");
  });
});

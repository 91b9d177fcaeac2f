// Short confirmations and errors at the bottom of the window ("Link copied", "Refunded").
export type Toast = { id: number; text: string; kind: "ok" | "error" };

export const toasts = $state<Toast[]>([]);
let next = 1;

export function toast(text: string, kind: Toast["kind"] = "ok") {
  const id = next++;
  toasts.push({ id, text, kind });
  setTimeout(() => {
    const i = toasts.findIndex((t) => t.id === id);
    if (i >= 0) toasts.splice(i, 1);
  }, kind === "error" ? 7000 : 3000);
}

/** Copies text; WebKitGTK may refuse navigator.clipboard, so fall back to execCommand. */
export async function copyText(text: string, what = "Copied") {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = document.createElement("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  toast(what);
}

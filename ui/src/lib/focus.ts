// Modal dialogs and panels: shown in the browser's top layer (above everything, never
// clipped by a scrolling panel), with Tab kept inside them.

const TABBABLE = "a[href], button, input, select, textarea, [tabindex]";

/** What Tab can reach inside `root`, in document order. */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => el.tabIndex >= 0 && !el.matches(":disabled") && !el.closest("[hidden], [inert]"),
  );
}

/**
 * Keeps Tab and Shift+Tab inside `root`: past the last, Tab comes back to the first (and
 * the reverse), so the sidebar behind an open panel can't be reached and pressed.
 * Returns true when it moved the focus itself.
 */
export function trapTab(e: KeyboardEvent, root: HTMLElement): boolean {
  if (e.key !== "Tab") return false;
  const all = tabbables(root);
  const active = document.activeElement as HTMLElement | null;
  const inside = !!active && root.contains(active);
  if (!all.length) {
    e.preventDefault();
    return true;
  }
  const [first, last] = [all[0], all[all.length - 1]];
  const target = e.shiftKey ? (active === first || !inside ? last : null) : active === last || !inside ? first : null;
  if (!target) return false;
  e.preventDefault();
  target.focus();
  return true;
}

/** Opens `el` as a modal (the top layer, the rest inert); jsdom, which has no showModal, just opens it. */
export function showModal(el: HTMLDialogElement) {
  if (el.open) return;
  if (typeof el.showModal === "function") el.showModal();
  else el.setAttribute("open", "");
}

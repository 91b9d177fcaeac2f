// An app event listened to while a component is mounted: `onMount(() => listening(() =>
// listen(…)))`. The listener arrives later than the component may go, so a late one is
// dropped at once. Outside Tauri (tests, a plain browser) nothing is listened to.
export function listening(start: () => Promise<() => void>): () => void {
  let unlisten: (() => void) | undefined;
  let gone = false;
  try {
    start()
      .then((u) => (gone ? u() : (unlisten = u)))
      .catch(() => {});
  } catch {
    // No Tauri here.
  }
  return () => {
    gone = true;
    unlisten?.();
  };
}

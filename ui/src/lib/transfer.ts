// Files going to and from the seller's bucket, in words: a transfer's progress (the
// `transfer` events, src-tauri/src/transfer_events.rs) and what a move or a freeing did.
import type { Freed, Migrated, Transfer } from "./api";
import { formatSize } from "./format";

const VERBS: Record<Transfer["kind"], string> = {
  upload: "Uploading",
  verify: "Checking",
  download: "Fetching",
};

/** "Uploading guide.pdf — 12.0 MB of 48.0 MB". */
export function transferWords(t: Transfer): string {
  return `${VERBS[t.kind]} ${t.name} — ${formatSize(t.done)} of ${formatSize(t.total)}`;
}

/** How far along, 0–100 (an empty file is done at once). */
export function transferShare(t: Transfer): number {
  if (t.total <= 0) return 100;
  return Math.min(100, Math.max(0, Math.round((t.done / t.total) * 100)));
}

const files = (n: number) => `${n} ${n === 1 ? "file" : "files"}`;

/** "Copied 3 files (18 B) to the bucket; 2 were there already." */
export function movedWords(m: Migrated, to: "bucket" | "local"): string {
  const where = to === "bucket" ? "to the bucket" : "back to this computer";
  const already = m.already === 1 ? "1 was there already" : `${m.already} were there already`;
  let done: string;
  if (m.files > 0) done = `Copied ${files(m.files)} (${formatSize(m.bytes)}) ${where}${m.already ? `; ${already}` : ""}.`;
  else if (m.already > 0) done = `Nothing to copy: ${m.already === 1 ? "the file was" : `all ${m.already} files were`} there already.`;
  else done = "The shop has no product files yet.";
  return to === "local" ? `${done} Files and backups now stay on this computer only.` : done;
}

/** "Deleted this computer's copies of 3 files (18 B); the bucket keeps them." */
export function freedWords(f: Freed): string {
  if (f.files === 0) return "Nothing to delete: this computer has no copies of files the bucket holds.";
  return `Deleted this computer's copies of ${files(f.files)} (${formatSize(f.bytes)}); the bucket keeps ${f.files === 1 ? "it" : "them"}.`;
}

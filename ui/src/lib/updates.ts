// Update feeds and keys in words, for the product's "Licenses & updates" card and its
// files' release notes. The URLs are the server's routes (crates/booth-server/src/feeds.rs,
// docs/updates.md); the app puts the buyer's license key where LICENSE_KEY is.
import type { PublicKey, UpdateKeys } from "./api";

/** A copyable value of the card: what it is, where it goes, and the value itself. */
export type KeyRow = { id: string; label: string; where: string; value: string };

/** A product's three feeds: Booth's JSON feed, a Sparkle appcast, a Tauri updater endpoint. */
export type FeedUrls = { json: string; sparkle: string; tauri: string };

/** The placeholders the app fills in (Tauri's updater fills in {{target}} and {{arch}} itself). */
export const LICENSE_KEY = "LICENSE_KEY";
export const FILE = "FILE";

/** The feeds of `slug` under the shop's public address (a trailing "/" is ignored). */
export function feedUrls(publicUrl: string, slug: string): FeedUrls {
  const base = `${publicUrl.trim().replace(/\/+$/, "")}/feeds/${encodeURIComponent(slug)}`;
  return {
    json: `${base}/versions.json?key=${LICENSE_KEY}`,
    sparkle: `${base}/appcast.xml?key=${LICENSE_KEY}&file=${FILE}`,
    tauri: `${base}/tauri/{{target}}-{{arch}}?key=${LICENSE_KEY}`,
  };
}

/** The feed URLs as the card lists them. */
export function feedRows(urls: FeedUrls): KeyRow[] {
  return [
    { id: "feed-json", label: "JSON feed URL", where: "Your own updater: every version of every file, with release notes", value: urls.json },
    { id: "feed-sparkle", label: "Sparkle appcast URL", where: "Sparkle: SUFeedURL in Info.plist (FILE: a file's name or id)", value: urls.sparkle },
    { id: "feed-tauri", label: "Tauri updater URL", where: "Tauri: plugins.updater.endpoints in tauri.conf.json", value: urls.tauri },
  ];
}

/** The public keys an app ships with: the license files' and the updaters'. */
export function keyRows(license: PublicKey, updates: UpdateKeys): KeyRow[] {
  return [
    { id: "key-license", label: "License public key", where: "License files: verify with this key", value: license.public_key },
    { id: "key-sparkle", label: "Sparkle key", where: "Sparkle: SUPublicEDKey in Info.plist", value: updates.sparkle },
    { id: "key-tauri", label: "Tauri key", where: "Tauri: plugins.updater.pubkey", value: updates.tauri },
    { id: "key-minisign", label: "minisign key file", where: "minisign: the public key file (minisign -V -p)", value: updates.minisign.trim() },
  ];
}

/** Release notes on one line (the file list clamps them to two): runs of spaces and line breaks as one space. */
export function notesLine(notes: string): string {
  return notes.replace(/\s+/g, " ").trim();
}

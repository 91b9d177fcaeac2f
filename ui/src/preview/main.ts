// Preview of the window in a plain browser (`npm run dev`, open /preview.html), with the
// Tauri commands answered by sample data. Only the dev server serves it; the app build
// (index.html) never includes it. Screens: /preview.html#products etc.; a screen's record
// after a slash opens it, as another screen would send the seller there:
// #products/quiet-corners-zine (its form), #discounts/NEWSLETTER, #purchases/<token>,
// #taxes/consent (the screen scrolled to that card).
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { mount } from "svelte";
import App from "../App.svelte";
import { go, type Screen } from "../lib/nav.svelte";
import type { Commands, Handler } from "./data";
import { commands as app } from "./app";
import { commands as dashboard } from "./dashboard";
import { commands as products } from "./products";
import { commands as discounts } from "./discounts";
import { commands as taxes } from "./taxes";
import { commands as purchases } from "./purchases";
import { commands as mailings } from "./mailings";
import { commands as mail } from "./mail";
import { commands as settings } from "./settings";
import "../app.css";

/**
 * One command table from the per-screen tables. Each command is answered in exactly one
 * place: a module that needs another's state imports it (app.ts's status reads the tunnel
 * from settings.ts), so a command named twice is a mistake and stops the preview here.
 */
function commandTable(tables: Record<string, Commands>): Map<string, Handler> {
  const all = new Map<string, Handler>();
  const owner = new Map<string, string>();
  for (const [from, table] of Object.entries(tables)) {
    for (const [cmd, handler] of Object.entries(table)) {
      if (all.has(cmd)) throw new Error(`preview: '${cmd}' is answered by both ${owner.get(cmd)}.ts and ${from}.ts`);
      all.set(cmd, handler);
      owner.set(cmd, from);
    }
  }
  return all;
}

const commands = commandTable({ app, dashboard, products, discounts, taxes, purchases, mailings, mail, settings });

mockWindows("main");
mockIPC(async (cmd, args) => {
  const h = commands.get(cmd);
  if (!h) throw { code: "internal", message: `preview has no sample for '${cmd}'` };
  return h((args ?? {}) as Record<string, unknown>);
});

const [screen, param] = decodeURIComponent(location.hash.slice(1)).split("/");
if (screen) go(screen as Screen, param || null);
mount(App, { target: document.getElementById("app")! });

// Preview of the window in a plain browser (`npm run dev`, open /preview.html), with the
// Tauri commands answered by sample data. Only the dev server serves it; the app build
// (index.html) never includes it. Screens: /preview.html#products etc.
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { mount } from "svelte";
import App from "../App.svelte";
import { go, type Screen } from "../lib/nav.svelte";
import { handlers as a } from "./mock-a";
import { handlers as b } from "./mock-b";
import { handlers as c } from "./mock-c";
import "../app.css";

type Handler = (args: Record<string, unknown>) => unknown;
// mock-c comes last: it wraps mock-a's status and settings answers with the tunnel's.
const all: Record<string, Handler> = { ...a, ...b, ...c };

mockWindows("main");
mockIPC(async (cmd, args) => {
  const h = all[cmd];
  if (!h) throw { code: "internal", message: `preview has no sample for '${cmd}'` };
  return h((args ?? {}) as Record<string, unknown>);
});

const screen = location.hash.slice(1) as Screen;
if (screen) go(screen);
mount(App, { target: document.getElementById("app")! });

// Sample answers for the window's own commands (App.svelte: the sidebar's server status
// and the "Try again" banner) and the Tauri event plugin any screen may listen through.
// /preview.html?stopped shows the shop server failed to start; ?live, live payments
// (see settings.ts). The status carries the tunnel and the public address from settings.ts.
import type { Status } from "../lib/api";
import { HOME, sleep, type Commands } from "./data";
import { publicAddress, savedSettings, tunnelStatus } from "./settings";

let stopped = location.search.includes("stopped");
let paused = location.search.includes("paused");

function status(public_url: string): Status {
  const settings = savedSettings();
  return {
    running: !stopped,
    error: stopped ? { code: "not_running", message: `can't listen on ${settings.listen}: address already in use (os error 98)` } : null,
    mode: settings.payments, listen: settings.listen,
    public_url, data_dir: HOME, secrets_store: settings.secrets_store,
    store_name: settings.store_name, version: "0.1.0",
    tunnel: tunnelStatus(),
    sales_paused: paused, links_local: false, mail_folder: null, mail_trouble: null,
  };
}

export const commands: Commands = {
  status: () => status(publicAddress()),
  // Answers with the address saved in settings (the shop's own until a stable one is
  // saved), not the tunnel's as `status` does.
  restart_shop: async () => { await sleep(900); stopped = false; return status(savedSettings().public_url); },
  open_external: () => null,
  show_in_folder: () => null,
  set_sales_paused: async (args) => { await sleep(150); paused = args.paused === true; return status(publicAddress()); },

  "plugin:event|listen": () => Math.floor(Math.random() * 1e6),
  "plugin:event|unlisten": () => null,
};

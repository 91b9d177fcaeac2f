// The shop's status as the window last heard it (App refreshes it every few seconds), for
// the screens and components that say something about it: links that only open on this
// computer, mail written to a folder, mail that isn't going out.
import type { Status } from "./api";

export const shop = $state<{ status: Status | null }>({ status: null });

// Which screen the window shows. `param` carries e.g. a purchase token or product slug
// when one screen sends the seller to another ("open this purchase").
export type Screen = "dashboard" | "products" | "discounts" | "taxes" | "purchases" | "mailings" | "mail" | "settings";

export const nav = $state<{ screen: Screen; param: string | null }>({ screen: "dashboard", param: null });

export function go(screen: Screen, param: string | null = null) {
  nav.screen = screen;
  nav.param = param;
}

//! The window's commands, one module per screen; each is a short call into booth-core, its
//! errors `{code, message, field}` (error.rs). Nothing here is reachable over HTTP: the shop
//! server only serves buyers.
//!
//! build.rs reads every `#[tauri::command]` in these files: that list is the invoke
//! handler, each command's `allow-…` permission (granted through the `window` set) and the
//! window's generated TypeScript (bindings.rs). Each form has a `validate_…` command that
//! runs the core's own checks and answers all their mistakes, so the window shows them
//! beside their fields before anything is done.

pub mod app;
pub mod background;
pub mod discounts;
pub mod licenses;
pub mod mail;
pub mod mailings;
pub mod products;
pub mod purchases;
pub mod settings;
pub mod storage;
pub mod taxes;
pub mod tunnel;
pub mod window;

type S<'a> = tauri::State<'a, crate::state::AppState>;

// The desktop shell. For now a window over the placeholder UI; the admin GUI is its own issue.
// It opens the same data dir as the `booth` CLI so both always see the same shop.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_shell::init())
        .run(tauri::generate_context!())
        .expect("error while running Booth");
}

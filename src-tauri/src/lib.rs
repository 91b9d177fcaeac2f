//! The desktop shell: one window over the seller's shop. It starts the same runtime as
//! `booth serve` (public server, outbox worker, simulator) on Tauri's async runtime, from the
//! same data dir as the `booth` CLI, so both always see the same shop. A library under the
//! thin `booth-desktop` binary (main.rs) so the window tests reach the generated bindings
//! without a second, test-only build of the whole app; what the shell decides beyond
//! calling the core is the core's, and tested there.

mod awake;
mod background;
pub mod bindings;
mod commands;
mod error;
mod state;
mod transfer_events;
mod tray;
mod tunnel;
mod window;

use state::AppState;
use std::path::PathBuf;
use tauri::Manager;

/// Runs the app on the shop in `data_dir` until Quit. `demo` adds the sample e-book to a
/// shop without products; `background` starts with no window (how Booth starts at login).
pub fn run(data_dir: PathBuf, demo: bool, background: bool) {
    let app = tauri::Builder::default()
        // First: a second launch hands over to this one (its window comes forward) and
        // exits, so one data dir never gets two shops.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app)
        }))
        .plugin(tauri_plugin_shell::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        // At login Booth starts with the shop open and no window (Settings switches it).
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .args(["--background"])
                .build(),
        )
        .manage(AppState::new(data_dir))
        .manage(std::sync::Arc::new(awake::Awake::default()))
        .setup(move |app| {
            // Uploads, read-backs and moves to and from the bucket: progress bars.
            let handle = app.handle().clone();
            app.state::<AppState>()
                .on_open(move |shop| transfer_events::forward(&handle, shop));
            if !background {
                window::show(app.handle());
            }
            if let Err(e) = tray::build(app.handle()) {
                tracing::warn!(error = %e, "no tray icon: closing the window will ask instead");
            }
            background::spawn(app.handle().clone());
            app.state::<AppState>()
                .set_launcher(std::sync::Arc::new(tunnel::ShellLauncher(
                    app.handle().clone(),
                )));
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<AppState>();
                if demo {
                    match booth_core::Shop::open(&state.data_dir) {
                        Ok(shop) => {
                            if let Err(e) = booth_runtime::seed_demo(&shop).await {
                                tracing::warn!(error = %e, "couldn't add the demo product");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "couldn't open the shop"),
                    }
                }
                // A failure is kept in the state and shown as the shop's status.
                let _ = state.restart().await;
            });
            // Ctrl-C or a service manager's SIGTERM quits like Quit does.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                quit_signal().await;
                handle.exit(0);
            });
            Ok(())
        })
        // Closing the main window asks whether to keep selling (window.rs).
        .on_window_event(window::on_event)
        // Every command in src-tauri/src/commands/ (build.rs lists them).
        .invoke_handler(bindings::builder().invoke_handler())
        .build(tauri::generate_context!())
        .expect("error while starting Booth");

    app.run(|handle, event| match event {
        // The last window closed with the shop kept selling: the app (and shop) run on.
        // Only Quit (`app.exit`, which has a code) ends it.
        tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        tauri::RunEvent::Exit => {
            // Let the server finish its requests and the outbox its message.
            tauri::async_runtime::block_on(handle.state::<AppState>().stop());
        }
        _ => {}
    });
}

/// Ctrl-C, or SIGTERM where there is one.
async fn quit_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

//! The window's own life: closing it with the shop kept selling, or quitting.

use tauri::{AppHandle, WebviewWindow};

/// The seller's answer to "keep selling in the background?": true destroys the window
/// and the shop runs on; false quits Booth (the shop stops cleanly).
#[tauri::command]
#[specta::specta]
pub async fn close_window(app: AppHandle, window: WebviewWindow, keep_selling: bool) {
    crate::window::close(&app, Some(window), keep_selling).await;
}

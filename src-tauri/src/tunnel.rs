//! Tunnel programs started through tauri-plugin-shell, for booth-runtime's tunnel
//! supervisor. Only the programs `booth_core::tunnel` builds commands for are started
//! (bore, cloudflared, ngrok, ssh, or the custom command the seller saved); the window
//! itself has no permission to start anything.

use booth_core::tunnel::TunnelCommand;
use booth_runtime::tunnel::{Child, Launcher, ProcessEvent};
use std::path::Path;
use tauri::AppHandle;
use tauri_plugin_shell::process::{CommandChild, CommandEvent};
use tauri_plugin_shell::ShellExt;
use tokio::sync::mpsc;

pub struct ShellLauncher(pub AppHandle);

struct ShellChild(CommandChild);

impl Child for ShellChild {
    fn pid(&self) -> u32 {
        self.0.pid()
    }

    fn kill(self: Box<Self>) {
        if let Err(e) = self.0.kill() {
            tracing::warn!(error = %e, "couldn't end the tunnel program");
        }
    }
}

impl Launcher for ShellLauncher {
    fn launch(
        &self,
        program: &Path,
        command: &TunnelCommand,
    ) -> std::io::Result<(mpsc::UnboundedReceiver<ProcessEvent>, Box<dyn Child>)> {
        let (mut events, child) = self
            .0
            .shell()
            .command(program)
            .args(&command.args)
            .env_clear()
            .envs(command.process_environment())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e {
                tauri_plugin_shell::Error::Io(e) => e,
                e => std::io::Error::other(e.to_string()),
            })?;
        let (tx, rx) = mpsc::unbounded_channel();
        // The plugin's channel holds few events and blocks the reader when full, so it is
        // drained here all the time, whatever the supervisor is doing.
        tauri::async_runtime::spawn(async move {
            while let Some(event) = events.recv().await {
                let sent = match event {
                    CommandEvent::Stdout(bytes) | CommandEvent::Stderr(bytes) => {
                        String::from_utf8_lossy(&bytes)
                            .lines()
                            .try_for_each(|l| tx.send(ProcessEvent::Line(l.to_string())))
                    }
                    CommandEvent::Error(e) => tx.send(ProcessEvent::Line(e)),
                    CommandEvent::Terminated(end) => {
                        let _ = tx.send(ProcessEvent::Exited(end.code));
                        break;
                    }
                    _ => Ok(()),
                };
                if sent.is_err() {
                    break;
                }
            }
        });
        Ok((rx, Box::new(ShellChild(child))))
    }
}

//! Tunnel programs as tokio child processes, for `booth serve` (the desktop app launches
//! them through tauri-plugin-shell instead).

use super::{Child, Launcher, ProcessEvent};
use booth_core::tunnel::TunnelCommand;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct TokioLauncher;

struct TokioChild {
    pid: u32,
    kill: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Child for TokioChild {
    fn pid(&self) -> u32 {
        self.pid
    }

    fn kill(mut self: Box<Self>) {
        if let Some(k) = self.kill.take() {
            let _ = k.send(());
        }
    }
}

impl Launcher for TokioLauncher {
    fn launch(
        &self,
        program: &Path,
        command: &TunnelCommand,
    ) -> std::io::Result<(mpsc::UnboundedReceiver<ProcessEvent>, Box<dyn Child>)> {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut child = tokio::process::Command::new(program)
            .args(&command.args)
            .env_clear()
            .envs(command.process_environment())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id().unwrap_or(0);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut readers = Vec::new();
        let out = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>);
        let err = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>);
        for stream in [out, err].into_iter().flatten() {
            let tx = tx.clone();
            readers.push(tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let _ = tx.send(ProcessEvent::Line(line));
                }
            }));
        }
        let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let status = tokio::select! {
                s = child.wait() => s.ok(),
                _ = kill_rx => {
                    let _ = child.start_kill();
                    child.wait().await.ok()
                }
            };
            // Lines written just before the end come before the exit (a grandchild holding
            // the pipes open mustn't hold up the news, hence the limit).
            for r in readers {
                let _ = tokio::time::timeout(Duration::from_secs(2), r).await;
            }
            let _ = tx.send(ProcessEvent::Exited(status.and_then(|s| s.code())));
        });
        Ok((
            rx,
            Box::new(TokioChild {
                pid,
                kill: Some(kill_tx),
            }),
        ))
    }
}

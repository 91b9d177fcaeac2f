//! A real `bore server` on a loopback address, for tunnel tests. bore's control port is
//! fixed (7835), so each test gives its server its own address in 127.0.0.0/8 (all of it
//! is loopback on Linux) and they don't collide.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct BoreServer {
    child: Option<Child>,
    /// The address the server (and its tunnels) listen on, e.g. 127.0.0.11.
    pub host: String,
}

/// The bore program; scripts/install-deps.sh installs it (`cargo install bore-cli`).
pub fn bore_program() -> std::path::PathBuf {
    booth_core::tunnel::find_program("bore")
        .expect("bore is not installed: run scripts/install-deps.sh (cargo install bore-cli)")
}

impl BoreServer {
    pub fn start(host: &str) -> BoreServer {
        let mut server = BoreServer {
            child: None,
            host: host.to_string(),
        };
        server.restart();
        server
    }

    /// Starts the server (again) on the same address.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new(bore_program())
            .args(["server", "--bind-addr", &self.host])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bore server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((self.host.as_str(), 7835)).is_err() {
            assert!(
                Instant::now() < deadline,
                "bore server on {} never listened",
                self.host
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Ends the server, and with it every tunnel through it.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for BoreServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Does the shop answer /healthz at this public address? A closed tunnel may refuse the
/// connection or (bore's relay waits 10 s for a client that is gone) hold it: both are no.
pub async fn answers(public: &str) -> bool {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    matches!(http.get(format!("{public}/healthz")).send().await, Ok(r) if r.status() == 200)
}

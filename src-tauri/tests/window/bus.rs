//! A private D-Bus daemon for a window test, so the app under test talks to the test's own
//! bus (and the stand-ins on it), never the machine's.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// A private bus (a `dbus-daemon` with the session bus's policy), stopped with the test. It
/// stands in for the session bus, or, through DBUS_SYSTEM_BUS_ADDRESS, the system bus.
pub struct Bus {
    pub address: String,
    daemon: Child,
}

impl Bus {
    pub fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (scripts/install-deps.sh installs it)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Bus {
            address: address.trim().to_string(),
            daemon,
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

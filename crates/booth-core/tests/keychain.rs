//! Secrets go to the OS keychain when there is one: a real Secret Service (gnome-keyring on
//! a private D-Bus session bus) holds them, and no file is left in the data dir. Its own
//! test binary, because the keychain is found through the process's environment.

use booth_core::secrets::{self, Secrets};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn secrets_live_in_the_keychain_when_there_is_one_and_leave_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let runtime = tmp.path().join("run");
    let data_dir = tmp.path().join("shop");
    for d in [&home, &runtime, &data_dir] {
        std::fs::create_dir_all(d).unwrap();
    }

    // A private session bus without service activation: otherwise the first keychain call
    // could make the bus start another keyring daemon (in the real $HOME, locked) that
    // wins the name before ours is up.
    let config = tmp.path().join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}/bus</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
            runtime.display()
        ),
    )
    .unwrap();
    let mut bus = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (scripts/install-deps.sh installs it)");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    let _bus = Kill(bus);
    let address = address.trim().to_string();
    assert!(address.starts_with("unix:"), "bus address: {address:?}");

    // The keyring daemon, unlocked with a password on stdin, as a login session does.
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon (scripts/install-deps.sh installs gnome-keyring)");
    keyring
        .stdin
        .take()
        .unwrap()
        .write_all(b"booth-test-password")
        .unwrap();
    let _keyring = Kill(keyring);

    // Before any keychain use in this process (this binary has this one test).
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    std::env::set_var("XDG_RUNTIME_DIR", &runtime);

    // A desktop session's keyring has "login" as its default collection; make it so here
    // (retrying while the daemon starts), as the login manager would.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let set = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.SetAlias",
                "string:default",
                "objpath:/org/freedesktop/secrets/collection/login",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .output()
            .expect("dbus-send (Debian package dbus-bin)");
        if set.status.success() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the keyring never took its default collection: {}",
            String::from_utf8_lossy(&set.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        secrets::describe(&data_dir).contains("keychain (item"),
        "{}",
        secrets::describe(&data_dir)
    );

    // Secrets saved before there was a keychain are still found, then move into it.
    let before = Secrets {
        stripe_test_key: Some("sk_test_from_the_file".into()),
        ..Secrets::default()
    };
    let old_file = secrets::path(&data_dir);
    std::fs::write(&old_file, serde_json::to_string(&before).unwrap()).unwrap();
    assert_eq!(secrets::load(&data_dir).unwrap(), before);
    let after = Secrets {
        stripe_test_key: Some("sk_test_in_the_keychain".into()),
        smtp_password: Some("correct horse battery".into()),
        ..Secrets::default()
    };
    secrets::save(&data_dir, &after).unwrap();
    assert!(!old_file.exists(), "no plain copy may stay on disk");
    assert!(secrets::describe(&data_dir).contains("keychain (item"));
    assert_eq!(secrets::load(&data_dir).unwrap(), after);
    assert!(walk(&data_dir).is_empty(), "{:?}", walk(&data_dir));
    // The keyring daemon keeps it encrypted in its own file, never in plain text.
    let stored = walk(&home);
    assert!(!stored.is_empty(), "the keyring wrote its file");
    for f in stored {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("sk_test_in_the_keychain"),
            "{} holds the key in plain text",
            f.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

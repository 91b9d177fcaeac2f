//! A disk that fills up while a file is being added: the command fails with a clear error,
//! no half file becomes a product or a version, nothing is left behind, and once there is
//! room again everything works. The data dir lives on a small tmpfs (mounted by the test;
//! CI runs as root).

use crate::common::*;
use std::path::Path;
use std::process::Command;

struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .expect("mount");
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Every file under `dir`, relative.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_full_disk_while_adding_a_file_loses_nothing_and_leaves_nothing() {
    let shop = Shop::new();
    let _disk = Tmpfs::mount(&shop.data_dir(), "3m");
    shop.add("small", "2.00");
    let before = shop.products();
    let files_before = files_under(&shop.data_dir().join("files"));

    // 8 MiB onto a 3 MiB disk: refused in one line, nothing half-made.
    let big = shop.file("big.zip", &vec![42u8; 8 << 20]);
    let err = shop.fail(&[
        "product",
        "add",
        "--name",
        "Big",
        "--price",
        "9",
        "--currency",
        "usd",
        "--file",
        &big,
    ]);
    assert!(err.to_lowercase().contains("space"), "{err}");
    assert_eq!(shop.products(), before, "no product was made");
    assert_eq!(
        files_under(&shop.data_dir().join("files")),
        files_before,
        "no partial file left"
    );

    // The same as a new version of an existing product: the old version stays.
    let err = shop.fail(&[
        "product",
        "new-version",
        "small",
        "--file",
        "small.pdf",
        &big,
    ]);
    assert!(err.to_lowercase().contains("space"), "{err}");
    assert_eq!(shop.products(), before, "the version is unchanged");
    assert_eq!(files_under(&shop.data_dir().join("files")), files_before);

    // With room again (a file that fits), all is well.
    let fits = shop.file("fits.pdf", &vec![7u8; 256 * 1024]);
    shop.ok(&[
        "product",
        "add",
        "--name",
        "Fits",
        "--price",
        "3",
        "--currency",
        "usd",
        "--file",
        &fits,
    ]);
    assert_eq!(shop.products().as_array().unwrap().len(), 2);
    let out = shop.ok(&["grant", "--product", "fits", "--email", "a@example.com"]);
    assert!(out.contains("/d/"), "{out}");
}

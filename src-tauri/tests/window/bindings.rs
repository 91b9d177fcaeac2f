//! The window's TypeScript bindings (ui/src/lib/bindings.ts) are the commands' as they are
//! now, and the constants in them are the core's. No window is started for these.

use booth_desktop::bindings::{builder, currency_digits};
use std::path::Path;

fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default().header(
        "// Generated from src-tauri/src/commands by src-tauri/src/bindings.rs: don't edit.\n\
         // Regenerate with `UPDATE_BINDINGS=1 cargo test -p booth-desktop bindings`.\n",
    )
}

#[test]
fn bindings_are_up_to_date() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    builder()
        .export(typescript(), &fresh)
        .expect("export the bindings");
    let fresh = std::fs::read_to_string(fresh).unwrap();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/bindings.ts is stale: regenerate it with \
         `UPDATE_BINDINGS=1 cargo test -p booth-desktop bindings` and commit it"
    );
}

#[test]
fn currencies_are_the_cores() {
    let digits = currency_digits();
    assert_eq!((digits["usd"], digits["jpy"], digits["kwd"]), (2, 0, 3));
    assert!(digits.len() > 100 && !digits.contains_key("xyz"));
}

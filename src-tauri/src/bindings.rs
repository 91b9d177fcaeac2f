//! The window's TypeScript, generated from the commands: their calls and every type that
//! crosses (ui/src/lib/bindings.ts, committed). A test (src-tauri/tests/window/bindings.rs)
//! fails when that file is stale; `UPDATE_BINDINGS=1 cargo test -p booth-desktop bindings`
//! writes it again.

use crate::commands;
use booth_core::domain::Currency;
use std::collections::BTreeMap;
use tauri_specta::{Builder, ErrorHandlingMode};

/// Every window command (the list build.rs makes) and the constants the window shares.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(include!(concat!(env!("OUT_DIR"), "/commands.rs")))
        // A failed command rejects with the command's {code, message, field}, as before.
        .error_handling(ErrorHandlingMode::Throw)
        .constant("CURRENCY_DIGITS", currency_digits())
        // The tax codes a seller may pick by name (the core's table, not a copy).
        .constant("TAX_CODES", tax_codes())
        .constant("DEFAULT_TAX_CODE", booth_core::tax::DEFAULT_CODE)
        // The event a transfer's progress comes as (transfer_events.rs), and its payload.
        .constant("TRANSFER_EVENT", crate::transfer_events::EVENT)
        .typ::<booth_core::storage::transfer::Transfer>()
        // Ids, unix seconds, byte sizes and minor units are JSON numbers and stay far
        // below 2^53, where a JavaScript number stops being exact.
        .dangerously_cast_bigints_to_number()
}

/// [name, code, label] of each tax code the core knows by name.
fn tax_codes() -> Vec<[String; 3]> {
    booth_core::tax::NAMED_CODES
        .iter()
        .map(|(name, code, label)| [name.to_string(), code.to_string(), label.to_string()])
        .collect()
}

/// Every currency the core takes, with the digits of its minor unit (usd 2, jpy 0, kwd 3):
/// the window's currency picker and its money formatting. The core keeps its table to
/// itself, so it is asked code by code.
pub fn currency_digits() -> BTreeMap<String, u32> {
    let letters = || b'a'..=b'z';
    letters()
        .flat_map(|a| letters().flat_map(move |b| letters().map(move |c| [a, b, c])))
        .filter_map(|code| Currency::parse(std::str::from_utf8(&code).ok()?).ok())
        .map(|c| (c.code().to_string(), c.exponent()))
        .collect()
}

//! The `booth` binary, black-box, in one test binary: every test runs the real executable
//! (or the one BOOTH_BIN names) against its own data dir, with no Stripe key and no SMTP
//! server in the environment unless the test gives it one. `common` is what they share.

mod common;

mod archive;
mod attack_shop;
mod attack_simulator;
mod backup;
mod crash;
mod disk_full;
mod licenses;
mod mailing;
mod products;
mod purchases;
mod selling;
mod serve;
mod settings;
mod storage;
mod tunnel;
mod usage;

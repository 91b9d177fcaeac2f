//! booth-testkit's integration tests, in one test binary (one link of the whole shop instead
//! of one per file). Each module is a part of the shop tested black-box through `spawn_app()`
//! and the kit's real parts: SQLite, SMTP (aiosmtpd), HTTP, Chromium, bore.

mod admin;
mod app_prefs;
mod backup;
mod browser;
mod bucket_files;
mod delivery;
mod hostile;
mod kit;
mod library;
mod licenses;
mod mailing;
mod offsite;
mod pause;
mod security;
mod selling;
mod setup;
mod shop;
mod slow_clients;
mod stamped_pdfs;
mod storage;
mod tunnel;
mod update_feeds;

//! Booth's core: products, purchases, payments, mail and the outbox. It knows nothing of
//! HTTP or windows; the shop server, the CLI and the desktop app are adapters over it.

pub mod app_prefs;
pub mod backup;
pub mod catalog;
#[cfg(test)]
mod charge_tests;
pub mod consent;
pub mod data_dir;
pub mod db;
pub mod delivery;
pub mod discounts;
pub mod domain;
pub mod downloads;
pub mod error;
pub mod filter;
pub mod folder;
#[cfg(test)]
mod forms_tests;
pub mod glance;
pub mod licenses;
pub mod mail;
pub mod mail_filter;
#[cfg(test)]
mod mail_filter_tests;
pub mod mailing;
#[cfg(test)]
mod migration_tests;
pub mod outbox;
pub mod owner_only;
pub mod payments;
pub mod purchase_filter;
#[cfg(test)]
mod purchase_filter_tests;
pub mod purchases;
pub mod quote;
pub mod resume;
pub mod secrets;
pub mod settings;
pub mod setup;
pub mod shop;
pub mod signing;
pub mod smtp;
pub mod stamp;
pub mod stats;
pub mod storage;
pub mod tax;
pub mod templates;
mod text_enum;
pub mod tunnel;
pub mod updates;

pub use data_dir::DataDir;
pub use error::{Error, Result};
pub use shop::{CheckoutStart, Claimed, Fulfilment, ProductInput, Shop};

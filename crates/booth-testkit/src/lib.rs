//! Booth's test kit: real parts for tests — an SMTP server, a browser, the app itself.

pub mod app;
mod app_backups;
pub mod bore;
pub mod browser;
pub mod desktop;
pub mod raw;
pub mod rng;
pub mod s3;
pub mod smtp;

pub use browser::Browser;
/// Keys for `Browser::press`.
pub use fantoccini::key::Key;
pub use smtp::{ReceivedMail, SmtpMode, SmtpServer};

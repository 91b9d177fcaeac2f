//! Tests of the kit itself, against the real things: aiosmtpd and headless Chromium.

mod browser;
mod smtp;

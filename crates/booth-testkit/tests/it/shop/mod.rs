//! Black-box tests of the shop: real HTTP on loopback, the Stripe simulator driven through
//! its hosted page, a real SQLite file and a real SMTP server.

mod archive;
mod checkout;
mod downloads;
mod receipts;
mod refund_mail;
mod refunds;
mod storefront;
mod webhooks;

const BOOK: &[u8] = b"%PDF-1.4 pretend this is a lovely e-book\n";

fn body_of(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

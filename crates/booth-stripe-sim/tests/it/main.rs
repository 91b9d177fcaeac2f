//! The simulator's integration tests, in one test binary: `fidelity` drives it with the
//! unmodified async-stripe client and verifies its webhooks as Stripe's are verified;
//! `hostile_requests` is someone else on the machine trying to get in or take it down.

mod fidelity;
mod hostile_requests;

/// A client that follows no redirects, so tests see each hop.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

//! Checkout and fulfilment: creating Checkout Sessions, and turning paid ones into
//! purchases exactly once, from the success page, webhooks and the catch-up.

use super::Shop;
use crate::consent;
use crate::db::now;
use crate::discounts::{self, Discount};
use crate::domain::{Currency, Email};
use crate::error::{Error, Result};
use crate::outbox::{self};
use crate::payments::{CheckoutExtras, PaymentEvent};
use crate::purchases::{self, Charge, NewItem, NewPurchase, Purchase, Source};
use crate::quote::{self, CheckoutRequest, Quote};
use crate::stats;
use crate::{settings, tax};
use rusqlite::params;

/// A session holding a code's use can be paid for 31 minutes (Stripe's shortest expiry
/// is 30), so an abandoned checkout gives its use back soon; the hold lasts 5 minutes
/// longer, for clocks that differ.
const SESSION_WITH_CODE_SECS: i64 = 31 * 60;
const HOLD_MARGIN_SECS: i64 = 5 * 60;

/// Where a checkout goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutStart {
    /// To Stripe's hosted page.
    Pay(String),
    /// Nothing to pay: the buyer gives an email and `claim_free` records the purchase.
    Free,
}

#[derive(Debug, Clone)]
pub enum Fulfilment {
    Paid(Box<Purchase>),
    /// The session exists but is not paid (still open, expired, or an async payment pending).
    NotPaid,
    /// The session wasn't created by Booth (no Booth products in its metadata).
    NotBooths,
    /// This shop has no record of creating the session; Stripe wasn't asked.
    Unlisted,
}

/// A Checkout Session id's shape (`cs_test_…`, `cs_live_…`), checked before anything
/// else sees it.
fn check_session_id(id: &str) -> Result<()> {
    let ok = id.starts_with("cs_")
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("session_id", "not a Checkout Session id"))
    }
}

/// A handled Stripe event, as `stripe_events` keeps it so it is never acted on twice.
pub(super) struct EventRow {
    id: String,
    type_: String,
    object_id: String,
    created: i64,
}

impl EventRow {
    pub(super) fn insert(&self, tx: &rusqlite::Connection) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO stripe_events (id, type, object_id, created, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![self.id, self.type_, self.object_id, self.created, now()])?;
        Ok(())
    }
}

impl Shop {
    /// What `req` costs now: the product page shows it, and `start_checkout` charges it.
    pub async fn quote(&self, req: &CheckoutRequest) -> Result<Quote> {
        let req = req.clone();
        self.db().run(move |c| quote::quote(c, &req, now())).await
    }

    /// Creates a Stripe Checkout Session charging exactly the quote for `req` (prices from
    /// the database, amounts and codes checked on the server) and returns where to send the
    /// buyer; `Free` when there is nothing to pay (see `claim_free`).
    pub async fn start_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutStart> {
        let q = self.quote(req).await?;
        if q.is_free() {
            return Ok(CheckoutStart::Free);
        }
        // The consent comes before payment: without it, no checkout (and so no delivery).
        let given = req.consent.clone();
        let (options, consent) = self
            .db()
            .run(move |c| {
                let consent = match settings::get(c, settings::CONSENT)?.as_deref() {
                    Some("yes") => Some(consent::accept(c, given.as_deref())?),
                    _ => None,
                };
                Ok((tax::checkout_options(c)?, consent))
            })
            .await?;
        let key = uuid::Uuid::new_v4().to_string();
        let mut expires_at = None;
        if let Some(d) = &q.discount {
            // The session can't be paid after expires_at, and the hold outlives it.
            let session_expiry = now() + SESSION_WITH_CODE_SECS;
            if !self
                .hold_use(&d.discount, &key, session_expiry + HOLD_MARGIN_SECS)
                .await?
            {
                return Err(quote::used_up(&d.discount));
            }
            expires_at = Some(session_expiry);
        }
        let created = self
            .payments()?
            .create_checkout(
                &q,
                CheckoutExtras {
                    public_url: &self.checkout_base_url(),
                    idempotency_key: &key,
                    referral: &req.referral,
                    expires_at,
                    options: &options,
                    consent,
                },
            )
            .await;
        let (session_id, url) = match created {
            Ok(c) => c,
            Err(e) => {
                let key = key.clone();
                self.db()
                    .write(move |tx| {
                        Ok(tx.execute("DELETE FROM discount_holds WHERE key = ?1", [key])?)
                    })
                    .await?;
                return Err(e);
            }
        };
        let ids: Vec<i64> = q.lines.iter().map(|l| l.product.id).collect();
        let source = req.referral.source().to_string();
        self.db()
            .write(move |tx| {
                // The success page asks Stripe about sessions listed here only.
                tx.prepare_cached(
                    "INSERT INTO checkout_sessions (id, created_at) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![session_id, now()])?;
                tx.execute(
                    "UPDATE discount_holds SET session_id = ?2 WHERE key = ?1",
                    params![key, session_id],
                )?;
                ids.iter()
                    .try_for_each(|id| stats::count(tx, *id, stats::Step::Checkout, &source, now()))
            })
            .await?;
        Ok(CheckoutStart::Pay(url))
    }

    /// Holds one use of a code for a checkout about to be made. When none is left but some
    /// holds are past their expiry, Stripe is asked about their sessions first: a paid one
    /// is fulfilled (its use becomes the purchase's), one that can no longer be paid lets
    /// its use go. So paid purchases never outnumber the code's uses, however late a
    /// webhook is.
    async fn hold_use(&self, d: &Discount, key: &str, expires_at: i64) -> Result<bool> {
        let (d2, k) = (d.clone(), key.to_string());
        if self
            .db()
            .write(move |tx| discounts::hold(tx, &d2, &k, expires_at))
            .await?
        {
            return Ok(true);
        }
        let id = d.id;
        let stale = self
            .db()
            .run(move |c| discounts::stale_holds(c, id, now()))
            .await?;
        if stale.is_empty() {
            return Ok(false);
        }
        for (hold_key, session) in stale {
            let gone = match &session {
                None => true,
                Some(sid) => {
                    let s = self.payments()?.retrieve_session(sid).await?;
                    if s.paid {
                        self.fulfil_for(sid, None).await?;
                    }
                    !s.paid && !s.open
                }
            };
            if gone {
                self.db()
                    .write(move |tx| {
                        Ok(tx.execute("DELETE FROM discount_holds WHERE key = ?1", [hold_key])?)
                    })
                    .await?;
            }
        }
        let (d2, k) = (d.clone(), key.to_string());
        self.db()
            .write(move |tx| discounts::hold(tx, &d2, &k, expires_at))
            .await
    }

    /// Stripe's fulfilment recipe: retrieve the session with its line items, act only if
    /// paid, record the purchase under a UNIQUE session id. Safe to call any number of
    /// times, concurrently: exactly one call records the purchase and queues its receipt.
    ///
    /// For an id anyone can type (the success page's `session_id`): a recorded purchase is
    /// answered from the database, and Stripe is asked only about sessions this shop
    /// created; any other id is `Unlisted`, with no call made (see `fulfil_unlisted`).
    pub async fn fulfil(&self, session_id: &str) -> Result<Fulfilment> {
        check_session_id(session_id)?;
        let sid = session_id.to_string();
        let listed: bool = self
            .db()
            .run(move |c| {
                Ok(c.prepare_cached(
                    "SELECT 1 FROM checkout_sessions WHERE id = ?1
                     UNION ALL SELECT 1 FROM purchases WHERE checkout_session_id = ?1",
                )?
                .exists([sid])?)
            })
            .await?;
        if !listed {
            return Ok(Fulfilment::Unlisted);
        }
        Ok(self.fulfil_for(session_id, None).await?.0)
    }

    /// `fulfil` for a session this shop has no record of creating (one begun before
    /// Booth kept that record): asks Stripe. Callers reached by anyone must limit how
    /// often they call this: each call spends the account's API rate limit.
    pub async fn fulfil_unlisted(&self, session_id: &str) -> Result<Fulfilment> {
        Ok(self.fulfil_for(session_id, None).await?.0)
    }

    /// `fulfil`, for the webhook event `event` if one brought it: the event is then
    /// recorded in the purchase's own transaction (one commit, not two) and the answer
    /// says so.
    pub(super) async fn fulfil_for(
        &self,
        session_id: &str,
        event: Option<EventRow>,
    ) -> Result<(Fulfilment, bool)> {
        check_session_id(session_id)?;
        let sid = session_id.to_string();
        if let Some(p) = self
            .db()
            .run(move |c| purchases::purchase_by_session(c, &sid))
            .await?
        {
            return Ok((Fulfilment::Paid(Box::new(p)), false));
        }
        let session = self.payments()?.retrieve_session(session_id).await?;
        if !session.paid {
            return Ok((Fulfilment::NotPaid, false));
        }
        if session.product_ids.is_empty() {
            // Another integration on the same Stripe account: not Booth's to fulfil.
            return Ok((Fulfilment::NotBooths, false));
        }
        if session.product_ids.len() != session.line_amounts.len() {
            return Err(Error::Payment(format!(
                "session {} doesn't list Booth's products",
                session.id
            )));
        }
        // Whatever address Stripe hands back, a paid purchase is recorded: one nobody
        // could mail is flagged, and its receipt waits failed in the outbox for the seller.
        let (email, email_problem) =
            Email::from_payment_provider(session.email.as_deref().unwrap_or(""));
        let currency = Currency::parse(session.currency.as_deref().unwrap_or(""))?;
        let new = NewPurchase {
            email,
            email_problem,
            currency,
            checkout_session_id: Some(session.id.clone()),
            payment_intent_id: session.payment_intent.clone(),
            source: Source::Checkout,
            test: !session.livemode,
            charge: Charge {
                subtotal_minor: session.subtotal,
                discount_minor: session.discount,
                tax_minor: session.tax,
                total_minor: session.total,
                discount_id: session.discount_id,
                discount_code: session.discount_code.clone(),
                country: session
                    .country
                    .clone()
                    .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())),
                tax_id: session.tax_id.clone().filter(|t| t.len() <= 64),
            },
            referral: session.referral.clone(),
            consent: session.consent,
            invoice_url: session.invoice_url.clone(),
            items: session
                .product_ids
                .iter()
                .zip(&session.line_amounts)
                .map(|(id, amount)| NewItem {
                    product_id: *id,
                    amount_minor: *amount,
                })
                .collect(),
        };
        let recorded = event.is_some();
        let purchase = self.record(new, event).await?;
        Ok((Fulfilment::Paid(Box::new(purchase)), recorded))
    }

    /// Records a purchase and queues its receipt in one transaction, with the webhook
    /// event that brought it, if one did.
    pub(super) async fn record(
        &self,
        new: NewPurchase,
        event: Option<EventRow>,
    ) -> Result<Purchase> {
        self.record_with(new, event, |_| Ok(())).await
    }

    /// `record`, with `guard` run first in the same transaction: an error from it records
    /// nothing.
    pub(super) async fn record_with(
        &self,
        new: NewPurchase,
        event: Option<EventRow>,
        guard: impl FnOnce(&rusqlite::Connection) -> Result<()> + Send + 'static,
    ) -> Result<Purchase> {
        let shop = self.clone();
        let purchase = self
            .db()
            .write(move |tx| {
                guard(tx)?;
                if let Some(e) = &event {
                    e.insert(tx)?;
                }
                match purchases::insert_purchase(tx, &new)? {
                    Some((id, _)) => {
                        // The code's use is now this purchase's.
                        tx.execute(
                            "DELETE FROM discount_holds WHERE session_id = ?1",
                            [new.checkout_session_id.as_deref()],
                        )?;
                        let p = purchases::purchase_by_id(tx, id)?;
                        let mail = shop.receipt_mail(tx, &p)?;
                        let mail_id = outbox::enqueue(tx, &mail)?;
                        if let Some(problem) = &p.email_problem {
                            // Never sent to an address that could break the message; the
                            // seller sees why in the outbox and the purchase.
                            let why = format!("{} can't be mailed: {problem}", p.email);
                            outbox::mark_failed(tx, mail_id, &why)?;
                            tracing::warn!(
                                purchase = p.id,
                                problem,
                                "a paid purchase's email can't be mailed"
                            );
                        }
                        // Its id, never its token: the token opens the downloads, and logs get shared.
                        tracing::info!(purchase = p.id, email = %p.email, "purchase recorded");
                        Ok(p)
                    }
                    // Someone else recorded this session first.
                    None => purchases::purchase_by_session(
                        tx,
                        new.checkout_session_id.as_deref().unwrap_or(""),
                    )?
                    .ok_or_else(|| Error::Internal("purchase vanished".into())),
                }
            })
            .await?;
        self.inner.outbox_wake.notify_one();
        Ok(purchase)
    }

    /// Handles a webhook delivery: verifies it, then acts on it once.
    pub async fn handle_webhook(&self, payload: &str, signature: &str) -> Result<()> {
        let (id, type_, created, meaning) = self.payments()?.verify_webhook(payload, signature)?;
        self.process_event(&id, &type_, created, meaning)
            .await
            .map(|_| ())
    }

    /// Acts on an event unless it was seen before; true if it was new.
    pub(super) async fn process_event(
        &self,
        id: &str,
        type_: &str,
        created: i64,
        meaning: PaymentEvent,
    ) -> Result<bool> {
        let eid = id.to_string();
        let seen: bool = self
            .db()
            .run(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM stripe_events WHERE id = ?1",
                    [eid],
                    |r| r.get::<_, i64>(0),
                )? > 0)
            })
            .await?;
        if seen {
            return Ok(false);
        }
        let row = |object_id: &str| EventRow {
            id: id.to_string(),
            type_: type_.to_string(),
            object_id: object_id.to_string(),
            created,
        };
        let object_id = match &meaning {
            PaymentEvent::SessionCompleted { session_id } => {
                let (_, recorded) = self.fulfil_for(session_id, Some(row(session_id))).await?;
                if recorded {
                    return Ok(true);
                }
                session_id.clone()
            }
            PaymentEvent::ChargeRefunded {
                payment_intent,
                amount,
                amount_refunded,
            } => {
                let (pi, a, r) = (payment_intent.clone(), *amount, *amount_refunded);
                let shop = self.clone();
                let found = self
                    .db()
                    .write(move |tx| shop.record_refund(tx, &pi, a, r))
                    .await?;
                self.inner.outbox_wake.notify_one();
                if !found {
                    // The purchase isn't recorded yet (events arrive in any order): fail so
                    // Stripe retries, rather than forgetting the refund.
                    return Err(Error::NotFound(format!(
                        "no purchase for payment {payment_intent} yet"
                    )));
                }
                payment_intent.clone()
            }
            PaymentEvent::DisputeCreated { payment_intent } => {
                let pi = payment_intent.clone();
                let found = self
                    .db()
                    .write(move |tx| purchases::apply_dispute(tx, &pi))
                    .await?;
                tracing::warn!(payment_intent, found, "dispute opened: access revoked");
                payment_intent.clone()
            }
            PaymentEvent::Ignored => String::new(),
        };
        let row = row(&object_id);
        self.db().write(move |tx| row.insert(tx)).await?;
        Ok(true)
    }

    /// Processes events Booth missed (Stripe keeps 30 days of them); returns how many were new.
    pub async fn catch_up(&self) -> Result<usize> {
        let newest: Option<i64> = self
            .db()
            .run(|c| Ok(c.query_row("SELECT max(created) FROM stripe_events", [], |r| r.get(0))?))
            .await?;
        // Events can arrive out of order, so look back a day before the newest one seen.
        let since = match newest {
            Some(t) => t - 86_400,
            None => now() - 30 * 86_400,
        };
        let events = self.payments()?.events_since(since).await?;
        let mut handled = 0;
        for (id, type_, created, meaning) in events {
            match self.process_event(&id, &type_, created, meaning).await {
                Ok(new) => handled += usize::from(new),
                Err(e) => tracing::warn!(event = %id, error = %e, "catch-up: event not processed"),
            }
        }
        Ok(handled)
    }
}

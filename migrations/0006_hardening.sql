-- Unsubscribing has a token of its own. The purchase token is a download credential, and
-- List-Unsubscribe headers are read by mailbox providers and third-party services, so it
-- no longer goes there. One per buyer address; new ones come from the OS's random source
-- (Rust), these from SQLite's (seeded from it): 128 bits either way.
ALTER TABLE customers ADD COLUMN unsubscribe_token TEXT;
UPDATE customers SET unsubscribe_token = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX customers_unsubscribe_token ON customers (unsubscribe_token);

-- Bytes served without counting a download (Range requests that resume one) since the
-- file was last counted: a resume is free only while this stays within about one more
-- copy of the file, so a used-up link can't be downloaded again piece by piece.
ALTER TABLE download_counts ADD COLUMN resume_bytes INTEGER NOT NULL DEFAULT 0;

-- Checkout Sessions this shop created: the success page asks Stripe only about these
-- (made-up ids would spend the account's API rate limit).
CREATE TABLE checkout_sessions (
    id         TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Why the buyer's address, as Stripe handed it back, can't be mailed (NULL: it can). The
-- purchase is recorded and its page works either way; its receipt waits in the outbox,
-- failed, for the seller to see.
ALTER TABLE purchases ADD COLUMN email_problem TEXT;

-- Update mailings: a seller tells every buyer of a product about a new version.

CREATE TABLE mailings (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    subject      TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    include_test INTEGER NOT NULL CHECK (include_test IN (0, 1)),
    -- Buyers left out when it was queued because they had unsubscribed.
    skipped_unsubscribed INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    canceled_at  INTEGER
);

-- Buyers who don't want update mailings (receipts still go out).
CREATE TABLE unsubscribes (
    email      TEXT PRIMARY KEY,
    -- The mailing whose link they used, if any.
    mailing_id INTEGER REFERENCES mailings (id),
    at         INTEGER NOT NULL
);

-- The outbox gains mailing rows and a 'skipped' state (unsubscribed after being queued,
-- or the mailing was canceled). SQLite can't alter a CHECK, so the table is rebuilt.
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    purchase_id      INTEGER REFERENCES purchases (id),
    mailing_id       INTEGER REFERENCES mailings (id),
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body_text        TEXT    NOT NULL,
    body_html        TEXT    NOT NULL,
    -- The one-click unsubscribe URL (List-Unsubscribe), for bulk mail only.
    unsubscribe_url  TEXT,
    message_id       TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    priority         INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
INSERT INTO outbox_new (id, kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
                        priority, attempts, next_attempt_at, last_error, created_at, sent_at)
    SELECT id, kind, purchase_id, recipient, subject, body_text, body_html, message_id, status,
           priority, attempts, next_attempt_at, last_error, created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- The claim walks this in order and stops at the first due row, instead of sorting every
-- queued row of a big mailing on each claim.
CREATE INDEX outbox_claim ON outbox (priority, next_attempt_at, id) WHERE status IN ('queued', 'sending');
-- One delivery per recipient per mailing, however often queueing is retried.
CREATE UNIQUE INDEX outbox_mailing_recipient ON outbox (mailing_id, recipient) WHERE mailing_id IS NOT NULL;

-- Downloads are counted per version: a new version gives every buyer fresh downloads.
ALTER TABLE download_counts ADD COLUMN file_version_id INTEGER REFERENCES file_versions (id);

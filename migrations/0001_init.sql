-- Booth's first schema. Times are unix seconds (UTC); money is integer minor units.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE products (
    id             INTEGER PRIMARY KEY,
    slug           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    price_minor    INTEGER NOT NULL CHECK (price_minor > 0),
    currency       TEXT    NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- NULL means unlimited downloads per file.
    download_limit INTEGER CHECK (download_limit IS NULL OR download_limit > 0),
    created_at     INTEGER NOT NULL
);

-- A file the buyer gets; its content lives in file_versions, newest wins.
CREATE TABLE product_files (
    id           INTEGER PRIMARY KEY,
    product_id   INTEGER NOT NULL REFERENCES products (id),
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    removed_at   INTEGER
);
CREATE INDEX product_files_product ON product_files (product_id);

CREATE TABLE file_versions (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES product_files (id),
    version     TEXT    NOT NULL,
    -- Content-addressed, relative to the files dir: never built from user input.
    stored_path TEXT    NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    sha256      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (file_id, version)
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE purchases (
    id                  INTEGER PRIMARY KEY,
    token               TEXT    NOT NULL UNIQUE,
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    email               TEXT    NOT NULL,
    amount_minor        INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency            TEXT    NOT NULL,
    amount_refunded_minor INTEGER NOT NULL DEFAULT 0,
    -- UNIQUE is what makes fulfilment exactly-once, however often it runs.
    checkout_session_id TEXT UNIQUE,
    payment_intent_id   TEXT,
    status              TEXT    NOT NULL CHECK (status IN ('paid', 'refunded', 'revoked')),
    status_reason       TEXT,
    source              TEXT    NOT NULL CHECK (source IN ('checkout', 'grant')),
    test                INTEGER NOT NULL CHECK (test IN (0, 1)),
    created_at          INTEGER NOT NULL
);
CREATE INDEX purchases_email ON purchases (email);
CREATE INDEX purchases_payment_intent ON purchases (payment_intent_id);

CREATE TABLE purchase_items (
    id             INTEGER PRIMARY KEY,
    purchase_id    INTEGER NOT NULL REFERENCES purchases (id),
    product_id     INTEGER NOT NULL REFERENCES products (id),
    amount_minor   INTEGER NOT NULL CHECK (amount_minor >= 0),
    -- Copied from the product at purchase time; the seller may change it per purchase.
    download_limit INTEGER CHECK (download_limit IS NULL OR download_limit > 0),
    revoked_at     INTEGER,
    UNIQUE (purchase_id, product_id)
);

CREATE TABLE download_counts (
    purchase_item_id INTEGER NOT NULL REFERENCES purchase_items (id),
    file_id          INTEGER NOT NULL REFERENCES product_files (id),
    used             INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (purchase_item_id, file_id)
);

CREATE TABLE downloads (
    id               INTEGER PRIMARY KEY,
    purchase_id      INTEGER NOT NULL REFERENCES purchases (id),
    purchase_item_id INTEGER NOT NULL REFERENCES purchase_items (id),
    file_id          INTEGER NOT NULL REFERENCES product_files (id),
    file_version_id  INTEGER NOT NULL REFERENCES file_versions (id),
    at               INTEGER NOT NULL,
    ip               TEXT    NOT NULL,
    user_agent       TEXT    NOT NULL,
    range            TEXT,
    bytes            INTEGER NOT NULL,
    counted          INTEGER NOT NULL CHECK (counted IN (0, 1))
);
CREATE INDEX downloads_item_file ON downloads (purchase_item_id, file_id, at);

-- Stripe events already handled, so a redelivery or a catch-up does nothing twice.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    received_at INTEGER NOT NULL
);

-- Mail waiting to go out. A row is rendered in the same transaction as what caused it,
-- so a crash can't lose it. A worker claims a row ('sending', with a lease in
-- next_attempt_at) before sending and marks it after; a row whose lease ran out (its worker
-- died mid-send) is claimed again, so at most that one message can go out twice.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    purchase_id     INTEGER REFERENCES purchases (id),
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    -- Lower goes first: receipts are never stuck behind a bulk mailing.
    priority        INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds: when a queued row is due, or when a sending row's lease ends.
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, priority, next_attempt_at);

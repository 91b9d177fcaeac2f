-- Selling like the platforms do (issue 15): discount codes, pay what you want, free
-- purchases, what each purchase cost (subtotal, discount, tax, total) and where it came
-- from. `purchases.source` gains 'free' and `funnel_counts` a referral source; SQLite
-- can't alter a CHECK or a primary key, so both tables are rebuilt. Migrations run with
-- foreign keys off and are checked with PRAGMA foreign_key_check before they commit.

-- Discount codes. A code matches without regard to case; exactly one of percent_off or
-- fixed amounts (discount_amounts, one per currency) says what it takes off.
CREATE TABLE discounts (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL,
    percent_off INTEGER CHECK (percent_off IS NULL OR percent_off BETWEEN 1 AND 100),
    starts_at   INTEGER,
    expires_at  INTEGER,
    -- Paid (or free) purchases that may use it; NULL is unlimited.
    max_uses    INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
    disabled_at INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX discounts_code ON discounts (upper(code));

CREATE TABLE discount_amounts (
    discount_id INTEGER NOT NULL REFERENCES discounts (id),
    currency    TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (discount_id, currency)
) WITHOUT ROWID;

-- The products a code is for; none listed means every product.
CREATE TABLE discount_products (
    discount_id INTEGER NOT NULL REFERENCES discounts (id),
    product_id  INTEGER NOT NULL REFERENCES products (id),
    PRIMARY KEY (discount_id, product_id)
) WITHOUT ROWID;

-- A use of a code held for an open Checkout Session, so that paid purchases plus open
-- checkouts never exceed max_uses. Deleted when the purchase is recorded; one past its
-- expiry is let go only once Stripe says its session can no longer be paid.
CREATE TABLE discount_holds (
    key         TEXT    PRIMARY KEY,
    discount_id INTEGER NOT NULL REFERENCES discounts (id),
    session_id  TEXT,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX discount_holds_discount ON discount_holds (discount_id, expires_at);
CREATE INDEX discount_holds_session ON discount_holds (session_id);

-- Pay what you want: a product with a minimum takes any amount from it up; its
-- price_minor is then the suggested amount.
ALTER TABLE products ADD COLUMN min_price_minor INTEGER
    CHECK (min_price_minor IS NULL OR (min_price_minor >= 0 AND min_price_minor <= price_minor));

CREATE TABLE purchases_new (
    id                    INTEGER PRIMARY KEY,
    token                 TEXT    NOT NULL UNIQUE,
    customer_id           INTEGER NOT NULL REFERENCES customers (id),
    email                 TEXT    NOT NULL,
    -- What the buyer paid: subtotal - discount (+ tax when prices exclude it).
    amount_minor          INTEGER NOT NULL CHECK (amount_minor >= 0),
    subtotal_minor        INTEGER NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor        INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    tax_minor             INTEGER NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    currency              TEXT    NOT NULL,
    amount_refunded_minor INTEGER NOT NULL DEFAULT 0,
    -- UNIQUE is what makes fulfilment exactly-once, however often it runs.
    checkout_session_id   TEXT UNIQUE,
    payment_intent_id     TEXT,
    status                TEXT    NOT NULL CHECK (status IN ('paid', 'refunded', 'revoked')),
    status_reason         TEXT,
    -- free: a pay-what-you-want product (or a whole-price code) at 0, without payment.
    source                TEXT    NOT NULL CHECK (source IN ('checkout', 'grant', 'free')),
    test                  INTEGER NOT NULL CHECK (test IN (0, 1)),
    created_at            INTEGER NOT NULL,
    email_problem         TEXT,
    discount_id           INTEGER REFERENCES discounts (id),
    -- The code as the buyer used it, kept if the discount is later changed.
    discount_code         TEXT,
    -- The buyer's country (ISO 3166-1 alpha-2) and tax ID, when Stripe collected them.
    country               TEXT,
    tax_id                TEXT,
    -- Where the sale came from: ?ref= and the utm_ parameters on the link the buyer used.
    ref                   TEXT,
    utm_source            TEXT,
    utm_medium            TEXT,
    utm_campaign          TEXT
);
INSERT INTO purchases_new (id, token, customer_id, email, amount_minor, subtotal_minor, currency,
                           amount_refunded_minor, checkout_session_id, payment_intent_id, status,
                           status_reason, source, test, created_at, email_problem)
    SELECT id, token, customer_id, email, amount_minor, amount_minor, currency,
           amount_refunded_minor, checkout_session_id, payment_intent_id, status,
           status_reason, source, test, created_at, email_problem
    FROM purchases;
DROP TABLE purchases;
ALTER TABLE purchases_new RENAME TO purchases;
CREATE INDEX purchases_email ON purchases (email);
CREATE INDEX purchases_payment_intent ON purchases (payment_intent_id);
CREATE INDEX purchases_discount ON purchases (discount_id) WHERE discount_id IS NOT NULL;

-- The funnel per referral source ('' when the visit came with none).
CREATE TABLE funnel_counts_new (
    day        TEXT    NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    source     TEXT    NOT NULL DEFAULT '',
    step       TEXT    NOT NULL CHECK (step IN ('visit', 'checkout')),
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, product_id, source, step)
) WITHOUT ROWID;
INSERT INTO funnel_counts_new (day, product_id, step, count)
    SELECT day, product_id, step, count FROM funnel_counts;
DROP TABLE funnel_counts;
ALTER TABLE funnel_counts_new RENAME TO funnel_counts;

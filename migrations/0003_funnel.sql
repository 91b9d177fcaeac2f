-- How many buyers reach each step before paying, per product and UTC day, for the
-- dashboard's funnel. Counters, not a log: one row per day, product and step.
CREATE TABLE funnel_counts (
    day        TEXT    NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    step       TEXT    NOT NULL CHECK (step IN ('visit', 'checkout')),
    count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, product_id, step)
) WITHOUT ROWID;

-- License keys (licenses/). A product with `license_activations` set gives every purchase
-- of it one key, issued in the same transaction that records the purchase: a paid purchase
-- never lacks its key, and a webhook delivered twice never makes two.
ALTER TABLE products ADD COLUMN license_activations INTEGER
    CHECK (license_activations IS NULL OR license_activations BETWEEN 1 AND 1000);

CREATE TABLE license_keys (
    id INTEGER PRIMARY KEY,
    purchase_item_id INTEGER NOT NULL UNIQUE REFERENCES purchase_items (id),
    -- 36 characters, upper-case hex and hyphens, 122 random bits.
    key TEXT NOT NULL UNIQUE,
    -- Copied from the product; the seller may change it per key.
    activation_limit INTEGER NOT NULL CHECK (activation_limit BETWEEN 1 AND 1000),
    disabled_at INTEGER,
    created_at INTEGER NOT NULL
);

-- One computer (or whatever the app calls an instance) a key is activated on. Freed ones
-- are kept, so the seller sees what happened; only unfreed ones count against the limit.
CREATE TABLE license_instances (
    id TEXT PRIMARY KEY,
    license_key_id INTEGER NOT NULL REFERENCES license_keys (id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    freed_at INTEGER,
    -- 'buyer' (the purchase page), 'app' (deactivate), 'seller'.
    freed_by TEXT CHECK (freed_by IS NULL OR freed_by IN ('buyer', 'app', 'seller'))
);
CREATE INDEX license_instances_key ON license_instances (license_key_id, freed_at);

-- The shop's own signing keys: 'license' signs offline license files (Ed25519, the 32-byte
-- seed). Kept in the database so a backup keeps it: apps carry its public half.
CREATE TABLE signing_keys (
    name TEXT PRIMARY KEY,
    seed BLOB NOT NULL CHECK (length(seed) = 32),
    created_at INTEGER NOT NULL
);

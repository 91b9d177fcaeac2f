-- The buyer's library: "lost your link?" emails are rate-limited per address by the
-- library emails already in the outbox, found through this index.
CREATE INDEX outbox_library ON outbox (lower(recipient), created_at) WHERE kind = 'library';

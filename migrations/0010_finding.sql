-- The seller's searches (purchase_filter.rs, mail_filter.rs), measured at 100,000
-- purchases and 100,000 outbox messages (docs/benchmarks.md, "Finding purchases and mail").

-- A product's purchases, for the product filter and text matching a product's name: without
-- it each page and its count scanned every purchase item (29 ms a page).
CREATE INDEX purchase_items_product ON purchase_items (product_id, purchase_id);

-- Everything the outbox's filters read, in id order (the list's order and its cursor): a
-- search walks this (~90 bytes a message) instead of the table, whose rows carry the rendered
-- bodies (~12 KB a message; 1.2 GB at 100,000). Searching the table took 200-350 ms a page.
CREATE INDEX outbox_search ON outbox (id, kind, status, recipient, subject);

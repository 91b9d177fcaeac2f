-- Archiving products and removing files (catalog/archive.rs). Nothing sold is taken away:
-- an archived product keeps its row, files and purchases; a removed file keeps its versions.

-- When the seller archived the product; NULL is in the catalog. An archived product is off
-- the shop (its page and Buy link answer as for an unknown product) and out of the window's
-- Products list, while its purchases, downloads and mailings work as before.
ALTER TABLE products ADD COLUMN archived_at INTEGER;

-- The newest purchase when the file was removed (`removed_at`): purchases up to it were sold
-- the file and keep it; later ones never see it. An id rather than a time, so a purchase in
-- the same second as the removal is on one side of it exactly (purchase ids only grow: they
-- are assigned on the single writer, and purchases are never deleted). NULL with
-- removed_at set (never written by Booth) keeps it from everyone.
ALTER TABLE product_files ADD COLUMN kept_through_purchase INTEGER;

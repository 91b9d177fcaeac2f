-- When a file was last counted for a purchase, so "is this a resume of a download we
-- already counted?" reads the one counts row instead of searching the download log.
ALTER TABLE download_counts ADD COLUMN last_counted_at INTEGER;
UPDATE download_counts
   SET last_counted_at = (
       SELECT max(d.at) FROM downloads d
        WHERE d.purchase_item_id = download_counts.purchase_item_id
          AND d.file_id = download_counts.file_id
          AND d.file_version_id IS download_counts.file_version_id
          AND d.counted = 1);

-- The download log is appended to on every download and read only when the seller opens
-- a purchase. Its index put a scattered page into every download's commit (measured: it
-- doubled what recording a download costs), so it goes; the seller's view scans the log
-- (about 55 ms at a million rows). Its foreign keys go too: each row's ids were read in
-- the same transaction, nothing that they point at is ever deleted, and checking them was
-- another sixth of the cost.
CREATE TABLE downloads_new (
    id               INTEGER PRIMARY KEY,
    purchase_id      INTEGER NOT NULL,
    purchase_item_id INTEGER NOT NULL,
    file_id          INTEGER NOT NULL,
    file_version_id  INTEGER NOT NULL,
    at               INTEGER NOT NULL,
    ip               TEXT    NOT NULL,
    user_agent       TEXT    NOT NULL,
    range            TEXT,
    bytes            INTEGER NOT NULL,
    counted          INTEGER NOT NULL CHECK (counted IN (0, 1))
);
INSERT INTO downloads_new
SELECT id, purchase_id, purchase_item_id, file_id, file_version_id, at, ip, user_agent,
       range, bytes, counted
  FROM downloads;
DROP TABLE downloads;
ALTER TABLE downloads_new RENAME TO downloads;

-- Download counts, rebuilt with when each file was last counted (so "is this a resume of
-- a download we already counted?" reads this row instead of searching the download log)
-- and without foreign keys: a count's ids are read in the same transaction, nothing they
-- point at is ever deleted, and with them SQLite gave every count a 64 KiB statement
-- journal to allocate and free (with glibc consolidating its free lists each time: about
-- a tenth of the database writer's time under load).
CREATE TABLE download_counts_new (
    purchase_item_id INTEGER NOT NULL,
    file_id          INTEGER NOT NULL,
    used             INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    file_version_id  INTEGER,
    last_counted_at  INTEGER,
    PRIMARY KEY (purchase_item_id, file_id)
);
INSERT INTO download_counts_new
SELECT c.purchase_item_id, c.file_id, c.used, c.file_version_id,
       (SELECT max(d.at) FROM downloads d
         WHERE d.purchase_item_id = c.purchase_item_id
           AND d.file_id = c.file_id
           AND d.file_version_id IS c.file_version_id
           AND d.counted = 1)
  FROM download_counts c;
DROP TABLE download_counts;
ALTER TABLE download_counts_new RENAME TO download_counts;

-- The download log is appended to on every download and read only when the seller opens
-- a purchase. Its index put a scattered page into every download's commit (measured: it
-- doubled what recording a download costs), so it goes; the seller's view scans the log
-- (about 55 ms at a million rows). Its foreign keys go too, for the reasons above.
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

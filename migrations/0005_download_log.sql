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

-- The download log is only appended to while buyers download, and read when the seller
-- opens one purchase. An index on it put a scattered page into every download's commit:
-- measured, it doubled what recording a download costs. Without it the seller's view
-- scans the log (about 55 ms at a million rows); buyers are the hot path.
DROP INDEX downloads_item_file;

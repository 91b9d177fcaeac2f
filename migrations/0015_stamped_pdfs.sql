-- Stamped PDFs (stamp/). A product with `pdf_stamp` set (the seller's wording, with
-- {email} and {date} filled in per purchase) has every page of its PDFs stamped for each
-- buyer; NULL is no stamping.
ALTER TABLE products ADD COLUMN pdf_stamp TEXT
    CHECK (pdf_stamp IS NULL OR length(pdf_stamp) BETWEEN 1 AND 200);

-- The stamped copies made, one per purchase item and file version, stored content-addressed
-- under files/ like the originals (never in the seller's bucket): every download and resume
-- of it gets the same bytes. Two downloads at once make one row (INSERT OR IGNORE).
CREATE TABLE stamped_files (
    purchase_item_id INTEGER NOT NULL REFERENCES purchase_items (id),
    file_version_id INTEGER NOT NULL REFERENCES file_versions (id),
    stored_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (purchase_item_id, file_version_id)
) WITHOUT ROWID;
CREATE INDEX stamped_files_sha256 ON stamped_files (sha256);

-- Product files in the seller's bucket (storage/files.rs, shop/bucket_files.rs). A row says
-- Booth uploaded the content-addressed object `files/xx/<sha256>` to the bucket at `place`
-- and read it back with the same SHA-256. Downloads are redirected to the bucket only for
-- files with a row here: an upload cut short, or one not verified yet, never has one, and
-- such a file goes on being served from the data dir.
CREATE TABLE bucket_files (
    -- The bucket's endpoint, name and prefix: moving to another bucket starts afresh.
    place TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    verified_at INTEGER NOT NULL,
    PRIMARY KEY (place, sha256)
) WITHOUT ROWID;

-- Release notes of a file version (`booth product new-version --notes`), shown in the
-- update feeds and quoted by the update mailing.
ALTER TABLE file_versions ADD COLUMN notes TEXT NOT NULL DEFAULT '';

-- A file version's signatures for app updaters (updates/), made once from its bytes with
-- the shop's 'updates' key: Sparkle's edSignature (Ed25519 over the file, base64) and the
-- minisign signature file Tauri's updater reads.
CREATE TABLE update_signatures (
    file_version_id INTEGER PRIMARY KEY REFERENCES file_versions (id),
    ed_signature TEXT NOT NULL,
    minisign TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- What happened to the tunnel: started, public URL found, exited, restarted, health
-- checks failing and recovering. The seller reads it in Settings; kept short (pruned).
CREATE TABLE tunnel_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    message TEXT    NOT NULL
);

-- Earlier versions stored the loopback listen address as the public URL when none was
-- set. The public URL is now only what the seller configures (a stable address); the
-- listen address and the tunnel's address are used at run time without being stored.
DELETE FROM settings
 WHERE key = 'public_url'
   AND (value LIKE 'http://127.0.0.1:%' OR value LIKE 'http://localhost:%');

//! The tunnel's incident log (starts, addresses, exits, restarts, failed checks).

use super::*;

// ---- the incident log ----------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "bindings", derive(specta::Type))]
pub struct LogEntry {
    pub at: i64,
    pub kind: String,
    pub message: String,
}

/// Keeps the last this many entries.
pub(super) const LOG_KEEP: i64 = 500;

pub fn log(conn: &Connection, kind: &str, message: &str) -> Result<()> {
    let message: String = message.chars().take(2000).collect();
    conn.execute(
        "INSERT INTO tunnel_log (at, kind, message) VALUES (unixepoch(), ?1, ?2)",
        params![kind, message],
    )?;
    conn.execute(
        "DELETE FROM tunnel_log WHERE id <= (SELECT max(id) FROM tunnel_log) - ?1",
        [LOG_KEEP],
    )?;
    Ok(())
}

pub fn recent_log(conn: &Connection, limit: usize) -> Result<Vec<LogEntry>> {
    let mut stmt =
        conn.prepare("SELECT at, kind, message FROM tunnel_log ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(LogEntry {
            at: r.get(0)?,
            kind: r.get(1)?,
            message: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

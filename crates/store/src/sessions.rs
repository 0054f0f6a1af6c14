//! Sign-in sessions (web cookies) and API tokens. Only a hash of the token
//! is stored, so a copy of the database does not let anyone sign in.

use crate::db::{Conn, Result};
use crate::params;
use crate::row::{FromRow, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub fn insert(
    c: &mut dyn Conn,
    token_hash: &str,
    user_id: i64,
    kind: &str,
    csrf: &str,
    address: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at, address) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![token_hash, user_id, kind, csrf, now, now, address],
    )?;
    Ok(())
}

pub fn get(c: &mut dyn Conn, token_hash: &str) -> Result<Option<Session>> {
    c.query_one_as(
        "SELECT user_id, kind, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = ?",
        params![token_hash],
    )
}

impl FromRow for Session {
    const TABLE: &'static str = "sessions";
    fn from_row(r: &Row) -> Result<Session> {
        Ok(Session {
            user_id: r.get("user_id")?,
            kind: r.get("kind")?,
            csrf_token: r.get("csrf_token")?,
            created_at: r.get("created_at")?,
            last_seen_at: r.get("last_seen_at")?,
        })
    }
}

pub fn touch(c: &mut dyn Conn, token_hash: &str, now: i64) -> Result<()> {
    c.execute(
        "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
        params![now, token_hash],
    )?;
    Ok(())
}

pub fn delete(c: &mut dyn Conn, token_hash: &str) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE token_hash = ?",
        params![token_hash],
    )?;
    Ok(())
}

/// Removes sessions idle since before `cutoff`.
pub fn delete_idle(c: &mut dyn Conn, cutoff: i64) -> Result<u64> {
    c.execute(
        "DELETE FROM sessions WHERE last_seen_at < ?",
        params![cutoff],
    )
}

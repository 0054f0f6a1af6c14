//! The audit log: append-only, one record per write, sign-in and refusal.

use crate::db::{Conn, Page, Result};
use crate::params;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

pub fn append(c: &mut dyn Conn, r: &AuditRecord) -> Result<()> {
    c.execute(
        "INSERT INTO audit_log (at, user_id, username, address, action, object_type, object_id, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            r.at,
            r.user_id,
            r.username.clone(),
            r.address.clone(),
            r.action.clone(),
            r.object_type.clone(),
            r.object_id.clone(),
            r.outcome.clone(),
            r.detail.clone()
        ],
    )?;
    Ok(())
}

pub fn list(c: &mut dyn Conn, q: Option<&str>, page: Page) -> Result<(Vec<AuditRecord>, i64)> {
    let like = format!("%{}%", q.unwrap_or("").trim());
    let w =
        " WHERE action LIKE ? OR COALESCE(username, '') LIKE ? OR COALESCE(object_id, '') LIKE ?";
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM audit_log{w}"),
        params![like.clone(), like.clone(), like.clone()],
    )?;
    let rows = c.query(
        &format!("SELECT id, at, user_id, username, address, action, object_type, object_id, outcome, detail FROM audit_log{w} ORDER BY id DESC LIMIT ? OFFSET ?"),
        params![like.clone(), like.clone(), like, page.limit(), page.offset()],
    )?;
    Ok((
        rows.iter()
            .map(|r| AuditRecord {
                id: r.i64(0),
                at: r.i64(1),
                user_id: r.opt_i64(2),
                username: r.opt_str(3),
                address: r.opt_str(4),
                action: r.str(5),
                object_type: r.opt_str(6),
                object_id: r.opt_str(7),
                outcome: r.str(8),
                detail: r.opt_str(9),
            })
            .collect(),
        total,
    ))
}

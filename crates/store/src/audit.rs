//! The audit log: append-only, one record per write, sign-in and refusal,
//! each chained to the one before by SM3 (see [`dingdian_core::audit`] for
//! the canonical form). Database triggers refuse every change and deletion
//! of a sealed record (migration 0004).

use crate::db::{Backend, Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use dingdian_core::audit::{GENESIS, Verifier, record_hash};

pub use dingdian_core::audit::AuditRecord;

/// Serialises appends on PostgreSQL (one chain, no forks). Held to the end
/// of the business write's transaction; SQLite writers are already one at
/// a time (`BEGIN IMMEDIATE`).
const APPEND_LOCK: i64 = 7_240_004;

/// PostgreSQL text cannot hold NUL (the backend stores U+FFFD instead): the
/// hash must cover what is stored, so both backends store the same.
fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.replace('\0', "\u{FFFD}"))
}

/// Appends one record inside the caller's transaction: the next id, the
/// previous record's hash, and its own hash.
pub fn append(c: &mut dyn Conn, r: &AuditRecord) -> Result<()> {
    if c.backend() == Backend::Postgres {
        c.batch(&format!("SELECT pg_advisory_xact_lock({APPEND_LOCK})"))?;
    }
    let (id, prev_hash) = match c.query_one(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
        &[],
    )? {
        Some(tail) => (tail.get::<i64>("id")? + 1, tail.get("hash")?),
        None => (1, GENESIS.to_string()),
    };
    let rec = AuditRecord {
        id,
        username: clean(&r.username),
        address: clean(&r.address),
        action: r.action.replace('\0', "\u{FFFD}"),
        object_type: clean(&r.object_type),
        object_id: clean(&r.object_id),
        outcome: r.outcome.replace('\0', "\u{FFFD}"),
        detail: clean(&r.detail),
        ..r.clone()
    };
    let hash = record_hash(&rec.fields(), &prev_hash);
    c.execute(
        "INSERT INTO audit_log (id, at, user_id, username, address, action, object_type, object_id, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            rec.id,
            rec.at,
            rec.user_id,
            rec.username,
            rec.address,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.outcome,
            rec.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, at, user_id, username, address, action, object_type, object_id, outcome, detail, prev_hash, hash";

impl FromRow for AuditRecord {
    const TABLE: &'static str = "audit_log";
    fn from_row(r: &Row) -> Result<AuditRecord> {
        Ok(AuditRecord {
            id: r.get("id")?,
            at: r.get("at")?,
            user_id: r.get("user_id")?,
            username: r.get("username")?,
            address: r.get("address")?,
            action: r.get("action")?,
            object_type: r.get("object_type")?,
            object_id: r.get("object_id")?,
            outcome: r.get("outcome")?,
            detail: r.get("detail")?,
            prev_hash: r.get("prev_hash")?,
            hash: r.get("hash")?,
        })
    }
}

pub use dingdian_core::audit::ChainReport;
pub use dingdian_core::query::AuditFilter;

/// The WHERE clause of a filter and its parameters.
fn filter_sql(f: &AuditFilter) -> (String, Vec<Value>) {
    let mut w: Vec<&str> = Vec::new();
    let mut p: Vec<Value> = Vec::new();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push("(action LIKE ? OR COALESCE(username, '') LIKE ? OR COALESCE(object_type, '') LIKE ? OR COALESCE(object_id, '') LIKE ? OR COALESCE(detail, '') LIKE ? OR COALESCE(address, '') LIKE ?)");
        let like = format!("%{q}%");
        p.extend(std::iter::repeat_n(Value::from(like), 6));
    }
    if let Some(u) = &f.username {
        w.push("username = ?");
        p.push(u.into());
    }
    if let Some(a) = &f.action {
        w.push("action LIKE ?");
        p.push(format!("{a}%").into());
    }
    if let Some(o) = &f.outcome {
        w.push("outcome = ?");
        p.push(o.into());
    }
    if let Some(t) = f.from {
        w.push("at >= ?");
        p.push(t.into());
    }
    if let Some(t) = f.until {
        w.push("at < ?");
        p.push(t.into());
    }
    let clause = if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    };
    (clause, p)
}

/// The records the filter finds, newest first, with their total.
pub fn search(c: &mut dyn Conn, f: &AuditFilter, page: Page) -> Result<(Vec<AuditRecord>, i64)> {
    let (w, mut p) = filter_sql(f);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM audit_log{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let records = c.query_as(
        &format!("SELECT {COLUMNS} FROM audit_log{w} ORDER BY id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((records, total))
}

/// Walks the whole chain in id order, streaming, and stops at the first
/// broken record.
pub fn verify(c: &mut dyn Conn) -> Result<ChainReport> {
    let mut v = Verifier::new();
    let mut broken = None;
    c.query_each(
        &format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"),
        &[],
        &mut |row| {
            let r: AuditRecord = row.to()?;
            match v.check(&r.fields(), r.prev_hash.as_deref(), r.hash.as_deref()) {
                Ok(()) => Ok(true),
                Err(b) => {
                    broken = Some(b);
                    Ok(false)
                }
            }
        },
    )?;
    Ok(ChainReport {
        checked: v.checked(),
        head: v.head().map(|(id, h)| (id, h.to_string())),
        broken,
    })
}

/// Chains the records written before migration 0004, in id order from the
/// genesis. Runs once, inside that migration's transaction; the triggers
/// allow exactly this one update of a record without a hash.
pub(crate) fn seal_existing(c: &mut dyn Conn) -> Result<()> {
    let mut prev = GENESIS.to_string();
    let mut after = i64::MIN;
    loop {
        let records: Vec<AuditRecord> = c.query_as(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000"),
            params![after],
        )?;
        let Some(last) = records.last() else {
            return Ok(());
        };
        after = last.id;
        for r in &records {
            let hash = record_hash(&r.fields(), &prev);
            c.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                params![prev.clone(), hash.clone(), r.id],
            )?;
            prev = hash;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_filter_means_no_where_clause() {
        let (w, p) = filter_sql(&AuditFilter::default());
        assert_eq!(w, "");
        assert!(p.is_empty());
    }

    #[test]
    fn each_filter_part_adds_its_condition_and_parameter() {
        let f = AuditFilter {
            q: Some(" 舟曲 ".into()),
            username: Some("wang".into()),
            action: Some("login".into()),
            outcome: Some("failure".into()),
            from: Some(10),
            until: Some(20),
        };
        let (w, p) = filter_sql(&f);
        assert!(w.contains("username = ?") && w.contains("outcome = ?"));
        assert!(w.contains("at >= ?") && w.contains("at < ?"));
        assert_eq!(p.len(), 6 + 5);
        assert_eq!(p[0], Value::from("%舟曲%"), "the keyword is trimmed");
        assert_eq!(p[7], Value::from("login%"), "action matches by prefix");
    }
}

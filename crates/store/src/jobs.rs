//! Long work (imports): the recorded outcome of each job. Progress while a
//! job runs lives in the process's memory; this table keeps what remains.

use crate::db::{Conn, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};

/// A job as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub total: i64,
    pub done: i64,
    pub message: Option<String>,
    /// The outcome as JSON text.
    pub result: Option<String>,
    pub username: String,
    pub county: Option<String>,
    /// Errors of the outcome left out of `result` (it keeps the first ones).
    pub errors_omitted: i64,
}

/// How a job ended, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// succeeded or failed
    pub status: &'a str,
    pub message: Option<&'a str>,
    /// The outcome as JSON text.
    pub result: Option<&'a str>,
    pub errors_omitted: i64,
    /// The sealed rejects file, if any.
    pub rejects: Option<Vec<u8>>,
}

/// Records a registry import that has started; returns its id.
pub fn insert_registry_import(
    c: &mut dyn Conn,
    file_name: &str,
    user_id: Option<i64>,
    username: &str,
    county: Option<&str>,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO jobs (kind, status, file_name, total, done, user_id, username, county, created_at) \
         VALUES ('registry_import', 'running', ?, 0, 0, ?, ?, ?, ?) RETURNING id",
        params![file_name, user_id, username, county, now],
    )
}

/// Records how a job ended, with its sealed rejects file if any. Only a
/// job still running is changed: an outcome written with the import's own
/// transaction is never overwritten. Returns whether the row changed.
pub fn finish(c: &mut dyn Conn, id: i64, o: Outcome, now: i64) -> Result<bool> {
    record(c, id, o, now, " AND status = 'running'")
}

/// Records the outcome of a job inside the transaction that writes its
/// data, whatever the row said before: the data and this outcome commit
/// together, so they always agree (even with a job another server's start
/// took for abandoned).
pub fn finish_with_data(c: &mut dyn Conn, id: i64, o: Outcome, now: i64) -> Result<bool> {
    record(c, id, o, now, "")
}

fn record(c: &mut dyn Conn, id: i64, o: Outcome, now: i64, condition: &str) -> Result<bool> {
    let sql = format!(
        "UPDATE jobs SET status = ?, message = ?, result = ?, errors_omitted = ?, rejects = ?, finished_at = ? \
         WHERE id = ?{condition}"
    );
    Ok(c.execute(
        &sql,
        params![
            o.status,
            o.message,
            o.result,
            o.errors_omitted,
            o.rejects.map(Value::Blob),
            now,
            id
        ],
    )? == 1)
}

/// Marks every job still `running` as failed with `message`: on a server's
/// start, the jobs a stopped process left behind. Their imports wrote
/// nothing (a job's outcome commits with its data). Returns their ids.
pub fn resolve_abandoned(c: &mut dyn Conn, message: &str, now: i64) -> Result<Vec<i64>> {
    c.query(
        "UPDATE jobs SET status = 'failed', message = ?, finished_at = ? WHERE status = 'running' RETURNING id",
        params![message, now],
    )?
    .iter()
    .map(|r| r.get("id"))
    .collect()
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<JobRow>> {
    c.query_one_as(
        "SELECT id, kind, status, total, done, message, result, username, county, errors_omitted \
             FROM jobs WHERE id = ?",
        params![id],
    )
}

impl FromRow for JobRow {
    const TABLE: &'static str = "jobs";
    fn from_row(r: &Row) -> Result<JobRow> {
        Ok(JobRow {
            id: r.get("id")?,
            kind: r.get("kind")?,
            status: r.get("status")?,
            total: r.get("total")?,
            done: r.get("done")?,
            message: r.get("message")?,
            result: r.get("result")?,
            username: r.get("username")?,
            county: r.get("county")?,
            errors_omitted: r.get("errors_omitted")?,
        })
    }
}

/// A job's sealed rejects file (empty when it rejected nothing) and the
/// name of the file it imported.
pub fn rejects(c: &mut dyn Conn, id: i64) -> Result<Option<(Vec<u8>, Option<String>)>> {
    let Some(r) = c.query_one(
        "SELECT rejects, file_name FROM jobs WHERE id = ?",
        params![id],
    )?
    else {
        return Ok(None);
    };
    // No rejects file is stored as NULL.
    let rejects: Option<Vec<u8>> = r.get("rejects")?;
    Ok(Some((rejects.unwrap_or_default(), r.get("file_name")?)))
}

/// Every kept rejects file: (job id, sealed bytes) — for a key rotation.
pub fn all_rejects(c: &mut dyn Conn) -> Result<Vec<(i64, Vec<u8>)>> {
    let rows = c.query(
        "SELECT id, rejects FROM jobs WHERE rejects IS NOT NULL ORDER BY id",
        &[],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let sealed: Vec<u8> = r.get("rejects")?;
        if !sealed.is_empty() {
            out.push((r.get("id")?, sealed));
        }
    }
    Ok(out)
}

pub fn set_rejects(c: &mut dyn Conn, id: i64, sealed: Vec<u8>) -> Result<()> {
    c.execute(
        "UPDATE jobs SET rejects = ? WHERE id = ?",
        params![Value::Blob(sealed), id],
    )?;
    Ok(())
}

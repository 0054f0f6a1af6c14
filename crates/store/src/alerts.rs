//! Departmental alert files, their rows and the correction tasks they
//! open; the registry members an alert row's blind index matches; the
//! households marked exited that fail the exit check. Reads of these hold
//! personal data and take the registry's scope.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::registry::scope_condition;
use crate::row::{FromRow, Row};
use chrono::NaiveDate;
use dingdian_core::alerts::{
    AlertEvent, AlertFile, AlertFileFilter, AlertOutcome, AlertRowRecord, AlertSource,
    CorrectionFilter, CorrectionStatus, CorrectionTask,
};
use dingdian_core::registry::PovertyStatus;
use dingdian_core::role::Scope;

impl FromRow for AlertFile {
    const TABLE: &'static str = "alert_files";
    fn from_row(r: &Row) -> Result<AlertFile> {
        Ok(AlertFile {
            id: r.get("id")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            source: r.decode("source", |s: String| AlertSource::from_code(&s))?,
            file_name: r.get("file_name")?,
            rows_read: r.get("rows_read")?,
            matched: r.get("matched")?,
            unmatched: r.get("unmatched")?,
            refused: r.get("refused")?,
            imported_by: r.get("imported_by_name")?,
            imported_at: r.get("imported_at")?,
        })
    }
}

impl FromRow for AlertRowRecord {
    const TABLE: &'static str = "alert_rows";
    fn from_row(r: &Row) -> Result<AlertRowRecord> {
        Ok(AlertRowRecord {
            id: r.get("id")?,
            row_no: r.get("row_no")?,
            id_masked: r.get("id_masked")?,
            event: r.get("event")?,
            event_date: r.get("event_date")?,
            amount_fen: r.get("amount_fen")?,
            outcome: r.decode("outcome", |s: String| AlertOutcome::from_code(&s))?,
            reason: r.get("reason")?,
            matched_year: r.get("matched_year")?,
            matched_household: r.get("matched_household")?,
            monitored_id: r.get("monitored_id")?,
            correction_id: r.get("correction_id")?,
        })
    }
}

impl FromRow for CorrectionTask {
    const TABLE: &'static str = "correction_tasks";
    fn from_row(r: &Row) -> Result<CorrectionTask> {
        Ok(CorrectionTask {
            id: r.get("id")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            household_id: r.get("household_id")?,
            year: r.get("year")?,
            alert_row_id: r.get("alert_row_id")?,
            file_id: r.get("file_id")?,
            id_masked: r.get("id_masked")?,
            source: r.decode("source", |s: String| AlertSource::from_code(&s))?,
            task: r.decode("task", |s: String| AlertEvent::from_code(&s))?,
            status: r.decode("status", |s: String| CorrectionStatus::from_code(&s))?,
            note: r.get("note")?,
            done_by: r.get("done_by_name")?,
            done_at: r.get("done_at")?,
            created_at: r.get("created_at")?,
        })
    }
}

/// A new alert file (its counts are set once its rows are written).
pub struct NewAlertFile<'a> {
    pub county_code: &'a str,
    pub source: AlertSource,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub by: Option<i64>,
    pub now: i64,
}

/// One row as it is kept: the blind index and the masked number only.
pub struct NewAlertRow<'a> {
    pub file_id: i64,
    pub row_no: i64,
    pub id_index: Option<&'a [u8]>,
    pub id_masked: &'a str,
    pub event: &'a str,
    pub event_date: Option<NaiveDate>,
    pub amount_fen: Option<i64>,
    pub outcome: AlertOutcome,
    pub reason: Option<&'a str>,
    pub matched: Option<(i32, &'a str)>,
    pub now: i64,
}

/// The counts of a file: read, matched, unmatched, refused.
pub type Counts = [i64; 4];

/// The file a county already imported with these bytes, if any.
pub fn file_by_sha(c: &mut dyn Conn, county: &str, sha256: &str) -> Result<Option<i64>> {
    let r = c.query_one(
        "SELECT id FROM alert_files WHERE county_code = ? AND sha256 = ?",
        params![county, sha256],
    )?;
    r.map(|r| r.get("id")).transpose()
}

pub fn insert_file(c: &mut dyn Conn, f: &NewAlertFile) -> Result<i64> {
    c.query_i64(
        "INSERT INTO alert_files (county_code, source, file_name, sha256, rows_read, matched, unmatched, refused, imported_by, imported_at) \
         VALUES (?, ?, ?, ?, 0, 0, 0, 0, ?, ?) RETURNING id",
        params![f.county_code, f.source.code(), f.file_name, f.sha256, f.by, f.now],
    )
}

pub fn set_counts(c: &mut dyn Conn, file_id: i64, n: Counts) -> Result<()> {
    c.execute(
        "UPDATE alert_files SET rows_read = ?, matched = ?, unmatched = ?, refused = ? WHERE id = ?",
        params![n[0], n[1], n[2], n[3], file_id],
    )?;
    Ok(())
}

pub fn insert_row(c: &mut dyn Conn, r: &NewAlertRow) -> Result<i64> {
    let (year, household) = r.matched.unzip();
    c.query_i64(
        "INSERT INTO alert_rows (file_id, row_no, id_index, id_masked, event, event_date, amount_fen, outcome, reason, \
         matched_year, matched_household, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            r.file_id,
            r.row_no,
            r.id_index.map(|b| Value::Blob(b.to_vec())).unwrap_or(Value::Null),
            r.id_masked,
            r.event,
            r.event_date,
            r.amount_fen,
            r.outcome.code(),
            r.reason,
            year,
            household,
            r.now
        ],
    )
}

/// Links a flagged row to the case it raised or found (`reason`
/// `already_flagged` when the case held the risk already).
pub fn set_row_case(
    c: &mut dyn Conn,
    row_id: i64,
    monitored_id: i64,
    reason: Option<&str>,
) -> Result<()> {
    c.execute(
        "UPDATE alert_rows SET monitored_id = ?, reason = ? WHERE id = ?",
        params![monitored_id, reason, row_id],
    )?;
    Ok(())
}

/// Where a blind index is registered: the latest year first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexMatch {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub status: PovertyStatus,
}

/// Every registration of any of `indexes` (one person's index under each
/// key of the ring), in every county: the caller decides what it may
/// tell. Latest year first.
pub fn registrations(c: &mut dyn Conn, indexes: &[Vec<u8>]) -> Result<Vec<IndexMatch>> {
    let marks = vec!["?"; indexes.len()].join(", ");
    let p: Vec<Value> = indexes.iter().map(|i| Value::Blob(i.clone())).collect();
    let rows = c.query(
        &format!(
            "SELECT m.year, m.household_id, h.county_code, h.status FROM members m \
             JOIN households h ON h.year = m.year AND h.household_id = m.household_id \
             WHERE m.id_index IN ({marks}) ORDER BY m.year DESC, m.household_id"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            Ok(IndexMatch {
                year: r.get("year")?,
                household_id: r.get("household_id")?,
                county_code: r.get("county_code")?,
                status: r.decode("status", |s: i64| PovertyStatus::from_code(s as u8))?,
            })
        })
        .collect()
}

pub struct NewCorrection<'a> {
    pub county_code: &'a str,
    pub household_id: &'a str,
    pub year: i32,
    pub alert_row_id: i64,
    pub source: AlertSource,
    pub task: AlertEvent,
    pub now: i64,
}

pub fn insert_correction(c: &mut dyn Conn, t: &NewCorrection) -> Result<i64> {
    c.query_i64(
        "INSERT INTO correction_tasks (county_code, household_id, year, alert_row_id, source, task, status, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            t.county_code,
            t.household_id,
            t.year,
            t.alert_row_id,
            t.source.code(),
            t.task.code(),
            CorrectionStatus::Open.code(),
            t.now
        ],
    )
}

const FILES: &str = "SELECT f.id, f.county_code, a.name AS county_name, f.source, f.file_name, f.rows_read, f.matched, \
     f.unmatched, f.refused, COALESCE(u.display_name, u.username) AS imported_by_name, f.imported_at \
     FROM alert_files f JOIN areas a ON a.code = f.county_code LEFT JOIN users u ON u.id = f.imported_by";

fn like(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of alert files in the registry scope, newest first.
pub fn files(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &AlertFileFilter,
    page: Page,
) -> Result<(Vec<AlertFile>, i64)> {
    let mut p = Vec::new();
    let mut w = format!(
        " WHERE 1 = 1{}",
        scope_condition(scope, "f.county_code", &mut p)
    );
    if let Some(county) = &f.county_code {
        w.push_str(" AND f.county_code = ?");
        p.push(county.clone().into());
    }
    if let Some(s) = f.source {
        w.push_str(" AND f.source = ?");
        p.push(s.code().into());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        w.push_str(" AND f.file_name LIKE ? ESCAPE '\\'");
        p.push(like(q).into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM alert_files f{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!("{FILES}{w} ORDER BY f.imported_at DESC, f.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((items, total))
}

pub fn file(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<AlertFile>> {
    let mut p = vec![Value::from(id)];
    let w = scope_condition(scope, "f.county_code", &mut p);
    c.query_one_as(&format!("{FILES} WHERE f.id = ?{w}"), &p)
}

/// A page of a file's rows in file order (the file was reached in scope).
pub fn rows(c: &mut dyn Conn, file_id: i64, page: Page) -> Result<(Vec<AlertRowRecord>, i64)> {
    let total = c.query_i64(
        "SELECT COUNT(*) FROM alert_rows WHERE file_id = ?",
        params![file_id],
    )?;
    let items = c.query_as(
        "SELECT r.id, r.row_no, r.id_masked, r.event, r.event_date, r.amount_fen, r.outcome, r.reason, r.matched_year, \
         r.matched_household, r.monitored_id, (SELECT MIN(t.id) FROM correction_tasks t WHERE t.alert_row_id = r.id) AS correction_id \
         FROM alert_rows r WHERE r.file_id = ? ORDER BY r.row_no, r.id LIMIT ? OFFSET ?",
        params![file_id, page.limit(), page.offset()],
    )?;
    Ok((items, total))
}

const CORRECTIONS: &str = "SELECT t.id, t.county_code, a.name AS county_name, t.household_id, t.year, t.alert_row_id, \
     r.file_id, r.id_masked, t.source, t.task, t.status, t.note, COALESCE(u.display_name, u.username) AS done_by_name, \
     t.done_at, t.created_at FROM correction_tasks t JOIN alert_rows r ON r.id = t.alert_row_id \
     JOIN areas a ON a.code = t.county_code LEFT JOIN users u ON u.id = t.done_by";

/// A page of correction tasks in the registry scope: open first, newest first.
pub fn corrections(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &CorrectionFilter,
    page: Page,
) -> Result<(Vec<CorrectionTask>, i64)> {
    let mut p = Vec::new();
    let mut w = format!(
        " WHERE 1 = 1{}",
        scope_condition(scope, "t.county_code", &mut p)
    );
    if let Some(county) = &f.county_code {
        w.push_str(" AND t.county_code = ?");
        p.push(county.clone().into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND t.status = ?");
        p.push(s.code().into());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.is_empty()) {
        w.push_str(" AND t.household_id LIKE ? ESCAPE '\\'");
        p.push(like(q).into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM correction_tasks t{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!(
            "{CORRECTIONS}{w} ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, t.created_at DESC, t.id DESC LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    Ok((items, total))
}

pub fn correction(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<CorrectionTask>> {
    let mut p = vec![Value::from(id)];
    let w = scope_condition(scope, "t.county_code", &mut p);
    c.query_one_as(&format!("{CORRECTIONS} WHERE t.id = ?{w}"), &p)
}

/// Closes an open task; whether it was open (a second close finds none).
pub fn close_correction(
    c: &mut dyn Conn,
    id: i64,
    to: CorrectionStatus,
    note: &str,
    by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let n = c.execute(
        "UPDATE correction_tasks SET status = ?, note = ?, done_by = ?, done_at = ? WHERE id = ? AND status = 'open'",
        params![to.code(), note, by, now, id],
    )?;
    Ok(n > 0)
}

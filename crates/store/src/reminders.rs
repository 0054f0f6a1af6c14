//! Reminders: what is due (read from the tables of reports,
//! rectifications and letters directly), each user's inbox, the lease that
//! lets one instance run them, and the claim that sends each e-mail once.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use chrono::NaiveDate;

/// A report not yet submitted (draft or returned) due by some day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    pub id: i64,
    pub kind: String,
    pub period: String,
    pub unit_id: i64,
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    pub author_id: Option<i64>,
    pub due: NaiveDate,
}

/// Reports in `draft` or `returned` due on or before `through`.
pub fn open_reports(c: &mut dyn Conn, through: NaiveDate) -> Result<Vec<OpenReport>> {
    let rows = c.query(
        "SELECT r.id, r.kind, r.period, r.unit_id, r.county_code, a.name AS county_name, \
         r.author_id, r.due FROM reports r LEFT JOIN areas a ON a.code = r.county_code \
         WHERE r.status IN ('draft', 'returned') AND r.due <= ? ORDER BY r.id",
        params![through],
    )?;
    rows.iter()
        .map(|r| {
            Ok(OpenReport {
                id: r.get("id")?,
                kind: r.get("kind")?,
                period: r.get("period")?,
                unit_id: r.get("unit_id")?,
                county_code: r.get("county_code")?,
                county_name: r.get("county_name")?,
                author_id: r.get("author_id")?,
                due: r.get("due")?,
            })
        })
        .collect()
}

/// A rectification item still open or in progress, due by some day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRectification {
    pub id: i64,
    pub owner_id: i64,
    pub action: String,
    pub county_name: String,
    pub deadline: NaiveDate,
}

/// Rectifications `open` or `in_progress` with a deadline on or before
/// `through`.
pub fn open_rectifications(c: &mut dyn Conn, through: NaiveDate) -> Result<Vec<OpenRectification>> {
    let rows = c.query(
        "SELECT r.id, r.owner_id, r.action, a.name AS county_name, r.deadline \
         FROM rectifications r JOIN areas a ON a.code = r.county_code \
         WHERE r.status IN ('open', 'in_progress') AND r.deadline <= ? ORDER BY r.id",
        params![through],
    )?;
    rows.iter()
        .map(|r| {
            Ok(OpenRectification {
                id: r.get("id")?,
                owner_id: r.get("owner_id")?,
                action: r.get("action")?,
                county_name: r.get("county_name")?,
                deadline: r.get("deadline")?,
            })
        })
        .collect()
}

/// A responsibility letter set and not signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedLetter {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    /// None: the letter covers all the unit's counties.
    pub county_name: Option<String>,
}

/// The letters of `from_year` or later set and not signed.
pub fn unsigned_letters(c: &mut dyn Conn, from_year: i32) -> Result<Vec<UnsignedLetter>> {
    let rows = c.query(
        "SELECT l.id, l.unit_id, l.year, a.name AS county_name FROM letters l \
         LEFT JOIN areas a ON a.code = l.county_code \
         WHERE l.status = 'set' AND l.year >= ? ORDER BY l.id",
        params![from_year],
    )?;
    rows.iter()
        .map(|r| {
            Ok(UnsignedLetter {
                id: r.get("id")?,
                unit_id: r.get("unit_id")?,
                year: r.get("year")?,
                county_name: r.get("county_name")?,
            })
        })
        .collect()
}

/// The active accounts of a role for a unit (and county, for cadres).
pub fn accounts_of(
    c: &mut dyn Conn,
    role: &str,
    unit_id: i64,
    county_code: Option<&str>,
) -> Result<Vec<i64>> {
    let mut p = params![role, unit_id].to_vec();
    let mut sql =
        String::from("SELECT id FROM users WHERE role = ? AND unit_id = ? AND active = TRUE");
    if let Some(county) = county_code {
        sql.push_str(" AND county_code = ?");
        p.push(county.into());
    }
    sql.push_str(" ORDER BY id");
    let rows = c.query(&sql, &p)?;
    rows.iter().map(Row::single).collect()
}

/// A reminder to store.
#[derive(Debug, Clone, Copy)]
pub struct NewReminder<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub subject: (&'a str, &'a str),
    pub due: Option<NaiveDate>,
    pub message_args: &'a str,
    pub dedup_key: &'a str,
}

/// Stores a reminder unless the user already has one with its key;
/// whether it was new.
pub fn insert(c: &mut dyn Conn, r: NewReminder, now: i64) -> Result<bool> {
    let n = c.execute(
        "INSERT INTO reminders (user_id, kind, subject_type, subject_id, due, message_key, \
         message_args, dedup_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (user_id, dedup_key) DO NOTHING",
        params![
            r.user_id,
            r.kind,
            r.subject.0,
            r.subject.1,
            r.due,
            r.kind,
            r.message_args,
            r.dedup_key,
            now
        ],
    )?;
    Ok(n == 1)
}

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: String,
    pub due: Option<NaiveDate>,
    pub message_args: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub emailed_at: Option<i64>,
}

impl FromRow for ReminderRow {
    const TABLE: &'static str = "reminders";
    fn from_row(r: &Row) -> Result<ReminderRow> {
        Ok(ReminderRow {
            id: r.get("id")?,
            user_id: r.get("user_id")?,
            kind: r.get("message_key")?,
            subject_type: r.get("subject_type")?,
            subject_id: r.get("subject_id")?,
            due: r.get("due")?,
            message_args: r.get("message_args")?,
            created_at: r.get("created_at")?,
            read_at: r.get("read_at")?,
            emailed_at: r.get("emailed_at")?,
        })
    }
}

/// A page of a user's reminders (unread first, then newest), with the
/// total.
pub fn inbox(
    c: &mut dyn Conn,
    user_id: i64,
    unread_only: bool,
    page: Page,
) -> Result<(Vec<ReminderRow>, i64)> {
    let w = if unread_only {
        " WHERE user_id = ? AND read_at IS NULL"
    } else {
        " WHERE user_id = ?"
    };
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM reminders{w}"),
        params![user_id],
    )?;
    let rows = c.query_as(
        &format!(
            "SELECT * FROM reminders{w} \
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
             LIMIT ? OFFSET ?"
        ),
        params![user_id, page.limit(), page.offset()],
    )?;
    Ok((rows, total))
}

pub fn unread_count(c: &mut dyn Conn, user_id: i64) -> Result<i64> {
    c.query_i64(
        "SELECT COUNT(*) FROM reminders WHERE user_id = ? AND read_at IS NULL",
        params![user_id],
    )
}

/// Marks one of the user's reminders read; whether it is the user's.
pub fn mark_read(c: &mut dyn Conn, user_id: i64, id: i64, now: i64) -> Result<bool> {
    let mine = c.query_i64(
        "SELECT COUNT(*) FROM reminders WHERE id = ? AND user_id = ?",
        params![id, user_id],
    )?;
    if mine == 0 {
        return Ok(false);
    }
    c.execute(
        "UPDATE reminders SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL",
        params![now, id, user_id],
    )?;
    Ok(true)
}

/// Takes (or keeps) the lease `name` for `holder` until `until`, if it is
/// free, expired or already the holder's. A conditional UPDATE: on
/// PostgreSQL a second taker waits for the first one's row lock and then
/// finds the condition false, so only one holds it.
pub fn take_lease(
    c: &mut dyn Conn,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool> {
    c.execute(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?, '', 0) \
         ON CONFLICT (name) DO NOTHING",
        params![name],
    )?;
    let n = c.execute(
        "UPDATE leases SET holder = ?, expires_at = ? \
         WHERE name = ? AND (holder = ? OR expires_at <= ?)",
        params![holder, until, name, holder, now],
    )?;
    Ok(n == 1)
}

/// A reminder claimed for e-mail: where to and in which language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub reminder: ReminderRow,
    pub email: String,
    pub language: String,
}

/// Claims up to `limit` unread reminders not yet e-mailed whose user has
/// an address: `emailed_at` is set by the very statement that picks them,
/// so nobody claims them again.
pub fn claim_unmailed(c: &mut dyn Conn, now: i64, limit: i64) -> Result<Vec<Outgoing>> {
    let claimed = c.query(
        "UPDATE reminders SET emailed_at = ? WHERE id IN (SELECT r.id FROM reminders r \
         JOIN users u ON u.id = r.user_id WHERE r.emailed_at IS NULL AND r.read_at IS NULL \
         AND u.active = TRUE AND u.email IS NOT NULL AND u.email <> '' ORDER BY r.id LIMIT ?) \
         RETURNING id",
        params![now, limit],
    )?;
    let mut out = Vec::with_capacity(claimed.len());
    for row in &claimed {
        let id: i64 = row.single()?;
        let r = c.query_one(
            "SELECT r.*, u.email, u.language FROM reminders r JOIN users u ON u.id = r.user_id \
             WHERE r.id = ?",
            params![id],
        )?;
        if let Some(r) = r {
            out.push(Outgoing {
                reminder: r.to()?,
                email: r.get("email")?,
                language: r.get("language")?,
            });
        }
    }
    out.sort_by_key(|o| o.reminder.id);
    Ok(out)
}

/// Gives a claim back after a failed send, so a later run tries again.
pub fn unclaim(c: &mut dyn Conn, id: i64) -> Result<()> {
    c.execute(
        "UPDATE reminders SET emailed_at = NULL WHERE id = ?",
        params![id],
    )?;
    Ok(())
}

/// A user's e-mail address, if set.
pub fn email_of(c: &mut dyn Conn, user_id: i64) -> Result<Option<String>> {
    let row = c.query_one("SELECT email FROM users WHERE id = ?", params![user_id])?;
    Ok(row
        .map(|r| r.get::<Option<String>>("email"))
        .transpose()?
        .flatten())
}

pub fn set_email(c: &mut dyn Conn, user_id: i64, email: Option<&str>) -> Result<u64> {
    c.execute(
        "UPDATE users SET email = ? WHERE id = ?",
        &[Value::from(email), Value::from(user_id)],
    )
}

//! The reporting calendar and reports: calendars by year, one row per
//! expected report (opened idempotently: the unique indexes of 0015 make
//! two servers opening the same report harmless), their steps and
//! attachments. Reads of reports are scoped on the row's unit and county.

use crate::assistance_plans::{StepRecord, Who};
use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::report::{
    ExpectedReport, Report, ReportCalendar, ReportFilter, ReportKind, ReportPeriod, ReportStatus,
    Sections, StatusFilter, TeamSpan,
};
use dingdian_core::role::Scope;

impl FromRow for ReportCalendar {
    const TABLE: &'static str = "report_calendars";
    fn from_row(r: &Row) -> Result<ReportCalendar> {
        Ok(ReportCalendar {
            year: r.get("year")?,
            quarterly_due_days: r.get("quarterly_due_days")?,
            year_end_due: r.get("year_end_due")?,
            annual_summary_due: r.get("annual_summary_due")?,
        })
    }
}

const CALENDAR: &str =
    "SELECT year, quarterly_due_days, year_end_due, annual_summary_due FROM report_calendars";

pub fn calendar(c: &mut dyn Conn, year: i32) -> Result<Option<ReportCalendar>> {
    c.query_one_as(&format!("{CALENDAR} WHERE year = ?"), params![year])
}

pub fn calendars(c: &mut dyn Conn) -> Result<Vec<ReportCalendar>> {
    c.query_as(&format!("{CALENDAR} ORDER BY year"), &[])
}

/// Sets a year's calendar (replacing it); the due dates of its reports
/// still with their authors follow.
pub fn put_calendar(
    c: &mut dyn Conn,
    k: &ReportCalendar,
    set_by: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO report_calendars (year, quarterly_due_days, year_end_due, annual_summary_due, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (year) DO UPDATE SET quarterly_due_days = excluded.quarterly_due_days, year_end_due = excluded.year_end_due, \
         annual_summary_due = excluded.annual_summary_due, set_by = excluded.set_by, set_at = excluded.set_at",
        params![k.year, k.quarterly_due_days, k.year_end_due, k.annual_summary_due, set_by, now],
    )?;
    Ok(())
}

/// Moves the due date of the reports of one slot not yet submitted.
pub fn set_due(
    c: &mut dyn Conn,
    kind: ReportKind,
    period: ReportPeriod,
    due: NaiveDate,
    now: i64,
) -> Result<u64> {
    c.execute(
        "UPDATE reports SET due = ?, updated_at = ? WHERE kind = ? AND period = ? AND status IN ('draft', 'returned') AND due <> ?",
        params![due, now, kind.code(), period.to_string(), due],
    )
}

impl FromRow for TeamSpan {
    const TABLE: &'static str = "secondments";
    fn from_row(r: &Row) -> Result<TeamSpan> {
        Ok(TeamSpan {
            unit_id: r.get("unit_id")?,
            county_code: r.get("county_code")?,
            start: r.get("start_date")?,
            end: r.get("end_on")?,
            status: r.get("status")?,
            leader: r.get::<String>("role")? == "leader",
            person_name: r.get("person_name")?,
        })
    }
}

/// Every secondment as the calendar sees it.
pub fn team_spans(c: &mut dyn Conn) -> Result<Vec<TeamSpan>> {
    c.query_as(
        "SELECT unit_id, county_code, start_date, COALESCE(end_date, planned_end) AS end_on, status, role, person_name \
         FROM secondments ORDER BY unit_id, county_code, start_date",
        &[],
    )
}

/// Opens an expected report as an authorless draft, unless it is open
/// already; whether a row was added.
pub fn open(c: &mut dyn Conn, e: &ExpectedReport, now: i64) -> Result<bool> {
    let n = c.execute(
        "INSERT INTO reports (kind, period, unit_id, county_code, due, status, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, 'draft', ?, ?) ON CONFLICT DO NOTHING",
        params![e.kind.code(), e.period.to_string(), e.unit_id, e.county_code.clone(), e.due, now, now],
    )?;
    Ok(n > 0)
}

const SELECT: &str = "SELECT r.id, r.kind, r.period, r.unit_id, u.name AS unit_name, r.county_code, ar.name AS county_name, r.author_id, \
     COALESCE(au.display_name, au.username) AS author, r.due, r.status, r.work_done, r.problems, r.next_steps, r.figures, r.revision, \
     r.saved_at, r.submitted_at, r.reviewed_at, \
     (SELECT MIN(t.at) FROM report_transitions t WHERE t.report_id = r.id AND t.to_status = 'submitted') AS first_submitted_at \
     FROM reports r JOIN units u ON u.id = r.unit_id LEFT JOIN areas ar ON ar.code = r.county_code LEFT JOIN users au ON au.id = r.author_id";

impl FromRow for Report {
    const TABLE: &'static str = "reports";
    fn from_row(r: &Row) -> Result<Report> {
        Ok(Report {
            id: r.get("id")?,
            kind: r.decode("kind", |s: String| ReportKind::from_code(&s))?,
            period: r.decode("period", |s: String| ReportPeriod::parse(&s))?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            author_id: r.get("author_id")?,
            author: r.get("author")?,
            due: r.get("due")?,
            status: r.decode("status", |s: String| ReportStatus::from_code(&s))?,
            sections: Sections {
                work_done: r.get("work_done")?,
                problems: r.get("problems")?,
                next_steps: r.get("next_steps")?,
            },
            figures: r.get("figures")?,
            revision: r.get("revision")?,
            saved_at: r.get("saved_at")?,
            submitted_at: r.get("submitted_at")?,
            first_submitted_at: r.get("first_submitted_at")?,
            reviewed_at: r.get("reviewed_at")?,
        })
    }
}

fn list_where(scope: &Scope, f: &ReportFilter, today: NaiveDate, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("r", scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND r.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND r.county_code = ?");
        p.push(county.into());
    }
    if let Some(k) = f.kind {
        w.push_str(" AND r.kind = ?");
        p.push(k.code().into());
    }
    if let Some(period) = f.period {
        w.push_str(" AND r.period = ?");
        p.push(period.to_string().into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND SUBSTR(r.period, 1, 4) = ?");
        p.push(y.to_string().into());
    }
    match f.status {
        Some(StatusFilter::Is(s)) => {
            w.push_str(" AND r.status = ?");
            p.push(s.code().into());
        }
        Some(StatusFilter::Overdue) => {
            w.push_str(" AND r.status IN ('draft', 'returned') AND r.due < ?");
            p.push(today.into());
        }
        None => {}
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (u.name LIKE ? OR ar.name LIKE ? OR au.display_name LIKE ?)");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.clone().into(), like.into()]);
    }
    w
}

/// The reports the scope and the filter reach, latest due first.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &ReportFilter,
    today: NaiveDate,
    page: Page,
) -> Result<(Vec<Report>, i64)> {
    let mut p = Vec::new();
    let w = list_where(scope, f, today, &mut p);
    let total = c.query_i64(
        &format!(
            "SELECT COUNT(*) FROM reports r JOIN units u ON u.id = r.unit_id LEFT JOIN areas ar ON ar.code = r.county_code \
             LEFT JOIN users au ON au.id = r.author_id{w}"
        ),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!("{SELECT}{w} ORDER BY r.due DESC, r.unit_id, r.county_code, r.kind, r.id LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((items, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Report>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("r", scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE r.id = ?{w}"), &p)
}

/// Saves the sections if the stored revision is still `revision`; the new
/// revision, or `None` when another save came first.
pub fn save_sections(
    c: &mut dyn Conn,
    id: i64,
    s: &Sections,
    (revision, author_id): (i64, Option<i64>),
    now: i64,
) -> Result<Option<i64>> {
    let n = c.execute(
        "UPDATE reports SET work_done = ?, problems = ?, next_steps = ?, revision = revision + 1, saved_at = ?, updated_at = ?, \
         author_id = COALESCE(author_id, ?) WHERE id = ? AND revision = ?",
        params![s.work_done.clone(), s.problems.clone(), s.next_steps.clone(), now, now, author_id, id, revision],
    )?;
    Ok((n > 0).then_some(revision + 1))
}

/// Marks the report submitted with its frozen figures.
pub fn set_submitted(
    c: &mut dyn Conn,
    id: i64,
    figures: &str,
    author_id: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE reports SET status = 'submitted', figures = ?, submitted_at = ?, updated_at = ?, revision = revision + 1, \
         author_id = COALESCE(author_id, ?) WHERE id = ?",
        params![figures, now, now, author_id, id],
    )?;
    Ok(())
}

/// Records the unit's decision.
pub fn set_reviewed(
    c: &mut dyn Conn,
    id: i64,
    to: ReportStatus,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE reports SET status = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
        params![to.code(), by, now, now, id],
    )?;
    Ok(())
}

pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (ReportStatus, ReportStatus),
    (user_id, username): Who,
    comment: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO report_transitions (report_id, from_status, to_status, user_id, username, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, from.code(), to.code(), user_id, username, now, comment],
    )?;
    Ok(())
}

impl FromRow for StepRecord<ReportStatus> {
    const TABLE: &'static str = "report_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        let parse = |s: String| ReportStatus::from_code(&s);
        Ok(StepRecord {
            from: r.decode_opt("from_status", parse)?,
            to: r.decode("to_status", parse)?,
            on_date: None,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
            reason: r.get("comment")?,
        })
    }
}

pub fn transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<ReportStatus>>> {
    c.query_as(
        "SELECT t.from_status, t.to_status, t.username, t.at, t.comment, COALESCE(u.display_name, t.username) AS display_name \
         FROM report_transitions t LEFT JOIN users u ON u.id = t.user_id WHERE t.report_id = ? ORDER BY t.id",
        params![id],
    )
}

/// An attachment of a report, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAttachment {
    pub id: i64,
    pub report_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub file_name: String,
    pub display_name: String,
    pub at: i64,
}

impl FromRow for ReportAttachment {
    const TABLE: &'static str = "report_attachments";
    fn from_row(r: &Row) -> Result<ReportAttachment> {
        Ok(ReportAttachment {
            id: r.get("id")?,
            report_id: r.get("report_id")?,
            sha256: r.get("sha256")?,
            media_type: r.get("media_type")?,
            size: r.get("size")?,
            file_name: r.get("file_name")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
        })
    }
}

const ATTACHMENT: &str = "SELECT ra.id, ra.report_id, ra.sha256, a.media_type, a.size, ra.file_name, ra.at, COALESCE(u.display_name, ra.username) AS display_name \
     FROM report_attachments ra JOIN attachments a ON a.sha256 = ra.sha256 LEFT JOIN users u ON u.id = ra.user_id";

/// Attaches stored bytes (see `attachments::put`) to a report.
pub fn attach(
    c: &mut dyn Conn,
    report_id: i64,
    (sha256, file_name): (&str, &str),
    (user_id, username): Who,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO report_attachments (report_id, sha256, file_name, user_id, username, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        params![report_id, sha256, file_name, user_id, username, now],
    )
}

pub fn attachments(c: &mut dyn Conn, report_id: i64) -> Result<Vec<ReportAttachment>> {
    c.query_as(
        &format!("{ATTACHMENT} WHERE ra.report_id = ? ORDER BY ra.id"),
        params![report_id],
    )
}

/// One attachment of a report with its bytes.
pub fn attachment(
    c: &mut dyn Conn,
    report_id: i64,
    id: i64,
) -> Result<Option<(ReportAttachment, Vec<u8>)>> {
    let Some(a) = c.query_one_as::<ReportAttachment>(
        &format!("{ATTACHMENT} WHERE ra.report_id = ? AND ra.id = ?"),
        params![report_id, id],
    )?
    else {
        return Ok(None);
    };
    Ok(crate::attachments::content(c, &a.sha256)?.map(|bytes| (a, bytes)))
}

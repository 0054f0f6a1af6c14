//! Reports and the reporting calendar: lists (`?status=overdue` past due
//! and still with the author), one report with its sections, figures,
//! attachments and history, the autosave (`revision` guards against a
//! stale tab), submission, the unit's review, the office's calendar and
//! punctuality.

use super::answers::{ApiResult, List, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use chrono::SecondsFormat;
use dingdian_app::report_punctuality::Punctuality;
use dingdian_app::reports::{Decision, ReportDetail};
use dingdian_core::report::{
    CalendarInput, Report, ReportFigures, ReportFilter, ReportKind, ReportPeriod, Sections,
    StatusFilter,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The filter of the report list, from the query string.
pub(crate) fn filter(q: &Q, lang: &str) -> Result<ReportFilter, crate::error::ApiError> {
    Ok(ReportFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        kind: parsed(q, "kind", ReportKind::from_code, lang)?,
        period: parsed(q, "period", ReportPeriod::parse, lang)?,
        status: parsed(q, "status", StatusFilter::from_code, lang)?,
        year: parsed(
            q,
            "year",
            |v| v.parse().ok().filter(|y| (2000..=2100).contains(y)),
            lang,
        )?,
        q: qv(q, "q").map(|s| s.chars().take(100).collect()),
    })
}

fn rfc3339(ts: Option<i64>) -> Option<String> {
    ts.and_then(time::to_utc)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A report in a list.
#[derive(Serialize, ToSchema)]
pub(super) struct ReportItem {
    id: i64,
    /// quarterly, year_end or annual_summary.
    kind: String,
    /// `2016-Q3` or `2016`.
    period: String,
    unit_id: i64,
    unit_name: String,
    /// Null for the unit's annual summary.
    county_code: Option<String>,
    county_name: Option<String>,
    /// The author's display name; null until someone writes it.
    author: Option<String>,
    /// YYYY-MM-DD.
    due: String,
    /// RFC 3339, the last submission; null before.
    submitted_at: Option<String>,
    /// draft, submitted, accepted or returned.
    status: String,
    /// Past due and still with the author.
    overdue: bool,
    /// The revision a save must name.
    revision: i64,
}

fn item(r: &Report, today: chrono::NaiveDate) -> ReportItem {
    ReportItem {
        id: r.id,
        kind: r.kind.code().into(),
        period: r.period.to_string(),
        unit_id: r.unit_id,
        unit_name: r.unit_name.clone(),
        county_code: r.county_code.clone(),
        county_name: r.county_name.clone(),
        author: r.author.clone(),
        due: r.due.to_string(),
        submitted_at: rfc3339(r.submitted_at),
        status: r.status.code().into(),
        overdue: r.overdue(today),
        revision: r.revision,
    }
}

/// Reports the caller may see.
#[utoipa::path(get, path = "/reports", tag = "reports",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("kind" = Option<String>, Query, description = "quarterly, year_end or annual_summary"),
        ("period" = Option<String>, Query, description = "2016-Q3 or 2016"),
        ("year" = Option<i32>, Query, description = "the period's year"),
        ("status" = Option<String>, Query, description = "draft, submitted, accepted, returned, or overdue (past due, not submitted)"),
        ("q" = Option<String>, Query, description = "text in the unit's or county's name or the author's"),
        PageParams),
    responses((status = 200, body = List<ReportItem>)))]
pub(super) async fn list_reports(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let today = time::today();
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_reports(&actor, &f, today, p)).await?;
    list(items.iter().map(|r| item(r, today)).collect(), total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct StartReport {
    /// quarterly, year_end (a cadre's team) or annual_summary (the unit).
    kind: String,
    /// `2016-Q3` or `2016`: a period that has ended.
    period: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct NewReport {
    id: i64,
}

/// Open the caller's own report of an ended period before the calendar's
/// daily opening does (cadre: its team's; unit: its annual summary).
#[utoipa::path(post, path = "/reports", tag = "reports", request_body = StartReport,
    responses((status = 201, body = NewReport)))]
pub(super) async fn start_report(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let b: StartReport = body_for(&c, Action::WriteReports, &bytes)?;
    let kind = ReportKind::from_code(&b.kind).ok_or_else(|| {
        c.err(dingdian_app::AppError::invalid(
            "kind",
            b.kind.chars().take(40).collect::<String>(),
            "bad_kind",
            "报告类型应为 quarterly、year_end 或 annual_summary",
            "kind is quarterly, year_end or annual_summary",
        ))
    })?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || {
        app.start_report(&actor, kind, &b.period, time::today())
    })
    .await?;
    created(NewReport { id })
}

#[derive(Serialize, ToSchema)]
pub(super) struct ReportAttachmentItem {
    id: i64,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    by: String,
    at: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct ReportHistoryItem {
    from: Option<String>,
    to: String,
    by: String,
    at: String,
    comment: Option<String>,
}

/// A report with everything on its page.
#[derive(Serialize, ToSchema)]
pub(super) struct ReportDoc {
    #[serde(flatten)]
    report: ReportItem,
    sections: Sections,
    /// Computed from the ledger and the records; frozen at submission.
    figures: ReportFigures,
    figures_frozen: bool,
    attachments: Vec<ReportAttachmentItem>,
    history: Vec<ReportHistoryItem>,
    /// The caller may edit and submit it.
    may_write: bool,
    /// The caller may accept or return it.
    may_review: bool,
}

fn doc(d: ReportDetail, today: chrono::NaiveDate) -> ReportDoc {
    let at = |ts| rfc3339(Some(ts)).unwrap_or_default();
    ReportDoc {
        report: item(&d.report, today),
        sections: d.report.sections.clone(),
        figures: d.figures,
        figures_frozen: d.figures_frozen,
        attachments: d
            .attachments
            .into_iter()
            .map(|a| ReportAttachmentItem {
                id: a.id,
                file_name: a.file_name,
                media_type: a.media_type,
                size: a.size,
                sha256: a.sha256,
                by: a.display_name,
                at: at(a.at),
            })
            .collect(),
        history: d
            .transitions
            .into_iter()
            .map(|t| ReportHistoryItem {
                from: t.from.map(|s| s.code().to_string()),
                to: t.to.code().into(),
                by: t.display_name,
                at: at(t.at),
                comment: t.reason,
            })
            .collect(),
        may_write: d.may_write,
        may_review: d.may_review,
    }
}

async fn detail(
    state: &AppState,
    c: &ApiCtx,
    id: i64,
) -> Result<ReportDoc, crate::error::ApiError> {
    let today = time::today();
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let d = run(c, move || app.report_detail(&actor, id, today)).await?;
    Ok(doc(d, today))
}

/// One report.
#[utoipa::path(get, path = "/reports/{id}", tag = "reports", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDoc)))]
pub(super) async fn get_report(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    ok(detail(&state, &c, id).await?)
}

/// The text as typed, with the revision the writer last saw.
#[derive(Deserialize, ToSchema)]
pub(super) struct ReportDraft {
    revision: i64,
    #[serde(default)]
    work_done: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    next_steps: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct DraftSaved {
    /// The new revision, to name in the next save.
    revision: i64,
}

/// Save a draft as typed (the author). A revision older than the stored
/// one answers 409 `stale_revision` and changes nothing.
#[utoipa::path(post, path = "/reports/{id}/draft", tag = "reports", params(("id" = i64, Path)),
    request_body = ReportDraft, responses((status = 200, body = DraftSaved)))]
pub(super) async fn save_draft(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: ReportDraft = body_for(&c, Action::WriteReports, &bytes)?;
    let s = Sections {
        work_done: b.work_done,
        problems: b.problems,
        next_steps: b.next_steps,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let revision = run(&c, move || {
        app.save_report_draft(&actor, id, &s, b.revision)
    })
    .await?;
    ok(DraftSaved { revision })
}

/// What a submission sends: the revision, and the sections when they
/// changed since the last save.
#[derive(Deserialize, ToSchema)]
pub(super) struct ReportSubmission {
    revision: i64,
    work_done: Option<String>,
    problems: Option<String>,
    next_steps: Option<String>,
}

/// Submit the report to its unit (the author); the figures are frozen.
#[utoipa::path(post, path = "/reports/{id}/submit", tag = "reports", params(("id" = i64, Path)),
    request_body = ReportSubmission, responses((status = 200, body = ReportDoc)))]
pub(super) async fn submit(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: ReportSubmission = body_for(&c, Action::WriteReports, &bytes)?;
    let given = b.work_done.is_some() || b.problems.is_some() || b.next_steps.is_some();
    let s = given.then(|| Sections {
        work_done: b.work_done.unwrap_or_default(),
        problems: b.problems.unwrap_or_default(),
        next_steps: b.next_steps.unwrap_or_default(),
    });
    let (app, actor) = (state.app.clone(), c.actor.clone());
    run(&c, move || {
        app.submit_report(&actor, id, s.as_ref(), b.revision, time::today())
    })
    .await?;
    ok(detail(&state, &c, id).await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ReportReview {
    decision: Decision,
    /// Required when returning.
    comment: Option<String>,
}

/// The unit accepts a submitted report or returns it with a comment.
#[utoipa::path(post, path = "/reports/{id}/review", tag = "reports", params(("id" = i64, Path)),
    request_body = ReportReview, responses((status = 200, body = ReportDoc)))]
pub(super) async fn review(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: ReportReview = body_for(&c, Action::ReviewReports, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    run(&c, move || {
        app.review_report(&actor, id, b.decision, b.comment.as_deref(), time::today())
    })
    .await?;
    ok(detail(&state, &c, id).await?)
}

/// Attach a photo or a PDF (the author, while the report is with it): the
/// body is the file, at most 10 MiB, its type judged by its content.
#[utoipa::path(post, path = "/reports/{id}/attachments", tag = "reports",
    params(("id" = i64, Path), ("file_name" = String, Query, description = "the name to show; never used as a path")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = NewReport)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    Query(q): Query<Q>,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::WriteReports)?;
    let name = qv(&q, "file_name").unwrap_or("attachment").to_string();
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let aid = run(&c, move || {
        app.add_report_attachment(&actor, id, &name, &bytes)
    })
    .await?;
    created(NewReport { id: aid })
}

/// A year's calendar with the due date of each kind and period.
#[derive(Serialize, ToSchema)]
pub(super) struct CalendarDoc {
    year: i32,
    quarterly_due_days: i64,
    year_end_due: String,
    annual_summary_due: String,
    schedule: Vec<ReportDue>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct ReportDue {
    kind: String,
    period: String,
    due: String,
}

fn calendar_doc(k: dingdian_core::report::ReportCalendar) -> CalendarDoc {
    CalendarDoc {
        year: k.year,
        quarterly_due_days: k.quarterly_due_days,
        year_end_due: k.year_end_due.to_string(),
        annual_summary_due: k.annual_summary_due.to_string(),
        schedule: k
            .schedule()
            .into_iter()
            .map(|(kind, p, due)| ReportDue {
                kind: kind.code().into(),
                period: p.to_string(),
                due: due.to_string(),
            })
            .collect(),
    }
}

/// The reporting calendar of a year; 404 until the office sets it.
#[utoipa::path(get, path = "/report-calendars/{year}", tag = "reports", params(("year" = i32, Path)),
    responses((status = 200, body = CalendarDoc)))]
pub(super) async fn get_calendar(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(year): Id,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let year = i32::try_from(year).unwrap_or(0);
    let k = run(&c, move || {
        app.report_calendar(&actor, year)?
            .ok_or_else(|| dingdian_app::AppError::not_found("报告日历", "reporting calendar"))
    })
    .await?;
    ok(calendar_doc(k))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct CalendarBody {
    /// Days after a quarter's end (1–90); absent for 15.
    quarterly_due_days: Option<i64>,
    /// YYYY-MM-DD in the first half of the next year; absent for 15 January.
    year_end_due: Option<String>,
    /// YYYY-MM-DD in the first half of the next year; absent for 31 January.
    annual_summary_due: Option<String>,
}

/// Set a year's calendar (office): open reports take the new due dates and
/// the reports now due are opened.
#[utoipa::path(put, path = "/report-calendars/{year}", tag = "reports", params(("year" = i32, Path)),
    request_body = CalendarBody, responses((status = 200, body = CalendarDoc)))]
pub(super) async fn put_calendar(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(year): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: CalendarBody = body_for(&c, Action::SetReportCalendar, &bytes)?;
    let input = CalendarInput {
        quarterly_due_days: b
            .quarterly_due_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        year_end_due: b.year_end_due.unwrap_or_default(),
        annual_summary_due: b.annual_summary_due.unwrap_or_default(),
    };
    let year = i32::try_from(year).unwrap_or(0);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let k = run(&c, move || {
        app.set_report_calendar(&actor, year, &input, time::today())
    })
    .await?;
    ok(calendar_doc(k))
}

/// Late and missing reports per unit and per cadre, and each unit's
/// on-time rate, of one year's periods (or all).
#[utoipa::path(get, path = "/reports/punctuality", tag = "reports",
    params(("year" = Option<i32>, Query, description = "the periods' year")),
    responses((status = 200, body = Punctuality)))]
pub(super) async fn punctuality(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let year = parsed(
        &q,
        "year",
        |v| v.parse().ok().filter(|y| (2000..=2100).contains(y)),
        &c.lang,
    )?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || {
        app.report_punctuality(&actor, year, time::today())
    })
    .await?)
}

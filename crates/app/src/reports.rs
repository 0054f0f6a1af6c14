//! The reporting calendar and reports: the office sets each year's
//! calendar; the reports it expects are opened as drafts once their period
//! has ended; a cadre writes its team's quarterly and year-end reports and
//! the unit its annual summary (saved as typed, a stale save refused),
//! submits them with their figures frozen, and the unit accepts or returns
//! them with a comment. Punctuality is in `report_punctuality`.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::{NaiveDate, TimeZone};
use dingdian_core::report::{
    self as rules, CalendarInput, Report, ReportCalendar, ReportFigures, ReportFilter, ReportKind,
    ReportPeriod, ReportStatus,
};
use dingdian_core::role::{Action, Role, Scope};
use dingdian_core::{FieldError, Msg, time};
pub use dingdian_store::assistance_plans::StepRecord;
use dingdian_store::report_figures::{self, Team};
use dingdian_store::reports as store;
pub use dingdian_store::reports::ReportAttachment;
use dingdian_store::{Conn, Page};

/// Everything the report page shows, with what the actor may do.
#[derive(Debug, Clone)]
pub struct ReportDetail {
    pub report: Report,
    /// Frozen at submission, or computed now from the stored records.
    pub figures: ReportFigures,
    pub figures_frozen: bool,
    pub transitions: Vec<StepRecord<ReportStatus>>,
    pub attachments: Vec<ReportAttachment>,
    pub overdue: bool,
    /// The actor may edit and submit it.
    pub may_write: bool,
    /// The actor may accept or return it.
    pub may_review: bool,
    /// The last return comment, shown to the author.
    pub returned_comment: Option<String>,
}

/// The unit's decision on a submitted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Return,
}

fn report_not_found() -> AppError {
    AppError::not_found("报告", "report")
}

pub(crate) fn reach(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Report> {
    store::get(c, &actor.scope, id)?.ok_or_else(report_not_found)
}

/// The day a UTC second falls on in China.
pub fn china_day(ts: i64) -> Option<NaiveDate> {
    time::china()
        .timestamp_opt(ts, 0)
        .single()
        .map(|t| t.date_naive())
}

/// Team reports are written by the team's cadres, the annual summary by
/// the unit.
fn role_check(actor: &Actor, kind: ReportKind) -> Result<()> {
    let fits = if kind.is_team_report() {
        actor.role == Role::Cadre
    } else {
        actor.role == Role::Unit
    };
    if fits {
        return Ok(());
    }
    let (zh, en) = if kind.is_team_report() {
        (
            "季度报告和年度专题汇报由挂职干部填写",
            "quarterly and year-end reports are written by the team's cadres",
        )
    } else {
        (
            "年度总结由帮扶单位填写",
            "the annual summary is written by the unit",
        )
    };
    Err(AppError::Forbidden(Msg::new("not_the_author", zh, en)))
}

/// May this actor write this report? The first cadre to save a team
/// report becomes its author; another cadre's is refused. Scope already
/// reached the report (another unit's is not found).
pub(crate) fn author_check(actor: &Actor, r: &Report) -> Result<()> {
    role_check(actor, r.kind)?;
    if r.kind.is_team_report() && r.author_id.is_some() && r.author_id != actor.user_id {
        let name = r.author.as_deref();
        return Err(AppError::Forbidden(Msg::new(
            "not_the_author",
            format!(
                "这份报告由{}撰写，其他干部不能修改或提交",
                name.unwrap_or("其他干部")
            ),
            format!(
                "this report is written by {}: another cadre may not change or submit it",
                name.unwrap_or("another cadre")
            ),
        )));
    }
    Ok(())
}

pub(crate) fn not_editable(r: &Report) -> AppError {
    AppError::Conflict(Msg::new(
        "report_state",
        format!("报告处于“{}”状态，不能修改", r.status.zh()),
        format!("the report is {} and cannot be changed", r.status.code()),
    ))
}

pub(crate) fn stale() -> AppError {
    AppError::Conflict(Msg::new(
        "stale_revision",
        "报告已在别处保存了更新的内容，请刷新后再改（本页的文字仍在本机保存）",
        "a newer version of this report was saved elsewhere: reload before changing it (the text on this page is kept on this device)",
    ))
}

/// The figures of a report's period, as they stand.
pub(crate) fn compute_figures(c: &mut dyn Conn, r: &Report) -> Result<ReportFigures> {
    let team = Team {
        unit_id: r.unit_id,
        county_code: r.county_code.as_deref(),
    };
    Ok(report_figures::figures(
        c,
        team,
        r.period.first_day(),
        r.period.last_day(),
    )?)
}

pub(crate) fn frozen_or_computed(c: &mut dyn Conn, r: &Report) -> Result<(ReportFigures, bool)> {
    if let Some(json) = &r.figures {
        let f = serde_json::from_str(json).map_err(|e| AppError::internal("report figures", e))?;
        return Ok((f, true));
    }
    Ok((compute_figures(c, r)?, false))
}

/// The time a step taken on `today` is stamped with: now, or, when the
/// clock is fixed in the past (tests, the demo), noon of that day in China.
pub(crate) fn stamp(today: NaiveDate) -> i64 {
    if today >= time::today() {
        return time::now_ts();
    }
    time::day_bounds(today).0 + 12 * 3600
}

fn system_actor() -> Actor {
    Actor {
        user_id: None,
        username: "system".into(),
        display_name: "系统 / system".into(),
        role: Role::Office,
        scope: Scope::All,
        lang: "zh".into(),
        address: None,
    }
}

/// Opens every expected report of the stored calendars; the count opened.
fn open_all(c: &mut dyn Conn, today: NaiveDate) -> Result<usize> {
    let spans = store::team_spans(c)?;
    let now = time::now_ts();
    let mut opened = 0;
    for cal in store::calendars(c)? {
        for e in rules::expected_reports(&cal, &spans, today) {
            if store::open(c, &e, now)? {
                opened += 1;
            }
        }
    }
    Ok(opened)
}

impl App {
    /// A year's calendar as the office set it (`None` when not set).
    pub fn report_calendar(&self, actor: &Actor, year: i32) -> Result<Option<ReportCalendar>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::calendar(c, year))?)
    }

    pub fn report_calendars(&self, actor: &Actor) -> Result<Vec<ReportCalendar>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(store::calendars)?)
    }

    /// The office sets a year's calendar: open reports of the year take the
    /// new due dates, and the reports now due are opened.
    pub fn set_report_calendar(
        &self,
        actor: &Actor,
        year: i32,
        input: &CalendarInput,
        today: NaiveDate,
    ) -> Result<ReportCalendar> {
        actor.require(Action::SetReportCalendar)?;
        let cal = input.parse(year, today).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let now = time::now_ts();
            store::put_calendar(c, &cal, actor.user_id, now)?;
            for (kind, period, due) in cal.schedule() {
                store::set_due(c, kind, period, due, now)?;
            }
            let detail = Some(format!(
                "{year}: +{} days, year-end {}, summary {}",
                cal.quarterly_due_days, cal.year_end_due, cal.annual_summary_due
            ));
            audit(
                c,
                actor,
                "report_calendar.set",
                ("report_calendar", &year.to_string()),
                "success",
                detail,
            )
        })?;
        self.open_due_reports(today)?;
        Ok(cal)
    }

    /// Opens, as authorless drafts, the reports every stored calendar
    /// expects whose period has ended by `today`. Idempotent, and safe on
    /// several servers at once (the reports' unique indexes): the
    /// reminders' scheduler calls it daily. The number opened.
    pub fn open_due_reports(&self, today: NaiveDate) -> Result<usize> {
        self.store.write(|c| {
            let n = open_all(c, today)?;
            if n > 0 {
                let detail = Some(format!("{n} reports opened on {today}"));
                audit(
                    c,
                    &system_actor(),
                    "report.open",
                    ("report", "*"),
                    "success",
                    detail,
                )?;
            }
            Ok(n)
        })
    }

    /// A cadre (or, for the annual summary, the unit) opens its own team's
    /// report of a period before the scheduler does; the period must have
    /// ended and its year have a calendar. The report's id (the existing
    /// one if already open).
    pub fn start_report(
        &self,
        actor: &Actor,
        kind: ReportKind,
        period: &str,
        today: NaiveDate,
    ) -> Result<i64> {
        actor.require(Action::WriteReports)?;
        let bad_period = || {
            AppError::invalid(
                "period",
                period,
                "bad_period",
                "报告期应写作 2016-Q3（季度）或 2016（年度）",
                "a period is written 2016-Q3 (a quarter) or 2016 (a year)",
            )
        };
        let p = ReportPeriod::parse(period)
            .filter(|p| p.fits(kind))
            .ok_or_else(bad_period)?;
        rules::check_period_ended(p, today)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("period", period, m)]))?;
        role_check(actor, kind)?;
        let (unit_id, county) = match &actor.scope {
            Scope::UnitCounty(u, county) if kind.is_team_report() => {
                (*u, Some(county.as_str().to_string()))
            }
            Scope::Unit(u) => (*u, None),
            _ => return Err(report_not_found()),
        };
        self.store.write(|c| {
            let cal = store::calendar(c, p.year())?.ok_or_else(|| no_calendar(p.year()))?;
            let due = cal.due(kind, p).ok_or_else(bad_period)?;
            let e = rules::ExpectedReport {
                kind,
                period: p,
                unit_id,
                county_code: county.clone(),
                due,
            };
            store::open(c, &e, time::now_ts())?;
            let f = ReportFilter {
                unit_id: Some(unit_id),
                county_code: county,
                kind: Some(kind),
                period: Some(p),
                ..Default::default()
            };
            let (found, _) = store::list(c, &actor.scope, &f, today, Page::all())?;
            let r = found
                .into_iter()
                .find(|r| r.county_code == e.county_code)
                .ok_or_else(report_not_found)?;
            let detail = Some(format!("{} {p}", kind.code()));
            audit(
                c,
                actor,
                "report.start",
                ("report", &r.id.to_string()),
                "success",
                detail,
            )?;
            Ok(r.id)
        })
    }
}

fn no_calendar(year: i32) -> AppError {
    AppError::Conflict(Msg::new(
        "no_calendar",
        format!("扶贫办尚未设置 {year} 年的报告日历"),
        format!("the office has not set the reporting calendar of {year}"),
    ))
}

impl App {
    /// The reports the filter finds as an xlsx sheet; audited.
    pub fn export_reports(
        &self,
        actor: &Actor,
        f: &ReportFilter,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.list_reports(actor, f, today, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "类型",
            "报告期",
            "帮扶单位",
            "县代码",
            "县",
            "撰写人",
            "截止日期",
            "提交时间（北京时间）",
            "状态",
            "逾期",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|r| {
                vec![
                    r.id.into(),
                    r.kind.zh().into(),
                    r.period.to_string().into(),
                    r.unit_name.clone().into(),
                    r.county_code.clone().into(),
                    r.county_name.clone().into(),
                    r.author.clone().into(),
                    r.due.to_string().into(),
                    r.submitted_at.map(time::show_ts).into(),
                    r.status.zh().into(),
                    (if r.overdue(today) { "是" } else { "" }).into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("report.export", "report"),
            "reports",
            &headers,
            &rows,
        )
    }
}

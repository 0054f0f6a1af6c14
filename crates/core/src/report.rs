//! The reporting calendar and reports (定期报告): what the calendar
//! expects of each team and unit, when each report is due, and the steps a
//! report takes (the author submits; the unit accepts or returns it).
//!
//! Defaults, when the office sets a year without naming dates: quarterly
//! reports are due 15 days after the quarter ends (so Q4 falls due on
//! 15 January of the next year); the year-end special report (年度专题汇报)
//! on 15 January and the unit's annual summary on 31 January of the next
//! year. Every report's period must have ended before it is written, so
//! every due date lies after its period.

use crate::error::{FieldError, Msg};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 季度报告: the team to its unit, every quarter.
    Quarterly,
    /// 年度专题汇报: the team's special report at the year's end.
    YearEnd,
    /// 年度总结: the unit's summary of its year.
    AnnualSummary,
}

pub const ALL_REPORT_KINDS: [ReportKind; 3] = [
    ReportKind::Quarterly,
    ReportKind::YearEnd,
    ReportKind::AnnualSummary,
];

impl ReportKind {
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Quarterly => "quarterly",
            ReportKind::YearEnd => "year_end",
            ReportKind::AnnualSummary => "annual_summary",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportKind> {
        ALL_REPORT_KINDS.into_iter().find(|k| k.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ReportKind::Quarterly => "季度报告",
            ReportKind::YearEnd => "年度专题汇报",
            ReportKind::AnnualSummary => "年度总结",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ReportKind::Quarterly => "Quarterly report",
            ReportKind::YearEnd => "Year-end special report",
            ReportKind::AnnualSummary => "Annual summary",
        }
    }

    /// Written by the team in a county (a cadre), not by the unit.
    pub fn is_team_report(self) -> bool {
        self != ReportKind::AnnualSummary
    }
}

/// A quarter (`2016-Q3`) or a year (`2016`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportPeriod {
    Quarter(i32, u32),
    Year(i32),
}

impl ReportPeriod {
    pub fn parse(s: &str) -> Option<ReportPeriod> {
        let s = s.trim();
        let year = |y: &str| {
            let digits = y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit());
            y.parse::<i32>()
                .ok()
                .filter(|y| digits && (2000..=2100).contains(y))
        };
        match s.split_once("-Q") {
            Some((y, q)) => {
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                Some(ReportPeriod::Quarter(year(y)?, q))
            }
            None => Some(ReportPeriod::Year(year(s)?)),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            ReportPeriod::Quarter(y, _) | ReportPeriod::Year(y) => y,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let (y, m) = match self {
            ReportPeriod::Quarter(y, q) => (y, 3 * q - 2),
            ReportPeriod::Year(y) => (y, 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1).expect("a period starts on a real day")
    }

    pub fn last_day(self) -> NaiveDate {
        let next = match self {
            ReportPeriod::Quarter(y, 4) | ReportPeriod::Year(y) => (y + 1, 1),
            ReportPeriod::Quarter(y, q) => (y, 3 * q + 1),
        };
        NaiveDate::from_ymd_opt(next.0, next.1, 1).expect("a real day") - Duration::days(1)
    }

    /// The period has ended by `today` (its last day is past).
    pub fn ended(self, today: NaiveDate) -> bool {
        self.last_day() < today
    }

    /// The period a report of this kind covers is of the right shape.
    pub fn fits(self, kind: ReportKind) -> bool {
        matches!(
            (kind, self),
            (ReportKind::Quarterly, ReportPeriod::Quarter(..))
                | (
                    ReportKind::YearEnd | ReportKind::AnnualSummary,
                    ReportPeriod::Year(_)
                )
        )
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportPeriod::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            ReportPeriod::Year(y) => write!(f, "{y}"),
        }
    }
}

/// Refuses a report for a period that has not ended.
pub fn check_period_ended(period: ReportPeriod, today: NaiveDate) -> Result<(), Msg> {
    if period.ended(today) {
        return Ok(());
    }
    Err(Msg::new(
        "period_not_ended",
        format!(
            "报告期 {period} 到 {} 才结束，结束后才能填报",
            period.last_day()
        ),
        format!(
            "the period {period} ends on {}: its report can be written only after that",
            period.last_day()
        ),
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Accepted,
    Returned,
}

pub const ALL_REPORT_STATUSES: [ReportStatus; 4] = [
    ReportStatus::Draft,
    ReportStatus::Submitted,
    ReportStatus::Accepted,
    ReportStatus::Returned,
];

impl ReportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Accepted => "accepted",
            ReportStatus::Returned => "returned",
        }
    }

    pub fn from_code(s: &str) -> Option<ReportStatus> {
        ALL_REPORT_STATUSES.into_iter().find(|k| k.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ReportStatus::Draft => "草稿",
            ReportStatus::Submitted => "已提交",
            ReportStatus::Accepted => "已采纳",
            ReportStatus::Returned => "已退回",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ReportStatus::Draft => "Draft",
            ReportStatus::Submitted => "Submitted",
            ReportStatus::Accepted => "Accepted",
            ReportStatus::Returned => "Returned",
        }
    }

    /// Still with its author: the text may change.
    pub fn editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }

    /// Overdue on `today`: still with its author and past its due date.
    pub fn overdue(self, due: NaiveDate, today: NaiveDate) -> bool {
        self.editable() && due < today
    }
}

/// Who takes a step: the report's author, or its unit reviewing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Author,
    Reviewer,
}

/// One allowed step: who, from, to, and whether a comment is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportStep {
    pub party: Party,
    pub from: ReportStatus,
    pub to: ReportStatus,
    pub comment_required: bool,
}

const fn step(party: Party, from: ReportStatus, to: ReportStatus, comment: bool) -> ReportStep {
    ReportStep {
        party,
        from,
        to,
        comment_required: comment,
    }
}

/// The workflow of a report.
pub const TRANSITIONS: [ReportStep; 4] = {
    use ReportStatus::*;
    [
        step(Party::Author, Draft, Submitted, false),
        step(Party::Author, Returned, Submitted, false),
        step(Party::Reviewer, Submitted, Accepted, false),
        step(Party::Reviewer, Submitted, Returned, true),
    ]
};

pub fn report_step(party: Party, from: ReportStatus, to: ReportStatus) -> Option<ReportStep> {
    TRANSITIONS
        .into_iter()
        .find(|s| s.party == party && s.from == from && s.to == to)
}

pub fn illegal_step(from: ReportStatus, to: ReportStatus) -> Msg {
    Msg::new(
        "illegal_transition",
        format!("报告不能从“{}”转为“{}”", from.zh(), to.zh()),
        format!("a report cannot go from {} to {}", from.code(), to.code()),
    )
}

/// The longest text of one section.
pub const SECTION_MAX: usize = 20_000;
/// The longest review comment.
pub const COMMENT_MAX: usize = 2_000;

/// The written sections of a report, as typed (a draft may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sections {
    pub work_done: String,
    pub problems: String,
    pub next_steps: String,
}

impl Sections {
    /// Checks lengths and characters; empty sections are allowed in a draft.
    pub fn parse(&self) -> Result<Sections, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut one = |field: &str, v: &str| -> String {
            crate::error::optional_text(field, v, SECTION_MAX, &mut errors).unwrap_or_default()
        };
        let s = Sections {
            work_done: one("work_done", &self.work_done),
            problems: one("problems", &self.problems),
            next_steps: one("next_steps", &self.next_steps),
        };
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }

    /// What a submitted report must hold: the work done at least.
    pub fn check_complete(&self) -> Result<(), Vec<FieldError>> {
        if self.work_done.trim().is_empty() {
            return Err(vec![FieldError::required("work_done")]);
        }
        Ok(())
    }
}

/// The office's calendar of one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportCalendar {
    pub year: i32,
    /// Days after a quarter's end that its report is due.
    pub quarterly_due_days: i64,
    pub year_end_due: NaiveDate,
    pub annual_summary_due: NaiveDate,
}

pub const DEFAULT_QUARTERLY_DUE_DAYS: i64 = 15;

impl ReportCalendar {
    /// The defaults (see the module's note).
    pub fn default_for(year: i32) -> ReportCalendar {
        let jan = |d| NaiveDate::from_ymd_opt(year + 1, 1, d).expect("a real day");
        ReportCalendar {
            year,
            quarterly_due_days: DEFAULT_QUARTERLY_DUE_DAYS,
            year_end_due: jan(15),
            annual_summary_due: jan(31),
        }
    }

    /// The due date of a report of this year's calendar; `None` when the
    /// period is not of this year or not of the kind's shape.
    pub fn due(&self, kind: ReportKind, period: ReportPeriod) -> Option<NaiveDate> {
        if period.year() != self.year || !period.fits(kind) {
            return None;
        }
        Some(match kind {
            ReportKind::Quarterly => period.last_day() + Duration::days(self.quarterly_due_days),
            ReportKind::YearEnd => self.year_end_due,
            ReportKind::AnnualSummary => self.annual_summary_due,
        })
    }

    /// Every (kind, period) of the year with its due date, in due order.
    pub fn schedule(&self) -> Vec<(ReportKind, ReportPeriod, NaiveDate)> {
        let mut all: Vec<_> = (1..=4)
            .map(|q| (ReportKind::Quarterly, ReportPeriod::Quarter(self.year, q)))
            .chain(
                [ReportKind::YearEnd, ReportKind::AnnualSummary]
                    .map(|k| (k, ReportPeriod::Year(self.year))),
            )
            .filter_map(|(k, p)| self.due(k, p).map(|d| (k, p, d)))
            .collect();
        all.sort_by_key(|(k, p, d)| (*d, *p, *k));
        all
    }
}

/// The calendar as a form or the API sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CalendarInput {
    /// Days after a quarter's end (1–90); empty for the default 15.
    #[serde(default)]
    pub quarterly_due_days: String,
    /// `YYYY-MM-DD`; empty for 15 January of the next year.
    #[serde(default)]
    pub year_end_due: String,
    /// `YYYY-MM-DD`; empty for 31 January of the next year.
    #[serde(default)]
    pub annual_summary_due: String,
}

fn calendar_year_error(year: i32, today: NaiveDate) -> Option<FieldError> {
    // A calendar is set for years that have been or are about to be
    // worked: from 2000 up to next year (plans, not far-future dates).
    if (2000..=today.year() + 1).contains(&year) {
        return None;
    }
    Some(FieldError::new(
        "year",
        year.to_string(),
        Msg::new(
            "year_out_of_range",
            format!("年度应在 2000 至 {} 之间", today.year() + 1),
            format!("the year must lie between 2000 and {}", today.year() + 1),
        ),
    ))
}

/// A due date of the year's reports: after the year ends (its period must
/// have ended), within the first half of the next year.
fn year_due(
    field: &str,
    v: &str,
    year: i32,
    default: NaiveDate,
    e: &mut Vec<FieldError>,
) -> NaiveDate {
    if v.trim().is_empty() {
        return default;
    }
    let first = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("a real day");
    let last = NaiveDate::from_ymd_opt(year + 1, 6, 30).expect("a real day");
    match crate::time::parse_date(v) {
        Some(d) if d >= first && d <= last => d,
        Some(_) => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "due_out_of_range",
                    format!("应在 {first} 至 {last} 之间（报告期结束之后）"),
                    format!("must lie between {first} and {last} (after the period ends)"),
                ),
            ));
            default
        }
        None => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "bad_date",
                    "日期格式应为 YYYY-MM-DD",
                    "a date is written YYYY-MM-DD",
                ),
            ));
            default
        }
    }
}

impl CalendarInput {
    pub fn parse(&self, year: i32, today: NaiveDate) -> Result<ReportCalendar, Vec<FieldError>> {
        let d = ReportCalendar::default_for(year);
        let mut e: Vec<FieldError> = calendar_year_error(year, today).into_iter().collect();
        let days = match self.quarterly_due_days.trim() {
            "" => d.quarterly_due_days,
            v => match v.parse::<i64>() {
                Ok(n) if (1..=90).contains(&n) => n,
                _ => {
                    e.push(FieldError::new(
                        "quarterly_due_days",
                        v,
                        Msg::new(
                            "due_days_out_of_range",
                            "季度报告期限应为季度结束后 1 至 90 天",
                            "quarterly reports fall due 1 to 90 days after the quarter",
                        ),
                    ));
                    d.quarterly_due_days
                }
            },
        };
        let c = ReportCalendar {
            year,
            quarterly_due_days: days,
            year_end_due: year_due(
                "year_end_due",
                &self.year_end_due,
                year,
                d.year_end_due,
                &mut e,
            ),
            annual_summary_due: year_due(
                "annual_summary_due",
                &self.annual_summary_due,
                year,
                d.annual_summary_due,
                &mut e,
            ),
        };
        if e.is_empty() { Ok(c) } else { Err(e) }
    }
}

/// A secondment as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSpan {
    pub unit_id: i64,
    pub county_code: String,
    pub start: NaiveDate,
    /// The actual end, or the planned end while serving.
    pub end: NaiveDate,
    /// Status code of the secondment.
    pub status: String,
    pub leader: bool,
    pub person_name: String,
}

impl TeamSpan {
    /// The person served (not merely proposed or approved) during the
    /// period's days.
    pub fn served_in(&self, first: NaiveDate, last: NaiveDate) -> bool {
        matches!(self.status.as_str(), "serving" | "completed" | "recalled")
            && self.start <= last
            && self.end >= first
    }
}

/// One report the calendar expects.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpectedReport {
    pub kind: ReportKind,
    pub period: ReportPeriod,
    pub unit_id: i64,
    /// `None` for the unit's annual summary.
    pub county_code: Option<String>,
    pub due: NaiveDate,
}

/// The reports the calendar expects whose period has ended by `today`:
/// the quarterly and year-end reports of each team (unit, county) with
/// someone serving in the period, and the annual summary of each unit
/// with such a team in the year.
pub fn expected_reports(
    calendar: &ReportCalendar,
    spans: &[TeamSpan],
    today: NaiveDate,
) -> Vec<ExpectedReport> {
    let mut out = std::collections::BTreeSet::new();
    for (kind, period, due) in calendar.schedule() {
        if !period.ended(today) {
            continue;
        }
        let (first, last) = (period.first_day(), period.last_day());
        for s in spans.iter().filter(|s| s.served_in(first, last)) {
            out.insert(ExpectedReport {
                kind,
                period,
                unit_id: s.unit_id,
                county_code: kind.is_team_report().then(|| s.county_code.clone()),
                due,
            });
        }
    }
    out.into_iter().collect()
}

/// Whom a team report that was never written counts against: the team's
/// leader serving in the period (the last to start), if any.
pub fn responsible_leader<'a>(
    spans: &'a [TeamSpan],
    unit_id: i64,
    county_code: &str,
    period: ReportPeriod,
) -> Option<&'a TeamSpan> {
    spans
        .iter()
        .filter(|s| s.leader && s.unit_id == unit_id && s.county_code == county_code)
        .filter(|s| s.served_in(period.first_day(), period.last_day()))
        .max_by_key(|s| s.start)
}

/// Whether a report reached its unit on time: submitted (first) on or
/// before its due day.
pub fn on_time(first_submitted: Option<NaiveDate>, due: NaiveDate) -> bool {
    first_submitted.is_some_and(|d| d <= due)
}

/// The on-time rate in per mille of the reports due so far (`None` when
/// none was due yet).
pub fn on_time_permille(on_time: i64, due_so_far: i64) -> Option<i64> {
    (due_so_far > 0).then(|| on_time * 1000 / due_so_far)
}

/// A report as stored, with the names a reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub kind: ReportKind,
    pub period: ReportPeriod,
    pub unit_id: i64,
    pub unit_name: String,
    /// `None` for the unit's annual summary.
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    pub author_id: Option<i64>,
    /// The author's display name (or user name), once someone wrote it.
    pub author: Option<String>,
    pub due: NaiveDate,
    pub status: ReportStatus,
    pub sections: Sections,
    /// The figures frozen at submission (JSON), `None` before.
    pub figures: Option<String>,
    pub revision: i64,
    pub saved_at: Option<i64>,
    /// The last submission (UTC seconds).
    pub submitted_at: Option<i64>,
    /// The first submission: what the on-time rate counts.
    pub first_submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
}

impl Report {
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.overdue(self.due, today)
    }
}

/// Which reports a list shows; `Overdue` is draft or returned past due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Is(ReportStatus),
    Overdue,
}

impl StatusFilter {
    pub fn from_code(s: &str) -> Option<StatusFilter> {
        if s == "overdue" {
            return Some(StatusFilter::Overdue);
        }
        ReportStatus::from_code(s).map(StatusFilter::Is)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub kind: Option<ReportKind>,
    pub period: Option<ReportPeriod>,
    pub status: Option<StatusFilter>,
    /// The year of the period.
    pub year: Option<i32>,
    /// Unit or county name, or author, contains.
    pub q: Option<String>,
}

/// The figures of a report's period, computed from the ledger and the
/// records (never typed), frozen as JSON when the report is submitted.
/// Money in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Projects that took a step or recorded progress in the period.
    pub projects: Vec<ProjectAdvance>,
    /// Ledger entries dated in the period, by kind and source.
    pub funds: Vec<FundsLine>,
    pub trainings: i64,
    pub trainees: i64,
    pub labour_transferred: i64,
    pub labour_income_fen: i64,
    pub products_bought_fen: i64,
    pub products_sold_fen: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProjectAdvance {
    pub project_id: i64,
    pub name: String,
    /// The statuses it reached in the period, in order.
    pub steps: Vec<String>,
    pub progress_notes: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FundsLine {
    pub kind: String,
    pub source: String,
    pub amount_fen: i64,
    pub entries: i64,
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;

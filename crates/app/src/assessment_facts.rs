//! What the records hold for one unit and year, gathered for its
//! assessment (`core::assessment_score::Facts`): its letters' targets and
//! actuals, its paired counties' outcomes from the indicators engine, leader
//! visits, the annual summary, secondments, reports, inspections and
//! rectifications. Read with the whole country's reach: the assessment
//! itself is what the actor's scope governs.

use crate::error::{AppError, Result};
use crate::indicators::IndicatorQuery;
use crate::reports::china_day;
use crate::{Actor, App};
use chrono::{Datelike, NaiveDate};
use dingdian_core::assessment_score::{CountyOutcome, Facts, Filed};
use dingdian_core::letter::{LetterFilter, LetterIndicator};
use dingdian_core::report::{ReportFilter, ReportKind};
use dingdian_core::role::Scope;
use dingdian_core::secondment::{LEADER_TERM_MONTHS, SecondmentRole, SecondmentStatus, term_end};
use dingdian_store::{Conn, Page, assessments as store, records, reports, secondments};
use std::collections::BTreeMap;

fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).expect("a year of the range");
    (d(1, 1), d(12, 31))
}

/// The counties the unit was paired with on some day of the year: code → name.
fn paired_counties(c: &mut dyn Conn, unit: i64, year: i32) -> Result<BTreeMap<String, String>> {
    let (first, last) = year_bounds(year);
    Ok(records::paired_periods(c, unit)?
        .into_iter()
        .filter(|p| p.start <= last && p.end >= first)
        .map(|p| (p.county_code, p.county_name))
        .collect())
}

impl App {
    /// The facts of a unit's year as of `today` (reports count once due).
    pub(crate) fn assessment_facts(&self, unit: i64, year: i32, today: NaiveDate) -> Result<Facts> {
        let counties = self.store.read(|c| paired_counties(c, unit, year))?;
        let mut f = Facts {
            counties: self.county_outcomes(&counties, year)?,
            ..Default::default()
        };
        self.letter_facts(unit, year, &mut f)?;
        self.store.read(|c| {
            record_facts(c, unit, year, &counties, &mut f)?;
            report_facts(c, unit, year, today, &mut f)
        })?;
        Ok(f)
    }

    /// Each letter target of the year with its actual; funds summed.
    fn letter_facts(&self, unit: i64, year: i32, f: &mut Facts) -> Result<()> {
        let filter = LetterFilter {
            unit_id: Some(unit),
            year: Some(year),
            ..Default::default()
        };
        let (letters, _) = self.letters(&Actor::cli(), &filter, Page::all())?;
        let mut funds: Option<(i64, i64)> = None;
        for p in letters.iter().flat_map(|l| l.progress.iter()) {
            f.letter_targets.push((p.target, p.actual));
            if matches!(
                p.indicator,
                LetterIndicator::DirectFunds | LetterIndicator::IntroducedFunds
            ) {
                let (t, a) = funds.unwrap_or((0, 0));
                funds = Some((t + p.target, a + p.actual));
            }
        }
        f.funds = funds;
        Ok(())
    }

    /// Incidence last year and this, and the return rate, per county.
    fn county_outcomes(
        &self,
        counties: &BTreeMap<String, String>,
        year: i32,
    ) -> Result<Vec<CountyOutcome>> {
        let cli = Actor::cli();
        let one = |code: &str, y: i32| -> Result<Option<dingdian_core::indicators::Indicators>> {
            let q = IndicatorQuery {
                area: Some(code.to_string()),
                year: Some(y),
                ..Default::default()
            };
            match self.indicators(&cli, &q) {
                Ok(rows) => Ok(rows
                    .into_iter()
                    .find(|r| r.area_code.as_deref() == Some(code))
                    .map(|r| r.indicators)),
                Err(AppError::Invalid(_)) => Ok(None),
                Err(e) => Err(e),
            }
        };
        counties
            .iter()
            .map(|(code, name)| {
                let now = one(code, year)?;
                let before = one(code, year - 1)?;
                Ok(CountyOutcome {
                    county_name: name.clone(),
                    previous_incidence: before.and_then(|i| i.poverty_incidence),
                    incidence: now.as_ref().and_then(|i| i.poverty_incidence),
                    return_rate: now.and_then(|i| i.return_rate),
                })
            })
            .collect()
    }
}

/// Visits, secondments, inspections and rectifications of the year.
fn record_facts(
    c: &mut dyn Conn,
    unit: i64,
    year: i32,
    counties: &BTreeMap<String, String>,
    f: &mut Facts,
) -> Result<()> {
    (f.principal_visits, f.deputy_visits) = store::visits(c, unit, year)?;
    f.inspections = store::inspections(c, unit, year)?;
    (f.rectifications_due, f.rectifications_verified) = store::rectifications(c, unit, year)?;
    let (first, last) = year_bounds(year);
    let posted: Vec<_> = secondments::of_unit(c, unit)?
        .into_iter()
        .filter(|s| s.status != SecondmentStatus::Proposed && counties.contains_key(&s.county_code))
        .collect();
    f.paired_counties = counties.len() as i64;
    let with = |pred: &dyn Fn(&dingdian_core::secondment::Secondment) -> bool| {
        counties
            .keys()
            .filter(|code| posted.iter().any(|s| &s.county_code == *code && pred(s)))
            .count() as i64
    };
    f.counties_with_cadre = with(&|s| s.start <= last && s.last_day() >= first);
    f.counties_with_leader_all_year =
        with(&|s| s.role == SecondmentRole::Leader && s.start <= first && s.last_day() >= last);
    f.early_leavers = posted
        .iter()
        .filter(|s| s.role == SecondmentRole::Leader && s.status.is_final())
        .filter(|s| {
            s.last_day().year() == year && s.last_day() < term_end(s.start, LEADER_TERM_MONTHS)
        })
        .count() as i64;
    Ok(())
}

/// Reports of the year's periods due before `today`: on time when first
/// submitted on or before the due day (as the punctuality page counts).
fn report_facts(
    c: &mut dyn Conn,
    unit: i64,
    year: i32,
    today: NaiveDate,
    f: &mut Facts,
) -> Result<()> {
    let filter = ReportFilter {
        unit_id: Some(unit),
        year: Some(year),
        ..Default::default()
    };
    let (all, _) = reports::list(c, &Scope::All, &filter, today, Page::all())?;
    for r in all.iter().filter(|r| r.due < today) {
        let on_time = r
            .first_submitted_at
            .and_then(china_day)
            .is_some_and(|d| d <= r.due);
        f.reports_due += 1;
        f.reports_on_time += i64::from(on_time);
        if r.kind == ReportKind::AnnualSummary {
            f.annual_summary = Some(match (on_time, r.first_submitted_at) {
                (true, _) => Filed::OnTime,
                (false, Some(_)) => Filed::Late,
                (false, None) => Filed::Missing,
            });
        }
    }
    Ok(())
}

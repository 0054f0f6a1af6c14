//! The reports people print and file (issue 13, item 5): a county's
//! profile, a unit's annual report and the national overview. Each is a
//! read model composed from the app's existing reads (indicators, letters,
//! the ledger, projects, secondments, reports, inspections, leader
//! visits), plus the assessment and monitoring facts of migration 0018;
//! the web renders it as a print page, the CLI as a file, and
//! [`xlsx`] as a workbook with one sheet per section.

pub(crate) use county::served_in;
mod county;
mod national;
mod unit;
mod xlsx;

pub(crate) use xlsx::{Poverty, poverty_cells};

pub use county::{CountyProfile, CountyUnit, InspectionLine, KindRow};
pub use national::NationalOverview;
pub use unit::{AssessmentView, CountyFigures, DimensionLine, LetterLine, UnitReport};

use crate::error::{AppError, Result};
use crate::{Actor, App};
use dingdian_core::monitoring::{MonitoredKind, MonitoringStatus};
use dingdian_core::project::{ALL_PROJECT_STATUSES, Project};
use dingdian_core::role::Role;
use dingdian_store::printed_reports::MonitoringCount;
use serde::Serialize;

/// A category and how many (or how much) it holds, named in both
/// languages so a page and a sheet show the same words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub count: i64,
}

/// Projects per status, every status listed (zero included).
fn projects_by_status(projects: &[Project]) -> Vec<Count> {
    ALL_PROJECT_STATUSES
        .iter()
        .map(|s| Count {
            code: s.code(),
            zh: s.zh(),
            en: s.en(),
            count: projects.iter().filter(|p| p.status == *s).count() as i64,
        })
        .collect()
}

/// Monitored households per kind, every kind listed.
fn monitored_by_kind(counts: &[MonitoringCount]) -> Vec<Count> {
    MonitoredKind::ALL
        .iter()
        .map(|k| Count {
            code: k.code(),
            zh: k.zh(),
            en: k.en(),
            count: counts
                .iter()
                .filter(|c| c.kind == *k)
                .map(|c| c.count)
                .sum(),
        })
        .collect()
}

/// Monitored households per kind and status.
fn kind_rows(counts: &[MonitoringCount]) -> Vec<KindRow> {
    let of = |k: MonitoredKind, s: MonitoringStatus| -> i64 {
        counts
            .iter()
            .filter(|c| c.kind == k && c.status == s)
            .map(|c| c.count)
            .sum()
    };
    MonitoredKind::ALL
        .iter()
        .map(|k| KindRow {
            code: k.code(),
            zh: k.zh(),
            en: k.en(),
            flagged: of(*k, MonitoringStatus::Flagged),
            verified: of(*k, MonitoringStatus::Verified),
            monitored: of(*k, MonitoringStatus::Monitored),
            cleared: of(*k, MonitoringStatus::Cleared),
        })
        .collect()
}

/// The office, the reviewers and the inspectors read every unit and the
/// nation; a unit reads its own report (the unit's scope answers 404 for
/// another); county officers and cadres are not given unit or national
/// reports.
fn require_reader(actor: &Actor, unit_allowed: bool) -> Result<()> {
    match actor.role {
        Role::Office | Role::Reviewer | Role::Inspector => Ok(()),
        Role::Unit if unit_allowed => Ok(()),
        _ => Err(AppError::Forbidden(dingdian_core::Msg::new(
            "forbidden",
            format!("角色“{}”无权阅读此报告", actor.role.zh()),
            format!("the role {} may not read this report", actor.role.as_str()),
        ))),
    }
}

/// A year a report may cover: from 2000 to next year.
fn check_year(year: i32, today: chrono::NaiveDate) -> Result<()> {
    use chrono::Datelike;
    if (2000..=today.year() + 1).contains(&year) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "year",
            year.to_string(),
            "bad_year",
            "年度应在 2000 年至明年之间",
            "the year lies from 2000 to next year",
        ))
    }
}

impl App {
    /// The assessment and monitoring facts go through here (the scope of
    /// assessments is applied in SQL).
    pub(crate) fn monitoring_aggregates(
        &self,
        year: i32,
        county: Option<&str>,
    ) -> Result<Vec<MonitoringCount>> {
        Ok(self
            .store
            .read(|c| dingdian_store::printed_reports::monitoring_counts(c, year, county))?)
    }
}

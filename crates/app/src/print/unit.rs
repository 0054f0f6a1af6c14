//! A unit's annual report (单位年度报告): its responsibility letters'
//! targets against what its records show, the funds it brought per
//! county, its projects, reports filed and on time, inspections and
//! rectifications, leader visits, cadres seconded, and its assessment.

use super::county::served_in;
use super::{Count, check_year, projects_by_status, require_reader};
use crate::error::Result;
use crate::report_punctuality::Tally;
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::Page;
use dingdian_core::assessment::AssessmentFilter;
use dingdian_core::assessment_score::DimensionScore;
use dingdian_core::inspection::{InspectionFilter, RectificationFilter, RectificationStatus};
use dingdian_core::ledger::LedgerFilter;
use dingdian_core::letter::LetterFilter;
use dingdian_core::period::Period;
use dingdian_core::project::ProjectFilter;
use dingdian_core::secondment::SecondmentFilter;
use serde::Serialize;
use std::collections::BTreeMap;

/// One indicator of one letter: target, actual and completion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetterLine {
    /// Empty for a letter covering all the unit's counties.
    pub county_name: String,
    pub indicator: Count,
    pub money: bool,
    pub target: i64,
    pub actual: i64,
    /// Per cent, one decimal.
    pub completion: f64,
}

/// What the unit did in one county in the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyFigures {
    pub county_code: String,
    pub county_name: String,
    pub received_fen: i64,
    pub spent_fen: i64,
    pub leader_visits: i64,
    pub cadres: i64,
}

/// One dimension of an assessment: score in points, weight in per cent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionLine {
    pub dimension: Count,
    pub score: Option<f64>,
    pub weight: Option<i64>,
}

/// The unit's assessment of the year as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentView {
    pub status: Count,
    /// Points (0–100), once assessed.
    pub score: Option<f64>,
    pub grade: Option<Count>,
    pub dimensions: Vec<DimensionLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitReport {
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: Count,
    pub year: i32,
    pub letters: Vec<LetterLine>,
    pub counties: Vec<CountyFigures>,
    pub projects: Vec<Count>,
    /// The year's reports: due, on time, late, missing.
    pub reports: Tally,
    pub inspections: i64,
    pub rectifications: Vec<Count>,
    /// `None`: no assessment of the year the actor may see yet.
    pub assessment: Option<AssessmentView>,
}

/// The dimensions as the assessment froze them: score in points, weight
/// in per cent.
fn dimension_lines(dimensions: &[DimensionScore]) -> Vec<DimensionLine> {
    dimensions
        .iter()
        .map(|d| DimensionLine {
            dimension: label(d.dimension, |d| d.code(), |d| d.zh(), |d| d.en()),
            score: d.score,
            weight: Some(d.weight),
        })
        .collect()
}

fn label<T: Copy>(
    v: T,
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    en: fn(T) -> &'static str,
) -> Count {
    Count {
        code: code(v),
        zh: zh(v),
        en: en(v),
        count: 0,
    }
}

impl App {
    /// The unit's report of a year: the office, reviewers, inspectors, and
    /// the unit itself (404 for another unit).
    pub fn unit_report(
        &self,
        actor: &Actor,
        unit_id: i64,
        year: i32,
        today: NaiveDate,
    ) -> Result<UnitReport> {
        require_reader(actor, true)?;
        let unit = self.get_unit(actor, unit_id)?;
        check_year(year, today)?;
        let reports = self
            .report_punctuality(actor, Some(year), today)?
            .units
            .into_iter()
            .find(|u| u.unit_id == unit_id)
            .map(|u| u.tally)
            .unwrap_or_default();
        // The assessment capability's own read, with its scope: a unit sees
        // its own at every step, others' once published.
        let of_year = AssessmentFilter {
            year: Some(year),
            unit_id: Some(unit_id),
            ..Default::default()
        };
        let assessment = self
            .assessments(actor, &of_year, Page::all())?
            .0
            .into_iter()
            .next()
            .map(|a| AssessmentView {
                status: label(a.status, |s| s.code(), |s| s.zh(), |s| s.en()),
                score: a.score,
                grade: a
                    .grade
                    .map(|g| label(g, |g| g.code(), |g| g.zh(), |g| g.en())),
                dimensions: dimension_lines(&a.dimensions),
            });
        let f = InspectionFilter {
            unit_id: Some(unit_id),
            year: Some(year),
            ..Default::default()
        };
        Ok(UnitReport {
            unit_id,
            unit_name: unit.name,
            unit_kind: label(unit.kind, |k| k.as_str(), |k| k.zh(), |k| k.en()),
            year,
            letters: self.unit_letters(actor, unit_id, year)?,
            counties: self.unit_counties(actor, unit_id, year, today)?,
            projects: self.unit_projects(actor, unit_id)?,
            reports,
            inspections: self
                .list_inspections(actor, &f, Page::new(Some(1), Some(1)), today)?
                .1,
            rectifications: self.unit_rectifications(actor, unit_id, today)?,
            assessment,
        })
    }

    fn unit_letters(&self, actor: &Actor, unit_id: i64, year: i32) -> Result<Vec<LetterLine>> {
        let f = LetterFilter {
            unit_id: Some(unit_id),
            year: Some(year),
            ..Default::default()
        };
        let (letters, _) = self.letters(actor, &f, Page::all())?;
        Ok(letters
            .iter()
            .flat_map(|v| {
                let period = Period::of_year(v.letter.year);
                v.progress.iter().map(move |p| LetterLine {
                    county_name: v.letter.county_name.clone().unwrap_or_default(),
                    indicator: Count {
                        code: p.indicator.as_str(),
                        zh: p.indicator.zh_in(period),
                        en: p.indicator.en_in(period),
                        count: 0,
                    },
                    money: p.indicator.is_money(),
                    target: p.target,
                    actual: p.actual,
                    completion: (p.completion() * 1000.0).round() / 10.0,
                })
            })
            .collect())
    }

    fn unit_counties(
        &self,
        actor: &Actor,
        unit_id: i64,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<CountyFigures>> {
        let mut by: BTreeMap<String, CountyFigures> = BTreeMap::new();
        let blank = |code: &str, name: String| CountyFigures {
            county_code: code.to_string(),
            county_name: name,
            received_fen: 0,
            spent_fen: 0,
            leader_visits: 0,
            cadres: 0,
        };
        for p in self.leader_visits_of_year(actor, year, today)? {
            if p.pairing.unit_id == unit_id {
                let code = p.pairing.county_code.clone();
                let c = by
                    .entry(code.clone())
                    .or_insert_with(|| blank(&code, p.pairing.county_name.clone()));
                c.leader_visits += p.dates.len() as i64;
            }
        }
        let f = LedgerFilter {
            unit_id: Some(unit_id),
            year: Some(year),
            ..Default::default()
        };
        for b in self.ledger_balances(actor, &f)? {
            let c = by
                .entry(b.county_code.clone())
                .or_insert_with(|| blank(&b.county_code, String::new()));
            c.received_fen += b.received_fen;
            c.spent_fen += b.spent_fen;
        }
        let sf = SecondmentFilter {
            unit_id: Some(unit_id),
            ..Default::default()
        };
        for s in self.list_secondments(actor, &sf, Page::all())?.0 {
            if served_in(&s, year) {
                let c = by
                    .entry(s.county_code.clone())
                    .or_insert_with(|| blank(&s.county_code, s.county_name.clone()));
                c.cadres += 1;
            }
        }
        let unnamed: Vec<String> = by
            .values()
            .filter(|c| c.county_name.is_empty())
            .map(|c| c.county_code.clone())
            .collect();
        let names = self.area_names(actor, &unnamed)?;
        for (code, name) in names {
            if let Some(c) = by.get_mut(&code) {
                c.county_name = name;
            }
        }
        Ok(by.into_values().collect())
    }

    fn unit_projects(&self, actor: &Actor, unit_id: i64) -> Result<Vec<Count>> {
        let f = ProjectFilter {
            unit_id: Some(unit_id),
            ..Default::default()
        };
        Ok(projects_by_status(
            &self.list_projects(actor, &f, Page::all())?.0,
        ))
    }

    fn unit_rectifications(
        &self,
        actor: &Actor,
        unit_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<Count>> {
        let f = RectificationFilter {
            unit_id: Some(unit_id),
            ..Default::default()
        };
        let (items, _) = self.list_rectifications(actor, &f, Page::all(), today)?;
        Ok(RectificationStatus::ALL
            .iter()
            .map(|s| Count {
                count: items.iter().filter(|r| r.status == *s).count() as i64,
                ..label(*s, |s| s.code(), |s| s.zh(), |s| s.en())
            })
            .collect())
    }
}

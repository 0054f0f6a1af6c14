//! The national overview (全国概况): counties covered by pairings, key
//! counties, poverty nationally and by province from the indicators
//! engine, funds by unit kind, the assessments' grades and the monitored
//! households by kind.

use super::{Count, check_year, monitored_by_kind, require_reader};
use crate::error::Result;
use crate::indicators::{IndicatorQuery, IndicatorRow};
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::Page;
use dingdian_core::area::Level;
use dingdian_core::assessment::Grade;
use dingdian_core::ledger::LedgerFilter;
use dingdian_core::query::{AreaFilter, UnitFilter};
use dingdian_core::unit::UnitKind;
use dingdian_store::areas::ListCompleteness;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Serialize)]
pub struct NationalOverview {
    pub year: i32,
    /// Counties with a pairing in force on some day of the year.
    pub counties_covered: i64,
    /// The key counties of the year's period (the 2012 list up to 2020,
    /// the 2021 list after), and how many of them are covered.
    pub key_counties: i64,
    pub key_covered: i64,
    /// How complete that list is here.
    pub key_list: ListCompleteness,
    pub nation: Option<IndicatorRow>,
    pub provinces: Vec<IndicatorRow>,
    /// Funds the units' ledgers received in the year (fen), by unit kind.
    pub funds_by_kind: Vec<Count>,
    /// Assessments of the year with a grade, per grade.
    pub grades: Vec<Count>,
    pub monitored: Vec<Count>,
}

impl App {
    /// The overview of a year: the office, reviewers and inspectors.
    pub fn national_overview(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
    ) -> Result<NationalOverview> {
        require_reader(actor, false)?;
        check_year(year, today)?;
        let covered: BTreeSet<String> = self
            .leader_visits_of_year(actor, year, today)?
            .into_iter()
            .map(|p| p.pairing.county_code)
            .collect();
        let list = dingdian_core::area::key_list_of(dingdian_core::period::Period::of_year(year));
        let key_list = self.list_completeness(actor, list)?;
        let key = AreaFilter {
            level: Some(Level::County),
            list: Some(list.to_string()),
            ..Default::default()
        };
        let (keys, key_counties) = self.list_areas(actor, &key, Page::all())?;
        let key_covered = keys.iter().filter(|a| covered.contains(&a.code)).count() as i64;
        let at = |level| IndicatorQuery {
            year: Some(year),
            level: Some(level),
            ..Default::default()
        };
        let nation = self
            .indicators(actor, &at(Level::Nation))?
            .into_iter()
            .next();
        let provinces = self.indicators(actor, &at(Level::Province))?;
        let grades = self
            .store
            .read(|c| dingdian_store::printed_reports::grades_of_year(c, &actor.scope, year))?;
        Ok(NationalOverview {
            year,
            counties_covered: covered.len() as i64,
            key_counties,
            key_covered,
            key_list,
            nation,
            provinces,
            funds_by_kind: self.funds_by_kind(actor, year)?,
            grades: Grade::ALL
                .iter()
                .map(|g| Count {
                    code: g.code(),
                    zh: g.zh(),
                    en: g.en(),
                    count: grades.iter().filter(|(x, _)| x == g).map(|(_, n)| n).sum(),
                })
                .collect(),
            monitored: monitored_by_kind(&self.monitoring_aggregates(year, None)?),
        })
    }

    fn funds_by_kind(&self, actor: &Actor, year: i32) -> Result<Vec<Count>> {
        let kinds: HashMap<i64, UnitKind> = self
            .list_units(actor, &UnitFilter::default(), Page::all())?
            .0
            .into_iter()
            .map(|u| (u.id, u.kind))
            .collect();
        let f = LedgerFilter {
            year: Some(year),
            ..Default::default()
        };
        let balances = self.ledger_balances(actor, &f)?;
        Ok(dingdian_core::unit::ALL_UNIT_KINDS
            .iter()
            .map(|k| Count {
                code: k.as_str(),
                zh: k.zh(),
                en: k.en(),
                count: balances
                    .iter()
                    .filter(|b| kinds.get(&b.unit_id) == Some(k))
                    .map(|b| b.received_fen)
                    .sum(),
            })
            .collect())
    }
}

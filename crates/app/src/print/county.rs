//! A county's profile (县情报告): its indicators over the registry years,
//! the units paired with it in the year and the funds each brought,
//! projects, cadres, monitored households and inspections.

use super::{Count, check_year, kind_rows, projects_by_status};
use crate::dashboard::DashboardQuery;
use crate::error::{AppError, Result};
use crate::indicators::IndicatorRow;
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::Page;
use dingdian_core::inspection::InspectionFilter;
use dingdian_core::ledger::LedgerFilter;
use dingdian_core::project::ProjectFilter;
use dingdian_core::secondment::{Secondment, SecondmentFilter, SecondmentStatus};
use serde::Serialize;
use std::collections::BTreeMap;

/// A unit paired with the county in the year, or one whose ledger holds
/// money for it, with the year's receipts and spending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub paired: bool,
    pub received_fen: i64,
    pub spent_fen: i64,
}

/// Monitored households of one kind, per status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRow {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub flagged: i64,
    pub verified: i64,
    pub monitored: i64,
    pub cleared: i64,
}

/// One inspection of the year that covered the county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionLine {
    pub date: NaiveDate,
    pub unit_name: String,
    pub team: String,
    pub findings: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyProfile {
    pub county_code: String,
    pub county_name: String,
    /// The province's (and prefecture's) names, nation-most first.
    pub lineage: Vec<String>,
    pub year: i32,
    /// The county in every registry year, oldest first.
    pub history: Vec<IndicatorRow>,
    /// The year's indicators, if the registry or statistics hold it.
    pub own: Option<IndicatorRow>,
    pub units: Vec<CountyUnit>,
    pub projects: Vec<Count>,
    /// Seconded cadres posted in the county on some day of the year.
    pub cadres: i64,
    pub monitoring: Vec<KindRow>,
    pub inspections: Vec<InspectionLine>,
    /// The county on the key list of the year's period, and how complete
    /// that list is (a partial list's "no" may mean "not shipped yet").
    pub key_list: crate::areas::KeyListStanding,
}

/// Posted on some day of the year (a proposal never was).
pub(crate) fn served_in(s: &Secondment, year: i32) -> bool {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return false;
    };
    !matches!(
        s.status,
        SecondmentStatus::Proposed | SecondmentStatus::Approved
    ) && s.start <= last
        && s.last_day() >= first
}

impl App {
    /// The county's profile of a year. Every role that reads indicators
    /// may open it; a county officer or cadre only for their own county
    /// (404 for another). The sections on assistance show what the
    /// actor's scope reaches (a unit: its own pairing's money).
    pub fn county_profile(
        &self,
        actor: &Actor,
        code: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<CountyProfile> {
        actor.require(dingdian_core::role::Action::ReadIndicators)?;
        if actor.scope.county().is_some_and(|c| c != code) || code.len() != 6 {
            return Err(AppError::not_found("县", "county"));
        }
        check_year(year, today)?;
        let q = DashboardQuery {
            area: Some(code.to_string()),
            year: Some(year),
            ..Default::default()
        };
        let d = self.dashboard(actor, &q)?;
        let county_name = d.lineage.last().map(|(_, n)| n.clone()).unwrap_or_default();
        let lineage = d
            .lineage
            .iter()
            .rev()
            .skip(1)
            .rev()
            .map(|(_, n)| n.clone())
            .collect();
        let own = d.own.filter(|o| o.year == year);
        let key_list = self.key_list_of(code, year)?;
        Ok(CountyProfile {
            key_list,
            units: self.county_units(actor, code, year, today)?,
            projects: self.county_projects(actor, code)?,
            cadres: self.county_cadres(actor, code, year)?,
            monitoring: kind_rows(&self.monitoring_aggregates(year, Some(code))?),
            inspections: self.county_inspections(actor, code, year, today)?,
            county_code: code.to_string(),
            county_name,
            lineage,
            year,
            history: d.history,
            own,
        })
    }

    fn county_units(
        &self,
        actor: &Actor,
        code: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<CountyUnit>> {
        let mut units: BTreeMap<i64, CountyUnit> = BTreeMap::new();
        for p in self.leader_visits_of_year(actor, year, today)? {
            if p.pairing.county_code == code {
                units.insert(
                    p.pairing.unit_id,
                    CountyUnit {
                        unit_id: p.pairing.unit_id,
                        unit_name: p.pairing.unit_name.clone(),
                        paired: true,
                        received_fen: 0,
                        spent_fen: 0,
                    },
                );
            }
        }
        let f = LedgerFilter {
            county_code: Some(code.to_string()),
            year: Some(year),
            ..Default::default()
        };
        for b in self.ledger_balances(actor, &f)? {
            let u = units.entry(b.unit_id).or_insert_with(|| CountyUnit {
                unit_id: b.unit_id,
                unit_name: String::new(),
                paired: false,
                received_fen: 0,
                spent_fen: 0,
            });
            // The pool's receipts and each earmark's are disjoint rows.
            u.received_fen += b.received_fen;
            u.spent_fen += b.spent_fen;
        }
        let unnamed: Vec<i64> = units
            .values()
            .filter(|u| u.unit_name.is_empty())
            .map(|u| u.unit_id)
            .collect();
        for id in unnamed {
            let name = self
                .get_unit(actor, id)
                .map(|u| u.name)
                .unwrap_or_else(|_| id.to_string());
            if let Some(u) = units.get_mut(&id) {
                u.unit_name = name;
            }
        }
        Ok(units.into_values().collect())
    }

    fn county_projects(&self, actor: &Actor, code: &str) -> Result<Vec<Count>> {
        let f = ProjectFilter {
            county_code: Some(code.to_string()),
            ..Default::default()
        };
        let (projects, _) = self.list_projects(actor, &f, Page::all())?;
        Ok(projects_by_status(&projects))
    }

    fn county_cadres(&self, actor: &Actor, code: &str, year: i32) -> Result<i64> {
        let f = SecondmentFilter {
            county_code: Some(code.to_string()),
            ..Default::default()
        };
        let (all, _) = self.list_secondments(actor, &f, Page::all())?;
        Ok(all.iter().filter(|s| served_in(s, year)).count() as i64)
    }

    fn county_inspections(
        &self,
        actor: &Actor,
        code: &str,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<InspectionLine>> {
        let f = InspectionFilter {
            county_code: Some(code.to_string()),
            year: Some(year),
            ..Default::default()
        };
        let (all, _) = self.list_inspections(actor, &f, Page::all(), today)?;
        Ok(all
            .into_iter()
            .map(|i| InspectionLine {
                date: i.date,
                unit_name: i.unit_name,
                team: i.team,
                findings: i.findings.len() as i64,
            })
            .collect())
    }
}

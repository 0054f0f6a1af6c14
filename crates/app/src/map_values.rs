//! The values of a map's figure for every county of a view, each from one
//! read over the view (never a query per county), with the actor's scope.

use crate::error::Result;
use crate::indicators::IndicatorQuery;
use crate::print::served_in;
use crate::{Actor, App};
use chrono::NaiveDate;
use dingdian_core::area::{CountyList, Level};
use dingdian_core::ledger::LedgerFilter;
use dingdian_core::letter::LetterFilter;
use dingdian_core::map::figure::Figure;
use dingdian_core::public_aggregate::suppress_small;
use dingdian_core::role::Action;
use dingdian_core::secondment::SecondmentFilter;
use dingdian_core::{Fen, Page};
use dingdian_store::areas;
use std::collections::{BTreeMap, BTreeSet};

use crate::map::MapList;

/// Per county code, its value.
pub(crate) type Values = BTreeMap<String, f64>;

fn in_view(code: &str, area: Option<&str>) -> bool {
    area.is_none_or(|a| code.starts_with(a))
}

impl App {
    /// The figure's value per county of the view that has one.
    pub(crate) fn map_values(
        &self,
        actor: &Actor,
        figure: Figure,
        area: Option<&str>,
        year: i32,
        today: NaiveDate,
    ) -> Result<Values> {
        let mut out = Values::new();
        match figure {
            Figure::PovertyIncidence | Figure::PoorPopulation | Figure::RuralIncome => {
                let q = IndicatorQuery {
                    area: area.map(str::to_string),
                    year: Some(year),
                    level: Some(Level::County),
                    ..Default::default()
                };
                for r in self.indicators(actor, &q)? {
                    let i = &r.indicators;
                    let v = match figure {
                        Figure::PovertyIncidence => i.poverty_incidence,
                        Figure::RuralIncome => i.rural_income_per_capita,
                        // A county with no registry row has no poor count.
                        _ => (i.registered_households > 0).then_some(i.poor_population as f64),
                    };
                    if let (Some(code), Some(v)) = (r.area_code, v) {
                        out.insert(code, v);
                    }
                }
            }
            Figure::FundsReceived => {
                let f = LedgerFilter {
                    year: Some(year),
                    ..Default::default()
                };
                let mut fen: BTreeMap<String, i64> = BTreeMap::new();
                for b in self.ledger_balances(actor, &f)? {
                    *fen.entry(b.county_code).or_default() += b.received_fen;
                }
                out.extend(fen.into_iter().map(|(c, f)| (c, Fen::new(f).yuan())));
            }
            Figure::CadresServing => {
                let (all, _) =
                    self.list_secondments(actor, &SecondmentFilter::default(), Page::all())?;
                for s in all.iter().filter(|s| served_in(s, year)) {
                    *out.entry(s.county_code.clone()).or_default() += 1.0;
                }
            }
            Figure::MonitoredHouseholds => self.monitored_values(actor, year, &mut out)?,
            Figure::LetterCompletion => self.letter_values(actor, year, today, &mut out)?,
        }
        out.retain(|code, _| in_view(code, area));
        Ok(out)
    }

    /// Households under monitoring in the year: counts of the cases, which
    /// name nobody; without the right to read the registry a count of 1–4
    /// is withheld as on the public page.
    fn monitored_values(&self, actor: &Actor, year: i32, out: &mut Values) -> Result<()> {
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for m in self.monitoring_aggregates(year, None)? {
            *counts.entry(m.county_code).or_default() += m.count;
        }
        let exact = actor.role.may(Action::ReadRegistry);
        for (code, n) in counts {
            let shown = if exact { Some(n) } else { suppress_small(n).0 };
            if let Some(n) = shown {
                out.insert(code, n as f64);
            }
        }
        Ok(())
    }

    /// Letter completion (see `core::map::figure`): per letter the mean of
    /// min(actual ÷ target, 1) over its indicators with a target; per
    /// county the mean of the letters that cover it, in per cent.
    fn letter_values(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
        out: &mut Values,
    ) -> Result<()> {
        let f = LetterFilter {
            year: Some(year),
            ..Default::default()
        };
        let (letters, _) = self.letters(actor, &f, Page::all())?;
        let mut paired: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
        for p in self.leader_visits_of_year(actor, year, today)? {
            paired
                .entry(p.pairing.unit_id)
                .or_default()
                .insert(p.pairing.county_code);
        }
        let mut per_county: BTreeMap<String, (f64, u32)> = BTreeMap::new();
        for l in &letters {
            if l.progress.is_empty() {
                continue;
            }
            let done = l
                .progress
                .iter()
                .map(|p| p.completion().min(1.0))
                .sum::<f64>()
                / l.progress.len() as f64;
            let counties: Vec<String> = match &l.letter.county_code {
                Some(c) => vec![c.clone()],
                None => paired
                    .get(&l.letter.unit_id)
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
            };
            for c in counties {
                let e = per_county.entry(c).or_default();
                e.0 += done;
                e.1 += 1;
            }
        }
        out.extend(
            per_county
                .into_iter()
                .map(|(c, (sum, n))| (c, 100.0 * sum / n as f64)),
        );
        Ok(())
    }

    /// The names of the units paired with each county in the year (for the
    /// map's hover text); none for a role that may not read assistance.
    pub(crate) fn paired_unit_names(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
    ) -> Result<BTreeMap<String, BTreeSet<String>>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        if !actor.role.may(Action::ReadAssistance) {
            return Ok(out);
        }
        for p in self.leader_visits_of_year(actor, year, today)? {
            out.entry(p.pairing.county_code)
                .or_default()
                .insert(p.pairing.unit_name);
        }
        Ok(out)
    }

    /// The county lists in force in the year, with their members inside
    /// the view (the pages say how complete each list is).
    pub(crate) fn map_lists(
        &self,
        actor: &Actor,
        area: Option<&str>,
        year: i32,
    ) -> Result<Vec<MapList>> {
        let y = i64::from(year);
        let lists: Vec<CountyList> = self
            .county_lists(actor)?
            .into_iter()
            .filter(|l| l.start_year <= y && l.end_year.is_none_or(|e| e >= y))
            .collect();
        let mut out = Vec::new();
        for list in lists {
            let members = self.store.read(|c| areas::list_members(c, &list.code))?;
            let members_in_view = members
                .into_iter()
                .map(|m| m.code)
                .filter(|c| in_view(c, area))
                .collect();
            out.push(MapList {
                code: list.code,
                name_zh: list.name_zh,
                name_en: list.name_en,
                partial: list.partial,
                note: list.note,
                members_in_view,
            });
        }
        Ok(out)
    }
}

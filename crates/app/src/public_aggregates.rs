//! The public page (公开): the office publishes a year's aggregates per
//! county — figures frozen at publication, never a person, a name of a
//! household member or a household id — and anyone reads them without
//! signing in.

use crate::error::{AppError, Result};
use crate::indicators::IndicatorQuery;
use crate::print::{Poverty, poverty_cells, served_in};
use crate::tabular::{Cell, write_xlsx};
use crate::{Actor, App, audit};
use chrono::{Datelike, NaiveDate};
use dingdian_core::area::Level;
use dingdian_core::ledger::LedgerFilter;
use dingdian_core::project::{ProjectFilter, ProjectStatus};
use dingdian_core::public_aggregate::{PublicFigures, suppress_small};
use dingdian_core::role::Action;
use dingdian_core::secondment::SecondmentFilter;
use dingdian_core::{Fen, Page, time};
use dingdian_store::audit::AuditRecord;
use dingdian_store::public_aggregates as store;
pub use dingdian_store::public_aggregates::{PublishedFilter, PublishedYear};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One county's published figures of a year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublicAggregate {
    pub year: i32,
    pub county_code: String,
    pub county_name: String,
    #[serde(flatten)]
    pub figures: PublicFigures,
    /// When the office published the year (UTC seconds).
    pub published_at: i64,
}

/// Per county code, the figures being gathered.
type Gathered = BTreeMap<String, PublicFigures>;

fn blank() -> PublicFigures {
    PublicFigures {
        poor_population: 0,
        poverty_incidence: None,
        exited_population: 0,
        return_rate: None,
        rural_income_per_capita: None,
        funds_received_fen: 0,
        projects_completed: 0,
        cadres_serving: 0,
        paired_units: Vec::new(),
        monitored_households: Some(0),
        monitored_suppressed: false,
    }
}

impl App {
    /// Publishes the year's aggregates of every county with registry or
    /// statistics data that year, replacing what was published for the
    /// year before (audited `public.publish`, with how many were replaced).
    /// The office alone; a year not yet begun is refused.
    pub fn publish_aggregates(&self, actor: &Actor, year: i32, today: NaiveDate) -> Result<usize> {
        let object = ("public_aggregates", year.to_string());
        let object = (object.0, object.1.as_str());
        if let Err(e) = actor.require(Action::PublishAggregates) {
            return Err(self.refused(actor, "public.publish", object, e));
        }
        if !(2000..=today.year()).contains(&year) {
            return Err(AppError::invalid(
                "year",
                year.to_string(),
                "bad_year",
                "只能公开 2000 年至今年的数据",
                "only years from 2000 to this year can be published",
            ));
        }
        let gathered = self.gather_public(actor, year, today)?;
        if gathered.is_empty() {
            return Err(AppError::invalid(
                "year",
                year.to_string(),
                "no_data_for_year",
                "该年度没有任何县的数据，无可公开",
                "no county has data for this year: nothing to publish",
            ));
        }
        let rows: Vec<(String, String)> = gathered
            .iter()
            .map(|(code, f)| {
                Ok((
                    code.clone(),
                    serde_json::to_string(f).map_err(|e| AppError::internal("json", e))?,
                ))
            })
            .collect::<Result<_>>()?;
        let n = rows.len();
        self.store.write(|c| {
            let replaced = store::replace_year(c, year, &rows, actor.user_id, time::now_ts())?;
            let detail = Some(format!("{n} counties; {replaced} replaced"));
            audit(c, actor, "public.publish", object, "success", detail)
        })?;
        Ok(n)
    }

    /// The figures of every county with data in the year.
    fn gather_public(&self, actor: &Actor, year: i32, today: NaiveDate) -> Result<Gathered> {
        let q = IndicatorQuery {
            year: Some(year),
            level: Some(Level::County),
            ..Default::default()
        };
        let mut out = Gathered::new();
        for r in self.indicators(actor, &q)? {
            let i = &r.indicators;
            let has_data = i.registered_households > 0 || i.rural_income_per_capita.is_some();
            if let (Some(code), true) = (r.area_code.clone(), has_data) {
                out.insert(
                    code,
                    PublicFigures {
                        poor_population: i.poor_population,
                        poverty_incidence: i.poverty_incidence,
                        exited_population: i.exited_population,
                        return_rate: i.return_rate,
                        rural_income_per_capita: i.rural_income_per_capita,
                        ..blank()
                    },
                );
            }
        }
        self.gather_assistance(actor, year, today, &mut out)?;
        let mut monitored: BTreeMap<String, i64> = BTreeMap::new();
        for m in self.monitoring_aggregates(year, None)? {
            *monitored.entry(m.county_code).or_default() += m.count;
        }
        for (code, f) in out.iter_mut() {
            let (shown, suppressed) = suppress_small(monitored.get(code).copied().unwrap_or(0));
            f.monitored_households = shown;
            f.monitored_suppressed = suppressed;
        }
        Ok(out)
    }

    /// Funds, completed projects, cadres and paired units per county.
    fn gather_assistance(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
        out: &mut Gathered,
    ) -> Result<()> {
        let lf = LedgerFilter {
            year: Some(year),
            ..Default::default()
        };
        for b in self.ledger_balances(actor, &lf)? {
            if let Some(f) = out.get_mut(&b.county_code) {
                f.funds_received_fen += b.received_fen;
            }
        }
        for p in self
            .list_projects(actor, &ProjectFilter::default(), Page::all())?
            .0
        {
            let done = matches!(p.status, ProjectStatus::Completed | ProjectStatus::Accepted);
            if let (Some(f), true) = (out.get_mut(&p.county_code), done) {
                f.projects_completed += 1;
            }
        }
        for s in self
            .list_secondments(actor, &SecondmentFilter::default(), Page::all())?
            .0
        {
            if let (Some(f), true) = (out.get_mut(&s.county_code), served_in(&s, year)) {
                f.cadres_serving += 1;
            }
        }
        let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in self.leader_visits_of_year(actor, year, today)? {
            names
                .entry(p.pairing.county_code)
                .or_default()
                .insert(p.pairing.unit_name);
        }
        for (code, units) in names {
            if let Some(f) = out.get_mut(&code) {
                f.paired_units = units.into_iter().collect();
            }
        }
        Ok(())
    }

    /// The published years, newest first: public, no sign-in.
    pub fn public_years(&self) -> Result<Vec<PublishedYear>> {
        Ok(self.store.read(store::years)?)
    }

    /// Published figures by year and county: public, no sign-in. Only
    /// what the office published is ever read here.
    pub fn public_aggregates(
        &self,
        f: &PublishedFilter,
        page: Page,
    ) -> Result<(Vec<PublicAggregate>, i64)> {
        let (rows, total) = self.store.read(|c| store::list(c, f, page))?;
        let items = rows
            .into_iter()
            .map(|r| {
                let figures: PublicFigures = serde_json::from_str(&r.figures)
                    .map_err(|e| AppError::internal("public_aggregates.figures", e))?;
                Ok(PublicAggregate {
                    year: r.year,
                    county_code: r.county_code,
                    county_name: r.county_name,
                    figures,
                    published_at: r.published_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }

    /// The published figures the filter shows as xlsx. Audited as a
    /// download by the public (no account), with the caller's address.
    pub fn export_public_aggregates(
        &self,
        address: Option<String>,
        f: &PublishedFilter,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.public_aggregates(f, Page::all())?;
        let headers: Vec<String> = [
            "年度",
            "县代码",
            "县",
            "贫困人口",
            "贫困发生率（%）",
            "脱贫人口",
            "返贫率（%）",
            "农村居民人均可支配收入（元）",
            "到位帮扶资金（元）",
            "完工项目",
            "挂职干部",
            "结对单位",
            "监测对象（户）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|a| {
                let f = &a.figures;
                let monitored = match f.monitored_households {
                    Some(n) => Cell::Int(n),
                    None => Cell::Text("<5".into()),
                };
                let mut row: Vec<Cell> = vec![
                    i64::from(a.year).into(),
                    a.county_code.clone().into(),
                    a.county_name.clone().into(),
                ];
                row.extend(poverty_cells(Poverty {
                    poor: f.poor_population,
                    incidence: f.poverty_incidence,
                    exited: f.exited_population,
                    return_rate: f.return_rate,
                    income: f.rural_income_per_capita,
                }));
                row.extend([
                    Cell::Number(Fen::new(f.funds_received_fen).yuan()),
                    f.projects_completed.into(),
                    f.cadres_serving.into(),
                    f.paired_units.join("、").into(),
                    monitored,
                ]);
                row
            })
            .collect();
        self.store.write(|c| {
            let record = AuditRecord {
                at: time::now_ts(),
                username: Some("public".into()),
                address: address.clone(),
                action: "public.export".into(),
                object_type: Some("public_aggregates".into()),
                object_id: Some(f.year.map(|y| y.to_string()).unwrap_or_else(|| "*".into())),
                outcome: "success".into(),
                detail: Some(format!("{} rows", rows.len())),
                ..Default::default()
            };
            dingdian_store::audit::append(c, &record).map(|_| ())
        })?;
        write_xlsx("public", &headers, &rows)
    }
}

//! Leader visits: a unit records its leaders' visits to the counties it is
//! paired with; everyone in scope lists and exports them; the office sees
//! which pairings have had no visit this year.

use crate::error::{AppError, Result};
use crate::records::pairing_problem;
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::leader_visit::{
    LeaderVisit, LeaderVisitInput, PairingVisits, VisitFilter, visits_of_year,
};
use dingdian_core::role::Action;
use dingdian_core::{Msg, time};
use dingdian_store::{Page, leader_visits as store, records as record_store};

/// The columns of the visits' export.
const EXPORT_HEADERS: [&str; 9] = [
    "单位",
    "县",
    "县级区划代码",
    "领导姓名",
    "领导层级",
    "日期",
    "调研地点",
    "调研目的",
    "决定事项",
];

impl App {
    /// Records a visit by the actor's unit's leader to a county the unit
    /// is paired with on the visit's date (not after `today`). Audited
    /// (`leader_visit.create`); a role that may not record visits is
    /// refused, and that is audited too.
    pub fn create_leader_visit(
        &self,
        actor: &Actor,
        input: &LeaderVisitInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let unit = match actor.require(Action::RecordLeaderVisits).and_then(|_| {
            actor.scope.unit().ok_or_else(|| {
                AppError::Forbidden(Msg::new(
                    "no_unit",
                    "账号未关联帮扶单位，不能登记领导调研",
                    "the account belongs to no unit, so it cannot record leader visits",
                ))
            })
        }) {
            Ok(u) => u,
            Err(e) => {
                return Err(self.refused(actor, "leader_visit.create", ("leader_visit", "*"), e));
            }
        };
        let fields = input.parse(today).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let periods = record_store::paired_periods(c, unit)?;
            if let Some(problem) = pairing_problem(&actor.scope, &periods, &fields) {
                return Err(AppError::Invalid(vec![problem]));
            }
            let id = store::insert(c, unit, &fields, actor.user_id, time::now_ts())?;
            let detail = format!(
                "{} {} {}",
                fields.county_code.as_str(),
                fields.date,
                fields.leader_level.as_str()
            );
            audit(
                c,
                actor,
                "leader_visit.create",
                ("leader_visit", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    /// The visits the actor's scope reaches, newest first.
    pub fn list_leader_visits(
        &self,
        actor: &Actor,
        f: &VisitFilter,
        page: Page,
    ) -> Result<(Vec<LeaderVisit>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    /// One visit; outside the actor's scope it does not exist.
    pub fn leader_visit(&self, actor: &Actor, id: i64) -> Result<LeaderVisit> {
        actor.require(Action::ReadAssistance)?;
        self.store
            .read(|c| store::get(c, &actor.scope, id))?
            .ok_or_else(|| AppError::not_found("领导调研记录", "leader visit"))
    }

    /// Every pairing of `year` the actor's scope reaches, with its leader
    /// visits that year up to `today` (a pairing in force on some day of
    /// the year so far). A year not yet begun has none.
    pub fn leader_visits_of_year(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<PairingVisits>> {
        actor.require(Action::ReadAssistance)?;
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Ok(Vec::new());
        };
        if first > today {
            return Ok(Vec::new());
        }
        let (pairings, visits) = self.store.read(|c| {
            let pairings = store::pairings_between(c, &actor.scope, (first, last.min(today)))?;
            let visits = store::visit_days(c, &actor.scope, year)?;
            Ok::<_, AppError>((pairings, visits))
        })?;
        Ok(visits_of_year(&pairings, &visits, year, today))
    }

    /// The pairings of `year` whose unit's leaders have not (yet) visited.
    pub fn leader_visits_missing(
        &self,
        actor: &Actor,
        year: i32,
        today: NaiveDate,
    ) -> Result<Vec<PairingVisits>> {
        let mut all = self.leader_visits_of_year(actor, year, today)?;
        all.retain(|p| !p.visited);
        Ok(all)
    }

    /// The visits the filter shows, as xlsx; audited (`leader_visit.export`).
    pub fn export_leader_visits(&self, actor: &Actor, f: &VisitFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_leader_visits(actor, f, Page::all())?;
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|v| {
                vec![
                    v.unit_name.into(),
                    v.county_name.into(),
                    v.county_code.into(),
                    v.leader_name.into(),
                    v.leader_level.zh().into(),
                    v.date.to_string().into(),
                    v.places.into(),
                    v.purpose.into(),
                    v.decisions.into(),
                ]
            })
            .collect();
        let headers: Vec<String> = EXPORT_HEADERS.iter().map(|h| h.to_string()).collect();
        self.audited_xlsx(
            actor,
            ("leader_visit.export", "leader_visit"),
            "leader_visits",
            &headers,
            &rows,
        )
    }
}

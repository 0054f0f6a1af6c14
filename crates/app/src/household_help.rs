//! A registry household's assistance record (帮扶手册): a county officer
//! (AssignHelpers) assigns helpers and records measures; a county officer
//! or a cadre (RecordHomeVisits) records home visits, a cadre in its own
//! county only. Reads are scoped like the registry (ReadRegistry): a unit
//! sees none of it. A household outside the actor's county is "no such
//! household", whether it exists elsewhere or not.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::village_teams::{acting_county, no_secondment};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::household_help::{
    AssistanceRecord, HelpFilter, HelperInput, HouseholdWithoutHelper, MeasureInput, Quarter,
    UnvisitedHelper, VisitInput, no_such_helper, visit_in_period,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use dingdian_core::village_team::Official;
use dingdian_store::household_help::{self as store, Writer};
use dingdian_store::village_teams::county_secondment;
use dingdian_store::{Conn, Page};

/// A household's assistance record with what the actor may add to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdAssistance {
    pub record: AssistanceRecord,
    /// May assign helpers and record measures.
    pub may_assign: bool,
    /// May record home visits.
    pub may_visit: bool,
}

fn no_household() -> AppError {
    AppError::not_found("建档立卡户", "household")
}

impl App {
    /// One write about a household of the actor's county: the role, the
    /// household in scope, then `write` and its audit record
    /// (`household.<what>`) in one transaction. Refusals are audited.
    fn write_for_household(
        &self,
        actor: &Actor,
        (action, what): (Action, &str),
        household: &str,
        write: impl FnOnce(&mut dyn Conn, &str) -> Result<(i64, String)>,
    ) -> Result<i64> {
        let audit_action = format!("household.{what}");
        let object = ("household", household);
        let county = acting_county(actor, action)
            .map_err(|e| self.refused(actor, &audit_action, object, e))?;
        let r = self.store.write(|c| {
            let found = store::household_county(c, &actor.scope, household)?;
            if found.as_deref() != Some(county.as_str()) {
                return Err(no_household());
            }
            let (id, detail) = write(c, &county)?;
            audit(c, actor, &audit_action, object, "success", Some(detail))?;
            Ok(id)
        });
        r.map_err(|e| match e {
            AppError::NotFound(_) => self.refused(actor, &audit_action, object, e),
            other => other,
        })
    }

    /// Assigns a helper to a household; audited (`household.helper_assign`).
    pub fn assign_helper(
        &self,
        actor: &Actor,
        input: &HelperInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let h = input.parse(today).map_err(AppError::Invalid)?;
        let w = writer(actor);
        self.write_for_household(
            actor,
            (Action::AssignHelpers, "helper_assign"),
            h.household_id.as_str(),
            |c, county| {
                if let Official::Secondment(id) = h.official
                    && county_secondment(c, county, id)?.is_none()
                {
                    return Err(AppError::Invalid(vec![no_secondment(id)]));
                }
                let id = store::insert_helper(c, &h, county, w)?;
                Ok((id, format!("helper {id} from {}", h.from)))
            },
        )
    }

    /// Records a measure taken for a household; audited
    /// (`household.measure_add`).
    pub fn add_measure(
        &self,
        actor: &Actor,
        input: &MeasureInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let m = input.parse(today).map_err(AppError::Invalid)?;
        let w = writer(actor);
        self.write_for_household(
            actor,
            (Action::AssignHelpers, "measure_add"),
            m.household_id.as_str(),
            |c, county| {
                let id = store::insert_measure(c, &m, county, w)?;
                Ok((id, format!("{} {}", m.category.as_str(), m.date)))
            },
        )
    }

    /// Records a helper's home visit, within the helper's period; audited
    /// (`household.visit_record`).
    pub fn record_home_visit(
        &self,
        actor: &Actor,
        input: &VisitInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let v = input.parse(today).map_err(AppError::Invalid)?;
        let w = writer(actor);
        let household = v.household_id.as_str();
        self.write_for_household(
            actor,
            (Action::RecordHomeVisits, "visit_record"),
            household,
            |c, county| {
                let helper =
                    store::helper(c, (county, household), v.helper_id)?.ok_or_else(|| {
                        AppError::Invalid(vec![no_such_helper(input.helper_id.trim())])
                    })?;
                if let Some(e) = visit_in_period(v.date, (helper.from_date, helper.to_date)) {
                    return Err(AppError::Invalid(vec![e]));
                }
                let id = store::insert_visit(c, &v, county, w)?;
                Ok((id, format!("helper {} on {}", v.helper_id, v.date)))
            },
        )
    }

    /// The household's assistance record (measures and visits of `year`,
    /// or all), with what the actor may add to it.
    pub fn household_assistance(
        &self,
        actor: &Actor,
        household: &str,
        year: Option<i32>,
    ) -> Result<HouseholdAssistance> {
        actor.require(Action::ReadRegistry)?;
        let record = self.store.read(|c| -> Result<AssistanceRecord> {
            let county =
                store::household_county(c, &actor.scope, household)?.ok_or_else(no_household)?;
            let at = (county.as_str(), household);
            Ok(AssistanceRecord {
                helpers: store::helpers(c, &county, household)?,
                measures: store::measures(c, at, year)?,
                visits: store::visits(c, at, year)?,
                household_id: household.to_string(),
                county_code: county,
            })
        })?;
        let own = actor.scope.county() == Some(record.county_code.as_str());
        Ok(HouseholdAssistance {
            may_assign: own && actor.role.may(Action::AssignHelpers),
            may_visit: own && actor.role.may(Action::RecordHomeVisits),
            record,
        })
    }

    /// The households (latest registry year) with no helper on `today`.
    pub fn households_without_helper(
        &self,
        actor: &Actor,
        f: &HelpFilter,
        today: NaiveDate,
        page: Page,
    ) -> Result<(Vec<HouseholdWithoutHelper>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Ok(self
            .store
            .read(|c| store::without_helper(c, &actor.scope, f, today, page))?)
    }

    /// The helpers who did not visit their household in the quarter.
    pub fn unvisited_helpers(
        &self,
        actor: &Actor,
        f: &HelpFilter,
        quarter: Quarter,
        page: Page,
    ) -> Result<(Vec<UnvisitedHelper>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Ok(self
            .store
            .read(|c| store::unvisited(c, &actor.scope, f, quarter, page))?)
    }

    /// The households without a helper as xlsx; audited (`household.help_export`).
    pub fn export_households_without_helper(
        &self,
        actor: &Actor,
        f: &HelpFilter,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let (rows, _) = self.households_without_helper(actor, f, today, Page::all())?;
        let headers = ["户编号", "年度", "县级区划代码", "村代码", "村"].map(String::from);
        let cells: Vec<Vec<Cell>> = rows
            .into_iter()
            .map(|h| {
                vec![
                    h.household_id.into(),
                    i64::from(h.year).into(),
                    h.county_code.into(),
                    h.village_code.into(),
                    h.village_name.into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("household.help_export", "households_without_helper"),
            "without_helper",
            &headers,
            &cells,
        )
    }

    /// The helpers not visited in the quarter as xlsx; audited
    /// (`household.help_export`).
    pub fn export_unvisited_helpers(
        &self,
        actor: &Actor,
        f: &HelpFilter,
        quarter: Quarter,
    ) -> Result<Vec<u8>> {
        let (rows, _) = self.unvisited_helpers(actor, f, quarter, Page::all())?;
        let headers = [
            "户编号",
            "县级区划代码",
            "帮扶责任人",
            "职务",
            "电话",
            "最近走访",
        ]
        .map(String::from);
        let cells: Vec<Vec<Cell>> = rows
            .into_iter()
            .map(|h| {
                vec![
                    h.household_id.into(),
                    h.county_code.into(),
                    h.person_name.into(),
                    h.post.into(),
                    h.phone.unwrap_or_default().into(),
                    h.last_visit
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                        .into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("household.help_export", "unvisited_helpers"),
            &quarter.to_string(),
            &headers,
            &cells,
        )
    }
}

fn writer(actor: &Actor) -> Writer {
    Writer {
        by: actor.user_id,
        now: time::now_ts(),
    }
}

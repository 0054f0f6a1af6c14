//! Reasons a plan leaves a county of its list uncovered: one at a time
//! from the plan page, or many at once from a CSV or xlsx file through the
//! shared tabular reader, with the same checks.

use crate::error::{AppError, Result};
use crate::plans::{not_editable, plan_not_found};
use crate::tabular::{self, Column, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use dingdian_core::coverage::check_exception;
use dingdian_core::plan::{PairingPlan, PairingPlanStatus};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, time};
use dingdian_store::{Conn, areas, plans};
use std::collections::HashSet;

/// Columns of the reasons file.
pub const EXCEPTION_COLUMNS: &[Column] = &[
    Column {
        en: "county_code",
        zh: "县级区划代码",
        required: true,
    },
    Column {
        en: "county_name",
        zh: "县名称",
        required: false,
    },
    Column {
        en: "reason",
        zh: "未覆盖理由",
        required: true,
    },
];

/// The plan, when reasons may still be recorded on it (not yet submitted
/// or decided).
fn open_plan(c: &mut dyn Conn, plan_id: i64) -> Result<PairingPlan> {
    let p = plans::get(c, &Scope::All, plan_id)?.ok_or_else(plan_not_found)?;
    if p.status.is_decided() || p.status == PairingPlanStatus::Submitted {
        return Err(not_editable(&p));
    }
    Ok(p)
}

fn listed(c: &mut dyn Conn, p: &PairingPlan) -> Result<HashSet<String>> {
    Ok(areas::list_members(c, &p.county_list)?
        .into_iter()
        .map(|k| k.code)
        .collect())
}

impl App {
    /// Records why a key county may stay uncovered in a plan.
    pub fn record_coverage_exception(
        &self,
        actor: &Actor,
        plan_id: i64,
        county: &str,
        reason: &str,
    ) -> Result<()> {
        actor.require(Action::EditPlans)?;
        let (county, reason) = (county.trim(), reason.trim());
        self.store.write(|c| {
            let p = open_plan(c, plan_id)?;
            let county =
                check_exception(county, reason, &listed(c, &p)?).map_err(AppError::Invalid)?;
            let now = time::now_ts();
            plans::set_exception(c, plan_id, county.as_str(), reason, actor.user_id, now)?;
            audit(
                c,
                actor,
                "plan.coverage_exception",
                ("plan", &plan_id.to_string()),
                "success",
                Some(format!("{county}: {reason}")),
            )
        })
    }

    /// Records many reasons from a file (county code, reason), all or
    /// nothing, with every problem reported by row. A county named twice
    /// keeps the last reason.
    pub fn import_coverage_exceptions(
        &self,
        actor: &Actor,
        plan_id: i64,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
    ) -> Result<usize> {
        actor.require(Action::EditPlans)?;
        let table = tabular::read(file_name, bytes, encoding)?;
        let map = ColumnMap::new(&table.headers, EXCEPTION_COLUMNS, false)?;
        self.store.write(|c| {
            let p = open_plan(c, plan_id)?;
            let listed = listed(c, &p)?;
            let mut errors = Vec::new();
            let mut accepted = Vec::new();
            for (row, cells) in &table.rows {
                let county = map.get(cells, "county_code").trim();
                let reason = map.get(cells, "reason").trim();
                match check_exception(county, reason, &listed) {
                    Ok(county) => accepted.push((county, reason.to_string())),
                    Err(problems) => errors.extend(problems.into_iter().map(|e| e.at_row(*row))),
                }
            }
            if table.rows.is_empty() {
                errors.push(FieldError::no_rows());
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let now = time::now_ts();
            for (county, reason) in &accepted {
                plans::set_exception(c, plan_id, county.as_str(), reason, actor.user_id, now)?;
            }
            audit(
                c,
                actor,
                "plan.coverage_exception.import",
                ("plan", &plan_id.to_string()),
                "success",
                Some(format!("{} reasons from {file_name}", accepted.len())),
            )?;
            Ok(accepted.len())
        })
    }
}

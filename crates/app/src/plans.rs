//! Pairing plans: drafting, versions, specific plans, consultation
//! feedback, pairings and coverage. The workflow's steps are in
//! `plan_workflow`.

use crate::error::{AppError, Result};
pub use crate::plan_workflow::require_workflow_role;
use crate::tabular::{self, Cell, Column, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::coverage::{self, Coverage, Validity};
pub use dingdian_core::pairing_input::PairingInput;
use dingdian_core::pairing_input::{CheckedPairing, PairingFacts};
use dingdian_core::plan::{
    self, Pairing, PairingPlan, PairingPlanDiff, PairingPlanKind, PairingPlanStatus,
};
use dingdian_core::plan_input::PlanFacts;
pub use dingdian_core::plan_input::{PairingPlanFields, PairingPlanInput};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::plans::{
    self, CoverageException, Feedback, NewPairing, PairingFilter, PairingPlanFilter,
    TransitionRecord,
};
use dingdian_store::{Conn, Page, areas, units};
use std::collections::HashMap;

/// Everything the plan page shows.
#[derive(Debug, Clone)]
pub struct PairingPlanDetail {
    pub plan: PairingPlan,
    pub pairings: Vec<Pairing>,
    pub transitions: Vec<TransitionRecord>,
    pub feedback: Vec<Feedback>,
    pub exceptions: Vec<CoverageException>,
    /// The statuses this actor may move the plan to (its buttons).
    pub next: Vec<plan::Transition>,
    pub editable: bool,
    pub can_give_feedback: bool,
    /// The actor's unit may still give its agreement (once per plan).
    pub can_accept: bool,
    /// Units that answered in consultation, of the units paired in the plan.
    pub feedback_counts: (i64, i64),
    pub later_versions: Vec<(i64, i64, PairingPlanStatus)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ProvinceCoverage {
    pub code: String,
    pub name: String,
    pub key_counties: usize,
    pub covered: usize,
}

/// Columns of the pairing import template and export.
pub const PAIRING_COLUMNS: &[Column] = &[
    Column {
        en: "unit",
        zh: "帮扶单位",
        required: true,
    },
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
        en: "role",
        zh: "角色",
        required: false,
    },
    Column {
        en: "start",
        zh: "开始日期",
        required: false,
    },
    Column {
        en: "end",
        zh: "结束日期",
        required: false,
    },
    Column {
        en: "note",
        zh: "备注",
        required: false,
    },
];

pub(crate) fn plan_not_found() -> AppError {
    AppError::not_found("方案", "plan")
}

pub(crate) fn not_editable(p: &PairingPlan) -> AppError {
    AppError::Conflict(Msg::new(
        "plan_not_editable",
        format!(
            "方案处于“{}”状态，不能修改；已通过的方案须另建新版本",
            p.status.zh()
        ),
        format!(
            "the plan is {} and cannot be changed; an approved plan needs a new version",
            p.status.as_str()
        ),
    ))
}

/// Reads what a plan input refers to (its county list, its overall plan)
/// and checks the input against it.
fn parse_plan(c: &mut dyn Conn, input: &PairingPlanInput) -> Result<PairingPlanFields> {
    let list = input.county_list_or(dingdian_store::reference::KEY_2012);
    let parent = match input.parent_id {
        Some(pid) => plans::get(c, &Scope::All, pid)?,
        None => None,
    };
    let facts = PlanFacts {
        list_exists: areas::county_list_exists(c, &list)?,
        parent: parent.as_ref(),
    };
    input.parse(list, facts).map_err(AppError::Invalid)
}

/// Reads whether the pairing's unit and county exist and checks it against
/// the plan and the pairings the plan already holds. The outer error is
/// the database's; the inner one the pairing's problems.
fn check_pairing(
    c: &mut dyn Conn,
    plan: &PairingPlan,
    input: &PairingInput,
    existing: &[Pairing],
) -> Result<std::result::Result<CheckedPairing, Vec<FieldError>>> {
    let unit_exists = match input.unit_id {
        Some(id) => units::exists(c, id)?,
        None => false,
    };
    let county = input.county_code.trim();
    let county_exists = !county.is_empty() && areas::county_exists(c, county)?;
    Ok(input.check(PairingFacts {
        unit_exists,
        county_exists,
        plan,
        existing,
    }))
}

fn insert_pairing(c: &mut dyn Conn, plan_id: i64, n: &CheckedPairing) -> Result<i64> {
    Ok(plans::insert_pairing(
        c,
        &NewPairing {
            plan_id,
            unit_id: n.unit_id,
            county_code: n.county_code.as_str(),
            role: n.role,
            start: n.start,
            end: n.end,
            note: n.note.as_deref(),
        },
    )?)
}

/// Gets a plan the actor may see, for editing by the office.
fn editable_plan(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<PairingPlan> {
    actor.require(Action::EditPlans)?;
    let p = plans::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
    if !p.status.is_editable() {
        return Err(not_editable(&p));
    }
    Ok(p)
}

/// Coverage of a plan computed from its pairings.
pub(crate) fn compute_coverage(
    c: &mut dyn Conn,
    p: &PairingPlan,
    on: Option<NaiveDate>,
) -> Result<Coverage> {
    let counties = areas::list_members(c, &p.county_list)?;
    let pairings = plans::plan_pairings(c, &Scope::All, p.id)?;
    let mut by_county: HashMap<&str, Vec<Validity>> = HashMap::new();
    for pr in &pairings {
        by_county
            .entry(pr.county_code.as_str())
            .or_default()
            .push(Validity {
                start: pr.start,
                end: pr.end,
            });
    }
    Ok(coverage::coverage(&counties, |k| {
        let v = by_county
            .get(k.code.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match on {
            Some(day) => coverage::covered_on(v, day),
            None => coverage::covered_throughout(v, p.period_start, p.period_end),
        }
    }))
}

impl App {
    pub fn list_plans(
        &self,
        actor: &Actor,
        f: &PairingPlanFilter,
        page: Page,
    ) -> Result<(Vec<PairingPlan>, i64)> {
        actor.require(Action::ReadPlans)?;
        Ok(self.store.read(|c| plans::list(c, &actor.scope, f, page))?)
    }

    pub fn get_plan(&self, actor: &Actor, id: i64) -> Result<PairingPlan> {
        actor.require(Action::ReadPlans)?;
        self.store
            .read(|c| plans::get(c, &actor.scope, id))?
            .ok_or_else(plan_not_found)
    }

    pub fn plan_detail(&self, actor: &Actor, id: i64) -> Result<PairingPlanDetail> {
        actor.require(Action::ReadPlans)?;
        self.store.read(|c| {
            let plan = plans::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            let pairings = plans::plan_pairings(c, &actor.scope, id)?;
            let feedback = plans::feedback(c, &actor.scope, id)?;
            let exceptions = if actor.scope == Scope::All {
                plans::exceptions(c, id)?
            } else {
                Vec::new()
            };
            let can_give_feedback = actor.role.may(Action::GiveFeedback)
                && plan.status == PairingPlanStatus::Consultation;
            let accepted = match actor.scope.unit() {
                Some(u) if can_give_feedback => plans::unit_accepted(c, id, u)?,
                _ => false,
            };
            Ok(PairingPlanDetail {
                next: plan::transitions_for(plan.status, actor.role),
                editable: actor.role.may(Action::EditPlans) && plan.status.is_editable(),
                can_give_feedback,
                can_accept: can_give_feedback && !accepted,
                feedback_counts: if actor.scope == Scope::All {
                    plans::feedback_counts(c, id)?
                } else {
                    (0, 0)
                },
                later_versions: plans::next_versions(c, id)?,
                transitions: plans::transitions(c, id)?,
                plan,
                pairings,
                feedback,
                exceptions,
            })
        })
    }

    pub fn create_plan(&self, actor: &Actor, input: &PairingPlanInput) -> Result<i64> {
        actor.require(Action::EditPlans)?;
        self.store.write(|c| {
            let f = parse_plan(c, input)?;
            let id = plans::insert(c, &f, 1, None, actor.user_id, time::now_ts())?;
            plans::record_transition(
                c,
                id,
                None,
                PairingPlanStatus::Draft,
                actor.user_id,
                &actor.username,
                None,
                time::now_ts(),
            )?;
            audit(
                c,
                actor,
                "plan.create",
                ("plan", &id.to_string()),
                "success",
                Some(f.name.clone()),
            )?;
            Ok(id)
        })
    }

    pub fn update_plan(&self, actor: &Actor, id: i64, input: &PairingPlanInput) -> Result<()> {
        self.store.write(|c| {
            let p = editable_plan(c, actor, id)?;
            let mut input = input.clone();
            // Kind and parent are fixed at creation.
            input.kind = p.kind.as_str().into();
            input.parent_id = p.parent_id;
            let f = parse_plan(c, &input)?;
            let outside = plans::plan_pairings(c, &Scope::All, id)?
                .into_iter()
                .filter(|pr| pr.start < f.period_start || pr.end > f.period_end)
                .count();
            if outside > 0 {
                return Err(AppError::invalid(
                    "period_start",
                    format!("{} – {}", f.period_start, f.period_end),
                    "pairings_outside",
                    format!("有 {outside} 个结对超出新的期限，请先调整这些结对"),
                    format!(
                        "{outside} pairings would lie outside the new period: adjust them first"
                    ),
                ));
            }
            plans::update(c, id, &f, time::now_ts())?;
            audit(
                c,
                actor,
                "plan.update",
                ("plan", &id.to_string()),
                "success",
                Some(f.name.clone()),
            )
        })
    }

    pub fn add_pairing(&self, actor: &Actor, plan_id: i64, input: &PairingInput) -> Result<i64> {
        self.store.write(|c| {
            let p = editable_plan(c, actor, plan_id)?;
            let existing = plans::plan_pairings(c, &Scope::All, plan_id)?;
            let n = check_pairing(c, &p, input, &existing)?.map_err(AppError::Invalid)?;
            let id = insert_pairing(c, plan_id, &n)?;
            audit(
                c,
                actor,
                "pairing.create",
                ("plan", &plan_id.to_string()),
                "success",
                Some(format!(
                    "unit {} – county {} ({})",
                    n.unit_id,
                    n.county_code,
                    n.role.as_str()
                )),
            )?;
            Ok(id)
        })
    }

    pub fn remove_pairing(&self, actor: &Actor, plan_id: i64, pairing_id: i64) -> Result<()> {
        self.store.write(|c| {
            editable_plan(c, actor, plan_id)?;
            let pr = plans::get_pairing(c, pairing_id)?
                .filter(|p| p.plan_id == plan_id)
                .ok_or_else(|| AppError::not_found("结对", "pairing"))?;
            plans::delete_pairing(c, pairing_id)?;
            audit(
                c,
                actor,
                "pairing.delete",
                ("plan", &plan_id.to_string()),
                "success",
                Some(format!("unit {} – county {}", pr.unit_id, pr.county_code)),
            )
        })
    }

    /// Starts a new version of a decided (or returned) plan: a draft with
    /// the same pairings, linked to the version it revises.
    pub fn new_plan_version(&self, actor: &Actor, id: i64) -> Result<i64> {
        actor.require(Action::EditPlans)?;
        self.store.write(|c| {
            let p = plans::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            if !(p.status.is_decided() || p.status == PairingPlanStatus::Returned) {
                return Err(AppError::Conflict(Msg::new("not_versionable", "只有已通过、执行中、已替代或退回的方案可以另建新版本；草稿请直接修改", "only approved, active, superseded or returned plans get a new version; edit a draft directly")));
            }
            let f = PairingPlanFields {
                name: p.name.clone(),
                kind: p.kind,
                parent_id: p.parent_id,
                county_list: p.county_list.clone(),
                period_start: p.period_start,
                period_end: p.period_end,
                note: p.note.clone(),
            };
            let now = time::now_ts();
            let new_id = plans::insert(c, &f, p.version + 1, Some(p.id), actor.user_id, now)?;
            plans::copy_pairings(c, p.id, new_id, None)?;
            plans::copy_exceptions(c, p.id, new_id)?;
            plans::record_transition(c, new_id, None, PairingPlanStatus::Draft, actor.user_id, &actor.username, Some(&plan::SystemReason::Revises(p.version).code()), now)?;
            audit(c, actor, "plan.new_version", ("plan", &new_id.to_string()), "success", Some(format!("from plan {id}")))?;
            Ok(new_id)
        })
    }

    /// Draws a specific plan from an overall plan for a group of units,
    /// taking their pairings with it.
    pub fn derive_specific_plan(
        &self,
        actor: &Actor,
        overall_id: i64,
        name: &str,
        unit_ids: &[i64],
    ) -> Result<i64> {
        actor.require(Action::EditPlans)?;
        if unit_ids.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "units",
                "",
                Msg::new(
                    "units_required",
                    "请至少选择一个单位",
                    "choose at least one unit",
                ),
            )]));
        }
        self.store.write(|c| {
            let parent = plans::get(c, &Scope::All, overall_id)?
                .filter(|p| p.kind == PairingPlanKind::Overall)
                .ok_or_else(plan_not_found)?;
            let input = PairingPlanInput {
                name: name.into(),
                kind: "specific".into(),
                parent_id: Some(parent.id),
                county_list: parent.county_list.clone(),
                period_start: parent.period_start.to_string(),
                period_end: parent.period_end.to_string(),
                note: String::new(),
            };
            let f = parse_plan(c, &input)?;
            let now = time::now_ts();
            let id = plans::insert(c, &f, 1, None, actor.user_id, now)?;
            let copied = plans::copy_pairings(c, parent.id, id, Some(unit_ids))?;
            plans::record_transition(
                c,
                id,
                None,
                PairingPlanStatus::Draft,
                actor.user_id,
                &actor.username,
                Some(&plan::SystemReason::DrawnFrom(parent.id).code()),
                now,
            )?;
            audit(
                c,
                actor,
                "plan.derive",
                ("plan", &id.to_string()),
                "success",
                Some(format!("from plan {overall_id}, {copied} pairings")),
            )?;
            Ok(id)
        })
    }

    /// A unit in consultation accepts its pairings or comments on them.
    pub fn give_feedback(&self, actor: &Actor, plan_id: i64, kind: &str, text: &str) -> Result<()> {
        actor.require(Action::GiveFeedback)?;
        let (kind, text) = plan::check_feedback(kind, text).map_err(AppError::Invalid)?;
        let unit = actor.scope.unit().ok_or_else(|| {
            AppError::Forbidden(Msg::new(
                "no_scope",
                "此账号没有所属单位",
                "this account has no unit",
            ))
        })?;
        self.store.write(|c| {
            let p = plans::get(c, &actor.scope, plan_id)?.ok_or_else(plan_not_found)?;
            if p.status != PairingPlanStatus::Consultation {
                return Err(AppError::Conflict(Msg::new(
                    "not_in_consultation",
                    "方案不在征求意见阶段",
                    "the plan is not in consultation",
                )));
            }
            plans::lock(c, plan_id)?;
            if kind == "accept" && plans::unit_accepted(c, plan_id, unit)? {
                return Err(AppError::Conflict(Msg::new(
                    "already_accepted",
                    "本单位已对此方案表示同意，无需再次提交",
                    "your unit has already agreed to this plan",
                )));
            }
            plans::insert_feedback(c, plan_id, unit, actor.user_id, kind, text, time::now_ts())?;
            audit(
                c,
                actor,
                "plan.feedback",
                ("plan", &plan_id.to_string()),
                "success",
                Some(kind.to_string()),
            )
        })
    }

    /// Coverage of a plan on a day (today when not given).
    pub fn plan_coverage(
        &self,
        actor: &Actor,
        plan_id: i64,
        on: Option<NaiveDate>,
    ) -> Result<Coverage> {
        actor.require(Action::ReadPlans)?;
        self.store.read(|c| {
            let p = plans::get(c, &actor.scope, plan_id)?.ok_or_else(plan_not_found)?;
            compute_coverage(c, &p, Some(on.unwrap_or_else(time::today)))
        })
    }

    /// Coverage over the plan's whole period: what submission checks.
    pub fn plan_period_coverage(&self, actor: &Actor, plan_id: i64) -> Result<Coverage> {
        actor.require(Action::ReadPlans)?;
        self.store.read(|c| {
            let p = plans::get(c, &actor.scope, plan_id)?.ok_or_else(plan_not_found)?;
            compute_coverage(c, &p, None)
        })
    }

    /// Coverage by province for the chart.
    pub fn coverage_by_province(
        &self,
        actor: &Actor,
        plan_id: i64,
        on: Option<NaiveDate>,
    ) -> Result<Vec<ProvinceCoverage>> {
        let cov = self.plan_coverage(actor, plan_id, on)?;
        self.store.read(|c| {
            let p = plans::get(c, &actor.scope, plan_id)?.ok_or_else(plan_not_found)?;
            let counties = areas::list_members(c, &p.county_list)?;
            let names: HashMap<String, String> = areas::province_names(c)?.into_iter().collect();
            let mut by: std::collections::BTreeMap<String, ProvinceCoverage> = Default::default();
            for k in &counties {
                let prov = k.code[..2].to_string();
                let e = by.entry(prov.clone()).or_insert_with(|| ProvinceCoverage {
                    name: names.get(&prov).cloned().unwrap_or_default(),
                    code: prov,
                    key_counties: 0,
                    covered: 0,
                });
                e.key_counties += 1;
                if !cov.uncovered.iter().any(|u| u.code == k.code) {
                    e.covered += 1;
                }
            }
            Ok(by.into_values().collect())
        })
    }

    /// The active overall plan whose period includes `on` (today by default).
    pub fn current_overall_plan(
        &self,
        actor: &Actor,
        on: Option<NaiveDate>,
    ) -> Result<Option<PairingPlan>> {
        actor.require(Action::ReadPlans)?;
        let day = on.unwrap_or_else(time::today);
        let f = PairingPlanFilter {
            status: Some(PairingPlanStatus::Active),
            kind: Some(PairingPlanKind::Overall),
            q: None,
        };
        let (plans, _) = self.list_plans(actor, &f, Page::all())?;
        Ok(plans
            .into_iter()
            .find(|p| p.period_start <= day && day <= p.period_end))
    }

    /// The difference between this version and the one it revises.
    #[allow(clippy::type_complexity)]
    pub fn plan_diff(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Option<(PairingPlan, PairingPlanDiff, HashMap<i64, String>)>> {
        actor.require(Action::ReadPlans)?;
        self.store.read(|c| {
            let p = plans::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            let Some(prev_id) = p.previous_id else {
                return Ok(None);
            };
            let Some(prev) = plans::get(c, &Scope::All, prev_id)? else {
                return Ok(None);
            };
            let before = plans::plan_pairings(c, &actor.scope, prev_id)?;
            let after = plans::plan_pairings(c, &actor.scope, id)?;
            let mut names: HashMap<i64, String> = HashMap::new();
            for pr in before.iter().chain(after.iter()) {
                names.insert(pr.unit_id, pr.unit_name.clone());
            }
            let b: Vec<_> = before.iter().map(Pairing::terms).collect();
            let a: Vec<_> = after.iter().map(Pairing::terms).collect();
            Ok(Some((prev, plan::diff_pairings(&b, &a), names)))
        })
    }

    pub fn list_pairings(
        &self,
        actor: &Actor,
        f: &PairingFilter,
        page: Page,
    ) -> Result<(Vec<Pairing>, i64)> {
        actor.require(Action::ReadPlans)?;
        Ok(self
            .store
            .read(|c| plans::pairings(c, &actor.scope, f, page))?)
    }

    pub fn export_pairings(&self, actor: &Actor, f: &PairingFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_pairings(actor, f, Page::all())?;
        let mut headers: Vec<String> = vec!["方案编号".into()];
        headers.extend(PAIRING_COLUMNS.iter().map(|c| c.zh.to_string()));
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|p| {
                vec![
                    p.plan_id.into(),
                    p.unit_name.into(),
                    p.county_code.into(),
                    p.county_name.into(),
                    p.role.zh().into(),
                    p.start.to_string().into(),
                    p.end.to_string().into(),
                    p.note.into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("pairing.export", "pairing"),
            "pairings",
            &headers,
            &rows,
        )
    }

    pub fn export_plans(&self, actor: &Actor, f: &PairingPlanFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_plans(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "方案名称",
            "类型",
            "版本",
            "开始日期",
            "结束日期",
            "状态",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|p| {
                vec![
                    p.id.into(),
                    p.name.into(),
                    (if p.kind == PairingPlanKind::Overall {
                        "总体方案"
                    } else {
                        "具体方案"
                    })
                    .into(),
                    p.version.into(),
                    p.period_start.to_string().into(),
                    p.period_end.to_string().into(),
                    p.status.zh().into(),
                ]
            })
            .collect();
        self.audited_xlsx(actor, ("plan.export", "plan"), "plans", &headers, &rows)
    }

    /// Imports pairings into a draft plan, all or nothing. The unit is
    /// named by its name or its number.
    pub fn import_pairings(
        &self,
        actor: &Actor,
        plan_id: i64,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
    ) -> Result<usize> {
        // Permission before the file is read.
        actor.require(Action::EditPlans)?;
        let table = tabular::read(file_name, bytes, encoding)?;
        let map = ColumnMap::new(&table.headers, PAIRING_COLUMNS, false)?;
        self.store.write(|c| {
            let p = editable_plan(c, actor, plan_id)?;
            let mut existing = plans::plan_pairings(c, &Scope::All, plan_id)?;
            let mut errors = Vec::new();
            let mut accepted = Vec::new();
            for (row, cells) in &table.rows {
                let unit = map.get(cells, "unit");
                let unit_id = match unit.parse::<i64>() {
                    Ok(id) => Some(id),
                    Err(_) => units::find_by_name(c, unit)?,
                };
                if unit_id.is_none() {
                    errors.push(
                        FieldError::new(
                            "unit",
                            unit,
                            Msg::new(
                                "unknown_unit",
                                "单位不存在（请先导入单位）",
                                "no such unit (import the units first)",
                            ),
                        )
                        .at_row(*row),
                    );
                    continue;
                }
                let input = PairingInput {
                    unit_id,
                    county_code: map.get(cells, "county_code").into(),
                    role: map.get(cells, "role").into(),
                    start: map.get(cells, "start").into(),
                    end: map.get(cells, "end").into(),
                    note: map.get(cells, "note").into(),
                };
                match check_pairing(c, &p, &input, &existing)? {
                    Ok(n) => {
                        existing.push(n.as_pairing(plan_id));
                        accepted.push(n);
                    }
                    Err(es) => errors.extend(es.into_iter().map(|e| e.at_row(*row))),
                }
            }
            if table.rows.is_empty() {
                errors.push(FieldError::no_rows());
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            for n in &accepted {
                insert_pairing(c, plan_id, n)?;
            }
            audit(
                c,
                actor,
                "pairing.import",
                ("plan", &plan_id.to_string()),
                "success",
                Some(format!("{} pairings from {file_name}", accepted.len())),
            )?;
            Ok(accepted.len())
        })
    }
}

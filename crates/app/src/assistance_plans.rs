//! Assistance plans: a unit drafts its plan for a county it is paired
//! with, submits it, the county agrees or returns it with comments; a
//! change to an agreed plan is a new version, which supersedes the old one
//! once agreed.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use dingdian_core::assistance::{
    self as rules, AssistancePlan, AssistancePlanDiff, AssistancePlanFacts, AssistancePlanFields,
    AssistancePlanFilter, AssistancePlanInput, AssistancePlanStatus, PlanStep,
};
use dingdian_core::plan::SystemReason;
use dingdian_core::project::{Project, ProjectFilter};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::assistance_plans::{self as store, StepRecord};
use dingdian_store::{Conn, Page, projects};

/// Everything the plan page shows, with what the actor may do.
#[derive(Debug, Clone)]
pub struct AssistancePlanDetail {
    pub plan: AssistancePlan,
    pub fields: AssistancePlanFields,
    /// The target villages with their names.
    pub villages: Vec<(String, String)>,
    pub transitions: Vec<StepRecord<AssistancePlanStatus>>,
    /// The steps this actor may take (its buttons).
    pub next: Vec<PlanStep>,
    pub may_edit: bool,
    pub may_new_version: bool,
    pub may_add_project: bool,
    /// The version this one revises and the difference from it.
    pub previous: Option<(AssistancePlan, AssistancePlanDiff)>,
    pub later_versions: Vec<(i64, i64, AssistancePlanStatus)>,
    pub projects: Vec<Project>,
}

pub(crate) fn plan_not_found() -> AppError {
    AppError::not_found("帮扶规划", "assistance plan")
}

fn not_editable(p: &AssistancePlan) -> AppError {
    AppError::Conflict(Msg::new(
        "plan_not_editable",
        format!(
            "规划处于“{}”状态，不能修改；已确认的规划须另建新版本",
            p.status.zh()
        ),
        format!(
            "the plan is {} and cannot be changed; an agreed plan needs a new version",
            p.status.code()
        ),
    ))
}

/// The unit an actor acts for (a unit account has one).
pub(crate) fn own_unit(actor: &Actor) -> Result<i64> {
    actor.scope.unit().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "no_scope",
            "此账号没有所属单位",
            "this account has no unit",
        ))
    })
}

/// Reads what the input refers to and checks it.
fn parse(
    c: &mut dyn Conn,
    unit: i64,
    county: &str,
    input: &AssistancePlanInput,
) -> Result<AssistancePlanFields> {
    let facts = AssistancePlanFacts {
        pairings: store::pairing_periods(c, unit, county)?,
        villages_found: store::villages_found(c, county, &input.villages)?,
        households_found: store::households_found(c, county, &input.households)?,
    };
    input.parse(&facts).map_err(AppError::Invalid)
}

fn step_refused(p: &AssistancePlan, to: AssistancePlanStatus) -> AppError {
    AppError::Conflict(Msg::new(
        "illegal_transition",
        format!("规划不能从“{}”转为“{}”", p.status.zh(), to.zh()),
        format!("a plan cannot go from {} to {}", p.status.code(), to.code()),
    ))
}

fn only_role(t: &PlanStep) -> AppError {
    AppError::Forbidden(Msg::new(
        "forbidden",
        format!("只有“{}”可以将规划转为“{}”", t.role.zh(), t.to.zh()),
        format!(
            "only the {} role may move a plan to {}",
            t.role.as_str(),
            t.to.code()
        ),
    ))
}

/// A comment or reason a person gives: trimmed, at most 2000 characters,
/// and not in the form of the system's own reasons.
pub(crate) fn reason_text(reason: Option<&str>, needed: bool) -> Result<Option<String>> {
    let mut e = Vec::new();
    let r = dingdian_core::error::optional_text("reason", reason.unwrap_or(""), 2000, &mut e);
    if r.is_none() && needed {
        e.push(FieldError::new(
            "reason",
            "",
            Msg::new("reason_required", "须说明理由", "a reason is needed"),
        ));
    }
    if let Some(r) = r.as_deref().filter(|r| r.starts_with("sys:")) {
        e.push(FieldError::new(
            "reason",
            r,
            Msg::new(
                "reserved_reason",
                "理由不能以 sys: 开头",
                "a reason may not start with sys:",
            ),
        ));
    }
    if e.is_empty() {
        Ok(r)
    } else {
        Err(AppError::Invalid(e))
    }
}

impl App {
    pub fn list_assistance_plans(
        &self,
        actor: &Actor,
        f: &AssistancePlanFilter,
        page: Page,
    ) -> Result<(Vec<AssistancePlan>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    pub fn get_assistance_plan(&self, actor: &Actor, id: i64) -> Result<AssistancePlan> {
        actor.require(Action::ReadAssistance)?;
        self.store
            .read(|c| store::get(c, &actor.scope, id))?
            .ok_or_else(plan_not_found)
    }

    pub fn assistance_plan_detail(&self, actor: &Actor, id: i64) -> Result<AssistancePlanDetail> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            let plan = store::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            let fields = store::fields(c, &plan)?;
            let previous = match plan.previous_id {
                Some(prev) => match store::get(c, &Scope::All, prev)? {
                    Some(p) => {
                        let before = store::fields(c, &p)?;
                        Some((p, rules::diff(&before, &fields)))
                    }
                    None => None,
                },
                None => None,
            };
            let f = ProjectFilter {
                plan_id: Some(id),
                ..Default::default()
            };
            let edits = actor.role.may(Action::EditAssistancePlans);
            Ok(AssistancePlanDetail {
                villages: store::village_names(c, &fields.villages)?,
                transitions: store::transitions(c, id)?,
                next: rules::plan_steps_for(plan.status, actor.role),
                may_edit: edits && plan.status.is_editable(),
                may_new_version: edits && plan.status == AssistancePlanStatus::Agreed,
                may_add_project: actor.role.may(Action::EditProjects)
                    && plan.status == AssistancePlanStatus::Agreed,
                later_versions: store::next_versions(c, id)?,
                projects: projects::list(c, &actor.scope, &f, Page::all())?.0,
                previous,
                fields,
                plan,
            })
        })
    }

    /// A unit drafts a plan for a county it is paired with.
    pub fn create_assistance_plan(
        &self,
        actor: &Actor,
        input: &AssistancePlanInput,
    ) -> Result<i64> {
        actor.require(Action::EditAssistancePlans)?;
        let unit = own_unit(actor)?;
        let county = input.county_code.trim().to_string();
        self.store.write(|c| {
            let f = parse(c, unit, &county, input)?;
            let now = time::now_ts();
            let id = store::insert(c, unit, &county, &f, 1, None, actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (None, AssistancePlanStatus::Draft), who, None, now)?;
            let object = ("assistance_plan", id.to_string());
            let detail = Some(format!("{county}: {}", f.name));
            audit(
                c,
                actor,
                "assistance_plan.create",
                (object.0, &object.1),
                "success",
                detail,
            )?;
            Ok(id)
        })
    }

    /// The unit changes a draft or returned plan; the county stays.
    pub fn update_assistance_plan(
        &self,
        actor: &Actor,
        id: i64,
        input: &AssistancePlanInput,
    ) -> Result<()> {
        actor.require(Action::EditAssistancePlans)?;
        self.store.write(|c| {
            let p = store::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            if !p.status.is_editable() {
                return Err(not_editable(&p));
            }
            let f = parse(c, p.unit_id, &p.county_code, input)?;
            store::update(c, id, &f, time::now_ts())?;
            let detail = Some(f.name.clone());
            audit(
                c,
                actor,
                "assistance_plan.update",
                ("assistance_plan", &id.to_string()),
                "success",
                detail,
            )
        })
    }

    /// Moves a plan along the workflow; agreeing a new version supersedes
    /// the version it revises.
    pub fn transition_assistance_plan(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        reason: Option<&str>,
    ) -> Result<AssistancePlanStatus> {
        actor.require(Action::ReadAssistance)?;
        let Some(to) = AssistancePlanStatus::from_code(to) else {
            return Err(AppError::invalid(
                "to",
                to,
                "bad_status",
                "不是已知的规划状态",
                "is not a known plan status",
            ));
        };
        let out = self.store.write(|c| {
            let p = store::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            let step = rules::plan_step(p.status, to).ok_or_else(|| step_refused(&p, to))?;
            if step.role != actor.role {
                return Err(only_role(&step));
            }
            let reason = reason_text(reason, step.needs_reason)?;
            let now = time::now_ts();
            let who = (actor.user_id, actor.username.as_str());
            store::set_status(c, id, to, now)?;
            store::record_transition(c, id, (Some(p.status), to), who, reason.as_deref(), now)?;
            if to == AssistancePlanStatus::Agreed {
                supersede_previous(c, actor, &p, now)?;
            }
            let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
            let detail = Some(format!("{} -> {}{why}", p.status.code(), to.code()));
            audit(
                c,
                actor,
                "assistance_plan.transition",
                ("assistance_plan", &id.to_string()),
                "success",
                detail,
            )?;
            Ok(to)
        });
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => Err(self.refused(
                actor,
                "assistance_plan.transition",
                ("assistance_plan", &id.to_string()),
                e,
            )),
            other => other,
        }
    }

    /// Starts a new version of an agreed plan: a draft with the same
    /// content, linked to the version it revises.
    pub fn new_assistance_plan_version(&self, actor: &Actor, id: i64) -> Result<i64> {
        actor.require(Action::EditAssistancePlans)?;
        self.store.write(|c| {
            let p = store::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            if p.status != AssistancePlanStatus::Agreed {
                return Err(AppError::Conflict(Msg::new("not_versionable", "只有已确认的规划可以另建新版本；草稿或退回的规划请直接修改", "only an agreed plan gets a new version; edit a draft or returned plan directly")));
            }
            if let Some((open, v, _)) = store::next_versions(c, id)?
                .into_iter()
                .find(|(_, _, s)| *s != AssistancePlanStatus::Superseded)
            {
                return Err(AppError::Conflict(Msg::new(
                    "version_exists",
                    format!("已有新版本（第 {v} 版，#{open}）在办理中"),
                    format!("a new version (version {v}, #{open}) is already under way"),
                )));
            }
            let f = store::fields(c, &p)?;
            let now = time::now_ts();
            let new_id = store::insert(c, p.unit_id, &p.county_code, &f, p.version + 1, Some(id), actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            let why = SystemReason::Revises(p.version).code();
            store::record_transition(c, new_id, (None, AssistancePlanStatus::Draft), who, Some(&why), now)?;
            let detail = Some(format!("from assistance plan {id}"));
            audit(c, actor, "assistance_plan.new_version", ("assistance_plan", &new_id.to_string()), "success", detail)?;
            Ok(new_id)
        })
    }

    /// The plans the filter finds as an xlsx sheet; audited.
    pub fn export_assistance_plans(
        &self,
        actor: &Actor,
        f: &AssistancePlanFilter,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.list_assistance_plans(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "帮扶单位",
            "县代码",
            "县",
            "规划名称",
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
                    p.unit_name.into(),
                    p.county_code.into(),
                    p.county_name.into(),
                    p.name.into(),
                    p.version.into(),
                    p.period_start.to_string().into(),
                    p.period_end.to_string().into(),
                    p.status.zh().into(),
                ]
            })
            .collect();
        let action = ("assistance_plan.export", "assistance_plan");
        self.audited_xlsx(actor, action, "assistance_plans", &headers, &rows)
    }
}

/// Agreeing a new version supersedes the agreed version it revises.
fn supersede_previous(c: &mut dyn Conn, actor: &Actor, p: &AssistancePlan, now: i64) -> Result<()> {
    let Some(prev) = p.previous_id else {
        return Ok(());
    };
    let Some(old) = store::get(c, &Scope::All, prev)? else {
        return Ok(());
    };
    if old.status != AssistancePlanStatus::Agreed {
        return Ok(());
    }
    let to = AssistancePlanStatus::Superseded;
    store::set_status(c, prev, to, now)?;
    let who = (actor.user_id, actor.username.as_str());
    let why = SystemReason::SupersededBy(p.id).code();
    store::record_transition(c, prev, (Some(old.status), to), who, Some(&why), now)?;
    let detail = Some("agreed -> superseded".to_string());
    audit(
        c,
        actor,
        "assistance_plan.transition",
        ("assistance_plan", &prev.to_string()),
        "success",
        detail,
    )
}

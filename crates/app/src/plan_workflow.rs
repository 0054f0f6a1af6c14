//! The plan workflow: moving a plan from one status to the next, with the
//! checks each step needs, and superseding the plans an activated one
//! replaces.

use crate::error::{AppError, Result};
use crate::plans::{compute_coverage, plan_not_found};
use crate::{Actor, App, audit};
use dingdian_core::plan::{self, PairingPlan, PairingPlanKind, PairingPlanStatus};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::plans::{self, PairingPlanFilter};
use dingdian_store::{Conn, Page};

impl App {
    /// Moves a plan along the workflow. Checks that the step exists, that
    /// the actor's role takes it, that a reason is given where one is
    /// needed, and (for submitting an overall plan) that every key county
    /// is covered throughout the period or has a recorded reason.
    pub fn transition_plan(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        reason: Option<&str>,
    ) -> Result<PairingPlanStatus> {
        let (to, reason) = requested_step(actor, to, reason)?;
        self.store.write(|c| {
            let p = plans::get(c, &actor.scope, id)?.ok_or_else(plan_not_found)?;
            check_step(c, actor, &p, to, reason)?;
            let now = time::now_ts();
            plans::set_status(c, id, to, now)?;
            let (who, name) = (actor.user_id, actor.username.as_str());
            plans::record_transition(c, id, Some(p.status), to, who, name, reason, now)?;
            if to == PairingPlanStatus::Active {
                supersede_replaced(c, actor, &p, now)?;
            }
            let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
            let step = format!("{} -> {}{reason}", p.status.as_str(), to.as_str());
            audit(
                c,
                actor,
                "plan.transition",
                ("plan", &id.to_string()),
                "success",
                Some(step),
            )?;
            Ok(to)
        })
    }
}

/// The refusal of a step into `to` by any role but the one `t` names.
fn only_role(t: &plan::Transition, to: PairingPlanStatus) -> AppError {
    AppError::Forbidden(Msg::new(
        "forbidden",
        format!("只有“{}”可以将方案转为“{}”", t.role.zh(), to.zh()),
        format!(
            "only the {} role may move a plan to {}",
            t.role.as_str(),
            to.as_str()
        ),
    ))
}

/// The checks of a requested step that need no plan, permission first: a
/// role that takes no step of the workflow, or none into this status, is
/// refused whatever the plan's state. A person's reason may not take the
/// form of the system's own.
fn requested_step<'r>(
    actor: &Actor,
    to: &str,
    reason: Option<&'r str>,
) -> Result<(PairingPlanStatus, Option<&'r str>)> {
    require_workflow_role(actor)?;
    let Some(to) = PairingPlanStatus::parse(to.trim()) else {
        return Err(AppError::invalid(
            "to",
            to,
            "bad_status",
            "不是已知的方案状态",
            "is not a known plan status",
        ));
    };
    if let Some(t) = plan::TRANSITIONS.iter().find(|t| t.to == to)
        && !plan::TRANSITIONS
            .iter()
            .any(|t| t.to == to && t.role == actor.role)
    {
        return Err(only_role(t, to));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = reason.filter(|r| r.starts_with(plan::SYSTEM_REASON_PREFIX)) {
        return Err(AppError::invalid(
            "reason",
            r,
            "reserved_reason",
            "理由不能以 sys: 开头（系统自己写的理由用它）",
            "a reason may not start with sys: (the system's own reasons do)",
        ));
    }
    Ok((to, reason))
}

/// The checks of a step against the plan as stored: the workflow has the
/// step and the actor's role takes it, a reason is given where one is
/// needed, a draft has pairings, and an overall plan is submitted only
/// when it covers its counties.
fn check_step(
    c: &mut dyn Conn,
    actor: &Actor,
    p: &PairingPlan,
    to: PairingPlanStatus,
    reason: Option<&str>,
) -> Result<()> {
    let Some(t) = plan::transition(p.status, to) else {
        return Err(AppError::Conflict(Msg::new(
            "illegal_transition",
            format!("方案不能从“{}”转为“{}”", p.status.zh(), to.zh()),
            format!(
                "a plan cannot go from {} to {}",
                p.status.as_str(),
                to.as_str()
            ),
        )));
    };
    if t.role != actor.role {
        return Err(only_role(&t, to));
    }
    if t.needs_reason && reason.is_none() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            "",
            Msg::new(
                "reason_required",
                "退回须说明理由",
                "returning a plan needs a reason",
            ),
        )]));
    }
    if p.status == PairingPlanStatus::Draft
        && plans::plan_pairings(c, &Scope::All, p.id)?.is_empty()
    {
        return Err(AppError::Conflict(Msg::new(
            "no_pairings",
            "方案还没有任何结对",
            "the plan has no pairings yet",
        )));
    }
    if to == PairingPlanStatus::Submitted && p.kind == PairingPlanKind::Overall {
        require_covered(c, p)?;
    }
    Ok(())
}

/// Every county of the plan's list is paired throughout the period or has
/// a recorded reason; the refusal names the first ten that are not.
fn require_covered(c: &mut dyn Conn, p: &PairingPlan) -> Result<()> {
    let cov = compute_coverage(c, p, None)?;
    let excused: Vec<String> = plans::exceptions(c, p.id)?
        .into_iter()
        .map(|e| e.county_code)
        .collect();
    let open: Vec<_> = cov
        .uncovered
        .iter()
        .filter(|u| !excused.contains(&u.code))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = open
        .iter()
        .take(10)
        .map(|u| format!("{}（{}）", u.name, u.code))
        .collect();
    let more = if open.len() > 10 { "…" } else { "" };
    Err(AppError::Conflict(Msg::new(
        "uncovered_counties",
        format!(
            "有 {} 个重点县在方案期限内未全程结对，且未记录原因：{}{more}",
            open.len(),
            names.join("、")
        ),
        format!(
            "{} key counties are not paired throughout the period and have no recorded reason: {}{more}",
            open.len(),
            names.join(", ")
        ),
    )))
}

/// Activating `p` supersedes the active plans it replaces: those whose
/// period overlaps its own, and an earlier one whose period is already
/// over. (One still running is left alone, so activating next period's
/// plan early leaves no gap.)
fn supersede_replaced(c: &mut dyn Conn, actor: &Actor, p: &PairingPlan, now: i64) -> Result<()> {
    let mut replaced = plans::overlapping(c, p, PairingPlanStatus::Active)?;
    let today = time::today();
    let f = PairingPlanFilter {
        status: Some(PairingPlanStatus::Active),
        kind: Some(p.kind),
        q: None,
    };
    replaced.extend(
        plans::list(c, &Scope::All, &f, Page::all())?
            .0
            .into_iter()
            .filter(|q| {
                q.id != p.id
                    && q.parent_id == p.parent_id
                    && q.period_end < p.period_start
                    && q.period_end < today
            }),
    );
    let why = plan::SystemReason::SupersededBy(p.id).code();
    for old in replaced {
        plans::set_status(c, old.id, PairingPlanStatus::Superseded, now)?;
        plans::record_transition(
            c,
            old.id,
            Some(PairingPlanStatus::Active),
            PairingPlanStatus::Superseded,
            actor.user_id,
            &actor.username,
            Some(&why),
            now,
        )?;
        audit(
            c,
            actor,
            "plan.transition",
            ("plan", &old.id.to_string()),
            "success",
            Some("active -> superseded".into()),
        )?;
    }
    Ok(())
}

/// Refuses (403) a role that takes no step of the plan workflow at all.
pub fn require_workflow_role(actor: &Actor) -> Result<()> {
    actor.require(Action::ReadPlans)?;
    if plan::TRANSITIONS.iter().any(|t| t.role == actor.role) {
        return Ok(());
    }
    Err(AppError::Forbidden(Msg::new(
        "forbidden",
        format!("角色“{}”不能改变方案状态", actor.role.zh()),
        format!(
            "the role {} may not move a plan along the workflow",
            actor.role.as_str()
        ),
    )))
}

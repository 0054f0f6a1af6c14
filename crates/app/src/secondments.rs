//! Secondments (挂职): the unit proposes and runs its cadres' terms, the
//! office approves; everyone in scope lists them and reads each pairing's
//! continuity. A serving cadre's own account is linked by the unit, never
//! created here (accounts stay with the administrators).

use crate::assistance_plans::reason_text;
use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::records::not_paired;
use dingdian_core::role::{Action, Scope};
use dingdian_core::secondment::{
    AccountChoice, Continuity, Secondment, SecondmentFields, SecondmentFilter, SecondmentInput,
    SecondmentStatus, SecondmentStep, continuity, end_day, not_a_village, overlap_error,
    overlapping, secondment_step, secondment_steps_for,
};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::records::paired_periods;
use dingdian_store::secondments as store;
use dingdian_store::{Conn, Page};

pub use dingdian_store::assistance_plans::StepRecord;

/// A secondment with its history and what the actor may do with it.
#[derive(Debug, Clone)]
pub struct SecondmentView {
    pub secondment: Secondment,
    pub transitions: Vec<StepRecord<SecondmentStatus>>,
    /// The steps the actor's role may take now (its buttons).
    pub steps: Vec<SecondmentStep>,
    pub may_edit: bool,
    /// The cadre accounts of the unit and county the actor may link.
    pub accounts: Vec<AccountChoice>,
}

fn not_found() -> AppError {
    AppError::not_found("挂职记录", "secondment")
}

/// The unit whose cadres the actor manages.
fn managing_unit(actor: &Actor) -> Result<i64> {
    actor.require(Action::EditSecondments)?;
    actor.scope.unit().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "no_unit",
            "账号未关联帮扶单位，不能管理挂职干部",
            "the account belongs to no unit, so it cannot manage secondments",
        ))
    })
}

/// What only the database can check: the village, the pairing on the
/// start date, and another secondment of the same person at the same time.
fn stored_problems(
    c: &mut dyn Conn,
    unit: i64,
    f: &SecondmentFields,
    editing: Option<i64>,
) -> Result<Vec<FieldError>> {
    let mut e = Vec::new();
    if let Some(v) = &f.village_code
        && !store::is_village_of(c, v, &f.county_code)?
    {
        e.push(not_a_village(v));
    }
    let paired = paired_periods(c, unit)?
        .iter()
        .any(|p| p.county_code == f.county_code && p.start <= f.start && f.start <= p.end);
    if !paired {
        e.push(not_paired(&f.county_code, f.start));
    }
    let others: Vec<Secondment> = store::of_unit(c, unit)?
        .into_iter()
        .filter(|s| Some(s.id) != editing)
        .collect();
    if let Some(other) = overlapping(&f.person_name, (f.start, f.planned_end), &others) {
        e.push(overlap_error(other));
    }
    Ok(e)
}

impl App {
    /// The unit proposes a secondment (status proposed).
    pub fn create_secondment(&self, actor: &Actor, input: &SecondmentInput) -> Result<i64> {
        self.create_secondment_on(actor, input, time::today())
    }

    pub fn create_secondment_on(
        &self,
        actor: &Actor,
        input: &SecondmentInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let unit = match managing_unit(actor) {
            Ok(u) => u,
            Err(e) => return Err(self.refused(actor, "secondment.create", ("secondment", "*"), e)),
        };
        let f = input.parse(today).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let problems = stored_problems(c, unit, &f, None)?;
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            let now = time::now_ts();
            let id = store::insert(c, unit, &f, actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (None, SecondmentStatus::Proposed), who, None, now)?;
            let detail = format!("{} {} {}", f.person_name, f.county_code, f.start);
            audit(
                c,
                actor,
                "secondment.create",
                ("secondment", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    /// The unit corrects a secondment that is not closed.
    pub fn update_secondment(&self, actor: &Actor, id: i64, input: &SecondmentInput) -> Result<()> {
        let unit = managing_unit(actor)?;
        let f = input.parse(time::today()).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let s = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if s.status.is_final() {
                return Err(AppError::Conflict(Msg::new(
                    "closed",
                    "已结束的挂职不能修改",
                    "a closed secondment cannot be changed",
                )));
            }
            let problems = stored_problems(c, unit, &f, Some(id))?;
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            store::update(c, id, &f, time::now_ts())?;
            audit(
                c,
                actor,
                "secondment.update",
                ("secondment", &id.to_string()),
                "success",
                None,
            )?;
            Ok(())
        })
    }

    /// A step of the lifecycle by the role the table names; closing steps
    /// set the end (`end`, or today), a recall needs a reason.
    pub fn transition_secondment(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        reason: Option<&str>,
        end: Option<&str>,
    ) -> Result<SecondmentStatus> {
        self.transition_secondment_on(actor, id, (to, reason, end), time::today())
    }

    pub fn transition_secondment_on(
        &self,
        actor: &Actor,
        id: i64,
        (to, reason, end): (&str, Option<&str>, Option<&str>),
        today: NaiveDate,
    ) -> Result<SecondmentStatus> {
        actor.require(Action::ReadAssistance)?;
        let Some(to) = SecondmentStatus::from_code(to) else {
            return Err(AppError::invalid(
                "to",
                to,
                "bad_status",
                "不是已知的挂职状态",
                "is not a known secondment status",
            ));
        };
        let out = self.store.write(|c| {
            let s = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            let step = allowed_step(actor, &s, to)?;
            let reason = reason_text(reason, step.needs_reason)?;
            let end = match step.sets_end {
                true => Some(end_day(&s, end.unwrap_or(""), today).map_err(AppError::Invalid)?),
                false => None,
            };
            let now = time::now_ts();
            let why = if step.needs_reason {
                reason.as_deref()
            } else {
                None
            };
            store::set_status(c, id, to, (end, why), now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (Some(s.status), to), who, reason.as_deref(), now)?;
            let detail = format!("{} -> {}", s.status.code(), to.code());
            audit(
                c,
                actor,
                "secondment.transition",
                ("secondment", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(to)
        });
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => Err(self.refused(
                actor,
                "secondment.transition",
                ("secondment", &id.to_string()),
                e,
            )),
            other => other,
        }
    }

    /// Links (or, with `None`, unlinks) the person's own account: an
    /// active account of role cadre of the same unit and county. Any other
    /// account gets the same answer, so the form reveals none outside reach.
    pub fn link_secondment_account(
        &self,
        actor: &Actor,
        id: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        managing_unit(actor)?;
        self.store.write(|c| {
            let s = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if let Some(u) = user_id
                && !store::cadre_accounts(c, s.unit_id, &s.county_code)?
                    .iter()
                    .any(|a| a.id == u)
            {
                return Err(AppError::invalid(
                    "user_id",
                    u.to_string(),
                    "not_a_cadre_account",
                    "只能关联本单位在该县挂职干部（角色为挂职干部）的账号；请管理员先建账号",
                    "only an account of role cadre of this unit and county can be linked; ask the administrator to create one",
                ));
            }
            store::set_account(c, id, user_id, time::now_ts())?;
            let detail = user_id.map(|u| format!("user {u}")).unwrap_or("none".into());
            audit(c, actor, "secondment.link_account", ("secondment", &id.to_string()), "success", Some(detail))?;
            Ok(())
        })
    }

    pub fn get_secondment(&self, actor: &Actor, id: i64) -> Result<SecondmentView> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            let s = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            let in_reach = actor.scope.reaches_pairing(s.unit_id, &s.county_code);
            let manages = actor.role.may(Action::EditSecondments) && in_reach;
            let accounts = match manages {
                true => store::cadre_accounts(c, s.unit_id, &s.county_code)?,
                false => Vec::new(),
            };
            Ok(SecondmentView {
                transitions: store::transitions(c, id)?,
                steps: secondment_steps_for(s.status, actor.role),
                may_edit: manages && !s.status.is_final(),
                accounts,
                secondment: s,
            })
        })
    }

    pub fn list_secondments(
        &self,
        actor: &Actor,
        f: &SecondmentFilter,
        page: Page,
    ) -> Result<(Vec<Secondment>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    /// The continuity of every pairing in the scope that runs today.
    pub fn secondment_continuity(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<Continuity>> {
        actor.require(Action::ReadAssistance)?;
        let (pairings, all) = self.store.read(|c| {
            let pairings = store::pairings_on(c, &actor.scope, today)?;
            Ok::<_, AppError>((pairings, store::all_in(c, &actor.scope)?))
        })?;
        let keys: Vec<_> = pairings.into_iter().map(|(k, _)| k).collect();
        Ok(continuity(&keys, &all, today))
    }

    /// Cadres serving on `today` per county: (county name, count).
    pub fn serving_by_county(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<(String, i64)>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::serving_by_county(c, &actor.scope, today))?)
    }

    /// The secondments the filter shows, as xlsx; audited (`secondment.export`).
    pub fn export_secondments(&self, actor: &Actor, f: &SecondmentFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_secondments(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "姓名",
            "职级",
            "单位",
            "县",
            "村",
            "挂职岗位",
            "职务",
            "批次",
            "开始",
            "计划结束",
            "实际结束",
            "状态",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items.into_iter().map(cells).collect();
        self.audited_xlsx(
            actor,
            ("secondment.export", "secondment"),
            "secondments",
            &headers,
            &rows,
        )
    }
}

fn cells(s: Secondment) -> Vec<Cell> {
    vec![
        s.person_name.into(),
        s.person_rank.into(),
        s.unit_name.into(),
        s.county_name.into(),
        s.village_name.unwrap_or_default().into(),
        s.post.into(),
        s.role.zh().into(),
        s.batch.into(),
        s.start.to_string().into(),
        s.planned_end.to_string().into(),
        s.end.map(|d| d.to_string()).unwrap_or_default().into(),
        s.status.zh().into(),
    ]
}

/// The step from the table, if the actor's role takes it; refusals name
/// the state or the role.
fn allowed_step(actor: &Actor, s: &Secondment, to: SecondmentStatus) -> Result<SecondmentStep> {
    let Some(step) = secondment_step(s.status, to) else {
        return Err(AppError::Conflict(Msg::new(
            "bad_transition",
            format!("挂职不能从“{}”变为“{}”", s.status.zh(), to.zh()),
            format!(
                "a secondment cannot go from {} to {}",
                s.status.en(),
                to.en()
            ),
        )));
    };
    if step.role != actor.role || !matches!(actor.scope, Scope::All | Scope::Unit(_)) {
        return Err(AppError::Forbidden(Msg::new(
            "forbidden",
            format!("此步骤须由“{}”执行", step.role.zh()),
            format!("this step is taken by the {}", step.role.en()),
        )));
    }
    Ok(step)
}

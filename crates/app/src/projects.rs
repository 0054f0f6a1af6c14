//! Projects under agreed assistance plans: the unit enters and runs them,
//! the county approves and accepts them; every step is dated and
//! attributed; progress notes, outputs achieved and attachments (checked
//! by their content) are the unit's record of the work.

use crate::assistance_plans::{own_unit, plan_not_found, reason_text};
use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::assistance::{AssistancePlan, AssistancePlanStatus};
use dingdian_core::project::{
    self as rules, Output, Project, ProjectFacts, ProjectFields, ProjectFilter, ProjectInput,
    ProjectStatus, ProjectStep,
};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{FieldError, Msg, attachment, time};
use dingdian_store::assistance_plans as plans;
pub use dingdian_store::assistance_plans::StepRecord;
pub use dingdian_store::attachments::ProjectAttachment;
use dingdian_store::attachments::{self, NewAttachment};
pub use dingdian_store::projects::Progress;
use dingdian_store::projects::{self as store, Home};
use dingdian_store::{Conn, Page};

/// A beneficiary household as a person may see it: the head's ID number
/// masked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Beneficiary {
    pub household_id: String,
    pub village_code: String,
    /// The head's ID number, masked (`623023********1234`).
    pub head_id_number: Option<String>,
}

/// Everything the project page shows, with what the actor may do.
#[derive(Debug, Clone)]
pub struct ProjectDetail {
    pub project: Project,
    pub plan: AssistancePlan,
    pub villages: Vec<(String, String)>,
    pub outputs: Vec<Output>,
    pub beneficiaries: Vec<Beneficiary>,
    pub transitions: Vec<StepRecord<ProjectStatus>>,
    pub progress: Vec<Progress>,
    pub attachments: Vec<ProjectAttachment>,
    /// The steps this actor may take (its buttons).
    pub next: Vec<ProjectStep>,
    /// The unit may change the project (while planned).
    pub may_edit: bool,
    /// The unit may record progress, outputs and attachments.
    pub may_report: bool,
}

fn project_not_found() -> AppError {
    AppError::not_found("项目", "project")
}

/// A project the actor reaches, with its plan.
fn reach(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<(Project, AssistancePlan)> {
    let p = store::get(c, &actor.scope, id)?.ok_or_else(project_not_found)?;
    let plan = plans::get(c, &Scope::All, p.plan_id)?.ok_or_else(plan_not_found)?;
    Ok((p, plan))
}

fn facts(c: &mut dyn Conn, county: &str, input: &ProjectInput) -> Result<ProjectFacts> {
    Ok(ProjectFacts {
        villages_found: plans::villages_found(c, county, &input.villages)?,
        households_found: plans::households_found(c, county, &input.households)?,
    })
}

fn parse(c: &mut dyn Conn, plan: &AssistancePlan, input: &ProjectInput) -> Result<ProjectFields> {
    let facts = facts(c, &plan.county_code, input)?;
    input.parse(plan, &facts).map_err(AppError::Invalid)
}

/// The project is in a state where work is recorded on it.
fn reportable(s: ProjectStatus) -> bool {
    matches!(
        s,
        ProjectStatus::Approved | ProjectStatus::InProgress | ProjectStatus::Completed
    )
}

fn not_in_state(p: &Project, what_zh: &str, what_en: &str) -> AppError {
    AppError::Conflict(Msg::new(
        "project_state",
        format!("项目处于“{}”状态，不能{what_zh}", p.status.zh()),
        format!("the project is {} and cannot {what_en}", p.status.code()),
    ))
}

/// The day of a step: not in the future, not before the plan's start nor
/// the last recorded step. (Entering the project is dated the day it was
/// entered, which may be later than the work it records.)
fn step_day(c: &mut dyn Conn, p: &Project, plan: &AssistancePlan, on: &str) -> Result<NaiveDate> {
    let last = store::transitions(c, p.id)?
        .iter()
        .filter(|t| t.from.is_some())
        .filter_map(|t| t.on_date)
        .max();
    let not_before = last.map_or(plan.period_start, |l| l.max(plan.period_start));
    rules::check_day("on_date", on, time::today(), not_before).map_err(AppError::Invalid)
}

fn project_step(p: &Project, to: ProjectStatus, actor: &Actor) -> Result<ProjectStep> {
    let Some(step) = rules::project_step(p.status, to) else {
        return Err(AppError::Conflict(Msg::new(
            "illegal_transition",
            format!(
                "项目不能从“{}”转为“{}”（项目只能向前推进）",
                p.status.zh(),
                to.zh()
            ),
            format!(
                "a project cannot go from {} to {} (it only moves forwards)",
                p.status.code(),
                to.code()
            ),
        )));
    };
    if step.role != actor.role {
        return Err(AppError::Forbidden(Msg::new(
            "forbidden",
            format!("只有“{}”可以将项目转为“{}”", step.role.zh(), to.zh()),
            format!(
                "only the {} role may move a project to {}",
                step.role.as_str(),
                to.code()
            ),
        )));
    }
    Ok(step)
}

impl App {
    pub fn list_projects(
        &self,
        actor: &Actor,
        f: &ProjectFilter,
        page: Page,
    ) -> Result<(Vec<Project>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    pub fn get_project(&self, actor: &Actor, id: i64) -> Result<Project> {
        actor.require(Action::ReadAssistance)?;
        self.store
            .read(|c| store::get(c, &actor.scope, id))?
            .ok_or_else(project_not_found)
    }

    pub fn project_detail(&self, actor: &Actor, id: i64) -> Result<ProjectDetail> {
        actor.require(Action::ReadAssistance)?;
        let (d, households) = self.store.read(|c| {
            let (project, plan) = reach(c, actor, id)?;
            let codes = store::villages(c, id)?;
            let villages = plans::village_names(c, &codes)?;
            let edits = actor.role.may(Action::EditProjects);
            let d = ProjectDetail {
                villages,
                outputs: store::outputs(c, id)?,
                beneficiaries: Vec::new(),
                transitions: store::transitions(c, id)?,
                progress: store::progress(c, id)?,
                attachments: attachments::of_project(c, id)?,
                next: rules::project_steps_for(project.status, actor.role),
                may_edit: edits && project.status == ProjectStatus::Planned,
                may_report: edits && reportable(project.status),
                project,
                plan,
            };
            Ok::<_, AppError>((d, store::households(c, id)?))
        })?;
        let beneficiaries = self
            .masked_heads(&d.project.county_code, &households)?
            .into_iter()
            .map(|(household_id, village_code, head_id_number)| Beneficiary {
                household_id,
                village_code,
                head_id_number,
            })
            .collect();
        Ok(ProjectDetail { beneficiaries, ..d })
    }

    /// The unit enters a project under one of its agreed plans.
    pub fn create_project(&self, actor: &Actor, input: &ProjectInput) -> Result<i64> {
        actor.require(Action::EditProjects)?;
        own_unit(actor)?;
        let Some(plan_id) = input.plan_id else {
            return Err(AppError::Invalid(vec![FieldError::required("plan_id")]));
        };
        self.store.write(|c| {
            let plan = plans::get(c, &actor.scope, plan_id)?.ok_or_else(plan_not_found)?;
            if plan.status != AssistancePlanStatus::Agreed {
                return Err(AppError::Conflict(Msg::new(
                    "plan_not_agreed",
                    "只能在县里已确认的帮扶规划下建立项目",
                    "projects are entered only under a plan the county has agreed",
                )));
            }
            let f = parse(c, &plan, input)?;
            let now = time::now_ts();
            let home = Home {
                plan_id,
                unit_id: plan.unit_id,
                county_code: &plan.county_code,
            };
            let id = store::insert(c, home, &f, actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            let planned = (None, ProjectStatus::Planned);
            store::record_transition(c, id, planned, time::today(), who, None, now)?;
            let detail = Some(format!("{}: {}", f.category.code(), f.name));
            audit(
                c,
                actor,
                "project.create",
                ("project", &id.to_string()),
                "success",
                detail,
            )?;
            Ok(id)
        })
    }

    /// The unit changes a project while it is still planned.
    pub fn update_project(&self, actor: &Actor, id: i64, input: &ProjectInput) -> Result<()> {
        actor.require(Action::EditProjects)?;
        self.store.write(|c| {
            let (p, plan) = reach(c, actor, id)?;
            if p.status != ProjectStatus::Planned {
                return Err(not_in_state(&p, "修改", "be changed"));
            }
            let f = parse(c, &plan, input)?;
            store::update(c, id, &f, time::now_ts())?;
            let detail = Some(f.name.clone());
            audit(
                c,
                actor,
                "project.update",
                ("project", &id.to_string()),
                "success",
                detail,
            )
        })
    }

    /// Moves a project one step forwards (or cancels it), on the day given.
    pub fn transition_project(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        on: &str,
        reason: Option<&str>,
    ) -> Result<ProjectStatus> {
        actor.require(Action::ReadAssistance)?;
        let Some(to) = ProjectStatus::from_code(to) else {
            return Err(AppError::invalid(
                "to",
                to,
                "bad_status",
                "不是已知的项目状态",
                "is not a known project status",
            ));
        };
        let out = self.store.write(|c| {
            let (p, plan) = reach(c, actor, id)?;
            let step = project_step(&p, to, actor)?;
            let reason = reason_text(reason, step.needs_reason)?;
            let day = step_day(c, &p, &plan, on)?;
            let now = time::now_ts();
            let who = (actor.user_id, actor.username.as_str());
            store::set_status(c, id, to, now)?;
            store::record_transition(
                c,
                id,
                (Some(p.status), to),
                day,
                who,
                reason.as_deref(),
                now,
            )?;
            let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
            let detail = Some(format!(
                "{} -> {} on {day}{why}",
                p.status.code(),
                to.code()
            ));
            audit(
                c,
                actor,
                "project.transition",
                ("project", &id.to_string()),
                "success",
                detail,
            )?;
            Ok(to)
        });
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => {
                Err(self.refused(actor, "project.transition", ("project", &id.to_string()), e))
            }
            other => other,
        }
    }

    /// The unit records what happened on a day.
    pub fn add_project_progress(&self, actor: &Actor, id: i64, on: &str, text: &str) -> Result<()> {
        actor.require(Action::EditProjects)?;
        let mut text_errors = Vec::new();
        let text = dingdian_core::error::required_text("text", text, 2000, &mut text_errors);
        self.store.write(|c| {
            let (p, plan) = reach(c, actor, id)?;
            if !reportable(p.status) {
                return Err(not_in_state(&p, "记录进展", "take progress notes"));
            }
            let day = match rules::check_day("on_date", on, time::today(), plan.period_start) {
                Ok(day) if text_errors.is_empty() => day,
                Ok(_) => return Err(AppError::Invalid(text_errors.clone())),
                Err(mut e) => {
                    e.extend(text_errors.iter().cloned());
                    return Err(AppError::Invalid(e));
                }
            };
            let who = (actor.user_id, actor.username.as_str());
            store::add_progress(c, id, day, &text, who, time::now_ts())?;
            let detail = Some(day.to_string());
            audit(
                c,
                actor,
                "project.progress",
                ("project", &id.to_string()),
                "success",
                detail,
            )
        })
    }

    /// The unit records what an output has achieved so far.
    pub fn set_output_achieved(
        &self,
        actor: &Actor,
        project_id: i64,
        output_id: i64,
        quantity: &str,
    ) -> Result<()> {
        actor.require(Action::EditProjects)?;
        let milli = rules::quantity_field("achieved", quantity).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let (p, _) = reach(c, actor, project_id)?;
            if !reportable(p.status) {
                return Err(not_in_state(&p, "记录产出", "record outputs"));
            }
            if store::set_achieved(c, project_id, output_id, milli)? == 0 {
                return Err(AppError::not_found("产出", "output"));
            }
            let detail = Some(format!("output {output_id}: {}", rules::milli_text(milli)));
            audit(
                c,
                actor,
                "project.output",
                ("project", &project_id.to_string()),
                "success",
                detail,
            )
        })
    }

    /// The unit attaches a photo or a scanned document; its type is judged
    /// by the bytes, and a refused file is audited.
    pub fn add_project_attachment(
        &self,
        actor: &Actor,
        project_id: i64,
        file_name: &str,
        caption: Option<&str>,
        bytes: &[u8],
    ) -> Result<i64> {
        actor.require(Action::EditProjects)?;
        let name = attachment::display_name(file_name);
        let mut e = Vec::new();
        let caption =
            dingdian_core::error::optional_text("caption", caption.unwrap_or(""), 200, &mut e);
        let (media, sha) = match attachment::check(bytes) {
            Ok(ok) if e.is_empty() => ok,
            Ok(_) => return Err(AppError::Invalid(e)),
            Err(m) => {
                let err = AppError::Invalid(vec![FieldError::new("file", name.as_str(), m)]);
                self.store.read(|c| reach(c, actor, project_id))?;
                return Err(self.refused(
                    actor,
                    "project.attachment",
                    ("project", &project_id.to_string()),
                    err,
                ));
            }
        };
        self.store.write(|c| {
            let (p, _) = reach(c, actor, project_id)?;
            if p.status.is_final() && p.status != ProjectStatus::Accepted {
                return Err(not_in_state(&p, "添加附件", "take attachments"));
            }
            let now = time::now_ts();
            attachments::put(c, &sha, media.mime(), bytes, now)?;
            let new = NewAttachment {
                project_id,
                sha256: &sha,
                file_name: &name,
                caption: caption.as_deref(),
            };
            let id = attachments::attach(c, new, (actor.user_id, actor.username.as_str()), now)?;
            let detail = Some(format!(
                "{name} ({}, {} bytes, sha256 {sha})",
                media.mime(),
                bytes.len()
            ));
            audit(
                c,
                actor,
                "project.attachment",
                ("project", &project_id.to_string()),
                "success",
                detail,
            )?;
            Ok(id)
        })
    }

    /// One attachment of a project the actor reaches, with its bytes.
    pub fn project_attachment(
        &self,
        actor: &Actor,
        project_id: i64,
        id: i64,
    ) -> Result<(ProjectAttachment, Vec<u8>)> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            reach(c, actor, project_id)?;
            attachments::get(c, project_id, id)?
                .ok_or_else(|| AppError::not_found("附件", "attachment"))
        })
    }

    /// The projects the filter finds as an xlsx sheet; audited.
    pub fn export_projects(&self, actor: &Actor, f: &ProjectFilter) -> Result<Vec<u8>> {
        let (items, _) = self.list_projects(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "规划编号",
            "帮扶单位",
            "县代码",
            "县",
            "项目名称",
            "类别",
            "预算（元）",
            "开始日期",
            "结束日期",
            "实施单位",
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
                    p.plan_id.into(),
                    p.unit_name.into(),
                    p.county_code.into(),
                    p.county_name.into(),
                    p.name.into(),
                    p.category.zh().into(),
                    p.budget_fen.to_yuan_text().into(),
                    p.start_date.to_string().into(),
                    p.end_date.to_string().into(),
                    p.implementer.into(),
                    p.status.zh().into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("project.export", "project"),
            "projects",
            &headers,
            &rows,
        )
    }
}

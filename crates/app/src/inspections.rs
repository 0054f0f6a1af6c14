//! Inspections (督查) and rectification (整改): the office (or its
//! inspectors) and the units record inspections with their findings and
//! items; each item's owner carries it out and someone else verifies it;
//! the 6–12-month rule per pairing.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::inspection::{
    Frequency, InspectedBy, Inspection, InspectionFields, InspectionFilter, InspectionInput,
    Rectification, RectificationFilter, RectificationStatus, RectificationStep, frequency,
    not_an_owner, rectification_step, rectification_steps_for, verified_by_owner,
};
use dingdian_core::records::not_paired;
use dingdian_core::role::{Action, Scope};
use dingdian_core::secondment::AccountChoice;
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::inspections as store;
use dingdian_store::records::paired_periods;
use dingdian_store::secondments::pairings_on;
use dingdian_store::{Conn, Page};

pub use dingdian_store::assistance_plans::StepRecord;

/// A rectification item with its history and the actor's buttons.
#[derive(Debug, Clone)]
pub struct RectificationView {
    pub item: Rectification,
    pub transitions: Vec<StepRecord<RectificationStatus>>,
    pub steps: Vec<RectificationStep>,
}

fn not_found() -> AppError {
    AppError::not_found("督查记录", "inspection")
}

fn item_not_found() -> AppError {
    AppError::not_found("整改事项", "rectification item")
}

/// The inspected unit and who inspects: a unit inspects itself; the
/// office and its inspectors name the unit.
fn inspected(actor: &Actor, input: &InspectionInput) -> Result<(i64, InspectedBy)> {
    actor.require(Action::RecordInspections)?;
    match (&actor.scope, input.unit_id) {
        (Scope::Unit(u), None) => Ok((*u, InspectedBy::Unit)),
        (Scope::Unit(u), Some(given)) if given == *u => Ok((*u, InspectedBy::Unit)),
        (Scope::All, Some(u)) => Ok((u, InspectedBy::Office)),
        (Scope::All, None) => Err(AppError::Invalid(vec![FieldError::required("unit_id")])),
        _ => Err(AppError::Forbidden(Msg::new(
            "outside_scope",
            "单位只能记录对本单位的督查",
            "a unit records only inspections of itself",
        ))),
    }
}

/// What only the database can check: every county visited is paired with
/// the unit on the date; every owner is an account of the finding's pairing.
fn stored_problems(c: &mut dyn Conn, unit: i64, f: &InspectionFields) -> Result<Vec<FieldError>> {
    let periods = paired_periods(c, unit)?;
    let mut e: Vec<FieldError> = f
        .counties
        .iter()
        .filter(|county| {
            !periods
                .iter()
                .any(|p| &p.county_code == *county && p.start <= f.date && f.date <= p.end)
        })
        .map(|county| {
            let mut err = not_paired(county, f.date);
            err.field = "counties".into();
            err
        })
        .collect();
    for (n, finding) in f.findings.iter().enumerate() {
        let owners = store::owners(c, unit, &finding.county_code)?;
        for (k, item) in finding.items.iter().enumerate() {
            if !owners.iter().any(|o| o.id == item.owner) {
                let field = format!("findings[{n}].items[{k}].owner");
                e.push(not_an_owner(&field, &item.owner.to_string()));
            }
        }
    }
    Ok(e)
}

impl App {
    pub fn create_inspection(&self, actor: &Actor, input: &InspectionInput) -> Result<i64> {
        self.create_inspection_on(actor, input, time::today())
    }

    /// Records an inspection with its findings and their items (open).
    pub fn create_inspection_on(
        &self,
        actor: &Actor,
        input: &InspectionInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let (unit, by) = match inspected(actor, input) {
            Ok(x) => x,
            Err(e @ AppError::Forbidden(_)) => {
                return Err(self.refused(actor, "inspection.create", ("inspection", "*"), e));
            }
            Err(e) => return Err(e),
        };
        let f = input.parse(today).map_err(AppError::Invalid)?;
        self.store.write(|c| {
            let problems = stored_problems(c, unit, &f)?;
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            let who = (actor.user_id, actor.username.as_str());
            let id = store::insert(c, (unit, by), &f, who, time::now_ts())?;
            let items: usize = f.findings.iter().map(|x| x.items.len()).sum();
            let detail = format!(
                "unit {unit} {} findings {} items {items}",
                f.date,
                f.findings.len()
            );
            audit(
                c,
                actor,
                "inspection.create",
                ("inspection", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(id)
        })
    }

    /// The accounts an item of the pairing may be given to, if the actor
    /// records inspections and reaches the pairing.
    pub fn inspection_owners(
        &self,
        actor: &Actor,
        unit_id: i64,
        county: &str,
    ) -> Result<Vec<AccountChoice>> {
        actor.require(Action::RecordInspections)?;
        if !actor.scope.reaches_pairing(unit_id, county) {
            return Err(not_found());
        }
        Ok(self.store.read(|c| store::owners(c, unit_id, county))?)
    }

    pub fn get_inspection(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Inspection> {
        actor.require(Action::ReadAssistance)?;
        self.store
            .read(|c| store::get(c, &actor.scope, id, today))?
            .ok_or_else(not_found)
    }

    pub fn list_inspections(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        page: Page,
        today: NaiveDate,
    ) -> Result<(Vec<Inspection>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::list(c, &actor.scope, f, page, today))?)
    }

    pub fn list_rectifications(
        &self,
        actor: &Actor,
        f: &RectificationFilter,
        page: Page,
        today: NaiveDate,
    ) -> Result<(Vec<Rectification>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::items(c, &actor.scope, f, page, today))?)
    }

    pub fn get_rectification(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> Result<RectificationView> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            let item = store::item(c, &actor.scope, id, today)?.ok_or_else(item_not_found)?;
            let is_owner =
                actor.user_id == Some(item.owner) && actor.role.may(Action::WorkRectifications);
            let may_verify = actor.role.may(Action::VerifyRectifications);
            Ok(RectificationView {
                transitions: store::item_transitions(c, id)?,
                steps: rectification_steps_for(item.status, is_owner, may_verify),
                item,
            })
        })
    }

    pub fn transition_rectification(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        note: Option<&str>,
    ) -> Result<RectificationStatus> {
        self.transition_rectification_on(actor, id, (to, note), time::today())
    }

    /// The owner starts and finishes an item; someone else who may verify
    /// verifies it or sends it back with a note.
    pub fn transition_rectification_on(
        &self,
        actor: &Actor,
        id: i64,
        (to, note): (&str, Option<&str>),
        today: NaiveDate,
    ) -> Result<RectificationStatus> {
        actor.require(Action::ReadAssistance)?;
        let Some(to) = RectificationStatus::from_code(to) else {
            return Err(AppError::invalid(
                "to",
                to,
                "bad_status",
                "不是已知的整改状态",
                "is not a known rectification status",
            ));
        };
        let out = self.store.write(|c| {
            let item = store::item(c, &actor.scope, id, today)?.ok_or_else(item_not_found)?;
            let step = allowed(actor, &item, to)?;
            let note = crate::assistance_plans::reason_text(note, step.needs_note)?;
            let now = time::now_ts();
            store::set_item_status(c, id, to, (today, actor.user_id), now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (Some(item.status), to), who, note.as_deref(), now)?;
            let detail = format!("{} -> {}", item.status.code(), to.code());
            audit(
                c,
                actor,
                "rectification.transition",
                ("rectification", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(to)
        });
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => Err(self.refused(
                actor,
                "rectification.transition",
                ("rectification", &id.to_string()),
                e,
            )),
            other => other,
        }
    }

    /// Each pairing in the scope that runs today against the 6–12-month rule.
    pub fn inspection_frequency(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<Frequency>> {
        actor.require(Action::ReadAssistance)?;
        let (pairings, dates) = self.store.read(|c| {
            Ok::<_, AppError>((
                pairings_on(c, &actor.scope, today)?,
                store::dates(c, &actor.scope)?,
            ))
        })?;
        Ok(pairings
            .iter()
            .map(|(p, since)| {
                let mine: Vec<NaiveDate> = dates
                    .iter()
                    .filter(|(u, county, _)| *u == p.unit_id && *county == p.county_code)
                    .map(|(_, _, d)| *d)
                    .collect();
                frequency(p, *since, &mine, today)
            })
            .collect())
    }

    /// Overdue items on `today` per unit: (unit name, count).
    pub fn overdue_by_unit(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<(String, i64)>> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::overdue_by_unit(c, &actor.scope, today))?)
    }

    /// The items the filter shows, as xlsx; audited (`rectification.export`).
    pub fn export_rectifications(
        &self,
        actor: &Actor,
        f: &RectificationFilter,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.list_rectifications(actor, f, Page::all(), today)?;
        let headers: Vec<String> = [
            "单位",
            "县",
            "问题",
            "整改措施",
            "责任人",
            "期限",
            "状态",
            "逾期",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|r| {
                vec![
                    r.unit_name.into(),
                    r.county_name.into(),
                    r.finding.into(),
                    r.action.into(),
                    r.owner_name.into(),
                    r.deadline.to_string().into(),
                    r.status.zh().into(),
                    if r.overdue { "是" } else { "" }.into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("rectification.export", "rectification"),
            "rectifications",
            &headers,
            &rows,
        )
    }

    /// The inspections the filter shows, one row per finding; audited.
    pub fn export_inspections(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        today: NaiveDate,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.list_inspections(actor, f, Page::all(), today)?;
        let headers: Vec<String> = [
            "日期",
            "单位",
            "督查方",
            "督查组",
            "县",
            "问题",
            "整改事项数",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for i in items {
            for f in &i.findings {
                rows.push(vec![
                    i.date.to_string().into(),
                    i.unit_name.clone().into(),
                    i.inspected_by.zh().into(),
                    i.team.clone().into(),
                    f.county_code.clone().into(),
                    f.text.clone().into(),
                    (f.items.len() as i64).into(),
                ]);
            }
        }
        self.audited_xlsx(
            actor,
            ("inspection.export", "inspection"),
            "inspections",
            &headers,
            &rows,
        )
    }
}

/// The step, if this actor may take it: the owner works, a verifier (never
/// the owner) verifies or sends back.
fn allowed(
    actor: &Actor,
    item: &Rectification,
    to: RectificationStatus,
) -> Result<RectificationStep> {
    let Some(step) = rectification_step(item.status, to) else {
        return Err(AppError::Conflict(Msg::new(
            "bad_transition",
            format!("整改事项不能从“{}”变为“{}”", item.status.zh(), to.zh()),
            format!(
                "a rectification item cannot go from {} to {}",
                item.status.en(),
                to.en()
            ),
        )));
    };
    let is_owner = actor.user_id == Some(item.owner);
    let ok = match step.by {
        dingdian_core::inspection::StepBy::Owner => {
            is_owner && actor.role.may(Action::WorkRectifications)
        }
        dingdian_core::inspection::StepBy::Verifier if is_owner => {
            return Err(AppError::Forbidden(verified_by_owner()));
        }
        dingdian_core::inspection::StepBy::Verifier => actor.role.may(Action::VerifyRectifications),
    };
    if !ok {
        return Err(AppError::Forbidden(Msg::new(
            "forbidden",
            "此步骤须由整改责任人（开始、完成）或督查方（核实、退回）执行",
            "this step is taken by the item's owner (start, finish) or by the inspecting side (verify, send back)",
        )));
    }
    Ok(step)
}

//! Correction tasks: what a department reported (a death, a move out of
//! the county) that the county must correct in the registry. The county
//! closes each as corrected or dismissed, with a note.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use dingdian_core::alerts::{CorrectionFilter, CorrectionStatus, CorrectionTask, MAX_NOTE};
use dingdian_core::role::Action;
use dingdian_core::{Msg, time};
use dingdian_store::Page;
use dingdian_store::alerts as store;

fn not_found() -> AppError {
    AppError::not_found("更正任务", "correction task")
}

impl App {
    /// Correction tasks in the registry scope: open first.
    pub fn corrections(
        &self,
        actor: &Actor,
        f: &CorrectionFilter,
        page: Page,
    ) -> Result<(Vec<CorrectionTask>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Ok(self
            .store
            .read(|c| store::corrections(c, &actor.scope, f, page))?)
    }

    /// Closes an open task as corrected (`done`) or `dismissed`, with a
    /// note (required, at most [`MAX_NOTE`] characters). Another county's
    /// task is not found; a closed one is refused; refusals are audited.
    pub fn close_correction(
        &self,
        actor: &Actor,
        id: i64,
        to: CorrectionStatus,
        note: &str,
    ) -> Result<CorrectionTask> {
        let object_id = id.to_string();
        let object = ("correction", object_id.as_str());
        let note = note.trim();
        let checked = actor
            .require(Action::ImportAlerts)
            .and_then(|_| check_close(to, note));
        if let Err(e) = checked {
            return Err(self.refused(actor, "correction.close", object, e));
        }
        let r = self.store.write(|c| {
            let task = store::correction(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if !store::close_correction(c, id, to, note, actor.user_id, time::now_ts())? {
                return Err(AppError::Conflict(Msg::new(
                    "correction_closed",
                    format!("该任务已是“{}”，不能再处理", task.status.zh()),
                    format!("the task is already {}", task.status.code()),
                )));
            }
            audit(
                c,
                actor,
                "correction.close",
                object,
                "success",
                Some(to.code().into()),
            )?;
            store::correction(c, &actor.scope, id)?.ok_or_else(not_found)
        });
        r.map_err(|e| match e {
            AppError::NotFound(_) => e,
            e => self.refused(actor, "correction.close", object, e),
        })
    }

    /// The correction tasks the filter shows, as xlsx; audited.
    pub fn export_corrections(&self, actor: &Actor, f: &CorrectionFilter) -> Result<Vec<u8>> {
        let (items, _) = self.corrections(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "县",
            "年度",
            "户编号",
            "证件号码",
            "部门",
            "事项",
            "状态",
            "说明",
            "处理人",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|t| {
                vec![
                    t.id.into(),
                    t.county_name.into(),
                    i64::from(t.year).into(),
                    t.household_id.into(),
                    t.id_masked.into(),
                    t.source.zh().into(),
                    t.task.zh().into(),
                    t.status.zh().into(),
                    t.note.unwrap_or_default().into(),
                    t.done_by.unwrap_or_default().into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("correction.export", "correction"),
            "corrections",
            &headers,
            &rows,
        )
    }
}

fn check_close(to: CorrectionStatus, note: &str) -> Result<()> {
    if to == CorrectionStatus::Open {
        return Err(AppError::invalid(
            "status",
            to.code(),
            "bad_transition",
            "只能处理为“已更正”或“无需更正”",
            "a task is closed as done or dismissed",
        ));
    }
    if note.is_empty() || note.chars().count() > MAX_NOTE {
        return Err(AppError::invalid(
            "note",
            dingdian_core::error::clip_to(note, 64),
            "note_length",
            format!("请填写处理说明（最多 {MAX_NOTE} 字）"),
            format!("give a note (at most {MAX_NOTE} characters)"),
        ));
    }
    Ok(())
}

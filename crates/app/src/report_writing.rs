//! Writing and reviewing a report: reading it with its figures, saving
//! drafts as typed (a stale revision refused, never overwriting newer
//! text), submitting with the figures frozen, attachments, and the unit's
//! review. Every step is in `report_transitions` and the audit log.

use crate::error::{AppError, Result};
use crate::reports::{
    Decision, ReportAttachment, ReportDetail, author_check, frozen_or_computed, not_editable,
    reach, stale, stamp,
};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::report::{
    self as rules, COMMENT_MAX, Party, Report, ReportFilter, ReportStatus, Sections,
};
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Msg, attachment, time};
use dingdian_store::attachments;
use dingdian_store::reports as store;
use dingdian_store::{Conn, Page};

fn object(id: i64) -> (&'static str, String) {
    ("report", id.to_string())
}

/// The author's step from `r`'s state to submitted, or why not.
fn author_step(r: &Report) -> Result<()> {
    rules::report_step(Party::Author, r.status, ReportStatus::Submitted)
        .map(|_| ())
        .ok_or_else(|| AppError::Conflict(rules::illegal_step(r.status, ReportStatus::Submitted)))
}

/// Checks and saves the sections in the open transaction; the new revision.
fn save(c: &mut dyn Conn, actor: &Actor, r: &Report, s: &Sections, revision: i64) -> Result<i64> {
    author_check(actor, r)?;
    if !r.status.editable() {
        return Err(not_editable(r));
    }
    let s = s.parse().map_err(AppError::Invalid)?;
    if revision != r.revision {
        return Err(stale());
    }
    store::save_sections(c, r.id, &s, (revision, actor.user_id), time::now_ts())?.ok_or_else(stale)
}

impl App {
    pub fn list_reports(
        &self,
        actor: &Actor,
        f: &ReportFilter,
        today: NaiveDate,
        page: Page,
    ) -> Result<(Vec<Report>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::list(c, &actor.scope, f, today, page))?)
    }

    pub fn report_detail(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<ReportDetail> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            let report = reach(c, actor, id)?;
            let (figures, figures_frozen) = frozen_or_computed(c, &report)?;
            let transitions = store::transitions(c, id)?;
            let returned_comment = transitions
                .iter()
                .rev()
                .find(|t| t.to == ReportStatus::Returned)
                .and_then(|t| t.reason.clone())
                .filter(|_| report.status == ReportStatus::Returned);
            let may_write = actor.role.may(Action::WriteReports)
                && report.status.editable()
                && author_check(actor, &report).is_ok();
            let may_review =
                actor.role.may(Action::ReviewReports) && report.status == ReportStatus::Submitted;
            Ok(ReportDetail {
                overdue: report.overdue(today),
                attachments: store::attachments(c, id)?,
                figures,
                figures_frozen,
                transitions,
                may_write,
                may_review,
                returned_comment,
                report,
            })
        })
    }

    /// Saves the sections as typed (the autosave and the save button); the
    /// new revision. `revision` is the one the writer last saw: an older
    /// one is refused (409 `stale_revision`).
    pub fn save_report_draft(
        &self,
        actor: &Actor,
        id: i64,
        sections: &Sections,
        revision: i64,
    ) -> Result<i64> {
        actor.require(Action::WriteReports)?;
        let (kind, oid) = object(id);
        let out = self.store.write(|c| {
            let r = reach(c, actor, id)?;
            let rev = save(c, actor, &r, sections, revision)?;
            audit(
                c,
                actor,
                "report.save",
                (kind, &oid),
                "success",
                Some(format!("revision {rev}")),
            )?;
            Ok(rev)
        });
        self.refuse_forbidden(actor, "report.save", id, out)
    }

    /// Saves the sections (when given) and submits the report, freezing the
    /// figures of its period.
    pub fn submit_report(
        &self,
        actor: &Actor,
        id: i64,
        sections: Option<&Sections>,
        revision: i64,
        today: NaiveDate,
    ) -> Result<()> {
        actor.require(Action::WriteReports)?;
        let (kind, oid) = object(id);
        let out = self.store.write(|c| {
            let mut r = reach(c, actor, id)?;
            author_check(actor, &r)?;
            rules::check_period_ended(r.period, today).map_err(|m| {
                AppError::Invalid(vec![FieldError::new("period", r.period.to_string(), m)])
            })?;
            author_step(&r)?;
            if let Some(s) = sections {
                save(c, actor, &r, s, revision)?;
                r = reach(c, actor, id)?;
            } else if revision != r.revision {
                return Err(stale());
            }
            r.sections.check_complete().map_err(AppError::Invalid)?;
            let figures = crate::reports::compute_figures(c, &r)?;
            let json = serde_json::to_string(&figures)
                .map_err(|e| AppError::internal("report figures", e))?;
            let now = stamp(today);
            store::set_submitted(c, id, &json, actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (r.status, ReportStatus::Submitted), who, None, now)?;
            let late = if today > r.due { " (late)" } else { "" };
            let detail = Some(format!("{} {}{late}", r.kind.code(), r.period));
            audit(c, actor, "report.submit", (kind, &oid), "success", detail)
        });
        self.refuse_forbidden(actor, "report.submit", id, out)
    }

    /// The unit accepts a submitted report or returns it with a comment.
    pub fn review_report(
        &self,
        actor: &Actor,
        id: i64,
        decision: Decision,
        comment: Option<&str>,
        today: NaiveDate,
    ) -> Result<()> {
        actor.require(Action::ReviewReports)?;
        let mut e = Vec::new();
        let comment = dingdian_core::error::optional_text(
            "comment",
            comment.unwrap_or(""),
            COMMENT_MAX,
            &mut e,
        );
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let to = match decision {
            Decision::Accept => ReportStatus::Accepted,
            Decision::Return => ReportStatus::Returned,
        };
        let (kind, oid) = object(id);
        let out = self.store.write(|c| {
            let r = reach(c, actor, id)?;
            let step = rules::report_step(Party::Reviewer, r.status, to)
                .ok_or_else(|| AppError::Conflict(rules::illegal_step(r.status, to)))?;
            if step.comment_required && comment.is_none() {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "comment",
                    "",
                    Msg::new(
                        "comment_required",
                        "退回报告时必须说明原因",
                        "a returned report needs a comment saying why",
                    ),
                )]));
            }
            let now = stamp(today);
            store::set_reviewed(c, id, to, actor.user_id, now)?;
            let who = (actor.user_id, actor.username.as_str());
            store::record_transition(c, id, (r.status, to), who, comment.as_deref(), now)?;
            audit(
                c,
                actor,
                &format!(
                    "report.{}",
                    if to == ReportStatus::Accepted {
                        "accept"
                    } else {
                        "return"
                    }
                ),
                (kind, &oid),
                "success",
                comment.clone(),
            )
        });
        self.refuse_forbidden(actor, "report.review", id, out)
    }

    /// The author attaches a file while the report is with it; the type is
    /// judged by the bytes, and a refused file is audited.
    pub fn add_report_attachment(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        actor.require(Action::WriteReports)?;
        let name = attachment::display_name(file_name);
        let (media, sha) = match attachment::check(bytes) {
            Ok(ok) => ok,
            Err(m) => {
                self.store.read(|c| reach(c, actor, id))?;
                let err = AppError::Invalid(vec![FieldError::new("file", name.as_str(), m)]);
                return Err(self.refused(
                    actor,
                    "report.attachment",
                    ("report", &id.to_string()),
                    err,
                ));
            }
        };
        let (kind, oid) = object(id);
        let out = self.store.write(|c| {
            let r = reach(c, actor, id)?;
            author_check(actor, &r)?;
            if !r.status.editable() {
                return Err(not_editable(&r));
            }
            let now = time::now_ts();
            attachments::put(c, &sha, media.mime(), bytes, now)?;
            let aid = store::attach(
                c,
                id,
                (&sha, &name),
                (actor.user_id, actor.username.as_str()),
                now,
            )?;
            let detail = Some(format!(
                "{name} ({}, {} bytes, sha256 {sha})",
                media.mime(),
                bytes.len()
            ));
            audit(
                c,
                actor,
                "report.attachment",
                (kind, &oid),
                "success",
                detail,
            )?;
            Ok(aid)
        });
        self.refuse_forbidden(actor, "report.attachment", id, out)
    }

    pub fn report_attachment(
        &self,
        actor: &Actor,
        id: i64,
        attachment_id: i64,
    ) -> Result<(ReportAttachment, Vec<u8>)> {
        actor.require(Action::ReadAssistance)?;
        self.store.read(|c| {
            reach(c, actor, id)?;
            store::attachment(c, id, attachment_id)?
                .ok_or_else(|| AppError::not_found("附件", "attachment"))
        })
    }

    /// Audits a refusal a person should see (another's report, a step the
    /// workflow does not allow); other outcomes pass through.
    fn refuse_forbidden<T>(
        &self,
        actor: &Actor,
        action: &str,
        id: i64,
        out: Result<T>,
    ) -> Result<T> {
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => {
                Err(self.refused(actor, action, ("report", &id.to_string()), e))
            }
            other => other,
        }
    }
}

//! The annual assessment of units (成效评价/考核): the office sets a year's
//! weights and thresholds and opens the year (one assessment per unit
//! paired in it); the unit writes its self-report; the office or an
//! inspector enters the survey and innovation scores with evidence and
//! assesses (every computed indicator is computed then, and the whole
//! breakdown frozen); the reviewer reviews or returns it; the office
//! publishes. Nothing changes after publication.

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App, audit};
use chrono::{Datelike, NaiveDate};
use dingdian_core::assessment::Grade;
use dingdian_core::assessment::{
    AssessmentFilter, AssessmentRules, AssessmentStatus, AssessmentStep, RulesInput, TEXT_MAX,
    assessment_step, assessment_steps_for, comment_text, published_error,
};
use dingdian_core::assessment_score::{
    Assessment, DimensionScore, Entry, EntryInput, breakdown, gaps, indicator_scores, points,
};
use dingdian_core::role::{Action, Scope};
use dingdian_core::{Msg, time};
use dingdian_store::assistance_plans::StepRecord;
use dingdian_store::{Page, assessments as store, attachments};

/// The first year an assessment may be opened for (designated assistance
/// as assessed began with the 2015 decision; earlier demo years still count).
pub const FIRST_YEAR: i32 = 2010;

/// An assessment with its entries, history, and what the actor may do.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub assessment: Assessment,
    pub entries: Vec<Entry>,
    pub transitions: Vec<StepRecord<AssessmentStatus>>,
    /// The steps the actor's role may take now (its buttons).
    pub steps: Vec<AssessmentStep>,
    pub rules: AssessmentRules,
    /// Before it is assessed: the breakdown as it would be computed today
    /// (not frozen, shown as a preview).
    pub preview: Option<Preview>,
    pub may_self_report: bool,
    pub may_enter: bool,
}

/// A breakdown computed on read.
#[derive(Debug, Clone)]
pub struct Preview {
    pub dimensions: Vec<DimensionScore>,
    pub score: Option<f64>,
    pub grade: Option<Grade>,
}

/// One unit kind's ranking and grade distribution.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindRanking {
    pub unit_kind: String,
    /// Assessed (or later) assessments, the best first.
    pub ranked: Vec<Assessment>,
    /// Count per grade, in the order good, fairly good, average, poor.
    pub grades: Vec<(Grade, i64)>,
}

fn not_found() -> AppError {
    AppError::not_found("考核", "assessment")
}

fn no_year(year: i32, today: NaiveDate) -> AppError {
    AppError::invalid(
        "year",
        year.to_string(),
        "bad_year",
        format!(
            "考核年度应在 {FIRST_YEAR} 至 {} 之间（不能考核未来的年度）",
            today.year()
        ),
        format!(
            "the year must lie between {FIRST_YEAR} and {} (no future year)",
            today.year()
        ),
    )
}

fn conflict(code: &str, zh: String, en: String) -> AppError {
    AppError::Conflict(Msg::new(code, zh, en))
}

impl App {
    /// The year's rules: the office's, or the documented default.
    pub fn assessment_rules(&self, actor: &Actor, year: i32) -> Result<AssessmentRules> {
        actor.require(Action::ReadAssistance)?;
        Ok(self
            .store
            .read(|c| store::rules(c, year))?
            .unwrap_or_else(|| AssessmentRules::default_for(year)))
    }

    /// Sets a year's weights and thresholds (office). Refused once an
    /// assessment of the year is published. Audited (`assessment.rules`).
    pub fn set_assessment_rules(
        &self,
        actor: &Actor,
        year: i32,
        input: &RulesInput,
    ) -> Result<AssessmentRules> {
        let object = ("assessment_rules", year.to_string());
        let out = (|| {
            actor.require(Action::SetAssessmentRules)?;
            if !(FIRST_YEAR..=time::today().year() + 1).contains(&year) {
                return Err(no_year(year, time::today()));
            }
            let rules = input.parse(year).map_err(AppError::Invalid)?;
            self.store.write(|c| {
                let published = AssessmentFilter {
                    year: Some(year),
                    status: Some(AssessmentStatus::Published),
                    ..Default::default()
                };
                if store::list(c, &Scope::All, &published, Page::new(Some(1), Some(1)))?.1 > 0 {
                    return Err(AppError::Conflict(published_error()));
                }
                store::put_rules(c, &rules, actor.user_id, time::now_ts())?;
                let w: Vec<String> = rules
                    .weights
                    .iter()
                    .map(|(d, w)| format!("{}={w}", d.code()))
                    .collect();
                let detail = format!(
                    "{}; {}/{}/{}",
                    w.join(","),
                    rules.good_min,
                    rules.fairly_good_min,
                    rules.average_min
                );
                audit(
                    c,
                    actor,
                    "assessment.rules",
                    (object.0, &object.1),
                    "success",
                    Some(detail),
                )?;
                Ok(rules)
            })
        })();
        self.audit_refusal(actor, "assessment.rules", (object.0, &object.1), out)
    }

    /// Opens the year's assessments: one (status self_report) per unit
    /// paired in the year that has none. Returns how many were opened.
    /// Audited (`assessment.open`).
    pub fn open_assessments(&self, actor: &Actor, year: i32, today: NaiveDate) -> Result<usize> {
        let object = ("assessment", year.to_string());
        let out = (|| {
            actor.require(Action::SetAssessmentRules)?;
            if !(FIRST_YEAR..=today.year()).contains(&year) {
                return Err(no_year(year, today));
            }
            self.store.write(|c| {
                let now = time::now_ts();
                let mut opened = 0;
                for unit in store::units_paired_in(c, year)? {
                    if let Some(id) = store::open(c, unit, year, now)? {
                        store::record_transition(
                            c,
                            id,
                            (None, AssessmentStatus::SelfReport),
                            actor.user_id,
                            None,
                            now,
                        )?;
                        opened += 1;
                    }
                }
                audit(
                    c,
                    actor,
                    "assessment.open",
                    (object.0, &object.1),
                    "success",
                    Some(format!("{opened} opened")),
                )?;
                Ok(opened)
            })
        })();
        self.audit_refusal(actor, "assessment.open", (object.0, &object.1), out)
    }

    /// The unit writes (or rewrites) its self-report while the assessment
    /// is with it. Audited (`assessment.self_report`).
    pub fn self_report_assessment(&self, actor: &Actor, id: i64, text: &str) -> Result<()> {
        let key = id.to_string();
        let out = (|| {
            actor.require(Action::SelfReportAssessment)?;
            let mut e = Vec::new();
            let text = dingdian_core::error::required_text("self_report", text, TEXT_MAX, &mut e);
            if !e.is_empty() {
                return Err(AppError::Invalid(e));
            }
            self.store.write(|c| {
                let a = store::lock(c, &actor.scope, id)?.ok_or_else(not_found)?;
                if actor.scope.unit() != Some(a.unit_id) {
                    return Err(not_found());
                }
                open_for_change(&a)?;
                store::set_self_report(c, id, &text, actor.user_id, time::now_ts())?;
                audit(
                    c,
                    actor,
                    "assessment.self_report",
                    ("assessment", &key),
                    "success",
                    None,
                )
            })
        })();
        self.audit_refusal(actor, "assessment.self_report", ("assessment", &key), out)
    }

    /// An assessor enters the survey or innovation score with its evidence
    /// (optionally an uploaded attachment), before assessing. Audited
    /// (`assessment.entry`).
    pub fn enter_assessment_score(&self, actor: &Actor, id: i64, input: &EntryInput) -> Result<()> {
        let key = id.to_string();
        let out = (|| {
            actor.require(Action::AssessUnits)?;
            let entry = input.parse(time::now_ts()).map_err(AppError::Invalid)?;
            self.store.write(|c| {
                let a = store::lock(c, &actor.scope, id)?.ok_or_else(not_found)?;
                open_for_change(&a)?;
                if let Some(sha) = &entry.attachment_sha256
                    && attachments::content(c, sha)?.is_none()
                {
                    return Err(AppError::invalid(
                        "attachment_sha256",
                        sha.clone(),
                        "unknown_attachment",
                        "没有这个附件，请先上传",
                        "no such attachment; upload it first",
                    ));
                }
                store::put_entry(c, id, &entry, actor.user_id)?;
                let detail = format!("{} {}", entry.indicator.code(), points(entry.score));
                audit(
                    c,
                    actor,
                    "assessment.entry",
                    ("assessment", &key),
                    "success",
                    Some(detail),
                )
            })
        })();
        self.audit_refusal(actor, "assessment.entry", ("assessment", &key), out)
    }

    /// A step of the table. Assessing computes every indicator now and
    /// freezes the breakdown; a return needs a comment. Audited
    /// (`assessment.transition`), refusals too.
    pub fn transition_assessment(
        &self,
        actor: &Actor,
        id: i64,
        (to, comment): (&str, Option<&str>),
        today: NaiveDate,
    ) -> Result<AssessmentStatus> {
        let key = id.to_string();
        let out = self.take_step(actor, id, (to, comment), today);
        self.audit_refusal(actor, "assessment.transition", ("assessment", &key), out)
    }

    fn take_step(
        &self,
        actor: &Actor,
        id: i64,
        (to, comment): (&str, Option<&str>),
        today: NaiveDate,
    ) -> Result<AssessmentStatus> {
        actor.require(Action::ReadAssistance)?;
        let Some(to) = AssessmentStatus::from_code(to) else {
            return Err(AppError::invalid(
                "to",
                to,
                "bad_status",
                "不是已知的考核状态",
                "is not a known assessment status",
            ));
        };
        let a = self
            .store
            .read(|c| store::get(c, &actor.scope, id))?
            .ok_or_else(not_found)?;
        let step = allowed_step(actor, &a, to)?;
        let comment = comment_text(comment, step.needs_comment).map_err(AppError::Invalid)?;
        let frozen = match to {
            AssessmentStatus::Assessed => Some(self.freeze(&a, today)?),
            _ => None,
        };
        self.store.write(|c| {
            let now_a = store::lock(c, &actor.scope, id)?.ok_or_else(not_found)?;
            if now_a.status != a.status {
                return Err(conflict(
                    "stale",
                    "考核状态已变化，请刷新".into(),
                    "the assessment changed meanwhile; reload".into(),
                ));
            }
            let now = time::now_ts();
            match &frozen {
                Some((total, grade, json)) => {
                    store::set_assessed(c, id, (*total, *grade, json), actor.user_id, now)?
                }
                None => store::set_status(c, id, to, actor.user_id, now)?,
            }
            store::record_transition(
                c,
                id,
                (Some(a.status), to),
                actor.user_id,
                comment.as_deref(),
                now,
            )?;
            let detail = format!("{} -> {}", a.status.code(), to.code());
            audit(
                c,
                actor,
                "assessment.transition",
                ("assessment", &id.to_string()),
                "success",
                Some(detail),
            )?;
            Ok(to)
        })
    }

    /// The breakdown computed now: total, grade and the dimensions' JSON.
    /// Assessing needs both entered indicators.
    fn freeze(
        &self,
        a: &Assessment,
        today: NaiveDate,
    ) -> Result<(Option<i64>, Option<Grade>, String)> {
        let entries = self.store.read(|c| store::entries(c, a.id))?;
        let missing: Vec<_> = dingdian_core::assessment_score::Indicator::ALL
            .iter()
            .filter(|i| i.entered() && !entries.iter().any(|e| e.indicator == **i))
            .map(|i| i.zh())
            .collect();
        if !missing.is_empty() {
            return Err(conflict(
                "entries_missing",
                format!("评价前须录入：{}", missing.join("、")),
                "the satisfaction survey and innovation scores must be entered before assessing"
                    .into(),
            ));
        }
        let b = self.compute_breakdown(a, &entries, today)?;
        let json =
            serde_json::to_string(&b.dimensions).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((b.total, b.grade, json))
    }

    pub(crate) fn compute_breakdown(
        &self,
        a: &Assessment,
        entries: &[Entry],
        today: NaiveDate,
    ) -> Result<dingdian_core::assessment_score::Breakdown> {
        let facts = self.assessment_facts(a.unit_id, a.year, today)?;
        let rules = self
            .store
            .read(|c| store::rules(c, a.year))?
            .unwrap_or_else(|| AssessmentRules::default_for(a.year));
        Ok(breakdown(indicator_scores(&facts, entries), &rules))
    }

    /// Publishes every reviewed assessment of the year (office). Refused
    /// when none is reviewed (e.g. published already). Audited.
    pub fn publish_assessments(&self, actor: &Actor, year: i32) -> Result<usize> {
        let object = ("assessment", year.to_string());
        let out = (|| {
            actor.require(Action::PublishAssessments)?;
            self.store.write(|c| {
                let f = AssessmentFilter {
                    year: Some(year),
                    status: Some(AssessmentStatus::Reviewed),
                    ..Default::default()
                };
                let (reviewed, _) = store::list(c, &Scope::All, &f, Page::all())?;
                if reviewed.is_empty() {
                    return Err(conflict(
                        "nothing_to_publish",
                        format!("{year} 年没有已复核待公布的考核（已公布的不能再次公布）"),
                        format!("no reviewed assessment of {year} to publish (published ones cannot be published again)"),
                    ));
                }
                let now = time::now_ts();
                for a in &reviewed {
                    store::set_status(c, a.id, AssessmentStatus::Published, actor.user_id, now)?;
                    let step = (Some(AssessmentStatus::Reviewed), AssessmentStatus::Published);
                    store::record_transition(c, a.id, step, actor.user_id, None, now)?;
                }
                let detail = format!("{} published", reviewed.len());
                audit(c, actor, "assessment.publish", (object.0, &object.1), "success", Some(detail))?;
                Ok(reviewed.len())
            })
        })();
        self.audit_refusal(actor, "assessment.publish", (object.0, &object.1), out)
    }

    /// One assessment in the actor's scope (404 otherwise), with a preview
    /// of its breakdown before it is assessed.
    pub fn assessment(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<AssessmentView> {
        actor.require(Action::ReadAssistance)?;
        let (a, entries, transitions, rules) = self.store.read(|c| {
            let a = store::get(c, &actor.scope, id)?.ok_or_else(not_found)?;
            let rules =
                store::rules(c, a.year)?.unwrap_or_else(|| AssessmentRules::default_for(a.year));
            Ok::<_, AppError>((a, store::entries(c, id)?, store::transitions(c, id)?, rules))
        })?;
        let preview = match a.status {
            AssessmentStatus::SelfReport => {
                let b = self.compute_breakdown(&a, &entries, today)?;
                Some(Preview {
                    score: b.total.map(points),
                    grade: b.grade,
                    dimensions: b.dimensions,
                })
            }
            _ => None,
        };
        let open = a.status == AssessmentStatus::SelfReport;
        Ok(AssessmentView {
            steps: assessment_steps_for(a.status, actor.role),
            may_self_report: open
                && actor.role.may(Action::SelfReportAssessment)
                && actor.scope.unit() == Some(a.unit_id),
            may_enter: open && actor.role.may(Action::AssessUnits),
            assessment: a,
            entries,
            transitions,
            rules,
            preview,
        })
    }

    pub fn assessments(
        &self,
        actor: &Actor,
        f: &AssessmentFilter,
        page: Page,
    ) -> Result<(Vec<Assessment>, i64)> {
        actor.require(Action::ReadAssistance)?;
        Ok(self.store.read(|c| store::list(c, &actor.scope, f, page))?)
    }

    /// Rankings and grade distributions per unit kind: the published
    /// assessments, or for the office, reviewer and inspector every
    /// assessed one.
    pub fn assessment_rankings(&self, actor: &Actor, year: i32) -> Result<Vec<KindRanking>> {
        let f = AssessmentFilter {
            year: Some(year),
            ..Default::default()
        };
        let (all, _) = self.assessments(actor, &f, Page::all())?;
        let shown = |a: &Assessment| match actor.scope {
            Scope::All => a.status != AssessmentStatus::SelfReport,
            _ => a.status == AssessmentStatus::Published,
        };
        let mut kinds: Vec<String> = all
            .iter()
            .filter(|a| shown(a))
            .map(|a| a.unit_kind.clone())
            .collect();
        kinds.sort();
        kinds.dedup();
        Ok(kinds
            .into_iter()
            .map(|kind| {
                let ranked: Vec<Assessment> = all
                    .iter()
                    .filter(|a| shown(a) && a.unit_kind == kind)
                    .cloned()
                    .collect();
                let grades = Grade::ALL
                    .iter()
                    .map(|g| {
                        (
                            *g,
                            ranked.iter().filter(|a| a.grade == Some(*g)).count() as i64,
                        )
                    })
                    .collect();
                KindRanking {
                    unit_kind: kind,
                    ranked,
                    grades,
                }
            })
            .collect())
    }

    /// The assessments the filter shows, one row per dimension, as xlsx;
    /// audited (`assessment.export`).
    pub fn export_assessments(&self, actor: &Actor, f: &AssessmentFilter) -> Result<Vec<u8>> {
        let (items, _) = self.assessments(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "单位",
            "年度",
            "状态",
            "总分",
            "等级",
            "维度",
            "权重（%）",
            "维度得分",
            "缺数据指标",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items.iter().flat_map(rows_of).collect();
        self.audited_xlsx(
            actor,
            ("assessment.export", "assessment"),
            "assessments",
            &headers,
            &rows,
        )
    }

    /// Audits a refusal a person should see (forbidden, a refused state)
    /// and answers the outcome.
    fn audit_refusal<T>(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        out: Result<T>,
    ) -> Result<T> {
        match out {
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_))) => {
                Err(self.refused(actor, action, object, e))
            }
            other => other,
        }
    }
}

fn rows_of(a: &Assessment) -> Vec<Vec<Cell>> {
    let head = |a: &Assessment| -> Vec<Cell> {
        vec![
            a.unit_name.clone().into(),
            i64::from(a.year).into(),
            a.status.zh().into(),
            a.score.map(Cell::Number).unwrap_or_else(|| "".into()),
            a.grade.map(|g| g.zh()).unwrap_or("").into(),
        ]
    };
    if a.dimensions.is_empty() {
        let mut r = head(a);
        r.extend(["".into(), "".into(), "".into(), "".into()]);
        return vec![r];
    }
    a.dimensions
        .iter()
        .map(|d| {
            let mut r = head(a);
            let missing: Vec<&str> = gaps(std::slice::from_ref(d))
                .iter()
                .map(|i| i.zh())
                .collect();
            r.extend([
                d.dimension.zh().into(),
                d.weight.into(),
                d.score.map(Cell::Number).unwrap_or_else(|| "无数据".into()),
                missing.join("、").into(),
            ]);
            r
        })
        .collect()
}

/// Open for change: not yet assessed (self-report and entries), and
/// certainly not published.
fn open_for_change(a: &Assessment) -> Result<()> {
    match a.status {
        AssessmentStatus::SelfReport => Ok(()),
        AssessmentStatus::Published => Err(AppError::Conflict(published_error())),
        s => Err(conflict(
            "assessment_closed",
            format!("考核已处于“{}”，退回单位自评后才能修改", s.zh()),
            format!(
                "the assessment is {}; it can change only once returned to self-report",
                s.en()
            ),
        )),
    }
}

/// The step from the table, if the actor's role takes it.
fn allowed_step(actor: &Actor, a: &Assessment, to: AssessmentStatus) -> Result<AssessmentStep> {
    if a.status == AssessmentStatus::Published {
        return Err(AppError::Conflict(published_error()));
    }
    let Some(step) = assessment_step(a.status, to) else {
        return Err(conflict(
            "bad_transition",
            format!("考核不能从“{}”变为“{}”", a.status.zh(), to.zh()),
            format!(
                "an assessment cannot go from {} to {}",
                a.status.en(),
                to.en()
            ),
        ));
    };
    actor.require(step.action)?;
    Ok(step)
}

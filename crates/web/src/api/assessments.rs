//! The annual assessment through the API: the list of the contract (by
//! year, unit, status), one assessment with its entries and history, the
//! steps, the assessors' entries, the unit's self-report, opening and
//! publishing a year, the year's rules, and rankings per unit kind.

use super::answers::{ApiResult, List, all, body_for, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::assessments::{AssessmentView, KindRanking};
use dingdian_core::assessment::{
    AssessmentFilter, AssessmentRules, AssessmentStatus, Dimension, Grade, RulesInput,
};
use dingdian_core::assessment_score::{Assessment, DimensionScore, Entry, EntryInput, points};
use dingdian_core::role::Action;
use dingdian_core::time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(crate) fn filter(q: &Q, lang: &str) -> Result<AssessmentFilter, ApiError> {
    Ok(AssessmentFilter {
        year: parsed(q, "year", |v| v.parse().ok(), lang)?,
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        status: parsed(q, "status", AssessmentStatus::from_code, lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Assessments the caller may see: office, reviewer and inspector all; a
/// unit its own and the published ones; a county the published ones of
/// units paired with it.
#[utoipa::path(get, path = "/assessments", tag = "assessments",
    params(
        ("year" = Option<i32>, Query, description = "the assessed year"),
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("status" = Option<String>, Query, description = "self_report, assessed, reviewed or published"),
        ("q" = Option<String>, Query, description = "text in the unit's name"),
        PageParams),
    responses((status = 200, body = List<Assessment>)))]
pub(super) async fn list_assessments(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.assessments(&actor, &f, p)).await?;
    list(items, total)
}

/// A step of an assessment's history.
#[derive(Serialize, ToSchema)]
pub(super) struct StepDoc {
    #[schema(value_type = Option<AssessmentStatus>)]
    from: Option<AssessmentStatus>,
    #[schema(value_type = AssessmentStatus)]
    to: AssessmentStatus,
    username: String,
    /// UTC seconds.
    at: i64,
    comment: Option<String>,
}

/// One assessment with the assessors' entries, its history, and (before it
/// is assessed) the breakdown as it would be computed today.
#[derive(Serialize, ToSchema)]
pub(super) struct AssessmentDetail {
    #[serde(flatten)]
    assessment: Assessment,
    entries: Vec<Entry>,
    history: Vec<StepDoc>,
    /// Computed on read while the unit reports; null once frozen.
    preview: Option<Vec<DimensionScore>>,
    preview_score: Option<f64>,
    #[schema(value_type = Option<Grade>)]
    preview_grade: Option<Grade>,
}

fn detail(v: AssessmentView) -> AssessmentDetail {
    let history = v
        .transitions
        .into_iter()
        .map(|t| StepDoc {
            from: t.from,
            to: t.to,
            username: t.username,
            at: t.at,
            comment: t.reason,
        })
        .collect();
    let (preview, preview_score, preview_grade) = match v.preview {
        Some(p) => (Some(p.dimensions), p.score, p.grade),
        None => (None, None, None),
    };
    AssessmentDetail {
        assessment: v.assessment,
        entries: v.entries,
        history,
        preview,
        preview_score,
        preview_grade,
    }
}

/// One assessment.
#[utoipa::path(get, path = "/assessments/{id}", tag = "assessments", params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentDetail)))]
pub(super) async fn get_assessment(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(detail(
        run(&c, move || app.assessment(&actor, id, time::today())).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct AssessmentTransition {
    #[schema(value_type = AssessmentStatus)]
    #[serde(default)]
    to: String,
    /// Required when returning to the unit (to = self_report).
    #[serde(default)]
    comment: Option<String>,
}

/// A step: assess (office, inspector; computes and freezes the breakdown),
/// review or return (reviewer), publish (office).
#[utoipa::path(post, path = "/assessments/{id}/transition", tag = "assessments", params(("id" = i64, Path)),
    request_body = AssessmentTransition, responses((status = 200, body = AssessmentDetail)))]
pub(super) async fn transition_assessment(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: AssessmentTransition = body_for(&c, Action::ReadAssistance, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        app.transition_assessment(&actor, id, (&t.to, t.comment.as_deref()), time::today())?;
        app.assessment(&actor, id, time::today())
    })
    .await?;
    ok(detail(v))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct EntryBody {
    /// satisfaction_survey or innovation_cases.
    indicator: String,
    /// 0–100, at most two decimals.
    score: f64,
    evidence: String,
    /// An attachment already uploaded, by its SHA-256.
    #[serde(default)]
    attachment_sha256: Option<String>,
}

/// Enter the satisfaction survey's or the innovation cases' score with its
/// evidence (office, inspector), before assessing.
#[utoipa::path(post, path = "/assessments/{id}/entries", tag = "assessments", params(("id" = i64, Path)),
    request_body = EntryBody, responses((status = 200, body = AssessmentDetail)))]
pub(super) async fn enter_score(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: EntryBody = body_for(&c, Action::AssessUnits, &bytes)?;
    let input = EntryInput {
        indicator: b.indicator,
        score: b.score.to_string(),
        evidence: b.evidence,
        attachment_sha256: b.attachment_sha256.unwrap_or_default(),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        app.enter_assessment_score(&actor, id, &input)?;
        app.assessment(&actor, id, time::today())
    })
    .await?;
    ok(detail(v))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct SelfReportBody {
    text: String,
}

/// The unit's self-report, while the assessment is with it.
#[utoipa::path(put, path = "/assessments/{id}/self-report", tag = "assessments", params(("id" = i64, Path)),
    request_body = SelfReportBody, responses((status = 200, body = AssessmentDetail)))]
pub(super) async fn self_report(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: SelfReportBody = body_for(&c, Action::SelfReportAssessment, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        app.self_report_assessment(&actor, id, &b.text)?;
        app.assessment(&actor, id, time::today())
    })
    .await?;
    ok(detail(v))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct YearBody {
    year: i32,
}

/// How many assessments a year-wide step touched.
#[derive(Serialize, ToSchema)]
pub(super) struct Count {
    year: i32,
    count: usize,
}

/// Open a year's assessments (office): one per unit paired in the year.
#[utoipa::path(post, path = "/assessments/open", tag = "assessments",
    request_body = YearBody, responses((status = 200, body = Count)))]
pub(super) async fn open_year(State(state): State<AppState>, c: ApiCtx, bytes: Bytes) -> ApiResult {
    let b: YearBody = body_for(&c, Action::SetAssessmentRules, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let count = run(&c, move || {
        app.open_assessments(&actor, b.year, time::today())
    })
    .await?;
    ok(Count {
        year: b.year,
        count,
    })
}

/// Publish every reviewed assessment of a year (office).
#[utoipa::path(post, path = "/assessments/publish", tag = "assessments",
    request_body = YearBody, responses((status = 200, body = Count)))]
pub(super) async fn publish_year(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let b: YearBody = body_for(&c, Action::PublishAssessments, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let count = run(&c, move || app.publish_assessments(&actor, b.year)).await?;
    ok(Count {
        year: b.year,
        count,
    })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub(super) struct WeightDoc {
    #[schema(value_type = Dimension)]
    dimension: Dimension,
    /// Whole per cent; the six sum to 100.
    weight: i64,
}

/// A year's weights and grade thresholds (0–100).
#[derive(Serialize, ToSchema)]
pub(super) struct RulesDoc {
    year: i32,
    weights: Vec<WeightDoc>,
    good_min: f64,
    fairly_good_min: f64,
    average_min: f64,
    /// No rules set for the year: the documented default.
    is_default: bool,
}

fn rules_doc(r: AssessmentRules) -> RulesDoc {
    RulesDoc {
        year: r.year,
        weights: r
            .weights
            .iter()
            .map(|(dimension, weight)| WeightDoc {
                dimension: *dimension,
                weight: *weight,
            })
            .collect(),
        good_min: points(r.good_min),
        fairly_good_min: points(r.fairly_good_min),
        average_min: points(r.average_min),
        is_default: r.is_default,
    }
}

/// The rules of a year (the documented default until the office sets them).
#[utoipa::path(get, path = "/assessment-rules/{year}", tag = "assessments", params(("year" = i32, Path)),
    responses((status = 200, body = RulesDoc)))]
pub(super) async fn get_rules(State(state): State<AppState>, c: ApiCtx, Id(year): Id) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let year = i32::try_from(year).unwrap_or(0);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(rules_doc(
        run(&c, move || app.assessment_rules(&actor, year)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct RulesBody {
    /// Every dimension once; whole per cent summing to 100.
    weights: Vec<WeightBody>,
    good_min: f64,
    fairly_good_min: f64,
    average_min: f64,
}

#[derive(Deserialize, ToSchema)]
pub(super) struct WeightBody {
    dimension: String,
    weight: f64,
}

/// Set a year's rules (office); refused once the year has a published assessment.
#[utoipa::path(put, path = "/assessment-rules/{year}", tag = "assessments", params(("year" = i32, Path)),
    request_body = RulesBody, responses((status = 200, body = RulesDoc)))]
pub(super) async fn put_rules(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(year): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: RulesBody = body_for(&c, Action::SetAssessmentRules, &bytes)?;
    let input = RulesInput {
        weights: b
            .weights
            .into_iter()
            .map(|w| (w.dimension, w.weight.to_string()))
            .collect(),
        good_min: b.good_min.to_string(),
        fairly_good_min: b.fairly_good_min.to_string(),
        average_min: b.average_min.to_string(),
    };
    let year = i32::try_from(year).unwrap_or(0);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(rules_doc(
        run(&c, move || app.set_assessment_rules(&actor, year, &input)).await?,
    ))
}

/// One unit kind's ranking and grade distribution.
#[derive(Serialize, ToSchema)]
pub(super) struct RankingDoc {
    unit_kind: String,
    /// The best score first.
    ranked: Vec<Assessment>,
    grades: Vec<GradeCount>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct GradeCount {
    #[schema(value_type = Grade)]
    grade: Grade,
    count: i64,
}

fn ranking_doc(k: KindRanking) -> RankingDoc {
    RankingDoc {
        unit_kind: k.unit_kind,
        ranked: k.ranked,
        grades: k
            .grades
            .into_iter()
            .map(|(grade, count)| GradeCount { grade, count })
            .collect(),
    }
}

/// Rankings and grade distributions per unit kind of a year: published
/// assessments (office, reviewer, inspector: every assessed one).
#[utoipa::path(get, path = "/assessments/rankings", tag = "assessments",
    params(("year" = Option<i32>, Query, description = "the assessed year (default: last year)")),
    responses((status = 200, body = List<RankingDoc>)))]
pub(super) async fn rankings(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let year: Option<i32> = parsed(&q, "year", |v| v.parse().ok(), &c.lang)?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&time::today()) - 1);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let ranks = run(&c, move || app.assessment_rankings(&actor, year)).await?;
    all(ranks.into_iter().map(ranking_doc).collect())
}

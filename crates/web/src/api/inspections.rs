//! Inspections and rectification items through the API: lists, a new
//! inspection with its findings and items, an item's steps, and the
//! 6–12-month rule per pairing.

use super::answers::{ApiResult, List, all, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::inspection::{
    FindingInput, Frequency, Inspection, InspectionFilter, InspectionInput, Rectification,
    RectificationFilter, RectificationInput, RectificationStatus,
};
use dingdian_core::role::Action;
use dingdian_core::{Year, time};
use serde::Deserialize;
use utoipa::ToSchema;

pub(crate) fn inspection_filter(q: &Q, lang: &str) -> Result<InspectionFilter, ApiError> {
    Ok(InspectionFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        year: parsed(q, "year", |v| Year::parse(v).ok().map(Year::get), lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Inspections the caller may see, newest first, each with its findings
/// and their rectification items.
#[utoipa::path(get, path = "/inspections", tag = "inspections",
    params(
        ("unit" = Option<i64>, Query, description = "the inspected unit's id"),
        ("county" = Option<String>, Query, description = "a county visited"),
        ("year" = Option<i32>, Query),
        ("q" = Option<String>, Query, description = "text in the team, summary or a finding"),
        PageParams),
    responses((status = 200, body = List<Inspection>)))]
pub(super) async fn list_inspections(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (inspection_filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || {
        app.list_inspections(&actor, &f, p, time::today())
    })
    .await?;
    list(items, total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewItem {
    action: String,
    /// The owner's account id: the unit's, the county's, or the unit's cadre in the county.
    owner: i64,
    /// YYYY-MM-DD, not before the inspection.
    deadline: String,
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewFinding {
    /// One of the counties visited.
    county_code: String,
    text: String,
    #[serde(default)]
    items: Vec<NewItem>,
}

/// An inspection as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewInspection {
    /// The inspected unit (the office names it; a unit inspects itself).
    #[serde(default)]
    unit_id: Option<i64>,
    /// YYYY-MM-DD, not in the future.
    date: String,
    team: String,
    #[serde(default)]
    summary: String,
    /// Counties visited, each paired with the unit on the date.
    counties: Vec<String>,
    #[serde(default)]
    findings: Vec<NewFinding>,
}

impl From<NewInspection> for InspectionInput {
    fn from(n: NewInspection) -> InspectionInput {
        InspectionInput {
            unit_id: n.unit_id,
            date: n.date,
            team: n.team,
            summary: n.summary,
            counties: n.counties,
            findings: n
                .findings
                .into_iter()
                .map(|f| FindingInput {
                    county_code: f.county_code,
                    text: f.text,
                    items: f
                        .items
                        .into_iter()
                        .map(|i| RectificationInput {
                            action: i.action,
                            owner: i.owner.to_string(),
                            deadline: i.deadline,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Record an inspection (office, inspector: of a unit; unit: of itself).
#[utoipa::path(post, path = "/inspections", tag = "inspections", request_body = NewInspection,
    responses((status = 201, body = Inspection)))]
pub(super) async fn create_inspection(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let n: NewInspection = body_for(&c, Action::RecordInspections, &bytes)?;
    let input = InspectionInput::from(n);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let i = run(&c, move || {
        let id = app.create_inspection(&actor, &input)?;
        app.get_inspection(&actor, id, time::today())
    })
    .await?;
    created(i)
}

/// One inspection (a county sees only its own county's findings).
#[utoipa::path(get, path = "/inspections/{id}", tag = "inspections", params(("id" = i64, Path)),
    responses((status = 200, body = Inspection)))]
pub(super) async fn get_inspection(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_inspection(&actor, id, time::today())).await?)
}

pub(crate) fn item_filter(
    q: &Q,
    lang: &str,
    me: Option<i64>,
) -> Result<RectificationFilter, ApiError> {
    let overdue = parsed(q, "overdue", |v| v.parse::<bool>().ok(), lang)?;
    let owner = parsed(
        q,
        "owner",
        |v| match v {
            "me" => Some(me.unwrap_or(0)),
            id => id.parse().ok(),
        },
        lang,
    )?;
    Ok(RectificationFilter {
        status: parsed(q, "status", RectificationStatus::from_code, lang)?,
        overdue_on: overdue.unwrap_or(false).then(time::today),
        owner,
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        q: qv(q, "q").map(str::to_string),
    })
}

/// Rectification items the caller may see, soonest deadline first.
#[utoipa::path(get, path = "/rectifications", tag = "inspections",
    params(
        ("status" = Option<String>, Query, description = "open, in_progress, done or verified"),
        ("overdue" = Option<bool>, Query, description = "true: only those past their deadline and not done"),
        ("owner" = Option<String>, Query, description = "me, or an account's id"),
        ("unit" = Option<i64>, Query),
        ("county" = Option<String>, Query),
        ("q" = Option<String>, Query, description = "text in the action or the finding"),
        PageParams),
    responses((status = 200, body = List<Rectification>)))]
pub(super) async fn list_rectifications(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = item_filter(&q, &c.lang, c.actor.user_id)?;
    let p = page(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || {
        app.list_rectifications(&actor, &f, p, time::today())
    })
    .await?;
    list(items, total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct RectificationTransition {
    #[schema(value_type = RectificationStatus)]
    #[serde(default)]
    to: String,
    /// Required when sending a done item back.
    #[serde(default)]
    note: Option<String>,
}

/// A step of an item (owner: start, finish; a verifier who is not the
/// owner: verify, send back).
#[utoipa::path(post, path = "/rectifications/{id}/transition", tag = "inspections", params(("id" = i64, Path)),
    request_body = RectificationTransition, responses((status = 200, body = Rectification)))]
pub(super) async fn transition_rectification(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: RectificationTransition = body_for(&c, Action::ReadAssistance, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let r = run(&c, move || {
        app.transition_rectification(&actor, id, &t.to, t.note.as_deref())?;
        Ok(app.get_rectification(&actor, id, time::today())?.item)
    })
    .await?;
    ok(r)
}

/// Each pairing running today against the 6–12-month inspection rule.
#[utoipa::path(get, path = "/inspections/frequency", tag = "inspections",
    responses((status = 200, body = List<Frequency>)))]
pub(super) async fn frequency(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || app.inspection_frequency(&actor, time::today())).await?)
}

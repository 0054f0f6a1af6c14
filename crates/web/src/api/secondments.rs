//! Secondments through the API: the list of the contract (by county, unit,
//! status, batch, text), a new proposal, one secondment, a step of its
//! lifecycle, and each pairing's continuity.

use super::answers::{ApiResult, List, all, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::role::Action;
use dingdian_core::secondment::{
    Continuity, Secondment, SecondmentFilter, SecondmentInput, SecondmentStatus,
};
use dingdian_core::time;
use serde::Deserialize;
use utoipa::ToSchema;

pub(crate) fn filter(q: &Q, lang: &str) -> Result<SecondmentFilter, ApiError> {
    Ok(SecondmentFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        status: parsed(q, "status", SecondmentStatus::from_code, lang)?,
        batch: parsed(q, "batch", |v| v.parse().ok(), lang)?,
        without_account: false,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Secondments the caller may see.
#[utoipa::path(get, path = "/secondments", tag = "secondments",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("status" = Option<String>, Query, description = "proposed, approved, serving, completed or recalled"),
        ("batch" = Option<i64>, Query, description = "the batch number"),
        ("q" = Option<String>, Query, description = "text in the name or post"),
        PageParams),
    responses((status = 200, body = List<Secondment>)))]
pub(super) async fn list_secondments(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_secondments(&actor, &f, p)).await?;
    list(items, total)
}

/// A secondment as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewSecondment {
    person_name: String,
    /// e.g. 处级.
    person_rank: String,
    contact: String,
    county_code: String,
    /// A village of the county (驻村第一书记), or absent.
    #[serde(default)]
    village_code: Option<String>,
    /// The post in the county, e.g. 副县长.
    post: String,
    /// leader or member.
    role: String,
    batch: i64,
    /// YYYY-MM-DD, on a day the unit is paired with the county; at most two years ahead.
    start: String,
    /// YYYY-MM-DD; absent for a team leader: three years from the start.
    #[serde(default)]
    planned_end: Option<String>,
}

/// Propose a secondment (unit).
#[utoipa::path(post, path = "/secondments", tag = "secondments", request_body = NewSecondment,
    responses((status = 201, body = Secondment)))]
pub(super) async fn create_secondment(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let n: NewSecondment = body_for(&c, Action::EditSecondments, &bytes)?;
    let input = SecondmentInput {
        person_name: n.person_name,
        person_rank: n.person_rank,
        contact: n.contact,
        county_code: n.county_code,
        village_code: n.village_code.unwrap_or_default(),
        post: n.post,
        role: n.role,
        batch: n.batch.to_string(),
        start: n.start,
        planned_end: n.planned_end.unwrap_or_default(),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let s = run(&c, move || {
        let id = app.create_secondment(&actor, &input)?;
        Ok(app.get_secondment(&actor, id)?.secondment)
    })
    .await?;
    created(s)
}

/// One secondment.
#[utoipa::path(get, path = "/secondments/{id}", tag = "secondments", params(("id" = i64, Path)),
    responses((status = 200, body = Secondment)))]
pub(super) async fn get_secondment(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || Ok(app.get_secondment(&actor, id)?.secondment)).await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct SecondmentTransition {
    #[schema(value_type = SecondmentStatus)]
    #[serde(default)]
    to: String,
    /// Required when recalling.
    #[serde(default)]
    reason: Option<String>,
    /// The actual end when completing or recalling, YYYY-MM-DD; today if absent.
    #[serde(default)]
    end: Option<String>,
}

/// A step of the lifecycle (office: approve; unit: serve, complete, recall).
#[utoipa::path(post, path = "/secondments/{id}/transition", tag = "secondments", params(("id" = i64, Path)),
    request_body = SecondmentTransition, responses((status = 200, body = Secondment)))]
pub(super) async fn transition_secondment(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: SecondmentTransition = body_for(&c, Action::ReadAssistance, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let s = run(&c, move || {
        let (reason, end) = (t.reason.as_deref(), t.end.as_deref());
        app.transition_secondment(&actor, id, &t.to, reason, end)?;
        Ok(app.get_secondment(&actor, id)?.secondment)
    })
    .await?;
    ok(s)
}

/// Each pairing running today: its batches, gaps and overlaps between
/// them, cadres serving today, team leaders who left before three years.
#[utoipa::path(get, path = "/secondments/continuity", tag = "secondments",
    responses((status = 200, body = List<Continuity>)))]
pub(super) async fn continuity(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || app.secondment_continuity(&actor, time::today())).await?)
}

//! Pairing plans, their workflow, coverage and pairings.

use super::answers::{ApiResult, List, all, body, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::AppError;
use dingdian_app::plans::{PairingInput, PairingPlanInput};
use dingdian_core::Msg;
use dingdian_core::coverage::Coverage;
use dingdian_core::plan::{Pairing, PairingPlan, PairingPlanKind, PairingPlanStatus};
use dingdian_core::query::{PairingFilter, PairingPlanFilter};
use dingdian_core::role::Action;
use dingdian_core::time::parse_date;
use serde::Deserialize;
use utoipa::ToSchema;

/// Pairing plans the caller may see.
#[utoipa::path(get, path = "/plans", tag = "plans",
    params(
        ("status" = Option<PairingPlanStatus>, Query),
        ("kind" = Option<PairingPlanKind>, Query),
        ("q" = Option<String>, Query, description = "text in the name"),
        PageParams),
    responses((status = 200, body = List<PairingPlan>)))]
pub(super) async fn list_plans(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let f = PairingPlanFilter {
        status: parsed(&q, "status", PairingPlanStatus::parse, &c.lang)?,
        kind: parsed(&q, "kind", PairingPlanKind::parse, &c.lang)?,
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_plans(&actor, &f, p)).await?;
    list(items, total)
}

/// Create a draft pairing plan (office).
#[utoipa::path(post, path = "/plans", tag = "plans", request_body = PairingPlanInput,
    responses((status = 201, body = PairingPlan)))]
pub(super) async fn create_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: PairingPlanInput = body_for(&c, Action::EditPlans, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let id = app.create_plan(&actor, &input)?;
        app.get_plan(&actor, id)
    })
    .await?;
    created(p)
}

/// One pairing plan.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = PairingPlan)))]
pub(super) async fn get_plan(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_plan(&actor, id)).await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct Transition {
    /// Read as text: the workflow itself refuses an unknown status.
    #[schema(value_type = PairingPlanStatus)]
    to: String,
    /// Required when returning.
    #[serde(default)]
    reason: Option<String>,
}

/// Move a plan along the workflow.
#[utoipa::path(post, path = "/plans/{id}/transition", tag = "plans", params(("id" = i64, Path)),
    request_body = Transition, responses((status = 200, body = PairingPlan)))]
pub(super) async fn transition_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    dingdian_app::plans::require_workflow_role(&c.actor).map_err(|e| c.err(e))?;
    let t: Transition = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        app.transition_plan(&actor, id, &t.to, t.reason.as_deref())?;
        app.get_plan(&actor, id)
    })
    .await?;
    ok(p)
}

/// Key counties the plan leaves without a pairing on a day (default today).
#[utoipa::path(get, path = "/plans/{id}/coverage", tag = "plans",
    params(("id" = i64, Path), ("on" = Option<NaiveDate>, Query, description = "YYYY-MM-DD, default today")),
    responses((status = 200, body = Coverage)))]
pub(super) async fn plan_coverage(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let on = parsed(&q, "on", parse_date, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.plan_coverage(&actor, id, on)).await?)
}

/// The pairings of a plan the caller may see (not paged).
#[utoipa::path(get, path = "/plans/{id}/pairings", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = List<Pairing>)))]
pub(super) async fn plan_pairings(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || Ok(app.plan_detail(&actor, id)?.pairings)).await?)
}

/// Add a pairing to a draft plan (office).
#[utoipa::path(post, path = "/plans/{id}/pairings", tag = "plans", params(("id" = i64, Path)),
    request_body = PairingInput, responses((status = 201, body = Pairing)))]
pub(super) async fn add_pairing(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let input: PairingInput = body_for(&c, Action::EditPlans, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let pid = app.add_pairing(&actor, id, &input)?;
        let pairings = app.plan_detail(&actor, id)?.pairings;
        pairings.into_iter().find(|p| p.id == pid).ok_or_else(|| {
            AppError::Conflict(Msg::new("vanished", "结对已不存在", "the pairing vanished"))
        })
    })
    .await?;
    created(p)
}

/// Pairings by unit, county, plan and day.
#[utoipa::path(get, path = "/pairings", tag = "plans",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("plan" = Option<i64>, Query, description = "a plan's id"),
        ("active_on" = Option<NaiveDate>, Query, description = "valid on this day, YYYY-MM-DD"),
        ("q" = Option<String>, Query, description = "text in the unit's or county's name"),
        PageParams),
    responses((status = 200, body = List<Pairing>)))]
pub(super) async fn list_pairings(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let f = PairingFilter {
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        county_code: qv(&q, "county").map(str::to_string),
        plan_id: parsed(&q, "plan", |v| v.parse().ok(), &c.lang)?,
        active_on: parsed(&q, "active_on", parse_date, &c.lang)?,
        plan_statuses: Vec::new(),
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_pairings(&actor, &f, p)).await?;
    list(items, total)
}

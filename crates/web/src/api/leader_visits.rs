//! Leader visits: the list, a new visit (the token's unit's), one visit,
//! and the pairings whose unit's leaders have not visited in a year.

use super::answers::{ApiResult, List, all, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::leader_visit::{
    LeaderLevel, LeaderVisit, LeaderVisitInput, PairingVisits, VisitFilter,
};
use dingdian_core::role::Action;
use dingdian_core::{Year, time};
use serde::Serialize;
use utoipa::ToSchema;

/// The filter of the list (the pages read the same parameters).
pub(crate) fn visit_filter(q: &Q, lang: &str) -> Result<VisitFilter, crate::error::ApiError> {
    Ok(VisitFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        level: parsed(q, "level", LeaderLevel::parse, lang)?,
        year: parsed(q, "year", |v| Year::parse(v).ok().map(Year::get), lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// A new visit's id.
#[derive(Serialize, ToSchema)]
pub(super) struct NewVisit {
    id: i64,
}

/// Leader visits the caller may see, newest first.
#[utoipa::path(get, path = "/leader-visits", tag = "leader_visits",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("level" = Option<LeaderLevel>, Query, description = "principal or deputy"),
        ("year" = Option<i32>, Query, description = "the year of the visit"),
        ("q" = Option<String>, Query, description = "text in the leader's name, places, purpose or decisions"),
        PageParams),
    responses((status = 200, body = List<LeaderVisit>)))]
pub(super) async fn list_visits(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (visit_filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_leader_visits(&actor, &f, p)).await?;
    list(items, total)
}

/// Record a visit of the unit's leader to a county the unit is paired with
/// on that day (unit).
#[utoipa::path(post, path = "/leader-visits", tag = "leader_visits", request_body = LeaderVisitInput,
    responses((status = 201, body = NewVisit)))]
pub(super) async fn create_visit(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: LeaderVisitInput = body_for(&c, Action::RecordLeaderVisits, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || {
        app.create_leader_visit(&actor, &input, time::today())
    })
    .await?;
    created(NewVisit { id })
}

/// One leader visit.
#[utoipa::path(get, path = "/leader-visits/{id}", tag = "leader_visits", params(("id" = i64, Path)),
    responses((status = 200, body = LeaderVisit)))]
pub(super) async fn get_visit(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.leader_visit(&actor, id)).await?)
}

/// The pairings of a year (this year by default) whose unit's principal or
/// deputy leaders have not visited the county that year (so far).
#[utoipa::path(get, path = "/leader-visits/missing", tag = "leader_visits",
    params(("year" = Option<i32>, Query, description = "the year; this year by default")),
    responses((status = 200, body = List<PairingVisits>)))]
pub(super) async fn missing_visits(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let today = time::today();
    let year = parsed(&q, "year", |v| Year::parse(v).ok().map(Year::get), &c.lang)?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&today));
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || app.leader_visits_missing(&actor, year, today)).await?)
}

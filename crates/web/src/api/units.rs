//! Assisting units.

use super::answers::{ApiResult, List, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::query::UnitFilter;
use dingdian_core::role::Action;
use dingdian_core::unit::{Unit, UnitInput, UnitKind};

/// Assisting units the caller may see.
#[utoipa::path(get, path = "/units", tag = "units",
    params(
        ("q" = Option<String>, Query, description = "text in the name"),
        ("kind" = Option<UnitKind>, Query, description = "code, Chinese or English name of the unit kind"),
        PageParams),
    responses((status = 200, body = List<Unit>)))]
pub(super) async fn list_units(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadUnits)?;
    let f = UnitFilter {
        q: qv(&q, "q").map(str::to_string),
        kind: parsed(&q, "kind", UnitKind::parse, &c.lang)?,
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_units(&actor, &f, p)).await?;
    list(items, total)
}

/// Create an assisting unit (office).
#[utoipa::path(post, path = "/units", tag = "units", request_body = UnitInput,
    responses((status = 201, body = Unit)))]
pub(super) async fn create_unit(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: UnitInput = body_for(&c, Action::CreateUnits, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        let id = app.create_unit(&actor, &input)?;
        app.get_unit(&actor, id)
    })
    .await?;
    created(u)
}

/// One assisting unit.
#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = Unit)))]
pub(super) async fn get_unit(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_unit(&actor, id)).await?)
}

/// Edit an assisting unit (office, or the unit itself).
#[utoipa::path(put, path = "/units/{id}", tag = "units", params(("id" = i64, Path)),
    request_body = UnitInput, responses((status = 200, body = Unit)))]
pub(super) async fn update_unit(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let input: UnitInput = body_for(&c, Action::EditUnits, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        app.update_unit(&actor, id, &input)?;
        app.get_unit(&actor, id)
    })
    .await?;
    ok(u)
}

//! Areas: the division table with the county attributes.

use super::answers::{ApiResult, List, body_for, list, ok, run};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use dingdian_core::area::{Area, CountyAttributes, Level};
use dingdian_core::query::AreaFilter;
use dingdian_core::role::Action;
use serde::Serialize;
use utoipa::ToSchema;

/// An area; the county attributes are null for other levels.
#[derive(Serialize, ToSchema)]
pub(super) struct AreaItem {
    code: String,
    name: String,
    level: Level,
    parent_code: Option<String>,
    western: bool,
    key_county: Option<bool>,
    poor_county: Option<bool>,
    old_revolutionary: Option<bool>,
    ethnic: Option<bool>,
    border: Option<bool>,
    contiguous_area: Option<String>,
    exit_year: Option<i32>,
}

impl From<Area> for AreaItem {
    fn from(a: Area) -> AreaItem {
        let at = a.attributes.as_ref();
        AreaItem {
            key_county: at.map(|x| x.key_county),
            poor_county: at.map(|x| x.poor_county),
            old_revolutionary: at.map(|x| x.old_revolutionary),
            ethnic: at.map(|x| x.ethnic),
            border: at.map(|x| x.border),
            contiguous_area: at.and_then(|x| x.contiguous_area.clone()),
            exit_year: at.and_then(|x| x.exit_year),
            code: a.code,
            name: a.name,
            level: a.level,
            parent_code: a.parent_code,
            western: a.western,
        }
    }
}

/// Areas by level, province, key-county flag or list.
#[utoipa::path(get, path = "/areas", tag = "areas",
    params(
        ("level" = Option<Level>, Query, description = "default county"),
        ("key" = Option<bool>, Query, description = "only key counties (true) or only the others (false)"),
        ("province" = Option<String>, Query, description = "a province's two-digit code"),
        ("parent" = Option<String>, Query, description = "the parent area's code"),
        ("list" = Option<String>, Query, description = "only the counties of this county list"),
        ("q" = Option<String>, Query, description = "text in the name or code"),
        PageParams),
    responses((status = 200, body = List<AreaItem>)))]
pub(super) async fn list_areas(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAreas)?;
    let level = parsed(&q, "level", Level::parse, &c.lang)?.or(Some(Level::County));
    let key = parsed(&q, "key", |v| v.parse::<bool>().ok(), &c.lang)?;
    let text = |k: &str| qv(&q, k).map(str::to_string);
    let f = AreaFilter {
        level,
        key,
        parent: text("parent"),
        province: text("province"),
        list: text("list"),
        q: text("q"),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_areas(&actor, &f, p)).await?;
    list(items.into_iter().map(AreaItem::from).collect(), total)
}

/// One area with its county attributes.
#[utoipa::path(get, path = "/areas/{code}", tag = "areas",
    params(("code" = String, Path, description = "2, 4, 6, 9 or 12 digits")),
    responses((status = 200, body = AreaItem)))]
pub(super) async fn get_area(
    State(state): State<AppState>,
    c: ApiCtx,
    Path(code): Path<String>,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(AreaItem::from(
        run(&c, move || app.get_area(&actor, &code)).await?,
    ))
}

/// Edit a county's attributes (office).
#[utoipa::path(put, path = "/areas/{code}", tag = "areas",
    params(("code" = String, Path, description = "the county's 6 digits")),
    request_body = CountyAttributes,
    responses((status = 200, body = AreaItem)))]
pub(super) async fn update_area(
    State(state): State<AppState>,
    c: ApiCtx,
    Path(code): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let attrs: CountyAttributes = body_for(&c, Action::EditAreas, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let a = run(&c, move || {
        app.update_county(&actor, &code, &attrs)?;
        app.get_area(&actor, &code)
    })
    .await?;
    ok(AreaItem::from(a))
}

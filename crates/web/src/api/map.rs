//! The county map's values as JSON (the page draws the same view).

use super::answers::{ApiResult, ok, run};
use super::query::{Q, parsed};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::pages::map::map_query;
use axum::extract::{Query, State};
use dingdian_app::map::{MapCountyValue, MapNoData};
use dingdian_core::map::figure::{Figure, MapLevel};
use dingdian_core::role::Action;
use serde::Serialize;
use utoipa::ToSchema;

/// A map's values: every county of the view with its value and class
/// (null without data), the class breaks and the counties without data.
#[derive(Serialize, ToSchema)]
pub(super) struct MapAnswer {
    figure: Figure,
    level: MapLevel,
    /// Null for the nation.
    area: Option<String>,
    year: i32,
    /// Ascending thresholds: a value's class is how many it exceeds.
    breaks: Vec<f64>,
    counties: Vec<MapCountyValue>,
    no_data: Vec<MapNoData>,
}

/// A county map's values: `figure` (default poverty_incidence) of every
/// county of the view — the nation, a province (`area` 2 digits) or a
/// prefecture (4 digits) — in `year` (default: the dashboard's year), with
/// quantile classes (`k` 3–7, default 5) or fixed `breaks` (1–8 ascending
/// numbers). An unknown figure, level, year or class method is a 422.
#[utoipa::path(get, path = "/map", tag = "registry",
    params(
        ("figure" = Option<Figure>, Query, description = "default poverty_incidence"),
        ("level" = Option<MapLevel>, Query, description = "default: from the area's digits (none: nation)"),
        ("area" = Option<String>, Query, description = "2 digits for a province, 4 for a prefecture"),
        ("year" = Option<i32>, Query, description = "2010 to 2035"),
        ("classes" = Option<String>, Query, description = "quantile (default) or fixed"),
        ("k" = Option<usize>, Query, description = "quantile classes, 3 to 7 (default 5)"),
        ("breaks" = Option<String>, Query, description = "fixed breaks, e.g. 5,10,20")),
    responses((status = 200, body = MapAnswer)))]
pub(super) async fn county_map(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadIndicators)?;
    let mut mq = map_query(&q, &c.lang);
    mq.year = parsed(&q, "year", |v| v.parse::<i32>().ok(), &c.lang)?;
    mq.k = parsed(&q, "k", |v| v.parse::<usize>().ok(), &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let m = run(&c, move || app.county_map(&actor, &mq)).await?;
    ok(MapAnswer {
        figure: m.figure,
        level: m.level,
        area: m.area,
        year: m.year,
        breaks: m.breaks,
        counties: m.counties,
        no_data: m.no_data,
    })
}

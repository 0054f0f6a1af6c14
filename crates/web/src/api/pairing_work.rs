//! The overview of assistance work: each pairing's figures, ranked.

use super::answers::{ApiResult, List, list, run};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::extract::{Query, State};
use dingdian_core::Year;
use dingdian_core::area::CountyCode;
use dingdian_core::pairing_work::{PairingWork, WorkFilter, WorkRanking};
use dingdian_core::role::Action;

/// The pairings in the caller's scope with what each has planned,
/// received, spent and recorded (sums over projects, the ledger and the
/// work records; reversed entries left out), largest first.
#[utoipa::path(get, path = "/pairing-work", tag = "assistance",
    params(
        ("unit" = Option<i64>, Query, description = "only this unit's pairings"),
        ("county" = Option<String>, Query, description = "only this county's pairings (6-digit code)"),
        ("year" = Option<i32>, Query, description = "only this year's money and records, and pairings in force in it (2010 to 2035)"),
        ("q" = Option<String>, Query, description = "text in the unit's or the county's name"),
        ("rank" = Option<String>, Query, description = "received (default), spent, projects, trainees, labour or products"),
        PageParams),
    responses((status = 200, body = List<PairingWork>)))]
pub(super) async fn pairing_work(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = WorkFilter {
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        county: parsed(&q, "county", CountyCode::parse, &c.lang)?,
        year: parsed(&q, "year", |v| Year::parse(v).ok(), &c.lang)?,
        q: qv(&q, "q").map(str::to_string),
        ranking: parsed(&q, "rank", WorkRanking::from_code, &c.lang)?.unwrap_or_default(),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.pairing_work(&actor, &f, p)).await?;
    list(items, total)
}

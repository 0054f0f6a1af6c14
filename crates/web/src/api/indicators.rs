//! The indicators of indicators.md per area and year.

use super::answers::{ApiResult, List, list, run};
use super::query::{PageParams, Q, page, parsed};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::extract::{Query, State};
use dingdian_app::indicators::{IndicatorQuery, IndicatorRow};
use dingdian_core::area::Level;
use dingdian_core::query::Slice;
use dingdian_core::registry::{Cause, HouseholdType, PovertyStatus};
use dingdian_core::role::Action;

/// An area code of any level: 2, 4, 6, 9 or 12 digits.
pub(super) fn area_code(v: &str) -> Option<String> {
    (matches!(v.len(), 2 | 4 | 6 | 9 | 12) && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.to_string())
}

pub(super) fn year(v: &str) -> Option<i32> {
    v.parse::<i32>().ok().filter(|y| (1949..=2100).contains(y))
}

fn sex(v: &str) -> Option<u8> {
    match v {
        "male" | "1" => Some(1),
        "female" | "2" => Some(2),
        _ => None,
    }
}

/// Indicators of indicators.md per area and year: the areas of `level`
/// (default county) inside `area`, one year or all; `status`, `cause`,
/// `sex` and `household_type` count only those members.
#[utoipa::path(get, path = "/indicators", tag = "registry",
    params(
        ("area" = Option<String>, Query, description = "an area code: 2, 4, 6, 9 or 12 digits"),
        ("year" = Option<i32>, Query, description = "1949 to 2100; default every year"),
        ("level" = Option<Level>, Query, description = "default county"),
        ("status" = Option<PovertyStatus>, Query),
        ("cause" = Option<Cause>, Query),
        ("sex" = Option<String>, Query, description = "male (1) or female (2)"),
        ("household_type" = Option<HouseholdType>, Query),
        PageParams),
    responses((status = 200, body = List<IndicatorRow>)))]
pub(super) async fn indicators(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadIndicators)?;
    // Read in the order the errors have always been reported.
    let area = parsed(&q, "area", area_code, &c.lang)?;
    let level = parsed(&q, "level", Level::parse, &c.lang)?;
    let iq = IndicatorQuery {
        area,
        year: parsed(&q, "year", year, &c.lang)?,
        level,
        slice: Slice {
            status: parsed(&q, "status", PovertyStatus::parse, &c.lang)?.map(|s| s.code()),
            cause: parsed(&q, "cause", Cause::parse, &c.lang)?.map(|s| s.code()),
            sex: parsed(&q, "sex", sex, &c.lang)?,
            household_type: parsed(&q, "household_type", HouseholdType::parse, &c.lang)?
                .map(|t| t.code()),
        },
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let rows = run(&c, move || app.indicators(&actor, &iq)).await?;
    let total = rows.len() as i64;
    let p = page(&q, &c.lang)?;
    let start = ((p.page as u64 - 1) * p.per_page as u64).min(rows.len() as u64) as usize;
    let end = (start + p.per_page as usize).min(rows.len());
    list(rows[start..end].to_vec(), total)
}

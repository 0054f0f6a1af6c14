//! The published aggregates (公开): the one data route that answers
//! without a token, as the contract allows. Only what the office
//! published is read; rate limits apply as to every API route.

use super::answers::{ApiResult, List, list};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::{accept_lang_of, blocking};
use crate::error::ApiError;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use dingdian_app::public_aggregates::{PublicAggregate, PublishedFilter};
use dingdian_core::Year;

/// Published aggregates per county and year (no sign-in): poor
/// population, incidence, exits, return rate, rural income, funds
/// received (fen), completed projects, cadres, paired units and monitored
/// households (`null` with `monitored_suppressed` when fewer than 5).
/// An unpublished year answers an empty list.
#[utoipa::path(get, path = "/public/aggregates", tag = "public", security(()),
    params(
        ("year" = Option<i32>, Query, description = "the year (default: every published year)"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("q" = Option<String>, Query, description = "text in the county's name or code"),
        PageParams),
    responses((status = 200, body = List<PublicAggregate>)))]
pub(super) async fn aggregates(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> ApiResult {
    let lang = accept_lang_of(&headers).to_string();
    let county =
        |v: &str| (v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.to_string());
    let f = PublishedFilter {
        year: parsed(&q, "year", |v| Year::parse(v).ok().map(Year::get), &lang)?,
        county_code: parsed(&q, "county", county, &lang)?,
        q: qv(&q, "q").map(|s| s.chars().take(50).collect()),
    };
    let p = page(&q, &lang)?;
    let app = state.app.clone();
    let (items, total) = blocking(move || app.public_aggregates(&f, p))
        .await
        .map_err(|error| ApiError { error, lang })?;
    list(items, total)
}

//! Monitoring of all rural households (from 2021): a household outside the
//! registry entered with its members by its county, and read back with the
//! ID numbers masked. Flag it through `POST /monitoring` with its id.

use super::answers::{ApiResult, body_for, created, ok, run};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Path, State};
use dingdian_app::rural::RuralHouseholdView;
use dingdian_core::role::Action;
use dingdian_core::rural::{RuralHouseholdInput, RuralMemberInput};
use dingdian_core::time;
use serde::Deserialize;
use utoipa::ToSchema;

/// A household outside the registry as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewRuralHousehold {
    county_code: String,
    village: String,
    /// The year of the income figure: 2021 or later, not after this year.
    year: i32,
    income_per_capita_fen: i64,
    /// 1 to 20, exactly one head (relation 户主 or head).
    members: Vec<RuralMemberInput>,
}

/// Enter a household outside the registry (the county's officer or cadre);
/// a person already recorded is 409.
#[utoipa::path(post, path = "/monitoring/rural-households", tag = "monitoring",
    request_body = NewRuralHousehold, responses((status = 201, body = RuralHouseholdView)))]
pub(super) async fn create_rural_household(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let n: NewRuralHousehold = body_for(&c, Action::FlagHouseholds, &bytes)?;
    let input = RuralHouseholdInput {
        county_code: n.county_code,
        village: n.village,
        year: n.year.to_string(),
        income_per_capita: dingdian_core::Fen::new(n.income_per_capita_fen).to_yuan_text(),
        members: n.members,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        let id = app.enter_rural_household(&actor, &input, time::today())?;
        app.rural_household(&actor, &id)
    })
    .await?;
    created(v)
}

/// One household outside the registry in the caller's scope, ID numbers masked.
#[utoipa::path(get, path = "/monitoring/rural-households/{id}", tag = "monitoring",
    params(("id" = String, Path, description = "R + county code + - + five digits")),
    responses((status = 200, body = RuralHouseholdView)))]
pub(super) async fn get_rural_household(
    State(state): State<AppState>,
    c: ApiCtx,
    Path(id): Path<String>,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.rural_household(&actor, &id)).await?)
}

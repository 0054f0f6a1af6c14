//! Responsibility letters: targets and actuals keyed by the indicators of
//! the contract (money in fen); set by the office, signed by the unit.

use super::answers::{ApiResult, List, body, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::letters::LetterView;
use dingdian_core::Year;
use dingdian_core::letter::{LetterFilter, LetterIndicator, LetterInput, LetterStatus};
use dingdian_core::role::Action;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A figure per indicator; an indicator without a target, or outside the
/// letter's period, is left out.
#[derive(Serialize, ToSchema, Default)]
pub(super) struct LetterFigures {
    #[serde(skip_serializing_if = "Option::is_none")]
    direct_funds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    introduced_funds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cadres_trained: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    technicians_trained: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    products_bought: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    products_sold: Option<i64>,
    /// Letters from 2021 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    leaders_trained: Option<i64>,
}

impl LetterFigures {
    fn set(&mut self, i: LetterIndicator, v: i64) {
        let slot = match i {
            LetterIndicator::DirectFunds => &mut self.direct_funds,
            LetterIndicator::IntroducedFunds => &mut self.introduced_funds,
            LetterIndicator::CadresTrained => &mut self.cadres_trained,
            LetterIndicator::TechniciansTrained => &mut self.technicians_trained,
            LetterIndicator::ProductsBought => &mut self.products_bought,
            LetterIndicator::ProductsSold => &mut self.products_sold,
            LetterIndicator::LeadersTrained => &mut self.leaders_trained,
        };
        *slot = Some(v);
    }
}

/// A letter with its targets and what the records and the ledger show.
#[derive(Serialize, ToSchema)]
pub(super) struct LetterItem {
    id: i64,
    unit_id: i64,
    unit_name: String,
    /// Null: the letter covers all the unit's counties.
    county_code: Option<String>,
    year: i32,
    status: LetterStatus,
    signed_on: Option<chrono::NaiveDate>,
    targets: LetterFigures,
    actuals: LetterFigures,
    /// The share of the year gone today, 0–1.
    year_share: f64,
    /// How far the worst indicator lags that share, 0–1.
    behind_by: f64,
    behind: bool,
}

impl From<LetterView> for LetterItem {
    fn from(v: LetterView) -> LetterItem {
        let (mut targets, mut actuals) = (LetterFigures::default(), LetterFigures::default());
        for p in &v.progress {
            targets.set(p.indicator, p.target);
            actuals.set(p.indicator, p.actual);
        }
        LetterItem {
            id: v.letter.id,
            unit_id: v.letter.unit_id,
            unit_name: v.letter.unit_name,
            county_code: v.letter.county_code,
            year: v.letter.year,
            status: v.letter.status,
            signed_on: v.letter.signed_on,
            targets,
            actuals,
            year_share: v.year_share,
            behind_by: v.behind_by,
            behind: v.behind,
        }
    }
}

/// Letters the caller may see, with targets and actuals.
#[utoipa::path(get, path = "/letters", tag = "letters",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("year" = Option<i32>, Query),
        PageParams),
    responses((status = 200, body = List<LetterItem>)))]
pub(super) async fn list_letters(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = LetterFilter {
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        county_code: qv(&q, "county").map(str::to_string),
        year: parsed(&q, "year", |v| Year::parse(v).ok().map(Year::get), &c.lang)?,
        q: None,
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.letters(&actor, &f, p)).await?;
    list(items.into_iter().map(LetterItem::from).collect(), total)
}

/// The targets the office sets.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewLetter {
    unit_id: i64,
    /// Absent or null: all the unit's counties.
    #[serde(default)]
    county_code: Option<String>,
    year: i32,
    /// By indicator (direct_funds, introduced_funds, cadres_trained,
    /// technicians_trained, products_bought, products_sold; from 2021 also
    /// leaders_trained): person-times or fen. Setting again replaces the
    /// targets until the unit signs.
    targets: BTreeMap<String, i64>,
}

/// Set a letter's targets (office).
#[utoipa::path(post, path = "/letters", tag = "letters", request_body = NewLetter,
    responses((status = 201, body = LetterItem)))]
pub(super) async fn set_letter(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let n: NewLetter = body_for(&c, Action::SetLetterTargets, &bytes)?;
    let input = LetterInput {
        unit_id: Some(n.unit_id),
        county_code: n.county_code.unwrap_or_default(),
        year: n.year.to_string(),
        targets: n
            .targets
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        let id = app.set_letter(&actor, &input, false)?;
        app.letter(&actor, id)
    })
    .await?;
    created(LetterItem::from(v))
}

#[derive(Deserialize, ToSchema)]
pub(super) struct Signing {
    /// The day the unit signed, YYYY-MM-DD (default today).
    #[serde(default)]
    signed_on: Option<String>,
}

/// Record that the unit signed its letter (unit).
#[utoipa::path(post, path = "/letters/{id}/sign", tag = "letters", params(("id" = i64, Path)),
    request_body = Signing, responses((status = 200, body = LetterItem)))]
pub(super) async fn sign_letter(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::SignLetters)?;
    let s: Signing = if bytes.is_empty() {
        Signing { signed_on: None }
    } else {
        body(&bytes, &c.lang)?
    };
    let on = s
        .signed_on
        .unwrap_or_else(|| dingdian_core::time::today().to_string());
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        app.sign_letter(&actor, id, &on)?;
        app.letter(&actor, id)
    })
    .await?;
    ok(LetterItem::from(v))
}

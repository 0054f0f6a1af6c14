//! The funds ledger: entries (read and post) and balances.

use super::answers::{ApiResult, List, all, body, created, list, run};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::area::CountyCode;
use dingdian_core::ledger::{
    Balance, EntryKind, FundSource, LedgerEntry, LedgerEntryInput, LedgerFilter,
};
use dingdian_core::role::Action;

fn id(s: &str) -> Option<i64> {
    s.parse().ok().filter(|n| *n > 0)
}

/// The ledger's filters from the query string; a bad value is a 422.
fn filter(q: &Q, lang: &str) -> Result<LedgerFilter, crate::error::ApiError> {
    Ok(LedgerFilter {
        unit_id: parsed(q, "unit", id, lang)?,
        county_code: parsed(
            q,
            "county",
            |s| CountyCode::parse(s).map(String::from),
            lang,
        )?,
        project_id: parsed(q, "project", id, lang)?,
        kind: parsed(q, "kind", EntryKind::parse, lang)?,
        source: parsed(q, "source", FundSource::parse, lang)?,
        year: parsed(
            q,
            "year",
            |s| s.parse().ok().filter(|y| (2000..=2100).contains(y)),
            lang,
        )?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Ledger entries the caller may read, newest first.
#[utoipa::path(get, path = "/ledger/entries", tag = "ledger",
    params(
        ("unit" = Option<i64>, Query),
        ("county" = Option<String>, Query, description = "6-digit county code"),
        ("project" = Option<i64>, Query),
        ("kind" = Option<EntryKind>, Query),
        ("source" = Option<FundSource>, Query),
        ("year" = Option<i32>, Query, description = "entries dated in this year"),
        ("q" = Option<String>, Query, description = "text in the document number, note or donor"),
        PageParams),
    responses((status = 200, body = List<LedgerEntry>)))]
pub(super) async fn list_entries(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = filter(&q, &c.lang)?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.ledger_entries(&actor, &f, p)).await?;
    list(items, total)
}

/// Post one entry (a unit; a reallocation: the office). 201 with the
/// stored entry; 422 with the reason, nothing written.
#[utoipa::path(post, path = "/ledger/entries", tag = "ledger", request_body = LedgerEntryInput,
    responses((status = 201, body = LedgerEntry)))]
pub(super) async fn post_entry(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    if !c.actor.role.may(Action::ReallocateEarmarks) {
        c.require(Action::PostLedger)?;
    }
    let input: LedgerEntryInput = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    created(run(&c, move || app.post_entry(&actor, &input)).await?)
}

/// Balances per unit, county, source and project (`project_id` null: money
/// not earmarked); `available_fen` is what came in minus what went out at
/// that level.
#[utoipa::path(get, path = "/ledger/balances", tag = "ledger",
    params(
        ("unit" = Option<i64>, Query),
        ("county" = Option<String>, Query, description = "6-digit county code"),
        ("project" = Option<i64>, Query),
        ("source" = Option<FundSource>, Query)),
    responses((status = 200, body = List<Balance>)))]
pub(super) async fn balances(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = filter(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || app.ledger_balances(&actor, &f)).await?)
}

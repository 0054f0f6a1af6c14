//! Work records: lists, new records, and the summary of the contract.
//! Money is fen; a new record is the token's unit's (a cadre's: its unit
//! and county).

use super::answers::{ApiResult, List, body_for, created, list, ok, run};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_core::records::{
    ConsumptionInput, ConsumptionRecord, LabourTransfer, LabourTransferInput, RecordFilter,
    RecordsSummary, SummaryFilter, Training, TrainingInput,
};
use dingdian_core::role::Action;
use dingdian_core::{Fen, Year};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The filter every record list takes.
fn filter(q: &Q, lang: &str) -> Result<RecordFilter, crate::error::ApiError> {
    Ok(RecordFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        kind: qv(q, "kind").map(str::to_string),
        year: parsed(q, "year", |v| Year::parse(v).ok().map(Year::get), lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// A new record's id.
#[derive(Serialize, ToSchema)]
pub(super) struct NewRecord {
    pub(super) id: i64,
}

/// Yuan text of a fen amount, as the record rules read money.
fn yuan(fen: Option<i64>) -> String {
    fen.map(|f| Fen::new(f).to_yuan_text()).unwrap_or_default()
}

/// Trainings the caller may see.
#[utoipa::path(get, path = "/records/trainings", tag = "records",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("kind" = Option<String>, Query, description = "cadres, technicians, labour_skills or revitalisation_leaders"),
        ("year" = Option<i32>, Query, description = "the year the training began"),
        ("q" = Option<String>, Query, description = "text in the topic, place or organiser"),
        PageParams),
    responses((status = 200, body = List<Training>)))]
pub(super) async fn list_trainings(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_trainings(&actor, &f, p)).await?;
    list(items, total)
}

/// A training as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewTraining {
    county_code: String,
    /// cadres, technicians, labour_skills or revitalisation_leaders.
    kind: String,
    topic: String,
    place: String,
    /// YYYY-MM-DD, not after today.
    start_date: String,
    end_date: String,
    /// Person-times, above 0.
    trainees: i64,
    organiser: String,
    /// Paid by the unit, fen.
    #[serde(default)]
    cost_fen: Option<i64>,
}

/// Record a training (unit, cadre).
#[utoipa::path(post, path = "/records/trainings", tag = "records", request_body = NewTraining,
    responses((status = 201, body = NewRecord)))]
pub(super) async fn create_training(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let t: NewTraining = body_for(&c, Action::WriteRecords, &bytes)?;
    let input = TrainingInput {
        county_code: t.county_code,
        kind: t.kind,
        topic: t.topic,
        place: t.place,
        start_date: t.start_date,
        end_date: t.end_date,
        trainees: t.trainees.to_string(),
        organiser: t.organiser,
        cost: yuan(t.cost_fen),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || app.create_training(&actor, &input)).await?;
    created(NewRecord { id })
}

/// Labour transfers the caller may see.
#[utoipa::path(get, path = "/records/labour-transfers", tag = "records",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("year" = Option<i32>, Query),
        ("q" = Option<String>, Query, description = "text in the destination or employer"),
        PageParams),
    responses((status = 200, body = List<LabourTransfer>)))]
pub(super) async fn list_labour_transfers(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_labour_transfers(&actor, &f, p)).await?;
    list(items, total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewLabourTransfer {
    county_code: String,
    date: String,
    /// Person-times placed, above 0.
    people: i64,
    /// An area code (320200) or a city's name.
    destination: String,
    employer: String,
    /// Months worked, 1–60.
    months: i64,
    income_fen: i64,
    #[serde(default)]
    jobs_offered: i64,
}

/// Record a labour transfer (unit, cadre).
#[utoipa::path(post, path = "/records/labour-transfers", tag = "records",
    request_body = NewLabourTransfer, responses((status = 201, body = NewRecord)))]
pub(super) async fn create_labour_transfer(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let t: NewLabourTransfer = body_for(&c, Action::WriteRecords, &bytes)?;
    let input = LabourTransferInput {
        county_code: t.county_code,
        date: t.date,
        people: t.people.to_string(),
        destination: t.destination,
        employer: t.employer,
        months: t.months.to_string(),
        income: yuan(Some(t.income_fen)),
        jobs_offered: t.jobs_offered.to_string(),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || app.create_labour_transfer(&actor, &input)).await?;
    created(NewRecord { id })
}

/// Consumption records the caller may see.
#[utoipa::path(get, path = "/records/consumption", tag = "records",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "the county of origin's 6 digits"),
        ("kind" = Option<String>, Query, description = "bought or sold"),
        ("year" = Option<i32>, Query),
        ("q" = Option<String>, Query, description = "text in the product, buyer, supplier or channel"),
        PageParams),
    responses((status = 200, body = List<ConsumptionRecord>)))]
pub(super) async fn list_consumption(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_consumption(&actor, &f, p)).await?;
    list(items, total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewConsumption {
    /// The county the products come from.
    county_code: String,
    /// bought or sold.
    kind: String,
    date: String,
    product: String,
    #[serde(default)]
    quantity: String,
    /// Above 0.
    value_fen: i64,
    #[serde(default)]
    buyer: String,
    #[serde(default)]
    supplier: String,
    channel: String,
}

/// Record products bought or sold (unit, cadre).
#[utoipa::path(post, path = "/records/consumption", tag = "records",
    request_body = NewConsumption, responses((status = 201, body = NewRecord)))]
pub(super) async fn create_consumption(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let t: NewConsumption = body_for(&c, Action::WriteRecords, &bytes)?;
    let input = ConsumptionInput {
        county_code: t.county_code,
        kind: t.kind,
        date: t.date,
        product: t.product,
        quantity: t.quantity,
        value: yuan(Some(t.value_fen)),
        buyer: t.buyer,
        supplier: t.supplier,
        channel: t.channel,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || app.create_consumption(&actor, &input)).await?;
    created(NewRecord { id })
}

/// Totals over the records (and the ledger's receipts) of those years,
/// computed from records: person-times and fen.
#[utoipa::path(get, path = "/records/summary", tag = "records",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("from" = Option<i32>, Query, description = "the first year"),
        ("to" = Option<i32>, Query, description = "the last year")),
    responses((status = 200, body = RecordsSummary)))]
pub(super) async fn summary(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let year = |v: &str| Year::parse(v).ok().map(Year::get);
    let f = SummaryFilter {
        county_code: qv(&q, "county").map(str::to_string),
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        from: parsed(&q, "from", year, &c.lang)?,
        to: parsed(&q, "to", year, &c.lang)?,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.records_summary(&actor, &f)).await?)
}

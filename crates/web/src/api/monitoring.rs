//! Return-risk monitoring through the API: the list of the contract (by
//! county, year, kind, status, risk), counts, one case, a flag, a step, a
//! measure, the data scan, and the office's thresholds.

use super::answers::{ApiResult, List, all, body, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::AppError;
use dingdian_app::monitoring::{MonitoringView, ScanResult};
use dingdian_core::monitoring::{
    FlagInput, MeasureInput, MonitoredHousehold, MonitoredKind, MonitoringCount, MonitoringFilter,
    MonitoringStatus, Risk, StepInput, Threshold, ThresholdInput,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use serde::Deserialize;
use utoipa::ToSchema;

pub(crate) fn filter(q: &Q, lang: &str) -> Result<MonitoringFilter, ApiError> {
    Ok(MonitoringFilter {
        county_code: qv(q, "county").map(str::to_string),
        year: parsed(q, "year", |v| v.parse().ok(), lang)?,
        kind: parsed(q, "kind", MonitoredKind::from_code, lang)?,
        status: parsed(q, "status", MonitoringStatus::from_code, lang)?,
        risk: parsed(q, "risk", Risk::from_code, lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Monitored households the caller may see (the registry's scope).
#[utoipa::path(get, path = "/monitoring", tag = "monitoring",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("year" = Option<i32>, Query, description = "the registry year the case was opened on"),
        ("kind" = Option<String>, Query, description = "unstable, marginal or sudden"),
        ("status" = Option<String>, Query, description = "flagged, verified, monitored or cleared"),
        ("risk" = Option<String>, Query, description = "a risk's code, e.g. low_income, illness"),
        ("q" = Option<String>, Query, description = "part of the household number"),
        PageParams),
    responses((status = 200, body = List<MonitoredHousehold>)))]
pub(super) async fn list_monitoring(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let (f, p) = (filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.list_monitoring(&actor, &f, p)).await?;
    list(items, total)
}

/// Cases by county × kind × status × risk (a case with two risks counts under each).
#[utoipa::path(get, path = "/monitoring/counts", tag = "monitoring",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("year" = Option<i32>, Query, description = "the registry year"),
    ),
    responses((status = 200, body = List<MonitoringCount>)))]
pub(super) async fn monitoring_counts(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let f = filter(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    all(run(&c, move || app.monitoring_counts(&actor, &f)).await?)
}

/// A flag as the API takes it.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewFlag {
    household_id: String,
    /// The registry year the household is read on.
    year: i32,
    /// A risk's code.
    risk: String,
    /// cadre or application.
    source: String,
    /// A shock whose costs or losses exceed what the household can carry:
    /// the case is one of sudden severe hardship.
    #[serde(default)]
    severe: bool,
    #[serde(default)]
    detail: Option<String>,
    /// YYYY-MM-DD, not after today; today if absent.
    #[serde(default)]
    date: Option<String>,
}

/// Flag a household (county, cadre); the same risk on its open case is 409.
#[utoipa::path(post, path = "/monitoring", tag = "monitoring", request_body = NewFlag,
    responses((status = 201, body = MonitoringView)))]
pub(super) async fn flag_household(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let n: NewFlag = body_for(&c, Action::FlagHouseholds, &bytes)?;
    let today = time::today();
    let input = FlagInput {
        household_id: n.household_id,
        year: n.year.to_string(),
        risk: n.risk,
        source: n.source,
        severe: n.severe,
        detail: n.detail.unwrap_or_default(),
        date: n.date.unwrap_or_else(|| today.to_string()),
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let v = run(&c, move || {
        let id = app.flag_household(&actor, &input, today)?;
        app.get_monitoring(&actor, id)
    })
    .await?;
    created(v)
}

/// One case with its risks, measures and steps, and the steps the caller may take.
#[utoipa::path(get, path = "/monitoring/{id}", tag = "monitoring", params(("id" = i64, Path)),
    responses((status = 200, body = MonitoringView)))]
pub(super) async fn get_monitored(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_monitoring(&actor, id)).await?)
}

/// A step: verified (a home visit: visitor, note, no_labour), monitored
/// (the county's review; a measure given now or before), cleared (reason
/// assistance or natural). `date` is today if absent.
#[utoipa::path(post, path = "/monitoring/{id}/transition", tag = "monitoring", params(("id" = i64, Path)),
    request_body = StepInput, responses((status = 200, body = MonitoringView)))]
pub(super) async fn transition_monitored(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let mut s: StepInput = body_for(&c, Action::ReadRegistry, &bytes)?;
    let today = time::today();
    if s.date.trim().is_empty() {
        s.date = today.to_string();
    }
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || {
        app.step_monitoring(&actor, id, &s, today)?;
        app.get_monitoring(&actor, id)
    })
    .await?)
}

/// Assign an assistance measure to a verified or monitored case (county).
#[utoipa::path(post, path = "/monitoring/{id}/measures", tag = "monitoring", params(("id" = i64, Path)),
    request_body = MeasureInput, responses((status = 201, body = MonitoringView)))]
pub(super) async fn add_monitoring_measure(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let mut m: MeasureInput = body_for(&c, Action::ReviewMonitoring, &bytes)?;
    let today = time::today();
    if m.date.trim().is_empty() {
        m.date = today.to_string();
    }
    let (app, actor) = (state.app.clone(), c.actor.clone());
    created(
        run(&c, move || {
            app.add_monitoring_measure(&actor, id, &m, today)?;
            app.get_monitoring(&actor, id)
        })
        .await?,
    )
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ScanBody {
    county_code: String,
    year: i32,
}

/// Run the data rule over a county's registry year (county, office):
/// households below the threshold or with a large drop are flagged once.
#[utoipa::path(post, path = "/monitoring/scan", tag = "monitoring", request_body = ScanBody,
    responses((status = 200, body = ScanResult)))]
pub(super) async fn scan_registry(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let b: ScanBody = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || {
        app.scan_for_risks(&actor, &b.county_code, b.year, time::today())
    })
    .await?)
}

/// The threshold in force for a province and year: the office's, or the
/// default (1.5 × the year's poverty line, 30 %), `is_default` true.
#[utoipa::path(get, path = "/monitoring-thresholds/{year}", tag = "monitoring",
    params(("year" = i32, Path), ("province" = String, Query, description = "two digits, e.g. 62")),
    responses((status = 200, body = Threshold)))]
pub(super) async fn get_monitoring_threshold(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(year): Id,
    Query(q): Query<Q>,
) -> ApiResult {
    let year = i32::try_from(year).unwrap_or(0);
    let Some(province) = qv(&q, "province").map(str::to_string) else {
        return Err(c.err(AppError::invalid(
            "province",
            "",
            "required",
            "请给出省份代码",
            "the province is required",
        )));
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || {
        app.monitoring_threshold(&actor, &province, year)
    })
    .await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ThresholdBody {
    province_code: String,
    /// Per-capita income per year, fen.
    income_fen: i64,
    /// Whole per cent, 1–100.
    drop_percent: i64,
}

/// Set a province's threshold for a year (office).
#[utoipa::path(put, path = "/monitoring-thresholds/{year}", tag = "monitoring", params(("year" = i32, Path)),
    request_body = ThresholdBody, responses((status = 200, body = Threshold)))]
pub(super) async fn put_monitoring_threshold(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(year): Id,
    bytes: Bytes,
) -> ApiResult {
    let b: ThresholdBody = body_for(&c, Action::SetMonitoringThresholds, &bytes)?;
    let input = ThresholdInput {
        province_code: b.province_code,
        income_fen: b.income_fen.to_string(),
        income_yuan: String::new(),
        drop_percent: b.drop_percent.to_string(),
    };
    let year = i32::try_from(year).unwrap_or(0);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || {
        app.set_monitoring_threshold(&actor, year, &input)
    })
    .await?)
}

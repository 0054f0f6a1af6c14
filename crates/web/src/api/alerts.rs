//! Departmental cross-checks through the API: import an alert file (the
//! raw file as the body), the files, one file's rows, the correction tasks
//! and their closing; and the exit check.

use super::answers::{ApiResult, List, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::AppError;
use dingdian_app::alerts::AlertImport;
use dingdian_app::exit_check::ExitCheckRow;
use dingdian_core::alerts::{
    AlertFile, AlertFileFilter, AlertRowRecord, AlertSource, CorrectionFilter, CorrectionStatus,
    CorrectionTask, reason_msg,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn required(k: &str, lang: &str) -> ApiError {
    ApiError {
        error: AppError::invalid(
            k,
            "",
            "required",
            "缺少必需的参数",
            "this parameter is required",
        ),
        lang: lang.to_string(),
    }
}

/// Import a department's alert file for the caller's county (county
/// officer): CSV (UTF-8 or GBK) or xlsx, keyed by ID number. The same file
/// again answers the first import (`repeated`) and writes nothing.
#[utoipa::path(post, path = "/alerts", tag = "alerts",
    params(
        ("source" = String, Query, description = "medical, education, civil_affairs, emergency or public_security"),
        ("county" = String, Query, description = "the county's 6 digits (the caller's own)"),
        ("name" = Option<String>, Query, description = "the file name (.csv or .xlsx); alerts.csv if absent")),
    request_body(content = String, description = "the file itself: CSV (UTF-8 or GBK) or xlsx",
        content_type = "application/octet-stream"),
    responses((status = 201, body = AlertImport), (status = 200, body = AlertImport, description = "the same file was imported before")))]
pub(super) async fn import_alerts(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
    body: Bytes,
) -> ApiResult {
    c.require(Action::ImportAlerts)?;
    let source = parsed(&q, "source", AlertSource::from_code, &c.lang)?
        .ok_or_else(|| required("source", &c.lang))?;
    let county = qv(&q, "county")
        .ok_or_else(|| required("county", &c.lang))?
        .to_string();
    let name = qv(&q, "name").unwrap_or("alerts.csv").to_string();
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let r = run(&c, move || {
        app.import_alerts(&actor, &county, source, &name, &body, time::today())
    })
    .await?;
    if r.repeated { ok(r) } else { created(r) }
}

fn file_filter(q: &Q, lang: &str) -> Result<AlertFileFilter, ApiError> {
    Ok(AlertFileFilter {
        county_code: qv(q, "county").map(str::to_string),
        source: parsed(q, "source", AlertSource::from_code, lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Alert files in the caller's registry scope, newest first.
#[utoipa::path(get, path = "/alerts", tag = "alerts",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("source" = Option<String>, Query, description = "the department"),
        ("q" = Option<String>, Query, description = "text in the file name"),
        PageParams),
    responses((status = 200, body = List<AlertFile>)))]
pub(super) async fn list_alert_files(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let (f, p) = (file_filter(&q, &c.lang)?, page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.alert_files(&actor, &f, p)).await?;
    list(items, total)
}

/// A row of a file with its reason in both languages.
#[derive(Serialize, ToSchema)]
pub(super) struct AlertRowAnswer {
    #[serde(flatten)]
    row: AlertRowRecord,
    message: Option<String>,
    message_en: Option<String>,
}

/// One alert file and a page of its rows.
#[derive(Serialize, ToSchema)]
pub(super) struct AlertFileAnswer {
    file: AlertFile,
    items: Vec<AlertRowAnswer>,
    total: i64,
}

/// One alert file with its rows: outcome, masked number, matched
/// household, reason. Another county's file is 404.
#[utoipa::path(get, path = "/alerts/{id}", tag = "alerts", params(("id" = i64, Path), PageParams),
    responses((status = 200, body = AlertFileAnswer)))]
pub(super) async fn get_alert_file(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    Query(q): Query<Q>,
) -> ApiResult {
    let p = page(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (file, rows, total) = run(&c, move || app.alert_file(&actor, id, p)).await?;
    let lang = c.lang.clone();
    let items = rows
        .into_iter()
        .map(|row| {
            let m = row.reason.as_deref().map(reason_msg);
            AlertRowAnswer {
                message: m.as_ref().map(|m| m.text(&lang).to_string()),
                message_en: m.map(|m| m.en),
                row,
            }
        })
        .collect();
    ok(AlertFileAnswer { file, items, total })
}

/// Correction tasks in the caller's registry scope: open first.
#[utoipa::path(get, path = "/corrections", tag = "alerts",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("status" = Option<String>, Query, description = "open, done or dismissed"),
        ("q" = Option<String>, Query, description = "text in the household number"),
        PageParams),
    responses((status = 200, body = List<CorrectionTask>)))]
pub(super) async fn list_corrections(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let f = CorrectionFilter {
        county_code: qv(&q, "county").map(str::to_string),
        status: parsed(&q, "status", CorrectionStatus::from_code, &c.lang)?,
        q: qv(&q, "q").map(str::to_string),
    };
    let p = page(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.corrections(&actor, &f, p)).await?;
    list(items, total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct CorrectionTransition {
    /// done or dismissed.
    #[schema(value_type = CorrectionStatus)]
    #[serde(default)]
    to: String,
    /// What was done, at most 500 characters.
    #[serde(default)]
    note: String,
}

/// Close a correction task as corrected or dismissed, with a note (county).
#[utoipa::path(post, path = "/corrections/{id}/transition", tag = "alerts", params(("id" = i64, Path)),
    request_body = CorrectionTransition, responses((status = 200, body = CorrectionTask)))]
pub(super) async fn transition_correction(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: CorrectionTransition = body_for(&c, Action::ImportAlerts, &bytes)?;
    let to = CorrectionStatus::from_code(&t.to).ok_or_else(|| {
        c.err(AppError::invalid(
            "to",
            t.to.chars().take(32).collect::<String>(),
            "bad_transition",
            "应为 done 或 dismissed",
            "must be done or dismissed",
        ))
    })?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.close_correction(&actor, id, to, &t.note)).await?)
}

/// Households marked exited in a year that fail the exit check (income
/// not above the line, a basic guarantee failing or not recorded), with
/// every reason. Without a year: the latest the registry holds.
#[utoipa::path(get, path = "/exit-check", tag = "registry",
    params(
        ("year" = Option<i32>, Query, description = "the registry year (default: the latest)"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        PageParams),
    responses((status = 200, body = List<ExitCheckRow>)))]
pub(super) async fn exit_check(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let asked = parsed(&q, "year", |v| v.parse::<i32>().ok(), &c.lang)?;
    let county = qv(&q, "county").map(str::to_string);
    let p = page(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || {
        let year = match asked {
            Some(y) => Some(y),
            None => app.registry_years(&actor)?.into_iter().max(),
        };
        match year {
            Some(y) => app.exit_check(&actor, county.as_deref(), y, p),
            None => Ok((Vec::new(), 0)),
        }
    })
    .await?;
    list(items, total)
}

//! Imports through the API (the raw file as the body) and the jobs that
//! carry the registry import.

use super::answers::{ApiResult, ErrorAnswer, ok, run};
use super::query::{Id, Q, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_app::jobs::JobState;
use dingdian_app::registry::{ImportError, ImportOptions};
use dingdian_app::tabular::Encoding;
use dingdian_core::role::Action;
use serde::Serialize;
use utoipa::ToSchema;

fn flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The job a registry import runs as.
#[derive(Serialize, ToSchema)]
pub(super) struct JobStarted {
    job: i64,
}

/// Start a registry import (the raw CSV or xlsx file as the body); answers
/// 202 with the job to follow at /jobs/{id}.
#[utoipa::path(post, path = "/imports/registry", tag = "imports",
    params(ImportParams),
    request_body(content = String, description = "the file itself: CSV (UTF-8 or GBK) or xlsx",
        content_type = "application/octet-stream"),
    responses((status = 202, body = JobStarted, description = "accepted: follow the job at /jobs/{id}",
        headers(("location" = String, description = "the job")))))]
pub(super) async fn import_registry(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
    body: Bytes,
) -> ApiResult {
    c.require(Action::ImportRegistry)?;
    let (opts, name) = match import_query(&q, &c.lang) {
        Ok(v) => v,
        Err(e) => return Ok(import_failure(e)),
    };
    if body.is_empty() {
        return Ok(import_failure(c.err(empty_body())));
    }
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || {
        app.start_registry_import(&actor, &name, body.to_vec(), opts)
    })
    .await;
    let id = match id {
        Ok(id) => id,
        Err(e) => return Ok(import_failure(e)),
    };
    let location = [(header::LOCATION, format!("/api/v1/jobs/{id}"))];
    Ok((StatusCode::ACCEPTED, location, Json(JobStarted { job: id })).into_response())
}

#[derive(Serialize, ToSchema)]
pub(super) struct StatisticsImported {
    rows: usize,
    rejected: usize,
    errors: Vec<ImportError>,
    dry_run: bool,
}

/// Import an area statistics file (the raw CSV or xlsx file as the body):
/// all or nothing, or the valid rows with skip_invalid.
#[utoipa::path(post, path = "/imports/statistics", tag = "imports",
    params(ImportParams),
    request_body(content = String, description = "the file itself: CSV (UTF-8 or GBK) or xlsx",
        content_type = "application/octet-stream"),
    responses((status = 200, body = StatisticsImported)))]
pub(super) async fn import_statistics(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
    body: Bytes,
) -> ApiResult {
    c.require(Action::ImportRegistry)?;
    let (opts, name) = import_query(&q, &c.lang)?;
    if body.is_empty() {
        return Err(c.err(empty_body()));
    }
    let (app, actor, lang) = (state.app.clone(), c.actor.clone(), c.lang.clone());
    let imported = run(&c, move || {
        app.import_statistics(&actor, &name, &body, opts)
    })
    .await;
    let report = match imported {
        Ok(r) => r,
        Err(e) => return Ok(import_failure(e)),
    };
    ok(StatisticsImported {
        errors: report
            .errors
            .iter()
            .map(|e| ImportError::new(e, &lang))
            .collect(),
        rows: report.rows,
        rejected: report.rejected,
        dry_run: report.dry_run,
    })
}

/// An import's error answer: the usual error, but each of `fields` in the
/// import shape of interfaces.md (`row`, `column`, `value`, `code`,
/// `message`, `message_en`).
fn import_failure(e: ApiError) -> Response {
    if !matches!(e.error, AppError::Invalid(_)) {
        return e.into_response();
    }
    let body = ErrorAnswer::new(&e.error, &e.lang, true);
    (crate::error::status(&e.error), Json(body)).into_response()
}

fn empty_body() -> AppError {
    AppError::invalid(
        "body",
        "",
        "empty_file",
        "请求体应为导入文件（CSV 或 xlsx），不能为空",
        "the body must be the file to import (CSV or xlsx), not empty",
    )
}

/// The query of both imports. Flags take true/false (also 1/0, yes/no,
/// on/off).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportParams {
    /// The file's name, ending in .csv or .xlsx (default upload.csv).
    file_name: Option<String>,
    /// Import the valid rows and report the others.
    skip_invalid: Option<bool>,
    /// Check everything and write nothing.
    dry_run: Option<bool>,
    /// For CSV: auto (default), utf-8 or gbk.
    #[param(value_type = Option<String>)]
    encoding: Option<Encoding>,
    /// Skip columns the format does not define instead of refusing the file.
    ignore_unknown_columns: Option<bool>,
}

/// The options and the file name of an import.
fn import_query(q: &Q, lang: &str) -> Result<(ImportOptions, String), ApiError> {
    let p = ImportParams {
        skip_invalid: parsed(q, "skip_invalid", flag, lang)?,
        dry_run: parsed(q, "dry_run", flag, lang)?,
        ignore_unknown_columns: parsed(q, "ignore_unknown_columns", flag, lang)?,
        encoding: parsed(q, "encoding", Encoding::parse, lang)?,
        file_name: qv(q, "file_name").map(str::to_string),
    };
    let options = ImportOptions {
        skip_invalid: p.skip_invalid.unwrap_or(false),
        dry_run: p.dry_run.unwrap_or(false),
        ignore_unknown_columns: p.ignore_unknown_columns.unwrap_or(false),
        encoding: p.encoding,
    };
    let name = p.file_name.unwrap_or_else(|| "upload.csv".into());
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".xlsx") {
        return Ok((options, name));
    }
    Err(ApiError {
        error: AppError::invalid(
            "file_name",
            &name,
            "bad_file_type",
            "文件名应以 .csv 或 .xlsx 结尾",
            "the file name must end in .csv or .xlsx",
        ),
        lang: lang.to_string(),
    })
}

/// A job's state with its percentage.
#[derive(Serialize, ToSchema)]
pub(super) struct JobItem {
    #[serde(flatten)]
    state: JobState,
    /// 0–100.
    percent: u64,
}

/// A job's state: phase, progress and, when done, the import report or the
/// errors by row and column.
#[utoipa::path(get, path = "/jobs/{id}", tag = "imports", params(("id" = i64, Path)),
    responses((status = 200, body = JobItem)))]
pub(super) async fn job(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let j = run(&c, move || app.job(&actor, id)).await?;
    ok(JobItem {
        percent: j.percent(),
        state: j,
    })
}

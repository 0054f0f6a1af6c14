//! The registry and indicator routes of the API: indicators, households
//! with their members (ID numbers masked unless the role is entitled), the
//! registry import as a job, jobs, statistics import, poverty lines.

use super::{ApiResult, Id, list, ok, page, parsed, qv, run};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use dingdian_app::AppError;
use dingdian_app::indicators::IndicatorQuery;
use dingdian_app::registry::{HouseholdCard, ImportError, ImportOptions};
use dingdian_app::tabular::Encoding;
use dingdian_core::area::Level;
use dingdian_core::query::{HouseholdFilter, Slice};
use dingdian_core::registry::{Cause, HouseholdType, PovertyStatus};
use dingdian_core::role::Action;
use serde_json::{Value, json};
use std::collections::HashMap;

type Q = Query<HashMap<String, String>>;

fn area_code(v: &str) -> Option<String> {
    dingdian_core::area::is_area_code(v).then(|| v.to_string())
}

fn year(v: &str) -> Option<i32> {
    v.parse::<i32>().ok().filter(|y| (1949..=2100).contains(y))
}

fn flag(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `GET /indicators?area&year&level&status&cause`: the rows of
/// indicators.md, each with `area_code`, `area_name`, `level`, `year`.
pub async fn indicators(State(state): State<AppState>, c: ApiCtx, Query(q): Q) -> ApiResult {
    c.require(Action::ReadIndicators)?;
    let area = parsed(&q, "area", area_code, &c.lang)?;
    let level = parsed(&q, "level", Level::parse, &c.lang)?;
    let iq = IndicatorQuery {
        area,
        year: parsed(&q, "year", year, &c.lang)?,
        level,
        slice: Slice {
            status: parsed(&q, "status", PovertyStatus::parse, &c.lang)?.map(|s| s.code()),
            cause: parsed(&q, "cause", Cause::parse, &c.lang)?.map(|s| s.code()),
            sex: parsed(
                &q,
                "sex",
                |v| match v {
                    "male" | "1" => Some(1u8),
                    "female" | "2" => Some(2u8),
                    _ => None,
                },
                &c.lang,
            )?,
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

/// A household with its members, as the API shows it: the extended
/// fields (null when not given) beside the contract's.
fn household_json(card: &HouseholdCard) -> Value {
    let h = &card.household;
    let mut v = json!({
        "year": h.year,
        "household_id": h.household_id,
        "county_code": h.county_code,
        "village_code": h.village_code,
        "income_per_capita": h.income_per_capita,
        "status": h.status,
        "identified_year": h.identified_year,
        "exit_year": h.exit_year,
        "cause": h.cause,
        "member_count": h.members,
        "id_numbers_in_full": card.id_numbers_in_full,
        "members": card.members,
    });
    if let (Value::Object(m), Ok(Value::Object(x))) = (&mut v, serde_json::to_value(&h.extended)) {
        m.extend(x);
    }
    v
}

/// `GET /households?county&area&year&household&status&name&village`:
/// households with their members, ID numbers always masked. `reveal=REASON`
/// with `household` and `year` shows that one household's numbers in full
/// to a role entitled to them, audited with the reason (as the household
/// page). `name` finds heads by the blind index of their whole name,
/// `village` villages by full or short name, both within the caller's scope.
pub async fn households(State(state): State<AppState>, c: ApiCtx, Query(q): Q) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let county = parsed(
        &q,
        "county",
        |v| (v.len() == 6).then(|| area_code(v)).flatten(),
        &c.lang,
    )?;
    let area = parsed(&q, "area", area_code, &c.lang)?;
    let mut f = HouseholdFilter {
        year: parsed(&q, "year", year, &c.lang)?,
        area: area.or(county),
        household_id: qv(&q, "household").map(str::to_string),
        status: parsed(&q, "status", PovertyStatus::parse, &c.lang)?.map(|s| s.code()),
        ..Default::default()
    };
    let p = page(&q, &c.lang)?;
    if let Some(reason) = qv(&q, "reveal") {
        return disclose(&state, &c, &f, reason).await;
    }
    let name = qv(&q, "name").map(str::to_string);
    let village = qv(&q, "village").map(str::to_string);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (cards, total) = run(&c, move || {
        if let Some(n) = &name {
            f.head_name_index = Some(app.head_name_filter(&actor, n)?);
        }
        if let Some(v) = &village {
            f.villages = Some(app.village_filter(&actor, f.area.as_deref(), v)?);
        }
        app.household_pages(&actor, &f, p)
    })
    .await?;
    list(cards.iter().map(household_json).collect(), total)
}

/// One household with its ID numbers in full, for a reason (audited); a
/// role not entitled to them gets them masked, as on the household page.
async fn disclose(state: &AppState, c: &ApiCtx, f: &HouseholdFilter, reason: &str) -> ApiResult {
    let (Some(year), Some(code)) = (f.year, f.household_id.clone()) else {
        return Err(c.err(AppError::invalid(
            "reveal",
            "",
            "reveal_one_household",
            "完整证件号码只能逐户查看：请同时给出 household 和 year",
            "full ID numbers are shown one household at a time: give household and year",
        )));
    };
    let (app, actor, reason) = (state.app.clone(), c.actor.clone(), reason.to_string());
    let card = run(c, move || {
        app.household_card(&actor, year, &code, Some(&reason))
    })
    .await;
    match card {
        Ok(card) => list(vec![household_json(&card)], 1),
        Err(e) if matches!(e.error, AppError::NotFound(_)) => list(Vec::<Value>::new(), 0),
        Err(e) => Err(e),
    }
}

/// `POST /imports/registry?file_name&skip_invalid&dry_run&encoding&ignore_unknown_columns`
/// with the raw file as the body: starts the import, answers 202 `{"job": ID}`.
pub async fn import_registry(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Q,
    body: Bytes,
) -> ApiResult {
    c.require(Action::ImportRegistry)?;
    let checked = options(&q, &c.lang).and_then(|o| Ok((o, file_name(&q, &c.lang)?)));
    let (opts, name) = match checked {
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
    Ok((
        StatusCode::ACCEPTED,
        [(axum::http::header::LOCATION, format!("/api/v1/jobs/{id}"))],
        Json(json!({ "job": id })),
    )
        .into_response())
}

/// `POST /imports/statistics?file_name&skip_invalid&dry_run` with the raw
/// file: imports at once (all or nothing, or the valid rows with
/// `skip_invalid`), answers `{"rows", "rejected", "errors", "dry_run"}`.
pub async fn import_statistics(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Q,
    body: Bytes,
) -> ApiResult {
    c.require(Action::ImportRegistry)?;
    let opts = options(&q, &c.lang)?;
    let name = file_name(&q, &c.lang)?;
    if body.is_empty() {
        return Err(c.err(empty_body()));
    }
    let (app, actor, lang) = (state.app.clone(), c.actor.clone(), c.lang.clone());
    let report = match run(&c, move || {
        app.import_statistics(&actor, &name, &body, opts)
    })
    .await
    {
        Ok(r) => r,
        Err(e) => return Ok(import_failure(e)),
    };
    let errors: Vec<ImportError> = report
        .errors
        .iter()
        .map(|e| ImportError::new(e, &lang))
        .collect();
    ok(
        json!({ "rows": report.rows, "rejected": report.rejected, "errors": errors, "dry_run": report.dry_run }),
    )
}

/// An import's error answer: the usual `{"error": {"code", "message",
/// "fields"}}`, but each of `fields` in the import shape of interfaces.md
/// (`row`, `column`, `value`, `code`, `message`, `message_en`).
fn import_failure(e: ApiError) -> axum::response::Response {
    let AppError::Invalid(errs) = &e.error else {
        return e.into_response();
    };
    let fields: Vec<ImportError> = errs.iter().map(|f| ImportError::new(f, &e.lang)).collect();
    let body = json!({ "error": { "code": e.error.code(), "message": e.error.message(&e.lang), "fields": fields } });
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

fn file_name(q: &HashMap<String, String>, lang: &str) -> Result<String, ApiError> {
    let name = qv(q, "file_name").unwrap_or("upload.csv");
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".xlsx") {
        Ok(name.to_string())
    } else {
        Err(ApiError {
            error: AppError::invalid(
                "file_name",
                name,
                "bad_file_type",
                "文件名应以 .csv 或 .xlsx 结尾",
                "the file name must end in .csv or .xlsx",
            ),
            lang: lang.to_string(),
        })
    }
}

fn options(q: &HashMap<String, String>, lang: &str) -> Result<ImportOptions, ApiError> {
    Ok(ImportOptions {
        skip_invalid: parsed(q, "skip_invalid", flag, lang)?.unwrap_or(false),
        dry_run: parsed(q, "dry_run", flag, lang)?.unwrap_or(false),
        ignore_unknown_columns: parsed(q, "ignore_unknown_columns", flag, lang)?.unwrap_or(false),
        encoding: parsed(q, "encoding", Encoding::parse, lang)?,
    })
}

/// `GET /jobs/{id}`: a job's state, with its percentage.
pub async fn job(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let j = run(&c, move || app.job(&actor, id)).await?;
    let percent = j.percent();
    let mut v = serde_json::to_value(&j).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("percent".into(), percent.into());
    }
    ok(v)
}

/// `GET /poverty-lines`: the national line per year in yuan.
pub async fn poverty_lines(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    let app = state.app.clone();
    let actor = c.actor.clone();
    let lines = run(&c, move || app.poverty_lines(&actor)).await?;
    let items: Vec<Value> = lines
        .iter()
        .map(|l| json!({ "year": l.year, "line_yuan": l.line_fen as f64 / 100.0, "line_fen": l.line_fen, "note": l.note }))
        .collect();
    let n = items.len() as i64;
    list(items, n)
}

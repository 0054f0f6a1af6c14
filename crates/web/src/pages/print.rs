//! The printed reports as pages: `/print/county/{code}`, `/print/unit/{id}`
//! and `/print/national`, each `?year=Y` (default this year) and
//! `?format=xlsx` for the workbook. Standalone documents without the app
//! frame; their stylesheet is `/assets/print.css`.

use super::{Query, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::print::{Links, Style, county_with, national_with, unit_with};
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use dingdian_app::AppError;
use dingdian_core::time;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/print.css", get(style))
        .route("/print/county/{code}", get(county))
        .route("/print/unit/{id}", get(unit))
        .route("/print/national", get(national))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        crate::print::PRINT_CSS,
    )
        .into_response()
}

/// The year asked for: this year when absent; a year that is not a
/// number is refused (422), never read as another.
fn year_of(query: &Query) -> Result<i32, PageError> {
    match q(query, "year") {
        None => Ok(time::today().year()),
        Some(y) => y.parse().map_err(|_| {
            PageError(AppError::invalid(
                "year",
                y.chars().take(8).collect::<String>(),
                "bad_year",
                "年度应为四位数字",
                "the year is four digits",
            ))
        }),
    }
}

fn links(path: &str, year: i32, back: &str) -> Links {
    Links {
        xlsx: Some(format!("{path}?year={year}&format=xlsx")),
        back: Some(back.to_string()),
    }
}

fn html(out: Result<String, String>) -> Response {
    match out {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!("{e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "页面渲染失败 / the page failed to render",
            )
                .into_response()
        }
    }
}

async fn county(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(code): Path<String>,
    Q(query): Q<Query>,
) -> Result<Response, PageError> {
    let year = year_of(&query)?;
    let (app, actor, today) = (state.app.clone(), pc.actor.clone(), time::today());
    if wants_xlsx(&query) {
        let bytes = blocking(move || app.export_county_profile(&actor, &code, year, today)).await?;
        return Ok(xlsx_response("county_profile", bytes));
    }
    let (c, lang) = (code.clone(), pc.lang.clone());
    let (p, map) = blocking(move || {
        let p = app.county_profile(&actor, &c, year, today)?;
        let map = app.report_map(&actor, Some(&c), year, &lang, today)?;
        Ok((p, map))
    })
    .await?;
    let path = format!("/print/county/{code}");
    let back = format!("/indicators?area={code}&year={year}");
    Ok(html(county_with(
        &state.templates,
        &p,
        Some(map),
        &pc.lang,
        Style::Linked,
        links(&path, year, &back),
    )))
}

async fn unit(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    Q(query): Q<Query>,
) -> Result<Response, PageError> {
    let year = year_of(&query)?;
    let (app, actor, today) = (state.app.clone(), pc.actor.clone(), time::today());
    if wants_xlsx(&query) {
        let bytes = blocking(move || app.export_unit_report(&actor, id, year, today)).await?;
        return Ok(xlsx_response("unit_report", bytes));
    }
    let r = blocking(move || app.unit_report(&actor, id, year, today)).await?;
    let path = format!("/print/unit/{id}");
    let back = format!("/units/{id}");
    Ok(html(unit_with(
        &state.templates,
        &r,
        &pc.lang,
        Style::Linked,
        links(&path, year, &back),
    )))
}

async fn national(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Result<Response, PageError> {
    let year = year_of(&query)?;
    let (app, actor, today) = (state.app.clone(), pc.actor.clone(), time::today());
    if wants_xlsx(&query) {
        let bytes = blocking(move || app.export_national_overview(&actor, year, today)).await?;
        return Ok(xlsx_response("national_overview", bytes));
    }
    let lang = pc.lang.clone();
    let (o, map) = blocking(move || {
        let o = app.national_overview(&actor, year, today)?;
        let map = app.report_map(&actor, None, year, &lang, today)?;
        Ok((o, map))
    })
    .await?;
    Ok(html(national_with(
        &state.templates,
        &o,
        Some(map),
        &pc.lang,
        Style::Linked,
        links("/print/national", year, "/overview"),
    )))
}

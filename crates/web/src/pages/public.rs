//! The public page (公开): `/public` (a year's published county figures:
//! search, paging, xlsx, a chart) and `/public/{county}` (a county's
//! published years), without sign-in and without the user menu; and the
//! office's `/publish`, where a year is published or published again.

use super::{Query, done, error_message, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::charts::{ValueBar, value_bars};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, address, blocking, guest_lang};
use crate::error::PageError;
use crate::format::{fen, thousands};
use crate::i18n::t;
use crate::print::poverty_texts;
use crate::render;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::public_aggregates::{PublicAggregate, PublishedFilter};
use dingdian_core::time;
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(list))
        .route("/public/{county}", get(county))
        .route("/publish", get(publish_page).post(publish))
}

const HEADERS: [&str; 12] = [
    "pub_col_county",
    "pub_col_year",
    "pr_col_poor",
    "pr_col_incidence",
    "pr_col_exited",
    "pr_col_return_rate",
    "pr_col_income",
    "pr_col_received",
    "pub_col_projects",
    "pr_col_cadres",
    "pub_col_units",
    "pub_col_monitored",
];

#[derive(Serialize)]
struct Row {
    href: Option<String>,
    cells: Vec<String>,
}

fn row(lang: &str, a: &PublicAggregate, link: bool) -> Row {
    let f = &a.figures;
    let monitored = match f.monitored_households {
        Some(n) => thousands(n),
        None => t(lang, "pub_fewer_than_5"),
    };
    let sep = if lang == "en" { ", " } else { "、" };
    Row {
        href: link.then(|| format!("/public/{}", a.county_code)),
        cells: [a.county_name.clone(), a.year.to_string()]
            .into_iter()
            .chain(poverty_texts(
                (f.poor_population, f.poverty_incidence),
                (f.exited_population, f.return_rate),
                f.rural_income_per_capita,
            ))
            .chain([
                fen(f.funds_received_fen),
                thousands(f.projects_completed),
                thousands(f.cadres_serving),
                f.paired_units.join(sep),
                monitored,
            ])
            .collect(),
    }
}

/// The poor population of the listed counties; the source line in the
/// words of the year's period.
fn chart(lang: &str, year: i32, items: &[PublicAggregate]) -> Option<String> {
    let bars: Vec<ValueBar> = items
        .iter()
        .map(|a| ValueBar {
            label: a.county_name.clone(),
            href: Some(format!("/public/{}", a.county_code)),
            value: a.figures.poor_population as f64,
            text: thousands(a.figures.poor_population as i64),
        })
        .collect();
    let source = dingdian_core::period::Period::of_year(year)
        .words(lang)
        .fill(&t(lang, "pr_source_registry"));
    let caption = format!("{source} · {}", time::today());
    (!bars.is_empty()).then(|| {
        value_bars(
            &t(lang, "pub_chart_poor"),
            &bars,
            &t(lang, "pr_unit_people"),
            &caption,
        )
    })
}

fn years_ctx(years: &[dingdian_app::public_aggregates::PublishedYear]) -> Vec<minijinja::Value> {
    years
        .iter()
        .map(
            |y| context! { year => y.year, counties => y.counties, published_at => y.published_at },
        )
        .collect()
}

async fn list(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = guest_lang(&parts);
    let query: Query = axum::extract::Query::<Query>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let app = state.app.clone();
    let years = match blocking(move || app.public_years()).await {
        Ok(y) => y,
        Err(e) => return PageError(e).into_response(),
    };
    let year = q(&query, "year")
        .and_then(|y| y.parse::<i32>().ok())
        .or(years.first().map(|y| y.year));
    let f = PublishedFilter {
        year: Some(year.unwrap_or(0)),
        county_code: None,
        q: q(&query, "q").map(|s| s.chars().take(50).collect()),
    };
    let app = state.app.clone();
    if wants_xlsx(&query) {
        let addr = address(&parts);
        return match blocking(move || app.export_public_aggregates(addr, &f)).await {
            Ok(bytes) => xlsx_response("public", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let page = page_of(&query);
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.public_aggregates(&f2, page)).await {
        Ok(out) => out,
        Err(e) => return PageError(e).into_response(),
    };
    let published_at = years
        .iter()
        .find(|y| Some(y.year) == year)
        .map(|y| y.published_at);
    let ctx = context! {
        lang,
        title => t(&lang, "pub_title"),
        years => years_ctx(&years),
        year,
        published_at,
        county => false,
        q => f.q.unwrap_or_default(),
        chart => chart(&lang, year.unwrap_or_default(), &items),
        headers => HEADERS.iter().map(|k| t(&lang, k)).collect::<Vec<_>>(),
        rows => items.iter().map(|a| row(&lang, a, true)).collect::<Vec<_>>(),
        list => list_nav("/public", &query, page, total, true),
    };
    // The words of the year shown (the office of 2016 was the 扶贫办).
    let ctx = minijinja::value::merge_maps([ctx, render::era(year, &lang)]);
    render::render(&state, StatusCode::OK, "public.html", ctx)
}

async fn county(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = guest_lang(&parts);
    let valid = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let f = PublishedFilter {
        county_code: Some(code.clone()),
        ..Default::default()
    };
    let app = state.app.clone();
    let page = dingdian_app::Page::all();
    let (items, total) = match blocking(move || app.public_aggregates(&f, page)).await {
        Ok(out) if valid && out.1 > 0 => out,
        Ok(_) => {
            return PageError(dingdian_app::AppError::not_found(
                "公开的县",
                "published county",
            ))
            .into_response();
        }
        Err(e) => return PageError(e).into_response(),
    };
    let name = items
        .first()
        .map(|a| a.county_name.clone())
        .unwrap_or_default();
    let ctx = context! {
        lang,
        title => format!("{name} · {}", t(&lang, "pub_title")),
        years => Vec::<minijinja::Value>::new(),
        year => None::<i32>,
        published_at => None::<i64>,
        county => true,
        q => "",
        chart => None::<String>,
        headers => HEADERS.iter().map(|k| t(&lang, k)).collect::<Vec<_>>(),
        rows => items.iter().map(|a| row(&lang, a, false)).collect::<Vec<_>>(),
        list => list_nav(&format!("/public/{code}"), &Query::new(), page, total, false),
    };
    render::render(&state, StatusCode::OK, "public.html", ctx)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PublishForm {
    year: String,
}

async fn publish_form(
    state: &AppState,
    pc: &PageCtx,
    year: String,
    error: Option<String>,
) -> Response {
    let app = state.app.clone();
    let years = blocking(move || app.public_years())
        .await
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ctx = context! { years => years_ctx(&years), year, error };
    let title = t(&pc.lang, "nav_publish");
    render::page_with_status(state, pc, status, "publish.html", &title, vec![], ctx).await
}

async fn publish_page(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc
        .actor
        .require(dingdian_core::role::Action::PublishAggregates)
    {
        return PageError(e).into_response();
    }
    let year = (chrono::Datelike::year(&time::today()) - 1).to_string();
    publish_form(&state, &pc, year, None).await
}

async fn publish(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let year_text: String = form.year.trim().chars().take(8).collect();
    let y = year_text.parse::<i32>().unwrap_or(0);
    match blocking(move || app.publish_aggregates(&actor, y, time::today())).await {
        Ok(_) => done("/publish", "published"),
        Err(e @ dingdian_app::AppError::Invalid(_)) => {
            let message = match &e {
                dingdian_app::AppError::Invalid(errs) => {
                    errs.first().map(|f| f.msg.text(&pc.lang).to_string())
                }
                _ => None,
            };
            let message = message.unwrap_or_else(|| error_message(&e, &pc.lang));
            publish_form(&state, &pc, year_text, Some(message)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

//! The county map (一张图): the form (figure, area, year, classes), the map
//! drawn on the server, its legend and the counties without data, the
//! completeness of the key-county lists, the xlsx of the values, and the
//! standalone SVG for printing or downloading.

use super::{Query, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::map::{MapQuery, MapView, format_value};
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::area::Level;
use dingdian_core::map::figure::Figure;
use dingdian_core::query::AreaFilter;
use minijinja::context;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/map", get(show))
        .route("/map.svg", get(svg))
}

/// The map's query from the page's query string. The level follows the
/// area's digits unless given; the app refuses what it does not know.
pub fn map_query(query: &Query, lang: &str) -> MapQuery {
    let text = |k: &str| q(query, k).map(|v| v.chars().take(100).collect::<String>());
    let area = text("area");
    let level = text("level").or_else(|| {
        Some(match area.as_deref().map(str::len) {
            Some(2) => "province".to_string(),
            Some(4) => "prefecture".to_string(),
            _ => "nation".to_string(),
        })
    });
    MapQuery {
        figure: text("figure"),
        level,
        area,
        // A year or k that is not a number is refused as out of range.
        year: q(query, "year").map(|y| y.parse::<i32>().unwrap_or(i32::MIN)),
        classes: text("classes"),
        k: q(query, "k").map(|k| k.parse::<usize>().unwrap_or(0)),
        breaks: text("breaks"),
        outline: text("outline").filter(|c| c.len() == 6),
        lang: lang.to_string(),
        unlinked: false,
    }
}

/// The map's own address with the same choices (`path` `/map` or `/map.svg`).
pub fn map_href(path: &str, m: &MapView, query: &Query, extra: &str) -> String {
    let mut parts = vec![
        format!("figure={}", m.figure.code()),
        format!("level={}", m.level.code()),
        format!("area={}", m.area.as_deref().unwrap_or("")),
        format!("year={}", m.year),
    ];
    for k in ["classes", "k", "breaks", "outline"] {
        if let Some(v) = q(query, k) {
            parts.push(format!("{k}={}", urlencoding::encode(v)));
        }
    }
    if !extra.is_empty() {
        parts.push(extra.to_string());
    }
    format!("{path}?{}", parts.join("&"))
}

/// The provinces, and the prefectures of the province chosen, for the
/// area picker: (code, label, indented).
fn area_choices(
    app: &App,
    actor: &Actor,
    area: Option<&str>,
) -> Result<Vec<(String, String, bool)>, AppError> {
    let list = |f: AreaFilter| app.list_areas(actor, &f, Page::all()).map(|(a, _)| a);
    let provinces = list(AreaFilter {
        level: Some(Level::Province),
        ..Default::default()
    })?;
    let province = area.filter(|a| a.len() >= 2).map(|a| a[..2].to_string());
    let prefectures = match &province {
        Some(p) => list(AreaFilter {
            level: Some(Level::Prefecture),
            province: Some(p.clone()),
            ..Default::default()
        })?,
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for p in provinces {
        let here = province.as_deref() == Some(p.code.as_str());
        out.push((p.code.clone(), p.name.clone(), false));
        if here {
            out.extend(
                prefectures
                    .iter()
                    .map(|f| (f.code.clone(), f.name.clone(), true)),
            );
        }
    }
    Ok(out)
}

fn legend(m: &MapView, lang: &str) -> Vec<minijinja::Value> {
    let unit = m.figure.unit(lang);
    m.legend
        .iter()
        .map(|c| {
            let label = match (c.low, c.high) {
                (None, Some(h)) => format!("≤ {}", format_value(h)),
                (Some(l), Some(h)) => format!("{} – {}", format_value(l), format_value(h)),
                (Some(l), None) => format!("> {}", format_value(l)),
                (None, None) => t(lang, "map_all_values"),
            };
            context! { fill => c.fill, label => format!("{label} {unit}"), count => c.count }
        })
        .collect()
}

fn page_context(
    m: &MapView,
    lang: &str,
    query: &Query,
    areas: Vec<(String, String, bool)>,
) -> minijinja::Value {
    let figures: Vec<(&str, String)> = Figure::ALL
        .iter()
        .map(|f| (f.code(), f.name(lang, m.year)))
        .collect();
    let lists: Vec<minijinja::Value> = m
        .lists
        .iter()
        .map(|l| {
            let name = if lang == "en" { &l.name_en } else { &l.name_zh };
            context! { name, partial => l.partial, members => l.members_in_view.len() }
        })
        .collect();
    let fixed = q(query, "breaks").is_some() || q(query, "classes") == Some("fixed");
    context! {
        svg => m.svg_bare.clone(),
        figure => m.figure.code(),
        figure_name => m.figure.name(lang, m.year),
        area => m.area.clone().unwrap_or_default(),
        area_name => m.area_name.clone(),
        year => m.year,
        years => (2010..=2035).rev().collect::<Vec<i32>>(),
        figures,
        areas,
        fixed,
        k => q(query, "k").unwrap_or("5"),
        breaks => q(query, "breaks").unwrap_or(""),
        legend => legend(m, lang),
        no_data => m.no_data.iter().map(|c| (c.code.clone(), c.name.clone())).collect::<Vec<_>>(),
        lists,
        export => map_href("/map", m, query, "format=xlsx"),
        svg_href => map_href("/map.svg", m, query, ""),
        dashboard => format!("/indicators?area={}&year={}", m.area.as_deref().unwrap_or(""), m.year),
    }
}

async fn show(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let lang = pc.lang.clone();
    let mq = map_query(&query, &lang);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    if wants_xlsx(&query) {
        return match blocking(move || app.export_county_map(&actor, &mq)).await {
            Ok(bytes) => xlsx_response("map", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let area = mq.area.clone();
    let got = blocking(move || {
        let m = app.county_map(&actor, &mq)?;
        let areas = area_choices(&app, &actor, area.as_deref())?;
        Ok((m, areas))
    })
    .await;
    let (m, areas) = match got {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let title = format!("{} · {}", t(&lang, "nav_map"), m.area_name);
    let ctx = page_context(&m, &lang, &query, areas);
    render::page(&state, &pc, "map.html", &title, Vec::new(), ctx).await
}

/// The standalone SVG (its legend inside), for printing or downloading.
async fn svg(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let mq = map_query(&query, &pc.lang);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.county_map(&actor, &mq)).await {
        Ok(m) => (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            m.svg,
        )
            .into_response(),
        Err(e) => PageError(e).into_response(),
    }
}

//! The households of an area and year, a page of them, or all as xlsx.

use super::{Row, cause_label, checked_area, names_of, registry_crumbs, row_of, status_label};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{Query, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::render;
use axum::extract::{Query as Q, State};
use axum::response::{IntoResponse, Response};
use dingdian_app::registry::HouseholdView;
use dingdian_app::tabular::Cell;
use dingdian_app::{Actor, AppError, Page};
use dingdian_core::query::{AreaFilter, HouseholdFilter};
use dingdian_core::registry::{ALL_STATUSES, PovertyStatus};
use dingdian_core::role::Action;
use minijinja::context;
use std::collections::HashMap;

struct Listing {
    items: Vec<HouseholdView>,
    total: i64,
    years: Vec<i32>,
    names: HashMap<String, String>,
    lineage: Vec<(String, String)>,
    children: Vec<(String, String)>,
}

/// What the registry page lists: the year shown (the one asked for, or
/// the newest) and its households, with the area's lineage and children.
fn listing(
    app: &dingdian_app::App,
    actor: &Actor,
    year_asked: Option<i32>,
    area: Option<String>,
    household: Option<String>,
    status: Option<PovertyStatus>,
    page: Page,
) -> Result<(Option<i32>, Listing), AppError> {
    let years = app.registry_years(actor)?;
    let year = year_asked.or_else(|| years.first().copied());
    let f = HouseholdFilter {
        year,
        area: area.clone(),
        household_id: household,
        status: status.map(|s| s.code()),
        ..Default::default()
    };
    let (items, total) = app.list_households(actor, &f, page)?;
    let names = names_of(
        app,
        actor,
        items.iter().map(|h| h.village_code.clone()).collect(),
    )?;
    let (lineage, children) = match &area {
        Some(a) => {
            let lineage = app.area_lineage(actor, a)?;
            let children = if a.len() < 12 {
                children_of(app, actor, a)?
            } else {
                Vec::new()
            };
            (lineage, children)
        }
        None => (Vec::new(), Vec::new()),
    };
    Ok((
        year,
        Listing {
            items,
            total,
            years,
            names,
            lineage,
            children,
        },
    ))
}

/// The areas one level below `area`, by their short names.
fn children_of(
    app: &dingdian_app::App,
    actor: &Actor,
    area: &str,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(app
        .list_areas(
            actor,
            &AreaFilter {
                parent: Some(area.to_string()),
                level: None,
                ..Default::default()
            },
            Page::all(),
        )?
        .0
        .into_iter()
        .map(|c| {
            let name = dingdian_core::area::short_area_name(&c.code, &c.name);
            (c.code, name)
        })
        .collect())
}

/// The listed households as an xlsx file named after the area.
async fn households_xlsx(
    state: &AppState,
    pc: &PageCtx,
    l: &Listing,
    area: Option<&str>,
) -> Response {
    let lang = pc.lang.as_str();
    let headers: Vec<String> = [
        "year",
        "reg_household",
        "village_code",
        "reg_village",
        "reg_members",
        "reg_income",
        "reg_status",
        "reg_identified_year",
        "reg_exit_year",
        "reg_cause",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let rows: Vec<Vec<Cell>> = l
        .items
        .iter()
        .map(|h| {
            vec![
                Cell::Int(h.year as i64),
                h.household_id.clone().into(),
                h.village_code.clone().into(),
                l.names.get(&h.village_code).cloned().into(),
                Cell::Int(h.members),
                Cell::Number(h.income_per_capita.round()),
                status_label(h.status, lang).into(),
                Cell::Int(h.identified_year as i64),
                h.exit_year.map(|y| y as i64).into(),
                cause_label(h.cause, lang).into(),
            ]
        })
        .collect();
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let export = dingdian_app::PageExport::Households;
    match blocking(move || app.export_page(&actor, export, &headers, &rows)).await {
        Ok(bytes) => xlsx_response(&format!("households-{}", area.unwrap_or("all")), bytes),
        Err(e) => PageError(e).into_response(),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    let area = match q(&query, "area") {
        Some(a) => match checked_area(a) {
            Ok(a) => Some(a),
            Err(e) => return PageError(e).into_response(),
        },
        None if !query.contains_key("area") => pc.actor.scope.county().map(str::to_string),
        None => None,
    };
    let year_asked = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let status = q(&query, "status").and_then(PovertyStatus::parse);
    let household = q(&query, "q").map(str::to_string);
    let xlsx = wants_xlsx(&query);
    let page = if xlsx { Page::all() } else { page_of(&query) };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let a2 = area.clone();
    let h2 = household.clone();
    let result = blocking(move || listing(&app, &actor, year_asked, a2, h2, status, page));
    let (year, l) = match result.await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    if xlsx {
        return households_xlsx(&state, &pc, &l, area.as_deref()).await;
    }
    let items: Vec<Row> = l.items.iter().map(|h| row_of(h, &l.names, lang)).collect();
    let y = year.map(|y| format!("&year={y}")).unwrap_or_default();
    let children: Vec<(String, String)> = l
        .children
        .into_iter()
        .map(|(code, name)| (format!("/registry?area={code}{y}"), name))
        .collect();
    let statuses: Vec<(&str, String)> = ALL_STATUSES
        .iter()
        .map(|s| (s.as_str(), status_label(*s, lang)))
        .collect();
    let mut nav_query = query.clone();
    if let Some(y) = year {
        nav_query.insert("year".into(), y.to_string());
    }
    if let Some(a) = &area {
        nav_query.insert("area".into(), a.clone());
    }
    let title = match l.lineage.last() {
        Some((code, name)) => format!(
            "{} · {}",
            t(lang, "nav_households"),
            dingdian_core::area::short_area_name(code, name)
        ),
        None => t(lang, "nav_households"),
    };
    let ctx = context! {
        items,
        children,
        statuses,
        years => l.years,
        area_name => l.lineage.last().map(|x| dingdian_core::area::short_area_name(&x.0, &x.1)),
        indicators_href => area.as_ref().filter(|_| pc.actor.role.may(Action::ReadIndicators)).map(|a| format!("/indicators?area={a}{y}")),
        can_import => pc.actor.role.may(Action::ImportRegistry),
        list => list_nav("/registry", &nav_query, page, l.total, true),
        f => context! {
            area => area.clone().unwrap_or_default(),
            year => year,
            q => household.unwrap_or_default(),
            status => status.map(|s| s.as_str()).unwrap_or(""),
        },
    };
    let crumbs = if l.lineage.is_empty() {
        vec![]
    } else {
        registry_crumbs(lang, &l.lineage, year)
    };
    render::page(&state, &pc, "registry.html", &title, crumbs, ctx).await
}

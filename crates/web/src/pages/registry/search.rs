//! Search by ID number, or by the head's name and/or the village's name.

use super::{Row, card_href, names_of, row_of, status_label};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::pages::{Query, field_errors, list_nav, page_of, q};
use crate::render;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dingdian_app::registry::HouseholdView;
use dingdian_app::{Actor, AppError, Page};
use dingdian_core::query::HouseholdFilter;
use dingdian_core::role::Action;
use minijinja::context;
use std::collections::HashMap;

/// The ID number's registrations, each with its household's own fields
/// (not its card: opening a card may disclose ID numbers, which a search
/// must not do by itself).
type IdFound = Vec<(i32, String, Option<HouseholdView>)>;

fn find_by_id(app: &dingdian_app::App, actor: &Actor, id: &str) -> Result<IdFound, AppError> {
    let mut out = Vec::new();
    for (year, household) in app.find_by_id_number(actor, id)? {
        let f = HouseholdFilter {
            year: Some(year),
            household_id: Some(household.clone()),
            ..Default::default()
        };
        let h = app
            .list_households(actor, &f, Page::new(Some(1), Some(1)))?
            .0
            .into_iter()
            .next();
        out.push((year, household, h));
    }
    Ok(out)
}

/// What a search by head's name or village finds, a page of it.
struct NameFound {
    items: Vec<HouseholdView>,
    total: i64,
    names: HashMap<String, String>,
}

fn find_by_name(
    app: &dingdian_app::App,
    actor: &Actor,
    (name, village, year): (&str, &str, Option<i32>),
    page: Page,
) -> Result<NameFound, AppError> {
    actor.require(Action::ReadRegistry)?;
    let mut f = HouseholdFilter {
        year,
        ..Default::default()
    };
    if !name.is_empty() {
        f.head_name_index = Some(app.head_name_filter(actor, name)?);
    }
    if !village.is_empty() {
        f.villages = Some(app.village_filter(actor, None, village)?);
    }
    let (items, total) = app.list_households(actor, &f, page)?;
    let names = names_of(
        app,
        actor,
        items.iter().map(|h| h.village_code.clone()).collect(),
    )?;
    Ok(NameFound {
        items,
        total,
        names,
    })
}

/// `/registry/search`: by ID number (`id_number`), or by the head's whole
/// name (`name`) and/or the village's name (`village`), within the scope.
/// The years and households an ID number is registered in, as the page
/// lists them.
fn id_results(found: IdFound, lang: &str) -> Vec<minijinja::Value> {
    found
        .into_iter()
        .map(|(year, household, c)| {
            context! {
                year,
                household => household.clone(),
                href => card_href(year, &household),
                status => c.as_ref().map(|h| h.status.as_str()),
                status_label => c.as_ref().map(|h| status_label(h.status, lang)),
                village_code => c.as_ref().map(|h| h.village_code.clone()),
            }
        })
        .collect()
}

pub(super) async fn search(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    let id = q(&query, "id_number").unwrap_or("").to_string();
    let name = q(&query, "name").unwrap_or("").to_string();
    let village = q(&query, "village").unwrap_or("").to_string();
    let year = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let (i2, n2, v2) = (id.clone(), name.clone(), village.clone());
    let result = blocking(move || {
        actor.require(Action::ReadRegistry)?;
        let by_id = match i2.is_empty() {
            true => None,
            false => Some(find_by_id(&app, &actor, &i2)?),
        };
        let by_name = match n2.is_empty() && v2.is_empty() {
            true => None,
            false => Some(find_by_name(&app, &actor, (&n2, &v2, year), page)?),
        };
        let years = app.registry_years(&actor)?;
        Ok((by_id, by_name, years))
    })
    .await;
    let lang = pc.lang.as_str();
    let (status, found, by_name, years, errors) = match result {
        Ok((f, n, y)) => (StatusCode::OK, f, n, y, HashMap::new()),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            None,
            Vec::new(),
            field_errors(&e, lang),
        ),
        Err(e) => return PageError(e).into_response(),
    };
    let results = found.map(|v| id_results(v, lang));
    let (households, list) = match by_name {
        Some(n) => (
            Some(
                n.items
                    .iter()
                    .map(|h| row_of(h, &n.names, lang))
                    .collect::<Vec<Row>>(),
            ),
            Some(list_nav("/registry/search", &query, page, n.total, false)),
        ),
        None => (None, None),
    };
    let title = t(lang, "household_search");
    let crumbs = vec![
        ("/registry".into(), t(lang, "nav_households")),
        (String::new(), title.clone()),
    ];
    let ctx = context! {
        id_number => id, name, village, year, years, results, households, list, errors,
    };
    render::page_with_status(
        &state,
        &pc,
        status,
        "registry_search.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

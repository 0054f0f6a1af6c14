//! Leader visits: the list (filters, search, paging, xlsx), the unit's
//! form for a new visit, and the pairings without a visit in a year.

use super::{Query, done, field_errors, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use dingdian_app::AppError;
use dingdian_core::leader_visit::{
    ALL_LEADER_LEVELS, LeaderLevel, LeaderVisit, LeaderVisitInput, VisitFilter,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::context;

const PATH: &str = "/leader-visits";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/leader-visits", get(list).post(create))
        .route("/leader-visits/new", get(new_form))
        .route("/leader-visits/missing", get(missing))
}

fn level_label(lang: &str, l: LeaderLevel) -> String {
    if lang == "en" { l.en() } else { l.zh() }.to_string()
}

fn levels(lang: &str) -> Vec<(&'static str, String)> {
    ALL_LEADER_LEVELS
        .iter()
        .map(|l| (l.as_str(), level_label(lang, *l)))
        .collect()
}

fn filter_of(query: &Query) -> VisitFilter {
    VisitFilter {
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(query, "county").map(str::to_string),
        level: q(query, "level").and_then(LeaderLevel::parse),
        year: q(query, "year").and_then(|v| v.parse().ok()),
        q: q(query, "q").map(str::to_string),
    }
}

const HEADERS: [&str; 8] = [
    "visit_date",
    "county",
    "unit",
    "leader_name",
    "leader_level",
    "visit_places",
    "visit_purpose",
    "visit_decisions",
];

fn row(lang: &str, v: LeaderVisit) -> Vec<String> {
    vec![
        v.date.to_string(),
        v.county_name,
        v.unit_name,
        v.leader_name,
        level_label(lang, v.leader_level),
        v.places,
        v.purpose,
        v.decisions,
    ]
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter_of(&query);
    let page = page_of(&query);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    if wants_xlsx(&query) {
        return match blocking(move || app.export_leader_visits(&actor, &f)).await {
            Ok(bytes) => xlsx_response("leader_visits", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) = match blocking(move || app.list_leader_visits(&actor, &f2, page)).await {
        Ok(out) => out,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        path => PATH,
        headers => HEADERS.iter().map(|k| t(lang, k)).collect::<Vec<_>>(),
        rows => items.into_iter().map(|v| row(lang, v)).collect::<Vec<_>>(),
        levels => levels(lang),
        can_write => pc.actor.role.may(Action::RecordLeaderVisits),
        list => list_nav(PATH, &query, page, total, true),
        f => context! {
            q => f.q.unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            level => f.level.map(LeaderLevel::as_str).unwrap_or_default(),
            year => f.year.map(|y| y.to_string()).unwrap_or_default(),
        },
    };
    let title = t(lang, "nav_leader_visits");
    render::page(&state, &pc, "leader_visits.html", &title, vec![], ctx).await
}

/// The form, empty or as sent with its errors.
async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    values: LeaderVisitInput,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let mut counties: Vec<(String, String)> =
        match blocking(move || app.paired_counties(&actor)).await {
            Ok(periods) => periods
                .into_iter()
                .map(|p| {
                    let label = format!("{} {}", p.county_name, p.county_code);
                    (p.county_code, label)
                })
                .collect(),
            Err(e) => return PageError(e).into_response(),
        };
    counties.dedup();
    let lang = pc.lang.as_str();
    let errors = error
        .as_ref()
        .map(|e| field_errors(e, lang))
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = t(lang, "new_leader_visit");
    let ctx = context! {
        action => PATH, counties, levels => levels(lang), values, errors,
        today => time::today().to_string(),
    };
    let crumbs = vec![
        (PATH.to_string(), t(lang, "nav_leader_visits")),
        (String::new(), title.clone()),
    ];
    render::page_with_status(
        state,
        pc,
        status,
        "leader_visit_form.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::RecordLeaderVisits) {
        return PageError(e).into_response();
    }
    form_page(&state, &pc, LeaderVisitInput::default(), None).await
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<LeaderVisitInput>,
) -> Response {
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    match blocking(move || app.create_leader_visit(&actor, &i, time::today())).await {
        Ok(_) => done(PATH, "created"),
        Err(e @ AppError::Invalid(_)) => form_page(&state, &pc, input, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

/// The pairings of a year (this year by default) and whether the unit's
/// leaders have visited, those not yet visited first.
async fn missing(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let today = time::today();
    let year = q(&query, "year")
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|y| (2000..=today.year()).contains(y))
        .unwrap_or(today.year());
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let mut all = match blocking(move || app.leader_visits_of_year(&actor, year, today)).await {
        Ok(all) => all,
        Err(e) => return PageError(e).into_response(),
    };
    all.sort_by_key(|p| p.visited);
    let visited = all.iter().filter(|p| p.visited).count();
    let lang = pc.lang.as_str();
    let ctx = context! {
        year, visited, total => all.len(), missing => all.len() - visited,
        pairings => all,
        years => (2000..=today.year()).rev().collect::<Vec<_>>(),
    };
    let title = t(lang, "nav_visits_missing");
    let crumbs = vec![
        (PATH.to_string(), t(lang, "nav_leader_visits")),
        (String::new(), title.clone()),
    ];
    render::page(
        &state,
        &pc,
        "leader_visits_missing.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

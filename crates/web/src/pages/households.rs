//! A household's assistance record beyond the card: the forms that assign
//! a helper, record a measure or a home visit (back to the card after),
//! and the county's two lists — households without a helper, helpers who
//! have not visited this quarter — with search, paging and xlsx.

use super::records::{Field, field, select};
use super::{Query, done, field_errors, list_nav, page_of, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::{Actor, App, AppError};
use dingdian_core::household_help::{
    ALL_HOUSEHOLD_MEASURES, HelpFilter, HelperInput, MeasureInput, Quarter, VisitInput,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::context;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/households/without-helper", get(without_helper))
        .route("/helpers/unvisited", get(unvisited))
        .route(
            "/households/{id}/helpers",
            get(
                |s: State<AppState>, pc: PageCtx, p: Path<String>, q: Q<Query>| {
                    form(s, pc, p, q, Kind::Helper)
                },
            )
            .post(assign_helper),
        )
        .route(
            "/households/{id}/measures",
            get(
                |s: State<AppState>, pc: PageCtx, p: Path<String>, q: Q<Query>| {
                    form(s, pc, p, q, Kind::Measure)
                },
            )
            .post(add_measure),
        )
        .route(
            "/households/{id}/visits",
            get(
                |s: State<AppState>, pc: PageCtx, p: Path<String>, q: Q<Query>| {
                    form(s, pc, p, q, Kind::Visit)
                },
            )
            .post(record_visit),
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Helper,
    Measure,
    Visit,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Helper => "helpers",
            Kind::Measure => "measures",
            Kind::Visit => "visits",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Helper => "assign_helper",
            Kind::Measure => "add_measure",
            Kind::Visit => "record_home_visit",
        }
    }
}

/// The card the form came from and returns to.
fn card_of(id: &str, query: &Query) -> String {
    match q(query, "year").and_then(|y| y.parse::<i32>().ok()) {
        Some(year) => super::registry::card_href(year, id),
        None => "/registry".to_string(),
    }
}

/// The form's fields, with the choices only the database knows: the
/// secondments a helper may be, the household's helpers a visit names.
fn fields_of(app: &App, actor: &Actor, id: &str, kind: Kind) -> dingdian_app::Result<Vec<Field>> {
    let lang = actor.lang.as_str();
    actor.require(match kind {
        Kind::Helper | Kind::Measure => Action::AssignHelpers,
        Kind::Visit => Action::RecordHomeVisits,
    })?;
    Ok(match kind {
        Kind::Helper => {
            let secondments: Vec<(String, String)> = app
                .county_secondments(actor)?
                .into_iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        format!("{}（{}，{}）", s.person_name, s.post, s.unit_name),
                    )
                })
                .collect();
            vec![
                Field {
                    required: false,
                    ..select("secondment_id", "seconded_cadre", secondments)
                },
                field("person_name", "local_official_name", "text", false),
                field("post", "post", "text", false),
                field("phone", "phone", "text", false),
                field("from_date", "start_date", "date", true),
                field("to_date", "end_date", "date", false),
            ]
        }
        Kind::Measure => {
            let categories = ALL_HOUSEHOLD_MEASURES
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_string(),
                        t(lang, &format!("measure_{}", c.as_str())),
                    )
                })
                .collect();
            vec![
                select("category", "measure_category", categories),
                field("description", "measure_description", "textarea", true),
                field("date", "record_date", "date", true),
            ]
        }
        Kind::Visit => {
            let helpers = app
                .household_assistance(actor, id, None)?
                .record
                .helpers
                .into_iter()
                .map(|h| (h.id.to_string(), format!("{} {}", h.person_name, h.post)))
                .collect();
            vec![
                select("helper_id", "helper", helpers),
                field("date", "visit_date", "date", true),
                field("found", "visit_found", "textarea", true),
                field("done", "visit_done", "textarea", true),
            ]
        }
    })
}

async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    (id, query, kind): (String, Query, Kind),
    values: serde_json::Value,
    error: Option<AppError>,
) -> Response {
    let (app, actor, id2) = (state.app.clone(), pc.actor.clone(), id.clone());
    let fields = match blocking(move || fields_of(&app, &actor, &id2, kind)).await {
        Ok(f) => f,
        Err(e) => return PageError(e).into_response(),
    };
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
    let card = card_of(&id, &query);
    let year = q(&query, "year")
        .map(|y| format!("?year={}", urlencoding::encode(y)))
        .unwrap_or_default();
    let title = t(lang, kind.title());
    let crumbs = vec![
        (card.clone(), format!("{} {id}", t(lang, "reg_household"))),
        (String::new(), title.clone()),
    ];
    let ctx = context! {
        action => format!("/households/{}/{}{year}", urlencoding::encode(&id), kind.path()),
        cancel => card, fields, values, errors,
    };
    render::page_with_status(state, pc, status, "record_form.html", &title, crumbs, ctx).await
}

async fn form(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
    Q(query): Q<Query>,
    kind: Kind,
) -> Response {
    let values = match kind {
        Kind::Helper => serde_json::json!(HelperInput::default()),
        Kind::Measure => serde_json::json!(MeasureInput::default()),
        Kind::Visit => serde_json::json!(VisitInput {
            date: time::today().to_string(),
            ..Default::default()
        }),
    };
    form_page(&state, &pc, (id, query, kind), values, None).await
}

/// The answer to a posted form: back to the card, or the form again.
async fn answered(
    state: &AppState,
    pc: &PageCtx,
    (id, query, kind): (String, Query, Kind),
    values: serde_json::Value,
    out: dingdian_app::Result<i64>,
) -> Response {
    match out {
        Ok(_) => done(&card_of(&id, &query), "created"),
        Err(e @ AppError::Invalid(_)) => {
            form_page(state, pc, (id, query, kind), values, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn assign_helper(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
    Q(query): Q<Query>,
    CsrfForm(input): CsrfForm<HelperInput>,
) -> Response {
    let input = HelperInput {
        household_id: id.clone(),
        ..input
    };
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.assign_helper(&actor, &i, time::today())).await;
    answered(
        &state,
        &pc,
        (id, query, Kind::Helper),
        serde_json::json!(input),
        out,
    )
    .await
}

async fn add_measure(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
    Q(query): Q<Query>,
    CsrfForm(input): CsrfForm<MeasureInput>,
) -> Response {
    let input = MeasureInput {
        household_id: id.clone(),
        ..input
    };
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.add_measure(&actor, &i, time::today())).await;
    answered(
        &state,
        &pc,
        (id, query, Kind::Measure),
        serde_json::json!(input),
        out,
    )
    .await
}

async fn record_visit(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
    Q(query): Q<Query>,
    CsrfForm(input): CsrfForm<VisitInput>,
) -> Response {
    let input = VisitInput {
        household_id: id.clone(),
        ..input
    };
    let (app, actor, i) = (state.app.clone(), pc.actor.clone(), input.clone());
    let out = blocking(move || app.record_home_visit(&actor, &i, time::today())).await;
    answered(
        &state,
        &pc,
        (id, query, Kind::Visit),
        serde_json::json!(input),
        out,
    )
    .await
}

fn filter_of(query: &Query) -> HelpFilter {
    HelpFilter {
        county_code: q(query, "county").map(str::to_string),
        q: q(query, "q").map(str::to_string),
    }
}

/// A list's row: where its first cell links, and its cells.
type LinkedRow = (String, Vec<String>);

/// A list page: its rows as cells with the first linking to the card.
async fn list_page(
    state: &AppState,
    pc: &PageCtx,
    (path, title, query): (&str, &str, Query),
    (headers, rows, total): (&[&str], Vec<LinkedRow>, i64),
    quarter: Option<String>,
) -> Response {
    let lang = pc.lang.as_str();
    let page = page_of(&query);
    let ctx = context! {
        path, rows, quarter,
        headers => headers.iter().map(|h| t(lang, h)).collect::<Vec<_>>(),
        list => list_nav(path, &query, page, total, true),
        f => context! { q => q(&query, "q").unwrap_or(""), county => q(&query, "county").unwrap_or("") },
    };
    let title = t(lang, title);
    render::page(state, pc, "help_list.html", &title, vec![], ctx).await
}

async fn without_helper(
    State(state): State<AppState>,
    pc: PageCtx,
    Q(query): Q<Query>,
) -> Response {
    let (f, page, today) = (filter_of(&query), page_of(&query), time::today());
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    if wants_xlsx(&query) {
        return match blocking(move || app.export_households_without_helper(&actor, &f, today)).await
        {
            Ok(bytes) => xlsx_response("without-helper", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let (items, total) =
        match blocking(move || app.households_without_helper(&actor, &f, today, page)).await {
            Ok(r) => r,
            Err(e) => return PageError(e).into_response(),
        };
    let rows = items
        .into_iter()
        .map(|h| {
            let href = super::registry::card_href(h.year, &h.household_id);
            (
                href,
                vec![
                    h.household_id,
                    dingdian_core::area::short_village_name(&h.village_name),
                    h.year.to_string(),
                ],
            )
        })
        .collect();
    let headers: &[&str] = &["household_id", "village", "year"];
    let at = ("/households/without-helper", "nav_without_helper", query);
    list_page(&state, &pc, at, (headers, rows, total), None).await
}

async fn unvisited(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let quarter = q(&query, "quarter")
        .and_then(Quarter::parse)
        .unwrap_or_else(|| Quarter::of(time::today()));
    let (f, page) = (filter_of(&query), page_of(&query));
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    if wants_xlsx(&query) {
        return match blocking(move || app.export_unvisited_helpers(&actor, &f, quarter)).await {
            Ok(bytes) => xlsx_response("unvisited", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let (items, total) =
        match blocking(move || app.unvisited_helpers(&actor, &f, quarter, page)).await {
            Ok(r) => r,
            Err(e) => return PageError(e).into_response(),
        };
    // The card's year is not known here: the registry's household search
    // finds the household by its id.
    let rows = items
        .into_iter()
        .map(|h| {
            let href = format!("/registry?q={}", urlencoding::encode(&h.household_id));
            let last = h
                .last_visit
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into());
            (
                href,
                vec![
                    h.household_id,
                    h.person_name,
                    h.post,
                    h.phone.unwrap_or_default(),
                    last,
                ],
            )
        })
        .collect();
    let headers: &[&str] = &["household_id", "helper", "post", "phone", "last_visit"];
    let at = ("/helpers/unvisited", "nav_unvisited", query);
    list_page(
        &state,
        &pc,
        at,
        (headers, rows, total),
        Some(quarter.to_string()),
    )
    .await
}

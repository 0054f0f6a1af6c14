//! Inspections and rectification: the list of inspections with export,
//! the form (findings and their items in one form: a fixed number of rows),
//! one inspection, the 6–12-month view; the rectification items (mine, by
//! status, overdue in red) with the chart of overdue items by unit, and
//! one item with the buttons its reader may press.

use super::assistance::{Form, complete, fv};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_core::inspection::{
    FindingInput, Inspection, InspectionFilter, InspectionInput, Rectification,
    RectificationFilter, RectificationInput, RectificationStatus,
};
use dingdian_core::role::{Action, Scope};
use dingdian_core::secondment::AccountChoice;
use dingdian_core::time;
use minijinja::{Value, context};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list).post(create))
        .route("/inspections/new", get(new_form))
        .route("/inspections/frequency", get(frequency))
        .route("/inspections/{id}", get(show))
        .route("/rectifications", get(items))
        .route("/rectifications/{id}", get(item))
        .route("/rectifications/{id}/transition", post(transition))
}

/// Findings the form offers, and items per finding; more are added by
/// recording a further inspection of the same visit.
const FINDING_ROWS: usize = 4;
const ITEM_ROWS: usize = 3;

fn status_text(s: RectificationStatus, lang: &str) -> &'static str {
    if lang == "en" { s.en() } else { s.zh() }
}

fn item_row(r: &Rectification, lang: &str) -> Value {
    context! { r => r, status_text => status_text(r.status, lang) }
}

fn inspection_row(i: &Inspection, lang: &str) -> Value {
    context! {
        i => i,
        by_text => if lang == "en" { i.inspected_by.en() } else { i.inspected_by.zh() },
        findings => i.findings.iter().map(|f| context! {
            f => f,
            items => f.items.iter().map(|r| item_row(r, lang)).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
    }
}

fn crumb(lang: &str) -> (String, String) {
    ("/inspections".into(), t(lang, "nav_inspections"))
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = InspectionFilter {
        unit_id: q(&query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(&query, "county").map(str::to_string),
        year: q(&query, "year").and_then(|v| v.parse().ok()),
        q: q(&query, "q").map(str::to_string),
    };
    let (app, actor, page, today) = (
        state.app.clone(),
        pc.actor.clone(),
        page_of(&query),
        time::today(),
    );
    if wants_xlsx(&query) {
        return match blocking(move || app.export_inspections(&actor, &f, today)).await {
            Ok(bytes) => xlsx_response("inspections", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let (items, total) =
        match blocking(move || app.list_inspections(&actor, &f2, page, today)).await {
            Ok(r) => r,
            Err(e) => return PageError(e).into_response(),
        };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|i| inspection_row(i, lang)).collect::<Vec<_>>(),
        list => list_nav("/inspections", &query, page, total, true),
        may_create => pc.actor.role.may(Action::RecordInspections),
        f => context! {
            q => f.q.unwrap_or_default(),
            unit => f.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            year => f.year.map(|y| y.to_string()).unwrap_or_default(),
        },
    };
    let title = t(lang, "nav_inspections");
    render::page(&state, &pc, "inspections.html", &title, vec![], ctx).await
}

fn counties_of(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The inspected unit: the actor's own, or the one the form names.
fn unit_of(pc: &PageCtx, form: &Form) -> Option<i64> {
    match pc.actor.scope {
        Scope::Unit(u) => Some(u),
        _ => fv(form, "unit_id").parse().ok(),
    }
}

fn input_of(pc: &PageCtx, form: &Form) -> InspectionInput {
    let findings = (0..FINDING_ROWS)
        .map(|i| {
            let g = |k: &str| fv(form, &format!("f{i}_{k}")).to_string();
            let items = (0..ITEM_ROWS)
                .map(|k| RectificationInput {
                    action: g(&format!("a{k}_action")),
                    owner: g(&format!("a{k}_owner")),
                    deadline: g(&format!("a{k}_deadline")),
                })
                .filter(|r| !(r.action.is_empty() && r.owner.is_empty() && r.deadline.is_empty()))
                .collect();
            FindingInput {
                county_code: g("county"),
                text: g("text"),
                items,
            }
        })
        .filter(|f| !(f.text.is_empty() && f.items.is_empty()))
        .collect();
    InspectionInput {
        unit_id: unit_of(pc, form),
        date: fv(form, "date").into(),
        team: fv(form, "team").into(),
        summary: fv(form, "summary").into(),
        counties: counties_of(fv(form, "counties")),
        findings,
    }
}

/// The accounts the items may go to: the pairings' of the counties named.
async fn owners(state: &AppState, pc: &PageCtx, form: &Form) -> Vec<AccountChoice> {
    let Some(unit) = unit_of(pc, form) else {
        return Vec::new();
    };
    let counties = counties_of(fv(form, "counties"));
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    blocking(move || {
        let mut all: Vec<AccountChoice> = Vec::new();
        for c in counties {
            for o in app.inspection_owners(&actor, unit, &c).unwrap_or_default() {
                if !all.iter().any(|a| a.id == o.id) {
                    all.push(o);
                }
            }
        }
        Ok::<_, AppError>(all)
    })
    .await
    .unwrap_or_default()
}

async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let lang = pc.lang.as_str();
    let title = t(lang, "in_new");
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let owners = owners(state, pc, &form).await;
    let rows: Vec<String> = ["f{}_county", "f{}_text"]
        .iter()
        .map(|s| s.to_string())
        .chain(
            (0..ITEM_ROWS)
                .flat_map(|k| ["action", "owner", "deadline"].map(|x| format!("f{{}}_a{k}_{x}"))),
        )
        .collect();
    let row_refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let ctx = context! {
        title => title.clone(),
        office => matches!(pc.actor.scope, Scope::All),
        owners,
        findings => (0..FINDING_ROWS).collect::<Vec<_>>(),
        item_rows => (0..ITEM_ROWS).collect::<Vec<_>>(),
        today => time::today().to_string(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
        form => complete(form, &["unit_id", "date", "team", "summary", "counties"], FINDING_ROWS, &row_refs),
    };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "inspection_form.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

/// The form; `unit` and `counties` in the address choose the owners offered.
async fn new_form(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if let Err(e) = pc.actor.require(Action::RecordInspections) {
        return PageError(e).into_response();
    }
    let mut form = Form::new();
    form.insert("unit_id".into(), q(&query, "unit").unwrap_or("").into());
    form.insert(
        "counties".into(),
        q(&query, "counties").unwrap_or("").into(),
    );
    form_page(&state, &pc, form, None).await
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let input = input_of(&pc, &form);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.create_inspection(&actor, &input)).await {
        Ok(id) => done(&format!("/inspections/{id}"), "created"),
        Err(e @ AppError::Invalid(_)) => form_page(&state, &pc, form, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let i = match blocking(move || app.get_inspection(&actor, id, time::today())).await {
        Ok(i) => i,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let title = format!("{} {}", i.unit_name, i.date);
    let ctx = context! { d => inspection_row(&i, lang) };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page(&state, &pc, "inspection.html", &title, crumbs, ctx).await
}

async fn frequency(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (app, actor, today) = (state.app.clone(), pc.actor.clone(), time::today());
    let items = match blocking(move || app.inspection_frequency(&actor, today)).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let title = t(lang, "in_frequency");
    let ctx = context! { items, today => today.to_string() };
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page(
        &state,
        &pc,
        "inspection_frequency.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

/// Overdue items today by unit, most first.
fn overdue_chart(rows: &[(String, i64)], lang: &str) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let bars: Vec<ValueBar> = rows
        .iter()
        .map(|(name, n)| ValueBar {
            label: name.clone(),
            href: None,
            value: *n as f64,
            text: n.to_string(),
        })
        .collect();
    let caption = format!("{} {}", t(lang, "dc_as_of"), time::today());
    Some(charts::value_bars(
        &t(lang, "chart_overdue_by_unit"),
        &bars,
        &t(lang, "axis_items"),
        &caption,
    ))
}

fn item_filter(query: &Query, me: Option<i64>) -> RectificationFilter {
    RectificationFilter {
        status: q(query, "status").and_then(RectificationStatus::from_code),
        overdue_on: q(query, "overdue").is_some().then(time::today),
        owner: match q(query, "owner") {
            Some("me") => Some(me.unwrap_or(0)),
            Some(id) => id.parse().ok(),
            None => None,
        },
        unit_id: q(query, "unit").and_then(|v| v.parse().ok()),
        county_code: q(query, "county").map(str::to_string),
        q: q(query, "q").map(str::to_string),
    }
}

async fn items(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = item_filter(&query, pc.actor.user_id);
    let (app, actor, page, today) = (
        state.app.clone(),
        pc.actor.clone(),
        page_of(&query),
        time::today(),
    );
    if wants_xlsx(&query) {
        return match blocking(move || app.export_rectifications(&actor, &f, today)).await {
            Ok(bytes) => xlsx_response("rectifications", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let r = blocking(move || {
        let chart = app.overdue_by_unit(&actor, today)?;
        Ok::<_, AppError>((app.list_rectifications(&actor, &f2, page, today)?, chart))
    })
    .await;
    let ((items, total), chart) = match r {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let ctx = context! {
        items => items.iter().map(|r| item_row(r, lang)).collect::<Vec<_>>(),
        statuses => RectificationStatus::ALL.iter().map(|s| context! { code => s.code(), text => status_text(*s, lang) }).collect::<Vec<_>>(),
        list => list_nav("/rectifications", &query, page, total, true),
        chart => overdue_chart(&chart, lang),
        f => context! {
            q => f.q.unwrap_or_default(),
            status => f.status.map(|s| s.code()).unwrap_or(""),
            mine => q(&query, "owner") == Some("me"),
            overdue => f.overdue_on.is_some(),
        },
    };
    let title = t(lang, "nav_rectifications");
    render::page(&state, &pc, "rectifications.html", &title, vec![], ctx).await
}

async fn item_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let v = match blocking(move || app.get_rectification(&actor, id, time::today())).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        d => context! {
            r => item_row(&v.item, lang),
            transitions => v.transitions.iter().map(|h| context! {
                from => h.from.map(|s| status_text(s, lang)),
                to => status_text(h.to, lang),
                display_name => h.display_name.clone(),
                at => h.at,
                note => h.reason.clone(),
            }).collect::<Vec<_>>(),
            buttons => v.steps.iter().map(|s| context! {
                to => s.to.code(),
                text => t(lang, &format!("rc_do_{}_{}", s.from.code(), s.to.code())),
                needs_note => s.needs_note,
            }).collect::<Vec<_>>(),
        },
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = format!("{} #{}", t(lang, "rc_item"), v.item.id);
    let crumbs = vec![
        ("/rectifications".into(), t(lang, "nav_rectifications")),
        (String::new(), title.clone()),
    ];
    render::page_with_status(state, pc, status, "rectification.html", &title, crumbs, ctx).await
}

async fn item(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    item_page(&state, &pc, id, None).await
}

async fn transition(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let (to, note) = (fv(&form, "to").to_string(), fv(&form, "note").to_string());
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.transition_rectification(&actor, id, &to, Some(&note))).await {
        Ok(_) => done(&format!("/rectifications/{id}"), "saved"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            item_page(&state, &pc, id, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

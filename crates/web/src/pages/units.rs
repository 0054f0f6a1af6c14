//! Assisting units: list, search, export, create, edit, import.

use super::{
    Query, done, error_message, error_rows, field_errors, list_nav, page_of, q, wants_xlsx,
    xlsx_response,
};
use crate::AppState;
use crate::csrf::{CsrfForm, CsrfUpload};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::tabular::{self, Encoding};
use dingdian_app::units::UNIT_COLUMNS;
use dingdian_app::{AppError, Page};
use dingdian_core::query::{PairingFilter, UnitFilter};
use dingdian_core::role::{Action, Role};
use dingdian_core::unit::{ALL_UNIT_KINDS, UnitInput, UnitKind, may_edit_unit};
use minijinja::context;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(list).post(create))
        .route("/units/new", get(new_form))
        .route("/units/import", get(import_form).post(import))
        .route("/units/template.xlsx", get(template))
        .route("/units/{id}", get(show).post(update))
        .route("/units/{id}/edit", get(edit_form))
}

fn kinds() -> Vec<&'static str> {
    ALL_UNIT_KINDS.iter().map(|k| k.as_str()).collect()
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = UnitFilter {
        q: q(&query, "q").map(str::to_string),
        kind: q(&query, "kind").and_then(UnitKind::parse),
    };
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    if wants_xlsx(&query) {
        return match blocking(move || app.export_units(&actor, &f)).await {
            Ok(bytes) => xlsx_response("units", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    match blocking(move || app.list_units(&actor, &f2, page)).await {
        Ok((items, total)) => {
            let ctx = context! {
                items,
                kinds => kinds(),
                can_create => pc.actor.role.may(Action::CreateUnits),
                list => list_nav("/units", &query, page, total, true),
                f => context! { q => f.q.unwrap_or_default(), kind => f.kind.map(|k| k.as_str()).unwrap_or("") },
            };
            render::page(
                &state,
                &pc,
                "units.html",
                &t(&pc.lang, "nav_units"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || {
        let unit = app.get_unit(&actor, id)?;
        let pairings = if actor.role.may(Action::ReadPlans) {
            let f = PairingFilter {
                unit_id: Some(id),
                plan_statuses: vec![dingdian_core::plan::PairingPlanStatus::Active],
                ..Default::default()
            };
            Some(app.list_pairings(&actor, &f, Page::all())?.0)
        } else {
            None
        };
        Ok((unit, pairings))
    })
    .await;
    match result {
        Ok((unit, pairings)) => {
            let can_edit = may_edit_unit(pc.actor.role, &pc.actor.scope, unit.id);
            // Who may read the unit's annual report (the app decides; this only offers the link).
            let can_print = matches!(
                pc.actor.role,
                Role::Office | Role::Reviewer | Role::Inspector | Role::Unit
            );
            let title = unit.name.clone();
            let crumbs = vec![
                ("/units".into(), t(&pc.lang, "nav_units")),
                (String::new(), title.clone()),
            ];
            render::page(
                &state,
                &pc,
                "unit.html",
                &title,
                crumbs,
                context! { unit, pairings, can_edit, can_print },
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

fn form_of(u: &UnitInput) -> minijinja::Value {
    minijinja::Value::from_serialize(u)
}

/// The unit form: a new unit (`editing` none) or an existing one.
async fn form_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    editing: Option<i64>,
    input: &UnitInput,
    error: Option<AppError>,
) -> Response {
    let (title, action, cancel) = match editing {
        Some(id) => (
            t(&pc.lang, "edit_unit"),
            format!("/units/{id}"),
            format!("/units/{id}"),
        ),
        None => (
            t(&pc.lang, "new_unit"),
            "/units".to_string(),
            "/units".to_string(),
        ),
    };
    let errors = error
        .as_ref()
        .map(|e| field_errors(e, &pc.lang))
        .unwrap_or_default();
    let ctx = context! { action, cancel, form => form_of(input), errors, kinds => kinds() };
    let crumbs = vec![
        ("/units".into(), t(&pc.lang, "nav_units")),
        (String::new(), title.clone()),
    ];
    render::page_with_status(state, pc, status, "unit_form.html", &title, crumbs, ctx).await
}

async fn new_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::CreateUnits) {
        return PageError(e).into_response();
    }
    form_page(
        &state,
        &pc,
        StatusCode::OK,
        None,
        &UnitInput::default(),
        None,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(input): CsrfForm<UnitInput>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let i2 = input.clone();
    match blocking(move || app.create_unit(&actor, &i2)).await {
        Ok(id) => done(&format!("/units/{id}"), "created"),
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &input,
                Some(e),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn edit_form(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || {
        actor.require(Action::EditUnits)?;
        app.get_unit(&actor, id)
    })
    .await
    {
        Ok(u) => {
            let input = UnitInput {
                name: u.name,
                kind: u.kind.as_str().into(),
                leader: u.leader.unwrap_or_default(),
                department: u.department.unwrap_or_default(),
                contact_name: u.contact_name.unwrap_or_default(),
                contact_phone: u.contact_phone.unwrap_or_default(),
                contact_email: u.contact_email.unwrap_or_default(),
                address: u.address.unwrap_or_default(),
                note: u.note.unwrap_or_default(),
            };
            form_page(&state, &pc, StatusCode::OK, Some(id), &input, None).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn update(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(input): CsrfForm<UnitInput>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let i2 = input.clone();
    match blocking(move || app.update_unit(&actor, id, &i2)).await {
        Ok(()) => done(&format!("/units/{id}"), "saved"),
        Err(e @ AppError::Invalid(_)) => {
            form_page(
                &state,
                &pc,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                &input,
                Some(e),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn import_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    error: Option<AppError>,
) -> Response {
    let ctx = context! {
        error => error.as_ref().map(|e| error_message(e, &pc.lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, &pc.lang)).unwrap_or_default(),
    };
    let crumbs = vec![
        ("/units".into(), t(&pc.lang, "nav_units")),
        (String::new(), t(&pc.lang, "import_units")),
    ];
    render::page_with_status(
        state,
        pc,
        status,
        "unit_import.html",
        &t(&pc.lang, "import_units"),
        crumbs,
        ctx,
    )
    .await
}

async fn import_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::CreateUnits) {
        return PageError(e).into_response();
    }
    import_page(&state, &pc, StatusCode::OK, None).await
}

async fn import(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfUpload(up): CsrfUpload,
) -> Response {
    let up = match up {
        Ok(u) => u,
        Err(e) => return import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await,
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.import_units(&actor, &up.file_name, &up.bytes, Encoding::Auto)).await
    {
        Ok(_) => done("/units", "imported"),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

/// For signed-in users only (the `PageCtx`).
async fn template(_: PageCtx) -> Response {
    let headers: Vec<String> = UNIT_COLUMNS.iter().map(|c| c.zh.to_string()).collect();
    let example = vec![vec![
        "中共中央组织部".into(),
        "中央党政机关".into(),
        "".into(),
        "组织二局".into(),
        "".into(),
        "010-68300000".into(),
        "".into(),
        "".into(),
        "".into(),
    ]];
    match tabular::write_xlsx("units", &headers, &example) {
        Ok(bytes) => xlsx_response("units-template", bytes),
        Err(e) => PageError(e).into_response(),
    }
}

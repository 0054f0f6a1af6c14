//! Administration: accounts (admin, security) and the audit log (auditor).

use super::{
    Query, done, error_page, field, field_errors, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Form, Query as Q, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use dingdian_app::AppError;
use dingdian_app::auth::NewUserInput;
use dingdian_core::role::ALL_ROLES;
use minijinja::context;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(users).post(create_user))
        .route("/audit", get(audit))
}

async fn users_page(
    state: &AppState,
    pc: &PageCtx,
    query: &Query,
    status: StatusCode,
    form: HashMap<String, String>,
    error: Option<AppError>,
) -> Response {
    let page = page_of(query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let search = q(query, "q").map(str::to_string);
    let s2 = search.clone();
    match blocking(move || app.list_users(&actor, s2.as_deref(), page)).await {
        Ok((items, total)) => {
            let ctx = context! {
                items,
                roles => ALL_ROLES.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                list => list_nav("/users", query, page, total, true),
                f => context! { q => search.unwrap_or_default() },
                form,
                errors => error.as_ref().map(|e| field_errors(e, &pc.lang)).unwrap_or_default(),
            };
            render::page_with_status(
                state,
                pc,
                status,
                "users.html",
                &t(&pc.lang, "nav_users"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => error_page(state, pc, e).await,
    }
}

async fn users(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if wants_xlsx(&query) {
        let (app, actor, search) = (
            state.app.clone(),
            pc.actor.clone(),
            q(&query, "q").map(str::to_string),
        );
        return match blocking(move || app.export_users(&actor, search.as_deref())).await {
            Ok(bytes) => xlsx_response("users", bytes),
            Err(e) => error_page(&state, &pc, e).await,
        };
    }
    users_page(&state, &pc, &query, StatusCode::OK, HashMap::new(), None).await
}

async fn create_user(
    State(state): State<AppState>,
    pc: PageCtx,
    Form(mut form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = pc.check_csrf(field(&form, "_csrf")) {
        return error_page(&state, &pc, e).await;
    }
    let input = NewUserInput {
        username: field(&form, "username").into(),
        display_name: field(&form, "display_name").into(),
        role: field(&form, "role").into(),
        unit_id: field(&form, "unit_id").trim().parse().ok(),
        county_code: Some(field(&form, "county_code").trim().to_string()).filter(|c| !c.is_empty()),
        password: field(&form, "password").into(),
    };
    // A password is never sent back into the page.
    form.remove("password");
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.create_user(&actor, &input)).await {
        Ok(_) => done("/users", "created"),
        Err(e @ AppError::Invalid(_)) => {
            users_page(
                &state,
                &pc,
                &Query::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Some(e),
            )
            .await
        }
        Err(e) => error_page(&state, &pc, e).await,
    }
}

async fn audit(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if wants_xlsx(&query) {
        let (app, actor, search) = (
            state.app.clone(),
            pc.actor.clone(),
            q(&query, "q").map(str::to_string),
        );
        return match blocking(move || app.export_audit(&actor, search.as_deref())).await {
            Ok(bytes) => xlsx_response("audit", bytes),
            Err(e) => error_page(&state, &pc, e).await,
        };
    }
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let search = q(&query, "q").map(str::to_string);
    let s2 = search.clone();
    match blocking(move || app.list_audit(&actor, s2.as_deref(), page)).await {
        Ok((items, total)) => {
            let items: Vec<_> = items
                .into_iter()
                .map(|r| context! { id => r.id, at => r.at, username => r.username, address => r.address, action => r.action, object_type => r.object_type, object_id => r.object_id, outcome => r.outcome, detail => r.detail })
                .collect();
            let ctx = context! { items, list => list_nav("/audit", &query, page, total, true), f => context! { q => search.unwrap_or_default() } };
            render::page(
                &state,
                &pc,
                "audit.html",
                &t(&pc.lang, "nav_audit"),
                vec![],
                ctx,
            )
            .await
        }
        Err(e) => error_page(&state, &pc, e).await,
    }
}

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
use dingdian_core::time;
use dingdian_store::audit::AuditFilter;
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

/// The auditor's search from a query string (the page and the API): text,
/// account, action, outcome and a range of Beijing dates (`from`, `to`,
/// both inclusive). A date that is not one is named in the error.
pub(crate) fn audit_filter(query: &Query) -> Result<AuditFilter, AppError> {
    let date = |key: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        match q(query, key) {
            None => Ok(None),
            Some(v) => time::parse_date(v).map(Some).ok_or_else(|| {
                AppError::invalid(
                    key,
                    v,
                    "bad_date",
                    "日期应为 YYYY-MM-DD",
                    "a date must be YYYY-MM-DD",
                )
            }),
        }
    };
    let outcome = q(query, "outcome").map(str::to_string);
    if let Some(o) = outcome.as_deref()
        && !OUTCOMES.contains(&o)
    {
        return Err(AppError::invalid(
            "outcome",
            o,
            "bad_outcome",
            "结果应为 success、failure 或 refused",
            "the outcome must be success, failure or refused",
        ));
    }
    Ok(AuditFilter {
        q: q(query, "q").map(str::to_string),
        username: q(query, "username").map(str::to_string),
        action: q(query, "action").map(str::to_string),
        outcome,
        from: date("from")?.map(|d| time::day_bounds(d).0),
        until: date("to")?.map(|d| time::day_bounds(d).1),
    })
}

const OUTCOMES: [&str; 3] = ["success", "failure", "refused"];

async fn audit(State(state): State<AppState>, pc: PageCtx, Q(mut query): Q<Query>) -> Response {
    let filter = match audit_filter(&query) {
        Ok(f) => f,
        Err(e) => return error_page(&state, &pc, e).await,
    };
    if wants_xlsx(&query) {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        return match blocking(move || app.export_audit(&actor, &filter)).await {
            Ok(bytes) => xlsx_response("audit", bytes),
            Err(e) => error_page(&state, &pc, e).await,
        };
    }
    // Verifying walks the whole log: only when asked, and not again on
    // every page or export link.
    let verify = query.remove("verify").is_some();
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let f2 = filter.clone();
    let found = blocking(move || -> Result<_, AppError> {
        let list = app.search_audit(&actor, &f2, page)?;
        let chain = if verify {
            Some(app.verify_audit(&actor)?)
        } else {
            None
        };
        Ok((list, chain))
    })
    .await;
    match found {
        Ok(((items, total), chain)) => {
            let items: Vec<_> = items
                .into_iter()
                .map(|r| context! { id => r.id, at => r.at, username => r.username, address => r.address, action => r.action, object_type => r.object_type, object_id => r.object_id, outcome => r.outcome, detail => r.detail, hash => r.hash })
                .collect();
            let chain = chain.map(|c| {
                let head = c.head.clone();
                match &c.broken {
                    None => context! { intact => true, checked => c.checked, head_id => head.as_ref().map(|h| h.0), head_hash => head.map(|h| h.1) },
                    Some(b) => context! { intact => false, checked => c.checked, id => b.id, at => b.at, action => b.action.clone(), message => b.msg().text(&pc.lang).to_string() },
                }
            });
            let f = context! {
                q => q(&query, "q").unwrap_or(""),
                username => q(&query, "username").unwrap_or(""),
                action => q(&query, "action").unwrap_or(""),
                outcome => q(&query, "outcome").unwrap_or(""),
                from => q(&query, "from").unwrap_or(""),
                to => q(&query, "to").unwrap_or(""),
            };
            let ctx = context! { items, chain, outcomes => OUTCOMES, list => list_nav("/audit", &query, page, total, true), f };
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

//! Administration under separated duties: accounts (the administrator
//! creates, deactivates, unlocks and resets; the security administrator
//! assigns roles and scopes) and the audit log (the auditor).

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
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_app::accounts::RoleInput;
use dingdian_app::auth::NewUserInput;
use dingdian_core::query::AuditFilter;
use dingdian_core::role::{ALL_ROLES, Action};
use dingdian_core::time;
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user))
        .route("/users/{id}/role", post(assign_role))
        .route("/users/{id}/active", post(set_active))
        .route("/users/{id}/unlock", post(unlock))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/second-factor", post(reset_second_factor))
        .route("/audit", get(audit))
}

/// The new-account form. A password is never sent back into the page.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    #[serde(skip_serializing)]
    password: String,
}

/// The forms on an account's page. A password is never sent back into
/// the page.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
struct AccountForm {
    role: String,
    unit_id: String,
    county_code: String,
    active: String,
    #[serde(skip_serializing)]
    password: String,
}

async fn users_page(
    state: &AppState,
    pc: &PageCtx,
    query: &Query,
    status: StatusCode,
    form: NewUserForm,
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
                may_create => pc.actor.role.may(Action::ManageAccounts),
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
        Err(e) => PageError(e).into_response(),
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
            Err(e) => PageError(e).into_response(),
        };
    }
    users_page(
        &state,
        &pc,
        &query,
        StatusCode::OK,
        NewUserForm::default(),
        None,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Response {
    // The administrator makes the account without a role: the security
    // administrator assigns it.
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        password: form.password.clone(),
        ..Default::default()
    };
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
        Err(e) => PageError(e).into_response(),
    }
}

async fn user_page(
    state: &AppState,
    pc: &PageCtx,
    id: i64,
    status: StatusCode,
    form: AccountForm,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let found = blocking(move || app.account_detail(&actor, id)).await;
    match found {
        Ok(d) => {
            let (u, issued) = (d.user, d.issued);
            let message = match &error {
                Some(AppError::Invalid(_)) | None => None,
                Some(e) => Some(e.message(&pc.lang)),
            };
            let ctx = context! {
                second_factor => u.has_second_factor(),
                issued,
                u,
                roles => ALL_ROLES.iter().filter(|r| !r.is_admin_duty()).map(|r| r.as_str()).collect::<Vec<_>>(),
                may_assign => d.may_assign,
                may_manage => d.may_manage,
                form,
                message,
                errors => error.as_ref().map(|e| field_errors(e, &pc.lang)).unwrap_or_default(),
            };
            render::page_with_status(
                state,
                pc,
                status,
                "user.html",
                &t(&pc.lang, "account_of"),
                vec![("/users".into(), t(&pc.lang, "nav_users"))],
                ctx,
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn user(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    user_page(
        &state,
        &pc,
        id,
        StatusCode::OK,
        AccountForm::default(),
        None,
    )
    .await
}

/// Runs one account action from a form on the account's page: back to the
/// page with the message, or the page again with the errors.
async fn account_action(
    state: AppState,
    pc: PageCtx,
    id: i64,
    form: AccountForm,
    what: &str,
    act: impl FnOnce(&dingdian_app::App, &dingdian_app::Actor, &AccountForm) -> Result<(), AppError>
    + Send
    + 'static,
) -> Response {
    let (app, actor, f) = (state.app.clone(), pc.actor.clone(), form.clone());
    let r = blocking(move || act(&app, &actor, &f)).await;
    match r {
        Ok(()) => done(&format!("/users/{id}"), what),
        Err(e @ AppError::Invalid(_)) => {
            user_page(
                &state,
                &pc,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Some(e),
            )
            .await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn assign_role(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Response {
    account_action(state, pc, id, form, "role", move |app, actor, f| {
        let input = RoleInput {
            role: f.role.clone(),
            unit_id: f.unit_id.trim().parse().ok(),
            county_code: Some(f.county_code.trim().to_string()).filter(|c| !c.is_empty()),
        };
        app.assign_role(actor, id, &input).map(|_| ())
    })
    .await
}

async fn set_active(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Response {
    account_action(state, pc, id, form, "active", move |app, actor, f| {
        app.set_user_active(actor, id, f.active == "true")
    })
    .await
}

async fn unlock(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Response {
    account_action(state, pc, id, form, "unlocked", move |app, actor, _| {
        app.unlock_user(actor, id)
    })
    .await
}

async fn reset_password(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Response {
    account_action(state, pc, id, form, "reset", move |app, actor, f| {
        app.reset_password(actor, id, &f.password)
    })
    .await
}

/// The security administrator resets an account's second factor.
async fn reset_second_factor(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Response {
    account_action(state, pc, id, form, "totp_reset", move |app, actor, _| {
        app.reset_second_factor(actor, id).map(|_| ())
    })
    .await
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

/// An audit record as the auditor reads it.
fn audit_row(lang: &str, r: dingdian_core::audit::AuditRecord) -> minijinja::Value {
    let d = crate::audit_text::describe(
        lang,
        &r.action,
        &r.outcome,
        (r.object_type.as_deref(), r.object_id.as_deref()),
        r.detail.as_deref(),
    );
    context! { id => r.id, at => r.at, username => r.username, address => r.address, action => r.action, action_text => d.action, object_text => d.object, object_id => r.object_id.clone().filter(|i| i != "*"), outcome => r.outcome, outcome_text => d.outcome, detail => r.detail, detail_text => d.detail, hash => r.hash }
}

/// The result of checking the log's hash chain.
fn chain_view(lang: &str, c: &dingdian_core::audit::ChainReport) -> minijinja::Value {
    let head = c.head.clone();
    match &c.broken {
        None => {
            context! { intact => true, checked => c.checked, head_id => head.as_ref().map(|h| h.0), head_hash => head.map(|h| h.1) }
        }
        Some(b) => {
            context! { intact => false, checked => c.checked, id => b.id, at => b.at, action => b.action.clone(), message => b.msg().text(lang).to_string() }
        }
    }
}

/// The actions to search by, with the one asked for kept even when unknown.
fn action_choices(lang: &str, wanted: &str) -> Vec<(String, String)> {
    let mut actions: Vec<_> = crate::audit_text::ACTIONS
        .iter()
        .map(|a| {
            (
                a.to_string(),
                crate::audit_text::action_text(lang, a).unwrap_or_default(),
            )
        })
        .collect();
    if !wanted.is_empty() && !actions.iter().any(|(a, _)| a == wanted) {
        actions.push((wanted.to_string(), String::new()));
    }
    actions
}

async fn audit(State(state): State<AppState>, pc: PageCtx, Q(mut query): Q<Query>) -> Response {
    let filter = match audit_filter(&query) {
        Ok(f) => f,
        Err(e) => return PageError(e).into_response(),
    };
    if wants_xlsx(&query) {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        return match blocking(move || app.export_audit(&actor, &filter)).await {
            Ok(bytes) => xlsx_response("audit", bytes),
            Err(e) => PageError(e).into_response(),
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
            let items: Vec<_> = items.into_iter().map(|r| audit_row(&pc.lang, r)).collect();
            let chain = chain.map(|c| chain_view(&pc.lang, &c));
            let f = context! {
                q => q(&query, "q").unwrap_or(""),
                username => q(&query, "username").unwrap_or(""),
                action => q(&query, "action").unwrap_or(""),
                outcome => q(&query, "outcome").unwrap_or(""),
                from => q(&query, "from").unwrap_or(""),
                to => q(&query, "to").unwrap_or(""),
            };
            let actions = action_choices(&pc.lang, q(&query, "action").unwrap_or(""));
            let ctx = context! { items, chain, actions, outcomes => OUTCOMES, list => list_nav("/audit", &query, page, total, true), f };
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
        Err(e) => PageError(e).into_response(),
    }
}

//! "My account" (我的账户): change the password, enrol a second factor. The
//! only pages a session may open while its password has expired or its
//! role still lacks a second factor.

use super::{done, field_errors};
use crate::AppState;
use crate::csrf::{Button, CsrfForm};
use crate::ctx::{AccountCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use minijinja::context;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/totp/begin", post(begin_totp))
        .route("/account/totp/confirm", post(confirm_totp))
}

async fn account_page(
    state: &AppState,
    ac: &AccountCtx,
    status: StatusCode,
    error: Option<AppError>,
) -> Response {
    let pc = &ac.pc;
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let found = blocking(move || {
        let notice = app.password_reset_notice(&actor)?;
        let email = app.my_email(&actor)?;
        Ok((
            app.my_account(&actor)?,
            app.pending_totp(&actor)?,
            notice,
            email,
        ))
    })
    .await;
    let (user, pending, notice, email) = match found {
        Ok(x) => x,
        Err(e) => return PageError(e).into_response(),
    };
    let message = match &error {
        Some(AppError::Invalid(_)) | None => None,
        Some(e) => Some(e.message(&pc.lang)),
    };
    let ctx = context! {
        account => context! {
            username => user.username.clone(),
            display_name => user.display_name.clone(),
            password_changed_at => user.password_changed_at,
            second_factor => user.has_second_factor(),
            second_factor_required => user.role.is_some_and(|r| r.requires_second_factor()),
        },
        restriction => ac.restriction.map(|r| r.msg().text(&pc.lang).to_string()),
        password_reset => notice.map(|m| m.text(&pc.lang).to_string()),
        pending,
        email,
        message,
        errors => error.as_ref().map(|e| field_errors(e, &pc.lang)).unwrap_or_default(),
    };
    render::page_with_status(
        state,
        pc,
        status,
        "account.html",
        &t(&pc.lang, "account_title"),
        vec![],
        ctx,
    )
    .await
}

async fn account(State(state): State<AppState>, ac: AccountCtx) -> Response {
    account_page(&state, &ac, StatusCode::OK, None).await
}

/// The answer to an account form: back to the page with the message, or
/// the page again with the errors.
async fn after(
    state: &AppState,
    ac: &AccountCtx,
    result: Result<(), AppError>,
    what: &str,
) -> Response {
    match result {
        Ok(()) => done("/account", what),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            account_page(state, ac, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ac: AccountCtx,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), ac.pc.actor.clone());
    let r =
        blocking(move || app.change_password(&actor, &form.current_password, &form.new_password))
            .await;
    after(&state, &ac, r, "password").await
}

async fn begin_totp(
    State(state): State<AppState>,
    ac: AccountCtx,
    _: CsrfForm<Button>,
) -> Response {
    let (app, actor) = (state.app.clone(), ac.pc.actor.clone());
    match blocking(move || app.begin_totp_enrolment(&actor)).await {
        // The page shows the pending secret's line from the database.
        Ok(_) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(
            "/account#totp",
        )),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TotpForm {
    totp: String,
}

async fn confirm_totp(
    State(state): State<AppState>,
    ac: AccountCtx,
    CsrfForm(form): CsrfForm<TotpForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), ac.pc.actor.clone());
    let code = form.totp;
    let r = blocking(move || app.confirm_totp_enrolment(&actor, &code)).await;
    after(&state, &ac, r, "totp").await
}

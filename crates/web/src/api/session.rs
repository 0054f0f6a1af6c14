//! Signing in and out with a bearer token, and the health check.

use super::answers::{ApiResult, body, ok, run};
use crate::AppState;
use crate::ctx::{ApiAccountCtx, accept_lang, address, bearer, blocking};
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use dingdian_app::AppError;
use dingdian_app::auth::SessionKind;
use dingdian_core::Msg;
use dingdian_core::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub(super) struct Login {
    username: String,
    password: String,
    /// The 6-digit TOTP code (RFC 6238: SHA-1, 30 s), for an account with a
    /// second factor; without it such an account gets 401 `totp_required`.
    #[serde(default)]
    totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct Token {
    token: String,
    /// Set when the token may only change the password
    /// (`password_expired`, `second_factor_required`): every other route
    /// answers 403 with this code.
    restriction: Option<&'static str>,
    /// Who reset the password and when, until the owner changes it.
    password_reset: Option<ResetNotice>,
    user: TokenUser,
}

#[derive(Serialize, ToSchema)]
pub(super) struct ResetNotice {
    by: String,
    /// UTC seconds.
    at: i64,
    /// YYYY-MM-DD HH:MM, Asia/Shanghai.
    at_beijing: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct TokenUser {
    username: String,
    role: Option<Role>,
    unit_id: Option<i64>,
    county_code: Option<String>,
}

/// Sign in; answers a bearer token.
#[utoipa::path(post, path = "/login", tag = "session", security(()),
    request_body = Login, responses((status = 200, body = Token)))]
pub(super) async fn login(State(state): State<AppState>, req: Request) -> ApiResult {
    let (parts, b) = req.into_parts();
    let lang = accept_lang(&parts);
    let bytes = axum::body::to_bytes(b, 64 * 1024)
        .await
        .map_err(|e| ApiError {
            error: AppError::invalid("body", "", "bad_body", e.to_string(), e.to_string()),
            lang: lang.clone(),
        })?;
    let input: Login = body(&bytes, &lang)?;
    let (app, addr) = (state.app.clone(), address(&parts));
    let s = blocking(move || {
        let totp = input.totp.as_deref();
        app.login(
            &input.username,
            &input.password,
            totp,
            SessionKind::Api,
            addr,
        )
    })
    .await
    .map_err(|error| ApiError { error, lang })?;
    ok(Token {
        token: s.token,
        restriction: s.restriction.map(|r| r.code()),
        password_reset: s.password_reset.map(|(by, at)| ResetNotice {
            by,
            at,
            at_beijing: dingdian_core::time::show_ts(at),
        }),
        user: TokenUser {
            username: s.user.username,
            role: s.user.role,
            unit_id: s.user.unit_id,
            county_code: s.user.county_code,
        },
    })
}

#[derive(Serialize, ToSchema)]
pub(super) struct LoggedOut {
    logged_out: bool,
}

/// Sign out: the token stops working at once (audited). Also for a token
/// that may only change its password: signing out is always possible.
#[utoipa::path(post, path = "/logout", tag = "session",
    responses((status = 200, body = LoggedOut)))]
pub(super) async fn logout(
    State(state): State<AppState>,
    ApiAccountCtx(c): ApiAccountCtx,
    headers: HeaderMap,
) -> ApiResult {
    // The extractor has just accepted this very token.
    let token = bearer(&headers).ok_or_else(|| {
        c.err(AppError::Unauthorized(Msg::new(
            "unauthenticated",
            "缺少访问令牌，请先登录",
            "no bearer token: sign in first",
        )))
    })?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    run(&c, move || app.logout(&token, &actor)).await?;
    ok(LoggedOut { logged_out: true })
}

#[derive(Serialize, ToSchema)]
pub(super) struct HealthAnswer {
    /// `ok` or `unavailable`.
    status: &'static str,
    /// `ok` or `unavailable`.
    database: &'static str,
}

/// Health check, without sign-in: the server and its database, one trivial
/// query with a short timeout; 503 when the database does not answer (the
/// cause goes to the log).
#[utoipa::path(get, path = "/health", tag = "session", security(()),
    responses((status = 200, body = HealthAnswer), (status = 503, body = HealthAnswer)))]
pub(super) async fn health(State(state): State<AppState>) -> ApiResult {
    let app = state.app.clone();
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        tokio::task::spawn_blocking(move || app.ping()),
    )
    .await;
    let failure = match check {
        Ok(Ok(Ok(()))) => {
            let up = HealthAnswer {
                status: "ok",
                database: "ok",
            };
            return ok(up);
        }
        Ok(Ok(Err(e))) => e.to_string(),
        Ok(Err(e)) => format!("task failed: {e}"),
        Err(_) => "no answer within 3 s".to_string(),
    };
    tracing::error!("health: the database is unavailable: {failure}");
    let down = HealthAnswer {
        status: "unavailable",
        database: "unavailable",
    };
    Ok((StatusCode::SERVICE_UNAVAILABLE, Json(down)).into_response())
}

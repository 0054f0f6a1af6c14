//! Who is asking: the signed-in user behind a session cookie (pages) or a
//! bearer token (API), with the language and the CSRF token of the session.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dingdian_app::auth::Restriction;
use dingdian_app::{Actor, AppError};
use dingdian_core::Msg;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "dd_session";
pub const LANG_COOKIE: &str = "dd_lang";
pub const PRE_CSRF_COOKIE: &str = "dd_pre";

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The language of a request without a signed-in user: the cookie, then
/// the browser's preference, then Chinese.
pub fn guest_lang(parts: &Parts) -> String {
    if let Some(l) = cookie(parts, LANG_COOKIE) {
        return if l == "en" { "en" } else { "zh" }.into();
    }
    accept_lang(parts)
}

pub(crate) fn accept_lang(parts: &Parts) -> String {
    accept_lang_of(&parts.headers).into()
}

/// The language the request's `Accept-Language` header asks for.
pub fn accept_lang_of(headers: &axum::http::HeaderMap) -> &'static str {
    let al = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    dingdian_core::lang::from_accept_language(al)
}

/// A signed-in page request.
#[derive(Clone)]
pub struct PageCtx {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    pub lang: String,
    pub path: String,
}

pub use dingdian_core::crypto::constant_time_eq;

/// The signed-in page context, or the answer that replaces the page: the
/// sign-in page, or "My account" for a session that must first change its
/// password or enrol a second factor (unless `allow_restricted`).
async fn page_ctx(
    parts: &mut Parts,
    state: &AppState,
    allow_restricted: bool,
) -> Result<(PageCtx, Option<Restriction>), Response> {
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let to_login = || {
        let next = if parts.method == axum::http::Method::GET {
            format!("?next={}", urlencoding::encode(&path))
        } else {
            String::new()
        };
        Redirect::to(&format!("/login{next}")).into_response()
    };
    let Some(token) = cookie(parts, SESSION_COOKIE).map(str::to_string) else {
        return Err(to_login());
    };
    let app = state.app.clone();
    let addr = address(parts);
    let t = token.clone();
    match tokio::task::spawn_blocking(move || app.authenticate_account(&t, addr)).await {
        Ok(Ok((actor, csrf, restriction))) => {
            if restriction.is_some() && !allow_restricted {
                return Err(Redirect::to("/account").into_response());
            }
            let lang = actor.lang.clone();
            let pc = PageCtx {
                actor,
                csrf,
                token,
                lang,
                path,
            };
            crate::csrf::SignedIn::set(&parts.extensions, state, &pc);
            Ok((pc, restriction))
        }
        Ok(Err(AppError::Unauthorized(_))) => Err(to_login()),
        Ok(Err(e)) => {
            Err((crate::error::status(&e), e.message(&guest_lang(parts))).into_response())
        }
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        page_ctx(parts, state, false).await.map(|(pc, _)| pc)
    }
}

/// A signed-in page of the user's own account: also for a session that
/// must first change its password or enrol a second factor.
pub struct AccountCtx {
    pub pc: PageCtx,
    pub restriction: Option<Restriction>,
}

impl FromRequestParts<AppState> for AccountCtx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        page_ctx(parts, state, true)
            .await
            .map(|(pc, restriction)| AccountCtx { pc, restriction })
    }
}

/// A signed-in API request (bearer token).
pub struct ApiCtx {
    pub actor: Actor,
    pub lang: String,
}

impl ApiCtx {
    /// Refuses (403) a role that may not do `action` at all: checked before
    /// the query or the body is read, so permission comes before validation.
    pub fn require(&self, action: dingdian_core::role::Action) -> Result<(), ApiError> {
        self.actor.require(action).map_err(|e| self.err(e))
    }

    pub fn err(&self, error: AppError) -> ApiError {
        ApiError {
            error,
            lang: self.lang.clone(),
        }
    }
}

/// The bearer token of an API request, if it sends one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

async fn api_ctx(
    parts: &mut Parts,
    state: &AppState,
    allow_restricted: bool,
) -> Result<ApiCtx, ApiError> {
    let lang = accept_lang(parts);
    let Some(token) = bearer(&parts.headers) else {
        return Err(ApiError {
            error: AppError::Unauthorized(Msg::new(
                "unauthenticated",
                "缺少访问令牌，请先登录",
                "no bearer token: sign in first",
            )),
            lang,
        });
    };
    let app = state.app.clone();
    let addr = address(parts);
    // The app refuses a restricted session; only the account's own
    // requests ask it to let one through.
    let actor = move || match allow_restricted {
        true => app.authenticate_account(&token, addr).map(|(a, _, _)| a),
        false => app.authenticate(&token, addr).map(|(a, _)| a),
    };
    match tokio::task::spawn_blocking(actor).await {
        Ok(Ok(actor)) => Ok(ApiCtx { actor, lang }),
        Ok(Err(error)) => Err(ApiError { error, lang }),
        Err(e) => Err(ApiError {
            error: AppError::task_failed(e),
            lang,
        }),
    }
}

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        api_ctx(parts, state, false).await
    }
}

/// A signed-in API request about the caller's own account: also for a
/// token whose password has expired (it may change it, nothing else).
pub struct ApiAccountCtx(pub ApiCtx);

impl FromRequestParts<AppState> for ApiAccountCtx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        api_ctx(parts, state, true).await.map(ApiAccountCtx)
    }
}

/// Runs blocking app work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(AppError::task_failed(e)))
}

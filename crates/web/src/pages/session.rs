//! Sign-in, sign-out and the language switch.

use crate::AppState;
use crate::csrf::{Button, CsrfForm};
use crate::ctx::{self, LANG_COOKIE, PRE_CSRF_COOKIE, SESSION_COOKIE, constant_time_eq};
use crate::error::PageError;
use crate::render;
use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_app::auth::SessionKind;
use minijinja::context;
use rand::RngCore;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_language))
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let secure = if state.config.tls { "; Secure" } else { "" };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}")
}

/// Only a path on this site, so a link cannot send a signed-in user
/// elsewhere. Control characters are removed first (a browser drops a tab
/// or a line break in a URL, so `/\t/evil.example` would become
/// `//evil.example`); what is left must start with exactly one `/`, not
/// followed by another `/` or a `\\`, and hold only printable ASCII (a
/// path this site writes is percent-encoded). Anything else goes to `/`.
pub(crate) fn safe_next(next: &str) -> String {
    let clean: String = next.chars().filter(|c| !c.is_control()).collect();
    let mut chars = clean.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && clean.chars().all(|c| c.is_ascii_graphic());
    if local { clean } else { "/".into() }
}

/// Whether a guest's form carries the token of its pre-session cookie.
fn pre_session_ok(parts: &Parts, sent: &str) -> bool {
    let pre = ctx::cookie(parts, PRE_CSRF_COOKIE).unwrap_or("");
    !pre.is_empty() && constant_time_eq(pre.as_bytes(), sent.as_bytes())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: String,
    totp: String,
    _csrf: String,
}

/// The language switch; `_csrf` is checked here because a guest's form
/// carries the pre-session token.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LangForm {
    to: String,
    next: String,
    _csrf: String,
}

fn random_hex() -> String {
    let mut b = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn login_form(
    state: &AppState,
    lang: &str,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<String>,
) -> Response {
    let pre = random_hex();
    let ctx =
        context! { lang, csrf => pre.clone(), next, username, error, demo => state.config.demo };
    let mut res = render::render(state, status, "login.html", ctx);
    if let Ok(v) = cookie(state, PRE_CSRF_COOKIE, &pre, None).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let lang = ctx::guest_lang(&parts);
    let next = q.get("next").map(String::as_str).unwrap_or("/");
    login_form(&state, &lang, StatusCode::OK, &safe_next(next), "", None)
}

async fn login(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let lang = ctx::guest_lang(&parts);
    let Ok(Form(form)) =
        Form::<LoginForm>::from_request(Request::from_parts(parts.clone(), body), &state).await
    else {
        return login_form(
            &state,
            &lang,
            StatusCode::BAD_REQUEST,
            "/",
            "",
            Some("bad form".into()),
        );
    };
    let LoginForm {
        username,
        password,
        next,
        totp: code,
        _csrf: sent,
    } = form;
    if !pre_session_ok(&parts, &sent) {
        let msg = if lang == "en" {
            "The sign-in form expired: please try again."
        } else {
            "登录表单已失效，请重新登录。"
        };
        return login_form(
            &state,
            &lang,
            StatusCode::FORBIDDEN,
            &safe_next(&next),
            &username,
            Some(msg.into()),
        );
    }
    let app = state.app.clone();
    let addr = ctx::address(&parts);
    let user = username.clone();
    let result = crate::ctx::blocking(move || {
        app.login(&user, &password, Some(&code), SessionKind::Web, addr)
    })
    .await;
    match result {
        Ok(s) => {
            // A password to change or a second factor to enrol comes first.
            // So does the news that an administrator reset the password.
            let to = if s.restriction.is_some() || s.password_reset.is_some() {
                "/account".to_string()
            } else {
                safe_next(&next)
            };
            let mut res = Redirect::to(&to).into_response();
            for c in [
                cookie(&state, SESSION_COOKIE, &s.token, None),
                cookie(&state, LANG_COOKIE, &s.user.language, Some(31_536_000)),
                cookie(&state, PRE_CSRF_COOKIE, "", Some(0)),
            ] {
                if let Ok(v) = c.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => {
            let status = crate::error::status(&e);
            login_form(
                &state,
                &lang,
                status,
                &safe_next(&next),
                &username,
                Some(e.message(&lang)),
            )
        }
    }
}

/// Also for a session that must first change its password or enrol a
/// second factor: signing out is always possible.
async fn logout(
    State(state): State<AppState>,
    ctx::AccountCtx { pc, .. }: ctx::AccountCtx,
    _: CsrfForm<Button>,
) -> Response {
    let app = state.app.clone();
    let (token, actor) = (pc.token.clone(), pc.actor.clone());
    if let Err(e) = crate::ctx::blocking(move || app.logout(&token, &actor)).await {
        return PageError(e).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = cookie(&state, SESSION_COOKIE, "", Some(0)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn switch_language(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let form = if ctx::cookie(&parts, SESSION_COOKIE).is_some() {
        // Also from "My account" while the session must first change its
        // password or enrol a second factor.
        let pc = match ctx::AccountCtx::from_request_parts(&mut parts, &state).await {
            Ok(ctx::AccountCtx { pc, .. }) => pc,
            Err(res) => return res,
        };
        let form = match CsrfForm::<LangForm>::from_request(
            Request::from_parts(parts, body),
            &state,
        )
        .await
        {
            Ok(CsrfForm(form)) => form,
            Err(e) => return e.into_response(),
        };
        let (app, actor, to) = (state.app.clone(), pc.actor.clone(), lang_of(&form));
        if let Err(e) = crate::ctx::blocking(move || app.set_language(&actor, to)).await {
            return PageError(e).into_response();
        }
        form
    } else {
        let Ok(Form(form)) =
            Form::<LangForm>::from_request(Request::from_parts(parts.clone(), body), &state).await
        else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        if !pre_session_ok(&parts, &form._csrf) {
            let expired = dingdian_core::Msg::new("csrf", "表单已失效", "the form expired");
            return PageError(AppError::Forbidden(expired)).into_response();
        }
        form
    };
    let mut res = Redirect::to(&safe_next(&form.next)).into_response();
    if let Ok(v) = cookie(&state, LANG_COOKIE, lang_of(&form), Some(31_536_000)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

fn lang_of(form: &LangForm) -> &'static str {
    if form.to == "en" { "en" } else { "zh" }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_accepts_only_a_path_on_this_site() {
        for ok in ["/", "/plans?page=2", "/registry/2014/623023001", "/a\\b"] {
            assert_eq!(safe_next(ok), ok, "{ok:?}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "https://evil.example",
            "evil.example",
            "",
            "/路径",
            "/ /x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
        assert_eq!(
            safe_next("/pla\tns"),
            "/plans",
            "control characters are removed"
        );
    }
}

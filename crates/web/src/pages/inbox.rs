//! The inbox (提醒): the signed-in user's reminders, unread first, each
//! with a link to what it is about and a button that marks it read; and
//! the e-mail address on My account that reminders are sent to.

use super::{Query, done, list_nav, page_of, q};
use crate::AppState;
use crate::csrf::{Button, CsrfForm};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/inbox/{id}/read", post(mark_read))
        .route("/account/email", post(set_email))
}

async fn inbox(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let unread = q(&query, "unread") == Some("true");
    let page = page_of(&query);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let (items, total) = match blocking(move || app.inbox(&actor, unread, page)).await {
        Ok(out) => out,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let rows: Vec<_> = items
        .into_iter()
        .map(|r| {
            context! {
                id => r.id,
                message => r.message.text(lang),
                link => r.link,
                due => r.due.map(|d| d.to_string()),
                overdue => r.overdue,
                created_at => r.created_at,
                read => r.read_at.is_some(),
            }
        })
        .collect();
    let ctx = context! {
        rows, unread,
        list => list_nav("/inbox", &query, page, total, false),
    };
    let title = t(lang, "nav_inbox");
    render::page(&state, &pc, "inbox.html", &title, vec![], ctx).await
}

async fn mark_read(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Button>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.mark_reminder_read(&actor, id)).await {
        Ok(()) => done("/inbox", "marked_read"),
        Err(e) => PageError(e).into_response(),
    }
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn set_email(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.set_my_email(&actor, &form.email)).await {
        Ok(()) => done("/account", "email_saved"),
        Err(e) => PageError(e).into_response(),
    }
}

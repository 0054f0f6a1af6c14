//! The caller's inbox of reminders: what is due soon and what is overdue.

use super::answers::{ApiResult, List, list, ok, run};
use super::query::{Id, PageParams, Q, page, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use dingdian_app::reminders::ReminderView;
use dingdian_core::reminder::ReminderKind;
use serde::Serialize;
use utoipa::ToSchema;

/// A reminder, its words in the request's language.
#[derive(Serialize, ToSchema)]
pub(super) struct InboxItem {
    id: i64,
    kind: ReminderKind,
    /// report, rectification, pairing or letter.
    subject_type: String,
    subject_id: String,
    due: Option<NaiveDate>,
    message: String,
    /// The page of what it is about.
    link: String,
    overdue: bool,
    /// UTC seconds.
    created_at: i64,
    read_at: Option<i64>,
}

fn item(r: ReminderView, lang: &str) -> InboxItem {
    InboxItem {
        message: r.message.text(lang).to_string(),
        id: r.id,
        kind: r.kind,
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        due: r.due,
        link: r.link,
        overdue: r.overdue,
        created_at: r.created_at,
        read_at: r.read_at,
    }
}

/// The caller's reminders, unread first.
#[utoipa::path(get, path = "/inbox", tag = "inbox",
    params(("unread" = Option<bool>, Query, description = "true: only the unread"), PageParams),
    responses((status = 200, body = List<InboxItem>)))]
pub(super) async fn inbox(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    let unread = qv(&q, "unread") == Some("true");
    let p = page(&q, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.inbox(&actor, unread, p)).await?;
    let lang = c.lang.clone();
    list(items.into_iter().map(|r| item(r, &lang)).collect(), total)
}

/// The reminder marked read.
#[derive(Serialize, ToSchema)]
pub(super) struct Read {
    id: i64,
    read: bool,
}

/// Mark one of the caller's reminders read.
#[utoipa::path(post, path = "/inbox/{id}/read", tag = "inbox", params(("id" = i64, Path)),
    responses((status = 200, body = Read)))]
pub(super) async fn mark_read(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    run(&c, move || app.mark_reminder_read(&actor, id)).await?;
    ok(Read { id, read: true })
}

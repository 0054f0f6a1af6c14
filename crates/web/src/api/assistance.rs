//! Assistance plans and projects through the API: lists by unit, county
//! and status, creation, the workflows, progress notes and attachments
//! (uploaded as the request body, judged by their content).

use super::answers::{ApiResult, List, all, body_for, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_core::assistance::{
    AssistancePlan, AssistancePlanFilter, AssistancePlanInput, AssistancePlanStatus,
};
use dingdian_core::project::{Project, ProjectFilter, ProjectInput, ProjectStatus};
use dingdian_core::role::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn plan_filter(q: &Q, lang: &str) -> Result<AssistancePlanFilter, ApiError> {
    Ok(AssistancePlanFilter {
        unit_id: parsed(q, "unit", |v| v.parse().ok(), lang)?,
        county_code: qv(q, "county").map(str::to_string),
        status: parsed(q, "status", AssistancePlanStatus::from_code, lang)?,
        q: qv(q, "q").map(str::to_string),
    })
}

/// Assistance plans the caller may see.
#[utoipa::path(get, path = "/assistance-plans", tag = "assistance",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("status" = Option<AssistancePlanStatus>, Query),
        ("q" = Option<String>, Query, description = "text in the name"),
        PageParams),
    responses((status = 200, body = List<AssistancePlan>)))]
pub(super) async fn list_assistance_plans(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = plan_filter(&q, &c.lang)?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_assistance_plans(&actor, &f, p)).await?;
    list(items, total)
}

/// Draft an assistance plan for a county the caller's unit is paired with (unit).
#[utoipa::path(post, path = "/assistance-plans", tag = "assistance", request_body = AssistancePlanInput,
    responses((status = 201, body = AssistancePlan)))]
pub(super) async fn create_assistance_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: AssistancePlanInput = body_for(&c, Action::EditAssistancePlans, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let id = app.create_assistance_plan(&actor, &input)?;
        app.get_assistance_plan(&actor, id)
    })
    .await?;
    created(p)
}

/// One assistance plan.
#[utoipa::path(get, path = "/assistance-plans/{id}", tag = "assistance", params(("id" = i64, Path)),
    responses((status = 200, body = AssistancePlan)))]
pub(super) async fn get_assistance_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_assistance_plan(&actor, id)).await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PlanTransition {
    /// Read as text: the workflow itself refuses an unknown status.
    #[schema(value_type = AssistancePlanStatus)]
    #[serde(default)]
    to: String,
    /// Required when returning (the county's comments).
    #[serde(default)]
    reason: Option<String>,
}

/// Move a plan along its workflow: the unit submits, the county agrees or returns it.
#[utoipa::path(post, path = "/assistance-plans/{id}/transition", tag = "assistance", params(("id" = i64, Path)),
    request_body = PlanTransition, responses((status = 200, body = AssistancePlan)))]
pub(super) async fn transition_assistance_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: PlanTransition = body_for(&c, Action::ReadAssistance, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        app.transition_assistance_plan(&actor, id, &t.to, t.reason.as_deref())?;
        app.get_assistance_plan(&actor, id)
    })
    .await?;
    ok(p)
}

/// Projects the caller may see.
#[utoipa::path(get, path = "/projects", tag = "assistance",
    params(
        ("unit" = Option<i64>, Query, description = "a unit's id"),
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("status" = Option<ProjectStatus>, Query),
        ("plan" = Option<i64>, Query, description = "an assistance plan's id"),
        ("q" = Option<String>, Query, description = "text in the name"),
        PageParams),
    responses((status = 200, body = List<Project>)))]
pub(super) async fn list_projects(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let f = ProjectFilter {
        plan_id: parsed(&q, "plan", |v| v.parse().ok(), &c.lang)?,
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        county_code: qv(&q, "county").map(str::to_string),
        status: parsed(&q, "status", ProjectStatus::from_code, &c.lang)?,
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_projects(&actor, &f, p)).await?;
    list(items, total)
}

/// Enter a project under an agreed assistance plan (unit).
#[utoipa::path(post, path = "/projects", tag = "assistance", request_body = ProjectInput,
    responses((status = 201, body = Project)))]
pub(super) async fn create_project(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: ProjectInput = body_for(&c, Action::EditProjects, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let id = app.create_project(&actor, &input)?;
        app.get_project(&actor, id)
    })
    .await?;
    created(p)
}

/// One project.
#[utoipa::path(get, path = "/projects/{id}", tag = "assistance", params(("id" = i64, Path)),
    responses((status = 200, body = Project)))]
pub(super) async fn get_project(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_project(&actor, id)).await?)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ProjectTransition {
    #[schema(value_type = ProjectStatus)]
    #[serde(default)]
    to: String,
    /// The day it happened, YYYY-MM-DD: not in the future, not before the last step.
    #[serde(default)]
    on_date: String,
    /// Required when cancelling.
    #[serde(default)]
    reason: Option<String>,
}

/// Move a project one step forwards (county: approve, accept; unit: start, complete, cancel).
#[utoipa::path(post, path = "/projects/{id}/transition", tag = "assistance", params(("id" = i64, Path)),
    request_body = ProjectTransition, responses((status = 200, body = Project)))]
pub(super) async fn transition_project(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let t: ProjectTransition = body_for(&c, Action::ReadAssistance, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        app.transition_project(&actor, id, &t.to, &t.on_date, t.reason.as_deref())?;
        app.get_project(&actor, id)
    })
    .await?;
    ok(p)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct ProgressInput {
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    text: String,
}

/// Record a project's progress on a day (unit).
#[utoipa::path(post, path = "/projects/{id}/progress", tag = "assistance", params(("id" = i64, Path)),
    request_body = ProgressInput, responses((status = 201, body = Project)))]
pub(super) async fn add_progress(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let p: ProgressInput = body_for(&c, Action::EditProjects, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let project = run(&c, move || {
        app.add_project_progress(&actor, id, &p.on_date, &p.text)?;
        app.get_project(&actor, id)
    })
    .await?;
    created(project)
}

/// An attachment of a project, without its bytes.
#[derive(Serialize, ToSchema)]
pub(super) struct AttachmentItem {
    id: i64,
    project_id: i64,
    file_name: String,
    /// Decided from the content.
    media_type: String,
    size: i64,
    sha256: String,
    caption: Option<String>,
    at: i64,
}

/// The attachments of a project (not paged).
#[utoipa::path(get, path = "/projects/{id}/attachments", tag = "assistance", params(("id" = i64, Path)),
    responses((status = 200, body = List<AttachmentItem>)))]
pub(super) async fn list_attachments(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let d = run(&c, move || app.project_detail(&actor, id)).await?;
    all(d.attachments.into_iter().map(item).collect())
}

fn item(a: dingdian_app::projects::ProjectAttachment) -> AttachmentItem {
    AttachmentItem {
        id: a.id,
        project_id: a.project_id,
        file_name: a.file_name,
        media_type: a.media_type,
        size: a.size,
        sha256: a.sha256,
        caption: a.caption,
        at: a.at,
    }
}

/// Attach a photo (JPEG, PNG, GIF, WebP) or a PDF to a project (unit): the
/// request body is the file, at most 10 MiB; its type is judged by its content.
#[utoipa::path(post, path = "/projects/{id}/attachments", tag = "assistance",
    params(("id" = i64, Path),
        ("file_name" = String, Query, description = "the name to show; never used as a path"),
        ("caption" = Option<String>, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentItem)))]
pub(super) async fn upload_attachment(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    Query(q): Query<Q>,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::EditProjects)?;
    let name = qv(&q, "file_name").unwrap_or("attachment").to_string();
    let caption = qv(&q, "caption").map(str::to_string);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let a = run(&c, move || {
        let aid = app.add_project_attachment(&actor, id, &name, caption.as_deref(), &bytes)?;
        Ok(app.project_attachment(&actor, id, aid)?.0)
    })
    .await?;
    created(item(a))
}

/// A project id and an attachment id from the path; anything else is a
/// JSON 404.
pub(crate) struct TwoIds(i64, i64);

impl FromRequestParts<AppState> for TwoIds {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let raw = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map(|Path(raw)| raw)
            .unwrap_or_default();
        match (raw.0.trim().parse(), raw.1.trim().parse()) {
            (Ok(a), Ok(b)) => Ok(TwoIds(a, b)),
            _ => Err(ApiError {
                error: AppError::not_found("记录", "record"),
                lang: crate::ctx::accept_lang(parts),
            }),
        }
    }
}

/// Download an attachment: its bytes, as a download of the type its content showed.
#[utoipa::path(get, path = "/projects/{id}/attachments/{attachment_id}", tag = "assistance",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>, description = "the file")))]
pub(super) async fn download_attachment(
    State(state): State<AppState>,
    c: ApiCtx,
    TwoIds(id, aid): TwoIds,
) -> Result<Response, ApiError> {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (a, bytes) = run(&c, move || app.project_attachment(&actor, id, aid)).await?;
    Ok(attachment_response(&a.media_type, &a.file_name, bytes))
}

/// Bytes served as a download, never rendered by the browser as a page:
/// the stored (content-decided) type, `nosniff`, and an attachment
/// disposition whose name is ASCII-safe (the full name in `filename*`).
pub(crate) fn attachment_response(media_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencoding::encode(file_name)
    );
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
        ],
        bytes,
    )
        .into_response()
}

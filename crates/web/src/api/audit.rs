//! The audit log and its hash chain (auditor only).

use super::answers::{ApiResult, List, list, ok, run};
use super::query::{PageParams, Q, page};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::extract::{Query, State};
use dingdian_core::role::Action;
use dingdian_core::time::show_ts;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub(super) struct AuditItem {
    id: i64,
    /// UTC seconds.
    at: i64,
    /// YYYY-MM-DD HH:MM, Asia/Shanghai.
    at_beijing: String,
    user_id: Option<i64>,
    username: Option<String>,
    address: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<String>,
    /// `success`, `failure` or `refused`.
    outcome: String,
    detail: Option<String>,
    /// The previous record's hash (64 hex; zeros for the first).
    prev_hash: Option<String>,
    /// SM3 over this record's canonical form, 64 hex.
    hash: Option<String>,
}

/// The audit log, newest first (auditor only).
#[utoipa::path(get, path = "/audit", tag = "audit",
    params(
        ("q" = Option<String>, Query, description = "text in action, account, object, detail or address"),
        ("username" = Option<String>, Query, description = "exact account"),
        ("action" = Option<String>, Query, description = "action prefix: login, plan., registry.disclose"),
        ("outcome" = Option<String>, Query, description = "success, failure or refused"),
        ("from" = Option<NaiveDate>, Query, description = "Beijing date, included"),
        ("to" = Option<NaiveDate>, Query, description = "Beijing date, included"),
        PageParams),
    responses((status = 200, body = List<AuditItem>)))]
pub(super) async fn list_audit(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAudit)?;
    let f = crate::pages::admin::audit_filter(&q).map_err(|e| c.err(e))?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.search_audit(&actor, &f, p)).await?;
    let items = items.into_iter().map(|r| AuditItem {
        at_beijing: show_ts(r.at),
        id: r.id,
        at: r.at,
        user_id: r.user_id,
        username: r.username,
        address: r.address,
        action: r.action,
        object_type: r.object_type,
        object_id: r.object_id,
        outcome: r.outcome,
        detail: r.detail,
        prev_hash: r.prev_hash,
        hash: r.hash,
    });
    list(items.collect(), total)
}

#[derive(Serialize, ToSchema)]
pub(super) struct AuditChain {
    intact: bool,
    /// Records found intact, from the first.
    checked: u64,
    last_id: Option<i64>,
    last_hash: Option<String>,
    broken: Option<BrokenRecord>,
}

/// The first broken record of the chain.
#[derive(Serialize, ToSchema)]
pub(super) struct BrokenRecord {
    id: i64,
    at: i64,
    action: String,
    /// `audit_hash_mismatch`, `audit_broken_link` or `audit_gap`.
    code: String,
    message: String,
}

/// Walk the audit log's SM3 hash chain from the first record (auditor
/// only): intact, or the first broken record.
#[utoipa::path(get, path = "/audit/verify", tag = "audit",
    responses((status = 200, body = AuditChain)))]
pub(super) async fn verify_audit(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let r = run(&c, move || app.verify_audit(&actor)).await?;
    let broken = r.broken.as_ref().map(|b| {
        let m = b.msg();
        let (code, message) = (m.code.clone(), m.text(&c.lang).to_string());
        BrokenRecord {
            id: b.id,
            at: b.at,
            action: b.action.clone(),
            code,
            message,
        }
    });
    ok(AuditChain {
        intact: r.intact(),
        checked: r.checked,
        last_id: r.head.as_ref().map(|h| h.0),
        last_hash: r.head.map(|h| h.1),
        broken,
    })
}

//! Accounts through the API, under the same separated duties as the pages:
//! the administrator creates (without a role), deactivates, unlocks and
//! resets; the security administrator assigns roles and scopes; the
//! auditor reads the audit log; everyone changes their own password.

use super::{ApiResult, Id, body, created, list, ok, page, qv, run};
use crate::AppState;
use crate::ctx::{ApiAccountCtx, ApiCtx};
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::accounts::RoleInput;
use dingdian_app::auth::NewUserInput;
use dingdian_core::role::Action;
use dingdian_core::user::User;
use serde_json::{Value, json};
use std::collections::HashMap;

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
        "unit_id": u.unit_id, "county_code": u.county_code, "active": u.active,
        "locked_until": u.locked_until, "second_factor": u.has_second_factor(), "demo": u.demo,
        "password_changed_at": u.password_changed_at,
    })
}

pub async fn list_users(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ListAccounts)?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let search = qv(&q, "q").map(str::to_string);
    let (items, total) = run(&c, move || app.list_users(&actor, search.as_deref(), p)).await?;
    list(items.iter().map(user_json).collect(), total)
}

#[derive(serde::Deserialize)]
struct NewAccount {
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

pub async fn create_user(State(state): State<AppState>, c: ApiCtx, bytes: Bytes) -> ApiResult {
    c.require(Action::ManageAccounts)?;
    let n: NewAccount = body(&bytes, &c.lang)?;
    let input = NewUserInput {
        username: n.username,
        display_name: n.display_name,
        password: n.password,
        ..Default::default()
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        let id = app.create_user(&actor, &input)?;
        app.get_user(&actor, id)
    })
    .await?;
    created(user_json(&u))
}

pub async fn assign_role(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::AssignRoles)?;
    let input: RoleInput = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (u, issued) = run(&c, move || {
        let issued = app.assign_role(&actor, id, &input)?;
        Ok((app.get_user(&actor, id)?, issued))
    })
    .await?;
    let mut v = user_json(&u);
    v["otpauth"] = json!(issued);
    ok(v)
}

#[derive(serde::Deserialize)]
struct Active {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::ManageAccounts)?;
    let a: Active = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        app.set_user_active(&actor, id, a.active)?;
        app.get_user(&actor, id)
    })
    .await?;
    ok(user_json(&u))
}

pub async fn unlock(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        app.unlock_user(&actor, id)?;
        app.get_user(&actor, id)
    })
    .await?;
    ok(user_json(&u))
}

#[derive(serde::Deserialize)]
struct NewPassword {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::ManageAccounts)?;
    let p: NewPassword = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        app.reset_password(&actor, id, &p.password)?;
        app.get_user(&actor, id)
    })
    .await?;
    ok(user_json(&u))
}

/// `POST /users/{id}/second-factor`: the security administrator resets an
/// account's second factor; a role that needs one gets a new one at once,
/// its `otpauth` line answered to hand to the owner.
pub async fn reset_second_factor(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (u, issued) = run(&c, move || {
        let issued = app.reset_second_factor(&actor, id)?;
        Ok((app.get_user(&actor, id)?, issued))
    })
    .await?;
    let mut v = user_json(&u);
    v["otpauth"] = json!(issued);
    ok(v)
}

#[derive(serde::Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// The one route a token whose password has expired may use.
pub async fn change_password(
    State(state): State<AppState>,
    ApiAccountCtx(c): ApiAccountCtx,
    bytes: Bytes,
) -> ApiResult {
    let p: PasswordChange = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    run(&c, move || {
        app.change_password(&actor, &p.current_password, &p.new_password)
    })
    .await?;
    ok(json!({ "changed": true }))
}

//! Accounts through the API, under the same separated duties as the pages:
//! the administrator creates (without a role), deactivates, unlocks and
//! resets; the security administrator assigns roles and scopes; everyone
//! changes their own password.

use super::answers::{ApiResult, List, body, created, list, ok, run};
use super::query::{Id, PageParams, Q, page, qv};
use crate::AppState;
use crate::ctx::{ApiAccountCtx, ApiCtx};
use axum::body::Bytes;
use axum::extract::{Query, State};
use dingdian_app::accounts::RoleInput;
use dingdian_app::auth::NewUserInput;
use dingdian_app::{Actor, App, AppError};
use dingdian_core::role::{Action, Role};
use dingdian_core::user::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub(super) struct Account {
    id: i64,
    username: String,
    display_name: String,
    /// Null until the security administrator assigns one.
    role: Option<Role>,
    unit_id: Option<i64>,
    county_code: Option<String>,
    active: bool,
    /// UTC seconds.
    locked_until: Option<i64>,
    second_factor: bool,
    demo: bool,
    password_changed_at: i64,
}

impl From<User> for Account {
    fn from(u: User) -> Account {
        Account {
            second_factor: u.has_second_factor(),
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            unit_id: u.unit_id,
            county_code: u.county_code,
            active: u.active,
            locked_until: u.locked_until,
            demo: u.demo,
            password_changed_at: u.password_changed_at,
        }
    }
}

/// An account after a change that may issue a second factor.
#[derive(Serialize, ToSchema)]
pub(super) struct AccountIssued {
    #[serde(flatten)]
    account: Account,
    /// The otpauth:// line of a second factor just issued, to hand to the
    /// owner in person; otherwise null.
    otpauth: Option<String>,
}

/// Accounts (administrator, security administrator).
#[utoipa::path(get, path = "/users", tag = "accounts",
    params(("q" = Option<String>, Query, description = "text in the account or display name"), PageParams),
    responses((status = 200, body = List<Account>)))]
pub(super) async fn list_users(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ListAccounts)?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let search = qv(&q, "q").map(str::to_string);
    let (items, total) = run(&c, move || app.list_users(&actor, search.as_deref(), p)).await?;
    list(items.into_iter().map(Account::from).collect(), total)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewAccount {
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

/// Create an account without a role (administrator); the security
/// administrator assigns it, and the password must be changed at the first
/// sign-in.
#[utoipa::path(post, path = "/users", tag = "accounts", request_body = NewAccount,
    responses((status = 201, body = Account)))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
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
    created(Account::from(u))
}

/// Assign an account's role and scope (security administrator only; never
/// an administrator role, never one's own).
#[utoipa::path(put, path = "/users/{id}/role", tag = "accounts", params(("id" = i64, Path)),
    request_body = RoleInput, responses((status = 200, body = AccountIssued)))]
pub(super) async fn assign_role(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::AssignRoles)?;
    let input: RoleInput = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (u, otpauth) = run(&c, move || {
        let issued = app.assign_role(&actor, id, &input)?;
        Ok((app.get_user(&actor, id)?, issued))
    })
    .await?;
    ok(AccountIssued {
        account: u.into(),
        otpauth,
    })
}

#[derive(Deserialize, ToSchema)]
pub(super) struct AccountActive {
    active: bool,
}

/// Deactivate (ending its sessions) or reactivate an account (administrator).
#[utoipa::path(post, path = "/users/{id}/active", tag = "accounts", params(("id" = i64, Path)),
    request_body = AccountActive, responses((status = 200, body = Account)))]
pub(super) async fn set_active(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::ManageAccounts)?;
    let a: AccountActive = body(&bytes, &c.lang)?;
    account_after(&state, &c, id, move |app, actor| {
        app.set_user_active(actor, id, a.active).map(drop)
    })
    .await
}

/// Lift an account's lockout (administrator).
#[utoipa::path(post, path = "/users/{id}/unlock", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = Account)))]
pub(super) async fn unlock(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    account_after(&state, &c, id, move |app, actor| {
        app.unlock_user(actor, id).map(drop)
    })
    .await
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PasswordReset {
    password: String,
}

/// Reset an account's password (administrator); it must be changed at the
/// next sign-in, the account keeps its second factor, and its owner is told
/// who reset it and when. Refused (403 `second_factor_missing`) for an
/// account whose role needs a second factor it has not enrolled.
#[utoipa::path(post, path = "/users/{id}/password", tag = "accounts", params(("id" = i64, Path)),
    request_body = PasswordReset, responses((status = 200, body = Account)))]
pub(super) async fn reset_password(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    c.require(Action::ManageAccounts)?;
    let p: PasswordReset = body(&bytes, &c.lang)?;
    account_after(&state, &c, id, move |app, actor| {
        app.reset_password(actor, id, &p.password).map(drop)
    })
    .await
}

/// Makes `change` to account `id` and answers the account as it is then.
async fn account_after(
    state: &AppState,
    c: &ApiCtx,
    id: i64,
    change: impl FnOnce(&App, &Actor) -> Result<(), AppError> + Send + 'static,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(c, move || {
        change(&app, &actor)?;
        app.get_user(&actor, id)
    })
    .await?;
    ok(Account::from(u))
}

/// Reset an account's second factor (security administrator only; never
/// one's own, never an administrator duty): the old one stops working; a
/// role that needs one gets a new one at once (`otpauth` in the answer, to
/// hand to the owner), another role has it removed.
#[utoipa::path(post, path = "/users/{id}/second-factor", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = AccountIssued)))]
pub(super) async fn reset_second_factor(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (u, otpauth) = run(&c, move || {
        let issued = app.reset_second_factor(&actor, id)?;
        Ok((app.get_user(&actor, id)?, issued))
    })
    .await?;
    ok(AccountIssued {
        account: u.into(),
        otpauth,
    })
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PasswordChange {
    current_password: String,
    /// At least 8 characters from three of: upper case, lower case, digits,
    /// symbols; not the current one.
    new_password: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct PasswordChanged {
    changed: bool,
}

/// Change the caller's own password (the only route, with logout, a token
/// with an expired password may use).
#[utoipa::path(post, path = "/account/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 200, body = PasswordChanged)))]
pub(super) async fn change_password(
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
    ok(PasswordChanged { changed: true })
}

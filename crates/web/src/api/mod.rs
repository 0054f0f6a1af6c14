//! The JSON API under `/api/v1`. The route table below is the one source
//! of the router, the OpenAPI document and the route list tests walk.

mod accounts;
pub mod openapi;
mod registry;

use crate::AppState;
use crate::ctx::{ApiCtx, address, blocking};
use crate::error::ApiError;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use dingdian_app::auth::SessionKind;
use dingdian_app::plans::{PairingInput, PairingPlanInput};
use dingdian_app::{AppError, Page};
use dingdian_core::Msg;
use dingdian_core::area::{Area, CountyAttributes, Level};
use dingdian_core::plan::{PairingPlanKind, PairingPlanStatus};
use dingdian_core::query::{AreaFilter, PairingFilter, PairingPlanFilter, UnitFilter};
use dingdian_core::role::Action;
use dingdian_core::unit::{UnitInput, UnitKind};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;

/// One route of the API.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Query parameters it understands.
    pub query: &'static [&'static str],
    /// Whether it needs a bearer token.
    pub auth: bool,
    /// The JSON body it takes (a schema name in the OpenAPI document).
    pub body: Option<&'static str>,
    /// What it answers (a schema name; lists are `{items, total}` of it).
    pub answer: &'static str,
    pub list: bool,
}

macro_rules! route {
    ($m:literal, $p:literal, $s:literal, auth=$a:literal, query=[$($q:literal),*], body=$b:expr, answer=$ans:literal, list=$l:literal) => {
        Route { method: $m, path: $p, summary: $s, query: &[$($q),*], auth: $a, body: $b, answer: $ans, list: $l }
    };
}

/// Every route of the API, in the order of the document.
pub const ROUTES: &[Route] = &[
    route!(
        "post",
        "/login",
        "Sign in; answers a bearer token",
        auth = false,
        query = [],
        body = Some("Login"),
        answer = "Token",
        list = false
    ),
    route!(
        "get",
        "/health",
        "Health check, without sign-in",
        auth = false,
        query = [],
        body = None,
        answer = "Health",
        list = false
    ),
    route!(
        "get",
        "/areas",
        "Areas by level, province, key-county flag or list",
        auth = true,
        query = [
            "level", "key", "province", "parent", "list", "q", "page", "per_page"
        ],
        body = None,
        answer = "Area",
        list = true
    ),
    route!(
        "get",
        "/areas/{code}",
        "One area with its county attributes",
        auth = true,
        query = [],
        body = None,
        answer = "Area",
        list = false
    ),
    route!(
        "put",
        "/areas/{code}",
        "Edit a county's attributes (office)",
        auth = true,
        query = [],
        body = Some("CountyAttributes"),
        answer = "Area",
        list = false
    ),
    route!(
        "get",
        "/units",
        "Assisting units the caller may see",
        auth = true,
        query = ["q", "kind", "page", "per_page"],
        body = None,
        answer = "Unit",
        list = true
    ),
    route!(
        "post",
        "/units",
        "Create an assisting unit (office)",
        auth = true,
        query = [],
        body = Some("UnitInput"),
        answer = "Unit",
        list = false
    ),
    route!(
        "get",
        "/units/{id}",
        "One assisting unit",
        auth = true,
        query = [],
        body = None,
        answer = "Unit",
        list = false
    ),
    route!(
        "put",
        "/units/{id}",
        "Edit an assisting unit (office, or the unit itself)",
        auth = true,
        query = [],
        body = Some("UnitInput"),
        answer = "Unit",
        list = false
    ),
    route!(
        "get",
        "/plans",
        "Pairing plans the caller may see",
        auth = true,
        query = ["status", "kind", "q", "page", "per_page"],
        body = None,
        answer = "Plan",
        list = true
    ),
    route!(
        "post",
        "/plans",
        "Create a draft pairing plan (office)",
        auth = true,
        query = [],
        body = Some("PairingPlanInput"),
        answer = "Plan",
        list = false
    ),
    route!(
        "get",
        "/plans/{id}",
        "One pairing plan",
        auth = true,
        query = [],
        body = None,
        answer = "Plan",
        list = false
    ),
    route!(
        "post",
        "/plans/{id}/transition",
        "Move a plan along the workflow",
        auth = true,
        query = [],
        body = Some("Transition"),
        answer = "Plan",
        list = false
    ),
    route!(
        "get",
        "/plans/{id}/coverage",
        "Key counties the plan leaves without a pairing on a day (default today)",
        auth = true,
        query = ["on"],
        body = None,
        answer = "Coverage",
        list = false
    ),
    route!(
        "get",
        "/plans/{id}/pairings",
        "The pairings of a plan the caller may see",
        auth = true,
        query = [],
        body = None,
        answer = "Pairing",
        list = true
    ),
    route!(
        "post",
        "/plans/{id}/pairings",
        "Add a pairing to a draft plan (office)",
        auth = true,
        query = [],
        body = Some("PairingInput"),
        answer = "Pairing",
        list = false
    ),
    route!(
        "get",
        "/pairings",
        "Pairings by unit, county, plan and day",
        auth = true,
        query = [
            "unit",
            "county",
            "plan",
            "active_on",
            "q",
            "page",
            "per_page"
        ],
        body = None,
        answer = "Pairing",
        list = true
    ),
    route!(
        "get",
        "/indicators",
        "Indicators of indicators.md per area and year: the areas of `level` (default county) inside `area`, one year or all; `status`/`cause`/`sex`/`household_type` count only those members",
        auth = true,
        query = [
            "area",
            "year",
            "level",
            "status",
            "cause",
            "sex",
            "household_type",
            "page",
            "per_page"
        ],
        body = None,
        answer = "IndicatorRow",
        list = true
    ),
    route!(
        "get",
        "/households",
        "Registry households with their members; ID numbers always masked (first six, last four). A role that may see them in full asks for one household (`household` and `year`) with `reveal=REASON`; that disclosure is audited with its reason. `name`: the head's exact full name (spaces and width aside; a name search is audited without the name); `village`: a village's full or short name; both within the caller's scope",
        auth = true,
        query = [
            "county",
            "area",
            "year",
            "household",
            "status",
            "name",
            "village",
            "reveal",
            "page",
            "per_page"
        ],
        body = None,
        answer = "Household",
        list = true
    ),
    route!(
        "post",
        "/imports/registry",
        "Start a registry import (the raw CSV or xlsx file as the body); answers 202 with the job to follow at /jobs/{id}",
        auth = true,
        query = [
            "file_name",
            "skip_invalid",
            "dry_run",
            "encoding",
            "ignore_unknown_columns"
        ],
        body = Some("ImportFile"),
        answer = "JobStarted",
        list = false
    ),
    route!(
        "post",
        "/imports/statistics",
        "Import an area statistics file (the raw CSV or xlsx file as the body): all or nothing, or the valid rows with skip_invalid",
        auth = true,
        query = [
            "file_name",
            "skip_invalid",
            "dry_run",
            "encoding",
            "ignore_unknown_columns"
        ],
        body = Some("ImportFile"),
        answer = "StatisticsImported",
        list = false
    ),
    route!(
        "get",
        "/jobs/{id}",
        "A job's state: phase, progress and, when done, the import report or the errors by row and column",
        auth = true,
        query = [],
        body = None,
        answer = "Job",
        list = false
    ),
    route!(
        "get",
        "/poverty-lines",
        "The national rural poverty line per year, yuan per person per year",
        auth = true,
        query = [],
        body = None,
        answer = "PovertyLine",
        list = true
    ),
    route!(
        "post",
        "/account/password",
        "Change the caller's own password (the only route a token with an expired password may use)",
        auth = true,
        query = [],
        body = Some("PasswordChange"),
        answer = "PasswordChanged",
        list = false
    ),
    route!(
        "get",
        "/users",
        "Accounts (administrator, security administrator)",
        auth = true,
        query = ["q", "page", "per_page"],
        body = None,
        answer = "Account",
        list = true
    ),
    route!(
        "post",
        "/users",
        "Create an account without a role (administrator); the security administrator assigns it, and the password must be changed at the first sign-in",
        auth = true,
        query = [],
        body = Some("NewAccount"),
        answer = "Account",
        list = false
    ),
    route!(
        "put",
        "/users/{id}/role",
        "Assign an account's role and scope (security administrator only; never an administrator role, never one's own)",
        auth = true,
        query = [],
        body = Some("RoleAssignment"),
        answer = "Account",
        list = false
    ),
    route!(
        "post",
        "/users/{id}/active",
        "Deactivate or reactivate an account (administrator)",
        auth = true,
        query = [],
        body = Some("AccountActive"),
        answer = "Account",
        list = false
    ),
    route!(
        "post",
        "/users/{id}/unlock",
        "Lift an account's lockout (administrator)",
        auth = true,
        query = [],
        body = None,
        answer = "Account",
        list = false
    ),
    route!(
        "post",
        "/users/{id}/password",
        "Reset an account's password (administrator); it must be changed at the next sign-in, the account keeps its second factor, and its owner is told who reset it and when. Refused (403 `second_factor_missing`) for an account whose role needs a second factor it has not enrolled",
        auth = true,
        query = [],
        body = Some("PasswordReset"),
        answer = "Account",
        list = false
    ),
    route!(
        "post",
        "/users/{id}/second-factor",
        "Reset an account's second factor (security administrator only; never one's own, never an administrator duty): the old one stops working; a role that needs one gets a new one at once (`otpauth` in the answer, to hand to the owner), another role has it removed",
        auth = true,
        query = [],
        body = None,
        answer = "Account",
        list = false
    ),
    route!(
        "get",
        "/audit",
        "The audit log, newest first (auditor only): text in action, account, object or detail (`q`), exact account (`username`), action prefix, outcome (`success`/`failure`/`refused`), Beijing dates `from` and `to` (inclusive, YYYY-MM-DD)",
        auth = true,
        query = [
            "q", "username", "action", "outcome", "from", "to", "page", "per_page"
        ],
        body = None,
        answer = "AuditRecord",
        list = true
    ),
    route!(
        "get",
        "/audit/verify",
        "Walk the audit log's SM3 hash chain from the first record (auditor only): intact, or the first broken record",
        auth = true,
        query = [],
        body = None,
        answer = "AuditChain",
        list = false
    ),
    route!(
        "get",
        "/openapi.json",
        "This document",
        auth = false,
        query = [],
        body = None,
        answer = "OpenApi",
        list = false
    ),
];

fn handler(method: &str, path: &str) -> MethodRouter<AppState> {
    match (method, path) {
        ("post", "/login") => post(login),
        ("post", "/users/{id}/second-factor") => post(accounts::reset_second_factor),
        ("get", "/health") => get(health),
        ("get", "/areas") => get(list_areas),
        ("get", "/areas/{code}") => get(get_area),
        ("put", "/areas/{code}") => put(update_area),
        ("get", "/units") => get(list_units),
        ("post", "/units") => post(create_unit),
        ("get", "/units/{id}") => get(get_unit),
        ("put", "/units/{id}") => put(update_unit),
        ("get", "/plans") => get(list_plans),
        ("post", "/plans") => post(create_plan),
        ("get", "/plans/{id}") => get(get_plan),
        ("post", "/plans/{id}/transition") => post(transition_plan),
        ("get", "/plans/{id}/coverage") => get(plan_coverage),
        ("get", "/plans/{id}/pairings") => get(plan_pairings),
        ("post", "/plans/{id}/pairings") => post(add_pairing),
        ("get", "/pairings") => get(list_pairings),
        ("get", "/indicators") => get(registry::indicators),
        ("get", "/households") => get(registry::households),
        ("post", "/imports/registry") => post(registry::import_registry),
        ("post", "/imports/statistics") => post(registry::import_statistics),
        ("get", "/jobs/{id}") => get(registry::job),
        ("get", "/poverty-lines") => get(registry::poverty_lines),
        ("post", "/account/password") => post(accounts::change_password),
        ("get", "/users") => get(accounts::list_users),
        ("post", "/users") => post(accounts::create_user),
        ("put", "/users/{id}/role") => put(accounts::assign_role),
        ("post", "/users/{id}/active") => post(accounts::set_active),
        ("post", "/users/{id}/unlock") => post(accounts::unlock),
        ("post", "/users/{id}/password") => post(accounts::reset_password),
        ("get", "/audit") => get(list_audit),
        ("get", "/audit/verify") => get(verify_audit),
        ("get", "/openapi.json") => get(openapi_json),
        _ => unreachable!("every route in ROUTES has a handler: {method} {path}"),
    }
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for route in ROUTES {
        r = r.route(route.path, handler(route.method, route.path));
    }
    r.fallback(|| async {
        ApiError {
            error: AppError::not_found("接口", "API route"),
            lang: "zh".into(),
        }
    })
}

type ApiResult = Result<Response, ApiError>;

/// A numeric record id from the path. Anything else names no record: a
/// JSON 404 like every other error (not axum's plain-text 400).
pub(crate) struct Id(pub(crate) i64);

impl axum::extract::FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let raw = Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(raw)| raw)
            .unwrap_or_default();
        raw.trim().parse().map(Id).map_err(|_| ApiError {
            error: AppError::not_found("记录", "record"),
            lang: crate::ctx::accept_lang_of(&parts.headers).into(),
        })
    }
}

fn ok<T: serde::Serialize>(v: T) -> ApiResult {
    Ok(Json(v).into_response())
}

fn created<T: serde::Serialize>(v: T) -> ApiResult {
    Ok((axum::http::StatusCode::CREATED, Json(v)).into_response())
}

fn list<T: serde::Serialize>(items: Vec<T>, total: i64) -> ApiResult {
    ok(json!({ "items": items, "total": total }))
}

fn body<T: DeserializeOwned>(bytes: &Bytes, lang: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError {
        error: AppError::invalid(
            "body",
            "",
            "bad_json",
            format!("请求体不是有效的 JSON：{e}"),
            format!("the body is not valid JSON of the expected shape: {e}"),
        ),
        lang: lang.to_string(),
    })
}

/// The page a list route is asked for: the one paging parser of the API.
/// `page` is a whole number from 1, `per_page` from 1 to
/// [`Page::MAX_PER_PAGE`]; anything else (`-1`, `0`, `100000`, a number too
/// large for the server) is a 422 naming the parameter, never a silent
/// correction. Absent or empty: the defaults (1 and 50).
pub(crate) fn page(q: &HashMap<String, String>, lang: &str) -> Result<Page, ApiError> {
    let number = |k: &str, max: u32| -> Result<Option<u32>, ApiError> {
        let Some(v) = qv(q, k) else {
            return Ok(None);
        };
        let n = (v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .filter(|n| (1..=max as u64).contains(n));
        n.map(|n| Some(n as u32)).ok_or_else(|| ApiError {
            error: AppError::invalid(
                k,
                v.chars().take(20).collect::<String>(),
                "bad_parameter",
                format!("应为 1 到 {max} 之间的整数"),
                format!("must be a whole number from 1 to {max}"),
            ),
            lang: lang.to_string(),
        })
    };
    let page = number("page", i32::MAX as u32)?;
    let per_page = number("per_page", Page::MAX_PER_PAGE)?;
    Ok(Page::new(page, per_page))
}

/// The JSON body of a request that needs `action`: the permission is
/// checked first, so a role that may not do this gets 403 whatever it sent.
fn body_for<T: DeserializeOwned>(c: &ApiCtx, action: Action, bytes: &Bytes) -> Result<T, ApiError> {
    c.actor.require(action).map_err(|e| c.err(e))?;
    body(bytes, &c.lang)
}

fn qv<'a>(q: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A query value that must parse; a bad one is a 422 naming it.
fn parsed<T>(
    q: &HashMap<String, String>,
    k: &str,
    parse: impl Fn(&str) -> Option<T>,
    lang: &str,
) -> Result<Option<T>, ApiError> {
    match qv(q, k) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| ApiError {
            error: AppError::invalid(
                k,
                v,
                "bad_parameter",
                "参数值无效",
                "is not a valid value for this parameter",
            ),
            lang: lang.to_string(),
        }),
    }
}

async fn run<T: Send + 'static>(
    c: &ApiCtx,
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking(f).await.map_err(|e| c.err(e))
}

fn area_json(a: &Area) -> Value {
    let at = a.attributes.clone();
    json!({
        "code": a.code, "name": a.name, "level": a.level, "parent_code": a.parent_code, "western": a.western,
        "key_county": at.as_ref().map(|x| x.key_county), "poor_county": at.as_ref().map(|x| x.poor_county),
        "old_revolutionary": at.as_ref().map(|x| x.old_revolutionary), "ethnic": at.as_ref().map(|x| x.ethnic),
        "border": at.as_ref().map(|x| x.border), "contiguous_area": at.as_ref().and_then(|x| x.contiguous_area.clone()),
        "exit_year": at.as_ref().and_then(|x| x.exit_year),
    })
}

#[derive(serde::Deserialize)]
struct LoginBody {
    username: String,
    password: String,
    /// The TOTP code, for an account with a second factor.
    #[serde(default)]
    totp: Option<String>,
}

async fn login(State(state): State<AppState>, req: Request) -> ApiResult {
    let (parts, b) = req.into_parts();
    let lang = crate::ctx::accept_lang_of(&parts.headers);
    let bytes = axum::body::to_bytes(b, 64 * 1024)
        .await
        .map_err(|e| ApiError {
            error: AppError::invalid("body", "", "bad_body", e.to_string(), e.to_string()),
            lang: lang.into(),
        })?;
    let input: LoginBody = body(&bytes, lang)?;
    let app = state.app.clone();
    let addr = address(&parts);
    let s = blocking(move || {
        app.login(
            &input.username,
            &input.password,
            input.totp.as_deref(),
            SessionKind::Api,
            addr,
        )
    })
    .await
    .map_err(|error| ApiError {
        error,
        lang: lang.into(),
    })?;
    let reset = s.password_reset.map(
        |(by, at)| json!({ "by": by, "at": at, "at_beijing": dingdian_core::time::show_ts(at) }),
    );
    ok(
        json!({ "token": s.token, "restriction": s.restriction.map(|r| r.code()), "password_reset": reset, "user": { "username": s.user.username, "role": s.user.role, "unit_id": s.user.unit_id, "county_code": s.user.county_code } }),
    )
}

/// The server and its database: one trivial query with a short timeout.
/// 200 `{"status": "ok", "database": "ok"}`, or 503 with `"unavailable"`
/// when the database does not answer (the cause goes to the log).
async fn health(State(state): State<AppState>) -> ApiResult {
    let app = state.app.clone();
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        tokio::task::spawn_blocking(move || app.ping()),
    )
    .await;
    let failure = match check {
        Ok(Ok(Ok(()))) => return ok(json!({ "status": "ok", "database": "ok" })),
        Ok(Ok(Err(e))) => e.to_string(),
        Ok(Err(e)) => format!("task failed: {e}"),
        Err(_) => "no answer within 3 s".to_string(),
    };
    tracing::error!("health: the database is unavailable: {failure}");
    Ok((
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "database": "unavailable" })),
    )
        .into_response())
}

async fn openapi_json() -> ApiResult {
    ok(openapi::document())
}

async fn list_areas(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadAreas)?;
    let level = parsed(&q, "level", Level::parse, &c.lang)?.or(Some(Level::County));
    let key = parsed(&q, "key", |v| v.parse::<bool>().ok(), &c.lang)?;
    let f = AreaFilter {
        level,
        key,
        parent: qv(&q, "parent").map(str::to_string),
        province: qv(&q, "province").map(str::to_string),
        list: qv(&q, "list").map(str::to_string),
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_areas(&actor, &f, p)).await?;
    list(items.iter().map(area_json).collect(), total)
}

async fn get_area(State(state): State<AppState>, c: ApiCtx, Path(code): Path<String>) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let a = run(&c, move || app.get_area(&actor, &code)).await?;
    ok(area_json(&a))
}

async fn update_area(
    State(state): State<AppState>,
    c: ApiCtx,
    Path(code): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let attrs: CountyAttributes = body_for(&c, Action::EditAreas, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let a = run(&c, move || {
        app.update_county(&actor, &code, &attrs)?;
        app.get_area(&actor, &code)
    })
    .await?;
    ok(area_json(&a))
}

async fn list_units(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadUnits)?;
    let kind = parsed(&q, "kind", UnitKind::parse, &c.lang)?;
    let f = UnitFilter {
        q: qv(&q, "q").map(str::to_string),
        kind,
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_units(&actor, &f, p)).await?;
    list(items, total)
}

async fn create_unit(State(state): State<AppState>, c: ApiCtx, bytes: Bytes) -> ApiResult {
    let input: UnitInput = body_for(&c, Action::CreateUnits, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        let id = app.create_unit(&actor, &input)?;
        app.get_unit(&actor, id)
    })
    .await?;
    created(u)
}

async fn get_unit(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_unit(&actor, id)).await?)
}

async fn update_unit(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let input: UnitInput = body_for(&c, Action::EditUnits, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let u = run(&c, move || {
        app.update_unit(&actor, id, &input)?;
        app.get_unit(&actor, id)
    })
    .await?;
    ok(u)
}

async fn list_plans(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let f = PairingPlanFilter {
        status: parsed(&q, "status", PairingPlanStatus::parse, &c.lang)?,
        kind: parsed(&q, "kind", PairingPlanKind::parse, &c.lang)?,
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_plans(&actor, &f, p)).await?;
    list(items, total)
}

async fn create_plan(State(state): State<AppState>, c: ApiCtx, bytes: Bytes) -> ApiResult {
    let input: PairingPlanInput = body_for(&c, Action::EditPlans, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let id = app.create_plan(&actor, &input)?;
        app.get_plan(&actor, id)
    })
    .await?;
    created(p)
}

async fn get_plan(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.get_plan(&actor, id)).await?)
}

#[derive(serde::Deserialize)]
struct TransitionBody {
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn transition_plan(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    dingdian_app::plans::require_workflow_role(&c.actor).map_err(|e| c.err(e))?;
    let t: TransitionBody = body(&bytes, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        app.transition_plan(&actor, id, &t.to, t.reason.as_deref())?;
        app.get_plan(&actor, id)
    })
    .await?;
    ok(p)
}

async fn plan_coverage(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let on = parsed(&q, "on", dingdian_core::time::parse_date, &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    ok(run(&c, move || app.plan_coverage(&actor, id, on)).await?)
}

async fn plan_pairings(State(state): State<AppState>, c: ApiCtx, Id(id): Id) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let items = run(&c, move || Ok(app.plan_detail(&actor, id)?.pairings)).await?;
    let n = items.len() as i64;
    list(items, n)
}

async fn add_pairing(
    State(state): State<AppState>,
    c: ApiCtx,
    Id(id): Id,
    bytes: Bytes,
) -> ApiResult {
    let input: PairingInput = body_for(&c, Action::EditPlans, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let p = run(&c, move || {
        let pid = app.add_pairing(&actor, id, &input)?;
        app.plan_detail(&actor, id)?
            .pairings
            .into_iter()
            .find(|p| p.id == pid)
            .ok_or_else(|| {
                AppError::Conflict(Msg::new("vanished", "结对已不存在", "the pairing vanished"))
            })
    })
    .await?;
    created(p)
}

async fn list_pairings(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadPlans)?;
    let f = PairingFilter {
        unit_id: parsed(&q, "unit", |v| v.parse().ok(), &c.lang)?,
        county_code: qv(&q, "county").map(str::to_string),
        plan_id: parsed(&q, "plan", |v| v.parse().ok(), &c.lang)?,
        active_on: parsed(&q, "active_on", dingdian_core::time::parse_date, &c.lang)?,
        plan_statuses: Vec::new(),
        q: qv(&q, "q").map(str::to_string),
    };
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.list_pairings(&actor, &f, p)).await?;
    list(items, total)
}

async fn list_audit(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    c.require(Action::ReadAudit)?;
    let f = crate::pages::admin::audit_filter(&q).map_err(|e| c.err(e))?;
    let (app, actor, p) = (state.app.clone(), c.actor.clone(), page(&q, &c.lang)?);
    let (items, total) = run(&c, move || app.search_audit(&actor, &f, p)).await?;
    let items: Vec<Value> = items
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "at": r.at, "at_beijing": dingdian_core::time::show_ts(r.at),
                "user_id": r.user_id, "username": r.username, "address": r.address,
                "action": r.action, "object_type": r.object_type, "object_id": r.object_id,
                "outcome": r.outcome, "detail": r.detail, "prev_hash": r.prev_hash, "hash": r.hash,
            })
        })
        .collect();
    list(items, total)
}

async fn verify_audit(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let r = run(&c, move || app.verify_audit(&actor)).await?;
    let broken = r.broken.as_ref().map(|b| {
        let m = b.msg();
        json!({ "id": b.id, "at": b.at, "action": b.action, "code": m.code, "message": m.text(&c.lang) })
    });
    ok(json!({
        "intact": r.intact(),
        "checked": r.checked,
        "last_id": r.head.as_ref().map(|h| h.0),
        "last_hash": r.head.as_ref().map(|h| h.1.clone()),
        "broken": broken,
    }))
}

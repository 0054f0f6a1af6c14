//! Villages and households: poor villages with their work teams, a
//! household's assistance record, the county's two lists, and the writes
//! of a county officer (poor villages, team members, helpers, measures)
//! and of a cadre (home visits). Household data is scoped like the
//! registry: a unit reads none of it.

use super::answers::{ApiResult, List, body_for, created, list, ok, run};
use super::query::{PageParams, Q, page, parsed, qv};
use super::records::NewRecord;
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use dingdian_core::household_help::{
    AssistanceRecord, HelpFilter, HelperInput, HouseholdWithoutHelper, MeasureInput, Quarter,
    UnvisitedHelper, VisitInput,
};
use dingdian_core::role::Action;
use dingdian_core::village_team::{PoorVillage, TeamMemberInput};
use dingdian_core::{Year, time};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn help_filter(q: &Q) -> HelpFilter {
    HelpFilter {
        county_code: qv(q, "county").map(str::to_string),
        q: qv(q, "q").map(str::to_string),
    }
}

fn id_text(id: Option<i64>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// Poor villages the caller may see, each with its work team.
#[utoipa::path(get, path = "/villages", tag = "villages",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("q" = Option<String>, Query, description = "text in the village's name or code"),
        PageParams),
    responses((status = 200, body = List<PoorVillage>)))]
pub(super) async fn list_villages(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadAssistance)?;
    let p = page(&q, &c.lang)?;
    let county = qv(&q, "county").map(str::to_string);
    let text = qv(&q, "q").map(str::to_string);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || {
        app.poor_villages(&actor, (county.as_deref(), text.as_deref()), p)
    })
    .await?;
    list(items, total)
}

/// Whether a village of the caller's county is a poor village.
#[derive(Deserialize, Serialize, ToSchema)]
pub(super) struct PoorMark {
    village_code: String,
    poor: bool,
}

/// Mark a village of the county poor, or not (county).
#[utoipa::path(post, path = "/villages", tag = "villages", request_body = PoorMark,
    responses((status = 200, body = PoorMark)))]
pub(super) async fn mark_village(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let m: PoorMark = body_for(&c, Action::AssignHelpers, &bytes)?;
    let (app, actor, code) = (state.app.clone(), c.actor.clone(), m.village_code.clone());
    run(&c, move || app.set_poor_village(&actor, &code, m.poor)).await?;
    ok(m)
}

/// A work team member: a secondment, or a local official's name and post.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewTeamMember {
    village_code: String,
    #[serde(default)]
    secondment_id: Option<i64>,
    #[serde(default)]
    person_name: String,
    #[serde(default)]
    post: String,
    /// first_secretary or member.
    role: String,
    /// YYYY-MM-DD, not after today.
    from_date: String,
    #[serde(default)]
    to_date: String,
}

/// Add a member to a poor village's work team (county).
#[utoipa::path(post, path = "/villages/team-members", tag = "villages",
    request_body = NewTeamMember, responses((status = 201, body = NewRecord)))]
pub(super) async fn add_team_member(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let m: NewTeamMember = body_for(&c, Action::AssignHelpers, &bytes)?;
    let input = TeamMemberInput {
        village_code: m.village_code,
        secondment_id: id_text(m.secondment_id),
        person_name: m.person_name,
        post: m.post,
        role: m.role,
        from_date: m.from_date,
        to_date: m.to_date,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || {
        app.add_team_member(&actor, &input, time::today())
    })
    .await?;
    created(NewRecord { id })
}

/// A household's helper: a secondment, or a local official.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewHelper {
    household_id: String,
    #[serde(default)]
    secondment_id: Option<i64>,
    #[serde(default)]
    person_name: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    phone: String,
    /// YYYY-MM-DD, not after today.
    from_date: String,
    #[serde(default)]
    to_date: String,
}

/// Assign a helper to a household of the county (county).
#[utoipa::path(post, path = "/households/helpers", tag = "villages",
    request_body = NewHelper, responses((status = 201, body = NewRecord)))]
pub(super) async fn assign_helper(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let h: NewHelper = body_for(&c, Action::AssignHelpers, &bytes)?;
    let input = HelperInput {
        household_id: h.household_id,
        secondment_id: id_text(h.secondment_id),
        person_name: h.person_name,
        post: h.post,
        phone: h.phone,
        from_date: h.from_date,
        to_date: h.to_date,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || app.assign_helper(&actor, &input, time::today())).await?;
    created(NewRecord { id })
}

/// Record a measure taken for a household of the county (county).
#[utoipa::path(post, path = "/households/measures", tag = "villages",
    request_body = MeasureInput, responses((status = 201, body = NewRecord)))]
pub(super) async fn add_measure(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let input: MeasureInput = body_for(&c, Action::AssignHelpers, &bytes)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || app.add_measure(&actor, &input, time::today())).await?;
    created(NewRecord { id })
}

/// A helper's home visit.
#[derive(Deserialize, ToSchema)]
pub(super) struct NewVisit {
    household_id: String,
    /// One of the household's helpers.
    helper_id: i64,
    /// YYYY-MM-DD, not after today, within the helper's period.
    date: String,
    found: String,
    done: String,
}

/// Record a home visit (county, cadre in its county).
#[utoipa::path(post, path = "/households/visits", tag = "villages",
    request_body = NewVisit, responses((status = 201, body = NewRecord)))]
pub(super) async fn record_visit(
    State(state): State<AppState>,
    c: ApiCtx,
    bytes: Bytes,
) -> ApiResult {
    let v: NewVisit = body_for(&c, Action::RecordHomeVisits, &bytes)?;
    let input = VisitInput {
        household_id: v.household_id,
        helper_id: v.helper_id.to_string(),
        date: v.date,
        found: v.found,
        done: v.done,
    };
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let id = run(&c, move || {
        app.record_home_visit(&actor, &input, time::today())
    })
    .await?;
    created(NewRecord { id })
}

/// A household's assistance record (帮扶手册): helpers, measures, visits.
#[utoipa::path(get, path = "/households/{id}/assistance", tag = "villages",
    params(
        ("id" = String, Path, description = "the registry's household id"),
        ("year" = Option<i32>, Query, description = "measures and visits of this year only")),
    responses((status = 200, body = AssistanceRecord)))]
pub(super) async fn assistance(
    State(state): State<AppState>,
    c: ApiCtx,
    Path(id): Path<String>,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let year = parsed(&q, "year", |v| Year::parse(v).ok().map(Year::get), &c.lang)?;
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let a = run(&c, move || app.household_assistance(&actor, &id, year)).await?;
    ok(a.record)
}

/// Households of the latest registry year without a helper today.
#[utoipa::path(get, path = "/households/without-helper", tag = "villages",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("q" = Option<String>, Query, description = "text in the household id or village name"),
        PageParams),
    responses((status = 200, body = List<HouseholdWithoutHelper>)))]
pub(super) async fn without_helper(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let (f, p) = (help_filter(&q), page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || {
        app.households_without_helper(&actor, &f, time::today(), p)
    })
    .await?;
    list(items, total)
}

/// Helpers who have not visited their household in the quarter.
#[utoipa::path(get, path = "/helpers/unvisited", tag = "villages",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("quarter" = Option<String>, Query, description = "e.g. 2026-Q3; default this quarter"),
        ("q" = Option<String>, Query, description = "text in the household id or helper's name"),
        PageParams),
    responses((status = 200, body = List<UnvisitedHelper>)))]
pub(super) async fn unvisited(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let quarter = parsed(&q, "quarter", Quarter::parse, &c.lang)?
        .unwrap_or_else(|| Quarter::of(time::today()));
    let (f, p) = (help_filter(&q), page(&q, &c.lang)?);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (items, total) = run(&c, move || app.unvisited_helpers(&actor, &f, quarter, p)).await?;
    list(items, total)
}

//! The registry through the API: households with their members (ID
//! numbers masked unless the role is entitled and gives a reason) and the
//! poverty lines.

use super::answers::{ApiResult, List, all, list, run};
use super::indicators::{area_code, year};
use super::query::{PageParams, Q, page, parsed, qv};
use crate::AppState;
use crate::ctx::ApiCtx;
use axum::extract::{Query, State};
use dingdian_app::AppError;
use dingdian_app::registry::{HouseholdCard, HouseholdExtrasView, MemberView};
use dingdian_core::query::HouseholdFilter;
use dingdian_core::registry::{Cause, PovertyStatus};
use dingdian_core::role::Action;
use serde::Serialize;
use utoipa::ToSchema;

/// A household with its members, as the API shows it: the extended fields
/// (null when not given) beside the contract's.
#[derive(Serialize, ToSchema)]
pub(super) struct HouseholdItem {
    year: i32,
    household_id: String,
    county_code: String,
    village_code: String,
    /// Yuan per person.
    income_per_capita: f64,
    status: PovertyStatus,
    identified_year: i32,
    exit_year: Option<i32>,
    cause: Cause,
    member_count: i64,
    id_numbers_in_full: bool,
    members: Vec<MemberView>,
    #[serde(flatten)]
    extended: HouseholdExtrasView,
}

impl From<HouseholdCard> for HouseholdItem {
    fn from(card: HouseholdCard) -> HouseholdItem {
        let h = card.household;
        HouseholdItem {
            year: h.year,
            household_id: h.household_id,
            county_code: h.county_code,
            village_code: h.village_code,
            income_per_capita: h.income_per_capita,
            status: h.status,
            identified_year: h.identified_year,
            exit_year: h.exit_year,
            cause: h.cause,
            member_count: h.members,
            id_numbers_in_full: card.id_numbers_in_full,
            members: card.members,
            extended: h.extended,
        }
    }
}

/// Registry households with their members; ID numbers always masked (first
/// six, last four). A role that may see them in full asks for one household
/// (`household` and `year`) with `reveal=REASON`; that disclosure is
/// audited with its reason. Both searches stay within the caller's scope.
#[utoipa::path(get, path = "/households", tag = "registry",
    params(
        ("county" = Option<String>, Query, description = "a county's 6 digits"),
        ("area" = Option<String>, Query, description = "an area code of any level"),
        ("year" = Option<i32>, Query),
        ("household" = Option<String>, Query, description = "a household_id"),
        ("status" = Option<PovertyStatus>, Query),
        ("name" = Option<String>, Query, description = "the head's exact full name (spaces and width aside); the search is audited without the name"),
        ("village" = Option<String>, Query, description = "a village's full or short name"),
        ("reveal" = Option<String>, Query, description = "the reason to show one household's ID numbers in full"),
        PageParams),
    responses((status = 200, body = List<HouseholdItem>)))]
pub(super) async fn households(
    State(state): State<AppState>,
    c: ApiCtx,
    Query(q): Query<Q>,
) -> ApiResult {
    c.require(Action::ReadRegistry)?;
    let county = |v: &str| (v.len() == 6).then(|| area_code(v)).flatten();
    let county = parsed(&q, "county", county, &c.lang)?;
    let area = parsed(&q, "area", area_code, &c.lang)?;
    let mut f = HouseholdFilter {
        year: parsed(&q, "year", year, &c.lang)?,
        area: area.or(county),
        household_id: qv(&q, "household").map(str::to_string),
        status: parsed(&q, "status", PovertyStatus::parse, &c.lang)?.map(|s| s.code()),
        ..Default::default()
    };
    let p = page(&q, &c.lang)?;
    if let Some(reason) = qv(&q, "reveal") {
        return disclose(&state, &c, &f, reason).await;
    }
    let name = qv(&q, "name").map(str::to_string);
    let village = qv(&q, "village").map(str::to_string);
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let (cards, total) = run(&c, move || {
        if let Some(n) = &name {
            f.head_name_index = Some(app.head_name_filter(&actor, n)?);
        }
        if let Some(v) = &village {
            f.villages = Some(app.village_filter(&actor, f.area.as_deref(), v)?);
        }
        app.household_pages(&actor, &f, p)
    })
    .await?;
    list(cards.into_iter().map(HouseholdItem::from).collect(), total)
}

/// One household with its ID numbers in full, for a reason (audited); a
/// role not entitled to them gets them masked, as on the household page.
async fn disclose(state: &AppState, c: &ApiCtx, f: &HouseholdFilter, reason: &str) -> ApiResult {
    let (Some(year), Some(code)) = (f.year, f.household_id.clone()) else {
        return Err(c.err(AppError::invalid(
            "reveal",
            "",
            "reveal_one_household",
            "完整证件号码只能逐户查看：请同时给出 household 和 year",
            "full ID numbers are shown one household at a time: give household and year",
        )));
    };
    let (app, actor, reason) = (state.app.clone(), c.actor.clone(), reason.to_string());
    let card = run(c, move || {
        app.household_card(&actor, year, &code, Some(&reason))
    })
    .await;
    match card {
        Ok(card) => all(vec![HouseholdItem::from(card)]),
        Err(e) if matches!(e.error, AppError::NotFound(_)) => all(Vec::<HouseholdItem>::new()),
        Err(e) => Err(e),
    }
}

#[derive(Serialize, ToSchema)]
pub(super) struct PovertyLineItem {
    year: i32,
    /// Yuan per person and year.
    line_yuan: f64,
    line_fen: i64,
    note: Option<String>,
}

/// The national rural poverty line per year, yuan per person per year (not
/// paged).
#[utoipa::path(get, path = "/poverty-lines", tag = "registry",
    responses((status = 200, body = List<PovertyLineItem>)))]
pub(super) async fn poverty_lines(State(state): State<AppState>, c: ApiCtx) -> ApiResult {
    let (app, actor) = (state.app.clone(), c.actor.clone());
    let lines = run(&c, move || app.poverty_lines(&actor)).await?;
    let items = lines.into_iter().map(|l| PovertyLineItem {
        year: l.year,
        line_yuan: dingdian_core::Fen::new(l.line_fen).yuan(),
        line_fen: l.line_fen,
        note: l.note,
    });
    all(items.collect())
}

//! The household card: members (ID numbers masked unless the role is
//! entitled, or shown in full for a reason that is audited) and timeline.

use super::lines::line_text;
use super::{card_href, cause_label, registry_crumbs, relation_label, status_label};
use crate::AppState;
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::yuan;
use crate::i18n::t;
use crate::render;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dingdian_app::AppError;
use dingdian_app::registry::{HouseholdCard, HouseholdExtrasView};
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Member {
    name: String,
    id_number: String,
    relation: String,
    sex: String,
    birth_year: i32,
    health: String,
    education: String,
    labour_skill: String,
    migrant_work: String,
}

/// The extended household fields that were given, as (label, text) pairs
/// for the card.
fn extended_facts(x: &HouseholdExtrasView, lang: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(h) = x.household_type {
        out.push((
            t(lang, "household_type"),
            t(lang, &format!("household_type_{}", h.as_str())),
        ));
    }
    if !x.other_causes.is_empty() {
        let words: Vec<String> = x
            .other_causes
            .iter()
            .map(|c| cause_label(*c, lang))
            .collect();
        out.push((
            t(lang, "other_causes"),
            words.join(if lang == "en" { ", " } else { "、" }),
        ));
    }
    for (key, v) in [
        ("wage_income", x.wage_income),
        ("business_income", x.business_income),
        ("property_income", x.property_income),
        ("transfer_income", x.transfer_income),
    ] {
        if let Some(v) = v {
            // Exact to the fen: these are amounts as recorded, not averages.
            let fen = (v * 100.0).round() as i64;
            out.push((
                t(lang, key),
                format!(
                    "{} {}",
                    line_text(fen, true),
                    t(lang, "unit_yuan_household_year")
                ),
            ));
        }
    }
    for (key, v) in [
        ("food_secure", x.food_secure),
        ("clothing_secure", x.clothing_secure),
        ("education_secure", x.education_secure),
        ("medical_secure", x.medical_secure),
        ("housing_secure", x.housing_secure),
        ("water_secure", x.water_secure),
    ] {
        if let Some(v) = v {
            out.push((t(lang, key), t(lang, if v { "yes" } else { "no" })));
        }
    }
    out
}

/// An extended member field's label ("" when not given); `prefix` names
/// the field's family of catalogue keys ("health_").
fn member_word(prefix: &str, word: Option<&str>, lang: &str) -> String {
    word.map(|w| t(lang, &format!("{prefix}{w}")))
        .unwrap_or_default()
}

#[derive(Serialize)]
struct YearBox {
    year: i32,
    href: String,
    status: &'static str,
    label: String,
    current: bool,
    /// Another head than the year before: the history breaks here.
    head_changed: bool,
}

/// Years of a household number under one head, as the card lists them.
#[derive(Serialize)]
struct HeadPeriod {
    from: i32,
    to: i32,
    head: String,
    changed: bool,
}

/// The timeline's years grouped by head: a new period starts where the
/// head changes.
fn head_periods(heads: &[dingdian_app::identity::TimelineHead]) -> Vec<HeadPeriod> {
    let mut out: Vec<HeadPeriod> = Vec::new();
    for h in heads {
        match out.last_mut() {
            Some(p) if !h.head_changed => p.to = h.year,
            _ => out.push(HeadPeriod {
                from: h.year,
                to: h.year,
                head: h.head.clone().unwrap_or_default(),
                changed: h.head_changed,
            }),
        }
    }
    out
}

pub(super) async fn card(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((year, household)): Path<(String, String)>,
) -> Response {
    card_page(state, pc, year, household, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RevealForm {
    reason: String,
}

/// The card again with the ID numbers in full, for the reason given (it
/// goes into the audit log).
pub(super) async fn reveal(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((year, household)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RevealForm>,
) -> Response {
    let reason = form.reason;
    if reason.trim().is_empty() {
        let e = AppError::invalid(
            "reason",
            "",
            "required",
            "请填写查看完整证件号码的原因",
            "give the reason for seeing the ID numbers in full",
        );
        return PageError(e).into_response();
    }
    card_page(state, pc, year, household, Some(reason)).await
}

fn members_of(card: &HouseholdCard, lang: &str) -> Vec<Member> {
    card.members
        .iter()
        .map(|m| Member {
            name: m.name.clone(),
            id_number: m.id_number.clone(),
            relation: relation_label(m.relation, lang),
            sex: t(lang, &format!("sex_{}", m.sex)),
            birth_year: m.birth_year,
            health: member_word("health_", m.health.map(|v| v.as_str()), lang),
            education: member_word("education_", m.education.map(|v| v.as_str()), lang),
            labour_skill: member_word("labour_skill_", m.labour_skill.map(|v| v.as_str()), lang),
            migrant_work: member_word("migrant_work_", m.migrant_work.map(|v| v.as_str()), lang),
        })
        .collect()
}

/// The household number's years, this card's year marked.
fn timeline_of(card: &HouseholdCard, lang: &str) -> Vec<YearBox> {
    card.timeline
        .iter()
        .map(|v| YearBox {
            year: v.year,
            href: card_href(v.year, &v.household_id),
            status: v.status.as_str(),
            label: status_label(v.status, lang),
            current: v.year == card.household.year,
            head_changed: card
                .timeline_heads
                .iter()
                .any(|x| x.year == v.year && x.head_changed),
        })
        .collect()
}

async fn card_page(
    state: AppState,
    pc: PageCtx,
    year: String,
    household: String,
    reveal: Option<String>,
) -> Response {
    let Ok(year) = year.parse::<i32>() else {
        return PageError(AppError::not_found("建档立卡户", "household")).into_response();
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || {
        let card: HouseholdCard =
            app.household_card(&actor, year, &household, reveal.as_deref())?;
        let lineage = app.area_lineage(&actor, &card.household.village_code)?;
        let help = app.household_assistance(&actor, &card.household.household_id, None)?;
        Ok((card, lineage, help))
    })
    .await;
    let (card, lineage, help) = match result {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let h = &card.household;
    let members = members_of(&card, lang);
    let timeline = timeline_of(&card, lang);
    let periods = head_periods(&card.timeline_heads);
    let head_breaks = periods.iter().filter(|p| p.changed).count();
    let village = lineage
        .last()
        .map(|l| dingdian_core::area::short_village_name(&l.1))
        .unwrap_or_default();
    let household = context! {
        year => h.year,
        household_id => h.household_id.clone(),
        village_code => h.village_code.clone(),
        village,
        county_code => h.county_code.clone(),
        income => yuan(Some(h.income_per_capita)),
        status => h.status.as_str(),
        status_label => status_label(h.status, lang),
        identified_year => h.identified_year,
        exit_year => h.exit_year,
        cause => cause_label(h.cause, lang),
        members => members.len(),
        extended => extended_facts(&h.extended, lang),
    };
    let title = format!("{} {}", t(lang, "reg_household"), h.household_id);
    let mut crumbs = registry_crumbs(lang, &lineage, Some(h.year));
    crumbs.push((String::new(), h.household_id.clone()));
    let member_extras = members.iter().any(|m| {
        !(m.health.is_empty()
            && m.education.is_empty()
            && m.labour_skill.is_empty()
            && m.migrant_work.is_empty())
    });
    let ctx = context! {
        household,
        members,
        member_extras,
        timeline,
        periods,
        head_breaks,
        in_full => card.id_numbers_in_full,
        may_reveal => card.may_reveal,
        href => card_href(h.year, &h.household_id),
        help => super::assistance::view(&help, h.year, lang),
        may_flag => pc.actor.role.may(dingdian_core::role::Action::FlagHouseholds),
    };
    render::page(&state, &pc, "household.html", &title, crumbs, ctx).await
}

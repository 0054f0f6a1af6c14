//! The registry (建档立卡): households by area and year, the household card
//! with its members (ID numbers masked unless the role is entitled) and its
//! timeline, search by ID number, the imports (registry as a job with a
//! progress page, statistics at once) and the poverty lines.

mod assistance;
mod card;
mod imports;
mod jobs;
mod lines;
mod list;
mod search;

use crate::AppState;
use crate::format::yuan;
use crate::i18n::t;
use axum::Router;
use axum::routing::{get, post};
use card::{card, reveal};
use dingdian_app::AppError;
use dingdian_app::registry::HouseholdView;
use dingdian_app::tabular::Column;
use dingdian_core::registry::{Cause, PovertyStatus, Relation};
use imports::{
    import_form, import_registry, import_statistics, registry_template, statistics_template,
};
use jobs::{job, job_rejects};
use lines::{poverty_lines, set_poverty_line};
use list::list;
use search::search;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry", get(list))
        .route("/registry/search", get(search))
        .route("/registry/import", get(import_form).post(import_registry))
        .route("/registry/statistics", post(import_statistics))
        .route("/registry/template.xlsx", get(registry_template))
        .route(
            "/registry/statistics-template.xlsx",
            get(statistics_template),
        )
        .route("/registry/{year}/{household}", get(card).post(reveal))
        .route("/jobs/{id}", get(job))
        .route("/jobs/{id}/rejects.csv", get(job_rejects))
        .route("/poverty-lines", get(poverty_lines).post(set_poverty_line))
}

fn status_label(s: PovertyStatus, lang: &str) -> String {
    t(lang, &format!("reg_status_{}", s.as_str()))
}

fn cause_label(c: Cause, lang: &str) -> String {
    t(lang, &format!("reg_cause_{}", c.as_str()))
}

fn relation_label(r: Relation, lang: &str) -> String {
    t(lang, &format!("relation_{}", r.as_str()))
}

/// A column's name as the user reads it: Chinese or English header.
fn column_label(columns: &[Column], name: &str, lang: &str) -> String {
    columns
        .iter()
        .find(|c| c.en == name)
        .map(|c| if lang == "en" { c.en } else { c.zh }.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// An area code of the registry filters: 2, 4, 6, 9 or 12 digits.
fn checked_area(a: &str) -> Result<String, AppError> {
    super::indicators::level_of(Some(a)).map(|_| a.to_string())
}

/// Village (and other area) names of codes.
fn names_of(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    codes: BTreeSet<String>,
) -> Result<HashMap<String, String>, AppError> {
    let codes: Vec<String> = codes.into_iter().collect();
    app.area_names(actor, &codes)
}

#[derive(Serialize)]
struct Row {
    year: i32,
    household_id: String,
    href: String,
    village_code: String,
    village: String,
    members: i64,
    income: String,
    status: &'static str,
    status_label: String,
    identified_year: i32,
    exit_year: Option<i32>,
    cause: String,
}

pub(crate) fn card_href(year: i32, household: &str) -> String {
    format!("/registry/{year}/{}", urlencoding::encode(household))
}

fn row_of(h: &HouseholdView, names: &HashMap<String, String>, lang: &str) -> Row {
    Row {
        year: h.year,
        household_id: h.household_id.clone(),
        href: card_href(h.year, &h.household_id),
        village_code: h.village_code.clone(),
        village: names
            .get(&h.village_code)
            .map(|n| dingdian_core::area::short_village_name(n))
            .unwrap_or_default(),
        members: h.members,
        income: yuan(Some(h.income_per_capita)),
        status: h.status.as_str(),
        status_label: status_label(h.status, lang),
        identified_year: h.identified_year,
        exit_year: h.exit_year,
        cause: cause_label(h.cause, lang),
    }
}

/// Breadcrumbs of the registry: 户信息, then the area's lineage.
fn registry_crumbs(
    lang: &str,
    lineage: &[(String, String)],
    year: Option<i32>,
) -> Vec<(String, String)> {
    let y = year.map(|y| format!("&year={y}")).unwrap_or_default();
    let mut c = vec![(format!("/registry?area={y}"), t(lang, "nav_households"))];
    c.extend(lineage.iter().map(|(code, name)| {
        let short = dingdian_core::area::short_area_name(code, name);
        (format!("/registry?area={code}{y}"), short)
    }));
    c
}

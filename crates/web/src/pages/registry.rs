//! The registry (建档立卡): households by area and year, the household card
//! with its members (ID numbers masked unless the role is entitled) and its
//! timeline, search by ID number, the imports (registry as a job with a
//! progress page, statistics at once) and the poverty lines.

use super::{
    Query, done, error_message, error_page, field, field_errors, list_nav, page_of, q, read_upload,
    wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::ctx::{PageCtx, blocking};
use crate::format::{thousands, yuan};
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dingdian_app::jobs::JobState;
use dingdian_app::registry::{
    HouseholdCard, HouseholdExtrasView, HouseholdView, ImportError, ImportOptions,
    REGISTRY_COLUMNS, STATISTICS_COLUMNS, StatisticsReport,
};
use dingdian_app::tabular::{self, Cell, Column};
use dingdian_app::{Actor, AppError, Page};
use dingdian_core::FieldError;
use dingdian_core::query::{AreaFilter, HouseholdFilter};
use dingdian_core::registry::{ALL_STATUSES, Cause, PovertyStatus, Relation, check_digit};
use dingdian_core::role::Action;
use minijinja::context;
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

fn card_href(year: i32, household: &str) -> String {
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

struct Listing {
    items: Vec<HouseholdView>,
    total: i64,
    years: Vec<i32>,
    names: HashMap<String, String>,
    lineage: Vec<(String, String)>,
    children: Vec<(String, String)>,
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let area = match q(&query, "area") {
        Some(a) => match checked_area(a) {
            Ok(a) => Some(a),
            Err(e) => return error_page(&state, &pc, e).await,
        },
        None if !query.contains_key("area") => pc.actor.scope.county().map(str::to_string),
        None => None,
    };
    let year_asked = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let status = q(&query, "status").and_then(PovertyStatus::parse);
    let household = q(&query, "q").map(str::to_string);
    let xlsx = wants_xlsx(&query);
    let page = if xlsx { Page::all() } else { page_of(&query) };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let a2 = area.clone();
    let h2 = household.clone();
    let result = blocking(move || {
        let years = app.registry_years(&actor)?;
        let year = year_asked.or_else(|| years.first().copied());
        let f = HouseholdFilter {
            year,
            area: a2.clone(),
            household_id: h2,
            status: status.map(|s| s.code()),
            ..Default::default()
        };
        let (items, total) = app.list_households(&actor, &f, page)?;
        let names = names_of(
            &app,
            &actor,
            items.iter().map(|h| h.village_code.clone()).collect(),
        )?;
        let (lineage, children) = match &a2 {
            Some(a) => {
                let lineage = app.area_lineage(&actor, a)?;
                let children = if a.len() < 12 {
                    app.list_areas(
                        &actor,
                        &AreaFilter {
                            parent: Some(a.clone()),
                            level: None,
                            ..Default::default()
                        },
                        Page::all(),
                    )?
                    .0
                    .into_iter()
                    .map(|c| {
                        let name = dingdian_core::area::short_area_name(&c.code, &c.name);
                        (c.code, name)
                    })
                    .collect()
                } else {
                    Vec::new()
                };
                (lineage, children)
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok((
            year,
            Listing {
                items,
                total,
                years,
                names,
                lineage,
                children,
            },
        ))
    })
    .await;
    let (year, l) = match result {
        Ok(r) => r,
        Err(e) => return error_page(&state, &pc, e).await,
    };
    let lang = pc.lang.as_str();
    if xlsx {
        let headers: Vec<String> = [
            "year",
            "reg_household",
            "village_code",
            "reg_village",
            "reg_members",
            "reg_income",
            "reg_status",
            "reg_identified_year",
            "reg_exit_year",
            "reg_cause",
        ]
        .iter()
        .map(|k| t(lang, k))
        .collect();
        let rows: Vec<Vec<Cell>> = l
            .items
            .iter()
            .map(|h| {
                vec![
                    Cell::Int(h.year as i64),
                    h.household_id.clone().into(),
                    h.village_code.clone().into(),
                    l.names.get(&h.village_code).cloned().into(),
                    Cell::Int(h.members),
                    Cell::Number(h.income_per_capita.round()),
                    status_label(h.status, lang).into(),
                    Cell::Int(h.identified_year as i64),
                    h.exit_year.map(|y| y as i64).into(),
                    cause_label(h.cause, lang).into(),
                ]
            })
            .collect();
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        let export = dingdian_app::PageExport::Households;
        return match blocking(move || app.export_page(&actor, export, &headers, &rows)).await {
            Ok(bytes) => xlsx_response(
                &format!("households-{}", area.as_deref().unwrap_or("all")),
                bytes,
            ),
            Err(e) => error_page(&state, &pc, e).await,
        };
    }
    let items: Vec<Row> = l.items.iter().map(|h| row_of(h, &l.names, lang)).collect();
    let y = year.map(|y| format!("&year={y}")).unwrap_or_default();
    let children: Vec<(String, String)> = l
        .children
        .into_iter()
        .map(|(code, name)| (format!("/registry?area={code}{y}"), name))
        .collect();
    let statuses: Vec<(&str, String)> = ALL_STATUSES
        .iter()
        .map(|s| (s.as_str(), status_label(*s, lang)))
        .collect();
    let mut nav_query = query.clone();
    if let Some(y) = year {
        nav_query.insert("year".into(), y.to_string());
    }
    if let Some(a) = &area {
        nav_query.insert("area".into(), a.clone());
    }
    let title = match l.lineage.last() {
        Some((code, name)) => format!(
            "{} · {}",
            t(lang, "nav_households"),
            dingdian_core::area::short_area_name(code, name)
        ),
        None => t(lang, "nav_households"),
    };
    let ctx = context! {
        items,
        children,
        statuses,
        years => l.years,
        area_name => l.lineage.last().map(|x| dingdian_core::area::short_area_name(&x.0, &x.1)),
        indicators_href => area.as_ref().filter(|_| pc.actor.role.may(Action::ReadIndicators)).map(|a| format!("/indicators?area={a}{y}")),
        can_import => pc.actor.role.may(Action::ImportRegistry),
        list => list_nav("/registry", &nav_query, page, l.total, true),
        f => context! {
            area => area.clone().unwrap_or_default(),
            year => year,
            q => household.unwrap_or_default(),
            status => status.map(|s| s.as_str()).unwrap_or(""),
        },
    };
    let crumbs = if l.lineage.is_empty() {
        vec![]
    } else {
        registry_crumbs(lang, &l.lineage, year)
    };
    render::page(&state, &pc, "registry.html", &title, crumbs, ctx).await
}

/// The ID number's registrations, each with its household's own fields
/// (not its card: opening a card may disclose ID numbers, which a search
/// must not do by itself).
type IdFound = Vec<(i32, String, Option<HouseholdView>)>;

fn find_by_id(app: &dingdian_app::App, actor: &Actor, id: &str) -> Result<IdFound, AppError> {
    let mut out = Vec::new();
    for (year, household) in app.find_by_id_number(actor, id)? {
        let f = HouseholdFilter {
            year: Some(year),
            household_id: Some(household.clone()),
            ..Default::default()
        };
        let h = app
            .list_households(actor, &f, Page::new(Some(1), Some(1)))?
            .0
            .into_iter()
            .next();
        out.push((year, household, h));
    }
    Ok(out)
}

/// What a search by head's name or village finds, a page of it.
struct NameFound {
    items: Vec<HouseholdView>,
    total: i64,
    names: HashMap<String, String>,
}

fn find_by_name(
    app: &dingdian_app::App,
    actor: &Actor,
    (name, village, year): (&str, &str, Option<i32>),
    page: Page,
) -> Result<NameFound, AppError> {
    actor.require(Action::ReadRegistry)?;
    let mut f = HouseholdFilter {
        year,
        ..Default::default()
    };
    if !name.is_empty() {
        f.head_name_index = Some(app.head_name_filter(actor, name)?);
    }
    if !village.is_empty() {
        f.villages = Some(app.village_filter(actor, None, village)?);
    }
    let (items, total) = app.list_households(actor, &f, page)?;
    let names = names_of(
        app,
        actor,
        items.iter().map(|h| h.village_code.clone()).collect(),
    )?;
    Ok(NameFound {
        items,
        total,
        names,
    })
}

/// `/registry/search`: by ID number (`id_number`), or by the head's whole
/// name (`name`) and/or the village's name (`village`), within the scope.
async fn search(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let id = q(&query, "id_number").unwrap_or("").to_string();
    let name = q(&query, "name").unwrap_or("").to_string();
    let village = q(&query, "village").unwrap_or("").to_string();
    let year = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let page = page_of(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let (i2, n2, v2) = (id.clone(), name.clone(), village.clone());
    let result = blocking(move || {
        actor.require(Action::ReadRegistry)?;
        let by_id = match i2.is_empty() {
            true => None,
            false => Some(find_by_id(&app, &actor, &i2)?),
        };
        let by_name = match n2.is_empty() && v2.is_empty() {
            true => None,
            false => Some(find_by_name(&app, &actor, (&n2, &v2, year), page)?),
        };
        let years = app.registry_years(&actor)?;
        Ok((by_id, by_name, years))
    })
    .await;
    let lang = pc.lang.as_str();
    let (status, found, by_name, years, errors) = match result {
        Ok((f, n, y)) => (StatusCode::OK, f, n, y, HashMap::new()),
        Err(e @ AppError::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            None,
            Vec::new(),
            field_errors(&e, lang),
        ),
        Err(e) => return error_page(&state, &pc, e).await,
    };
    let results: Option<Vec<_>> = found.map(|v| {
        v.into_iter()
            .map(|(year, household, c)| {
                context! {
                    year,
                    household => household.clone(),
                    href => card_href(year, &household),
                    status => c.as_ref().map(|h| h.status.as_str()),
                    status_label => c.as_ref().map(|h| status_label(h.status, lang)),
                    village_code => c.as_ref().map(|h| h.village_code.clone()),
                }
            })
            .collect()
    });
    let (households, list) = match by_name {
        Some(n) => (
            Some(
                n.items
                    .iter()
                    .map(|h| row_of(h, &n.names, lang))
                    .collect::<Vec<Row>>(),
            ),
            Some(list_nav("/registry/search", &query, page, n.total, false)),
        ),
        None => (None, None),
    };
    let title = t(lang, "household_search");
    let crumbs = vec![
        ("/registry".into(), t(lang, "nav_households")),
        (String::new(), title.clone()),
    ];
    let ctx = context! {
        id_number => id, name, village, year, years, results, households, list, errors,
    };
    render::page_with_status(
        &state,
        &pc,
        status,
        "registry_search.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

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

/// An extended member field's label ("" when not given).
fn member_word(key: &str, word: Option<&str>, lang: &str) -> String {
    word.map(|w| t(lang, &format!("{key}_{w}")))
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

async fn card(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((year, household)): Path<(String, String)>,
) -> Response {
    card_page(state, pc, year, household, None).await
}

/// The card again with the ID numbers in full, for the reason given (it
/// goes into the audit log).
async fn reveal(
    State(state): State<AppState>,
    pc: PageCtx,
    Path((year, household)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = pc.check_csrf(form.get("_csrf").map(String::as_str).unwrap_or("")) {
        return error_page(&state, &pc, e).await;
    }
    let reason = form.get("reason").cloned().unwrap_or_default();
    if reason.trim().is_empty() {
        let e = AppError::invalid(
            "reason",
            "",
            "required",
            "请填写查看完整证件号码的原因",
            "give the reason for seeing the ID numbers in full",
        );
        return error_page(&state, &pc, e).await;
    }
    card_page(state, pc, year, household, Some(reason)).await
}

async fn card_page(
    state: AppState,
    pc: PageCtx,
    year: String,
    household: String,
    reveal: Option<String>,
) -> Response {
    let Ok(year) = year.parse::<i32>() else {
        return error_page(&state, &pc, AppError::not_found("建档立卡户", "household")).await;
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || {
        let card: HouseholdCard =
            app.household_card(&actor, year, &household, reveal.as_deref())?;
        let lineage = app.area_lineage(&actor, &card.household.village_code)?;
        Ok((card, lineage))
    })
    .await;
    let (card, lineage) = match result {
        Ok(r) => r,
        Err(e) => return error_page(&state, &pc, e).await,
    };
    let lang = pc.lang.as_str();
    let h = &card.household;
    let members: Vec<Member> = card
        .members
        .iter()
        .map(|m| Member {
            name: m.name.clone(),
            id_number: m.id_number.clone(),
            relation: relation_label(m.relation, lang),
            sex: t(lang, &format!("sex_{}", m.sex)),
            birth_year: m.birth_year,
            health: member_word("health", m.health.map(|v| v.as_str()), lang),
            education: member_word("education", m.education.map(|v| v.as_str()), lang),
            labour_skill: member_word("labour_skill", m.labour_skill.map(|v| v.as_str()), lang),
            migrant_work: member_word("migrant_work", m.migrant_work.map(|v| v.as_str()), lang),
        })
        .collect();
    let timeline: Vec<YearBox> = card
        .timeline
        .iter()
        .map(|v| YearBox {
            year: v.year,
            href: card_href(v.year, &v.household_id),
            status: v.status.as_str(),
            label: status_label(v.status, lang),
            current: v.year == h.year,
            head_changed: card
                .timeline_heads
                .iter()
                .any(|x| x.year == v.year && x.head_changed),
        })
        .collect();
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
    };
    render::page(&state, &pc, "household.html", &title, crumbs, ctx).await
}

// ---- imports ----

/// Import errors as table rows: Excel row, the column as the user names
/// it, the value, the message in the user's language.
fn import_error_rows(
    errors: &[FieldError],
    columns: &[Column],
    lang: &str,
) -> Vec<minijinja::Value> {
    errors
        .iter()
        .map(|f| {
            context! {
                row => f.row,
                field => column_label(columns, &f.field, lang),
                value => f.value.clone(),
                message => f.msg.text(lang).to_string(),
            }
        })
        .collect()
}

async fn import_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    registry_error: Option<AppError>,
    statistics_error: Option<AppError>,
) -> Response {
    import_page_with(state, pc, status, registry_error, statistics_error, None).await
}

/// The import page; `statistics_report` is a statistics import that left
/// rows out (skip invalid rows): what was imported and every row left
/// out, with why.
async fn import_page_with(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    registry_error: Option<AppError>,
    statistics_error: Option<AppError>,
    statistics_report: Option<StatisticsReport>,
) -> Response {
    let lang = pc.lang.as_str();
    let rows = |e: &Option<AppError>, cols: &[Column]| match e {
        Some(AppError::Invalid(errs)) => import_error_rows(errs, cols, lang),
        _ => Vec::new(),
    };
    let statistics_rows = match &statistics_report {
        Some(r) => import_error_rows(&r.errors, STATISTICS_COLUMNS, lang),
        None => rows(&statistics_error, STATISTICS_COLUMNS),
    };
    let ctx = context! {
        registry_error => registry_error.as_ref().map(|e| error_message(e, lang)),
        registry_rows => rows(&registry_error, REGISTRY_COLUMNS),
        statistics_error => statistics_error.as_ref().map(|e| error_message(e, lang)),
        statistics_rows,
        statistics_partial => statistics_report.as_ref().map(|r| context! { rows => r.rows, rejected => r.rejected, dry_run => r.dry_run }),
        registry_columns => REGISTRY_COLUMNS.iter().filter(|c| c.required).map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
        registry_optional_columns => REGISTRY_COLUMNS.iter().filter(|c| !c.required).map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
        statistics_columns => STATISTICS_COLUMNS.iter().map(|c| if lang == "en" { c.en } else { c.zh }).collect::<Vec<_>>(),
    };
    let title = t(lang, "nav_registry_import");
    render::page_with_status(
        state,
        pc,
        status,
        "registry_import.html",
        &title,
        vec![],
        ctx,
    )
    .await
}

async fn import_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Err(e) = pc.actor.require(Action::ImportRegistry) {
        return error_page(&state, &pc, e).await;
    }
    import_page(&state, &pc, StatusCode::OK, None, None).await
}

fn checked(fields: &HashMap<String, String>, name: &str) -> bool {
    matches!(field(fields, name), "true" | "on" | "1" | "yes")
}

async fn import_registry(State(state): State<AppState>, pc: PageCtx, mp: Multipart) -> Response {
    let up = match read_upload(mp).await {
        Ok(u) => u,
        Err(e) => {
            return import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e), None).await;
        }
    };
    if let Err(e) = pc.check_csrf(field(&up.fields, "_csrf")) {
        return error_page(&state, &pc, e).await;
    }
    let opts = ImportOptions {
        skip_invalid: checked(&up.fields, "skip_invalid"),
        dry_run: checked(&up.fields, "dry_run"),
        ..Default::default()
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.start_registry_import(&actor, &up.file_name, up.bytes, opts)).await {
        Ok(id) => Redirect::to(&format!("/jobs/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, Some(e), None).await
        }
        Err(e) => error_page(&state, &pc, e).await,
    }
}

async fn import_statistics(State(state): State<AppState>, pc: PageCtx, mp: Multipart) -> Response {
    let up = match read_upload(mp).await {
        Ok(u) => u,
        Err(e) => {
            return import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)).await;
        }
    };
    if let Err(e) = pc.check_csrf(field(&up.fields, "_csrf")) {
        return error_page(&state, &pc, e).await;
    }
    let opts = ImportOptions {
        skip_invalid: checked(&up.fields, "skip_invalid"),
        dry_run: checked(&up.fields, "dry_run"),
        ..Default::default()
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.import_statistics(&actor, &up.file_name, &up.bytes, opts)).await {
        Ok(report) if report.rejected > 0 => {
            import_page_with(&state, &pc, StatusCode::OK, None, None, Some(report)).await
        }
        Ok(_) if opts.dry_run => done("/registry/import", "checked"),
        Ok(_) => done("/registry/import", "statistics"),
        Err(e @ AppError::Invalid(_)) => {
            import_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)).await
        }
        Err(e) => error_page(&state, &pc, e).await,
    }
}

/// A valid example ID number (GB 11643 check digit computed).
fn example_id() -> String {
    let first = "62302319800101001";
    format!("{first}{}", check_digit(first).unwrap_or('0'))
}

async fn registry_template(State(state): State<AppState>, pc: PageCtx) -> Response {
    let headers: Vec<String> = REGISTRY_COLUMNS.iter().map(|c| c.zh.to_string()).collect();
    let example: Vec<Vec<Cell>> = vec![vec![
        Cell::Int(2014),
        "623023100200".into(),
        "6230231002000001".into(),
        example_id().into(),
        "张三".into(),
        "户主".into(),
        "2300.50".into(),
        "未脱贫".into(),
        Cell::Int(2014),
        Cell::Empty,
        "因病".into(),
    ]];
    match tabular::write_xlsx("registry", &headers, &example) {
        Ok(bytes) => xlsx_response("registry-template", bytes),
        Err(e) => error_page(&state, &pc, e).await,
    }
}

async fn statistics_template(State(state): State<AppState>, pc: PageCtx) -> Response {
    let headers: Vec<String> = STATISTICS_COLUMNS
        .iter()
        .map(|c| c.zh.to_string())
        .collect();
    let example: Vec<Vec<Cell>> = vec![vec![
        Cell::Int(2014),
        "623023".into(),
        Cell::Int(120_000),
        "4675".into(),
    ]];
    match tabular::write_xlsx("statistics", &headers, &example) {
        Ok(bytes) => xlsx_response("statistics-template", bytes),
        Err(e) => error_page(&state, &pc, e).await,
    }
}

// ---- jobs ----

/// The errors of a job's result: the report's `errors` (rows skipped) or
/// the list of errors (the import failed), each in the import shape
/// (`row`, `column`, `value`, `code`, `message`, `message_en`).
fn job_errors(j: &JobState) -> Vec<FieldError> {
    let list = match &j.result {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(serde_json::Value::Object(o)) => o
            .get("errors")
            .and_then(|e| e.as_array())
            .cloned()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|e| serde_json::from_value::<ImportError>(e).ok())
        .map(|e| e.to_field_error())
        .collect()
}

/// The counties a finished import left much smaller than their previous
/// year (the report's `smaller_than_before`), one line each.
fn smaller_than_before(r: &serde_json::Value, lang: &str) -> Vec<String> {
    let list: Vec<dingdian_app::shrink::SmallerThanBefore> = r
        .get("smaller_than_before")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    list.iter()
        .map(|s| {
            t(lang, "smaller_than_before_row")
                .replace("{county}", &s.county_name)
                .replace("{code}", &s.county_code)
                .replace("{year}", &s.year.to_string())
                .replace("{n}", &thousands(s.members as i64))
                .replace("{prev_year}", &s.previous_year.to_string())
                .replace("{prev}", &thousands(s.previous_members as i64))
        })
        .collect()
}

/// The half of a "中文 / English" message in the user's language.
fn message_in(text: &str, lang: &str) -> String {
    match text.split_once(" / ") {
        Some((zh, en)) => if lang == "en" { en } else { zh }.trim().to_string(),
        None => text.to_string(),
    }
}

/// The import's identity warnings (household numbers registered the year
/// before with another village or head), as the job page lists them.
fn identity_changes(result: Option<&serde_json::Value>, lang: &str) -> Option<minijinja::Value> {
    let x = result?.get("identity_changes")?;
    let count = x.get("count").and_then(|v| v.as_u64()).unwrap_or(0);
    if count == 0 {
        return None;
    }
    let rows: Vec<minijinja::Value> = x
        .get("listed")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let b = |k: &str| c.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            let year = c.get("year").and_then(|v| v.as_i64()).unwrap_or(0);
            let mut what = Vec::new();
            if b("other_county") {
                what.push(t(lang, "identity_other_county"));
            } else if b("village_changed") {
                what.push(format!(
                    "{} {} → {}",
                    t(lang, "identity_village_changed"),
                    s("previous_village_code"),
                    s("village_code")
                ));
            }
            if b("head_changed") {
                what.push(t(lang, "identity_head_changed"));
            }
            context! {
                year,
                previous_year => c.get("previous_year").and_then(|v| v.as_i64()),
                household => s("household_id"),
                href => card_href(year as i32, &s("household_id")),
                what => what.join(lang_separator(lang)),
            }
        })
        .collect();
    let more = count.saturating_sub(rows.len() as u64);
    Some(context! { count, more, rows })
}

fn lang_separator(lang: &str) -> &'static str {
    if lang == "en" { "; " } else { "；" }
}

async fn job(State(state): State<AppState>, pc: PageCtx, Path(id): Path<String>) -> Response {
    let Ok(id) = id.trim().parse::<i64>() else {
        return error_page(&state, &pc, AppError::not_found("任务", "job")).await;
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let j = match blocking(move || app.job(&actor, id)).await {
        Ok(j) => j,
        Err(e) => return error_page(&state, &pc, e).await,
    };
    let lang = pc.lang.as_str();
    let report = match (&j.status[..], &j.result) {
        ("succeeded", Some(r)) => Some(context! {
            households => r.get("households").and_then(|v| v.as_u64()).unwrap_or(0),
            members => r.get("members").and_then(|v| v.as_u64()).unwrap_or(0),
            rejected => r.get("rejected").and_then(|v| v.as_u64()).unwrap_or(0),
            dry_run => r.get("dry_run").and_then(|v| v.as_bool()).unwrap_or(false),
            rejects_href => (r.get("rejected").and_then(|v| v.as_u64()).unwrap_or(0) > 0
                && pc.actor.role.may(Action::ImportRegistry))
                .then(|| format!("/jobs/{}/rejects.csv", j.id)),
            duplicates_elsewhere => r.get("duplicates_elsewhere").and_then(|v| v.as_u64()).unwrap_or(0),
            flagged => r.get("flagged").and_then(|v| v.as_bool()).unwrap_or(false),
            smaller_than_before => smaller_than_before(r, lang),
        }),
        _ => None,
    };
    let errors = job_errors(&j);
    let running = j.status == "running";
    let ctx = context! {
        job => context! {
            id => j.id,
            status => j.status.clone(),
            phase => j.phase.clone(),
            done => thousands(j.done as i64),
            total => thousands(j.total as i64),
            percent => j.percent(),
            message => j.message.as_deref().map(|m| message_in(m, lang)),
        },
        running,
        report,
        identity => identity_changes(j.result.as_ref().filter(|_| j.status == "succeeded"), lang),
        // A job keeps the first errors only; the count covers them all.
        error_count => errors.len() as u64 + j.errors_omitted,
        errors_listed => (j.errors_omitted > 0).then_some(errors.len()),
        error_rows => import_error_rows(&errors, REGISTRY_COLUMNS, lang),
        can_import => pc.actor.role.may(Action::ImportRegistry),
    };
    let title = format!("{} #{}", t(lang, "job"), j.id);
    let crumbs = vec![
        ("/registry/import".into(), t(lang, "nav_registry_import")),
        (String::new(), title.clone()),
    ];
    render::page(&state, &pc, "job.html", &title, crumbs, ctx).await
}

/// `GET /jobs/{id}/rejects.csv`: the rejected rows of a finished import,
/// as the CLI writes them (UTF-8 CSV with BOM, `错误`/`error` last). For
/// whoever may follow the job; audited.
async fn job_rejects(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.trim().parse::<i64>() else {
        return error_page(&state, &pc, AppError::not_found("任务", "job")).await;
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.job_rejects(&actor, id)).await {
        Ok((name, bytes)) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"rejects.csv\"; filename*=UTF-8''{}",
                        urlencoding::encode(&name)
                    ),
                ),
                (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(&state, &pc, e).await,
    }
}

// ---- poverty lines ----

/// A line in fen as yuan: "2,300" or "2,300.50" (separators optional).
pub fn line_text(fen: i64, separators: bool) -> String {
    let whole = if separators {
        thousands(fen / 100)
    } else {
        (fen / 100).to_string()
    };
    if fen % 100 == 0 {
        whole
    } else {
        format!("{whole}.{:02}", (fen % 100).abs())
    }
}

async fn lines_page(
    state: &AppState,
    pc: &PageCtx,
    status: StatusCode,
    form: HashMap<String, String>,
    error: Option<AppError>,
) -> Response {
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let result = blocking(move || app.poverty_lines(&actor)).await;
    let lines = match result {
        Ok(l) => l,
        Err(e) => return error_page(state, pc, e).await,
    };
    let lang = pc.lang.as_str();
    let items: Vec<_> = lines
        .iter()
        .rev()
        .map(|l| {
            context! {
                year => l.year,
                line => line_text(l.line_fen, true),
                note => l.note.as_deref().map(|n| crate::shipped_text::note_text(&pc.lang, n)),
            }
        })
        .collect();
    let ctx = context! {
        items,
        can_edit => pc.actor.role.may(Action::EditPovertyLines),
        form,
        error => error.as_ref().map(|e| error_message(e, lang)),
        errors => error.as_ref().map(|e| field_errors(e, lang)).unwrap_or_default(),
    };
    render::page_with_status(
        state,
        pc,
        status,
        "poverty_lines.html",
        &t(lang, "nav_poverty_lines"),
        vec![],
        ctx,
    )
    .await
}

async fn poverty_lines(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    // `?year=Y` fills the form with that year's line, for amending it.
    let mut form = HashMap::new();
    if let Some(y) = q(&query, "year").and_then(|y| y.parse::<i32>().ok()) {
        let (app, actor) = (state.app.clone(), pc.actor.clone());
        if let Ok(lines) = blocking(move || app.poverty_lines(&actor)).await
            && let Some(l) = lines.iter().find(|l| l.year == y)
        {
            form.insert("year".to_string(), y.to_string());
            form.insert("line_yuan".to_string(), line_text(l.line_fen, false));
            form.insert("note".to_string(), l.note.clone().unwrap_or_default());
        }
    }
    lines_page(&state, &pc, StatusCode::OK, form, None).await
}

async fn set_poverty_line(
    State(state): State<AppState>,
    pc: PageCtx,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(e) = pc.check_csrf(field(&form, "_csrf")) {
        return error_page(&state, &pc, e).await;
    }
    let year_text = field(&form, "year").trim().to_string();
    let Ok(year) = year_text.parse::<i32>() else {
        let e = if year_text.is_empty() {
            AppError::Invalid(vec![FieldError::required("year")])
        } else {
            AppError::invalid(
                "year",
                year_text,
                "bad_year",
                "年度应为四位年份",
                "the year must be a four-digit year",
            )
        };
        return lines_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, form, Some(e)).await;
    };
    let yuan_text = field(&form, "line_yuan").to_string();
    let note = field(&form, "note").to_string();
    let app = state.app.clone();
    let actor = pc.actor.clone();
    match blocking(move || app.set_poverty_line(&actor, year, &yuan_text, &note)).await {
        Ok(()) => done("/poverty-lines", "saved"),
        Err(e @ AppError::Invalid(_)) => {
            lines_page(&state, &pc, StatusCode::UNPROCESSABLE_ENTITY, form, Some(e)).await
        }
        Err(e) => error_page(&state, &pc, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_example_id_number_is_valid() {
        assert!(dingdian_core::registry::IdNumber::parse(&example_id()).is_ok());
    }

    #[test]
    fn lines_in_yuan() {
        assert_eq!(line_text(230_000, true), "2,300");
        assert_eq!(line_text(230_050, true), "2,300.50");
        assert_eq!(line_text(230_050, false), "2300.50");
    }

    #[test]
    fn messages_in_the_users_language() {
        assert_eq!(
            message_in("导入失败 / the import failed", "en"),
            "the import failed"
        );
        assert_eq!(message_in("导入失败 / the import failed", "zh"), "导入失败");
        assert_eq!(message_in("plain", "en"), "plain");
    }

    #[test]
    fn job_errors_come_from_a_failure_or_a_report() {
        let failed = JobState {
            id: 1,
            kind: "registry_import".into(),
            status: "failed".into(),
            phase: "validate".into(),
            done: 1,
            total: 1,
            message: None,
            errors_omitted: 0,
            result: Some(
                serde_json::json!([{"row": 3, "column": "id_number", "value": "1", "code": "id_length", "message": "长度", "message_en": "length"}]),
            ),
            username: "u".into(),
            county: None,
        };
        let e = job_errors(&failed);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, Some(3));
        assert_eq!(e[0].msg.text("en"), "length");
        assert_eq!(e[0].msg.text("zh"), "长度");
        assert_eq!(
            (e[0].field.as_str(), e[0].msg.code.as_str()),
            ("id_number", "id_length")
        );
        assert_eq!(
            column_label(REGISTRY_COLUMNS, "id_number", "zh"),
            "证件号码"
        );
        let ok = JobState {
            status: "succeeded".into(),
            result: Some(
                serde_json::json!({"households": 2, "members": 5, "rejected": 0, "errors": [], "dry_run": false}),
            ),
            ..failed
        };
        assert!(job_errors(&ok).is_empty());
    }
}

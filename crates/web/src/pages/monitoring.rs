//! Return-risk monitoring: the list of cases with filters, export and the
//! counts by kind and risk; one case with its risks, measures and steps and
//! the form of the next step; the flag form (also from a household card);
//! the data scan; the office's thresholds.

use super::assistance::{Form, fv};
use super::{
    Query, done, error_message, error_rows, list_nav, page_of, q, wants_xlsx, xlsx_response,
};
use crate::AppState;
use crate::charts::{self, ValueBar};
use crate::csrf::CsrfForm;
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Path, Query as Q, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dingdian_app::AppError;
use dingdian_app::monitoring::MonitoringView;
use dingdian_core::household_help::ALL_HOUSEHOLD_MEASURES;
use dingdian_core::monitoring::{
    ClearReason, FlagInput, MeasureInput, MonitoredHousehold, MonitoredKind, MonitoringCount,
    MonitoringFilter, MonitoringStatus, Risk, StepInput, ThresholdInput,
};
use dingdian_core::role::Action;
use dingdian_core::time;
use minijinja::{Value, context};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring", get(list).post(flag))
        .route("/monitoring/new", get(flag_form))
        .route("/monitoring/scan", post(scan))
        .route(
            "/monitoring/thresholds",
            get(thresholds).post(set_threshold),
        )
        .route("/monitoring/{id}", get(show))
        .route("/monitoring/{id}/transition", post(transition))
        .route("/monitoring/{id}/measures", post(add_measure))
}

/// A coded value's words in the reader's language.
fn words(lang: &str, zh: &'static str, en: &'static str) -> &'static str {
    if lang == "en" { en } else { zh }
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    text: impl Fn(T) -> &'static str,
) -> Vec<Value> {
    all.iter()
        .map(|v| context! { code => code(*v), text => text(*v) })
        .collect()
}

fn choices(lang: &str) -> Value {
    context! {
        kinds => options(MonitoredKind::ALL, MonitoredKind::code, |k| words(lang, k.zh(), k.en())),
        statuses => options(MonitoringStatus::ALL, MonitoringStatus::code, |s| words(lang, s.zh(), s.en())),
        risks => options(Risk::ALL, Risk::code, |r| words(lang, r.zh(), r.en())),
        reasons => options(ClearReason::ALL, ClearReason::code, |r| words(lang, r.zh(), r.en())),
        measures => ALL_HOUSEHOLD_MEASURES.iter().map(|c| context! { code => c.as_str(), text => t(lang, &format!("measure_{}", c.as_str())) }).collect::<Vec<_>>(),
    }
}

fn row(m: &MonitoredHousehold, lang: &str) -> Value {
    context! {
        m => m,
        kind_text => words(lang, m.kind.zh(), m.kind.en()),
        origin_text => words(lang, m.origin.zh(), m.origin.en()),
        status_text => words(lang, m.status.zh(), m.status.en()),
        source_text => words(lang, m.source.zh(), m.source.en()),
        risk_texts => m.risks.iter().map(|r| words(lang, r.zh(), r.en())).collect::<Vec<_>>(),
        reason_text => m.clear_reason.map(|r| words(lang, r.zh(), r.en())),
        measure_texts => m.measures.iter().map(|x| format!("{}：{}", t(lang, &format!("measure_{}", x.category.as_str())), x.description)).collect::<Vec<_>>(),
    }
}

fn filter(query: &Query) -> MonitoringFilter {
    MonitoringFilter {
        county_code: q(query, "county").map(str::to_string),
        year: q(query, "year").and_then(|v| v.parse().ok()),
        kind: q(query, "kind").and_then(MonitoredKind::from_code),
        status: q(query, "status").and_then(MonitoringStatus::from_code),
        risk: q(query, "risk").and_then(Risk::from_code),
        q: q(query, "q").map(str::to_string),
    }
}

fn crumb(lang: &str) -> (String, String) {
    ("/monitoring".into(), t(lang, "nav_monitoring"))
}

/// Open cases (not cleared) by kind and by risk, as two bar charts.
fn charts_of(
    by_kind: &[(MonitoredKind, i64)],
    counts: &[MonitoringCount],
    lang: &str,
) -> Vec<String> {
    let mut by_risk: BTreeMap<Risk, i64> = BTreeMap::new();
    for c in counts
        .iter()
        .filter(|c| c.status != MonitoringStatus::Cleared)
    {
        *by_risk.entry(c.risk).or_default() += c.households;
    }
    if by_kind.is_empty() {
        return Vec::new();
    }
    let bar = |label: &str, n: i64| ValueBar {
        label: label.to_string(),
        href: None,
        value: n as f64,
        text: n.to_string(),
    };
    let kinds: Vec<ValueBar> = by_kind
        .iter()
        .map(|(k, n)| bar(words(lang, k.zh(), k.en()), *n))
        .collect();
    let risks: Vec<ValueBar> = by_risk
        .iter()
        .map(|(r, n)| bar(words(lang, r.zh(), r.en()), *n))
        .collect();
    let caption = format!("{} {}", t(lang, "dc_as_of"), time::today());
    let unit = t(lang, "mo_households_unit");
    vec![
        charts::value_bars(&t(lang, "mo_chart_by_kind"), &kinds, &unit, &caption),
        charts::value_bars(&t(lang, "mo_chart_by_risk"), &risks, &unit, &caption),
    ]
}

async fn list(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let f = filter(&query);
    let (app, actor, page) = (state.app.clone(), pc.actor.clone(), page_of(&query));
    if wants_xlsx(&query) {
        return match blocking(move || app.export_monitoring(&actor, &f)).await {
            Ok(bytes) => xlsx_response("monitoring", bytes),
            Err(e) => PageError(e).into_response(),
        };
    }
    let f2 = f.clone();
    let r = blocking(move || {
        let counts = app.monitoring_counts(&actor, &f2)?;
        let kinds = app.monitoring_open_by_kind(&actor, &f2)?;
        Ok::<_, AppError>((app.list_monitoring(&actor, &f2, page)?, counts, kinds))
    })
    .await;
    let ((items, total), counts, kinds) = match r {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let role = pc.actor.role;
    let ctx = context! {
        items => items.iter().map(|m| row(m, lang)).collect::<Vec<_>>(),
        c => choices(lang),
        list => list_nav("/monitoring", &query, page, total, true),
        charts => charts_of(&kinds, &counts, lang),
        may_flag => role.may(Action::FlagHouseholds),
        may_scan => role.may(Action::ReviewMonitoring) || role.may(Action::SetMonitoringThresholds),
        may_set => role.may(Action::SetMonitoringThresholds),
        own_county => pc.actor.scope.county().unwrap_or("").to_string(),
        this_year => time::today().format("%Y").to_string(),
        f => context! {
            q => f.q.unwrap_or_default(),
            county => f.county_code.unwrap_or_default(),
            year => f.year.map(|y| y.to_string()).unwrap_or_default(),
            kind => f.kind.map(|k| k.code()).unwrap_or(""),
            status => f.status.map(|s| s.code()).unwrap_or(""),
            risk => f.risk.map(|r| r.code()).unwrap_or(""),
        },
        scanned => q(&query, "scanned").map(str::to_string),
    };
    let title = t(lang, "nav_monitoring");
    render::page(&state, &pc, "monitoring.html", &title, vec![], ctx).await
}

async fn scan(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let county = fv(&form, "county").to_string();
    let year = fv(&form, "year").parse::<i32>().unwrap_or(0);
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.scan_for_risks(&actor, &county, year, time::today())).await {
        Ok(r) => {
            let to = format!(
                "/monitoring?county={}&year={}&scanned={}-{}-{}-{}",
                r.county_code, r.year, r.households, r.opened, r.added, r.already_flagged
            );
            done(&to, "saved")
        }
        Err(e) => PageError(e).into_response(),
    }
}

const FLAG_FIELDS: [&str; 7] = [
    "household_id",
    "year",
    "risk",
    "source",
    "severe",
    "detail",
    "date",
];

async fn flag_page(
    state: &AppState,
    pc: &PageCtx,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let mut form = form;
    for k in FLAG_FIELDS {
        form.entry(k.to_string()).or_default();
    }
    let ctx = context! {
        c => choices(lang),
        form => form,
        today => time::today().to_string(),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = t(lang, "mo_flag");
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "monitoring_flag.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

/// The flag form, filled from a household card's link (`household`, `year`).
async fn flag_form(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    if let Err(e) = pc.actor.require(Action::FlagHouseholds) {
        return PageError(e).into_response();
    }
    let mut form = Form::new();
    form.insert(
        "household_id".into(),
        q(&query, "household").unwrap_or("").to_string(),
    );
    form.insert("year".into(), q(&query, "year").unwrap_or("").to_string());
    form.insert("source".into(), "cadre".into());
    form.insert("date".into(), time::today().to_string());
    flag_page(&state, &pc, form, None).await
}

async fn flag(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let g = |k: &str| fv(&form, k).to_string();
    let input = FlagInput {
        household_id: g("household_id"),
        year: g("year"),
        risk: g("risk"),
        source: g("source"),
        severe: !fv(&form, "severe").is_empty(),
        detail: g("detail"),
        date: g("date"),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.flag_household(&actor, &input, time::today())).await {
        Ok(id) => done(&format!("/monitoring/{id}"), "created"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            flag_page(&state, &pc, form, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

fn detail_ctx(v: &MonitoringView, lang: &str) -> Value {
    let status = |s: MonitoringStatus| words(lang, s.zh(), s.en());
    context! {
        m => row(&v.case, lang),
        flags => v.flags.iter().map(|f| context! {
            risk => words(lang, f.risk.zh(), f.risk.en()),
            source => words(lang, f.source.zh(), f.source.en()),
            detail => f.detail.clone(),
            flagged_on => f.flagged_on.to_string(),
        }).collect::<Vec<_>>(),
        steps => v.steps.iter().map(|s| context! {
            from => s.from.map(status),
            to => status(s.to),
            on_date => s.on_date.to_string(),
            by => s.by.clone(),
            note => s.note.clone(),
        }).collect::<Vec<_>>(),
        next => v.next.iter().map(|s| s.code()).collect::<Vec<_>>(),
        may_add_measure => v.may_add_measure,
        may_flag => v.may_flag,
        today => time::today().to_string(),
    }
}

async fn show_page(state: &AppState, pc: &PageCtx, id: i64, error: Option<AppError>) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let v = match blocking(move || app.get_monitoring(&actor, id)).await {
        Ok(v) => v,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let ctx = context! {
        d => detail_ctx(&v, lang),
        c => choices(lang),
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = format!("{} {}", t(lang, "mo_case"), v.case.household_id);
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "monitoring_case.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

async fn show(State(state): State<AppState>, pc: PageCtx, Path(id): Path<i64>) -> Response {
    show_page(&state, &pc, id, None).await
}

async fn after(state: &AppState, pc: &PageCtx, id: i64, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => done(&format!("/monitoring/{id}"), "saved"),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            show_page(state, pc, id, Some(e)).await
        }
        Err(e) => PageError(e).into_response(),
    }
}

async fn transition(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let g = |k: &str| fv(&form, k).to_string();
    let input = StepInput {
        to: g("to"),
        date: g("date"),
        note: g("note"),
        visitor: g("visitor"),
        no_labour: !fv(&form, "no_labour").is_empty(),
        reason: g("reason"),
        measure_category: g("measure_category"),
        measure_description: g("measure_description"),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.step_monitoring(&actor, id, &input, time::today())
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r).await
}

async fn add_measure(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let input = MeasureInput {
        category: fv(&form, "category").to_string(),
        description: fv(&form, "description").to_string(),
        date: fv(&form, "date").to_string(),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let r = blocking(move || {
        app.add_monitoring_measure(&actor, id, &input, time::today())
            .map(|_| ())
    })
    .await;
    after(&state, &pc, id, r).await
}

async fn thresholds_page(
    state: &AppState,
    pc: &PageCtx,
    year: i32,
    form: Form,
    error: Option<AppError>,
) -> Response {
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let (line, set) = match blocking(move || app.monitoring_thresholds(&actor, year)).await {
        Ok(r) => r,
        Err(e) => return PageError(e).into_response(),
    };
    let lang = pc.lang.as_str();
    let status = error.as_ref().map_or(StatusCode::OK, crate::error::status);
    let mut form = form;
    for k in ["province_code", "income_yuan", "drop_percent"] {
        form.entry(k.to_string()).or_default();
    }
    let ctx = context! {
        year,
        line_fen => line,
        default_fen => line.map(|l| l * dingdian_core::monitoring::DEFAULT_LINE_PERCENT / 100),
        default_drop => dingdian_core::monitoring::DEFAULT_DROP_PERCENT,
        items => set,
        may_set => pc.actor.role.may(Action::SetMonitoringThresholds),
        form => form,
        error => error.as_ref().map(|e| error_message(e, lang)),
        error_rows => error.as_ref().map(|e| error_rows(e, lang)).unwrap_or_default(),
    };
    let title = t(lang, "mo_thresholds");
    let crumbs = vec![crumb(lang), (String::new(), title.clone())];
    render::page_with_status(
        state,
        pc,
        status,
        "monitoring_thresholds.html",
        &title,
        crumbs,
        ctx,
    )
    .await
}

fn year_of(query: &Query) -> i32 {
    q(query, "year")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            time::today()
                .format("%Y")
                .to_string()
                .parse()
                .unwrap_or(2016)
        })
}

async fn thresholds(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    let mut form = Form::new();
    form.insert(
        "drop_percent".into(),
        dingdian_core::monitoring::DEFAULT_DROP_PERCENT.to_string(),
    );
    thresholds_page(&state, &pc, year_of(&query), form, None).await
}

async fn set_threshold(
    State(state): State<AppState>,
    pc: PageCtx,
    CsrfForm(form): CsrfForm<Form>,
) -> Response {
    let year = fv(&form, "year").parse::<i32>().unwrap_or(0);
    let input = ThresholdInput {
        province_code: fv(&form, "province_code").to_string(),
        income_fen: String::new(),
        income_yuan: fv(&form, "income_yuan").to_string(),
        drop_percent: fv(&form, "drop_percent").to_string(),
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    match blocking(move || app.set_monitoring_threshold(&actor, year, &input)).await {
        Ok(t) => done(&format!("/monitoring/thresholds?year={}", t.year), "saved"),
        Err(e @ AppError::Invalid(_)) => thresholds_page(&state, &pc, year, form, Some(e)).await,
        Err(e) => PageError(e).into_response(),
    }
}

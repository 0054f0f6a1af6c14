//! The indicators dashboard (指标看板): key figures of an area and year,
//! the child areas one level down with every indicator (each drilling
//! down), charts drawn on the server, the export of the table.

use super::{Query, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::charts::{self, Point, ValueBar};
use crate::ctx::{PageCtx, blocking};
use crate::error::PageError;
use crate::format::{people, percent, signed, signed_int, thousands, yuan};
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dingdian_app::AppError;
use dingdian_app::areas::KeyListStanding;
use dingdian_app::dashboard::{Dashboard, DashboardQuery};
use dingdian_app::indicators::IndicatorRow;
use dingdian_app::map::MapQuery;
use dingdian_app::tabular::{self, Cell};
use dingdian_core::area::{Level, is_western_province, short_area_name};
use dingdian_core::indicators::{Indicators, Shortfall};
use dingdian_core::period::{Period, Vocabulary};
use dingdian_core::query::Slice;
use dingdian_core::registry::{
    ALL_CAUSES, ALL_HOUSEHOLD_TYPES, ALL_STATUSES, Cause, HouseholdType, PovertyStatus,
};
use dingdian_core::role::Action;
use minijinja::context;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/indicators", get(dashboard))
}

/// The level of an area code (`None` for the nation).
pub use dingdian_app::dashboard::level_of;

/// The status and cause filters of a query (code, Chinese or English word).
pub fn slice_of(query: &Query) -> Slice {
    Slice {
        status: q(query, "status")
            .and_then(PovertyStatus::parse)
            .map(|s| s.code()),
        cause: q(query, "cause").and_then(Cause::parse).map(|c| c.code()),
        sex: None,
        household_type: q(query, "household_type")
            .and_then(HouseholdType::parse)
            .map(|t| t.code()),
    }
}

/// The label of an indicator column (its catalog key is `ind_NAME`).
pub const COLUMNS: &[&str] = &[
    "registered_households",
    "registered_population",
    "poor_population",
    "exited_population",
    "returned_population",
    "rural_population",
    "poverty_incidence",
    "return_rate",
    "mean_income",
    "fgt0",
    "fgt1",
    "fgt2",
    "rural_income_per_capita",
    "rural_income_growth",
    "exit_eligible",
];

/// How a page or export shows one indicator of a row: percentages to one
/// decimal, money in whole yuan, null as "—" (empty in exports).
fn cell(r: &IndicatorRow, name: &str, lang: &str) -> (String, Cell) {
    let i = &r.indicators;
    let count = |n: u64| (thousands(n as i64), Cell::Int(n as i64));
    let pct = |v: Option<f64>| {
        (
            percent(v),
            v.map(|v| Cell::Number((v * 10.0).round() / 10.0))
                .unwrap_or(Cell::Empty),
        )
    };
    let money = |v: Option<f64>| {
        (
            yuan(v),
            v.map(|v| Cell::Number(v.round())).unwrap_or(Cell::Empty),
        )
    };
    let index = |v: Option<f64>| {
        (
            v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into()),
            v.map(|v| Cell::Number((v * 10_000.0).round() / 10_000.0))
                .unwrap_or(Cell::Empty),
        )
    };
    match name {
        "registered_households" => count(i.registered_households),
        "registered_population" => count(i.registered_population),
        "poor_population" => count(i.poor_population),
        "exited_population" => count(i.exited_population),
        "returned_population" => count(i.returned_population),
        "rural_population" => match i.rural_population {
            Some(n) => (thousands(n), Cell::Int(n)),
            None => (
                missing_population(r, lang, "missing_rural_population_cell"),
                Cell::Empty,
            ),
        },
        "poverty_incidence" => pct(i.poverty_incidence),
        "return_rate" => pct(i.return_rate),
        "mean_income" => money(i.mean_income),
        // The share below the line, shown as a percentage.
        "fgt0" => pct(i.fgt0.map(|v| v * 100.0)),
        "fgt1" => index(i.fgt1),
        "fgt2" => index(i.fgt2),
        "rural_income_per_capita" => money(i.rural_income_per_capita),
        "rural_income_growth" => pct(i.rural_income_growth),
        "exit_eligible" => match i.exit_eligible {
            // Never a verdict on data that looks incomplete.
            Some(_) if !r.completeness.is_complete() => {
                let s = t(lang, "exit_withheld");
                (s.clone(), Cell::Text(s))
            }
            Some(b) => {
                let s = t(lang, if b { "yes" } else { "no" });
                (s.clone(), Cell::Text(s))
            }
            None => ("—".into(), Cell::Empty),
        },
        _ => ("—".into(), Cell::Empty),
    }
}

/// "—", or above the county where counties lack a rural population, the
/// catalogue text `key` saying how many ("缺少 N 个县的农村人口").
fn missing_population(r: &IndicatorRow, lang: &str, key: &str) -> String {
    let n = r.completeness.counties_missing_rural_population;
    if r.level < Level::County && n > 0 {
        t(lang, key).replace("{n}", &thousands(n as i64))
    } else {
        "—".into()
    }
}

#[derive(Serialize)]
struct Figure {
    id: &'static str,
    label: String,
    value: String,
    note: Option<String>,
    good: Option<bool>,
}

impl Figure {
    /// A figure labelled with the indicator `name`, judged neither good nor bad.
    fn of(id: &'static str, name: &str, lang: &str, value: String, note: Option<String>) -> Figure {
        Figure {
            id,
            label: t(lang, &format!("ind_{name}")),
            value,
            note,
            good: None,
        }
    }
}

#[derive(Serialize)]
struct TableRow {
    code: String,
    name: String,
    href: String,
    cells: Vec<String>,
}

/// A link to the dashboard keeping the year and the filters.
fn dash_href(area: Option<&str>, year: Option<i32>, query: &Query) -> String {
    // `area=` (empty) names the nation even for a county officer, whose
    // dashboard otherwise starts at the own county.
    let mut parts = vec![format!("area={}", area.unwrap_or(""))];
    if let Some(y) = year {
        parts.push(format!("year={y}"));
    }
    for k in ["status", "cause"] {
        if let Some(v) = q(query, k) {
            parts.push(format!("{k}={}", urlencoding::encode(v)));
        }
    }
    format!("/indicators?{}", parts.join("&"))
}

fn people_with_unit(n: i64, lang: &str) -> String {
    let v = people(n, lang);
    if lang == "en" {
        v
    } else if v.ends_with('万') {
        format!("{v}人")
    } else {
        format!("{v} 人")
    }
}

/// Money in whole yuan with its unit ("—" when unknown).
fn yuan_with_unit(v: Option<f64>, lang: &str) -> String {
    match v {
        Some(_) => format!("{} {}", yuan(v), t(lang, "unit_yuan")),
        None => "—".into(),
    }
}

/// The key figures of the area and year; `previous` is last year's
/// indicators when both years look complete.
fn figures(d: &Dashboard, lang: &str) -> Vec<Figure> {
    let Some(own) = &d.own else {
        return Vec::new();
    };
    let i = &own.indicators;
    let complete = own.completeness.is_complete();
    // No comparison with last year when either year looks incomplete.
    let p = d
        .previous
        .as_ref()
        .filter(|p| complete && p.completeness.is_complete())
        .map(|p| &p.indicators);
    let vs = |s: String| Some(t(lang, "vs_last_year").replace("{d}", &s));
    let poor_note = p.and_then(|p| {
        let d = signed_int(i.poor_population as i64 - p.poor_population as i64);
        vs(if lang == "en" { d } else { format!("{d} 人") })
    });
    let returned = thousands(i.returned_population as i64);
    let households = thousands(i.registered_households as i64);
    let growth = i
        .rural_income_growth
        .map(|g| t(lang, "growth_vs_last_year").replace("{d}", &format!("{}%", signed(g))));
    let mut out = vec![
        Figure::of(
            "fig-poor",
            "poor_population",
            lang,
            people_with_unit(i.poor_population as i64, lang),
            poor_note,
        ),
        incidence_figure(own, p, lang),
        Figure::of(
            "fig-return",
            "return_rate",
            lang,
            percent(i.return_rate),
            Some(format!("{} {returned}", t(lang, "ind_returned_population"))),
        ),
        Figure::of(
            "fig-registered",
            "registered_population",
            lang,
            people_with_unit(i.registered_population as i64, lang),
            Some(t(lang, "n_households").replace("{n}", &households)),
        ),
        Figure::of(
            "fig-income",
            "rural_income_per_capita",
            lang,
            yuan_with_unit(i.rural_income_per_capita, lang),
            growth,
        ),
        Figure::of(
            "fig-mean-income",
            "mean_income",
            lang,
            yuan_with_unit(i.mean_income, lang),
            None,
        ),
    ];
    if d.level == Level::County {
        out.push(exit_figure(own, lang));
    }
    let era = era_of(d, lang);
    for f in &mut out {
        f.label = era.fill(&f.label);
        f.note = f.note.as_deref().map(|n| era.fill(n));
    }
    out
}

/// The poverty incidence, against last year's when both are known, else
/// with the rural population it rests on (or how many counties lack one).
fn incidence_figure(own: &IndicatorRow, p: Option<&Indicators>, lang: &str) -> Figure {
    let i = &own.indicators;
    let note = match (i.poverty_incidence, p.and_then(|p| p.poverty_incidence)) {
        (Some(a), Some(b)) => Some(t(lang, "vs_last_year_pp").replace("{d}", &signed(a - b))),
        _ => match i.rural_population {
            Some(r) => Some(format!(
                "{} {}",
                t(lang, "ind_rural_population"),
                thousands(r)
            )),
            None => {
                Some(missing_population(own, lang, "missing_rural_population")).filter(|m| m != "—")
            }
        },
    };
    Figure::of(
        "fig-incidence",
        "poverty_incidence",
        lang,
        percent(i.poverty_incidence),
        note,
    )
}

/// Whether a county may exit, never judged on data that looks incomplete.
fn exit_figure(own: &IndicatorRow, lang: &str) -> Figure {
    let i = &own.indicators;
    let complete = own.completeness.is_complete();
    let western = own
        .area_code
        .as_deref()
        .is_some_and(|c| is_western_province(&c[..2]));
    let rule = if western {
        "exit_rule_west"
    } else {
        "exit_rule_other"
    };
    let value = match i.exit_eligible {
        _ if !complete => t(lang, "exit_withheld"),
        Some(true) => t(lang, "exit_yes"),
        Some(false) => t(lang, "exit_no"),
        None => "—".into(),
    };
    let note = Some(t(lang, if complete { rule } else { "exit_withheld_note" }));
    Figure {
        good: i.exit_eligible.filter(|_| complete),
        ..Figure::of("fig-exit", "exit_eligible", lang, value, note)
    }
}

fn area_name(d: &Dashboard, lang: &str) -> String {
    d.lineage
        .last()
        .map(|l| short_area_name(&l.0, &l.1))
        .unwrap_or_else(|| t(lang, "nation"))
}

/// The warning of a year whose data looks incomplete: a title, one line
/// per shortfall, and what to do.
fn incomplete_notice(d: &Dashboard, lang: &str) -> Option<minijinja::Value> {
    let own = d.own.as_ref().filter(|o| !o.completeness.is_complete())?;
    let c = &own.completeness;
    let y = c.compared_year.map(|y| y.to_string()).unwrap_or_default();
    let reasons: Vec<String> = c
        .reasons
        .iter()
        .map(|r| {
            let (n, m) = match r {
                Shortfall::RegisteredPopulation => {
                    (c.registered_population, c.compared_registered_population)
                }
                Shortfall::Villages => (c.villages, c.compared_villages),
                Shortfall::Townships => (c.townships, c.compared_townships),
            };
            t(lang, &format!("incomplete_{}", r.as_str()))
                .replace("{n}", &thousands(n as i64))
                .replace("{m}", &thousands(m.unwrap_or(0) as i64))
                .replace("{y}", &y)
        })
        .collect();
    Some(context! {
        title => t(lang, "incomplete_title").replace("{year}", &own.year.to_string()),
        reasons,
        hint => t(lang, "incomplete_hint"),
    })
}

fn caption(d: &Dashboard, lang: &str) -> String {
    era_of(d, lang)
        .fill(&t(lang, "chart_caption"))
        .replace("{date}", &dingdian_core::time::today().to_string())
}

/// The words of the dashboard's year (today's when it shows none).
fn era_of(d: &Dashboard, lang: &str) -> &'static Vocabulary {
    period_of(d).words(lang)
}

fn period_of(d: &Dashboard) -> Period {
    d.year.map_or_else(
        || Period::of_date(dingdian_core::time::today()),
        Period::of_year,
    )
}

fn year_text(d: &Dashboard) -> String {
    d.year.map(|y| y.to_string()).unwrap_or_default()
}

fn charts_of(d: &Dashboard, lang: &str, query: &Query) -> Vec<String> {
    let caption = caption(d, lang);
    [
        years_chart(d, lang, &caption),
        children_chart(d, lang, query, &caption),
        causes_chart(d, lang, query, &caption),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The poverty incidence over the years (the poor population where no
/// year knows its incidence); a year whose data looks incomplete is
/// marked with *.
fn years_chart(d: &Dashboard, lang: &str, caption: &str) -> Option<String> {
    if d.history.is_empty() {
        return None;
    }
    let incidence_known = d
        .history
        .iter()
        .any(|r| r.indicators.poverty_incidence.is_some());
    let points: Vec<Point> = d
        .history
        .iter()
        .map(|r| {
            let mark = if r.completeness.is_complete() {
                ""
            } else {
                "*"
            };
            let label = format!("{}{mark}", r.year);
            let i = &r.indicators;
            if incidence_known {
                let text = percent(i.poverty_incidence);
                Point {
                    label,
                    value: i.poverty_incidence,
                    text,
                }
            } else {
                let text = people(i.poor_population as i64, lang);
                Point {
                    label,
                    value: Some(i.poor_population as f64),
                    text,
                }
            }
        })
        .collect();
    let (title, unit) = if incidence_known {
        ("chart_incidence_years", "axis_percent")
    } else {
        ("chart_poor_years", "axis_people")
    };
    let cap = if d.history.iter().any(|r| !r.completeness.is_complete()) {
        format!("{} {caption}", t(lang, "chart_incomplete_note"))
    } else {
        caption.to_string()
    };
    let title = format!("{} · {}", area_name(d, lang), t(lang, title));
    Some(charts::line_chart(&title, &points, &t(lang, unit), &cap))
}

/// The poor of the child areas, most first (at most 30), each drilling down.
fn children_chart(d: &Dashboard, lang: &str, query: &Query, caption: &str) -> Option<String> {
    if d.children.is_empty() {
        return None;
    }
    let mut rows: Vec<&IndicatorRow> = d.children.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.indicators.poor_population));
    let shown = rows.len().min(30);
    let bars: Vec<ValueBar> = rows[..shown]
        .iter()
        .map(|r| ValueBar {
            label: short_area_name(r.area_code.as_deref().unwrap_or(""), &r.area_name),
            href: r
                .area_code
                .as_deref()
                .map(|c| dash_href(Some(c), d.year, query)),
            value: r.indicators.poor_population as f64,
            text: thousands(r.indicators.poor_population as i64),
        })
        .collect();
    let level = t(
        lang,
        &format!("level_{}", d.child_level.map(|l| l.as_str()).unwrap_or("")),
    );
    let mut title = format!(
        "{} · {}",
        t(lang, "chart_poor_by_child").replace("{level}", &level),
        year_text(d)
    );
    if shown < rows.len() {
        let top = t(lang, "top_n").replace("{n}", &shown.to_string());
        title.push_str(&format!(" ({top})"));
    }
    Some(charts::value_bars(
        &title,
        &bars,
        &t(lang, "axis_people"),
        caption,
    ))
}

/// The poor by cause in the year, each bar filtering the dashboard.
fn causes_chart(d: &Dashboard, lang: &str, query: &Query, caption: &str) -> Option<String> {
    if d.causes.is_empty() {
        return None;
    }
    let own_code = d.own.as_ref().and_then(|r| r.area_code.as_deref());
    let bars: Vec<ValueBar> = d
        .causes
        .iter()
        .map(|(c, n)| {
            let mut qq = query.clone();
            qq.insert("cause".into(), c.as_str().into());
            ValueBar {
                label: cause_label(*c, lang),
                href: Some(dash_href(own_code, d.year, &qq)),
                value: *n as f64,
                text: thousands(*n as i64),
            }
        })
        .collect();
    let title = format!(
        "{} · {} · {}",
        area_name(d, lang),
        t(lang, "chart_poor_by_cause"),
        year_text(d)
    );
    Some(charts::value_bars(
        &title,
        &bars,
        &t(lang, "axis_people"),
        caption,
    ))
}

fn cause_label(c: Cause, lang: &str) -> String {
    if lang == "en" {
        c.as_str().replace('_', " ")
    } else {
        c.zh().to_string()
    }
}

/// The breadcrumbs of the dashboard: the nation, then the lineage.
fn crumbs(d: &Dashboard, lang: &str, query: &Query) -> Vec<(String, String)> {
    let mut c = vec![(dash_href(None, d.year, query), t(lang, "nation"))];
    c.extend(d.lineage.iter().map(|(code, name)| {
        (
            dash_href(Some(code), d.year, query),
            short_area_name(code, name),
        )
    }));
    c
}

/// The indicator columns of the children table (whether a county may
/// exit only for counties).
fn columns(d: &Dashboard) -> Vec<&'static str> {
    COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "exit_eligible" || d.child_level == Some(Level::County))
        .collect()
}

fn headers(d: &Dashboard, names: &[&str], lang: &str) -> Vec<String> {
    let era = era_of(d, lang);
    names
        .iter()
        .map(|c| era.fill(&t(lang, &format!("ind_{c}"))))
        .collect()
}

/// The children table as an xlsx file.
fn export_xlsx(d: &Dashboard, lang: &str) -> Result<Response, AppError> {
    let names = columns(d);
    let mut h = vec![t(lang, "area_code"), t(lang, "area_name"), t(lang, "year")];
    h.extend(headers(d, &names, lang));
    let rows: Vec<Vec<Cell>> = d
        .children
        .iter()
        .map(|r| {
            let mut row: Vec<Cell> = vec![
                r.area_code.clone().into(),
                r.area_name.clone().into(),
                Cell::Int(r.year as i64),
            ];
            row.extend(names.iter().map(|n| cell(r, n, lang).1));
            row
        })
        .collect();
    let bytes = tabular::write_xlsx("indicators", &h, &rows)?;
    let name = format!("indicators-{}", d.area.as_deref().unwrap_or("nation"));
    Ok(xlsx_response(&name, bytes))
}

fn table(d: &Dashboard, lang: &str, query: &Query) -> Vec<TableRow> {
    let names = columns(d);
    d.children
        .iter()
        .map(|r| {
            let code = r.area_code.clone().unwrap_or_default();
            TableRow {
                href: dash_href(Some(&code), d.year, query),
                name: short_area_name(&code, &r.area_name),
                code,
                cells: names.iter().map(|n| cell(r, n, lang).0).collect(),
            }
        })
        .collect()
}

/// The export link: the query with the area and year shown, as xlsx.
fn export_href(d: &Dashboard, query: &Query) -> String {
    let mut qq = query.clone();
    if let Some(a) = &d.area {
        qq.insert("area".into(), a.clone());
    }
    if let Some(y) = d.year {
        qq.insert("year".into(), y.to_string());
    }
    qq.insert("format".into(), "xlsx".into());
    let mut pairs: Vec<_> = qq.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    pairs.sort();
    let pairs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect();
    format!("/indicators?{}", pairs.join("&"))
}

/// The choices of the status, cause and household type filters, and the
/// ones chosen.
fn filters(lang: &str, query: &Query) -> minijinja::Value {
    let statuses: Vec<(&str, String)> = ALL_STATUSES
        .iter()
        .map(|s| {
            let label = if lang == "en" {
                s.as_str().to_string()
            } else {
                s.zh().to_string()
            };
            (s.as_str(), label)
        })
        .collect();
    let causes: Vec<(&str, String)> = ALL_CAUSES
        .iter()
        .map(|c| (c.as_str(), cause_label(*c, lang)))
        .collect();
    let household_types: Vec<(&str, String)> = ALL_HOUSEHOLD_TYPES
        .iter()
        .map(|h| {
            let label = t(lang, &format!("household_type_{}", h.as_str()));
            (h.as_str(), label)
        })
        .collect();
    let sl = slice_of(query);
    context! {
        statuses,
        causes,
        household_types,
        f => context! {
            status => sl.status.and_then(PovertyStatus::from_code).map(|s| s.as_str()).unwrap_or(""),
            cause => sl.cause.and_then(Cause::from_code).map(|c| c.as_str()).unwrap_or(""),
            household_type => sl.household_type.and_then(HouseholdType::from_code).map(|h| h.as_str()).unwrap_or(""),
        },
        filtered => sl.status.is_some() || sl.cause.is_some() || sl.household_type.is_some(),
    }
}

fn page_context(d: &Dashboard, lang: &str, query: &Query) -> minijinja::Value {
    let registry_href = (d.level >= Level::County && d.may_read_registry).then(|| {
        format!(
            "/registry?area={}{}",
            d.area.as_deref().unwrap_or(""),
            d.year.map(|y| format!("&year={y}")).unwrap_or_default()
        )
    });
    let years: Vec<(i32, bool)> = d
        .history
        .iter()
        .rev()
        .map(|r| (r.year, !r.completeness.is_complete()))
        .collect();
    let default_year_note = d.latest_incomplete.zip(d.year).map(|(latest, y)| {
        t(lang, "default_year_note")
            .replace("{year}", &y.to_string())
            .replace("{latest}", &latest.to_string())
    });
    let page = context! {
        area => d.area.clone().unwrap_or_default(),
        area_name => area_name(d, lang),
        level => d.level.as_str(),
        year => d.year,
        years,
        incomplete => incomplete_notice(d, lang),
        default_year_note,
        figures => figures(d, lang),
        charts => charts_of(d, lang, query),
        child_level => d.child_level.map(|l| l.as_str()),
        headers => headers(d, &columns(d), lang),
        table => table(d, lang, query),
        has_data => d.own.is_some(),
        registry_href,
        export => export_href(d, query),
    };
    context! { ..page, ..filters(lang, query) }
}

/// The map of the dashboard's area and year (poverty incidence): a
/// province's or prefecture's own, a county's prefecture with the county
/// outlined. The nation's dashboard links to the national map instead of
/// drawing its 2 800 counties on every visit. A map that cannot be drawn
/// leaves the dashboard as it is.
async fn dashboard_map(state: &AppState, pc: &PageCtx, d: &Dashboard) -> Option<minijinja::Value> {
    let area = d.area.as_deref()?;
    let (level, view, outline) = match d.level {
        Level::Province => ("province", area, None),
        Level::Prefecture => ("prefecture", area, None),
        Level::County => ("prefecture", &area[..4], Some(area.to_string())),
        _ => return None,
    };
    let mq = MapQuery {
        figure: Some("poverty_incidence".into()),
        level: Some(level.into()),
        area: Some(view.to_string()),
        year: d.year,
        outline: outline.clone(),
        lang: pc.lang.clone(),
        ..Default::default()
    };
    let (app, actor) = (state.app.clone(), pc.actor.clone());
    let m = blocking(move || app.county_map(&actor, &mq)).await.ok()?;
    let mut href = format!(
        "/map?figure=poverty_incidence&level={level}&area={view}&year={}",
        m.year
    );
    if let Some(o) = outline {
        href.push_str(&format!("&outline={o}"));
    }
    Some(context! { svg => m.svg_bare, href })
}

async fn dashboard(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    // A county officer starts at the own county; everyone else at the nation.
    let area = match q(&query, "area") {
        Some(a) => Some(a.to_string()),
        None if !query.contains_key("area") => pc.actor.scope.county().map(str::to_string),
        None => None,
    };
    let xlsx = wants_xlsx(&query);
    let dq = DashboardQuery {
        area,
        year: q(&query, "year").and_then(|y| y.parse::<i32>().ok()),
        slice: slice_of(&query),
        causes: !xlsx,
    };
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let d = match blocking(move || {
        let d = app.dashboard(&actor, &dq)?;
        let standing = key_list_standing(&app, &actor, &d)?;
        Ok((d, standing))
    })
    .await
    {
        Ok(d) => d,
        Err(e) => return PageError(e).into_response(),
    };
    let (d, standing) = d;
    let lang = pc.lang.as_str();
    if xlsx {
        return match export_xlsx(&d, lang) {
            Ok(r) => r,
            Err(e) => PageError(e).into_response(),
        };
    }
    let title = format!("{} · {}", t(lang, "nav_indicators"), area_name(&d, lang));
    let dash_map = dashboard_map(&state, &pc, &d).await;
    let standing = standing.map(|s| {
        context! { member => s.member, list => super::list_view(&s.list, lang) }
    });
    let ctx = context! {
        key_list => standing,
        dash_map,
        ..minijinja::value::merge_maps([
            page_context(&d, lang, &query),
            render::era(d.year, lang),
        ])
    };
    let crumbs = crumbs(&d, lang, &query);
    render::page(&state, &pc, "indicators.html", &title, crumbs, ctx).await
}

/// A county's place on the key list of the year's period, for readers
/// of areas (a county page shows whether it is a 贫困县 or 重点帮扶县 and
/// how complete the list is that says so).
fn key_list_standing(
    app: &dingdian_app::App,
    actor: &dingdian_app::Actor,
    d: &Dashboard,
) -> Result<Option<KeyListStanding>, AppError> {
    match (&d.area, d.year) {
        (Some(county), Some(year))
            if d.level == Level::County && actor.role.may(Action::ReadAreas) =>
        {
            Ok(Some(app.key_list_standing(actor, county, year)?))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_year_and_filters() {
        let mut query = Query::new();
        query.insert("cause".into(), "illness".into());
        query.insert("page".into(), "3".into());
        assert_eq!(
            dash_href(Some("62"), Some(2014), &query),
            "/indicators?area=62&year=2014&cause=illness"
        );
        assert_eq!(dash_href(None, None, &Query::new()), "/indicators?area=");
    }
}

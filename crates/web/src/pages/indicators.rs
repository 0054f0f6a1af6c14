//! The indicators dashboard (指标看板): key figures of an area and year,
//! the child areas one level down with every indicator (each drilling
//! down), charts drawn on the server, the export of the table.

use super::{Query, error_page, q, wants_xlsx, xlsx_response};
use crate::AppState;
use crate::charts::{self, Point, ValueBar};
use crate::ctx::{PageCtx, blocking};
use crate::format::{people, percent, signed, signed_int, thousands, yuan};
use crate::i18n::t;
use crate::render;
use axum::Router;
use axum::extract::{Query as Q, State};
use axum::response::Response;
use axum::routing::get;
use dingdian_app::indicators::{IndicatorQuery, IndicatorRow};
use dingdian_app::tabular::{self, Cell};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::area::{Level, is_western_province, short_area_name};
use dingdian_core::indicators::Shortfall;
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

/// The level one below (`None` under a village).
pub fn child_level(l: Level) -> Option<Level> {
    match l {
        Level::Nation => Some(Level::Province),
        Level::Province => Some(Level::Prefecture),
        Level::Prefecture => Some(Level::County),
        Level::County => Some(Level::Township),
        Level::Township => Some(Level::Village),
        Level::Village => None,
    }
}

/// The level of an area code (`None` for the nation).
pub fn level_of(area: Option<&str>) -> Result<Level, AppError> {
    match area {
        None => Ok(Level::Nation),
        Some(a) => Level::from_code_len(a.len())
            .filter(|_| a.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                AppError::invalid(
                    "area",
                    a,
                    "bad_area_code",
                    "区划代码应为 2、4、6、9 或 12 位数字",
                    "an area code has 2, 4, 6, 9 or 12 digits",
                )
            }),
    }
}

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

#[derive(Serialize)]
struct TableRow {
    code: String,
    name: String,
    href: String,
    cells: Vec<String>,
}

/// Everything the dashboard shows, gathered off the async threads.
struct Dash {
    level: Level,
    lineage: Vec<(String, String)>,
    year: Option<i32>,
    /// The latest year, when the dashboard opened on an earlier complete one.
    latest_incomplete: Option<i32>,
    own: Option<IndicatorRow>,
    previous: Option<IndicatorRow>,
    history: Vec<IndicatorRow>,
    child_level: Option<Level>,
    children: Vec<IndicatorRow>,
    causes: Vec<(Cause, u64)>,
}

fn gather(
    app: &App,
    actor: &Actor,
    area: Option<String>,
    year: Option<i32>,
    slice: Slice,
    want_causes: bool,
) -> Result<Dash, AppError> {
    actor.require(Action::ReadIndicators)?;
    let level = level_of(area.as_deref())?;
    let lineage = match &area {
        Some(a) => {
            let l = app.area_lineage(actor, a)?;
            if l.is_empty() {
                return Err(AppError::not_found("区划", "area"));
            }
            l
        }
        None => Vec::new(),
    };
    let history = app.indicators(
        actor,
        &IndicatorQuery {
            area: area.clone(),
            year: None,
            level: Some(level),
            slice: slice.clone(),
        },
    )?;
    let years: Vec<i32> = history.iter().map(|r| r.year).collect();
    // Without a chosen year: the latest year whose data looks complete.
    let chosen = year;
    let year = year.or_else(|| {
        history
            .iter()
            .rev()
            .find(|r| r.completeness.is_complete())
            .or(history.last())
            .map(|r| r.year)
    });
    let latest_incomplete = years
        .last()
        .copied()
        .filter(|l| chosen.is_none() && year != Some(*l));
    let own = history.iter().find(|r| Some(r.year) == year).cloned();
    let previous = year.and_then(|y| history.iter().find(|r| r.year == y - 1).cloned());
    let child_level = child_level(level);
    let children = match (child_level, year) {
        (Some(cl), Some(y)) => app.indicators(
            actor,
            &IndicatorQuery {
                area: area.clone(),
                year: Some(y),
                level: Some(cl),
                slice: slice.clone(),
            },
        )?,
        _ => Vec::new(),
    };
    let mut causes = Vec::new();
    if let (true, Some(y), Some(_)) = (want_causes, year, &own) {
        for c in ALL_CAUSES {
            let rows = app.indicators(
                actor,
                &IndicatorQuery {
                    area: area.clone(),
                    year: Some(y),
                    level: Some(level),
                    slice: Slice {
                        cause: Some(c.code()),
                        ..slice.clone()
                    },
                },
            )?;
            causes.push((
                c,
                rows.first()
                    .map(|r| r.indicators.poor_population)
                    .unwrap_or(0),
            ));
        }
    }
    Ok(Dash {
        level,
        lineage,
        year,
        latest_incomplete,
        own,
        previous,
        history,
        child_level,
        children,
        causes,
    })
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

fn figures(d: &Dash, lang: &str) -> Vec<Figure> {
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
    let mut out = vec![
        Figure {
            id: "fig-poor",
            label: t(lang, "ind_poor_population"),
            value: people_with_unit(i.poor_population as i64, lang),
            note: p.and_then(|p| {
                let d = signed_int(i.poor_population as i64 - p.poor_population as i64);
                vs(if lang == "en" { d } else { format!("{d} 人") })
            }),
            good: None,
        },
        Figure {
            id: "fig-incidence",
            label: t(lang, "ind_poverty_incidence"),
            value: percent(i.poverty_incidence),
            note: match (i.poverty_incidence, p.and_then(|p| p.poverty_incidence)) {
                (Some(a), Some(b)) => {
                    Some(t(lang, "vs_last_year_pp").replace("{d}", &signed(a - b)))
                }
                _ => match i.rural_population {
                    Some(r) => Some(format!(
                        "{} {}",
                        t(lang, "ind_rural_population"),
                        thousands(r)
                    )),
                    None => Some(missing_population(own, lang, "missing_rural_population"))
                        .filter(|m| m != "—"),
                },
            },
            good: None,
        },
        Figure {
            id: "fig-return",
            label: t(lang, "ind_return_rate"),
            value: percent(i.return_rate),
            note: Some(format!(
                "{} {}",
                t(lang, "ind_returned_population"),
                thousands(i.returned_population as i64)
            )),
            good: None,
        },
        Figure {
            id: "fig-registered",
            label: t(lang, "ind_registered_population"),
            value: people_with_unit(i.registered_population as i64, lang),
            note: Some(
                t(lang, "n_households").replace("{n}", &thousands(i.registered_households as i64)),
            ),
            good: None,
        },
        Figure {
            id: "fig-income",
            label: t(lang, "ind_rural_income_per_capita"),
            value: match i.rural_income_per_capita {
                Some(_) => format!(
                    "{} {}",
                    yuan(i.rural_income_per_capita),
                    t(lang, "unit_yuan")
                ),
                None => "—".into(),
            },
            note: i
                .rural_income_growth
                .map(|g| t(lang, "growth_vs_last_year").replace("{d}", &format!("{}%", signed(g)))),
            good: None,
        },
        Figure {
            id: "fig-mean-income",
            label: t(lang, "ind_mean_income"),
            value: match i.mean_income {
                Some(_) => format!("{} {}", yuan(i.mean_income), t(lang, "unit_yuan")),
                None => "—".into(),
            },
            note: None,
            good: None,
        },
    ];
    if d.level == Level::County {
        let western = own
            .area_code
            .as_deref()
            .is_some_and(|c| is_western_province(&c[..2]));
        let rule = if western {
            "exit_rule_west"
        } else {
            "exit_rule_other"
        };
        out.push(Figure {
            id: "fig-exit",
            label: t(lang, "ind_exit_eligible"),
            value: match i.exit_eligible {
                _ if !complete => t(lang, "exit_withheld"),
                Some(true) => t(lang, "exit_yes"),
                Some(false) => t(lang, "exit_no"),
                None => "—".into(),
            },
            note: Some(t(lang, if complete { rule } else { "exit_withheld_note" })),
            good: i.exit_eligible.filter(|_| complete),
        });
    }
    out
}

fn area_name(d: &Dash, lang: &str) -> String {
    d.lineage
        .last()
        .map(|l| short_area_name(&l.0, &l.1))
        .unwrap_or_else(|| t(lang, "nation"))
}

/// The warning of a year whose data looks incomplete: a title, one line
/// per shortfall, and what to do.
fn incomplete_notice(d: &Dash, lang: &str) -> Option<minijinja::Value> {
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

fn caption(lang: &str) -> String {
    t(lang, "chart_caption").replace("{date}", &dingdian_core::time::today().to_string())
}

fn charts_of(d: &Dash, lang: &str, query: &Query) -> Vec<String> {
    let mut out = Vec::new();
    let name = area_name(d, lang);
    if !d.history.is_empty() {
        let incidence_known = d
            .history
            .iter()
            .any(|r| r.indicators.poverty_incidence.is_some());
        // A year whose data looks incomplete is marked with *.
        let label = |r: &IndicatorRow| {
            let mark = if r.completeness.is_complete() {
                ""
            } else {
                "*"
            };
            format!("{}{mark}", r.year)
        };
        let points: Vec<Point> = d
            .history
            .iter()
            .map(|r| {
                if incidence_known {
                    Point {
                        label: label(r),
                        value: r.indicators.poverty_incidence,
                        text: percent(r.indicators.poverty_incidence),
                    }
                } else {
                    Point {
                        label: label(r),
                        value: Some(r.indicators.poor_population as f64),
                        text: people(r.indicators.poor_population as i64, lang),
                    }
                }
            })
            .collect();
        let (title, unit) = if incidence_known {
            ("chart_incidence_years", "axis_percent")
        } else {
            ("chart_poor_years", "axis_people")
        };
        let mut cap = caption(lang);
        if d.history.iter().any(|r| !r.completeness.is_complete()) {
            cap = format!("{} {cap}", t(lang, "chart_incomplete_note"));
        }
        out.push(charts::line_chart(
            &format!("{} · {}", name, t(lang, title)),
            &points,
            &t(lang, unit),
            &cap,
        ));
    }
    if !d.children.is_empty() {
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
        let mut title = format!(
            "{} · {}",
            t(lang, "chart_poor_by_child").replace(
                "{level}",
                &t(
                    lang,
                    &format!("level_{}", d.child_level.map(|l| l.as_str()).unwrap_or(""))
                ),
            ),
            d.year.map(|y| y.to_string()).unwrap_or_default()
        );
        if shown < rows.len() {
            title.push_str(&format!(
                " ({})",
                t(lang, "top_n").replace("{n}", &shown.to_string())
            ));
        }
        out.push(charts::value_bars(
            &title,
            &bars,
            &t(lang, "axis_people"),
            &caption(lang),
        ));
    }
    if !d.causes.is_empty() {
        let bars: Vec<ValueBar> = d
            .causes
            .iter()
            .map(|(c, n)| ValueBar {
                label: if lang == "en" {
                    c.as_str().replace('_', " ")
                } else {
                    c.zh().to_string()
                },
                href: Some({
                    let mut qq = query.clone();
                    qq.insert("cause".into(), c.as_str().into());
                    dash_href(
                        d.own.as_ref().and_then(|r| r.area_code.as_deref()),
                        d.year,
                        &qq,
                    )
                }),
                value: *n as f64,
                text: thousands(*n as i64),
            })
            .collect();
        out.push(charts::value_bars(
            &format!(
                "{} · {} · {}",
                name,
                t(lang, "chart_poor_by_cause"),
                d.year.map(|y| y.to_string()).unwrap_or_default()
            ),
            &bars,
            &t(lang, "axis_people"),
            &caption(lang),
        ));
    }
    out
}

/// The breadcrumbs of the dashboard: the nation, then the lineage.
fn crumbs(d: &Dash, lang: &str, query: &Query) -> Vec<(String, String)> {
    let mut c = vec![(dash_href(None, d.year, query), t(lang, "nation"))];
    c.extend(d.lineage.iter().map(|(code, name)| {
        (
            dash_href(Some(code), d.year, query),
            short_area_name(code, name),
        )
    }));
    c
}

async fn dashboard(State(state): State<AppState>, pc: PageCtx, Q(query): Q<Query>) -> Response {
    // A county officer starts at the own county; everyone else at the nation.
    let area = match q(&query, "area") {
        Some(a) => Some(a.to_string()),
        None if !query.contains_key("area") => pc.actor.scope.county().map(str::to_string),
        None => None,
    };
    let year = q(&query, "year").and_then(|y| y.parse::<i32>().ok());
    let slice = slice_of(&query);
    let xlsx = wants_xlsx(&query);
    let app = state.app.clone();
    let actor = pc.actor.clone();
    let a2 = area.clone();
    let d = match blocking(move || gather(&app, &actor, a2, year, slice, !xlsx)).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, &pc, e).await,
    };
    let lang = pc.lang.as_str();
    let headers: Vec<String> = COLUMNS
        .iter()
        .filter(|c| **c != "exit_eligible" || d.child_level == Some(Level::County))
        .map(|c| t(lang, &format!("ind_{c}")))
        .collect();
    let names: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "exit_eligible" || d.child_level == Some(Level::County))
        .collect();
    if xlsx {
        let mut h = vec![t(lang, "area_code"), t(lang, "area_name"), t(lang, "year")];
        h.extend(headers.iter().cloned());
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
        return match tabular::write_xlsx("indicators", &h, &rows) {
            Ok(bytes) => xlsx_response(
                &format!("indicators-{}", area.as_deref().unwrap_or("nation")),
                bytes,
            ),
            Err(e) => error_page(&state, &pc, e).await,
        };
    }
    let table: Vec<TableRow> = d
        .children
        .iter()
        .map(|r| {
            let code = r.area_code.clone().unwrap_or_default();
            TableRow {
                href: dash_href(Some(&code), d.year, &query),
                name: short_area_name(&code, &r.area_name),
                code,
                cells: names.iter().map(|n| cell(r, n, lang).0).collect(),
            }
        })
        .collect();
    let registry_href =
        (d.level >= Level::County && pc.actor.role.may(Action::ReadRegistry)).then(|| {
            format!(
                "/registry?area={}{}",
                area.as_deref().unwrap_or(""),
                d.year.map(|y| format!("&year={y}")).unwrap_or_default()
            )
        });
    let export = {
        let mut qq = query.clone();
        if let Some(a) = &area {
            qq.insert("area".into(), a.clone());
        }
        if let Some(y) = d.year {
            qq.insert("year".into(), y.to_string());
        }
        qq.insert("format".into(), "xlsx".into());
        let mut pairs: Vec<_> = qq.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        pairs.sort();
        format!(
            "/indicators?{}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        )
    };
    let name = area_name(&d, lang);
    let title = format!("{} · {}", t(lang, "nav_indicators"), name);
    let statuses: Vec<(&str, String)> = ALL_STATUSES
        .iter()
        .map(|s| {
            (
                s.as_str(),
                if lang == "en" {
                    s.as_str().to_string()
                } else {
                    s.zh().to_string()
                },
            )
        })
        .collect();
    let causes: Vec<(&str, String)> = ALL_CAUSES
        .iter()
        .map(|c| {
            (
                c.as_str(),
                if lang == "en" {
                    c.as_str().replace('_', " ")
                } else {
                    c.zh().to_string()
                },
            )
        })
        .collect();
    let household_types: Vec<(&str, String)> = ALL_HOUSEHOLD_TYPES
        .iter()
        .map(|h| {
            (
                h.as_str(),
                t(lang, &format!("household_type_{}", h.as_str())),
            )
        })
        .collect();
    let sl = slice_of(&query);
    let ctx = context! {
        area => area.clone().unwrap_or_default(),
        area_name => name,
        level => d.level.as_str(),
        year => d.year,
        years => d.history.iter().rev().map(|r| (r.year, !r.completeness.is_complete())).collect::<Vec<_>>(),
        incomplete => incomplete_notice(&d, lang),
        default_year_note => d.latest_incomplete.zip(d.year).map(|(latest, y)| t(lang, "default_year_note").replace("{year}", &y.to_string()).replace("{latest}", &latest.to_string())),
        figures => figures(&d, lang),
        charts => charts_of(&d, lang, &query),
        child_level => d.child_level.map(|l| l.as_str()),
        headers,
        table,
        has_data => d.own.is_some(),
        registry_href,
        export,
        statuses,
        causes,
        household_types,
        f => context! {
            status => sl.status.and_then(PovertyStatus::from_code).map(|s| s.as_str()).unwrap_or(""),
            cause => sl.cause.and_then(Cause::from_code).map(|c| c.as_str()).unwrap_or(""),
            household_type => sl.household_type.and_then(HouseholdType::from_code).map(|h| h.as_str()).unwrap_or(""),
        },
        filtered => sl.status.is_some() || sl.cause.is_some() || sl.household_type.is_some(),
    };
    let crumbs = crumbs(&d, lang, &query);
    render::page(&state, &pc, "indicators.html", &title, crumbs, ctx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_go_down_one_at_a_time() {
        assert_eq!(child_level(Level::Nation), Some(Level::Province));
        assert_eq!(child_level(Level::County), Some(Level::Township));
        assert_eq!(child_level(Level::Village), None);
        assert_eq!(level_of(None).unwrap(), Level::Nation);
        assert_eq!(level_of(Some("623023")).unwrap(), Level::County);
        assert_eq!(level_of(Some("623023100")).unwrap(), Level::Township);
        assert!(level_of(Some("6230")).is_ok());
        assert!(level_of(Some("62302")).is_err());
        assert!(level_of(Some("abcdef")).is_err());
    }

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

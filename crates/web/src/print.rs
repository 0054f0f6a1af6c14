//! The printed reports as standalone A4 documents (no app frame): the
//! pages `/print/…` and `dingdian report … --out FILE.html` render them
//! through the same template. Each report becomes a title block and
//! sections (figures, a table, an SVG chart with its source and date);
//! every word comes from the catalogue in the reader's language.

use crate::charts::{Point, ValueBar, line_chart, value_bars};
use crate::format::{fen, percent, thousands, yuan};
use crate::i18n::t;
use dingdian_app::areas::KeyListStanding;
use dingdian_app::indicators::IndicatorRow;
use dingdian_app::print::{Count, CountyProfile, NationalOverview, UnitReport};
use dingdian_core::area::ListCompleteness;
use dingdian_core::period::{Period, Vocabulary};
use minijinja::{Environment, context};
use serde::Serialize;

/// The stylesheet of the printed reports.
pub const PRINT_CSS: &str = include_str!("../assets/print.css");

/// How the document gets its stylesheet: a link to `/assets/print.css`
/// (served pages; the CSP allows only styles from the server), or the
/// same CSS inside the file (a file written by the CLI is opened from
/// disk, where there is no server to link to and no CSP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Linked,
    Inline,
}

/// One section of a report.
#[derive(Serialize, Default)]
struct Section {
    title: String,
    /// (label, figure) pairs shown large.
    figures: Vec<(String, String)>,
    headers: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    nums: Vec<bool>,
    rows: Vec<Vec<String>>,
    /// Shown instead of an empty table.
    empty: Option<String>,
    chart: Option<String>,
    caption: Option<String>,
    /// A note under the title (how complete a list is that the section
    /// rests on).
    note: Option<String>,
}

impl Section {
    fn new(lang: &str, key: &str) -> Section {
        Section {
            title: t(lang, key),
            ..Default::default()
        }
    }

    /// The table under its header (keys); the columns after the first
    /// `text` hold numbers (right-aligned).
    fn table(
        mut self,
        lang: &str,
        (columns, text): (&[&str], usize),
        rows: Vec<Vec<String>>,
    ) -> Section {
        self.nums = (0..columns.len()).map(|i| i >= text).collect();
        self.headers = columns.iter().map(|c| t(lang, c)).collect();
        if rows.is_empty() {
            self.empty = Some(t(lang, "pr_none"));
        }
        self.rows = rows;
        self
    }

    fn figure(mut self, lang: &str, key: &str, value: String) -> Section {
        self.figures.push((t(lang, key), value));
        self
    }

    fn chart(mut self, svg: String, caption: String) -> Section {
        self.chart = Some(svg);
        self.caption = Some(caption);
        self
    }
}

/// A report ready for the template.
struct Doc {
    title: String,
    /// (label key, value) lines of the title block.
    subject: Vec<(String, String)>,
    sections: Vec<Section>,
    /// The year reported on: its period decides the words.
    year: i32,
}

impl Doc {
    /// Fills every `{era.…}` placeholder with the words of the year's period.
    fn in_words_of(mut self, era: &Vocabulary) -> Doc {
        let fill = |s: &mut String| *s = era.fill(s);
        fill(&mut self.title);
        for (k, v) in &mut self.subject {
            fill(k);
            fill(v);
        }
        for sec in &mut self.sections {
            fill(&mut sec.title);
            sec.figures.iter_mut().for_each(|(k, _)| fill(k));
            sec.headers.iter_mut().for_each(fill);
            sec.caption.iter_mut().for_each(fill);
            sec.empty.iter_mut().for_each(fill);
        }
        self
    }
}

/// How complete a list is, in a sentence (the `list_completeness` macro's
/// words, for a printed page).
fn list_summary(l: &ListCompleteness, lang: &str) -> String {
    let name = if lang == "en" { &l.name_en } else { &l.name_zh };
    let key = match l.missing() {
        None => "lc_undeclared",
        Some(0) => "lc_complete",
        Some(_) => "lc_partial",
    };
    t(lang, key)
        .replace("{name}", name)
        .replace("{n}", &thousands(l.members))
        .replace(
            "{total}",
            &l.declared_total.map(thousands).unwrap_or_default(),
        )
        .replace("{missing}", &l.missing().map(thousands).unwrap_or_default())
}

/// The county's line on the key list of the year's period.
fn key_list_line(k: &KeyListStanding, lang: &str) -> (String, String) {
    let name = if lang == "en" {
        &k.list.name_en
    } else {
        &k.list.name_zh
    };
    let key = if k.member {
        "era_in_list"
    } else {
        "era_not_in_list"
    };
    (
        t(lang, "pr_key_list"),
        format!(
            "{} · {}",
            t(lang, key).replace("{name}", name),
            list_summary(&k.list, lang)
        ),
    )
}

fn name(lang: &str, c: &Count) -> String {
    if lang == "en" { c.en } else { c.zh }.to_string()
}

fn caption(lang: &str, source: &str, printed: &str) -> String {
    format!(
        "{} · {} {printed}",
        t(lang, source),
        t(lang, "pr_printed_on")
    )
}

fn count_rows(lang: &str, items: &[Count], money: bool) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|c| {
            let v = if money {
                fen(c.count)
            } else {
                thousands(c.count)
            };
            vec![name(lang, c), v]
        })
        .collect()
}

/// The five poverty figures a report and the public page both show:
/// (poor, incidence), (exited, return rate), rural income per capita.
pub(crate) fn poverty_texts(
    (poor, incidence): (u64, Option<f64>),
    (exited, return_rate): (u64, Option<f64>),
    income: Option<f64>,
) -> [String; 5] {
    [
        thousands(poor as i64),
        percent(incidence),
        thousands(exited as i64),
        percent(return_rate),
        yuan(income),
    ]
}

fn indicator_rows(rows: &[IndicatorRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            let i = &r.indicators;
            let mut row = vec![r.year.to_string(), r.area_name.clone()];
            row.extend(poverty_texts(
                (i.poor_population, i.poverty_incidence),
                (i.exited_population, i.return_rate),
                i.rural_income_per_capita,
            ));
            row
        })
        .collect()
}

const INDICATOR_COLUMNS: [&str; 7] = [
    "pr_col_year",
    "pr_col_area",
    "pr_col_poor",
    "pr_col_incidence",
    "pr_col_exited",
    "pr_col_return_rate",
    "pr_col_income",
];

fn incidence_section(p: &CountyProfile, lang: &str, printed: &str) -> Section {
    let points: Vec<Point> = p
        .history
        .iter()
        .map(|r| Point {
            label: r.year.to_string(),
            value: r.indicators.poverty_incidence,
            text: percent(r.indicators.poverty_incidence),
        })
        .collect();
    let chart = line_chart(&t(lang, "pr_chart_incidence"), &points, "%", "");
    Section::new(lang, "pr_s_indicators")
        .table(lang, (&INDICATOR_COLUMNS, 2), indicator_rows(&p.history))
        .chart(chart, caption(lang, "pr_source_registry", printed))
}

fn pairing_section(p: &CountyProfile, lang: &str) -> Section {
    let yes_no = |b: bool| t(lang, if b { "pr_yes" } else { "pr_no" });
    let units = p
        .units
        .iter()
        .map(|u| {
            vec![
                u.unit_name.clone(),
                yes_no(u.paired),
                fen(u.received_fen),
                fen(u.spent_fen),
            ]
        })
        .collect();
    Section::new(lang, "pr_s_pairing").table(
        lang,
        (
            &[
                "pr_col_unit",
                "pr_col_paired",
                "pr_col_received",
                "pr_col_spent",
            ],
            2,
        ),
        units,
    )
}

fn monitoring_rows(p: &CountyProfile, lang: &str) -> Vec<Vec<String>> {
    p.monitoring
        .iter()
        .map(|k| {
            let kind = if lang == "en" { k.en } else { k.zh };
            let total = k.flagged + k.verified + k.monitored + k.cleared;
            [k.flagged, k.verified, k.monitored, k.cleared, total]
                .iter()
                .fold(vec![kind.to_string()], |mut row, n| {
                    row.push(thousands(*n));
                    row
                })
        })
        .collect()
}

fn county_doc(p: &CountyProfile, lang: &str, printed: &str) -> Doc {
    let indicators = incidence_section(p, lang, printed);
    let pairing = pairing_section(p, lang);
    let monitoring = monitoring_rows(p, lang);
    let inspections = p
        .inspections
        .iter()
        .map(|i| {
            vec![
                i.date.to_string(),
                i.unit_name.clone(),
                i.team.clone(),
                thousands(i.findings),
            ]
        })
        .collect();
    let mut lineage = p.lineage.clone();
    lineage.push(p.county_name.clone());
    Doc {
        title: t(lang, "pr_county_title"),
        subject: vec![
            (t(lang, "pr_area"), lineage.join(" ")),
            (
                t(lang, "pr_period"),
                t(lang, "pr_year_value").replace("{year}", &p.year.to_string()),
            ),
            key_list_line(&p.key_list, lang),
        ],
        year: p.year,
        sections: vec![
            indicators,
            pairing,
            Section::new(lang, "pr_s_projects").table(
                lang,
                (&["pr_col_status", "pr_col_count"], 1),
                count_rows(lang, &p.projects, false),
            ),
            Section::new(lang, "pr_s_cadres").figure(lang, "pr_fig_cadres", thousands(p.cadres)),
            Section::new(lang, "pr_s_monitoring").table(
                lang,
                (
                    &[
                        "pr_col_kind",
                        "pr_col_flagged",
                        "pr_col_verified",
                        "pr_col_monitored",
                        "pr_col_cleared",
                        "pr_col_total",
                    ],
                    1,
                ),
                monitoring,
            ),
            Section::new(lang, "pr_s_inspections").table(
                lang,
                (
                    &[
                        "pr_col_date",
                        "pr_col_unit",
                        "pr_col_team",
                        "pr_col_findings",
                    ],
                    3,
                ),
                inspections,
            ),
        ],
    }
}

fn assessment_section(r: &UnitReport, lang: &str) -> Section {
    let s = Section::new(lang, "pr_s_assessment");
    let Some(a) = &r.assessment else {
        return Section {
            empty: Some(t(lang, "pr_no_assessment")),
            ..s
        };
    };
    let score = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into());
    let rows = a
        .dimensions
        .iter()
        .map(|d| {
            vec![
                name(lang, &d.dimension),
                score(d.score),
                d.weight
                    .map(|w| w.to_string())
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    s.figure(lang, "pr_fig_status", name(lang, &a.status))
        .figure(lang, "pr_fig_score", score(a.score))
        .figure(
            lang,
            "pr_fig_grade",
            a.grade
                .as_ref()
                .map(|g| name(lang, g))
                .unwrap_or_else(|| "—".into()),
        )
        .table(
            lang,
            (&["pr_col_dimension", "pr_col_score", "pr_col_weight"], 1),
            rows,
        )
}

fn letter_rows(r: &UnitReport, lang: &str) -> Vec<Vec<String>> {
    r.letters
        .iter()
        .map(|l| {
            let fig = |v: i64| if l.money { fen(v) } else { thousands(v) };
            let county = if l.county_name.is_empty() {
                t(lang, "pr_all_counties")
            } else {
                l.county_name.clone()
            };
            vec![
                county,
                name(lang, &l.indicator),
                fig(l.target),
                fig(l.actual),
                format!("{:.1}%", l.completion),
            ]
        })
        .collect()
}

fn counties_section(r: &UnitReport, lang: &str, printed: &str) -> Section {
    let counties: Vec<Vec<String>> = r
        .counties
        .iter()
        .map(|c| {
            vec![
                c.county_name.clone(),
                fen(c.received_fen),
                fen(c.spent_fen),
                thousands(c.leader_visits),
                thousands(c.cadres),
            ]
        })
        .collect();
    let bars: Vec<ValueBar> = r
        .counties
        .iter()
        .map(|c| ValueBar {
            label: c.county_name.clone(),
            href: None,
            value: c.received_fen as f64 / 100.0,
            text: fen(c.received_fen),
        })
        .collect();
    let mut by_county = Section::new(lang, "pr_s_counties").table(
        lang,
        (
            &[
                "pr_col_county",
                "pr_col_received",
                "pr_col_spent",
                "pr_col_visits",
                "pr_col_cadres",
            ],
            1,
        ),
        counties,
    );
    if !bars.is_empty() {
        let chart = value_bars(
            &t(lang, "pr_chart_funds_by_county"),
            &bars,
            &t(lang, "pr_unit_yuan"),
            "",
        );
        by_county = by_county.chart(chart, caption(lang, "pr_source_ledger", printed));
    }
    by_county
}

fn unit_doc(r: &UnitReport, lang: &str, printed: &str) -> Doc {
    let letters = letter_rows(r, lang);
    let by_county = counties_section(r, lang, printed);
    let tally = &r.reports;
    let reports = vec![vec![
        thousands(tally.due),
        thousands(tally.on_time),
        thousands(tally.late),
        thousands(tally.missing),
    ]];
    Doc {
        title: t(lang, "pr_unit_title"),
        subject: vec![
            (t(lang, "pr_unit"), r.unit_name.clone()),
            (t(lang, "pr_kind"), name(lang, &r.unit_kind)),
            (
                t(lang, "pr_period"),
                t(lang, "pr_year_value").replace("{year}", &r.year.to_string()),
            ),
        ],
        year: r.year,
        sections: vec![
            Section::new(lang, "pr_s_letters").table(
                lang,
                (
                    &[
                        "pr_col_county",
                        "pr_col_indicator",
                        "pr_col_target",
                        "pr_col_actual",
                        "pr_col_completion",
                    ],
                    2,
                ),
                letters,
            ),
            by_county,
            Section::new(lang, "pr_s_projects").table(
                lang,
                (&["pr_col_status", "pr_col_count"], 1),
                count_rows(lang, &r.projects, false),
            ),
            Section::new(lang, "pr_s_reports").table(
                lang,
                (
                    &[
                        "pr_col_due",
                        "pr_col_on_time",
                        "pr_col_late",
                        "pr_col_missing",
                    ],
                    0,
                ),
                reports,
            ),
            Section::new(lang, "pr_s_inspections")
                .figure(lang, "pr_fig_inspections", thousands(r.inspections))
                .table(
                    lang,
                    (&["pr_col_status", "pr_col_count"], 1),
                    count_rows(lang, &r.rectifications, false),
                ),
            assessment_section(r, lang),
        ],
    }
}

fn national_doc(o: &NationalOverview, lang: &str, printed: &str) -> Doc {
    let mut areas: Vec<IndicatorRow> = o.nation.iter().cloned().collect();
    areas.extend(o.provinces.iter().cloned());
    let bars: Vec<ValueBar> = o
        .provinces
        .iter()
        .map(|p| ValueBar {
            label: p.area_name.clone(),
            href: None,
            value: p.indicators.poor_population as f64,
            text: thousands(p.indicators.poor_population as i64),
        })
        .collect();
    let mut provinces = Section::new(lang, "pr_s_provinces").table(
        lang,
        (&INDICATOR_COLUMNS, 2),
        indicator_rows(&areas),
    );
    if !bars.is_empty() {
        let chart = value_bars(
            &t(lang, "pr_chart_poor_by_province"),
            &bars,
            &t(lang, "pr_unit_people"),
            "",
        );
        provinces = provinces.chart(chart, caption(lang, "pr_source_registry", printed));
    }
    Doc {
        title: t(lang, "pr_national_title"),
        subject: vec![(
            t(lang, "pr_period"),
            t(lang, "pr_year_value").replace("{year}", &o.year.to_string()),
        )],
        year: o.year,
        sections: vec![
            Section {
                note: Some(list_summary(&o.key_list, lang)),
                ..Section::new(lang, "pr_s_coverage")
            }
            .figure(lang, "pr_fig_covered", thousands(o.counties_covered))
            .figure(lang, "pr_fig_key", thousands(o.key_counties))
            .figure(lang, "pr_fig_key_covered", thousands(o.key_covered)),
            provinces,
            Section::new(lang, "pr_s_funds_kind").table(
                lang,
                (&["pr_col_kind", "pr_col_amount"], 1),
                count_rows(lang, &o.funds_by_kind, true),
            ),
            Section::new(lang, "pr_s_grades").table(
                lang,
                (&["pr_col_grade", "pr_col_count"], 1),
                count_rows(lang, &o.grades, false),
            ),
            Section::new(lang, "pr_s_monitoring").table(
                lang,
                (&["pr_col_kind", "pr_col_count"], 1),
                count_rows(lang, &o.monitored, false),
            ),
        ],
    }
}

/// Screen-only links of a served page (none in a file).
#[derive(Serialize, Default)]
pub(crate) struct Links {
    pub xlsx: Option<String>,
    pub back: Option<String>,
}

fn render(
    env: &Environment,
    doc: Doc,
    lang: &str,
    style: Style,
    links: Links,
) -> Result<String, String> {
    let printed = dingdian_core::time::show_ts(dingdian_core::time::now_ts());
    let period = Period::of_year(doc.year);
    let doc = doc.in_words_of(period.words(lang));
    let ctx = context! {
        lang,
        era_period => period.as_str(),
        title => doc.title,
        subject => doc.subject,
        sections => doc.sections,
        printed,
        inline_css => (style == Style::Inline).then_some(PRINT_CSS),
        links,
    };
    env.get_template("print.html")
        .and_then(|t| t.render(ctx))
        .map_err(|e| format!("print.html: {e:#}"))
}

fn today_text() -> String {
    dingdian_core::time::today().to_string()
}

/// The map a report shows (drawn by `App::report_map`), as a section
/// after the first.
fn with_map(mut doc: Doc, map: Option<String>, lang: &str, printed: &str) -> Doc {
    if let Some(svg) = map {
        let at = doc.sections.len().min(1);
        let section =
            Section::new(lang, "pr_s_map").chart(svg, caption(lang, "pr_source_registry", printed));
        doc.sections.insert(at, section);
    }
    doc
}

pub(crate) fn county_with(
    env: &Environment,
    p: &CountyProfile,
    map: Option<String>,
    lang: &str,
    style: Style,
    links: Links,
) -> Result<String, String> {
    let printed = today_text();
    let doc = with_map(county_doc(p, lang, &printed), map, lang, &printed);
    render(env, doc, lang, style, links)
}

pub(crate) fn unit_with(
    env: &Environment,
    r: &UnitReport,
    lang: &str,
    style: Style,
    links: Links,
) -> Result<String, String> {
    render(env, unit_doc(r, lang, &today_text()), lang, style, links)
}

pub(crate) fn national_with(
    env: &Environment,
    o: &NationalOverview,
    map: Option<String>,
    lang: &str,
    style: Style,
    links: Links,
) -> Result<String, String> {
    let printed = today_text();
    let doc = with_map(national_doc(o, lang, &printed), map, lang, &printed);
    render(env, doc, lang, style, links)
}

/// The county profile as a standalone HTML document (the CLI's file),
/// with the map `App::report_map` drew.
pub fn render_county(
    p: &CountyProfile,
    map: Option<String>,
    lang: &str,
    style: Style,
) -> Result<String, String> {
    county_with(
        &crate::render::environment(),
        p,
        map,
        lang,
        style,
        Links::default(),
    )
}

/// The unit's annual report as a standalone HTML document.
pub fn render_unit(r: &UnitReport, lang: &str, style: Style) -> Result<String, String> {
    unit_with(
        &crate::render::environment(),
        r,
        lang,
        style,
        Links::default(),
    )
}

/// The national overview as a standalone HTML document, with the map
/// `App::report_map` drew.
pub fn render_national(
    o: &NationalOverview,
    map: Option<String>,
    lang: &str,
    style: Style,
) -> Result<String, String> {
    national_with(
        &crate::render::environment(),
        o,
        map,
        lang,
        style,
        Links::default(),
    )
}

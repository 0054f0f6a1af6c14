//! The map drawn as one self-contained SVG: a path per county (even-odd),
//! filled by class from a sequential palette, hatched without data, each
//! a link to its dashboard with a hover title; a legend, a title and a
//! source line. Nothing in it refers to anything outside the document (no
//! URL but the SVG namespace, no image, script, font or style from
//! elsewhere), so it works offline and prints as it shows.

use super::projection::Fit;
use super::shapes::CountyShape;
use std::fmt::Write;

/// The drawing's width in pixels (the viewBox scales it to the page).
pub const WIDTH: f64 = 800.0;
const MARGIN: f64 = 8.0;
const TITLE_BAND: f64 = 34.0;
const LEGEND_ROW: f64 = 20.0;

/// ColorBrewer's YlOrRd (9 classes): sequential, safe for colour-blind
/// readers, and its lightness falls steadily, so it reads in greyscale.
const YL_OR_RD: [&str; 9] = [
    "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
    "#800026",
];

/// The fill of each of `k` classes, lightest first (spread over the palette).
pub fn palette(k: usize) -> Vec<&'static str> {
    match k {
        0 => Vec::new(),
        1 => vec![YL_OR_RD[4]],
        _ => (0..k).map(|i| YL_OR_RD[i * 8 / (k - 1)]).collect(),
    }
}

/// A view's outlines, projected once (a view's geometry does not change
/// with the figure or the year, so callers may keep it).
#[derive(Debug, Clone)]
pub struct Geometry {
    /// The height of the map's area in pixels.
    pub height: f64,
    /// Path data per shape, in the order given.
    pub paths: Vec<String>,
    /// What is drawn beneath the counties and is no county (the nation's
    /// context regions and its South China Sea inset), as SVG.
    pub context: String,
}

/// Projects the shapes of a view fitted to [`WIDTH`]. `min_step`: points
/// closer than this (tenths of a pixel) to the last one kept are skipped;
/// 8 at the nation's scale keeps the drawing small.
pub fn geometry(shapes: &[&CountyShape], min_step: i32) -> Geometry {
    match Fit::to(shapes.iter().copied(), WIDTH, MARGIN) {
        Some(fit) => Geometry {
            height: fit.height,
            paths: shapes
                .iter()
                .map(|s| path_data(&fit, s, min_step))
                .collect(),
            context: String::new(),
        },
        None => Geometry {
            height: 40.0,
            paths: vec![String::new(); shapes.len()],
            context: String::new(),
        },
    }
}

/// The code of 三沙市's islands among the context regions.
const ISLANDS: &str = "460300";
/// The width of the South China Sea inset, in pixels.
const INSET_WIDTH: f64 = 96.0;

/// The nation's geometry: the counties with the context regions around
/// them (Taiwan, Hong Kong, Macao: grey, no data, no link) and 三沙's
/// islands in an inset at the lower right labelled `inset_label`, as maps
/// of China show the South China Sea islands.
pub fn nation_geometry(
    shapes: &[&CountyShape],
    min_step: i32,
    context: &[CountyShape],
    inset_label: &str,
) -> Geometry {
    let (islands, around): (Vec<&CountyShape>, Vec<&CountyShape>) =
        context.iter().partition(|s| s.code == ISLANDS);
    let Some(fit) = Fit::to(shapes.iter().chain(&around).copied(), WIDTH, MARGIN) else {
        return geometry(shapes, min_step);
    };
    let mut out = String::from(
        "<g class=\"context\" fill=\"#e4e4e4\" stroke=\"#999\" stroke-width=\"0.4\" \
         fill-rule=\"evenodd\">",
    );
    for s in &around {
        let _ = write!(out, "<path d=\"{}\"/>", path_data(&fit, s, min_step));
        islets(&mut out, &fit, s, min_step);
    }
    if let Some(inset) = Fit::to(islands.iter().copied(), INSET_WIDTH, 6.0) {
        let (x, y) = (WIDTH - MARGIN - INSET_WIDTH, fit.height - inset.height);
        let _ = write!(
            out,
            "<g transform=\"translate({x} {y})\"><rect width=\"{INSET_WIDTH}\" height=\"{}\" \
             fill=\"#fff\" stroke=\"#666\" stroke-width=\"0.6\"/>",
            inset.height
        );
        for s in &islands {
            islets(&mut out, &inset, s, i32::MAX);
        }
        let _ = write!(
            out,
            "<text x=\"4\" y=\"{}\" font-size=\"10\" fill=\"#444\" stroke=\"none\">{}</text></g>",
            inset.height - 4.0,
            escape(inset_label)
        );
    }
    out.push_str("</g>");
    Geometry {
        height: fit.height,
        paths: shapes
            .iter()
            .map(|s| path_data(&fit, s, min_step))
            .collect(),
        context: out,
    }
}

/// Rings too small to draw at this scale (islands) as dots, so they stay
/// visible; `min_step` as for [`path_data`] (`i32::MAX`: every ring a dot).
fn islets(out: &mut String, fit: &Fit, shape: &CountyShape, min_step: i32) {
    let mut seen = std::collections::BTreeSet::new();
    for ring in &shape.rings {
        let pts: Vec<(i32, i32)> = ring.iter().map(|p| fit.point(*p)).collect();
        let (Some(x0), Some(x1), Some(y0), Some(y1)) = (
            pts.iter().map(|p| p.0).min(),
            pts.iter().map(|p| p.0).max(),
            pts.iter().map(|p| p.1).min(),
            pts.iter().map(|p| p.1).max(),
        ) else {
            continue;
        };
        let small = (x1 - x0).max(y1 - y0) < min_step.saturating_mul(3).max(1);
        // One dot per pixel: a reef of many rings is one dot.
        if small && seen.insert(((x0 + x1) / 20, (y0 + y1) / 20)) {
            out.push_str("<circle cx=\"");
            tenths(out, (x0 + x1) / 2);
            out.push_str("\" cy=\"");
            tenths(out, (y0 + y1) / 2);
            out.push_str("\" r=\"0.9\"/>");
        }
    }
}

/// One county as drawn (in the order of its geometry's paths).
pub struct MapCounty {
    pub code: String,
    /// `None`: no data (hatched).
    pub class: Option<usize>,
    /// A relative link on the same server; empty: not linked.
    pub href: String,
    /// What hovering shows: name, value with unit, paired units.
    pub title: String,
    /// Drawn with a heavy outline (the county a view is about).
    pub outlined: bool,
}

/// A legend row: the words and how many counties it holds.
pub struct LegendRow {
    pub label: String,
    pub count: usize,
}

/// The legend: a row per class, then the no-data row.
pub struct Legend {
    pub classes: Vec<LegendRow>,
    pub no_data: LegendRow,
}

/// Everything a drawing needs.
pub struct SvgMap {
    pub title: String,
    pub counties: Vec<MapCounty>,
    /// How many classes the fills spread over.
    pub classes: usize,
    /// Drawn inside the SVG (standalone and print); a page may show its own.
    pub legend: Option<Legend>,
    pub source: String,
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn tenths(out: &mut String, t: i32) {
    let sign = if t < 0 { "-" } else { "" };
    let (whole, frac) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
    let _ = if frac == 0 {
        write!(out, "{sign}{whole}")
    } else {
        write!(out, "{sign}{whole}.{frac}")
    };
}

/// A county's outline as path data: each ring moved to absolutely, then
/// relative steps, closed; steps shorter than `min_step` skipped, rings
/// left with fewer than three points dropped.
pub fn path_data(fit: &Fit, shape: &CountyShape, min_step: i32) -> String {
    let mut out = String::new();
    for ring in &shape.rings {
        let mut kept: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
        for p in ring.iter().map(|p| fit.point(*p)) {
            let far = kept
                .last()
                .is_none_or(|l| (p.0 - l.0).abs().max((p.1 - l.1).abs()) >= min_step.max(1));
            if far {
                kept.push(p);
            }
        }
        if kept.len() < 3 {
            continue;
        }
        out.push('M');
        tenths(&mut out, kept[0].0);
        out.push(' ');
        tenths(&mut out, kept[0].1);
        out.push('l');
        for w in kept.windows(2) {
            let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
            if !out.ends_with('l') && dx >= 0 {
                out.push(' ');
            }
            tenths(&mut out, dx);
            if dy >= 0 {
                out.push(' ');
            }
            tenths(&mut out, dy);
        }
        out.push('z');
    }
    out
}

/// The whole SVG document.
pub fn render(m: &SvgMap, g: &Geometry) -> String {
    let map_height = g.height;
    let legend_rows = m.legend.as_ref().map_or(0, |l| l.classes.len() + 1);
    let height = TITLE_BAND + map_height + legend_rows as f64 * LEGEND_ROW + 28.0;
    let mut out = String::with_capacity(64 * 1024);
    let title = escape(&m.title);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" class=\"county-map\" font-family=\"sans-serif\">\
         <title>{title}</title><defs><pattern id=\"nodata\" patternUnits=\"userSpaceOnUse\" \
         width=\"5\" height=\"5\" patternTransform=\"rotate(45)\"><rect width=\"5\" height=\"5\" \
         fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#777\" \
         stroke-width=\"1.6\"/></pattern></defs>\
         <text x=\"{MARGIN}\" y=\"24\" font-size=\"18\" font-weight=\"bold\">{title}</text>"
    );
    draw_counties(&mut out, m, g);
    let mut y = TITLE_BAND + map_height;
    if let Some(l) = &m.legend {
        draw_legend(&mut out, l, m.classes, y);
        y += legend_rows as f64 * LEGEND_ROW;
    }
    let _ = write!(
        out,
        "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"11\" fill=\"#444\">{}</text></svg>",
        y + 18.0,
        escape(&m.source)
    );
    out
}

fn draw_counties(out: &mut String, m: &SvgMap, g: &Geometry) {
    let fills = palette(m.classes);
    let _ = write!(
        out,
        "<g transform=\"translate(0 {TITLE_BAND})\">{}<g fill-rule=\"evenodd\" stroke=\"#666\" \
         stroke-width=\"0.3\" stroke-linejoin=\"round\">",
        g.context
    );
    let mut outlined = Vec::new();
    for (c, d) in m.counties.iter().zip(&g.paths) {
        let fill = c
            .class
            .and_then(|i| fills.get(i))
            .map_or("url(#nodata)", |f| f);
        // Without a link (a printed map) the county is a plain group.
        let (open, close) = if c.href.is_empty() {
            ("<g".to_string(), "</g>")
        } else {
            (format!("<a href=\"{}\"", escape(&c.href)), "</a>")
        };
        let _ = write!(
            out,
            "{open} id=\"c{}\"><title>{}</title><path d=\"{d}\" fill=\"{fill}\"/>{close}",
            escape(&c.code),
            escape(&c.title),
        );
        if c.outlined {
            outlined.push(d);
        }
    }
    out.push_str("</g>");
    for d in outlined {
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"#000\" stroke-width=\"2.5\" \
             fill-rule=\"evenodd\" class=\"outlined\"/>"
        );
    }
    out.push_str("</g>");
}

fn draw_legend(out: &mut String, l: &Legend, classes: usize, top: f64) {
    let fills = palette(classes);
    let rows = l
        .classes
        .iter()
        .zip(fills.iter().copied())
        .chain(std::iter::once((&l.no_data, "url(#nodata)")));
    for (i, (row, fill)) in rows.enumerate() {
        let y = top + i as f64 * LEGEND_ROW;
        let _ = write!(
            out,
            "<rect x=\"{MARGIN}\" y=\"{}\" width=\"22\" height=\"14\" fill=\"{fill}\" \
             stroke=\"#666\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\" font-size=\"13\">{} \
             ({})</text>",
            y + 3.0,
            MARGIN + 30.0,
            y + 15.0,
            escape(&row.label),
            row.count
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(code: &str, x: i32) -> CountyShape {
        CountyShape {
            code: code.into(),
            name: format!("县{code}"),
            rings: vec![vec![
                (x, 33_000),
                (x + 500, 33_000),
                (x + 500, 33_500),
                (x, 33_500),
            ]],
        }
    }

    fn drawing(shapes: &[CountyShape], legend: bool) -> String {
        let refs: Vec<&CountyShape> = shapes.iter().collect();
        let counties = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| MapCounty {
                code: s.code.clone(),
                class: i.checked_sub(1),
                href: format!("/indicators?area={}&year=2016", s.code),
                title: format!("{} <b>&", s.name),
                outlined: i == 1,
            })
            .collect();
        render(
            &SvgMap {
                title: "贫困发生率 \"2016\"".into(),
                counties,
                classes: 2,
                legend: legend.then(|| Legend {
                    classes: vec![
                        LegendRow {
                            label: "≤ 5".into(),
                            count: 1,
                        },
                        LegendRow {
                            label: "> 5".into(),
                            count: 1,
                        },
                    ],
                    no_data: LegendRow {
                        label: "无数据".into(),
                        count: 1,
                    },
                }),
                source: "来源".into(),
            },
            &geometry(&refs, 1),
        )
    }

    #[test]
    fn every_county_is_a_linked_path_and_the_missing_are_hatched() {
        let shapes = [
            shape("623021", 103_000),
            shape("623023", 104_000),
            shape("623024", 105_000),
        ];
        let svg = drawing(&shapes, true);
        for s in &shapes {
            let a = format!(
                "<a href=\"/indicators?area={}&amp;year=2016\" id=\"c{}\">",
                s.code, s.code
            );
            assert!(svg.contains(&a), "{a}");
        }
        assert_eq!(
            svg.matches("<path d=\"M").count(),
            4,
            "three counties and one outline"
        );
        assert_eq!(
            svg.matches("fill=\"url(#nodata)\"").count(),
            2,
            "a county and the legend row"
        );
        assert!(svg.contains("<pattern id=\"nodata\""));
        assert!(svg.contains("class=\"outlined\""));
        assert!(svg.contains("县623021 &lt;b&gt;&amp;"));
        assert!(svg.contains("无数据 (1)"));
        assert!(svg.contains("&quot;2016&quot;"));
    }

    #[test]
    fn nothing_outside_the_document_is_referred_to() {
        let shapes = [shape("623021", 103_000), shape("623023", 104_000)];
        for svg in [drawing(&shapes, true), drawing(&shapes, false)] {
            assert_eq!(svg.matches("http").count(), 1, "only the namespace");
            assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
            assert_eq!(svg.matches("url(").count(), svg.matches("url(#").count());
            for banned in [
                "<image",
                "<script",
                "<foreignObject",
                "@import",
                "xlink",
                "<style",
                "//",
            ] {
                let rest = svg.replacen("http://www.w3.org/2000/svg", "", 1);
                assert!(!rest.contains(banned), "{banned}");
            }
        }
    }

    #[test]
    fn short_steps_are_skipped_and_tiny_rings_dropped() {
        let fit = Fit::to([&shape("623023", 104_000)], WIDTH, MARGIN).unwrap();
        let mut s = shape("623023", 104_000);
        s.rings[0].insert(1, (104_001, 33_000));
        let fine = path_data(&fit, &s, 1);
        let coarse = path_data(&fit, &s, 50);
        assert!(coarse.len() < fine.len());
        s.rings.push(vec![
            (104_100, 33_100),
            (104_100, 33_100),
            (104_100, 33_100),
        ]);
        assert_eq!(path_data(&fit, &s, 1).matches('M').count(), 1);
    }

    #[test]
    fn the_palette_spreads_and_darkens() {
        assert_eq!(palette(3), vec!["#ffffcc", "#fd8d3c", "#800026"]);
        assert_eq!(palette(9).len(), 9);
        assert_eq!(palette(1).len(), 1);
        assert!(palette(0).is_empty());
    }
}

#[cfg(test)]
mod shipped {
    use super::*;
    use crate::map::shapes;

    fn nation(min_step: i32) -> String {
        let all: Vec<&CountyShape> = shapes::all().iter().collect();
        let counties = shapes::all()
            .iter()
            .map(|s| MapCounty {
                code: s.code.clone(),
                class: None,
                href: format!("/indicators?area={}&year=2016", s.code),
                title: s.name.clone(),
                outlined: false,
            })
            .collect();
        render(
            &SvgMap {
                title: "全国".into(),
                counties,
                classes: 5,
                legend: None,
                source: String::new(),
            },
            &geometry(&all, min_step),
        )
    }

    #[test]
    fn the_nation_stays_small_enough_to_embed() {
        let started = std::time::Instant::now();
        let svg = nation(8);
        eprintln!(
            "nation: {} counties, {} bytes, {:?}",
            shapes::all().len(),
            svg.len(),
            started.elapsed()
        );
        assert!(svg.len() < 1_500_000, "{} bytes", svg.len());
        assert_eq!(svg.matches("<a href=").count(), shapes::all().len());
    }
}

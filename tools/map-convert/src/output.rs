//! Simplifies the matched shapes to the size budget and writes the files.

use crate::Outcome;
use crate::context::Region;
use crate::divisions::Divisions;
use crate::matching::Way;
use crate::simplify::{Borders, Point, Prepared, simplify_county, simplify_keeping_islands};
use std::fmt::Write as _;
use std::path::Path;

/// The shipped file must stay under this (it is compiled into the binary).
const LIMIT_BYTES: usize = 3 * 1024 * 1024;
/// Simplification coarsens until the file fits this.
const TARGET_BYTES: usize = 2_400_000;
/// Rings smaller than this (square thousandths of a degree, about
/// 0.04 km²) are slivers and rocks, dropped unless a county's last ring.
const MIN_AREA: f64 = 4.0;
/// The context shapes are compiled in too; the core test allows 200 KB.
const CONTEXT_LIMIT_BYTES: usize = 150 * 1024;

pub fn write_all(
    o: &Outcome,
    context: &[Region],
    d: &Divisions,
    source: &str,
    data: &Path,
) -> Result<(), String> {
    let (tolerance, shapes) = fit(o);
    write_context(o, context, source, tolerance, data)?;
    let text = shapes_file(&shapes, source, tolerance);
    if text.len() >= LIMIT_BYTES {
        return Err(format!(
            "{} bytes is over the limit {LIMIT_BYTES}",
            text.len()
        ));
    }
    // The product's own parser must read what was written.
    let parsed = dingdian_core::map::shapes::parse(&text)?;
    if parsed.len() != shapes.len() {
        return Err("the written file does not read back".into());
    }
    write(&data.join("county-shapes.tsv"), &text)?;
    let mut dropped = String::from(
        "# Features of the package not shipped (tools/map-convert)\nprefecture\tfeature\treason\n",
    );
    for (area, name, why) in &o.dropped {
        writeln!(dropped, "{area}\t{name}\t{why}").ok();
    }
    write(&data.join("county-shapes.dropped.tsv"), &dropped)?;
    let shipped: std::collections::BTreeSet<&str> = shapes.iter().map(|s| s.0).collect();
    let missing: Vec<_> = d
        .counties
        .iter()
        .filter(|c| !shipped.contains(c.code.as_str()))
        .collect();
    let mut unshaped = String::from(
        "# 2023 counties with no shape in the package (tools/map-convert)\ncode\tname\n",
    );
    for c in &missing {
        writeln!(unshaped, "{}\t{}", c.code, c.name).ok();
    }
    write(&data.join("county-shapes.unshaped.tsv"), &unshaped)?;
    let way = |w| o.by_way.get(&w).copied().unwrap_or(0);
    println!(
        "features read {}; matched exactly {}, by the rename table {}, by the suffix rule {}; \
         dropped {}; 2023 counties without shape {}; shapes {}; tolerance {tolerance:.2}; output {} bytes",
        o.features,
        way(Way::Exact),
        way(Way::Renamed),
        way(Way::Suffix),
        o.dropped.len(),
        missing.len(),
        shapes.len(),
        text.len()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

type Shape<'a> = (&'a str, &'a str, Vec<Vec<Point>>);

/// The finest tolerance whose file fits the target, in steps of a tenth
/// from one unit (the source's own resolution is 1/1024 of a degree).
fn fit<'a>(o: &'a Outcome) -> (f64, Vec<Shape<'a>>) {
    let borders = Borders::of(o.matched.values().flat_map(|m| &m.rings));
    let prepared: Vec<(&str, &str, Vec<Prepared>)> = o
        .matched
        .values()
        .map(|m| {
            let rings = m.rings.iter().map(|r| borders.prepare(r)).collect();
            (m.county.code.as_str(), m.county.name.as_str(), rings)
        })
        .collect();
    let mut tolerance = 1.0;
    loop {
        let shapes: Vec<Shape> = prepared
            .iter()
            .map(|(code, name, rings)| (*code, *name, simplify_county(rings, tolerance, MIN_AREA)))
            .filter(|s| !s.2.is_empty())
            .collect();
        if shapes_file(&shapes, "", tolerance).len() <= TARGET_BYTES {
            return (tolerance, shapes);
        }
        tolerance *= 1.1;
    }
}

/// The format of `crates/core/src/map/shapes.rs`: `code<TAB>name<TAB>rings`,
/// a ring its first point then differences, rings joined by `;`.
fn shapes_file(shapes: &[Shape], source: &str, tolerance: f64) -> String {
    let rings: usize = shapes.iter().map(|s| s.2.len()).sum();
    let points: usize = shapes.iter().flat_map(|s| &s.2).map(Vec::len).sum();
    let mut out = format!(
        "# County shapes of dingdian's map, made by tools/map-convert (see its README.md).\n\
         # Source: npm package {source}, js/shape-with-internal-borders and tianjin-fix/; MIT licence, \
         see county-shapes.LICENSE.\n\
         # Matched to the 2023 codes of counties.csv by prefecture and name; Douglas-Peucker \
         tolerance {tolerance:.2} thousandths of a degree, borders of neighbours simplified alike; \
         rings under {MIN_AREA} square thousandths dropped.\n\
         # {} counties, {rings} rings, {points} points. Format: crates/core/src/map/shapes.rs.\n",
        shapes.len()
    );
    push_lines(&mut out, shapes);
    out
}

fn push_lines(out: &mut String, shapes: &[Shape]) {
    for (code, name, county_rings) in shapes {
        write!(out, "{code}\t{name}\t").ok();
        for (i, ring) in county_rings.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            write!(out, "{},{}", ring[0].0, ring[0].1).ok();
            for w in ring.windows(2) {
                write!(out, ",{},{}", w[1].0 - w[0].0, w[1].1 - w[0].1).ok();
            }
        }
        out.push('\n');
    }
}

/// `data/context-shapes.tsv`: the context regions at the counties'
/// tolerance. Their borders are counted together with the counties', so
/// Hong Kong and Macao keep the points where they meet a neighbouring
/// district, as the district does.
fn write_context(
    o: &Outcome,
    context: &[Region],
    source: &str,
    tolerance: f64,
    data: &Path,
) -> Result<(), String> {
    let county_rings = o.matched.values().flat_map(|m| &m.rings);
    let borders = Borders::of(county_rings.chain(context.iter().flat_map(|r| &r.rings)));
    let shapes: Vec<Shape> = context
        .iter()
        .map(|r| {
            let prepared: Vec<Prepared> = r.rings.iter().map(|x| borders.prepare(x)).collect();
            (
                r.code,
                r.name,
                simplify_keeping_islands(&prepared, tolerance),
            )
        })
        .collect();
    let text = context_file(&shapes, context, source, tolerance);
    if text.len() >= CONTEXT_LIMIT_BYTES {
        return Err(format!(
            "context shapes: {} bytes is over the limit {CONTEXT_LIMIT_BYTES}",
            text.len()
        ));
    }
    let parsed = dingdian_core::map::shapes::parse(&text)?;
    if parsed.len() != context.len() || shapes.iter().any(|s| s.2.is_empty()) {
        return Err("the context shapes do not read back, or a region has no ring".into());
    }
    write(&data.join("context-shapes.tsv"), &text)?;
    for (s, r) in shapes.iter().zip(context) {
        println!(
            "context {} {}: {} files, {} rings read, {} written",
            s.0,
            s.1,
            r.files.len(),
            r.rings.len(),
            s.2.len()
        );
    }
    println!("context shapes {} bytes", text.len());
    Ok(())
}

/// The header says where the regions come from and what they are for.
fn context_file(shapes: &[Shape], context: &[Region], source: &str, tolerance: f64) -> String {
    let mut out = format!(
        "# Context shapes of dingdian's national map, made by tools/map-convert (see its README.md).\n\
         # Source: npm package {source}, js/shape-only/ (files listed below); MIT licence, \
         see county-shapes.LICENSE.\n\
         # One line per region of China that no county shape covers (counties.csv has no \
         codes for Taiwan, Hong Kong, Macao; the package draws 三沙市's islands as no county): \
         drawn grey around the counties, not clickable, no data, never counted as counties.\n\
         # Douglas-Peucker tolerance {tolerance:.2} thousandths of a degree, as the counties; \
         no island dropped: one too small to simplify keeps its points, a rock under \
         a thousandth of a degree is a triangle of one unit, identical rings are written once. \
         Format: crates/core/src/map/shapes.rs.\n\
         # Not in this file: the South China Sea's dashed boundary line (not in the source); \
         the map has no review number (审图号).\n"
    );
    for r in context {
        writeln!(out, "# {} {}: {}", r.code, r.name, r.files.join(" ")).ok();
    }
    push_lines(&mut out, shapes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_lines_read_back_with_the_products_parser() {
        let ring = vec![
            (121000, 25000),
            (121010, 25000),
            (121000, 25010),
            (121000, 25000),
        ];
        let region = Region {
            code: "710000",
            name: "台湾省",
            files: vec!["tai2_wan1_tai2_bei3.js".into()],
            rings: vec![ring.clone()],
        };
        let shapes = vec![("710000", "台湾省", vec![ring.clone(), ring.clone()])];
        let text = context_file(&shapes, &[region], "pkg 1.0", 4.5);
        assert!(
            text.contains("# 710000 台湾省: tai2_wan1_tai2_bei3.js\n"),
            "{text}"
        );
        assert!(text.lines().filter(|l| !l.starts_with('#')).count() == 1);
        let parsed = dingdian_core::map::shapes::parse(&text).unwrap();
        assert_eq!(parsed[0].code, "710000");
        assert_eq!(parsed[0].rings, vec![ring.clone(), ring]);
    }
}

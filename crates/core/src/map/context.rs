//! Context shapes of the national map, shipped as `data/context-shapes.tsv`
//! (made by `tools/map-convert`, in the format of [`super::shapes`]).
//!
//! A national map of China must show the whole territory, or it is a
//! "problem map" (问题地图); the county shapes only cover counties of the
//! 2023 division table, which has none for Taiwan (710000 台湾省), Hong Kong
//! (810000) and Macao (820000), and the source draws the South China Sea
//! islands of 三沙市 (460300) as no county. These four regions are drawn as
//! context around the counties:
//! grey, not clickable, carrying no data, and never counted as counties.
//! Many of their rings are small islands (some a triangle of one unit):
//! a renderer should outline them so that they stay visible.
//!
//! Still missing for a publishable map: the South China Sea's dashed
//! boundary line and an official review number (审图号); the map is an
//! internal statistical chart, see docs/operations.md "Map data".

use super::shapes::{CountyShape, parse};
use std::sync::OnceLock;

const CONTEXT: &str = include_str!("../../../../data/context-shapes.tsv");

/// The context regions, parsed once, in code order.
pub fn all() -> &'static [CountyShape] {
    static PARSED: OnceLock<Vec<CountyShape>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut v = parse(CONTEXT).unwrap_or_default();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_file_holds_the_four_regions_each_a_real_polygon() {
        // Compiled into the binary and sent with every national map.
        assert!(CONTEXT.len() < 200 * 1024, "{} bytes", CONTEXT.len());
        let regions = parse(CONTEXT).expect("the shipped context shapes parse");
        let codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["460300", "710000", "810000", "820000"]);
        for r in &regions {
            assert!(!r.rings.is_empty(), "{} has no ring", r.code);
            for ring in &r.rings {
                let mut points = ring.clone();
                points.sort_unstable();
                points.dedup();
                assert!(points.len() >= 3, "{} has a ring of {points:?}", r.code);
                assert_eq!(ring.first(), ring.last(), "{} has an open ring", r.code);
            }
        }
        assert_eq!(all().len(), 4);
        assert_eq!(all()[1].name, "台湾省");
    }

    #[test]
    fn no_context_region_is_a_county_of_the_division_table() {
        let table = include_str!("../../../../data/counties.csv");
        for r in all() {
            assert!(
                !table
                    .lines()
                    .any(|l| l.starts_with(&format!("{},", r.code))),
                "{} {} is a county of counties.csv",
                r.code,
                r.name
            );
        }
    }
}

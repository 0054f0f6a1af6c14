//! County shapes, shipped as `data/county-shapes.tsv` (made by hand with
//! `tools/map-convert`, never at build time).
//!
//! One line per county: `code<TAB>name<TAB>ring;ring;…`. A ring is
//! `x0,y0,dx1,dy1,…`: its first point, then each point as the difference
//! from the one before, in thousandths of a degree of longitude (x) and
//! latitude (y). A county's rings (outer rings and holes alike) are drawn
//! as one path with the even-odd rule. Lines starting with `#` are comments.

use std::sync::OnceLock;

/// Units of a coordinate per degree.
pub const UNITS_PER_DEGREE: f64 = 1000.0;

const SHAPES: &str = include_str!("../../../../data/county-shapes.tsv");

/// One county's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyShape {
    /// The 6-digit 2023 division code.
    pub code: String,
    pub name: String,
    /// Closed rings of (longitude, latitude) in thousandths of a degree.
    pub rings: Vec<Vec<(i32, i32)>>,
}

/// Parses the shapes file; an error names the line.
pub fn parse(text: &str) -> Result<Vec<CountyShape>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("county-shapes line {}: {what}", i + 1);
        let mut cols = line.split('\t');
        let (Some(code), Some(name), Some(rings), None) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            return Err(bad("expected three tab-separated columns"));
        };
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the code is not six digits"));
        }
        let rings = rings
            .split(';')
            .map(|r| parse_ring(r).ok_or_else(|| bad("a ring is not pairs of integers")))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(CountyShape {
            code: code.to_string(),
            name: name.to_string(),
            rings,
        });
    }
    Ok(out)
}

fn parse_ring(text: &str) -> Option<Vec<(i32, i32)>> {
    let nums = text
        .split(',')
        .map(|n| n.parse::<i32>().ok())
        .collect::<Option<Vec<_>>>()?;
    if nums.len() < 6 || nums.len() % 2 != 0 {
        return None;
    }
    let mut at = (0i32, 0i32);
    let mut ring = Vec::with_capacity(nums.len() / 2);
    for (i, p) in nums.chunks_exact(2).enumerate() {
        at = if i == 0 {
            (p[0], p[1])
        } else {
            (at.0.checked_add(p[0])?, at.1.checked_add(p[1])?)
        };
        ring.push(at);
    }
    Some(ring)
}

/// Every shipped county shape, parsed once, in code order.
pub fn all() -> &'static [CountyShape] {
    static PARSED: OnceLock<Vec<CountyShape>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut v = parse(SHAPES).unwrap_or_default();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v
    })
}

/// The shape of one county, if shipped.
pub fn of(code: &str) -> Option<&'static CountyShape> {
    let all = all();
    all.binary_search_by(|s| s.code.as_str().cmp(code))
        .ok()
        .map(|i| &all[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_its_first_point_then_differences() {
        let v = parse("# note\n623023\t舟曲县\t104000,33000,10,0,0,10,-10,-10\n").unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].name, "舟曲县");
        assert_eq!(
            v[0].rings,
            vec![vec![
                (104000, 33000),
                (104010, 33000),
                (104010, 33010),
                (104000, 33000)
            ]]
        );
    }

    #[test]
    fn a_broken_line_is_refused_with_its_number() {
        let e = parse("623023\t舟曲县\t1,2,x,4,5,6\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert!(parse("62302\t舟曲县\t1,2,3,4,5,6").is_err());
        assert!(parse("623023\t舟曲县").is_err());
    }

    /// The codes (first column) of a shipped CSV file under `data/`.
    fn codes(csv_text: &str) -> Vec<String> {
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .map(|r| r.expect("a well-formed CSV row")[0].to_string())
            .collect()
    }

    #[test]
    fn every_county_of_every_shipped_county_list_has_a_shape_on_the_map() {
        let lists = [
            (
                "key-counties-2012",
                include_str!("../../../../data/key-counties-2012.csv"),
            ),
            (
                "key-assistance-counties-2021",
                include_str!("../../../../data/key-assistance-counties-2021.csv"),
            ),
        ];
        let shapes = parse(SHAPES).expect("the shipped shapes parse");
        let has = |code: &str| shapes.iter().any(|s| s.code == code);
        for (list, text) in lists {
            let codes = codes(text);
            assert!(!codes.is_empty(), "{list} is empty");
            let missing: Vec<_> = codes.iter().filter(|c| !has(c)).collect();
            assert!(missing.is_empty(), "{list}: no shape for {missing:?}");
        }
        assert!(has("623023"), "no shape for Zhouqu (the demo county)");
    }

    #[test]
    fn every_shape_is_one_2023_county_under_its_2023_name() {
        let mut names = std::collections::HashMap::new();
        let table = include_str!("../../../../data/counties.csv");
        for r in csv::Reader::from_reader(table.as_bytes()).records() {
            let r = r.expect("a well-formed CSV row");
            names.insert(r[0].to_string(), r[1].to_string());
        }
        let shapes = parse(SHAPES).expect("the shipped shapes parse");
        let mut seen = std::collections::HashSet::new();
        for s in &shapes {
            assert_eq!(names.get(&s.code), Some(&s.name), "{} {}", s.code, s.name);
            assert!(seen.insert(&s.code), "{} appears twice", s.code);
        }
    }

    #[test]
    fn the_shipped_shapes_stay_small_and_every_ring_is_a_real_polygon() {
        // The file is compiled into the binary and sent to browsers in pieces.
        assert!(SHAPES.len() < 3 * 1024 * 1024, "{} bytes", SHAPES.len());
        for s in parse(SHAPES).expect("the shipped shapes parse") {
            assert!(!s.rings.is_empty(), "{} has no ring", s.code);
            for ring in &s.rings {
                let mut points = ring.clone();
                points.sort_unstable();
                points.dedup();
                assert!(
                    points.len() >= 3,
                    "{} has a ring of {} points",
                    s.code,
                    points.len()
                );
                assert_eq!(ring.first(), ring.last(), "{} has an open ring", s.code);
            }
        }
    }

    #[test]
    fn the_shipped_file_parses_and_has_zhouqu() {
        assert!(parse(SHAPES).is_ok());
        assert!(of("623023").is_some_and(|s| s.name == "舟曲县"));
    }
}

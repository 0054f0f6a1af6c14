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

    #[test]
    fn the_shipped_file_parses_and_has_zhouqu() {
        assert!(parse(SHAPES).is_ok());
        assert!(of("623023").is_some_and(|s| s.name == "舟曲县"));
    }
}

//! Which 2023 county a package feature is: by its prefecture and name.

use crate::divisions::County;
use std::collections::BTreeMap;

/// How a feature was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Way {
    Exact,
    Renamed,
    Suffix,
}

/// Why a feature matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    NoCounty,
    Ambiguous(Vec<String>),
}

/// `renames.tsv`: (package map name, feature name) → 2023 code.
#[derive(Debug, Default)]
pub struct Renames(pub BTreeMap<(String, String), String>);

impl Renames {
    /// Columns: package prefecture (the map name), old name, 2023 code, note.
    pub fn parse(text: &str) -> Result<Renames, String> {
        let mut map = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [area, old, code, _note] = cols[..] else {
                return Err(format!("renames.tsv line {}: expected four columns", i + 1));
            };
            if map
                .insert((area.to_string(), old.to_string()), code.to_string())
                .is_some()
            {
                return Err(format!("renames.tsv line {}: {area} {old} twice", i + 1));
            }
        }
        Ok(Renames(map))
    }
}

/// Exact name within the scope, then the rename table, then a change of
/// the last character among 县/市/区 if exactly one county fits. A name
/// that fits several counties is refused, never guessed.
pub fn match_feature<'a>(
    scope: &[&'a County],
    all: &'a [County],
    renames: &Renames,
    map_name: &str,
    name: &str,
) -> Result<(&'a County, Way), Miss> {
    let exact: Vec<&County> = scope.iter().copied().filter(|c| c.name == name).collect();
    match exact[..] {
        [one] => return Ok((one, Way::Exact)),
        [_, _, ..] => return Err(ambiguous(&exact)),
        [] => {}
    }
    if let Some(code) = renames.0.get(&(map_name.to_string(), name.to_string())) {
        // The table may move a county to another prefecture (莱芜 → 济南).
        return all
            .iter()
            .find(|c| &c.code == code)
            .map(|c| (c, Way::Renamed))
            .ok_or(Miss::NoCounty);
    }
    let suffixed: Vec<&County> = stem(name)
        .map(|s| {
            scope
                .iter()
                .copied()
                .filter(|c| stem(&c.name) == Some(s))
                .collect()
        })
        .unwrap_or_default();
    match suffixed[..] {
        [one] => Ok((one, Way::Suffix)),
        [] => Err(Miss::NoCounty),
        _ => Err(ambiguous(&suffixed)),
    }
}

/// The name without a final 县, 市 or 区 (None if it has none, or if
/// nothing would be left: 城区, 郊区 stay themselves).
fn stem(name: &str) -> Option<&str> {
    let s = ["县", "市", "区"]
        .iter()
        .find_map(|k| name.strip_suffix(k))?;
    (s.chars().count() >= 2).then_some(s)
}

fn ambiguous(cs: &[&County]) -> Miss {
    Miss::Ambiguous(
        cs.iter()
            .map(|c| format!("{} {}", c.code, c.name))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(code: &str, name: &str) -> County {
        County {
            code: code.into(),
            name: name.into(),
            prefecture: code[..4].into(),
        }
    }

    fn table() -> Vec<County> {
        vec![
            county("340882", "潜山市"),
            county("340828", "岳西县"),
            county("140404", "上党区"),
            county("370116", "莱芜区"),
            county("410101", "新华区"),
            county("410102", "新华市"),
            county("410103", "宜州区"),
        ]
    }

    fn renames() -> Renames {
        Renames::parse(
            "# area\told\tcode\tnote\n长治\t长治县\t140404\t2018 renamed\n莱芜\t莱城区\t370116\tmoved\n安庆\t岳西县\t340882\tnever used: exact wins\n",
        )
        .unwrap()
    }

    #[test]
    fn exact_names_come_before_the_table_and_the_table_before_the_suffix_rule() {
        let all = table();
        let scope: Vec<&County> = all.iter().collect();
        let r = renames();
        let m = |area: &str, name: &str| match_feature(&scope, &all, &r, area, name);
        assert_eq!(m("安庆", "岳西县").unwrap(), (&all[1], Way::Exact));
        assert_eq!(m("长治", "长治县").unwrap(), (&all[2], Way::Renamed));
        assert_eq!(m("安庆", "潜山县").unwrap(), (&all[0], Way::Suffix));
        // The table reaches outside the scope (a county moved prefecture).
        assert_eq!(
            match_feature(&scope[..1], &all, &r, "莱芜", "莱城区").unwrap(),
            (&all[3], Way::Renamed)
        );
        assert_eq!(m("安庆", "不存在县"), Err(Miss::NoCounty));
        // 城区 has no stem to change: it is not taken for any 城市.
        assert_eq!(m("长治", "城区"), Err(Miss::NoCounty));
    }

    #[test]
    fn a_name_fitting_two_counties_is_refused_not_guessed() {
        let all = table();
        let scope: Vec<&County> = all.iter().collect();
        let r = renames();
        assert_eq!(
            match_feature(&scope, &all, &r, "郑州", "新华县"),
            Err(Miss::Ambiguous(vec![
                "410101 新华区".into(),
                "410102 新华市".into()
            ]))
        );
        let twice = vec![county("410101", "新华区"), county("410201", "新华区")];
        let scope: Vec<&County> = twice.iter().collect();
        assert!(matches!(
            match_feature(&scope, &twice, &r, "郑州", "新华区"),
            Err(Miss::Ambiguous(_))
        ));
        assert_eq!(
            match_feature(&scope[..1], &twice, &r, "郑州", "宜州市"),
            Err(Miss::NoCounty)
        );
    }
}

//! Area codes (GB/T 2260 and the statistical extensions) and the facts that
//! follow from a code alone.

use serde::{Deserialize, Serialize};

/// The level of an area, from its code length.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nation,
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

impl Level {
    pub fn from_code_len(len: usize) -> Option<Level> {
        match len {
            2 => Some(Level::Province),
            4 => Some(Level::Prefecture),
            6 => Some(Level::County),
            9 => Some(Level::Township),
            12 => Some(Level::Village),
            _ => None,
        }
    }

    pub fn code_len(self) -> usize {
        match self {
            Level::Nation => 0,
            Level::Province => 2,
            Level::Prefecture => 4,
            Level::County => 6,
            Level::Township => 9,
            Level::Village => 12,
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "nation" => Some(Level::Nation),
            "province" => Some(Level::Province),
            "prefecture" => Some(Level::Prefecture),
            "county" => Some(Level::County),
            "township" => Some(Level::Township),
            "village" => Some(Level::Village),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nation => "nation",
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
            Level::Village => "village",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::Nation => "全国",
            Level::Province => "省",
            Level::Prefecture => "市/州",
            Level::County => "县",
            Level::Township => "乡镇",
            Level::Village => "村",
        }
    }
}

/// A validated area code: 2, 4, 6, 9 or 12 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AreaCode(String);

impl AreaCode {
    pub fn parse(s: &str) -> Option<AreaCode> {
        let s = s.trim();
        if Level::from_code_len(s.len()).is_some() && s.bytes().all(|b| b.is_ascii_digit()) {
            Some(AreaCode(s.to_string()))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        Level::from_code_len(self.0.len()).expect("checked at parse")
    }

    pub fn province(&self) -> &str {
        &self.0[..2]
    }

    /// The code of the enclosing area one level up, if any.
    pub fn parent(&self) -> Option<AreaCode> {
        let len = match self.level() {
            Level::Nation | Level::Province => return None,
            Level::Prefecture => 2,
            Level::County => 4,
            Level::Township => 6,
            Level::Village => 9,
        };
        Some(AreaCode(self.0[..len].to_string()))
    }

    pub fn is_western(&self) -> bool {
        is_western_province(self.province())
    }
}

impl TryFrom<String> for AreaCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        AreaCode::parse(&s).ok_or_else(|| format!("invalid area code: {s}"))
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

impl std::fmt::Display for AreaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The western region (西部地区) by GB/T 2260 province prefix.
pub const WESTERN_PROVINCES: [&str; 12] = [
    "15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

pub fn is_western_province(prefix: &str) -> bool {
    WESTERN_PROVINCES.contains(&prefix)
}

/// The editable attributes of a county that matter to designated assistance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CountyAttributes {
    pub key_county: bool,
    pub poor_county: bool,
    pub old_revolutionary: bool,
    pub ethnic: bool,
    pub border: bool,
    /// The contiguous destitute area the county belongs to, if any.
    pub contiguous_area: Option<String>,
    pub exit_year: Option<i32>,
}

impl CountyAttributes {
    /// Old revolutionary, ethnic or border counties come first after the west.
    pub fn has_priority_attribute(&self) -> bool {
        self.old_revolutionary || self.ethnic || self.border
    }
}

/// How a registered village name ends, and what its short form keeps.
enum Ending {
    /// Replace the ending with this text.
    Becomes(&'static str),
    /// A villagers' committee: keep the stem and make it end in 村
    /// (庙沟村村民委员会 → 庙沟村, 赵庄村民委员会 → 赵庄村).
    Village,
}

/// Committee endings of registered village names, longest first (every
/// form found in `data/key-county-villages.csv`).
const ENDINGS: &[(&str, Ending)] = &[
    ("社区居民委员会", Ending::Becomes("社区")),
    ("社区民居委员会", Ending::Becomes("社区")),
    ("社区居委会", Ending::Becomes("社区")),
    ("社区委员会", Ending::Becomes("社区")),
    ("嘎查村民委员会", Ending::Becomes("嘎查")),
    ("嘎查人民委员会", Ending::Becomes("嘎查")),
    ("嘎查村委会", Ending::Becomes("嘎查")),
    ("嘎查委员会", Ending::Becomes("嘎查")),
    ("村民民委员会", Ending::Village),
    ("村民委员会", Ending::Village),
    ("村民委员", Ending::Village),
    ("村委员会", Ending::Village),
    ("村委员", Ending::Village),
    ("村委会", Ending::Village),
    ("村委", Ending::Village),
    ("居民委员会", Ending::Becomes("居委会")),
];

/// The short name of a village as people say it: the committee's registered
/// name without the committee (庙沟村村民委员会 → 庙沟村, 西城社区居民委员会 →
/// 西城社区, 小庙子嘎查委员会 → 小庙子嘎查, 东街居民委员会 → 东街居委会). A name
/// without such an ending, or that would be left empty, is kept whole.
/// Lists and charts show this; the village's own page the registered name.
pub fn short_village_name(name: &str) -> String {
    let name = name.trim();
    for (ending, becomes) in ENDINGS {
        let Some(stem) = name.strip_suffix(ending) else {
            continue;
        };
        if stem.is_empty() {
            break;
        }
        return match becomes {
            Ending::Becomes(to) => format!("{stem}{to}"),
            Ending::Village if stem.ends_with('村') => stem.to_string(),
            Ending::Village => format!("{stem}村"),
        };
    }
    name.to_string()
}

/// The name to show for an area in lists and charts: villages (12-digit
/// codes) by their short name, every other area as registered.
pub fn short_area_name(code: &str, name: &str) -> String {
    if code.len() == 12 {
        short_village_name(name)
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod short_name_tests {
    use super::*;

    const VILLAGES: &str = include_str!("../../../data/key-county-villages.csv");

    #[test]
    fn village_names_lose_the_committee() {
        for (full, short) in [
            ("庙沟村村民委员会", "庙沟村"),
            ("沙川村村民委员会", "沙川村"),
            ("刘村村村民委员会", "刘村村"),
            ("西城社区居民委员会", "西城社区"),
            ("东城社区居委会", "东城社区"),
            ("龙泉社区委员会", "龙泉社区"),
            ("戴洼社区民居委员会", "戴洼社区"),
            ("东街居委会", "东街居委会"),
            ("东街居民委员会", "东街居委会"),
            ("小庙子嘎查委员会", "小庙子嘎查"),
            ("伊力特嘎查人民委员会", "伊力特嘎查"),
            ("杨甘固村委员会", "杨甘固村"),
            ("村沟村委会", "村沟村"),
            ("东南村村委", "东南村"),
            ("东村村民委员", "东村"),
            ("北周庄村村民民委员会", "北周庄村"),
            ("农一连", "农一连"),
            ("站前社区（白河）", "站前社区（白河）"),
            ("阜平县社区服务中心", "阜平县社区服务中心"),
            ("村民委员会", "村民委员会"),
        ] {
            assert_eq!(short_village_name(full), short, "{full}");
        }
        assert_eq!(
            short_area_name("623023100200", "庙沟村村民委员会"),
            "庙沟村"
        );
        assert_eq!(short_area_name("623023100", "城关镇"), "城关镇");
    }

    #[test]
    fn no_shipped_village_keeps_a_committee_in_its_short_name() {
        let mut n = 0;
        for line in VILLAGES.lines().skip(1) {
            let name = line.split(',').nth(1).expect("a name column");
            let short = short_village_name(name);
            assert!(!short.is_empty(), "{name}");
            assert!(
                !short.ends_with("委员会")
                    && !short.ends_with("村委会")
                    && !short.ends_with("委员"),
                "{name} → {short}"
            );
            assert!(name.starts_with(short.trim_end_matches(['村', '社', '区', '居', '委', '会'])));
            n += 1;
        }
        assert!(n > 50_000, "the shipped villages were read: {n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_of_every_level() {
        assert_eq!(AreaCode::parse("62").unwrap().level(), Level::Province);
        assert_eq!(AreaCode::parse("6230").unwrap().level(), Level::Prefecture);
        assert_eq!(AreaCode::parse("623023").unwrap().level(), Level::County);
        assert_eq!(
            AreaCode::parse("623023100").unwrap().level(),
            Level::Township
        );
        assert_eq!(
            AreaCode::parse("623023100001").unwrap().level(),
            Level::Village
        );
        assert!(AreaCode::parse("62302").is_none());
        assert!(AreaCode::parse("62302a").is_none());
        assert!(AreaCode::parse("").is_none());
    }

    #[test]
    fn parent_walks_up_the_hierarchy() {
        let v = AreaCode::parse("623023100001").unwrap();
        assert_eq!(v.parent().unwrap().as_str(), "623023100");
        assert_eq!(
            AreaCode::parse("623023")
                .unwrap()
                .parent()
                .unwrap()
                .as_str(),
            "6230"
        );
        assert_eq!(
            AreaCode::parse("6230").unwrap().parent().unwrap().as_str(),
            "62"
        );
        assert!(AreaCode::parse("62").unwrap().parent().is_none());
    }

    #[test]
    fn western_region_by_prefix() {
        assert!(AreaCode::parse("623023").unwrap().is_western());
        assert!(AreaCode::parse("150000").unwrap().is_western());
        assert!(!AreaCode::parse("130125").unwrap().is_western());
        assert!(!AreaCode::parse("430529").unwrap().is_western());
        assert_eq!(WESTERN_PROVINCES.len(), 12);
    }
}

/// An area of any level; counties carry their attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub western: bool,
    /// For counties only.
    pub attributes: Option<CountyAttributes>,
}

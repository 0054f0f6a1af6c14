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

/// Whether the text is an area code as it stands: 2, 4, 6, 9 or 12 digits.
pub fn is_area_code(s: &str) -> bool {
    Level::from_code_len(s.len()).is_some() && s.bytes().all(|b| b.is_ascii_digit())
}

impl AreaCode {
    pub fn parse(s: &str) -> Option<AreaCode> {
        let s = s.trim();
        if is_area_code(s) {
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

/// A code of one level: built only by `parse` from a valid area code of
/// that level (the check is `AreaCode::parse`'s, written once), serialised
/// as the bare code so JSON and CSV read as before.
macro_rules! level_code {
    ($(#[$doc:meta])* $name:ident, $level:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const LEVEL: Level = $level;

            /// The code when `s` (trimmed) is a valid code of this level.
            pub fn parse(s: &str) -> Option<$name> {
                AreaCode::parse(s)
                    .filter(|c| c.level() == $level)
                    .map(|c| $name(c.0))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| {
                    format!("invalid {} code: {s}", $level.as_str())
                })
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }

        impl From<$name> for AreaCode {
            fn from(c: $name) -> AreaCode {
                AreaCode(c.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }
    };
}

level_code!(
    /// A province's code (2 digits).
    ProvinceCode,
    Level::Province
);
level_code!(
    /// A prefecture's code (4 digits).
    PrefectureCode,
    Level::Prefecture
);
level_code!(
    /// A county's code (6 digits): the scope of county officers and cadres,
    /// the county of a pairing and of a coverage exception.
    CountyCode,
    Level::County
);
level_code!(
    /// A township's code (9 digits).
    TownshipCode,
    Level::Township
);
level_code!(
    /// A village's code (12 digits).
    VillageCode,
    Level::Village
);

/// The code of the enclosing area of `level`, a level above `code`'s.
fn enclosing(code: &str, level: Level) -> String {
    code[..level.code_len()].to_string()
}

impl CountyCode {
    pub fn of_village(village: &VillageCode) -> CountyCode {
        CountyCode(enclosing(&village.0, Level::County))
    }

    pub fn of_township(township: &TownshipCode) -> CountyCode {
        CountyCode(enclosing(&township.0, Level::County))
    }

    pub fn prefecture(&self) -> PrefectureCode {
        PrefectureCode(enclosing(&self.0, Level::Prefecture))
    }

    pub fn province(&self) -> ProvinceCode {
        ProvinceCode(enclosing(&self.0, Level::Province))
    }

    pub fn is_western(&self) -> bool {
        is_western_province(self.province().as_str())
    }
}

impl VillageCode {
    pub fn township(&self) -> TownshipCode {
        TownshipCode(enclosing(&self.0, Level::Township))
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
    fn an_area_code_is_digits_of_a_level_length_as_it_stands() {
        for ok in ["62", "6230", "623023", "623023100", "623023100001"] {
            assert!(is_area_code(ok), "{ok}");
        }
        for bad in ["", "6", "62302", "62302a", " 623023", "6230231000011"] {
            assert!(!is_area_code(bad), "{bad}");
        }
    }

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
    fn level_codes_take_only_codes_of_their_level() {
        let county = CountyCode::parse(" 623023 ").unwrap();
        assert_eq!(county.as_str(), "623023");
        assert_eq!(CountyCode::LEVEL, Level::County);
        for bad in ["62", "6230", "623023100", "62302a", "6230234", ""] {
            assert!(CountyCode::parse(bad).is_none(), "{bad}");
        }
        assert!(ProvinceCode::parse("62").is_some());
        assert!(PrefectureCode::parse("6230").is_some());
        assert!(TownshipCode::parse("623023").is_none());
        assert!(VillageCode::parse("623023100").is_none());
        assert_eq!(county.province().as_str(), "62");
        assert_eq!(county.prefecture().as_str(), "6230");
        assert!(county.is_western());
        assert!(!CountyCode::parse("130125").unwrap().is_western());
        assert_eq!(AreaCode::from(county.clone()).level(), Level::County);
    }

    #[test]
    fn a_village_and_a_township_know_their_county() {
        let v = VillageCode::parse("623023100200").unwrap();
        assert_eq!(v.township().as_str(), "623023100");
        assert_eq!(CountyCode::of_village(&v).as_str(), "623023");
        assert_eq!(CountyCode::of_township(&v.township()).as_str(), "623023");
    }

    #[test]
    fn level_codes_serialise_as_the_bare_code() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Row {
            county: CountyCode,
        }
        let row = Row {
            county: CountyCode::parse("623023").unwrap(),
        };
        let text = serde_json::to_string(&row).unwrap();
        assert_eq!(text, r#"{"county":"623023"}"#);
        assert_eq!(serde_json::from_str::<Row>(&text).unwrap(), row);
        assert!(serde_json::from_str::<Row>(r#"{"county":"62302"}"#).is_err());
        assert!(CountyCode::try_from("6230".to_string()).is_err());
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

/// The list of national key counties of 2012.
pub const KEY_2012: &str = "key-2012";
/// The list of poor counties of 2014 (832).
pub const POOR_2014: &str = "poor-2014";
/// The national key counties for rural-revitalisation assistance (2021, 160).
pub const KEY_ASSIST_2021: &str = "key-assist-2021";

/// A named list of counties (key counties of 2012, poor counties of 2014,
/// or one an office made) with its member count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyList {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub start_year: i64,
    pub end_year: Option<i64>,
    pub partial: bool,
    pub note: Option<String>,
    pub members: i64,
}

/// How complete a county list is: the total its source declares, the
/// members held here, and per province what the source says of it. The
/// shipped lists are partial (see `data/README` of the sources); every page
/// that depends on a list shows these numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListCompleteness {
    pub code: String,
    /// The list's name in the page's language is chosen by the page.
    pub name_zh: String,
    pub name_en: String,
    /// What the source declares (592, 832, 160); None for a list an office
    /// made without one.
    pub declared_total: Option<i64>,
    pub members: i64,
    /// The provinces the source names or the members lie in, by code.
    pub provinces: Vec<ProvinceCompleteness>,
}

/// One province of a list: the count its source declares (None where the
/// source gives none) and the members held here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvinceCompleteness {
    pub code: String,
    pub name: String,
    pub declared: Option<i64>,
    pub members: i64,
}

impl ListCompleteness {
    /// Counties the source declares that are not held here (None without
    /// a declared total).
    pub fn missing(&self) -> Option<i64> {
        self.declared_total.map(|t| (t - self.members).max(0))
    }

    /// The rule for "partial": a list with a declared total is complete
    /// once it holds at least that many members; one without a declared
    /// total keeps the flag its maker set.
    pub fn partial(declared_total: Option<i64>, members: i64, flag: bool) -> bool {
        match declared_total {
            Some(t) => members < t,
            None => flag,
        }
    }

    /// Whether a province holds fewer members than its source declares,
    /// or none while the source gives no count for it.
    pub fn short(p: &ProvinceCompleteness) -> bool {
        match p.declared {
            Some(d) => p.members < d,
            None => p.members == 0,
        }
    }
}

#[cfg(test)]
mod completeness_tests {
    use super::*;

    fn list(declared: Option<i64>, members: i64) -> ListCompleteness {
        ListCompleteness {
            code: "l".into(),
            name_zh: String::new(),
            name_en: String::new(),
            declared_total: declared,
            members,
            provinces: vec![],
        }
    }

    #[test]
    fn a_list_is_partial_until_it_holds_its_declared_total() {
        assert!(ListCompleteness::partial(Some(160), 90, false));
        assert!(!ListCompleteness::partial(Some(160), 160, true));
        assert!(!ListCompleteness::partial(Some(160), 161, true));
        // Without a declared total the maker's flag stands.
        assert!(ListCompleteness::partial(None, 4, true));
        assert!(!ListCompleteness::partial(None, 4, false));
        assert_eq!(list(Some(160), 90).missing(), Some(70));
        assert_eq!(list(Some(160), 170).missing(), Some(0));
        assert_eq!(list(None, 4).missing(), None);
    }

    #[test]
    fn a_province_is_short_below_its_count_or_empty_without_one() {
        let p = |declared, members| ProvinceCompleteness {
            code: "53".into(),
            name: "云南省".into(),
            declared,
            members,
        };
        assert!(ListCompleteness::short(&p(Some(27), 11)));
        assert!(!ListCompleteness::short(&p(Some(20), 20)));
        assert!(ListCompleteness::short(&p(None, 0)));
        assert!(!ListCompleteness::short(&p(None, 39)));
    }
}

/// The national list designated assistance concentrates on in a period:
/// the key counties of 2012 up to 2020, the key assistance counties of
/// 2021 from then on.
pub fn key_list_of(period: crate::period::Period) -> &'static str {
    match period {
        crate::period::Period::PovertyAlleviation => KEY_2012,
        crate::period::Period::RuralRevitalisation => KEY_ASSIST_2021,
    }
}

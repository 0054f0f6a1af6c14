//! Area codes (GB/T 2260 and the statistical extensions) and the facts that
//! follow from a code alone.

use serde::{Deserialize, Serialize};

/// The level of an area, from its code length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

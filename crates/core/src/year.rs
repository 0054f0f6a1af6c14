//! A registry or statistics year (年度): the one place that knows which
//! years the registry accepts.

use serde::{Deserialize, Serialize};

use crate::Msg;

/// A year between [`Year::MIN`] and [`Year::MAX`]. Serialised as the bare
/// number, so files and JSON read as before; a year outside the range does
/// not deserialise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Year(i32);

impl Year {
    /// The first year of the registry (the 2014 identification was
    /// preceded by pilot counties).
    pub const MIN: Year = Year(2010);
    /// The last year the registry plans for.
    pub const MAX: Year = Year(2035);

    /// THE year-range rule: `year_out_of_range` outside 2010–2035.
    pub fn new(year: i32) -> Result<Year, Msg> {
        if (Self::MIN.0..=Self::MAX.0).contains(&year) {
            Ok(Year(year))
        } else {
            Err(Msg::new(
                "year_out_of_range",
                format!("年度应在 {}–{} 之间", Self::MIN, Self::MAX),
                format!("the year must lie between {} and {}", Self::MIN, Self::MAX),
            ))
        }
    }

    /// Reads a year typed as text (blanks around it ignored).
    pub fn parse(s: &str) -> Result<Year, Msg> {
        let year = s.trim().parse::<i32>().map_err(|_| {
            Msg::new(
                "not_an_integer",
                "应为整数年份，例如 2015",
                "must be a whole year, e.g. 2015",
            )
        })?;
        Year::new(year)
    }

    pub const fn get(self) -> i32 {
        self.0
    }

    /// Every year of the range, in order.
    pub fn all() -> impl DoubleEndedIterator<Item = Year> {
        (Self::MIN.0..=Self::MAX.0).map(Year)
    }
}

impl TryFrom<i32> for Year {
    type Error = String;

    fn try_from(year: i32) -> Result<Year, String> {
        Year::new(year).map_err(|m| m.en)
    }
}

impl From<Year> for i32 {
    fn from(year: Year) -> i32 {
        year.0
    }
}

impl std::fmt::Display for Year {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_2010_to_2035() {
        assert_eq!(Year::new(2010).unwrap().get(), 2010);
        assert_eq!(Year::new(2035).unwrap().get(), 2035);
        assert_eq!(Year::new(2009).unwrap_err().code, "year_out_of_range");
        let m = Year::new(2036).unwrap_err();
        assert_eq!(m.code, "year_out_of_range");
        assert!(m.zh.contains("2010–2035") && m.en.contains("2010 and 2035"));
        assert_eq!(Year::all().count(), 26);
        assert_eq!(Year::all().next_back(), Some(Year::MAX));
    }

    #[test]
    fn parse_reads_text_and_checks_the_range() {
        assert_eq!(Year::parse(" 2016 ").unwrap().to_string(), "2016");
        assert_eq!(Year::parse("2016.5").unwrap_err().code, "not_an_integer");
        assert_eq!(Year::parse("").unwrap_err().code, "not_an_integer");
        assert_eq!(Year::parse("1999").unwrap_err().code, "year_out_of_range");
    }

    #[test]
    fn serde_is_the_bare_number_and_refuses_out_of_range() {
        let y = Year::new(2016).unwrap();
        assert_eq!(serde_json::to_string(&y).unwrap(), "2016");
        assert_eq!(serde_json::from_str::<Year>("2016").unwrap(), y);
        assert!(serde_json::from_str::<Year>("2040").is_err());
    }
}

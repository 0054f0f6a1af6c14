//! The two periods of designated assistance and the words each uses.
//!
//! Up to 2020 the work was 定点扶贫 against poverty: poverty-alleviation
//! offices, poor (key) counties, registered poor households. From 2021 the
//! same pairings go on as 定点帮扶 under rural revitalisation: rural
//! revitalisation departments, key assistance counties, exited and
//! monitored households. Everything dated belongs to one period, and the
//! period decides the words a page, report or export uses; this module is
//! the one place that maps a date (or a year) to them.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The first year of designated assistance under rural revitalisation.
pub const FIRST_REVITALISATION_YEAR: i32 = 2021;

/// A period of designated assistance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 定点扶贫, up to and including 2020.
    PovertyAlleviation,
    /// 定点帮扶, from 2021.
    RuralRevitalisation,
}

impl Period {
    pub fn of_year(year: i32) -> Period {
        if year >= FIRST_REVITALISATION_YEAR {
            Period::RuralRevitalisation
        } else {
            Period::PovertyAlleviation
        }
    }

    pub fn of_date(date: NaiveDate) -> Period {
        Period::of_year(date.year())
    }

    /// The code used in files, the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::PovertyAlleviation => "poverty_alleviation",
            Period::RuralRevitalisation => "rural_revitalisation",
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        [Period::PovertyAlleviation, Period::RuralRevitalisation]
            .into_iter()
            .find(|p| p.as_str() == s.trim())
    }

    /// The period's words in the page's language (`en`, otherwise Chinese).
    pub fn words(self, lang: &str) -> &'static Vocabulary {
        match (self, lang == "en") {
            (Period::PovertyAlleviation, false) => &ALLEVIATION_ZH,
            (Period::PovertyAlleviation, true) => &ALLEVIATION_EN,
            (Period::RuralRevitalisation, false) => &REVITALISATION_ZH,
            (Period::RuralRevitalisation, true) => &REVITALISATION_EN,
        }
    }
}

/// The words of one period in one language. Field names follow the
/// glossary; templates read them as `era.programme`, `era.office`, …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    /// 定点扶贫 / 定点帮扶
    pub programme: &'static str,
    /// 扶贫办 / 乡村振兴部门
    pub office: &'static str,
    /// 贫困县 / 重点帮扶县
    pub county_kind: &'static str,
    /// The national list the work concentrates on.
    pub key_county_list: &'static str,
    /// 建档立卡贫困户 / 脱贫户与监测对象
    pub households: &'static str,
    /// 贫困地区 / 脱贫地区 (whose products units buy and help sell)
    pub areas: &'static str,
    /// 消费扶贫 / 消费帮扶
    pub consumption: &'static str,
    /// 定点扶贫责任书 / 定点帮扶责任书
    pub letter: &'static str,
    /// 定点扶贫单位 / 定点帮扶单位
    pub unit: &'static str,
    /// 建档立卡人口 / 脱贫人口与监测对象: the people the registry counts.
    pub people: &'static str,
}

impl Vocabulary {
    /// Fills the placeholders `{era.programme}`, `{era.households}`, … of a
    /// message with these words: the one way messages take era words.
    pub fn fill(&self, text: &str) -> String {
        if !text.contains("{era.") {
            return text.to_string();
        }
        [
            ("{era.programme}", self.programme),
            ("{era.office}", self.office),
            ("{era.county_kind}", self.county_kind),
            ("{era.key_county_list}", self.key_county_list),
            ("{era.households}", self.households),
            ("{era.areas}", self.areas),
            ("{era.consumption}", self.consumption),
            ("{era.letter}", self.letter),
            ("{era.unit}", self.unit),
            ("{era.people}", self.people),
        ]
        .iter()
        .fold(text.to_string(), |s, (k, v)| s.replace(k, v))
    }
}

const ALLEVIATION_ZH: Vocabulary = Vocabulary {
    programme: "定点扶贫",
    office: "扶贫办",
    county_kind: "贫困县",
    key_county_list: "国家扶贫开发工作重点县",
    households: "建档立卡贫困户",
    areas: "贫困地区",
    consumption: "消费扶贫",
    letter: "定点扶贫责任书",
    unit: "定点扶贫单位",
    people: "建档立卡人口",
};

const ALLEVIATION_EN: Vocabulary = Vocabulary {
    programme: "Designated poverty assistance",
    office: "Poverty alleviation office",
    county_kind: "Poor county",
    key_county_list: "National key counties for poverty alleviation",
    households: "Registered poor households",
    areas: "poor areas",
    consumption: "Consumption poverty alleviation",
    letter: "Designated poverty-assistance letter",
    unit: "Designated poverty-assistance unit",
    people: "Registered poor population",
};

const REVITALISATION_ZH: Vocabulary = Vocabulary {
    programme: "定点帮扶",
    office: "乡村振兴部门",
    county_kind: "重点帮扶县",
    key_county_list: "国家乡村振兴重点帮扶县",
    households: "脱贫户与监测对象",
    areas: "脱贫地区",
    consumption: "消费帮扶",
    letter: "定点帮扶责任书",
    unit: "定点帮扶单位",
    people: "脱贫人口与监测对象",
};

const REVITALISATION_EN: Vocabulary = Vocabulary {
    programme: "Designated assistance",
    office: "Rural revitalisation department",
    county_kind: "Key assistance county",
    key_county_list: "National key counties for rural-revitalisation assistance",
    households: "Exited and monitored households",
    areas: "areas lifted out of poverty",
    consumption: "Consumption assistance",
    letter: "Designated assistance letter",
    unit: "Designated assistance unit",
    people: "Exited and monitored population",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_turns_on_the_first_of_january_2021() {
        let last = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        let first = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        assert_eq!(Period::of_date(last), Period::PovertyAlleviation);
        assert_eq!(Period::of_date(first), Period::RuralRevitalisation);
        assert_eq!(Period::of_year(2010), Period::PovertyAlleviation);
        assert_eq!(Period::of_year(2025), Period::RuralRevitalisation);
    }

    #[test]
    fn each_period_speaks_its_own_words_in_both_languages() {
        let old = Period::of_year(2016);
        let new = Period::of_year(2022);
        assert_eq!(old.words("zh").programme, "定点扶贫");
        assert_eq!(old.words("zh").office, "扶贫办");
        assert_eq!(old.words("zh").county_kind, "贫困县");
        assert_eq!(old.words("zh").households, "建档立卡贫困户");
        assert_eq!(new.words("zh").programme, "定点帮扶");
        assert_eq!(new.words("zh").office, "乡村振兴部门");
        assert_eq!(new.words("zh").county_kind, "重点帮扶县");
        assert_eq!(new.words("zh").households, "脱贫户与监测对象");
        assert_eq!(new.words("en").county_kind, "Key assistance county");
        assert_eq!(old.words("en").programme, "Designated poverty assistance");
        // Anything but English is Chinese, the default.
        assert_eq!(new.words("fr"), new.words("zh"));
    }

    #[test]
    fn a_message_takes_the_words_of_its_period() {
        let text = "{era.programme}：{era.county_kind}的{era.households}";
        assert_eq!(
            Period::of_year(2016).words("zh").fill(text),
            "定点扶贫：贫困县的建档立卡贫困户"
        );
        assert_eq!(
            Period::of_year(2022).words("zh").fill(text),
            "定点帮扶：重点帮扶县的脱贫户与监测对象"
        );
        assert_eq!(
            Period::of_year(2022).words("en").fill("{era.people} {n}"),
            "Exited and monitored population {n}"
        );
    }

    #[test]
    fn the_code_round_trips() {
        for p in [Period::PovertyAlleviation, Period::RuralRevitalisation] {
            assert_eq!(Period::parse(p.as_str()), Some(p));
        }
        assert_eq!(Period::parse("2021"), None);
    }
}

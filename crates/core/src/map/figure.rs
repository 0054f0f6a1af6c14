//! What a map can show, and at which level.
//!
//! `letter_completion` of a county: for every responsibility letter of the
//! year that covers the county (a letter for that county, or a letter of a
//! unit paired with it for all its counties), the mean over the indicators
//! with a target of min(actual ÷ target, 1); the county's value is the mean
//! of those letters, in per cent. Without a letter the county has no data.

use crate::Msg;
use crate::period::Period;
use crate::secondment::coded;

coded!(Figure {
    PovertyIncidence = "poverty_incidence", "贫困发生率", "Poverty incidence";
    PoorPopulation = "poor_population", "贫困人口", "Poor population";
    RuralIncome = "rural_income", "农村居民人均可支配收入", "Rural income per capita";
    FundsReceived = "funds_received", "到位帮扶资金", "Funds received";
    CadresServing = "cadres_serving", "在岗挂职干部", "Cadres serving";
    MonitoredHouseholds = "monitored_households", "监测户", "Monitored households";
    LetterCompletion = "letter_completion", "责任书完成率", "Letter completion";
});

impl Figure {
    /// The unit the value is given in.
    pub fn unit(self, lang: &str) -> &'static str {
        let en = lang == "en";
        match self {
            Figure::PovertyIncidence | Figure::LetterCompletion => "%",
            Figure::PoorPopulation => {
                if en {
                    "people"
                } else {
                    "人"
                }
            }
            Figure::RuralIncome | Figure::FundsReceived => {
                if en {
                    "yuan"
                } else {
                    "元"
                }
            }
            Figure::CadresServing => {
                if en {
                    "cadres"
                } else {
                    "人"
                }
            }
            Figure::MonitoredHouseholds => {
                if en {
                    "households"
                } else {
                    "户"
                }
            }
        }
    }

    /// The figure's name in a year: from 2021 the registry's poor are the
    /// people lifted out of poverty, and the map says so (the period's words).
    pub fn name(self, lang: &str, year: i32) -> String {
        let en = lang == "en";
        match (self, Period::of_year(year)) {
            (Figure::PoorPopulation, Period::RuralRevitalisation) => {
                let words = Period::RuralRevitalisation.words(lang);
                if en {
                    format!("Poor population ({})", words.households)
                } else {
                    format!("贫困人口（{}）", words.households)
                }
            }
            _ if en => self.en().to_string(),
            _ => self.zh().to_string(),
        }
    }

    pub fn parse(s: &str) -> Result<Figure, Msg> {
        Figure::from_code(s).ok_or_else(|| {
            Msg::new(
                "unknown_figure",
                "未知的地图指标",
                "unknown map figure: use poverty_incidence, poor_population, rural_income, \
                 funds_received, cadres_serving, monitored_households or letter_completion",
            )
        })
    }
}

coded!(MapLevel {
    Nation = "nation", "全国", "Nation";
    Province = "province", "省", "Province";
    Prefecture = "prefecture", "市（州）", "Prefecture";
});

impl MapLevel {
    pub fn parse(s: &str) -> Result<MapLevel, Msg> {
        MapLevel::from_code(s).ok_or_else(|| {
            Msg::new(
                "unknown_map_level",
                "未知的地图层级（应为全国、省或市州）",
                "unknown map level: use nation, province or prefecture",
            )
        })
    }

    /// The digits of this level's area code (none for the nation).
    pub fn code_len(self) -> usize {
        match self {
            MapLevel::Nation => 0,
            MapLevel::Province => 2,
            MapLevel::Prefecture => 4,
        }
    }

    /// The area of the view: none for the nation, else a code of exactly
    /// this level's digits.
    pub fn check_area(self, area: Option<&str>) -> Result<Option<String>, Msg> {
        let area = area.map(str::trim).filter(|a| !a.is_empty());
        match (self, area) {
            (MapLevel::Nation, None) => Ok(None),
            (MapLevel::Nation, Some(_)) => Err(Msg::new(
                "map_area_not_expected",
                "全国地图不需要区划代码",
                "a map of the nation takes no area code",
            )),
            (_, Some(a)) if a.len() == self.code_len() && a.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Some(a.to_string()))
            }
            (MapLevel::Province, _) => Err(Msg::new(
                "bad_map_area",
                "省级地图需要 2 位省级区划代码",
                "a province map needs a 2-digit province code",
            )),
            (_, _) => Err(Msg::new(
                "bad_map_area",
                "市州地图需要 4 位市州区划代码",
                "a prefecture map needs a 4-digit prefecture code",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_levels_parse_by_code_only() {
        assert_eq!(Figure::parse("rural_income").unwrap(), Figure::RuralIncome);
        assert_eq!(Figure::parse("nope").unwrap_err().code, "unknown_figure");
        assert_eq!(MapLevel::parse("province").unwrap(), MapLevel::Province);
        assert_eq!(
            MapLevel::parse("county").unwrap_err().code,
            "unknown_map_level"
        );
        assert_eq!(Figure::ALL.len(), 7);
    }

    #[test]
    fn area_codes_follow_the_level() {
        assert_eq!(MapLevel::Nation.check_area(None).unwrap(), None);
        assert_eq!(MapLevel::Nation.check_area(Some(" ")).unwrap(), None);
        assert!(MapLevel::Nation.check_area(Some("62")).is_err());
        assert_eq!(
            MapLevel::Province
                .check_area(Some("62"))
                .unwrap()
                .as_deref(),
            Some("62")
        );
        assert!(MapLevel::Province.check_area(Some("6230")).is_err());
        assert!(MapLevel::Province.check_area(None).is_err());
        assert!(MapLevel::Prefecture.check_area(Some("6230")).is_ok());
        assert!(MapLevel::Prefecture.check_area(Some("62a0")).is_err());
    }

    #[test]
    fn the_poor_population_takes_the_words_of_its_period() {
        assert_eq!(Figure::PoorPopulation.name("zh", 2016), "贫困人口");
        assert!(Figure::PoorPopulation.name("zh", 2022).contains("脱贫户"));
        assert_eq!(Figure::FundsReceived.unit("en"), "yuan");
    }
}

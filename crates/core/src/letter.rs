//! Responsibility letters (定点帮扶责任书): a unit's targets for a year,
//! set by the office and signed by the unit; how far the actuals (computed
//! from the records and the ledger) have come against the targets and
//! against the share of the year gone.

use crate::period::Period;
use crate::records::RecordsSummary;
use crate::registry::parse_yuan;
use crate::{FieldError, Msg, Year};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The indicators of a letter; money ones in fen.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LetterIndicator {
    DirectFunds,
    IntroducedFunds,
    CadresTrained,
    TechniciansTrained,
    ProductsBought,
    ProductsSold,
    /// From 2021: rural-revitalisation leaders trained (乡村振兴带头人).
    LeadersTrained,
}

/// Every indicator of either period, in the order of the contract.
pub const ALL_INDICATORS: [LetterIndicator; 7] = [
    LetterIndicator::DirectFunds,
    LetterIndicator::IntroducedFunds,
    LetterIndicator::CadresTrained,
    LetterIndicator::TechniciansTrained,
    LetterIndicator::ProductsBought,
    LetterIndicator::ProductsSold,
    LetterIndicator::LeadersTrained,
];

impl LetterIndicator {
    pub fn parse(s: &str) -> Option<LetterIndicator> {
        ALL_INDICATORS.into_iter().find(|i| i.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LetterIndicator::DirectFunds => "direct_funds",
            LetterIndicator::IntroducedFunds => "introduced_funds",
            LetterIndicator::CadresTrained => "cadres_trained",
            LetterIndicator::TechniciansTrained => "technicians_trained",
            LetterIndicator::ProductsBought => "products_bought",
            LetterIndicator::ProductsSold => "products_sold",
            LetterIndicator::LeadersTrained => "leaders_trained",
        }
    }

    /// The indicators a letter of period `p` may set: the contract's six
    /// in both periods (the products of 贫困地区 then, of 脱贫地区 now, are
    /// the same figure), and leaders trained only from 2021.
    pub fn of_period(p: Period) -> &'static [LetterIndicator] {
        match p {
            Period::PovertyAlleviation => &ALL_INDICATORS[..6],
            Period::RuralRevitalisation => &ALL_INDICATORS,
        }
    }

    /// The indicator's name in a letter of period `p`, in Chinese.
    pub fn zh_in(self, p: Period) -> &'static str {
        let poor = p == Period::PovertyAlleviation;
        match self {
            LetterIndicator::DirectFunds => "投入帮扶资金",
            LetterIndicator::IntroducedFunds => "引进帮扶资金",
            LetterIndicator::CadresTrained => "培训基层干部",
            LetterIndicator::TechniciansTrained => "培训技术人员",
            LetterIndicator::ProductsBought if poor => "购买贫困地区农产品",
            LetterIndicator::ProductsBought => "购买脱贫地区农产品",
            LetterIndicator::ProductsSold if poor => "帮助销售贫困地区农产品",
            LetterIndicator::ProductsSold => "帮助销售脱贫地区农产品",
            LetterIndicator::LeadersTrained => "培训乡村振兴带头人",
        }
    }

    /// The indicator's name in a letter of period `p`, in English.
    pub fn en_in(self, p: Period) -> &'static str {
        let poor = p == Period::PovertyAlleviation;
        match self {
            LetterIndicator::DirectFunds => "Direct funds",
            LetterIndicator::IntroducedFunds => "Introduced funds",
            LetterIndicator::CadresTrained => "Grassroots cadres trained",
            LetterIndicator::TechniciansTrained => "Technical personnel trained",
            LetterIndicator::ProductsBought if poor => "Products of poor areas bought",
            LetterIndicator::ProductsBought => "Products of areas lifted out of poverty bought",
            LetterIndicator::ProductsSold if poor => {
                "Products of poor areas sold with the unit's help"
            }
            LetterIndicator::ProductsSold => {
                "Products of areas lifted out of poverty sold with the unit's help"
            }
            LetterIndicator::LeadersTrained => "Rural-revitalisation leaders trained",
        }
    }

    /// The name in the page's language (`en`, otherwise Chinese).
    pub fn name_in(self, p: Period, lang: &str) -> &'static str {
        if lang == "en" {
            self.en_in(p)
        } else {
            self.zh_in(p)
        }
    }

    /// Money (fen), shown as yuan; the others are person-times.
    pub fn is_money(self) -> bool {
        matches!(
            self,
            LetterIndicator::DirectFunds
                | LetterIndicator::IntroducedFunds
                | LetterIndicator::ProductsBought
                | LetterIndicator::ProductsSold
        )
    }

    /// This indicator's actual in a summary of the letter's year.
    pub fn actual(self, s: &RecordsSummary) -> i64 {
        match self {
            LetterIndicator::DirectFunds => s.direct_funds.get(),
            LetterIndicator::IntroducedFunds => s.introduced_funds.get(),
            LetterIndicator::CadresTrained => s.cadres_trained,
            LetterIndicator::TechniciansTrained => s.technicians_trained,
            LetterIndicator::ProductsBought => s.products_bought.get(),
            LetterIndicator::ProductsSold => s.products_sold.get(),
            LetterIndicator::LeadersTrained => s.leaders_trained,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    /// The office set the targets; the unit has not signed.
    Set,
    /// The unit signed: the targets are fixed.
    Signed,
}

impl LetterStatus {
    pub fn parse(s: &str) -> Option<LetterStatus> {
        match s {
            "set" => Some(LetterStatus::Set),
            "signed" => Some(LetterStatus::Signed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LetterStatus::Set => "set",
            LetterStatus::Signed => "signed",
        }
    }
}

/// A stored letter with its targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// `None`: the letter covers all the unit's counties.
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    pub year: i32,
    pub status: LetterStatus,
    pub set_at: i64,
    pub signed_on: Option<NaiveDate>,
    pub targets: Vec<(LetterIndicator, i64)>,
}

/// Which letters a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub year: Option<i32>,
    /// Unit name contains.
    pub q: Option<String>,
}

/// The share of `year` gone on `on`: 0 before it starts, 1 once it is
/// over, otherwise the days gone (counting `on`) over the days of the year.
pub fn year_share(year: i32, on: NaiveDate) -> f64 {
    if on.year() < year {
        return 0.0;
    }
    if on.year() > year {
        return 1.0;
    }
    let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366.0
    } else {
        365.0
    };
    f64::from(on.ordinal()) / days
}

/// An indicator's progress: its target and what the records show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub indicator: LetterIndicator,
    pub target: i64,
    pub actual: i64,
}

impl Progress {
    /// Actual over target (above 1 when exceeded); a zero target is met.
    pub fn completion(&self) -> f64 {
        if self.target <= 0 {
            1.0
        } else {
            self.actual as f64 / self.target as f64
        }
    }

    /// How far the indicator lags the share of the year gone: that share
    /// less the completion (capped at 1), never below 0.
    pub fn behind_by(&self, share: f64) -> f64 {
        (share - self.completion().min(1.0)).max(0.0)
    }
}

/// A letter lags by its worst indicator.
pub fn letter_behind_by(progress: &[Progress], share: f64) -> f64 {
    progress
        .iter()
        .map(|p| p.behind_by(share))
        .fold(0.0, f64::max)
}

/// A letter's targets as the office enters them: each indicator's value
/// as text, in yuan for money (`money_in_yuan`, a form) or in fen (the API).
#[derive(Debug, Clone, Default)]
pub struct LetterInput {
    pub unit_id: Option<i64>,
    /// Empty: the letter covers all the unit's counties.
    pub county_code: String,
    pub year: String,
    pub targets: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFields {
    pub unit_id: i64,
    pub county_code: Option<String>,
    pub year: Year,
    pub targets: Vec<(LetterIndicator, i64)>,
}

fn target_value(
    ind: LetterIndicator,
    v: &str,
    money_in_yuan: bool,
    e: &mut Vec<FieldError>,
) -> Option<i64> {
    let bad = |e: &mut Vec<FieldError>, m: Msg| {
        e.push(FieldError::new(ind.as_str(), v, m));
        None
    };
    if ind.is_money() && money_in_yuan {
        return match parse_yuan(v, false) {
            Ok(f) => Some(f.get()),
            Err(m) => bad(e, m),
        };
    }
    match v.parse::<i64>() {
        Ok(n) if n >= 0 => Some(n),
        _ => bad(
            e,
            Msg::new(
                "bad_target",
                "目标应为不小于零的整数",
                "a target must be a whole number, zero or more",
            ),
        ),
    }
}

/// An indicator a letter of its year's period does not have: named in
/// both languages with the years it applies to.
fn outside_period(ind: LetterIndicator, v: &str, p: Period) -> FieldError {
    let (zh, en) = (
        ind.zh_in(Period::RuralRevitalisation),
        ind.en_in(Period::RuralRevitalisation),
    );
    let first = crate::period::FIRST_REVITALISATION_YEAR;
    let msg = match p {
        Period::PovertyAlleviation => Msg::new(
            "indicator_not_in_period",
            format!(
                "“{zh}”是{first}年起定点帮扶责任书的指标，{}年及以前的定点扶贫责任书没有这一指标",
                first - 1
            ),
            format!(
                "“{en}” is an indicator of designated-assistance letters from {first}; a letter of {} or earlier has no such indicator",
                first - 1
            ),
        ),
        Period::RuralRevitalisation => Msg::new(
            "indicator_not_in_period",
            format!("“{zh}”不是{first}年起定点帮扶责任书的指标"),
            format!("“{en}” is not an indicator of designated-assistance letters from {first}"),
        ),
    };
    FieldError::new(ind.as_str(), v, msg)
}

impl LetterInput {
    /// Checks the unit, year and targets: every indicator named must be
    /// known, belong to the letter's period (`LetterIndicator::of_period`)
    /// and its target be a whole amount; at least one target above zero.
    pub fn parse(&self, money_in_yuan: bool) -> Result<LetterFields, Vec<FieldError>> {
        let mut e = Vec::new();
        if self.unit_id.is_none() {
            e.push(FieldError::required("unit_id"));
        }
        let county = self.county_code.trim();
        if !county.is_empty() && crate::area::CountyCode::parse(county).is_none() {
            e.push(FieldError::new(
                "county_code",
                county,
                Msg::new(
                    "bad_county",
                    "应为六位县级区划代码",
                    "must be a six-digit county code",
                ),
            ));
        }
        let year = Year::parse(&self.year)
            .map_err(|m| e.push(FieldError::new("year", self.year.trim(), m)))
            .ok();
        let period = year.map(|y| Period::of_year(y.get()));
        let mut targets = Vec::new();
        for (name, value) in &self.targets {
            let v = value.trim();
            match LetterIndicator::parse(name) {
                None => e.push(FieldError::new(
                    name,
                    v,
                    Msg::new(
                        "unknown_indicator",
                        "未知的责任书指标",
                        "unknown letter indicator",
                    ),
                )),
                Some(_) if v.is_empty() => {}
                Some(ind)
                    if period.is_some_and(|p| !LetterIndicator::of_period(p).contains(&ind)) =>
                {
                    e.push(outside_period(ind, v, period.expect("checked above")));
                }
                Some(ind) => {
                    if let Some(t) = target_value(ind, v, money_in_yuan, &mut e) {
                        targets.push((ind, t));
                    }
                }
            }
        }
        targets.sort();
        targets.dedup_by_key(|(i, _)| *i);
        if e.is_empty() && !targets.iter().any(|(_, t)| *t > 0) {
            e.push(FieldError::new(
                "targets",
                "",
                Msg::new(
                    "no_targets",
                    "至少填写一项大于零的目标",
                    "give at least one target above zero",
                ),
            ));
        }
        match (self.unit_id, year) {
            (Some(unit_id), Some(year)) if e.is_empty() => Ok(LetterFields {
                unit_id,
                county_code: (!county.is_empty()).then(|| county.to_string()),
                year,
                targets,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_share_of_the_year_runs_from_zero_to_one() {
        assert_eq!(year_share(2026, d("2025-12-31")), 0.0);
        assert_eq!(year_share(2026, d("2027-01-01")), 1.0);
        assert_eq!(year_share(2026, d("2026-12-31")), 1.0);
        assert!((year_share(2024, d("2024-07-01")) - 183.0 / 366.0).abs() < 1e-12);
        assert!((year_share(2026, d("2026-01-01")) - 1.0 / 365.0).abs() < 1e-12);
    }

    #[test]
    fn behind_is_the_share_gone_less_the_completion() {
        let p = |target, actual| Progress {
            indicator: LetterIndicator::CadresTrained,
            target,
            actual,
        };
        assert_eq!(p(1000, 250).completion(), 0.25);
        assert!((p(1000, 250).behind_by(0.5) - 0.25).abs() < 1e-12);
        assert_eq!(p(1000, 800).behind_by(0.5), 0.0);
        // Exceeding a target does not make up for another.
        assert_eq!(p(100, 300).behind_by(1.0), 0.0);
        assert_eq!(p(0, 0).completion(), 1.0);
        let worst = letter_behind_by(&[p(100, 300), p(100, 10), p(100, 40)], 0.5);
        assert!((worst - 0.4).abs() < 1e-12);
        assert_eq!(letter_behind_by(&[], 0.9), 0.0);
    }

    #[test]
    fn each_period_has_its_indicators_and_words() {
        use LetterIndicator::*;
        let old = LetterIndicator::of_period(Period::PovertyAlleviation);
        let new = LetterIndicator::of_period(Period::RuralRevitalisation);
        assert_eq!(old.len(), 6);
        assert!(!old.contains(&LeadersTrained));
        assert_eq!(new, ALL_INDICATORS);
        assert_eq!(
            ProductsBought.zh_in(Period::of_year(2019)),
            "购买贫困地区农产品"
        );
        assert_eq!(
            ProductsBought.zh_in(Period::of_year(2022)),
            "购买脱贫地区农产品"
        );
        assert_eq!(
            ProductsSold.zh_in(Period::of_year(2020)),
            "帮助销售贫困地区农产品"
        );
        assert_eq!(
            ProductsSold.name_in(Period::of_year(2021), "en"),
            "Products of areas lifted out of poverty sold with the unit's help"
        );
        // The area word is the period's own.
        for p in [Period::PovertyAlleviation, Period::RuralRevitalisation] {
            assert!(ProductsBought.zh_in(p).contains(p.words("zh").areas));
            assert!(ProductsBought.en_in(p).contains(p.words("en").areas));
        }
    }

    #[test]
    fn a_letter_up_to_2020_has_no_leaders_trained() {
        let input = |year: &str| LetterInput {
            unit_id: Some(1),
            county_code: String::new(),
            year: year.into(),
            targets: vec![
                ("leaders_trained".into(), "30".into()),
                ("cadres_trained".into(), "10".into()),
            ],
        };
        let e = input("2019").parse(false).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].field.as_str(), e[0].msg.code.as_str()),
            ("leaders_trained", "indicator_not_in_period")
        );
        assert!(e[0].msg.zh.contains("2020年及以前"), "{}", e[0].msg.zh);
        assert!(e[0].msg.en.contains("2020 or earlier"), "{}", e[0].msg.en);
        let f = input("2021").parse(false).unwrap();
        assert_eq!(
            f.targets,
            vec![
                (LetterIndicator::CadresTrained, 10),
                (LetterIndicator::LeadersTrained, 30)
            ]
        );
        // An empty value is no target, so an old letter's form may carry the field.
        let blank = LetterInput {
            targets: vec![
                ("leaders_trained".into(), " ".into()),
                ("cadres_trained".into(), "1".into()),
            ],
            ..input("2019")
        };
        assert!(blank.parse(false).is_ok());
    }

    #[test]
    fn targets_are_whole_amounts_of_known_indicators() {
        let input = |targets: &[(&str, &str)]| LetterInput {
            unit_id: Some(1),
            county_code: String::new(),
            year: "2026".into(),
            targets: targets
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        let f = input(&[("direct_funds", "500.5"), ("cadres_trained", "300")])
            .parse(true)
            .unwrap();
        assert_eq!(
            f.targets,
            vec![
                (LetterIndicator::DirectFunds, 50_050),
                (LetterIndicator::CadresTrained, 300)
            ]
        );
        assert_eq!(f.county_code, None);
        let fen = input(&[("direct_funds", "50050")]).parse(false).unwrap();
        assert_eq!(fen.targets, vec![(LetterIndicator::DirectFunds, 50_050)]);
        let codes = |r: Result<LetterFields, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.msg.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(input(&[("speed", "1"), ("cadres_trained", "-1")]).parse(true)),
            vec!["unknown_indicator", "bad_target"]
        );
        assert_eq!(
            codes(input(&[("cadres_trained", "0")]).parse(true)),
            vec!["no_targets"]
        );
        let bad_year = LetterInput {
            year: "1999".into(),
            ..input(&[("cadres_trained", "1")])
        };
        assert_eq!(codes(bad_year.parse(true)), vec!["year_out_of_range"]);
    }
}

//! Leader visits (领导调研): a unit's principal or deputy leader goes to a
//! county the unit is paired with. The rule: each unit's leaders visit
//! each paired county at least once a calendar year. Whether the unit is
//! paired with the county on the visit's date only the database knows: the
//! app checks it after these rules.

use crate::area::CountyCode;
use crate::error::{optional_text, required_text};
use crate::records::{RecordDate, record_date};
use crate::{FieldError, Msg};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Who led the visit: the unit's principal leader (主要负责同志) or a
/// deputy (分管负责同志).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaderLevel {
    Principal,
    Deputy,
}

pub const ALL_LEADER_LEVELS: [LeaderLevel; 2] = [LeaderLevel::Principal, LeaderLevel::Deputy];

impl LeaderLevel {
    /// The code or the Chinese name, as a form gives it.
    pub fn parse(s: &str) -> Option<LeaderLevel> {
        let s = s.trim();
        ALL_LEADER_LEVELS
            .into_iter()
            .find(|l| l.as_str() == s || l.zh() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LeaderLevel::Principal => "principal",
            LeaderLevel::Deputy => "deputy",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            LeaderLevel::Principal => "主要负责同志",
            LeaderLevel::Deputy => "分管负责同志",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            LeaderLevel::Principal => "Principal leader",
            LeaderLevel::Deputy => "Deputy leader",
        }
    }
}

/// Longest texts a visit holds: a name, the places, the purpose, the
/// decisions taken.
pub const MAX_NAME: usize = 50;
pub const MAX_PLACES: usize = 300;
pub const MAX_PURPOSE: usize = 500;
pub const MAX_DECISIONS: usize = 2000;

/// A leader visit as entered (form or API).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LeaderVisitInput {
    pub county_code: String,
    pub leader_name: String,
    /// `principal` or `deputy`.
    pub leader_level: String,
    /// `YYYY-MM-DD`, not after today.
    pub date: String,
    pub places: String,
    pub purpose: String,
    pub decisions: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderVisitFields {
    pub county_code: CountyCode,
    pub leader_name: String,
    pub leader_level: LeaderLevel,
    pub date: NaiveDate,
    pub places: String,
    pub purpose: String,
    pub decisions: Option<String>,
}

impl LeaderVisitInput {
    /// Checks every field. A visit is a thing that happened: its date may
    /// not lie after `today`.
    pub fn parse(&self, today: NaiveDate) -> Result<LeaderVisitFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let county = self.county_code.trim();
        let county_code = CountyCode::parse(county);
        if county.is_empty() {
            e.push(FieldError::required("county_code"));
        } else if county_code.is_none() {
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
        let leader_name = required_text("leader_name", &self.leader_name, MAX_NAME, &mut e);
        let level = LeaderLevel::parse(&self.leader_level);
        if level.is_none() {
            e.push(FieldError::new(
                "leader_level",
                crate::error::clip(self.leader_level.trim()),
                Msg::new(
                    "bad_level",
                    "领导层级应为 principal（主要负责同志）或 deputy（分管负责同志）",
                    "the leader's level must be principal or deputy",
                ),
            ));
        }
        let date = record_date("date", &self.date, today, &mut e);
        let places = required_text("places", &self.places, MAX_PLACES, &mut e);
        let purpose = required_text("purpose", &self.purpose, MAX_PURPOSE, &mut e);
        let decisions = optional_text("decisions", &self.decisions, MAX_DECISIONS, &mut e);
        match (county_code, level, date) {
            (Some(county_code), Some(leader_level), Some(date)) if e.is_empty() => {
                Ok(LeaderVisitFields {
                    county_code,
                    leader_name,
                    leader_level,
                    date,
                    places,
                    purpose,
                    decisions,
                })
            }
            _ => Err(e),
        }
    }
}

impl RecordDate for LeaderVisitFields {
    fn county(&self) -> &CountyCode {
        &self.county_code
    }
    fn on(&self) -> NaiveDate {
        self.date
    }
}

/// A stored leader visit, with the spec's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LeaderVisit {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub leader_name: String,
    pub leader_level: LeaderLevel,
    pub date: NaiveDate,
    pub places: String,
    pub purpose: String,
    pub decisions: String,
    pub created_at: i64,
}

/// What a list of visits asks for; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub level: Option<LeaderLevel>,
    pub year: Option<i32>,
    /// Leader, places, purpose or decisions contains.
    pub q: Option<String>,
}

/// A pairing that was in force during a year (at some day of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct YearPairing {
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
}

/// A pairing of a year and its leaders' visits that year: visited on
/// `dates`, or not yet when there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PairingVisits {
    #[serde(flatten)]
    pub pairing: YearPairing,
    pub year: i32,
    /// The days the unit's principal or deputy leaders visited, oldest first.
    pub dates: Vec<NaiveDate>,
    pub visited: bool,
}

/// The rule, per pairing of `year`: the days of its leader visits that
/// year. A year still running counts only visits up to `today` (a visit
/// dated later cannot have happened yet).
pub fn visits_of_year(
    pairings: &[YearPairing],
    visits: &[(i64, String, NaiveDate)],
    year: i32,
    today: NaiveDate,
) -> Vec<PairingVisits> {
    pairings
        .iter()
        .map(|p| {
            let mut dates: Vec<NaiveDate> = visits
                .iter()
                .filter(|(u, c, d)| {
                    *u == p.unit_id && *c == p.county_code && d.year() == year && *d <= today
                })
                .map(|(_, _, d)| *d)
                .collect();
            dates.sort();
            dates.dedup();
            PairingVisits {
                pairing: p.clone(),
                year,
                visited: !dates.is_empty(),
                dates,
            }
        })
        .collect()
}

/// From which month of the year a pairing not yet visited is reminded of:
/// October leaves a quarter to go.
pub const VISIT_REMINDER_MONTH: u32 = 10;

/// Whether, on `today`, a pairing not yet visited this year is to be
/// reminded of.
pub fn visit_reminder_due(today: NaiveDate) -> bool {
    today.month() >= VISIT_REMINDER_MONTH
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input() -> LeaderVisitInput {
        LeaderVisitInput {
            county_code: "623023".into(),
            leader_name: "张三".into(),
            leader_level: "principal".into(),
            date: "2026-05-10".into(),
            places: "曲瓦乡".into(),
            purpose: "调研产业扶贫".into(),
            decisions: String::new(),
        }
    }

    fn codes(e: Vec<FieldError>) -> Vec<(String, String)> {
        e.into_iter().map(|e| (e.field, e.msg.code)).collect()
    }

    #[test]
    fn a_visit_parses_with_level_by_code_or_chinese_name() {
        let f = input().parse(day("2026-06-30")).unwrap();
        assert_eq!(f.leader_level, LeaderLevel::Principal);
        assert_eq!(f.decisions, None);
        let mut zh = input();
        zh.leader_level = "分管负责同志".into();
        assert_eq!(
            zh.parse(day("2026-06-30")).unwrap().leader_level,
            LeaderLevel::Deputy
        );
    }

    #[test]
    fn bad_fields_are_all_reported() {
        let bad = LeaderVisitInput {
            county_code: "62302".into(),
            leader_name: String::new(),
            leader_level: "minister".into(),
            date: "2026-07-01".into(),
            places: "x".repeat(MAX_PLACES + 1),
            purpose: "  ".into(),
            decisions: "y".repeat(MAX_DECISIONS + 1),
        };
        let got = codes(bad.parse(day("2026-06-30")).unwrap_err());
        let want: Vec<(String, String)> = [
            ("county_code", "bad_county"),
            ("leader_name", "required"),
            ("leader_level", "bad_level"),
            ("date", "date_in_future"),
            ("places", "too_long"),
            ("purpose", "required"),
            ("decisions", "too_long"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    fn pairing(unit: i64, county: &str) -> YearPairing {
        YearPairing {
            unit_id: unit,
            unit_name: format!("unit {unit}"),
            county_code: county.into(),
            county_name: county.into(),
        }
    }

    #[test]
    fn each_pairing_needs_a_visit_in_the_year() {
        let pairings = [
            pairing(1, "623023"),
            pairing(1, "623024"),
            pairing(2, "623023"),
        ];
        let visits = [
            (1, "623023".to_string(), day("2026-03-01")),
            (1, "623023".to_string(), day("2026-03-01")),
            (1, "623023".to_string(), day("2025-12-31")),
            // Another unit's visit does not count for unit 2.
            (1, "623024".to_string(), day("2027-01-01")),
            // A date after today has not happened yet.
            (2, "623023".to_string(), day("2026-11-01")),
        ];
        let got = visits_of_year(&pairings, &visits, 2026, day("2026-10-01"));
        assert_eq!(got[0].dates, vec![day("2026-03-01")]);
        assert!(got[0].visited);
        assert!(
            !got[1].visited,
            "last year's and next year's visits do not count"
        );
        assert!(!got[2].visited);
        let later = visits_of_year(&pairings, &visits, 2026, day("2026-12-31"));
        assert!(later[2].visited);
    }

    #[test]
    fn the_reminder_starts_in_october() {
        assert!(!visit_reminder_due(day("2026-09-30")));
        assert!(visit_reminder_due(day("2026-10-01")));
        assert!(visit_reminder_due(day("2026-12-31")));
        assert!(!visit_reminder_due(day("2027-01-01")));
    }
}

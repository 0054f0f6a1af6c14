//! A registry household's assistance record (帮扶手册): its helpers
//! (帮扶责任人), the measures taken for it and the helpers' home visits;
//! and the quarter the "not visited" list looks at. Whether the household
//! lies in the actor's county only the database knows: the app checks it
//! after these rules, and answers "no such household" otherwise.

use crate::error::required_text;
use crate::records::record_date;
use crate::registry::HouseholdId;
use crate::village_team::{Official, official, serves_on, service_period};
use crate::{FieldError, Msg};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The kinds of assistance measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdMeasureCategory {
    /// 产业帮扶.
    Industry,
    /// 就业帮扶.
    Employment,
    /// 教育帮扶.
    Education,
    /// 健康帮扶.
    Health,
    /// 易地扶贫搬迁.
    Relocation,
    /// 危房改造.
    Housing,
    /// 社会保障兜底.
    SocialSecurity,
}

pub const ALL_HOUSEHOLD_MEASURES: [HouseholdMeasureCategory; 7] = [
    HouseholdMeasureCategory::Industry,
    HouseholdMeasureCategory::Employment,
    HouseholdMeasureCategory::Education,
    HouseholdMeasureCategory::Health,
    HouseholdMeasureCategory::Relocation,
    HouseholdMeasureCategory::Housing,
    HouseholdMeasureCategory::SocialSecurity,
];

impl HouseholdMeasureCategory {
    pub fn parse(s: &str) -> Option<HouseholdMeasureCategory> {
        let s = s.trim();
        ALL_HOUSEHOLD_MEASURES
            .into_iter()
            .find(|k| k.as_str() == s || k.zh() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdMeasureCategory::Industry => "industry",
            HouseholdMeasureCategory::Employment => "employment",
            HouseholdMeasureCategory::Education => "education",
            HouseholdMeasureCategory::Health => "health",
            HouseholdMeasureCategory::Relocation => "relocation",
            HouseholdMeasureCategory::Housing => "housing",
            HouseholdMeasureCategory::SocialSecurity => "social_security",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            HouseholdMeasureCategory::Industry => "产业帮扶",
            HouseholdMeasureCategory::Employment => "就业帮扶",
            HouseholdMeasureCategory::Education => "教育帮扶",
            HouseholdMeasureCategory::Health => "健康帮扶",
            HouseholdMeasureCategory::Relocation => "易地扶贫搬迁",
            HouseholdMeasureCategory::Housing => "危房改造",
            HouseholdMeasureCategory::SocialSecurity => "社会保障兜底",
        }
    }
}

/// A calendar quarter, written `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub q: u32,
}

impl Quarter {
    pub fn of(day: NaiveDate) -> Quarter {
        Quarter {
            year: day.year(),
            q: day.month0() / 3 + 1,
        }
    }

    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.trim().split_once("-Q")?;
        let year: i32 = y.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
        Some(Quarter { year, q })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).expect("a quarter's first day")
    }

    pub fn last_day(self) -> NaiveDate {
        let next = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.q * 3 + 1, 1)
        };
        next.and_then(|d| d.pred_opt())
            .expect("a quarter's last day")
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

fn household_field(value: &str, e: &mut Vec<FieldError>) -> Option<HouseholdId> {
    if value.trim().is_empty() {
        e.push(FieldError::required("household_id"));
        return None;
    }
    HouseholdId::parse(value).map_err(|b| e.push(*b)).ok()
}

/// A helper assigned to a household, as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct HelperInput {
    pub household_id: String,
    /// A seconded cadre's secondment; empty for a local official.
    pub secondment_id: String,
    pub person_name: String,
    pub post: String,
    pub phone: String,
    pub from_date: String,
    /// Empty while the helper helps on.
    pub to_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperFields {
    pub household_id: HouseholdId,
    pub official: Official,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl HelperInput {
    pub fn parse(&self, today: NaiveDate) -> Result<HelperFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let household = household_field(&self.household_id, &mut e);
        let who = official(
            (&self.secondment_id, &self.person_name, &self.post),
            Some(&self.phone),
            &mut e,
        );
        let period = service_period((&self.from_date, &self.to_date), today, &mut e);
        match (household, who, period) {
            (Some(household_id), Some(official), Some((from, to))) if e.is_empty() => {
                Ok(HelperFields {
                    household_id,
                    official,
                    from,
                    to,
                })
            }
            _ => Err(e),
        }
    }
}

/// An assistance measure as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeasureInput {
    pub household_id: String,
    /// industry, employment, education, health, relocation, housing or
    /// social_security.
    pub category: String,
    pub description: String,
    /// When the measure was taken (not after today).
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureFields {
    pub household_id: HouseholdId,
    pub category: HouseholdMeasureCategory,
    pub description: String,
    pub date: NaiveDate,
}

impl MeasureInput {
    pub fn parse(&self, today: NaiveDate) -> Result<MeasureFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let household = household_field(&self.household_id, &mut e);
        let category = HouseholdMeasureCategory::parse(&self.category);
        if category.is_none() {
            e.push(FieldError::new(
                "category",
                self.category.trim(),
                Msg::new(
                    "bad_kind",
                    "措施类别应为产业、就业、教育、健康、易地搬迁、住房或兜底保障之一",
                    "must be industry, employment, education, health, relocation, housing or social_security",
                ),
            ));
        }
        let description = required_text("description", &self.description, 500, &mut e);
        let date = record_date("date", &self.date, today, &mut e);
        match (household, category, date) {
            (Some(household_id), Some(category), Some(date)) if e.is_empty() => Ok(MeasureFields {
                household_id,
                category,
                description,
                date,
            }),
            _ => Err(e),
        }
    }
}

/// A home visit as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VisitInput {
    pub household_id: String,
    /// The helper who visited (one of the household's helpers).
    pub helper_id: String,
    /// Not after today, and within the helper's period.
    pub date: String,
    /// What the helper found.
    pub found: String,
    /// What the helper did.
    pub done: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFields {
    pub household_id: HouseholdId,
    pub helper_id: i64,
    pub date: NaiveDate,
    pub found: String,
    pub done: String,
}

impl VisitInput {
    pub fn parse(&self, today: NaiveDate) -> Result<VisitFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let household = household_field(&self.household_id, &mut e);
        let helper = self.helper_id.trim().parse::<i64>().ok().filter(|i| *i > 0);
        if helper.is_none() {
            e.push(no_such_helper(self.helper_id.trim()));
        }
        let date = record_date("date", &self.date, today, &mut e);
        let found = required_text("found", &self.found, 1000, &mut e);
        let done = required_text("done", &self.done, 1000, &mut e);
        match (household, helper, date) {
            (Some(household_id), Some(helper_id), Some(date)) if e.is_empty() => Ok(VisitFields {
                household_id,
                helper_id,
                date,
                found,
                done,
            }),
            _ => Err(e),
        }
    }
}

/// The helper named is not one of the household's.
pub fn no_such_helper(value: &str) -> FieldError {
    FieldError::new(
        "helper_id",
        value,
        Msg::new(
            "bad_helper",
            "应选择该户的一名帮扶责任人",
            "must be one of the household's helpers",
        ),
    )
}

/// A visit must fall within the helper's period.
pub fn visit_in_period(
    date: NaiveDate,
    (from, to): (NaiveDate, Option<NaiveDate>),
) -> Option<FieldError> {
    if serves_on(from, to, date) {
        return None;
    }
    let until = to.map(|t| t.to_string()).unwrap_or_default();
    Some(FieldError::new(
        "date",
        date.to_string(),
        Msg::new(
            "outside_helper_period",
            format!("走访日期应在该帮扶责任人的帮扶期内（{from} 至 {until}）"),
            format!("the visit must fall within the helper's period ({from} to {until})"),
        ),
    ))
}

/// A household's helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Helper {
    pub id: i64,
    pub household_id: String,
    pub county_code: String,
    pub secondment_id: Option<i64>,
    pub person_name: String,
    pub post: String,
    pub phone: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub from_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub to_date: Option<NaiveDate>,
}

/// A measure taken for a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Measure {
    pub id: i64,
    pub household_id: String,
    pub category: HouseholdMeasureCategory,
    pub description: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
}

/// A helper's home visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HomeVisit {
    pub id: i64,
    pub household_id: String,
    pub helper_id: i64,
    pub helper_name: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub found: String,
    pub done: String,
}

/// The household's assistance record (帮扶手册).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssistanceRecord {
    pub household_id: String,
    pub county_code: String,
    pub helpers: Vec<Helper>,
    pub measures: Vec<Measure>,
    pub visits: Vec<HomeVisit>,
}

/// A household of the county's latest registry year with no helper on
/// the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HouseholdWithoutHelper {
    pub household_id: String,
    pub year: i32,
    pub county_code: String,
    pub village_code: String,
    pub village_name: String,
}

/// A helper, helping during the quarter, with no visit to the household
/// in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnvisitedHelper {
    pub helper_id: i64,
    pub household_id: String,
    pub county_code: String,
    pub person_name: String,
    pub post: String,
    pub phone: Option<String>,
    /// The helper's last visit to the household before the quarter ended.
    #[schema(value_type = Option<String>, format = Date)]
    pub last_visit: Option<NaiveDate>,
}

/// What the county's lists filter on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpFilter {
    /// A county (the office and inspectors choose; a county's own scope
    /// narrows anyway).
    pub county_code: Option<String>,
    /// Part of a household id, village name or helper's name.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    #[test]
    fn quarters_have_their_bounds_across_the_year() {
        let q = Quarter::of(d("2026-12-31"));
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.first_day(), d("2026-10-01"));
        assert_eq!(q.last_day(), d("2026-12-31"));
        let q1 = Quarter::parse("2027-Q1").unwrap();
        assert_eq!(
            (q1.first_day(), q1.last_day()),
            (d("2027-01-01"), d("2027-03-31"))
        );
        assert_eq!(Quarter::of(d("2024-02-29")).last_day(), d("2024-03-31"));
        for bad in ["2026-Q5", "2026Q1", "1999-Q1", "x"] {
            assert!(Quarter::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_measure_needs_a_category_from_the_list_and_a_past_date() {
        let today = d("2026-05-10");
        let ok = MeasureInput {
            household_id: "H001".into(),
            category: "社会保障兜底".into(),
            description: "纳入低保".into(),
            date: "2026-05-10".into(),
        };
        assert_eq!(
            ok.parse(today).unwrap().category,
            HouseholdMeasureCategory::SocialSecurity
        );
        let bad = MeasureInput {
            category: "lottery".into(),
            description: "x".repeat(501),
            date: "2026-05-11".into(),
            ..ok
        };
        let codes: Vec<String> = bad
            .parse(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(codes, ["bad_kind", "too_long", "date_in_future"]);
    }

    #[test]
    fn a_visit_falls_within_the_helpers_period() {
        let period = (d("2025-01-01"), Some(d("2025-12-31")));
        assert!(visit_in_period(d("2025-06-01"), period).is_none());
        let e = visit_in_period(d("2026-01-01"), period).unwrap();
        assert_eq!(e.msg.code, "outside_helper_period");
        assert!(visit_in_period(d("2030-01-01"), (d("2025-01-01"), None)).is_none());
        let bad = VisitInput {
            household_id: String::new(),
            helper_id: "x".into(),
            date: "2026-05-11".into(),
            found: String::new(),
            done: "修缮屋顶".into(),
        };
        let codes: Vec<String> = bad
            .parse(d("2026-05-10"))
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(
            codes,
            ["required", "bad_helper", "date_in_future", "required"]
        );
    }

    #[test]
    fn a_helper_is_a_secondment_or_a_named_local_official() {
        let today = d("2026-05-10");
        let local = HelperInput {
            household_id: "623023100200001".into(),
            person_name: "赵强".into(),
            post: "村会计".into(),
            phone: "13800000000".into(),
            from_date: "2026-01-01".into(),
            ..Default::default()
        };
        let f = local.parse(today).unwrap();
        assert!(matches!(f.official, Official::Local { phone: Some(_), .. }));
        let none = HelperInput {
            person_name: String::new(),
            ..local
        };
        assert!(none.parse(today).is_err());
    }
}

//! Poor villages (贫困村) and their resident work teams (驻村工作队): who
//! serves in a village, drawn from the secondments or the county's own
//! officials, and the period a person serves. The rules on dates and
//! people here are shared with the household helpers (`household_help`).
//! Whether a village or a secondment belongs to the county only the
//! database knows: the app checks it after these rules.

use crate::error::{optional_text, required_text};
use crate::plan_input::end_before_start;
use crate::records::{bad_date, record_date};
use crate::{FieldError, Msg, time};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How far ahead a period may start or end: an assignment is planned, but
/// not for an unknown future (a typo such as 2062 is refused).
pub const PLAN_AHEAD_YEARS: i32 = 5;

/// A member's role in the work team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// 第一书记.
    FirstSecretary,
    /// 队员.
    Member,
}

impl TeamRole {
    pub fn parse(s: &str) -> Option<TeamRole> {
        let s = s.trim();
        [TeamRole::FirstSecretary, TeamRole::Member]
            .into_iter()
            .find(|r| r.as_str() == s || r.zh() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            TeamRole::FirstSecretary => "第一书记",
            TeamRole::Member => "队员",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::FirstSecretary => "first_secretary",
            TeamRole::Member => "member",
        }
    }
}

/// Who serves: a seconded cadre (by secondment) or a local official.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Official {
    Secondment(i64),
    Local {
        name: String,
        post: String,
        phone: Option<String>,
    },
}

/// A 12-digit village code.
pub fn village_code(field: &str, value: &str, e: &mut Vec<FieldError>) -> Option<String> {
    let v = value.trim();
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v.to_string());
    }
    e.push(FieldError::new(
        field,
        v,
        Msg::new(
            "bad_village",
            "应为十二位村级区划代码",
            "must be a twelve-digit village code",
        ),
    ));
    None
}

/// The person: a secondment's id, or a local official's name and post
/// (and phone, where asked for) — one or the other, never both.
pub fn official(
    (secondment, name, post): (&str, &str, &str),
    phone: Option<&str>,
    e: &mut Vec<FieldError>,
) -> Option<Official> {
    let secondment = secondment.trim();
    if !secondment.is_empty() {
        if !name.trim().is_empty() {
            e.push(FieldError::new(
                "person_name",
                name.trim(),
                Msg::new(
                    "secondment_or_local",
                    "选择挂职干部时不再填写姓名：二者只能选其一",
                    "give either a secondment or a local official's name, not both",
                ),
            ));
            return None;
        }
        return match secondment.parse::<i64>() {
            Ok(id) if id > 0 => Some(Official::Secondment(id)),
            _ => {
                e.push(FieldError::new(
                    "secondment_id",
                    secondment,
                    Msg::new("bad_secondment", "挂职记录编号无效", "no such secondment"),
                ));
                None
            }
        };
    }
    let before = e.len();
    let name = required_text("person_name", name, 50, e);
    let post = required_text("post", post, 100, e);
    let phone = phone.and_then(|p| phone_field(p, e));
    (e.len() == before).then_some(Official::Local { name, post, phone })
}

fn phone_field(value: &str, e: &mut Vec<FieldError>) -> Option<String> {
    let v = optional_text("phone", value, 20, e)?;
    let ok = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '));
    if !ok {
        e.push(FieldError::new(
            "phone",
            v.as_str(),
            Msg::new(
                "bad_phone",
                "电话只能包含数字、空格、“-”和“+”",
                "a phone number holds only digits, spaces, '-' and '+'",
            ),
        ));
        return None;
    }
    Some(v)
}

/// A date of a plan: real, from 2000 on, at most [`PLAN_AHEAD_YEARS`]
/// after `today`.
pub fn plan_date(
    field: &str,
    value: &str,
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    let limit = today
        .with_year(today.year() + PLAN_AHEAD_YEARS)
        .unwrap_or(today);
    match time::parse_date(v).filter(|d| d.year() >= 2000) {
        Some(d) if d > limit => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "date_far_ahead",
                    format!("日期不能晚于 {limit}：最多提前 {PLAN_AHEAD_YEARS} 年安排"),
                    format!("the date may not be after {limit}: plans reach at most {PLAN_AHEAD_YEARS} years ahead"),
                ),
            ));
            None
        }
        Some(d) => Some(d),
        None => {
            e.push(bad_date(field, v));
            None
        }
    }
}

/// A period of service: a start that has happened (someone serves, or has
/// served), an optional planned end not before it.
pub fn service_period(
    (from, to): (&str, &str),
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let start = record_date("from_date", from, today, e);
    let end = match to.trim() {
        "" => Some(None),
        v => plan_date("to_date", v, today, e).map(Some),
    };
    match (start, end) {
        (Some(s), Some(Some(en))) if en < s => {
            e.push(end_before_start("to_date", to.trim()));
            None
        }
        (Some(s), Some(en)) => Some((s, en)),
        _ => None,
    }
}

/// A work team member as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeamMemberInput {
    pub village_code: String,
    /// The secondment of a seconded cadre; empty for a local official.
    pub secondment_id: String,
    /// A local official's name (empty for a secondment).
    pub person_name: String,
    /// A local official's post.
    pub post: String,
    /// `first_secretary` or `member`.
    pub role: String,
    pub from_date: String,
    /// Empty while the member serves on.
    pub to_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMemberFields {
    pub village_code: String,
    pub official: Official,
    pub role: TeamRole,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl TeamMemberInput {
    pub fn parse(&self, today: NaiveDate) -> Result<TeamMemberFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let village = village_code("village_code", &self.village_code, &mut e);
        let who = official(
            (&self.secondment_id, &self.person_name, &self.post),
            None,
            &mut e,
        );
        let role = TeamRole::parse(&self.role);
        if role.is_none() {
            e.push(FieldError::new(
                "role",
                self.role.trim(),
                Msg::new(
                    "bad_role",
                    "应为 first_secretary（第一书记）或 member（队员）",
                    "must be first_secretary or member",
                ),
            ));
        }
        let period = service_period((&self.from_date, &self.to_date), today, &mut e);
        match (village, who, role, period) {
            (Some(village_code), Some(official), Some(role), Some((from, to))) if e.is_empty() => {
                Ok(TeamMemberFields {
                    village_code,
                    official,
                    role,
                    from,
                    to,
                })
            }
            _ => Err(e),
        }
    }
}

/// A member of a village's work team, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TeamMember {
    pub id: i64,
    pub village_code: String,
    pub role: TeamRole,
    pub person_name: String,
    pub post: String,
    /// Set when the member is a seconded cadre.
    pub secondment_id: Option<i64>,
    /// The seconded cadre's unit, when the member is one.
    pub unit_name: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub from_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub to_date: Option<NaiveDate>,
}

/// A poor village with its work team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PoorVillage {
    pub village_code: String,
    pub village_name: String,
    pub county_code: String,
    pub team: Vec<TeamMember>,
}

/// Whether a team member serves on `day`.
pub fn serves_on(from: NaiveDate, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from <= day && to.is_none_or(|t| day <= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 10).unwrap()
    }

    fn input() -> TeamMemberInput {
        TeamMemberInput {
            village_code: "623023100200".into(),
            person_name: "李明".into(),
            post: "村支书".into(),
            role: "member".into(),
            from_date: "2025-03-01".into(),
            ..Default::default()
        }
    }

    fn codes(r: Result<TeamMemberFields, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.msg.code).collect()
    }

    #[test]
    fn a_local_official_or_a_secondment_serves_from_a_date() {
        let f = input().parse(today()).unwrap();
        assert_eq!(f.role, TeamRole::Member);
        assert!(matches!(f.official, Official::Local { ref name, .. } if name == "李明"));
        let s = TeamMemberInput {
            secondment_id: "7".into(),
            person_name: String::new(),
            post: String::new(),
            role: "first_secretary".into(),
            to_date: "2028-03-01".into(),
            ..input()
        };
        let f = s.parse(today()).unwrap();
        assert_eq!(f.official, Official::Secondment(7));
        assert_eq!(f.to, NaiveDate::from_ymd_opt(2028, 3, 1));
    }

    #[test]
    fn bad_villages_roles_people_and_periods_are_refused() {
        let bad = TeamMemberInput {
            village_code: "6230231".into(),
            role: "boss".into(),
            ..input()
        };
        assert_eq!(codes(bad.parse(today())), ["bad_village", "bad_role"]);
        let both = TeamMemberInput {
            secondment_id: "3".into(),
            ..input()
        };
        assert_eq!(codes(both.parse(today())), ["secondment_or_local"]);
        let backwards = TeamMemberInput {
            to_date: "2024-01-01".into(),
            ..input()
        };
        assert_eq!(codes(backwards.parse(today())), ["end_before_start"]);
        let future = TeamMemberInput {
            from_date: "2026-05-11".into(),
            to_date: "2040-01-01".into(),
            ..input()
        };
        assert_eq!(
            codes(future.parse(today())),
            ["date_in_future", "date_far_ahead"]
        );
        let nobody = TeamMemberInput {
            person_name: " ".into(),
            ..input()
        };
        assert_eq!(codes(nobody.parse(today())), ["required"]);
    }

    #[test]
    fn a_phone_holds_digits_only() {
        let mut e = Vec::new();
        let o = official(("", "王芳", "村医"), Some("0941-5121234"), &mut e);
        assert!(matches!(o, Some(Official::Local { phone: Some(_), .. })));
        official(("", "王芳", "村医"), Some("call me"), &mut e);
        assert_eq!(e[0].msg.code, "bad_phone");
    }

    #[test]
    fn serving_is_inclusive_of_both_ends() {
        let d = |s| time::parse_date(s).unwrap();
        assert!(serves_on(d("2025-01-01"), None, d("2025-01-01")));
        assert!(serves_on(
            d("2025-01-01"),
            Some(d("2025-06-30")),
            d("2025-06-30")
        ));
        assert!(!serves_on(
            d("2025-01-01"),
            Some(d("2025-06-30")),
            d("2025-07-01")
        ));
    }
}

//! A pairing as a person enters it (a form, an import row, the API), and
//! the rules it must satisfy inside its plan: a known unit and county, a
//! role, a period within the plan's, no second pairing of the same unit
//! and county, and one lead unit per county at a time. What only the
//! database knows is read by the app and passed in.

use crate::area::CountyCode;
use crate::plan::{Pairing, PairingPlan, PairingRole};
use crate::plan_input::{date_field, end_before_start};
use crate::{FieldError, Msg};
use chrono::NaiveDate;

/// A pairing as entered in a form, an import row or the API.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PairingInput {
    pub unit_id: Option<i64>,
    pub county_code: String,
    pub role: String,
    pub start: String,
    pub end: String,
    pub note: String,
}

/// What the database says about a pairing's references.
#[derive(Debug, Clone, Copy)]
pub struct PairingFacts<'a> {
    /// The unit `unit_id` names exists.
    pub unit_exists: bool,
    /// The county `county_code` names (trimmed) is a known county.
    pub county_exists: bool,
    pub plan: &'a PairingPlan,
    /// The pairings the plan already holds, with earlier rows of an import.
    pub existing: &'a [Pairing],
}

/// A pairing that satisfies the rules, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPairing {
    pub unit_id: i64,
    pub county_code: CountyCode,
    pub role: PairingRole,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub note: Option<String>,
}

impl CheckedPairing {
    /// As a pairing of the plan, so that later rows of an import are
    /// checked against it.
    pub fn as_pairing(&self, plan_id: i64) -> Pairing {
        Pairing {
            id: 0,
            plan_id,
            unit_id: self.unit_id,
            unit_name: String::new(),
            county_code: self.county_code.to_string(),
            county_name: String::new(),
            role: self.role,
            start: self.start,
            end: self.end,
            note: None,
        }
    }
}

impl PairingInput {
    /// Checks the pairing against the rules and `facts`, reporting every
    /// problem; the conflicts with other pairings only once the pairing
    /// itself is well formed.
    pub fn check(&self, facts: PairingFacts) -> Result<CheckedPairing, Vec<FieldError>> {
        let mut e = Vec::new();
        self.check_unit(facts.unit_exists, &mut e);
        let county = self.county(facts.county_exists, &mut e);
        let role = self.role(&mut e);
        let period = self.period(facts.plan, &mut e);
        let (Some(unit_id), Some(county_code), Some(role), Some((start, end)), true) =
            (self.unit_id, county, role, period, e.is_empty())
        else {
            return Err(e);
        };
        let checked = CheckedPairing {
            unit_id,
            county_code,
            role,
            start,
            end,
            note: Some(self.note.trim().to_string()).filter(|n| !n.is_empty()),
        };
        let conflicts = checked.conflicts(facts.existing);
        if conflicts.is_empty() {
            Ok(checked)
        } else {
            Err(conflicts)
        }
    }

    fn check_unit(&self, exists: bool, e: &mut Vec<FieldError>) {
        match self.unit_id {
            None => e.push(FieldError::required("unit_id")),
            Some(id) if !exists => e.push(FieldError::new(
                "unit_id",
                id.to_string(),
                Msg::new("unknown_unit", "单位不存在", "no such unit"),
            )),
            Some(_) => {}
        }
    }

    fn county(&self, exists: bool, e: &mut Vec<FieldError>) -> Option<CountyCode> {
        let county = self.county_code.trim();
        if county.is_empty() {
            e.push(FieldError::required("county_code"));
            return None;
        }
        let code = CountyCode::parse(county).filter(|_| exists);
        if code.is_none() {
            e.push(FieldError::new(
                "county_code",
                county,
                Msg::new(
                    "unknown_county",
                    "不是已知的县级区划代码",
                    "is not a known county code",
                ),
            ));
        }
        code
    }

    /// The role; an empty field means a member unit.
    fn role(&self, e: &mut Vec<FieldError>) -> Option<PairingRole> {
        if self.role.trim().is_empty() {
            return Some(PairingRole::Member);
        }
        let role = PairingRole::parse(&self.role);
        if role.is_none() {
            e.push(FieldError::new(
                "role",
                self.role.trim(),
                Msg::new(
                    "bad_role",
                    "角色应为 lead（牵头）或 member（参与）",
                    "must be lead or member",
                ),
            ));
        }
        role
    }

    /// The pairing's dates, the plan's where not given; within the plan's.
    fn period(
        &self,
        plan: &PairingPlan,
        e: &mut Vec<FieldError>,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let date = |field: &str, value: &str, default: NaiveDate, e: &mut Vec<FieldError>| {
            if value.trim().is_empty() {
                Some(default)
            } else {
                date_field(field, value, e)
            }
        };
        let start = date("start", &self.start, plan.period_start, e);
        let end = date("end", &self.end, plan.period_end, e);
        let (s, en) = start.zip(end)?;
        if s > en {
            e.push(end_before_start("end", en.to_string()));
        } else if s < plan.period_start || en > plan.period_end {
            e.push(FieldError::new(
                "start",
                format!("{s} – {en}"),
                Msg::new(
                    "outside_period",
                    format!(
                        "结对期限须在方案期限（{} 至 {}）之内",
                        plan.period_start, plan.period_end
                    ),
                    format!(
                        "a pairing must lie within the plan's period ({} to {})",
                        plan.period_start, plan.period_end
                    ),
                ),
            ));
        }
        Some((s, en))
    }
}

impl CheckedPairing {
    /// The same unit with the same county twice, or a second lead unit of
    /// the county for an overlapping time.
    fn conflicts(&self, existing: &[Pairing]) -> Vec<FieldError> {
        let mut e = Vec::new();
        let county = self.county_code.as_str();
        if existing
            .iter()
            .any(|p| p.unit_id == self.unit_id && p.county_code == county)
        {
            e.push(FieldError::new(
                "county_code",
                county,
                Msg::new(
                    "duplicate_pairing",
                    "该单位与该县在本方案中已有结对",
                    "this unit is already paired with this county in the plan",
                ),
            ));
        }
        let other_lead = existing.iter().find(|p| {
            p.county_code == county
                && p.role == PairingRole::Lead
                && p.start <= self.end
                && self.start <= p.end
        });
        if let (PairingRole::Lead, Some(other)) = (self.role, other_lead) {
            e.push(FieldError::new(
                "role",
                "lead",
                Msg::new(
                    "second_lead",
                    format!("该县同期已有牵头单位“{}”", other.unit_name),
                    format!(
                        "the county already has a lead unit for that time ({})",
                        other.unit_name
                    ),
                ),
            ));
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PairingPlan {
        crate::plan_input::tests::overall(1)
    }

    fn input(unit: i64, county: &str, role: &str, start: &str, end: &str) -> PairingInput {
        PairingInput {
            unit_id: Some(unit),
            county_code: county.into(),
            role: role.into(),
            start: start.into(),
            end: end.into(),
            note: String::new(),
        }
    }

    fn check(i: &PairingInput, existing: &[Pairing]) -> Result<CheckedPairing, Vec<String>> {
        let plan = plan();
        let facts = PairingFacts {
            unit_exists: true,
            county_exists: true,
            plan: &plan,
            existing,
        };
        i.check(facts).map_err(|e| {
            e.into_iter()
                .map(|e| format!("{}:{}", e.field, e.msg.code))
                .collect()
        })
    }

    #[test]
    fn a_pairing_takes_the_plans_period_and_member_role_by_default() {
        let p = check(&input(3, " 623023 ", "", "", ""), &[]).unwrap();
        assert_eq!(p.county_code.as_str(), "623023");
        assert_eq!(p.role, PairingRole::Member);
        assert_eq!((p.start, p.end), (plan().period_start, plan().period_end));
        assert_eq!(p.note, None);
        assert_eq!(p.as_pairing(1).county_code, "623023");
    }

    #[test]
    fn every_problem_of_the_pairing_itself_is_reported() {
        let plan = plan();
        let facts = PairingFacts {
            unit_exists: false,
            county_exists: false,
            plan: &plan,
            existing: &[],
        };
        let i = input(9, "623023", "boss", "2021-13-01", "");
        let codes: Vec<String> = i
            .check(facts)
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(
            codes,
            ["unknown_unit", "unknown_county", "bad_role", "bad_date"]
        );
        let missing = PairingInput::default();
        assert_eq!(
            check(&missing, &[]).unwrap_err(),
            ["unit_id:required", "county_code:required"]
        );
        // A code of the wrong level is no county, even when it exists.
        assert_eq!(
            check(&input(3, "6230", "", "", ""), &[]).unwrap_err(),
            ["county_code:unknown_county"]
        );
    }

    #[test]
    fn a_pairing_lies_within_the_plan_and_starts_before_it_ends() {
        assert_eq!(
            check(&input(3, "623023", "", "2024-01-01", "2023-01-01"), &[]).unwrap_err(),
            ["end:end_before_start"]
        );
        assert_eq!(
            check(&input(3, "623023", "", "2020-01-01", "2023-01-01"), &[]).unwrap_err(),
            ["start:outside_period"]
        );
    }

    #[test]
    fn no_second_pairing_and_no_second_lead_at_a_time() {
        let first = check(&input(3, "623023", "lead", "2021-01-01", "2023-12-31"), &[])
            .unwrap()
            .as_pairing(1);
        let existing = [first];
        assert_eq!(
            check(&input(3, "623023", "member", "", ""), &existing).unwrap_err(),
            ["county_code:duplicate_pairing"]
        );
        assert_eq!(
            check(&input(4, "623023", "lead", "2023-12-31", ""), &existing).unwrap_err(),
            ["role:second_lead"]
        );
        // A lead that follows the first one, or a member beside it, is fine.
        assert!(check(&input(4, "623023", "lead", "2024-01-01", ""), &existing).is_ok());
        assert!(check(&input(4, "623023", "member", "", ""), &existing).is_ok());
    }
}

//! Monitoring of all rural households (from 2021): a household outside the
//! registry, entered by its county with its members, checked by the
//! registry's own rules (GB 11643 ID numbers, names, relations, income).
//! Its id cannot collide with a registry household's: `R`, the county
//! code, `-` and a five-digit number within the county (`R623023-00001`);
//! the registry's household ids are its digits.

use crate::area::CountyCode;
use crate::period::FIRST_REVITALISATION_YEAR;
use crate::registry::{IdNumber, Relation, income_cell, person_cells};
use crate::secondment::coded;
use crate::{Fen, FieldError, Msg};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The most members a household entered by hand may have.
pub const MAX_MEMBERS: usize = 20;
/// The most characters of a village's name.
pub const MAX_VILLAGE_CHARS: usize = 64;

coded!(Origin {
    Registry = "registry", "建档立卡户", "Registered household";
    Rural = "rural", "建档立卡外农户", "Rural household outside the registry";
});

impl Origin {
    /// Where a monitored household comes from, by the form of its id.
    pub fn of_household_id(id: &str) -> Origin {
        let b = id.as_bytes();
        let rural = b.len() == 13
            && b[0] == b'R'
            && b[7] == b'-'
            && b[1..7].iter().chain(&b[8..]).all(u8::is_ascii_digit);
        if rural {
            Origin::Rural
        } else {
            Origin::Registry
        }
    }
}

/// The id of a county's `n`-th household outside the registry.
pub fn household_id(county: &str, n: i64) -> String {
    format!("R{county}-{n:05}")
}

/// A member as entered: cells as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuralMemberInput {
    pub name: String,
    pub id_number: String,
    /// 户主, 配偶, … or head, spouse, …
    pub relation: String,
}

/// A household as entered: income per capita in yuan.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RuralHouseholdInput {
    pub county_code: String,
    pub village: String,
    /// The year of the income figure, 2021 or later.
    pub year: String,
    pub income_per_capita: String,
    pub members: Vec<RuralMemberInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuralMember {
    pub name: String,
    pub id_number: IdNumber,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuralHouseholdFields {
    pub county_code: String,
    pub village: String,
    pub year: i32,
    pub income_per_capita: Fen,
    pub members: Vec<RuralMember>,
}

fn err(field: &str, value: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, value, Msg::new(code, zh, en))
}

/// The year: from 2021 (monitoring widened to all rural households then),
/// not after today's (an income is of a year that has begun).
fn year_cell(v: &str, today: NaiveDate, e: &mut Vec<FieldError>) -> Option<i32> {
    let first = FIRST_REVITALISATION_YEAR;
    match v.trim().parse::<i32>() {
        Ok(y) if (first..=today.year()).contains(&y) => return Some(y),
        Ok(y) if y < first => e.push(err(
            "year",
            v.trim(),
            "before_rural_monitoring",
            format!("建档立卡外农户自{first}年起纳入监测，不能登记{y}年"),
            format!("households outside the registry are monitored from {first}; {y} is too early"),
        )),
        Ok(y) => e.push(err(
            "year",
            v.trim(),
            "year_in_future",
            format!("{y}年尚未开始"),
            format!("the year {y} has not begun"),
        )),
        Err(_) if v.trim().is_empty() => e.push(FieldError::required("year")),
        Err(_) => e.push(err(
            "year",
            v.trim(),
            "bad_year",
            "年度应为四位数字".into(),
            "a year is four digits".into(),
        )),
    }
    None
}

/// The members, each checked by the registry's rules; problems name the
/// member's place (`members.0.id_number`). One head, each person once.
fn members_cells(
    members: &[&RuralMemberInput],
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Vec<RuralMember> {
    let mut out: Vec<RuralMember> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let mut own = Vec::new();
        let cells = (m.id_number.trim(), m.name.trim(), m.relation.trim());
        let person = person_cells(cells, today, &mut own);
        e.extend(own.into_iter().map(|mut x| {
            x.field = format!("members.{i}.{}", x.field);
            x
        }));
        let Some((id_number, name, relation)) = person else {
            continue;
        };
        if out.iter().any(|o| o.id_number == id_number) {
            e.push(err(
                &format!("members.{i}.id_number"),
                &id_number.masked(),
                "duplicate_member",
                "同一身份证号码在本户中出现两次".into(),
                "the same ID number appears twice in the household".into(),
            ));
            continue;
        }
        out.push(RuralMember {
            name,
            id_number,
            relation,
        });
    }
    out
}

impl RuralHouseholdInput {
    /// Checks the household and its members (1 to 20, exactly one head).
    pub fn parse(&self, today: NaiveDate) -> Result<RuralHouseholdFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let county = self.county_code.trim();
        if CountyCode::parse(county).is_none() {
            e.push(err(
                "county_code",
                county,
                "bad_county",
                "应为六位县级区划代码".into(),
                "must be a six-digit county code".into(),
            ));
        }
        let village =
            crate::error::required_text("village", &self.village, MAX_VILLAGE_CHARS, &mut e);
        let year = year_cell(&self.year, today, &mut e);
        let income = income_cell(self.income_per_capita.trim(), false, &mut e);
        let members: Vec<&RuralMemberInput> =
            self.members.iter().filter(|m| !is_blank(m)).collect();
        if members.is_empty() || members.len() > MAX_MEMBERS {
            e.push(err(
                "members",
                &members.len().to_string(),
                "member_count",
                format!("一户应有 1 至 {MAX_MEMBERS} 名成员"),
                format!("a household has 1 to {MAX_MEMBERS} members"),
            ));
        }
        let members = members_cells(&members, today, &mut e);
        let heads = members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .count();
        if e.is_empty() && heads != 1 {
            e.push(err(
                "members",
                &heads.to_string(),
                "one_head",
                "一户应有且只有一名户主".into(),
                "a household has exactly one head".into(),
            ));
        }
        match (year, income) {
            (Some(year), Some(income_per_capita)) if e.is_empty() => Ok(RuralHouseholdFields {
                county_code: county.to_string(),
                village,
                year,
                income_per_capita,
                members,
            }),
            _ => Err(e),
        }
    }
}

/// A member row of a form left empty (a spare row): not a member.
fn is_blank(m: &RuralMemberInput) -> bool {
    m.name.trim().is_empty() && m.id_number.trim().is_empty() && m.relation.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_follows_from_the_id_and_ids_cannot_collide() {
        assert_eq!(household_id("623023", 7), "R623023-00007");
        assert_eq!(Origin::of_household_id("R623023-00007"), Origin::Rural);
        for registry in ["62302301000101", "R623023", "R623023-0007", "r623023-00007"] {
            assert_eq!(
                Origin::of_household_id(registry),
                Origin::Registry,
                "{registry}"
            );
        }
    }

    #[test]
    fn a_household_needs_a_year_from_2021_and_one_head() {
        let today: NaiveDate = "2023-05-01".parse().unwrap();
        let first = "62302319800101001";
        let id = format!("{first}{}", crate::registry::check_digit(first).unwrap());
        let input = |year: &str, relation: &str| RuralHouseholdInput {
            county_code: "623023".into(),
            village: "东街村".into(),
            year: year.into(),
            income_per_capita: "5000".into(),
            members: vec![
                RuralMemberInput {
                    name: "甲".into(),
                    id_number: id.clone(),
                    relation: relation.into(),
                },
                RuralMemberInput::default(),
            ],
        };
        let codes = |r: Result<RuralHouseholdFields, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.msg.code))
                .collect::<Vec<_>>()
        };
        let ok = input("2021", "户主").parse(today).unwrap();
        assert_eq!((ok.members.len(), ok.income_per_capita.get()), (1, 500_000));
        assert_eq!(
            codes(input("2020", "户主").parse(today)),
            vec![("year".into(), "before_rural_monitoring".into())]
        );
        assert_eq!(
            codes(input("2024", "户主").parse(today)),
            vec![("year".into(), "year_in_future".into())]
        );
        assert_eq!(
            codes(input("2022", "子女").parse(today)),
            vec![("members".into(), "one_head".into())]
        );
    }
}

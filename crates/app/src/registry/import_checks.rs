//! The checks of an import across rows: an ID number twice in a year, a
//! household whose rows disagree, and the problems named on the way.

use dingdian_core::registry::{self as rules, RegistryRow, Relation};
use dingdian_core::{FieldError, Msg, Year};
use foldhash::{HashMap, HashMapExt, HashSet};

pub(super) fn outside_scope(code: &str) -> FieldError {
    outside_scope_of("village_code", code)
}

/// A row of another county than the importer's own.
pub(super) fn outside_scope_of(field: &str, code: &str) -> FieldError {
    FieldError::new(
        field,
        code,
        Msg::new(
            "outside_scope",
            "不属于您所在的县，无权导入",
            "lies outside your county: you may not import it",
        ),
    )
}

pub(super) fn duplicate_in_file(id: &str, first: usize) -> FieldError {
    FieldError::new(
        "id_number",
        id,
        Msg::new(
            "duplicate_id",
            format!("同一年度内与第 {first} 行的证件号码重复"),
            format!("the same ID number as row {first} in the same year"),
        ),
    )
}

/// A number already registered this year: where, only when the caller's
/// scope reaches that county. Outside it the message names no county and
/// no household (nothing that would tell who lives with whom): the office
/// resolves it.
pub(super) fn duplicate_registered(masked: &str, at: Option<(&str, &str)>) -> FieldError {
    let msg = match at {
        Some((county, household)) => Msg::new(
            "duplicate_registration",
            format!("该证件号码本年度已在县 {county} 的户 {household} 登记（重复登记）"),
            format!(
                "this ID number is already registered this year in county {county}, household {household} (duplicate registration)"
            ),
        ),
        None => Msg::new(
            "duplicate_registration",
            "该证件号码本年度已在其他地区登记（重复登记），请联系扶贫办核实处理",
            "this ID number is already registered elsewhere this year (duplicate registration); the poverty alleviation office resolves it",
        ),
    };
    FieldError::new("id_number", masked, msg)
}

/// A household number another county already uses this year: which one,
/// only when the caller's scope reaches it.
pub(super) fn household_elsewhere(household: &str, county: Option<&str>) -> FieldError {
    let msg = match county {
        Some(county) => Msg::new(
            "household_in_other_county",
            format!("该户编号本年度已被县 {county} 使用，不能覆盖其他县的户"),
            format!(
                "this household number is already used this year by county {county}; a file cannot replace another county's household"
            ),
        ),
        None => Msg::new(
            "household_in_other_county",
            "该户编号本年度已被其他县使用，不能覆盖其他县的户",
            "this household number is already used this year by another county; a file cannot replace another county's household",
        ),
    };
    FieldError::new("household_id", household, msg)
}

pub(super) fn household_rejected(household: &str) -> FieldError {
    FieldError::new(
        "household_id",
        household,
        Msg::new(
            "household_rejected",
            "同户其他成员有误，整户未导入",
            "another row of this household is invalid, so the whole household was not imported",
        ),
    )
}

/// A second appearance of an ID number in a year is the mistake, reported
/// at that row; the first is kept. A refused row that was a household's
/// head is remembered in `refused_heads`.
pub(super) fn mark_duplicates(
    rows: &[Option<&RegistryRow>],
    row_numbers: &[usize],
    errors: &mut [Vec<FieldError>],
    rejected: &mut [bool],
    refused_heads: &mut HashSet<(String, String)>,
) {
    let mut seen: HashMap<(Year, &str), usize> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let Some(r) = r else { continue };
        if rejected[i] {
            continue;
        }
        if let Some(&first) = seen.get(&(r.year, r.id_number.as_str())) {
            errors[i].push(duplicate_in_file(r.id_number.as_str(), row_numbers[first]));
            rejected[i] = true;
            if r.relation == Relation::Head {
                refused_heads.insert((r.year.to_string(), r.household_id.to_string()));
            }
            continue;
        }
        seen.insert((r.year, r.id_number.as_str()), i);
    }
}

/// Checks each household of the rows not yet rejected (in the order they
/// first appear; the maps sized up front) and rejects every member of a
/// household with a problem. A household whose head row was refused for
/// its own cause is not also reported as without a head.
pub(super) fn check_households(
    rows: &[Option<&RegistryRow>],
    row_numbers: &[usize],
    refused_heads: &HashSet<(String, String)>,
    errors: &mut [Vec<FieldError>],
    rejected: &mut [bool],
) {
    let mut household_of: HashMap<(Year, &str), usize> = HashMap::with_capacity(rows.len() / 2);
    let mut households: Vec<Vec<usize>> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let Some(r) = r else { continue };
        if rejected[i] {
            continue;
        }
        let h = *household_of
            .entry((r.year, r.household_id.as_str()))
            .or_insert_with(|| {
                households.push(Vec::new());
                households.len() - 1
            });
        households[h].push(i);
    }
    for members in &households {
        let list: Vec<(usize, &RegistryRow)> = members
            .iter()
            .map(|&i| (row_numbers[i], rows[i].expect("valid")))
            .collect();
        let first = list[0].1;
        let head_refused =
            refused_heads.contains(&(first.year.to_string(), first.household_id.to_string()));
        let problems = rules::check_household(&list);
        if problems.is_empty() {
            continue;
        }
        for p in problems {
            if head_refused && p.msg.code == "no_head" {
                continue;
            }
            let i = members
                .iter()
                .copied()
                .find(|&i| Some(row_numbers[i]) == p.row)
                .unwrap_or(members[0]);
            errors[i].push(p);
        }
        for &i in members {
            rejected[i] = true;
        }
    }
}

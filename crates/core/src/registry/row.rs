//! One registry row: its raw cells, its valid form, and the rules of
//! `registry-format.md` that a single row can be checked against.

use chrono::NaiveDate;

use super::numbers::{amount_msg, parse_fen, parse_int, registry_year_cell, year_cell};
use super::{
    Cause, HouseholdExtras, HouseholdId, IdNumber, MemberExtras, PovertyStatus, RawExtended,
    Relation, err, excel, optional_enum, validate_extended,
};
use crate::{Fen, FieldError, Msg, Year};

/// The raw text cells of one registry row, as read from a file (already
/// trimmed), keyed by the English column name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawRow<'a> {
    pub year: &'a str,
    pub village_code: &'a str,
    pub household_id: &'a str,
    pub id_number: &'a str,
    pub name: &'a str,
    pub relation: &'a str,
    pub income_per_capita: &'a str,
    pub status: &'a str,
    pub identified_year: &'a str,
    pub exit_year: &'a str,
    pub cause: &'a str,
    /// The optional extended columns (all "" when the file has none).
    pub ext: RawExtended<'a>,
}

/// One valid registry row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRow {
    pub year: Year,
    pub village_code: String,
    pub household_id: HouseholdId,
    pub id_number: IdNumber,
    pub name: String,
    pub relation: Relation,
    /// The household's net income per person, in fen (yuan × 100, exact).
    pub income_fen: Fen,
    pub status: PovertyStatus,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub cause: Cause,
    /// The optional extended household fields (empty when not given).
    pub household_extras: HouseholdExtras,
    /// The optional extended member fields (empty when not given).
    pub member_extras: MemberExtras,
}

impl RegistryRow {
    /// The county of the row's village (first six digits).
    pub fn county_code(&self) -> &str {
        &self.village_code[..6]
    }
}

/// Validates one row. `known_county` says whether a 6-digit code is a known
/// county. `excel` is true when the cells came from an xlsx file: then numbers
/// may carry thousands separators (`1,234.50`); in CSV they may not.
///
/// Returns every problem of the row (not just the first), each with `field`
/// the English column name, `value` the cell text and `row` `None` (the
/// caller sets the row number). A rule that compares two cells is checked
/// only when both cells are valid on their own.
pub fn validate_row(
    raw: &RawRow,
    known_county: &dyn Fn(&str) -> bool,
    excel: bool,
) -> Result<RegistryRow, Vec<FieldError>> {
    validate_row_on(raw, known_county, excel, NaiveDate::MAX)
}

/// [`validate_row`] on the day `today` (the caller's clock; core has
/// none): an ID number whose birth date is after it is refused too
/// (`id_birth_future`).
pub fn validate_row_on(
    raw: &RawRow,
    known_county: &dyn Fn(&str) -> bool,
    excel: bool,
    today: NaiveDate,
) -> Result<RegistryRow, Vec<FieldError>> {
    let mut e: Vec<FieldError> = Vec::new();
    let year = registry_year_cell(raw.year, excel, &mut e);
    let village_code = village_code_cell(raw.village_code, known_county, &mut e);
    let household_id = HouseholdId::parse(raw.household_id)
        .map_err(|x| e.push(*x))
        .ok();
    let id_number = id_number_cell(raw.id_number, today, &mut e);
    let name = text_cell("name", raw.name, 50, &mut e);
    let relation = enum_cell(
        "relation",
        raw.relation,
        Relation::parse,
        Relation::unknown_msg,
        &mut e,
    );
    let income_fen = income_cell(raw.income_per_capita, excel, &mut e);
    let status = enum_cell(
        "status",
        raw.status,
        PovertyStatus::parse,
        PovertyStatus::unknown_msg,
        &mut e,
    );
    let identified_year = identified_year_cell(raw.identified_year, year, excel, &mut e);
    let exit_year = exit_year_cell(raw, status, identified_year, year, excel, &mut e);
    let cause = enum_cell("cause", raw.cause, Cause::parse, Cause::unknown_msg, &mut e);
    let (household_extras, member_extras) = validate_extended(&raw.ext, cause, excel, &mut e);
    if !e.is_empty() {
        return Err(e);
    }
    // Every cell is valid here (an error was pushed for every `None` above,
    // except an exit year that is rightly empty).
    let (
        Some(year),
        Some(village_code),
        Some(household_id),
        Some(id_number),
        Some(name),
        Some(relation),
        Some(income_fen),
        Some(status),
        Some(identified_year),
        Some(cause),
    ) = (
        year,
        village_code,
        household_id,
        id_number,
        name,
        relation,
        income_fen,
        status,
        identified_year,
        cause,
    )
    else {
        unreachable!("every missing value pushed an error")
    };
    Ok(RegistryRow {
        year,
        village_code,
        household_id,
        id_number,
        name,
        relation,
        income_fen,
        status,
        identified_year,
        exit_year,
        cause,
        household_extras,
        member_extras,
    })
}

/// The `village_code` cell: 12 digits whose first six are a known county.
fn village_code_cell(
    value: &str,
    known_county: &dyn Fn(&str) -> bool,
    e: &mut Vec<FieldError>,
) -> Option<String> {
    if value.is_empty() {
        e.push(FieldError::required("village_code"));
    } else if excel::is_scientific(value) {
        e.push(excel::stored_as_number("village_code", value));
    } else if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        let (zh, en) = excel::short_code_hint(value, 12);
        e.push(err(
            "village_code",
            value,
            "village_code_format",
            format!("村级区划代码应为 12 位数字{zh}"),
            format!("a village code is exactly 12 digits{en}"),
        ));
    } else if !known_county(&value[..6]) {
        let county = &value[..6];
        e.push(err(
            "village_code",
            value,
            "unknown_county",
            format!("村级区划代码的前 6 位 {county} 不是已知的县级区划代码"),
            format!("the first six digits {county} are not a known county code"),
        ));
    } else {
        return Some(value.to_string());
    }
    None
}

/// The `id_number` cell: a valid number whose birth date is not after
/// `today`.
pub(crate) fn id_number_cell(
    value: &str,
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Option<IdNumber> {
    if value.is_empty() {
        e.push(FieldError::required("id_number"));
        return None;
    }
    match IdNumber::parse(value) {
        Ok(id) if id.birth_date() > today => e.push(err(
            "id_number",
            &id.masked(),
            "id_birth_future",
            "证件号码中的出生日期晚于今天",
            "the birth date inside the ID number is after today",
        )),
        Ok(id) => return Some(id),
        Err(_) if excel::id_number_stored_as_number(value) => {
            e.push(excel::stored_as_number("id_number", value))
        }
        Err(msg) => e.push(FieldError::new("id_number", value, msg)),
    }
    None
}

/// The `income_per_capita` cell: yuan, not negative, into fen.
pub(crate) fn income_cell(value: &str, excel: bool, e: &mut Vec<FieldError>) -> Option<Fen> {
    let field = "income_per_capita";
    if value.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    let refused = |why| {
        let msg = amount_msg(
            why,
            (
                "negative_income",
                "人均纯收入不能为负数",
                "the income per capita cannot be negative",
            ),
            (
                "应为以元为单位的金额，例如 2850.50",
                "must be an amount in yuan, e.g. 2850.50",
            ),
        );
        e.push(FieldError::new(field, value, msg));
    };
    parse_fen(value, excel).map(Fen::new).map_err(refused).ok()
}

/// The `identified_year` cell: a whole year not after the row's year.
fn identified_year_cell(
    value: &str,
    year: Option<Year>,
    excel: bool,
    e: &mut Vec<FieldError>,
) -> Option<i32> {
    let identified = year_cell("identified_year", value, excel, e);
    if let (Some(iy), Some(y)) = (identified, year)
        && iy > y.get()
    {
        e.push(err(
            "identified_year",
            value,
            "identified_after_year",
            format!("识别年度不能晚于年度 {y}"),
            format!("the identification year cannot be after the year {y}"),
        ));
    }
    identified
}

/// The `exit_year` cell: required when exited or returned, empty when
/// poor, within [identified_year, year].
fn exit_year_cell(
    raw: &RawRow,
    status: Option<PovertyStatus>,
    identified_year: Option<i32>,
    year: Option<Year>,
    excel: bool,
    e: &mut Vec<FieldError>,
) -> Option<i32> {
    let exit_needed = status.map(|s| s != PovertyStatus::Poor);
    if raw.exit_year.is_empty() {
        if exit_needed == Some(true) {
            e.push(err(
                "exit_year",
                "",
                "required",
                "脱贫状态为已脱贫或返贫时必须填写脱贫年度",
                "is required when the status is exited or returned",
            ));
        }
        return None;
    }
    if exit_needed == Some(false) {
        e.push(err(
            "exit_year",
            raw.exit_year,
            "exit_year_when_poor",
            "脱贫状态为未脱贫时脱贫年度应为空",
            "must be empty when the status is poor",
        ));
        return None;
    }
    let Ok(xy) = parse_int(raw.exit_year, excel) else {
        // Reports the format problem the same way as the other year cells.
        year_cell("exit_year", raw.exit_year, excel, e);
        return None;
    };
    let year = year.map(Year::get);
    let low = identified_year.filter(|iy| year.is_none_or(|y| *iy <= y));
    let too_early = low.is_some_and(|iy| xy < iy);
    let too_late = year.is_some_and(|y| xy > y);
    if !(too_early || too_late) {
        return Some(xy);
    }
    let (zh, en) = exit_range_words(low, year);
    e.push(err(
        "exit_year",
        raw.exit_year,
        "exit_year_out_of_range",
        zh,
        en,
    ));
    None
}

/// Names the bounds an exit year crossed: `low` the identification year
/// (when it is itself valid), `year` the row's year.
fn exit_range_words(low: Option<i32>, year: Option<i32>) -> (String, String) {
    match (low, year) {
        (Some(iy), Some(y)) => (
            format!("脱贫年度应在识别年度 {iy} 与年度 {y} 之间"),
            format!("the exit year must lie between the identification year {iy} and the year {y}"),
        ),
        (Some(iy), None) => (
            format!("脱贫年度不能早于识别年度 {iy}"),
            format!("the exit year cannot be before the identification year {iy}"),
        ),
        (None, Some(y)) => (
            format!("脱贫年度不能晚于年度 {y}"),
            format!("the exit year cannot be after the year {y}"),
        ),
        (None, None) => unreachable!("a bound was crossed"),
    }
}

/// A person's cells as the registry checks them (ID number, name of at
/// most 50 characters, relation to the head): the same rules for a
/// household outside the registry (`crate::rural`).
pub(crate) fn person_cells(
    (id_number, name, relation): (&str, &str, &str),
    today: NaiveDate,
    e: &mut Vec<FieldError>,
) -> Option<(IdNumber, String, Relation)> {
    let id = id_number_cell(id_number, today, e);
    let name = text_cell("name", name, 50, e);
    let relation = enum_cell(
        "relation",
        relation,
        Relation::parse,
        Relation::unknown_msg,
        e,
    );
    Some((id?, name?, relation?))
}

/// A required text cell of 1 to `max` characters.
fn text_cell(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let before = errors.len();
    let v = crate::error::required_text(field, value, max, errors);
    (errors.len() == before).then_some(v)
}

/// A required cell of one of the registry enumerations.
fn enum_cell<T>(
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    msg: fn() -> Msg,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    if value.is_empty() {
        errors.push(FieldError::required(field));
        return None;
    }
    optional_enum(field, value, parse, msg, errors)
}

//! The registry (建档立卡) interchange rules of `registry-format.md`: the
//! enumerations, the resident identity number (GB 11643-1999), the validation
//! of one registry row and the consistency of one household. Pure: no I/O and
//! no clock.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{FieldError, Msg};

/// The registry columns in file order: (English name, Chinese name).
pub const REGISTRY_COLUMNS: [(&str, &str); 11] = [
    ("year", "年度"),
    ("village_code", "村级区划代码"),
    ("household_id", "户编号"),
    ("id_number", "证件号码"),
    ("name", "姓名"),
    ("relation", "与户主关系"),
    ("income_per_capita", "人均纯收入"),
    ("status", "脱贫状态"),
    ("identified_year", "识别年度"),
    ("exit_year", "脱贫年度"),
    ("cause", "主要致贫原因"),
];

/// Declares one of the registry enumerations with its Chinese word, English
/// word (also its serde name), extra English spellings and a stable numeric
/// code (1-based, in the order of the spec; for storage).
macro_rules! registry_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $all:ident, $n:literal, $unknown_code:literal, $what_zh:literal, $what_en:literal,
        [ $( $(#[$vmeta:meta])* $var:ident = $code:literal, $zh:literal, $en:literal $(, $alias:literal)* ; )* ]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
        }

        #[doc = concat!("Every `", stringify!($name), "`, in code order.")]
        pub const $all: [$name; $n] = [ $( $name::$var, )* ];

        impl $name {
            /// Accepts the Chinese word or the English word (case-insensitive;
            /// surrounding blanks ignored).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                let lower = s.to_ascii_lowercase();
                $(
                    if s == $zh || lower == $en $( || lower == $alias )* {
                        return Some($name::$var);
                    }
                )*
                None
            }

            /// The Chinese word, as written in registry files.
            pub fn zh(self) -> &'static str {
                match self { $( $name::$var => $zh, )* }
            }

            /// The English word (also the JSON/serde name).
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$var => $en, )* }
            }

            /// The stable numeric code (1-based) for compact storage.
            pub fn code(self) -> u8 {
                match self { $( $name::$var => $code, )* }
            }

            pub fn from_code(code: u8) -> Option<Self> {
                match code {
                    $( $code => Some($name::$var), )*
                    _ => None,
                }
            }

            fn unknown_msg() -> Msg {
                Msg::new(
                    $unknown_code,
                    format!("不是有效的{}（可填：{}）", $what_zh, [$($zh),*].join("、")),
                    format!("is not a known {} (one of: {})", $what_en, [$($en),*].join(", ")),
                )
            }
        }
    };
}

registry_enum! {
    /// 与户主关系: a member's relation to the household head.
    Relation, ALL_RELATIONS, 7, "unknown_relation", "与户主关系", "relation to the head",
    [
        Head = 1, "户主", "head";
        Spouse = 2, "配偶", "spouse";
        Child = 3, "子女", "child";
        Parent = 4, "父母", "parent";
        Grandchild = 5, "孙子女", "grandchild";
        Sibling = 6, "兄弟姐妹", "sibling";
        Other = 7, "其他", "other";
    ]
}

registry_enum! {
    /// 脱贫状态: a household's poverty status in a year.
    PovertyStatus, ALL_STATUSES, 3, "unknown_status", "脱贫状态", "poverty status",
    [
        Poor = 1, "未脱贫", "poor";
        Exited = 2, "已脱贫", "exited";
        Returned = 3, "返贫", "returned";
    ]
}

registry_enum! {
    /// 主要致贫原因: the main poverty cause of a household.
    Cause, ALL_CAUSES, 11, "unknown_cause", "致贫原因", "poverty cause",
    [
        Illness = 1, "因病", "illness";
        Disability = 2, "因残", "disability";
        Schooling = 3, "因学", "schooling";
        Disaster = 4, "因灾", "disaster";
        Land = 5, "缺土地", "land";
        Water = 6, "缺水", "water";
        Skills = 7, "缺技术", "skills";
        Labour = 8, "缺劳力", "labour", "labor";
        Capital = 9, "缺资金", "capital";
        Transport = 10, "交通条件落后", "transport";
        OwnDrive = 11, "自身发展动力不足", "own_drive", "own drive";
    ]
}

pub mod excel;
mod extended;
pub use extended::*;
mod identity;
pub use identity::*;

// ---------------------------------------------------------------------------
// ID numbers

/// The GB 11643 weights of the first 17 digits (2^(18−i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of (Σ weight × digit) mod 11.
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character (ISO 7064 MOD 11-2) of 17 ASCII digits;
/// `None` if `first17` is not exactly 17 ASCII digits.
pub fn check_digit(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

/// A resident identity number (GB 11643-1999), validated: 17 digits and the
/// check character, always with an upper-case `X`.
///
/// `Debug` prints the masked form so that the number does not leak into logs;
/// use [`IdNumber::as_str`] where the full number is meant to be shown.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks, in this order: 18 characters (`id_length`), 17 digits and a
    /// digit or X (`id_chars`), the check digit (`id_check_digit`), the birth
    /// date inside — characters 7 to 14, `YYYYMMDD` — a real calendar date with
    /// year ≥ 1900 (`id_birth_date`). Does not compare with today (pure).
    pub fn parse(s: &str) -> Result<IdNumber, Msg> {
        let s = s.trim();
        let n = s.chars().count();
        if n != 18 {
            return Err(Msg::new(
                "id_length",
                format!("证件号码应为 18 位，实际为 {n} 位"),
                format!("an ID number has 18 characters, this one has {n}"),
            ));
        }
        let b = s.as_bytes();
        // 18 chars of which the byte length is 18 only when all are ASCII.
        if b.len() != 18
            || !b[..17].iter().all(u8::is_ascii_digit)
            || !matches!(b[17], b'0'..=b'9' | b'X' | b'x')
        {
            return Err(Msg::new(
                "id_chars",
                "证件号码应为 17 位数字加 1 位校验码（数字或 X）",
                "an ID number is 17 digits followed by a check digit (0–9 or X)",
            ));
        }
        let upper = s.to_ascii_uppercase();
        let expected = check_digit(&upper[..17]).expect("17 digits checked");
        if upper.as_bytes()[17] as char != expected {
            return Err(Msg::new(
                "id_check_digit",
                "证件号码校验码不正确（号码中有错误）",
                "the check digit does not match the other 17 digits (the number has a mistake)",
            ));
        }
        if birth_date_of(&upper).is_none() {
            return Err(Msg::new(
                "id_birth_date",
                "证件号码中的出生日期不是有效日期",
                "the birth date inside the ID number is not a real date",
            ));
        }
        Ok(IdNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area code of the place of registration (first six digits).
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("checked at parse")
    }

    /// The 17th digit (sequence code) is odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// First six, eight `*`, last four: `623023********1234`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The date in characters 7–14 of an 18-digit number, if real and ≥ 1900.
fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y: i32 = s.get(6..10)?.parse().ok()?;
    let m: u32 = s.get(10..12)?.parse().ok()?;
    let d: u32 = s.get(12..14)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d).filter(|date| date.year() >= 1900)
}

// ---------------------------------------------------------------------------
// Rows

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
    pub year: i32,
    pub village_code: String,
    pub household_id: String,
    pub id_number: IdNumber,
    pub name: String,
    pub relation: Relation,
    /// The household's net income per person, in fen (yuan × 100, exact).
    pub income_fen: i64,
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

/// The lowest and highest registry year.
pub const MIN_YEAR: i32 = 2010;
pub const MAX_YEAR: i32 = 2035;

/// Whether a year lies in the registry's range (2010–2035): registry and
/// statistics rows, poverty lines, exit years, generated registries.
pub fn is_registry_year(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

fn err(
    field: &str,
    value: &str,
    code: &str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError::new(field, value, Msg::new(code, zh, en))
}

/// Why a number cell was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumErr {
    /// Not a number of the expected form.
    Malformed,
    /// A comma in a CSV cell.
    Separator,
    /// More than two decimals.
    Decimals,
    /// Below zero.
    Negative,
    /// Beyond what can be held.
    TooLarge,
}

/// Removes thousands separators from the digits before the decimal point.
/// In Excel files they must be well placed (`1,234,567`); in CSV files any
/// comma is refused.
fn strip_separators(int_part: &str, excel: bool) -> Result<String, NumErr> {
    if !int_part.contains(',') {
        return Ok(int_part.to_string());
    }
    if !excel {
        return Err(NumErr::Separator);
    }
    let groups: Vec<&str> = int_part.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if first_ok && rest_ok {
        Ok(groups.concat())
    } else {
        Err(NumErr::Malformed)
    }
}

/// Parses a decimal amount of yuan into fen, exactly. Accepts `1234`,
/// `1234.5`, `1234.50`, `0.5`, `.5`; a leading `-` is read so that a negative
/// amount can be named as such.
fn parse_fen(s: &str, excel: bool) -> Result<i64, NumErr> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if frac.contains(',') && !excel {
        return Err(NumErr::Separator);
    }
    let int_digits = strip_separators(int_part, excel)?;
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(&int_digits) || !all_digits(frac) || (int_digits.is_empty() && frac.is_empty()) {
        return Err(NumErr::Malformed);
    }
    if frac.len() > 2 {
        return Err(NumErr::Decimals);
    }
    let yuan: i64 = if int_digits.is_empty() {
        0
    } else {
        int_digits.parse().map_err(|_| NumErr::TooLarge)?
    };
    let cents: i64 = match frac.len() {
        0 => 0,
        1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
        _ => frac.parse().expect("two digits"),
    };
    let fen = yuan
        .checked_mul(100)
        .and_then(|v| v.checked_add(cents))
        .ok_or(NumErr::TooLarge)?;
    if neg && fen != 0 {
        return Err(NumErr::Negative);
    }
    Ok(fen)
}

/// Parses an integer cell (a year). Thousands separators only in Excel.
fn parse_int(s: &str, excel: bool) -> Result<i32, NumErr> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let digits = strip_separators(body, excel)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumErr::Malformed);
    }
    let v: i32 = digits.parse().map_err(|_| NumErr::TooLarge)?;
    Ok(if neg { -v } else { v })
}

fn separator_error(field: &str, value: &str) -> FieldError {
    err(
        field,
        value,
        "thousands_separator",
        "CSV 文件中的数字不能带千位分隔符（逗号）",
        "numbers in a CSV file may not carry thousands separators (commas)",
    )
}

/// Reads a required integer (year) cell; `None` after pushing the error.
fn year_cell(field: &str, value: &str, excel: bool, errors: &mut Vec<FieldError>) -> Option<i32> {
    if value.is_empty() {
        errors.push(FieldError::required(field));
        return None;
    }
    match parse_int(value, excel) {
        Ok(v) => Some(v),
        Err(NumErr::Separator) => {
            errors.push(separator_error(field, value));
            None
        }
        Err(_) => {
            errors.push(err(
                field,
                value,
                "not_an_integer",
                "应为整数年份，例如 2015",
                "must be a whole year, e.g. 2015",
            ));
            None
        }
    }
}

/// Parses an amount of yuan into fen, exactly (at most two decimals, not
/// negative; thousands separators only when `excel`), with the reason when
/// it is refused.
pub fn parse_yuan(s: &str, excel: bool) -> Result<i64, Msg> {
    parse_fen(s, excel).map_err(|why| {
        let (code, zh, en) = match why {
            NumErr::Separator => (
                "thousands_separator",
                "CSV 文件中的数字不能带千位分隔符（逗号）",
                "numbers in a CSV file may not carry thousands separators (commas)",
            ),
            NumErr::Negative => (
                "negative_amount",
                "金额不能为负数",
                "the amount cannot be negative",
            ),
            NumErr::Decimals => (
                "too_many_decimals",
                "金额最多保留两位小数（分）",
                "an amount has at most two decimals (fen)",
            ),
            NumErr::TooLarge => ("number_too_large", "金额过大", "the amount is too large"),
            NumErr::Malformed => (
                "not_a_number",
                "应为以元为单位的金额，例如 2850.50",
                "must be an amount in yuan, e.g. 2850.50",
            ),
        };
        Msg::new(code, zh, en)
    })
}

/// One valid row of an area statistics file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsRow {
    pub year: i32,
    pub area_code: String,
    pub rural_population: i64,
    pub rural_income_fen: Option<i64>,
}

/// Validates one area statistics row (registry-format.md): year 2010–2035,
/// a known 6-digit county code, rural population an integer above zero,
/// rural income per capita in yuan, not negative, or empty.
pub fn validate_statistics_row(
    year: &str,
    area_code: &str,
    rural_population: &str,
    rural_income: &str,
    known_county: &dyn Fn(&str) -> bool,
    excel: bool,
) -> Result<StatisticsRow, Vec<FieldError>> {
    let mut e = Vec::new();
    let y = year_cell("year", year, excel, &mut e);
    if let Some(v) = y
        && !is_registry_year(v)
    {
        e.push(err(
            "year",
            year,
            "year_out_of_range",
            "年度应在 2010–2035 之间",
            "the year must lie between 2010 and 2035",
        ));
    }
    if area_code.is_empty() {
        e.push(FieldError::required("area_code"));
    } else if excel::is_scientific(area_code) {
        e.push(excel::stored_as_number("area_code", area_code));
    } else if area_code.len() != 6 || !area_code.bytes().all(|b| b.is_ascii_digit()) {
        let (zh, en) = excel::short_code_hint(area_code, 6);
        e.push(err(
            "area_code",
            area_code,
            "county_code_format",
            format!("应为 6 位县级区划代码{zh}"),
            format!("must be a 6-digit county code{en}"),
        ));
    } else if !known_county(area_code) {
        e.push(err(
            "area_code",
            area_code,
            "unknown_county",
            "不是已知的县级区划代码",
            "is not a known county code",
        ));
    }
    let mut population = None;
    if rural_population.is_empty() {
        e.push(FieldError::required("rural_population"));
    } else {
        match parse_int(rural_population, excel) {
            Ok(v) if v > 0 => population = Some(i64::from(v)),
            Err(NumErr::Separator) => e.push(separator_error("rural_population", rural_population)),
            _ => e.push(err(
                "rural_population",
                rural_population,
                "not_positive_integer",
                "农村人口应为大于 0 的整数",
                "the rural population must be a whole number above 0",
            )),
        }
    }
    let income = if rural_income.is_empty() {
        None
    } else {
        match parse_yuan(rural_income, excel) {
            Ok(v) => Some(v),
            Err(m) => {
                e.push(FieldError::new("rural_income_per_capita", rural_income, m));
                None
            }
        }
    };
    match (y, population) {
        (Some(year), Some(rural_population)) if e.is_empty() => Ok(StatisticsRow {
            year,
            area_code: area_code.to_string(),
            rural_population,
            rural_income_fen: income,
        }),
        _ => Err(e),
    }
}

#[cfg(test)]
mod statistics_tests {
    use super::*;

    fn known(c: &str) -> bool {
        c == "623023"
    }

    #[test]
    fn a_valid_statistics_row_converts_income_to_fen() {
        let r =
            validate_statistics_row("2012", "623023", "136778", "3500.5", &known, false).unwrap();
        assert_eq!(
            (r.year, r.rural_population, r.rural_income_fen),
            (2012, 136_778, Some(350_050))
        );
        let r = validate_statistics_row("2012", "623023", "136778", "", &known, false).unwrap();
        assert_eq!(r.rural_income_fen, None, "the income may be empty");
    }

    #[test]
    fn every_bad_statistics_cell_is_named() {
        let codes = |r: Result<StatisticsRow, Vec<FieldError>>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.msg.code))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(validate_statistics_row(
                "2009", "999999", "0", "-1", &known, false
            )),
            vec![
                ("year".to_string(), "year_out_of_range".to_string()),
                ("area_code".to_string(), "unknown_county".to_string()),
                (
                    "rural_population".to_string(),
                    "not_positive_integer".to_string()
                ),
                (
                    "rural_income_per_capita".to_string(),
                    "negative_amount".to_string()
                ),
            ]
        );
        assert_eq!(
            codes(validate_statistics_row(
                "2012", "62302", "1,000", "", &known, false
            ))[1]
                .1,
            "thousands_separator"
        );
        assert!(
            validate_statistics_row("2012", "623023", "1,000", "", &known, true).is_ok(),
            "xlsx numbers may carry separators"
        );
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

    // year
    let year = year_cell("year", raw.year, excel, &mut e).and_then(|y| {
        if is_registry_year(y) {
            Some(y)
        } else {
            e.push(err(
                "year",
                raw.year,
                "year_out_of_range",
                format!("年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间"),
                format!("the year must be between {MIN_YEAR} and {MAX_YEAR}"),
            ));
            None
        }
    });

    // village_code
    let village_code = if raw.village_code.is_empty() {
        e.push(FieldError::required("village_code"));
        None
    } else if excel::is_scientific(raw.village_code) {
        e.push(excel::stored_as_number("village_code", raw.village_code));
        None
    } else if raw.village_code.len() != 12 || !raw.village_code.bytes().all(|b| b.is_ascii_digit())
    {
        let (zh, en) = excel::short_code_hint(raw.village_code, 12);
        e.push(err(
            "village_code",
            raw.village_code,
            "village_code_format",
            format!("村级区划代码应为 12 位数字{zh}"),
            format!("a village code is exactly 12 digits{en}"),
        ));
        None
    } else if !known_county(&raw.village_code[..6]) {
        let county = &raw.village_code[..6];
        e.push(err(
            "village_code",
            raw.village_code,
            "unknown_county",
            format!("村级区划代码的前 6 位 {county} 不是已知的县级区划代码"),
            format!("the first six digits {county} are not a known county code"),
        ));
        None
    } else {
        Some(raw.village_code.to_string())
    };

    // household_id
    let household_id = if excel::is_scientific(raw.household_id) {
        e.push(excel::stored_as_number("household_id", raw.household_id));
        None
    } else {
        text_cell("household_id", raw.household_id, 32, &mut e)
    };

    // id_number
    let id_number = if raw.id_number.is_empty() {
        e.push(FieldError::required("id_number"));
        None
    } else {
        match IdNumber::parse(raw.id_number) {
            Ok(id) if id.birth_date() > today => {
                e.push(err(
                    "id_number",
                    &id.masked(),
                    "id_birth_future",
                    "证件号码中的出生日期晚于今天",
                    "the birth date inside the ID number is after today",
                ));
                None
            }
            Ok(id) => Some(id),
            Err(_) if excel::id_number_stored_as_number(raw.id_number) => {
                e.push(excel::stored_as_number("id_number", raw.id_number));
                None
            }
            Err(msg) => {
                e.push(FieldError::new("id_number", raw.id_number, msg));
                None
            }
        }
    };

    // name
    let name = text_cell("name", raw.name, 50, &mut e);

    // enumerations
    let relation = enum_cell(
        "relation",
        raw.relation,
        Relation::parse,
        Relation::unknown_msg,
        &mut e,
    );

    // income_per_capita
    let income_fen = if raw.income_per_capita.is_empty() {
        e.push(FieldError::required("income_per_capita"));
        None
    } else {
        match parse_fen(raw.income_per_capita, excel) {
            Ok(v) => Some(v),
            Err(why) => {
                let f = "income_per_capita";
                let v = raw.income_per_capita;
                e.push(match why {
                    NumErr::Separator => separator_error(f, v),
                    NumErr::Negative => err(
                        f,
                        v,
                        "negative_income",
                        "人均纯收入不能为负数",
                        "the income per capita cannot be negative",
                    ),
                    NumErr::Decimals => err(
                        f,
                        v,
                        "too_many_decimals",
                        "金额最多保留两位小数（分）",
                        "an amount has at most two decimals (fen)",
                    ),
                    NumErr::TooLarge => err(
                        f,
                        v,
                        "number_too_large",
                        "金额过大",
                        "the amount is too large",
                    ),
                    NumErr::Malformed => err(
                        f,
                        v,
                        "not_a_number",
                        "应为以元为单位的金额，例如 2850.50",
                        "must be an amount in yuan, e.g. 2850.50",
                    ),
                });
                None
            }
        }
    };

    let status = enum_cell(
        "status",
        raw.status,
        PovertyStatus::parse,
        PovertyStatus::unknown_msg,
        &mut e,
    );

    // identified_year ≤ year
    let identified_year = year_cell("identified_year", raw.identified_year, excel, &mut e);
    if let (Some(iy), Some(y)) = (identified_year, year)
        && iy > y
    {
        e.push(err(
            "identified_year",
            raw.identified_year,
            "identified_after_year",
            format!("识别年度不能晚于年度 {y}"),
            format!("the identification year cannot be after the year {y}"),
        ));
    }

    // exit_year: required when exited or returned, empty when poor, within
    // [identified_year, year].
    let mut exit_year = None;
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
    } else if exit_needed == Some(false) {
        e.push(err(
            "exit_year",
            raw.exit_year,
            "exit_year_when_poor",
            "脱贫状态为未脱贫时脱贫年度应为空",
            "must be empty when the status is poor",
        ));
    } else if let Ok(xy) = parse_int(raw.exit_year, excel) {
        let low = identified_year.filter(|iy| year.is_none_or(|y| *iy <= y));
        let too_early = low.is_some_and(|iy| xy < iy);
        let too_late = year.is_some_and(|y| xy > y);
        if too_early || too_late {
            let (zh, en) = match (low, year) {
                (Some(iy), Some(y)) => (
                    format!("脱贫年度应在识别年度 {iy} 与年度 {y} 之间"),
                    format!(
                        "the exit year must lie between the identification year {iy} and the year {y}"
                    ),
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
            };
            e.push(err(
                "exit_year",
                raw.exit_year,
                "exit_year_out_of_range",
                zh,
                en,
            ));
        } else {
            exit_year = Some(xy);
        }
    } else {
        // Reports the format problem the same way as the other year cells.
        year_cell("exit_year", raw.exit_year, excel, &mut e);
    }

    let cause = enum_cell("cause", raw.cause, Cause::parse, Cause::unknown_msg, &mut e);
    let (household_extras, member_extras) = validate_extended(&raw.ext, cause, excel, &mut e);

    if !e.is_empty() {
        return Err(e);
    }
    // Every cell is valid here (an error was pushed for every `None` above,
    // except an exit year that is rightly empty).
    match (
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
    ) {
        (
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
        ) => Ok(RegistryRow {
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
        }),
        _ => unreachable!("every missing value pushed an error"),
    }
}

/// A required text cell of 1 to `max` characters.
fn text_cell(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let before = errors.len();
    let v = crate::error::required_text(field, value, max, errors);
    (errors.len() == before).then_some(v)
}

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
    let parsed = parse(value);
    if parsed.is_none() {
        errors.push(FieldError::new(field, value, msg()));
    }
    parsed
}

/// Fen as the yuan text of the files: `123450` → `1234.50`.
pub fn yuan_text(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Problems across the rows of one household in one year: exactly one head,
/// and the household fields (`village_code`, `income_per_capita`, `status`,
/// `identified_year`, `exit_year`, `cause`, and the extended household
/// fields `household_type` … `water_secure` when given) agree on every row.
///
/// `rows` are (Excel row number, row) of ONE (year, household_id). The
/// household's first row is the one with the lowest row number; every other
/// row is compared with it, and a disagreeing row gets one error per
/// disagreeing column (`household_mismatch`, naming that first row). No head:
/// one error on the first row, field `relation` (`no_head`). Several heads:
/// one error on each head after the first (`second_head`, naming the first
/// head's row). Values are the canonical cell texts (Chinese words for the
/// enumerations, yuan with two decimals for the income). Errors come in row
/// order.
pub fn check_household(rows: &[(usize, &RegistryRow)]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut sorted: Vec<(usize, &RegistryRow)> = rows.to_vec();
    sorted.sort_by_key(|(r, _)| *r);
    let Some(&(first_no, first)) = sorted.first() else {
        return out;
    };

    let heads: Vec<usize> = sorted
        .iter()
        .filter(|(_, r)| r.relation == Relation::Head)
        .map(|(n, _)| *n)
        .collect();
    if heads.is_empty() {
        out.push(
            err(
                "relation",
                first.relation.zh(),
                "no_head",
                format!(
                    "户 {} 没有户主（与户主关系为“户主”的成员）",
                    first.household_id
                ),
                format!(
                    "household {} has no head (no member whose relation is “head”)",
                    first.household_id
                ),
            )
            .at_row(first_no),
        );
    }

    for (i, &(no, row)) in sorted.iter().enumerate() {
        if heads.len() > 1 && heads[0] != no && row.relation == Relation::Head {
            out.push(
                err(
                    "relation",
                    row.relation.zh(),
                    "second_head",
                    format!("一户只能有一名户主，第 {} 行已是户主", heads[0]),
                    format!(
                        "a household has only one head, and row {} already is the head",
                        heads[0]
                    ),
                )
                .at_row(no),
            );
        }
        if i == 0 {
            continue;
        }
        // Values are written out only for the columns that differ: most
        // households agree, and this runs for every row of a file.
        let differs: [(&str, bool); 6] = [
            ("village_code", row.village_code != first.village_code),
            ("income_per_capita", row.income_fen != first.income_fen),
            ("status", row.status != first.status),
            (
                "identified_year",
                row.identified_year != first.identified_year,
            ),
            ("exit_year", row.exit_year != first.exit_year),
            ("cause", row.cause != first.cause),
        ];
        let core = differs.iter().filter(|(_, d)| *d).map(|(field, _)| {
            let value = match *field {
                "village_code" => row.village_code.clone(),
                "income_per_capita" => yuan_text(row.income_fen),
                "status" => row.status.zh().to_string(),
                "identified_year" => row.identified_year.to_string(),
                "exit_year" => row.exit_year.map(|y| y.to_string()).unwrap_or_default(),
                _ => row.cause.zh().to_string(),
            };
            (*field, value)
        });
        let extended = household_differences(&first.household_extras, &row.household_extras);
        for (field, value) in core.chain(extended) {
            out.push(
                err(
                    field,
                    &value,
                    "household_mismatch",
                    format!("同一户各成员的此项应相同，与第 {first_no} 行不一致"),
                    format!("must be the same for every member of the household; differs from row {first_no}"),
                )
                .at_row(no),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_years_run_from_2010_to_2035() {
        assert!(is_registry_year(2010) && is_registry_year(2035));
        assert!(!is_registry_year(2009) && !is_registry_year(2036));
    }

    #[test]
    fn fen_read_as_the_yuan_text_of_the_files() {
        assert_eq!(yuan_text(123_450), "1234.50");
        assert_eq!(yuan_text(5), "0.05");
        assert_eq!(yuan_text(0), "0.00");
        assert_eq!(yuan_text(-150), "-1.50");
    }

    /// Builds a valid 18-digit number from its first 17 digits.
    fn id(first17: &str) -> String {
        format!("{first17}{}", check_digit(first17).unwrap())
    }

    // ---- GB 11643 --------------------------------------------------------

    #[test]
    fn check_digit_of_the_textbook_example_is_x() {
        // 11010519491231002X, by hand:
        // digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
        // weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
        // products 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167
        // 167 mod 11 = 2 → check table [1,0,X,9,8,7,6,5,4,3,2][2] = X
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        let n = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(n.as_str(), "11010519491231002X");
        assert_eq!(n.region(), "110105");
        assert_eq!(
            n.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(!n.is_male(), "17th digit 2 is even: female");
    }

    #[test]
    fn check_digit_of_a_second_hand_computed_number() {
        // 44052418800101001?, by hand:
        // digits   4  4  0 5  2  4 1 8  8 0 0 1  0 1 0 0 1
        // weights  7  9 10 5  8  4 2 1  6 3 7 9 10 5 8 4 2
        // products 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195
        // 195 mod 11 = 8 → table[8] = 4
        assert_eq!(check_digit("44052418800101001"), Some('4'));
        // Its birth year 1880 is before 1900: refused although the check digit is right.
        assert_eq!(
            IdNumber::parse("440524188001010014").unwrap_err().code,
            "id_birth_date"
        );
    }

    #[test]
    fn check_digit_refuses_anything_but_17_digits() {
        assert_eq!(check_digit("1101051949123100"), None);
        assert_eq!(check_digit("110105194912310021"), None);
        assert_eq!(check_digit("1101051949123100a"), None);
    }

    #[test]
    fn lower_case_x_is_accepted_and_normalised() {
        let n = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(n.as_str(), "11010519491231002X");
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert_eq!(
            IdNumber::parse("110105194912310021").unwrap_err().code,
            "id_check_digit"
        );
        // A single changed digit elsewhere is caught by the check digit too.
        assert_eq!(
            IdNumber::parse("11010519491231003X").unwrap_err().code,
            "id_check_digit"
        );
    }

    #[test]
    fn wrong_length_is_refused() {
        assert_eq!(
            IdNumber::parse("11010519491231002").unwrap_err().code,
            "id_length"
        );
        assert_eq!(
            IdNumber::parse("11010519491231002X1").unwrap_err().code,
            "id_length"
        );
        assert_eq!(IdNumber::parse("").unwrap_err().code, "id_length");
    }

    #[test]
    fn letters_are_refused() {
        assert_eq!(
            IdNumber::parse("1101051949123100AX").unwrap_err().code,
            "id_chars"
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y").unwrap_err().code,
            "id_chars"
        );
        // 18 characters but one is not ASCII.
        assert_eq!(
            IdNumber::parse("11010519491231002十").unwrap_err().code,
            "id_chars"
        );
    }

    #[test]
    fn a_birth_date_after_today_is_refused() {
        let first = "62302320300101001";
        let future = format!("{first}{}", check_digit(first).unwrap());
        let raw = RawRow {
            year: "2014",
            village_code: "623023100200",
            household_id: "H1",
            id_number: &future,
            name: "甲",
            relation: "户主",
            income_per_capita: "100",
            status: "未脱贫",
            identified_year: "2014",
            exit_year: "",
            cause: "因病",
            ext: Default::default(),
        };
        let known = |c: &str| c == "623023";
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let e = validate_row_on(&raw, &known, false, today).unwrap_err();
        assert_eq!(e[0].msg.code, "id_birth_future");
        assert!(!e[0].value.contains("0101001"), "the number is masked");
        let after = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert!(validate_row_on(&raw, &known, false, after).is_ok());
    }

    #[test]
    fn impossible_birth_date_is_refused() {
        let bad = id("62302319500230123"); // 30 February 1950
        let m = IdNumber::parse(&bad).unwrap_err();
        assert_eq!(m.code, "id_birth_date");
        assert!(m.zh.contains("出生日期") && m.en.contains("birth date"));
        // 29 February exists in 2000 but not in 1900.
        assert!(IdNumber::parse(&id("62302320000229123")).is_ok());
        assert_eq!(
            IdNumber::parse(&id("62302319000229123")).unwrap_err().code,
            "id_birth_date"
        );
        assert_eq!(
            IdNumber::parse(&id("62302319801301123")).unwrap_err().code,
            "id_birth_date"
        );
    }

    #[test]
    fn mask_keeps_first_six_and_last_four() {
        let n = IdNumber::parse(&id("62302319800101123")).unwrap();
        let m = n.masked();
        assert_eq!(m.len(), 18);
        assert_eq!(&m[..6], "623023");
        assert_eq!(&m[6..14], "********");
        assert_eq!(&m[14..], &n.as_str()[14..]);
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().masked(),
            "110105********002X"
        );
        // Debug does not leak the full number.
        assert_eq!(format!("{n:?}"), format!("IdNumber({m})"));
    }

    #[test]
    fn sex_from_the_seventeenth_digit() {
        assert!(IdNumber::parse(&id("62302319800101123")).unwrap().is_male());
        assert!(!IdNumber::parse(&id("62302319800101124")).unwrap().is_male());
    }

    // ---- enumerations ----------------------------------------------------

    #[test]
    fn enums_parse_both_languages_and_round_trip_their_codes() {
        for r in ALL_RELATIONS {
            assert_eq!(Relation::parse(r.zh()), Some(r));
            assert_eq!(Relation::parse(&r.as_str().to_uppercase()), Some(r));
            assert_eq!(Relation::from_code(r.code()), Some(r));
        }
        for s in ALL_STATUSES {
            assert_eq!(PovertyStatus::parse(s.zh()), Some(s));
            assert_eq!(PovertyStatus::parse(&s.as_str().to_uppercase()), Some(s));
            assert_eq!(PovertyStatus::from_code(s.code()), Some(s));
        }
        for c in ALL_CAUSES {
            assert_eq!(Cause::parse(c.zh()), Some(c));
            assert_eq!(Cause::parse(&c.as_str().to_uppercase()), Some(c));
            assert_eq!(Cause::from_code(c.code()), Some(c));
        }
        assert_eq!(Cause::parse("Labor"), Some(Cause::Labour));
        assert_eq!(Cause::parse("own drive"), Some(Cause::OwnDrive));
        assert_eq!(Cause::parse("Own_Drive"), Some(Cause::OwnDrive));
        assert_eq!(Relation::parse("Head"), Some(Relation::Head));
        assert_eq!(PovertyStatus::parse("返贫"), Some(PovertyStatus::Returned));
        assert_eq!(Relation::parse("户 主"), None);
        assert_eq!(Relation::from_code(0), None);
        assert_eq!(Cause::from_code(12), None);
    }

    #[test]
    fn enum_codes_are_stable() {
        // Stored in databases and snapshots: never renumber.
        assert_eq!(ALL_RELATIONS.map(|r| r.code()), [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(ALL_STATUSES.map(|s| s.code()), [1, 2, 3]);
        assert_eq!(
            ALL_CAUSES.map(|c| c.code()),
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        );
        assert_eq!(PovertyStatus::Returned.code(), 3);
        assert_eq!(Cause::OwnDrive.as_str(), "own_drive");
        assert_eq!(Cause::Transport.zh(), "交通条件落后");
    }

    // ---- validate_row ----------------------------------------------------

    const ID1: &str = "11010519491231002X";

    fn known(c: &str) -> bool {
        c == "623023" || c == "110105"
    }

    fn good() -> RawRow<'static> {
        RawRow {
            year: "2015",
            village_code: "623023100001",
            household_id: "H0001",
            id_number: ID1,
            name: "张三",
            relation: "户主",
            income_per_capita: "2850.5",
            status: "已脱贫",
            identified_year: "2014",
            exit_year: "2015",
            cause: "因病",
            ext: RawExtended::default(),
        }
    }

    /// The codes of the errors of a row, by field.
    fn errs(raw: &RawRow, excel: bool) -> Vec<(String, String)> {
        validate_row(raw, &known, excel)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.msg.code))
            .collect()
    }

    fn one(raw: RawRow, field: &str, code: &str) {
        let got = errs(&raw, false);
        assert_eq!(got, vec![(field.to_string(), code.to_string())], "{raw:?}");
    }

    #[test]
    fn a_valid_row_is_read() {
        let r = validate_row(&good(), &known, false).unwrap();
        assert_eq!(r.year, 2015);
        assert_eq!(r.county_code(), "623023");
        assert_eq!(r.household_id, "H0001");
        assert_eq!(r.id_number.as_str(), ID1);
        assert_eq!(r.relation, Relation::Head);
        assert_eq!(r.income_fen, 285050);
        assert_eq!(r.status, PovertyStatus::Exited);
        assert_eq!(r.identified_year, 2014);
        assert_eq!(r.exit_year, Some(2015));
        assert_eq!(r.cause, Cause::Illness);
        // English words are accepted too.
        let en = RawRow {
            relation: "spouse",
            status: "Returned",
            cause: "own drive",
            ..good()
        };
        let r = validate_row(&en, &known, false).unwrap();
        assert_eq!(
            (r.relation, r.status, r.cause),
            (Relation::Spouse, PovertyStatus::Returned, Cause::OwnDrive)
        );
    }

    #[test]
    fn income_is_converted_to_fen_exactly() {
        let fen = |s: &str, x: bool| {
            validate_row(
                &RawRow {
                    income_per_capita: s,
                    ..good()
                },
                &known,
                x,
            )
            .map(|r| r.income_fen)
        };
        assert_eq!(fen("1234.5", false), Ok(123450));
        assert_eq!(fen("1234.56", false), Ok(123456));
        assert_eq!(fen("1234", false), Ok(123400));
        assert_eq!(fen("0", false), Ok(0));
        assert_eq!(fen("0.07", false), Ok(7));
        // 0.1 + 0.2 style float trouble cannot happen: 2300.10 is 230010 fen.
        assert_eq!(fen("2300.10", false), Ok(230010));
    }

    #[test]
    fn year_out_of_range_is_refused() {
        one(
            RawRow {
                year: "2009",
                identified_year: "2009",
                exit_year: "",
                status: "poor",
                ..good()
            },
            "year",
            "year_out_of_range",
        );
        one(
            RawRow {
                year: "2036",
                ..good()
            },
            "year",
            "year_out_of_range",
        );
        one(
            RawRow {
                year: "2015a",
                ..good()
            },
            "year",
            "not_an_integer",
        );
        one(RawRow { year: "", ..good() }, "year", "required");
    }

    #[test]
    fn village_code_must_be_12_digits() {
        one(
            RawRow {
                village_code: "62302310000",
                ..good()
            },
            "village_code",
            "village_code_format",
        );
        one(
            RawRow {
                village_code: "6230231000011",
                ..good()
            },
            "village_code",
            "village_code_format",
        );
        one(
            RawRow {
                village_code: "62302310000A",
                ..good()
            },
            "village_code",
            "village_code_format",
        );
    }

    #[test]
    fn village_code_of_unknown_county_is_refused() {
        let raw = RawRow {
            village_code: "999999100001",
            ..good()
        };
        let e = validate_row(&raw, &known, false).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].msg.code, "unknown_county");
        assert!(e[0].msg.zh.contains("999999") && e[0].msg.en.contains("999999"));
        assert_eq!(e[0].value, "999999100001");
        assert_eq!(e[0].row, None);
    }

    #[test]
    fn household_id_longer_than_32_is_refused() {
        let long = "H".repeat(33);
        one(
            RawRow {
                household_id: &long,
                ..good()
            },
            "household_id",
            "too_long",
        );
        let ok = "户".repeat(32);
        assert!(
            validate_row(
                &RawRow {
                    household_id: &ok,
                    ..good()
                },
                &known,
                false
            )
            .is_ok()
        );
        one(
            RawRow {
                household_id: "",
                ..good()
            },
            "household_id",
            "required",
        );
    }

    #[test]
    fn name_longer_than_50_is_refused() {
        let long = "名".repeat(51);
        one(
            RawRow {
                name: &long,
                ..good()
            },
            "name",
            "too_long",
        );
        let ok = "名".repeat(50);
        assert!(
            validate_row(
                &RawRow {
                    name: &ok,
                    ..good()
                },
                &known,
                false
            )
            .is_ok()
        );
    }

    #[test]
    fn bad_id_number_is_reported_with_its_code() {
        one(
            RawRow {
                id_number: "110105194912310021",
                ..good()
            },
            "id_number",
            "id_check_digit",
        );
        one(
            RawRow {
                id_number: "",
                ..good()
            },
            "id_number",
            "required",
        );
    }

    #[test]
    fn unknown_enum_words_are_refused() {
        one(
            RawRow {
                relation: "朋友",
                ..good()
            },
            "relation",
            "unknown_relation",
        );
        one(
            RawRow {
                status: "脱贫",
                ..good()
            },
            "status",
            "unknown_status",
        );
        one(
            RawRow {
                cause: "因懒",
                ..good()
            },
            "cause",
            "unknown_cause",
        );
        let e = validate_row(
            &RawRow {
                cause: "因懒",
                ..good()
            },
            &known,
            false,
        )
        .unwrap_err();
        assert!(
            e[0].msg.zh.contains("因病") && e[0].msg.en.contains("illness"),
            "lists the allowed words"
        );
    }

    #[test]
    fn negative_income_is_refused() {
        one(
            RawRow {
                income_per_capita: "-1",
                ..good()
            },
            "income_per_capita",
            "negative_income",
        );
        one(
            RawRow {
                income_per_capita: "-0.01",
                ..good()
            },
            "income_per_capita",
            "negative_income",
        );
    }

    #[test]
    fn income_with_three_decimals_is_refused() {
        one(
            RawRow {
                income_per_capita: "1234.567",
                ..good()
            },
            "income_per_capita",
            "too_many_decimals",
        );
        one(
            RawRow {
                income_per_capita: "12a",
                ..good()
            },
            "income_per_capita",
            "not_a_number",
        );
        one(
            RawRow {
                income_per_capita: "1.2e3",
                ..good()
            },
            "income_per_capita",
            "not_a_number",
        );
        one(
            RawRow {
                income_per_capita: ".",
                ..good()
            },
            "income_per_capita",
            "not_a_number",
        );
        one(
            RawRow {
                income_per_capita: "",
                ..good()
            },
            "income_per_capita",
            "required",
        );
    }

    #[test]
    fn thousands_separators_only_in_excel() {
        let raw = RawRow {
            income_per_capita: "1,234.50",
            ..good()
        };
        one(raw, "income_per_capita", "thousands_separator");
        assert_eq!(validate_row(&raw, &known, true).unwrap().income_fen, 123450);
        let big = RawRow {
            income_per_capita: "1,234,567",
            ..good()
        };
        assert_eq!(
            validate_row(&big, &known, true).unwrap().income_fen,
            123456700
        );
        // Misplaced separators are not numbers even in Excel.
        let bad = RawRow {
            income_per_capita: "12,34.5",
            ..good()
        };
        assert_eq!(
            errs(&bad, true),
            vec![("income_per_capita".into(), "not_a_number".into())]
        );
        // Integer cells follow the same rule.
        let y = RawRow {
            year: "2,015",
            ..good()
        };
        assert_eq!(
            errs(&y, false),
            vec![("year".into(), "thousands_separator".into())]
        );
        assert_eq!(validate_row(&y, &known, true).unwrap().year, 2015);
    }

    #[test]
    fn identified_year_after_year_is_refused() {
        one(
            RawRow {
                identified_year: "2016",
                exit_year: "",
                status: "poor",
                ..good()
            },
            "identified_year",
            "identified_after_year",
        );
    }

    #[test]
    fn exit_year_required_for_exited_and_returned() {
        one(
            RawRow {
                exit_year: "",
                ..good()
            },
            "exit_year",
            "required",
        );
        one(
            RawRow {
                exit_year: "",
                status: "返贫",
                ..good()
            },
            "exit_year",
            "required",
        );
    }

    #[test]
    fn exit_year_must_be_empty_when_poor() {
        one(
            RawRow {
                status: "未脱贫",
                ..good()
            },
            "exit_year",
            "exit_year_when_poor",
        );
        let poor = RawRow {
            status: "未脱贫",
            exit_year: "",
            ..good()
        };
        assert_eq!(validate_row(&poor, &known, false).unwrap().exit_year, None);
    }

    #[test]
    fn exit_year_must_lie_between_identification_and_year() {
        one(
            RawRow {
                exit_year: "2013",
                ..good()
            },
            "exit_year",
            "exit_year_out_of_range",
        );
        one(
            RawRow {
                exit_year: "2016",
                ..good()
            },
            "exit_year",
            "exit_year_out_of_range",
        );
        // Both bounds are inclusive.
        assert!(
            validate_row(
                &RawRow {
                    exit_year: "2014",
                    ..good()
                },
                &known,
                false
            )
            .is_ok()
        );
        assert!(
            validate_row(
                &RawRow {
                    exit_year: "2015",
                    ..good()
                },
                &known,
                false
            )
            .is_ok()
        );
        one(
            RawRow {
                exit_year: "x",
                ..good()
            },
            "exit_year",
            "not_an_integer",
        );
    }

    #[test]
    fn every_problem_of_a_row_is_reported_at_once() {
        let long = "名".repeat(51);
        let raw = RawRow {
            year: "2040",
            village_code: "999999100001",
            household_id: "",
            id_number: "11010519491231002",
            name: &long,
            relation: "boss",
            income_per_capita: "-5",
            status: "gone",
            identified_year: "abc",
            exit_year: "",
            cause: "",
            ext: RawExtended::default(),
        };
        let e = validate_row(&raw, &known, false).unwrap_err();
        let got: Vec<(&str, &str)> = e
            .iter()
            .map(|e| (e.field.as_str(), e.msg.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("year", "year_out_of_range"),
                ("village_code", "unknown_county"),
                ("household_id", "required"),
                ("id_number", "id_length"),
                ("name", "too_long"),
                ("relation", "unknown_relation"),
                ("income_per_capita", "negative_income"),
                ("status", "unknown_status"),
                ("identified_year", "not_an_integer"),
                ("cause", "required"),
            ]
        );
        // Each error carries the cell text and no row number, in both languages.
        assert!(
            e.iter()
                .all(|e| e.row.is_none() && !e.msg.zh.is_empty() && !e.msg.en.is_empty())
        );
        assert_eq!(e[0].value, "2040");
        assert_eq!(e[6].value, "-5");
    }

    // ---- check_household -------------------------------------------------

    fn member(id17: &str, relation: Relation) -> RegistryRow {
        let raw_id = id(id17);
        let mut r = validate_row(
            &RawRow {
                id_number: &raw_id,
                ..good()
            },
            &known,
            false,
        )
        .unwrap();
        r.relation = relation;
        r
    }

    #[test]
    fn a_consistent_household_has_no_problems() {
        let a = member("62302319800101123", Relation::Head);
        let b = member("62302319820101124", Relation::Spouse);
        assert!(check_household(&[(2, &a), (3, &b)]).is_empty());
        assert!(check_household(&[]).is_empty());
    }

    #[test]
    fn household_without_head_is_reported_on_its_first_row() {
        let a = member("62302319800101123", Relation::Spouse);
        let b = member("62302319820101124", Relation::Child);
        let e = check_household(&[(7, &b), (5, &a)]);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].row, e[0].field.as_str(), e[0].msg.code.as_str()),
            (Some(5), "relation", "no_head")
        );
    }

    #[test]
    fn second_head_is_reported_on_each_extra_head() {
        let a = member("62302319800101123", Relation::Head);
        let b = member("62302319820101124", Relation::Head);
        let c = member("62302320100101125", Relation::Head);
        let e = check_household(&[(2, &a), (3, &b), (4, &c)]);
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.row, e.field.as_str(), e.msg.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(3), "relation", "second_head"),
                (Some(4), "relation", "second_head")
            ]
        );
        assert!(e[0].msg.en.contains("row 2") && e[0].msg.zh.contains("第 2 行"));
    }

    #[test]
    fn disagreeing_household_fields_are_reported_on_the_disagreeing_row() {
        let a = member("62302319800101123", Relation::Head);
        let mut b = member("62302319820101124", Relation::Spouse);
        b.income_fen = 300000;
        let mut c = member("62302320100101125", Relation::Child);
        c.status = PovertyStatus::Poor;
        c.exit_year = None;
        let mut d = member("62302320120101126", Relation::Child);
        d.village_code = "623023100002".into();
        let e = check_household(&[(2, &a), (3, &b), (4, &c), (5, &d)]);
        let got: Vec<_> = e
            .iter()
            .map(|e| {
                (
                    e.row,
                    e.field.as_str(),
                    e.value.as_str(),
                    e.msg.code.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Some(3),
                    "income_per_capita",
                    "3000.00",
                    "household_mismatch"
                ),
                (Some(4), "status", "未脱贫", "household_mismatch"),
                (Some(4), "exit_year", "", "household_mismatch"),
                (
                    Some(5),
                    "village_code",
                    "623023100002",
                    "household_mismatch"
                ),
            ]
        );
        assert!(
            e.iter()
                .all(|e| e.msg.en.contains("row 2") && e.msg.zh.contains("第 2 行"))
        );
    }

    #[test]
    fn identified_year_and_cause_must_agree_too() {
        let a = member("62302319800101123", Relation::Head);
        let mut b = member("62302319820101124", Relation::Spouse);
        b.identified_year = 2015;
        b.cause = Cause::Disaster;
        let e = check_household(&[(2, &a), (3, &b)]);
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.field.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(got, vec![("identified_year", "2015"), ("cause", "因灾")]);
    }
}

//! The number cells of registry and statistics files: whole numbers
//! (years, counts) and amounts of yuan read exactly into fen, with thousands
//! separators allowed only in Excel files.

use super::err;
use crate::{Fen, FieldError, Msg, Year};

/// Why a number cell was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumErr {
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
pub(super) fn parse_fen(s: &str, excel: bool) -> Result<i64, NumErr> {
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
pub(super) fn parse_int(s: &str, excel: bool) -> Result<i32, NumErr> {
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

/// The reason a CSV number carrying a thousands separator is refused.
fn separator_msg() -> Msg {
    Msg::new(
        "thousands_separator",
        "CSV 文件中的数字不能带千位分隔符（逗号）",
        "numbers in a CSV file may not carry thousands separators (commas)",
    )
}

pub(super) fn separator_error(field: &str, value: &str) -> FieldError {
    FieldError::new(field, value, separator_msg())
}

/// Why an amount cell was refused. Amounts differ only in how a negative
/// (`negative`: code, Chinese, English) and a malformed one (`malformed`:
/// Chinese, English) are named.
pub(super) fn amount_msg(
    why: NumErr,
    negative: (&str, &str, &str),
    malformed: (&str, &str),
) -> Msg {
    match why {
        NumErr::Separator => separator_msg(),
        NumErr::Negative => Msg::new(negative.0, negative.1, negative.2),
        NumErr::Decimals => Msg::new(
            "too_many_decimals",
            "金额最多保留两位小数（分）",
            "an amount has at most two decimals (fen)",
        ),
        NumErr::TooLarge => Msg::new("number_too_large", "金额过大", "the amount is too large"),
        NumErr::Malformed => Msg::new("not_a_number", malformed.0, malformed.1),
    }
}

/// Reads a required integer (year) cell; `None` after pushing the error.
pub(super) fn year_cell(
    field: &str,
    value: &str,
    excel: bool,
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
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

/// Reads the `year` cell of a row: a whole year inside [`Year`]'s range.
pub(super) fn registry_year_cell(
    value: &str,
    excel: bool,
    errors: &mut Vec<FieldError>,
) -> Option<Year> {
    let year = year_cell("year", value, excel, errors)?;
    Year::new(year)
        .map_err(|m| errors.push(FieldError::new("year", value, m)))
        .ok()
}

/// Parses an amount of yuan into fen, exactly (at most two decimals, not
/// negative; thousands separators only when `excel`), with the reason when
/// it is refused.
pub fn parse_yuan(s: &str, excel: bool) -> Result<Fen, Msg> {
    parse_fen(s, excel).map(Fen::new).map_err(|why| {
        amount_msg(
            why,
            (
                "negative_amount",
                "金额不能为负数",
                "the amount cannot be negative",
            ),
            (
                "应为以元为单位的金额，例如 2850.50",
                "must be an amount in yuan, e.g. 2850.50",
            ),
        )
    })
}

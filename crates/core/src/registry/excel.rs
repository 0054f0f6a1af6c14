//! Excel traps in code columns (issue 9, finding 6): an ID number, a household
//! number or an area code that Excel stored as a number arrives as
//! `6.23023E+17` (a CSV saved by Excel writes numbers as it shows them), as
//! or as 18 digits whose last three are `000` (Excel keeps 15 significant
//! digits). Such a cell is reported as what happened and what to do, not as
//! a wrong check digit. A code of digits that is too short keeps its format
//! error, with a hint that Excel drops leading zeros.

use crate::{FieldError, Msg};

/// `6.23023E+17`, `6.23023199001E+17`, `1E+11`: how Excel writes a large
/// number in scientific notation (the sign of the exponent positive).
pub fn is_scientific(v: &str) -> bool {
    let Some((mantissa, exponent)) = v.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    int.len() == 1 && digits(int) && digits(frac) && digits(exponent)
}

/// The column's Chinese name, as the message names it.
fn column_zh(field: &str) -> &'static str {
    match field {
        "id_number" => "证件号码",
        "household_id" => "户编号",
        "village_code" => "村级区划代码",
        _ => "区划代码",
    }
}

fn column_en(field: &str) -> &'static str {
    match field {
        "id_number" => "ID number",
        "household_id" => "household number",
        "village_code" => "village code",
        _ => "area code",
    }
}

/// The error for a code cell Excel turned into a number.
pub fn stored_as_number(field: &str, value: &str) -> FieldError {
    FieldError::new(
        field,
        value,
        Msg::new(
            "excel_number",
            format!(
                "{}列被 Excel 存为数字（位数或开头的 0 已丢失），请将该列设为文本后重新填写",
                column_zh(field)
            ),
            format!(
                "the {} column was stored by Excel as a number (digits or leading zeros were lost): format the column as text and enter the values again",
                column_en(field)
            ),
        ),
    )
}

/// An ID number cell that Excel turned into a number: scientific notation,
/// or 18 digits ending in `000` whose check digit fails (the digits after
/// the fifteenth were replaced by zeros). Call it only for a cell that is
/// not a valid ID number.
pub fn id_number_stored_as_number(v: &str) -> bool {
    is_scientific(v)
        || (v.len() == 18 && v.bytes().all(|b| b.is_ascii_digit()) && v.ends_with("000"))
}

/// The hint added to a code's format error when the cell is digits only
/// and too short: Excel drops leading zeros of a number.
pub fn short_code_hint(v: &str, len: usize) -> (&'static str, &'static str) {
    if v.len() < len && v.bytes().all(|b| b.is_ascii_digit()) {
        (
            "（若该列被 Excel 存为数字，开头的 0 会丢失：请将该列设为文本后重新填写）",
            " (if Excel stored the column as a number, leading zeros were lost: format the column as text and enter the codes again)",
        )
    } else {
        ("", "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_notation_as_excel_writes_it_is_recognised() {
        for v in ["6.23023E+17", "6.23023e+17", "1E+11", "6.23023199001E17"] {
            assert!(is_scientific(v), "{v}");
        }
        for v in [
            "623023",
            "6.2",
            "E+17",
            "62.3E+17",
            "6.23E-3",
            "6.E+17",
            "张三E+1",
        ] {
            assert!(!is_scientific(v), "{v}");
        }
    }

    #[test]
    fn lost_digits_and_zeros_are_told_apart_from_typos() {
        assert!(id_number_stored_as_number("623023199001011000"));
        assert!(!id_number_stored_as_number("623023199001011234"));
        assert!(!short_code_hint("62302", 6).0.is_empty());
        assert!(short_code_hint("62302X", 6).0.is_empty());
        assert!(short_code_hint("6230231", 6).0.is_empty());
    }
}

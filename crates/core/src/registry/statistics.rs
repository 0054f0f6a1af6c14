//! One row of an area statistics file (year, county, rural population,
//! rural income per capita), the denominators of the indicators.

use super::numbers::{NumErr, parse_int, registry_year_cell, separator_error};
use super::{err, excel, parse_yuan};
use crate::{Fen, FieldError, Year};

/// One valid row of an area statistics file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsRow {
    pub year: Year,
    pub area_code: String,
    pub rural_population: i64,
    pub rural_income_fen: Option<Fen>,
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
    let y = registry_year_cell(year, excel, &mut e);
    county_code_cell(area_code, known_county, &mut e);
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

/// Checks the `area_code` cell: a known 6-digit county code.
fn county_code_cell(area_code: &str, known_county: &dyn Fn(&str) -> bool, e: &mut Vec<FieldError>) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(c: &str) -> bool {
        c == "623023"
    }

    #[test]
    fn a_valid_statistics_row_converts_income_to_fen() {
        let r =
            validate_statistics_row("2012", "623023", "136778", "3500.5", &known, false).unwrap();
        assert_eq!(
            (r.year.get(), r.rural_population, r.rural_income_fen),
            (2012, 136_778, Some(Fen::new(350_050)))
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

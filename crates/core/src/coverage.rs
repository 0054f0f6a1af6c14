//! Coverage: which key counties a plan leaves without a pairing, on a day
//! or over its whole period, most urgent first.

use crate::area::{CountyAttributes, CountyCode, is_western_province};
use crate::{FieldError, Msg};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::HashSet;

/// A county a plan must cover, with what decides its priority.
#[derive(Debug, Clone)]
pub struct KeyCounty {
    pub code: String,
    pub name: String,
    pub attributes: CountyAttributes,
}

/// The validity of one pairing of a county (dates inclusive).
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Priority of an uncovered county: 1 western, 2 old revolutionary, ethnic
/// or border (outside the west), 3 the rest. Lower comes first.
pub fn priority(code: &str, attrs: &CountyAttributes) -> u8 {
    if is_western_province(&code[..2]) {
        1
    } else if attrs.has_priority_attribute() {
        2
    } else {
        3
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Uncovered {
    pub code: String,
    pub name: String,
    pub priority: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub key_counties: usize,
    pub covered: usize,
    pub uncovered: Vec<Uncovered>,
}

/// Covered on `day`: some pairing of the county is valid that day.
pub fn covered_on(pairings: &[Validity], day: NaiveDate) -> bool {
    pairings.iter().any(|v| v.start <= day && day <= v.end)
}

/// Covered over the whole period: the union of the pairings' validities
/// leaves no day of `[start, end]` uncovered.
pub fn covered_throughout(pairings: &[Validity], start: NaiveDate, end: NaiveDate) -> bool {
    let mut sorted: Vec<Validity> = pairings.to_vec();
    sorted.sort_by_key(|v| v.start);
    // `next` is the first day not yet known to be covered.
    let mut next = start;
    for v in sorted {
        if v.start > next {
            return false;
        }
        if v.end >= next {
            match v.end.checked_add_days(Days::new(1)) {
                Some(d) => next = d,
                None => return true,
            }
        }
        if next > end {
            return true;
        }
    }
    next > end
}

/// Computes coverage given, per key county, the validities of its pairings.
pub fn coverage<F>(counties: &[KeyCounty], mut is_covered: F) -> Coverage
where
    F: FnMut(&KeyCounty) -> bool,
{
    let mut uncovered: Vec<Uncovered> = counties
        .iter()
        .filter(|c| !is_covered(c))
        .map(|c| Uncovered {
            code: c.code.clone(),
            name: c.name.clone(),
            priority: priority(&c.code, &c.attributes),
        })
        .collect();
    uncovered.sort_by(|a, b| (a.priority, &a.code).cmp(&(b.priority, &b.code)));
    Coverage {
        key_counties: counties.len(),
        covered: counties.len() - uncovered.len(),
        uncovered,
    }
}

/// The longest reason for leaving a county uncovered that is kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Checks a reason for leaving a county uncovered (a coverage exception):
/// the county is on the plan's list (`listed`), the reason (trimmed) is
/// given and not too long. Every problem is reported.
pub fn check_exception(
    county: &str,
    reason: &str,
    listed: &HashSet<String>,
) -> Result<CountyCode, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = CountyCode::parse(county).filter(|c| listed.contains(c.as_str()));
    if code.is_none() {
        errors.push(FieldError::new(
            "county_code",
            county,
            Msg::new(
                "not_in_list",
                "该县不在方案所覆盖的县名单中",
                "this county is not on the plan's county list",
            ),
        ));
    }
    if reason.is_empty() {
        errors.push(FieldError::required("reason"));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        errors.push(FieldError::too_long("reason", reason, MAX_REASON_CHARS));
    }
    match code {
        Some(code) if errors.is_empty() => Ok(code),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(a: &str, b: &str) -> Validity {
        Validity {
            start: d(a),
            end: d(b),
        }
    }

    #[test]
    fn covered_on_a_day_is_inclusive() {
        let p = [v("2021-01-01", "2025-12-31")];
        assert!(covered_on(&p, d("2021-01-01")));
        assert!(covered_on(&p, d("2025-12-31")));
        assert!(!covered_on(&p, d("2026-01-01")));
        assert!(!covered_on(&[], d("2022-01-01")));
    }

    #[test]
    fn throughout_needs_the_union_to_span_the_period() {
        let (s, e) = (d("2021-01-01"), d("2025-12-31"));
        assert!(covered_throughout(&[v("2021-01-01", "2025-12-31")], s, e));
        // Two back-to-back pairings cover; the order given does not matter.
        assert!(covered_throughout(
            &[v("2023-01-01", "2025-12-31"), v("2021-01-01", "2022-12-31")],
            s,
            e
        ));
        // A one-day gap does not.
        assert!(!covered_throughout(
            &[v("2021-01-01", "2022-12-30"), v("2023-01-01", "2025-12-31")],
            s,
            e
        ));
        // Starting late or ending early does not.
        assert!(!covered_throughout(&[v("2021-01-02", "2025-12-31")], s, e));
        assert!(!covered_throughout(&[v("2021-01-01", "2025-12-30")], s, e));
        // Overlaps are fine.
        assert!(covered_throughout(
            &[v("2021-01-01", "2024-06-30"), v("2022-01-01", "2025-12-31")],
            s,
            e
        ));
        assert!(!covered_throughout(&[], s, e));
    }

    #[test]
    fn an_exception_names_a_listed_county_and_a_short_reason() {
        let listed: HashSet<String> = ["623023".to_string()].into();
        let codes = |county: &str, reason: &str| match check_exception(county, reason, &listed) {
            Ok(code) => vec![code.to_string()],
            Err(e) => e.into_iter().map(|e| e.msg.code).collect(),
        };
        assert_eq!(codes("623023", "已整体搬迁"), ["623023"]);
        assert_eq!(codes("130125", ""), ["not_in_list", "required"]);
        assert_eq!(codes("62302", "x"), ["not_in_list"]);
        let long = "理".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(codes("623023", &long), ["too_long"]);
        assert_eq!(codes("623023", &long[..MAX_REASON_CHARS * 3]), ["623023"]);
    }

    #[test]
    fn uncovered_sorted_western_then_priority_then_rest() {
        let county = |code: &str, ethnic: bool| KeyCounty {
            code: code.into(),
            name: code.into(),
            attributes: CountyAttributes {
                ethnic,
                ..Default::default()
            },
        };
        let counties = vec![
            county("130125", false),
            county("431129", true),
            county("623023", false),
            county("130126", false),
        ];
        let c = coverage(&counties, |k| k.code == "130126");
        assert_eq!(c.key_counties, 4);
        assert_eq!(c.covered, 1);
        let order: Vec<(&str, u8)> = c
            .uncovered
            .iter()
            .map(|u| (u.code.as_str(), u.priority))
            .collect();
        assert_eq!(order, vec![("623023", 1), ("431129", 2), ("130125", 3)]);
    }
}

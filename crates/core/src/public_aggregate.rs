//! The figures of a county and year that the office publishes for the
//! public page (公开): aggregates only, never a person or a household.

use serde::{Deserialize, Serialize};

/// Below this many monitored households a county's count is published as
/// "fewer than 5", not the number: in a small county a count of one or two
/// points at families neighbours can name. Zero reveals no one.
pub const SUPPRESS_BELOW: i64 = 5;

/// One county's published figures of a year, frozen as JSON at
/// publication. Rates are per cent (as the indicators give them); money is fen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicFigures {
    pub poor_population: u64,
    pub poverty_incidence: Option<f64>,
    pub exited_population: u64,
    pub return_rate: Option<f64>,
    /// Yuan per person and year, from the area statistics.
    pub rural_income_per_capita: Option<f64>,
    /// Funds the paired units' ledgers received in the year (fen).
    pub funds_received_fen: i64,
    pub projects_completed: i64,
    pub cadres_serving: i64,
    /// The units paired with the county in the year.
    pub paired_units: Vec<String>,
    /// Monitored households of the year; `None` when suppressed (1–4).
    pub monitored_households: Option<i64>,
    /// The count was below [`SUPPRESS_BELOW`] and is not published.
    pub monitored_suppressed: bool,
}

/// The monitored-household count as published: `(None, true)` for 1–4.
pub fn suppress_small(count: i64) -> (Option<i64>, bool) {
    if count > 0 && count < SUPPRESS_BELOW {
        (None, true)
    } else {
        (Some(count), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_to_four_are_suppressed() {
        assert_eq!(suppress_small(0), (Some(0), false));
        assert_eq!(suppress_small(1), (None, true));
        assert_eq!(suppress_small(4), (None, true));
        assert_eq!(suppress_small(5), (Some(5), false));
        assert_eq!(suppress_small(120), (Some(120), false));
    }
}

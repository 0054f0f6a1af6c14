//! The registry import's warning when a county's year, after the import,
//! holds much fewer people than the county's latest earlier year (less
//! than half: `core::indicators::much_smaller`, the rule that also marks
//! such a year incomplete in the indicators).

use crate::error::Result;
use dingdian_core::indicators::much_smaller;
use dingdian_store::{Conn, areas, registry as reg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One county and year that the import left much smaller than before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmallerThanBefore {
    pub county_code: String,
    pub county_name: String,
    pub year: i32,
    /// Registered people of the county in `year`, after the import.
    pub members: u64,
    /// The latest earlier year with registered people, and how many.
    pub previous_year: i32,
    pub previous_members: u64,
}

/// Checks each (year, county) the import wrote, inside its transaction
/// (so a dry run warns as the real import would).
pub fn smaller_than_before(
    c: &mut dyn Conn,
    parts: &BTreeSet<(i32, String)>,
) -> Result<Vec<SmallerThanBefore>> {
    let mut out = Vec::new();
    for (year, county) in parts {
        let Some((now, previous_year, previous)) =
            reg::county_members_and_before(c, county, *year)?
        else {
            continue;
        };
        if much_smaller(now as u64, previous as u64) {
            out.push(SmallerThanBefore {
                county_code: county.clone(),
                county_name: String::new(),
                year: *year,
                members: now as u64,
                previous_year,
                previous_members: previous as u64,
            });
        }
    }
    if !out.is_empty() {
        let codes: Vec<String> = out.iter().map(|s| s.county_code.clone()).collect();
        let names = areas::names(c, &codes)?;
        for s in &mut out {
            s.county_name = names.get(&s.county_code).cloned().unwrap_or_default();
        }
    }
    Ok(out)
}

//! Households marked exited that fail the exit check
//! (`dingdian_core::exit_check`), by county and year. The SQL condition is
//! the rule's negation, so paging and counts are exact; the reasons are
//! named by the rule itself.

use crate::db::{Conn, Page, Result, Value};
use crate::registry::scope_condition;
use dingdian_core::registry::{GUARANTEE_COLUMNS, PovertyStatus};
use dingdian_core::role::Scope;

/// A household marked exited whose figures fail the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitCandidate {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub county_name: String,
    pub village_code: String,
    pub village_name: Option<String>,
    pub income_fen: i64,
    pub line_fen: Option<i64>,
    /// In the order of `GUARANTEE_COLUMNS`.
    pub guarantees: [Option<bool>; 6],
}

/// Exited, and income at or below the line (or no line), or a guarantee
/// not recorded as held (1).
fn failing(p: &mut Vec<Value>) -> String {
    p.push(i64::from(PovertyStatus::Exited.code()).into());
    // The columns are named as the registry file's English columns.
    let guarantees = GUARANTEE_COLUMNS
        .iter()
        .map(|(g, _)| format!(" OR h.{g} IS NULL OR h.{g} <> 1"))
        .collect::<String>();
    format!(" AND h.status = ? AND (l.line_fen IS NULL OR h.income_fen <= l.line_fen{guarantees})")
}

/// A page of the failing households of a year (and county, if given) in
/// the registry scope, by household number.
pub fn failing_exits(
    c: &mut dyn Conn,
    scope: &Scope,
    county: Option<&str>,
    year: i32,
    page: Page,
) -> Result<(Vec<ExitCandidate>, i64)> {
    let mut p: Vec<Value> = vec![year.into()];
    let mut w = scope_condition(scope, "h.county_code", &mut p);
    if let Some(county) = county {
        w.push_str(" AND h.county_code = ?");
        p.push(county.into());
    }
    w.push_str(&failing(&mut p));
    let from = "FROM households h LEFT JOIN areas ca ON ca.code = h.county_code \
         LEFT JOIN areas va ON va.code = h.village_code LEFT JOIN poverty_lines l ON l.year = h.year WHERE h.year = ?";
    let total = c.query_i64(&format!("SELECT COUNT(*) {from}{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let rows = c.query(
        &format!(
            "SELECT h.year, h.household_id, h.county_code, ca.name AS county_name, h.village_code, va.name AS village_name, \
             h.income_fen, l.line_fen, {} {from}{w} ORDER BY h.household_id LIMIT ? OFFSET ?",
            GUARANTEE_COLUMNS.iter().map(|(g, _)| format!("h.{g}")).collect::<Vec<_>>().join(", ")
        ),
        &p,
    )?;
    let items = rows
        .iter()
        .map(|r| {
            let mut guarantees = [None; 6];
            for (k, (g, _)) in GUARANTEE_COLUMNS.iter().enumerate() {
                guarantees[k] = r.get::<Option<i64>>(g)?.map(|v| v == 1);
            }
            Ok(ExitCandidate {
                year: r.get("year")?,
                household_id: r.get("household_id")?,
                county_code: r.get("county_code")?,
                county_name: r.get::<Option<String>>("county_name")?.unwrap_or_default(),
                village_code: r.get("village_code")?,
                village_name: r.get("village_name")?,
                income_fen: r.get("income_fen")?,
                line_fen: r.get("line_fen")?,
                guarantees,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((items, total))
}

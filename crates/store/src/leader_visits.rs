//! Leader visits, and the pairings a year's visits are counted against.
//! Every visit names its unit and county, so a scoped read is one
//! condition on the row.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::leader_visit::{
    ALL_LEADER_LEVELS, LeaderLevel, LeaderVisit, LeaderVisitFields, VisitFilter, YearPairing,
};
use dingdian_core::role::Scope;

fn level(s: String) -> Option<LeaderLevel> {
    ALL_LEADER_LEVELS.into_iter().find(|l| l.as_str() == s)
}

impl FromRow for LeaderVisit {
    const TABLE: &'static str = "leader_visits";
    fn from_row(r: &Row) -> Result<LeaderVisit> {
        Ok(LeaderVisit {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            leader_name: r.get("leader_name")?,
            leader_level: r.decode("leader_level", level)?,
            date: r.get("visited_on")?,
            places: r.get("places")?,
            purpose: r.get("purpose")?,
            decisions: r.get("decisions")?,
            created_at: r.get("created_at")?,
        })
    }
}

impl FromRow for YearPairing {
    const TABLE: &'static str = "pairings";
    fn from_row(r: &Row) -> Result<YearPairing> {
        Ok(YearPairing {
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
        })
    }
}

const SELECT: &str = "SELECT v.*, u.name AS unit_name, a.name AS county_name FROM leader_visits v \
     JOIN units u ON u.id = v.unit_id JOIN areas a ON a.code = v.county_code";

fn list_where(scope: &Scope, f: &VisitFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("v", scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND v.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND v.county_code = ?");
        p.push(county.into());
    }
    if let Some(l) = f.level {
        w.push_str(" AND v.leader_level = ?");
        p.push(l.as_str().into());
    }
    if let Some(year) = f.year {
        w.push_str(" AND v.visited_on >= ? AND v.visited_on <= ?");
        p.push(format!("{year:04}-01-01").into());
        p.push(format!("{year:04}-12-31").into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{q}%");
        w.push_str(
            " AND (v.leader_name LIKE ? OR v.places LIKE ? OR v.purpose LIKE ? OR v.decisions LIKE ?)",
        );
        p.extend(std::iter::repeat_n(Value::from(like), 4));
    }
    w
}

/// A page of visits the scope reaches, newest first, with the total.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &VisitFilter,
    page: Page,
) -> Result<(Vec<LeaderVisit>, i64)> {
    let mut p = Vec::new();
    let w = list_where(scope, f, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM leader_visits v{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let rows = c.query_as(
        &format!("{SELECT}{w} ORDER BY v.visited_on DESC, v.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((rows, total))
}

/// One visit, if the scope reaches it.
pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<LeaderVisit>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("v", scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE v.id = ?{w}"), &p)
}

pub fn insert(
    c: &mut dyn Conn,
    unit_id: i64,
    f: &LeaderVisitFields,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO leader_visits (unit_id, county_code, leader_name, leader_level, visited_on, \
         places, purpose, decisions, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            unit_id,
            f.county_code.as_str(),
            f.leader_name.as_str(),
            f.leader_level.as_str(),
            f.date,
            f.places.as_str(),
            f.purpose.as_str(),
            f.decisions.clone().unwrap_or_default(),
            created_by,
            now
        ],
    )
}

/// The pairings (of decided plans) in force on some day from `first` to
/// `last` that the scope reaches, by unit and county.
pub fn pairings_between(
    c: &mut dyn Conn,
    scope: &Scope,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<YearPairing>> {
    let mut p = params![last, first].to_vec();
    let w = on_pairing("pr", scope, &mut p);
    c.query_as(
        &format!(
            "SELECT DISTINCT pr.unit_id, u.name AS unit_name, pr.county_code, a.name AS county_name \
             FROM pairings pr JOIN plans pl ON pl.id = pr.plan_id JOIN units u ON u.id = pr.unit_id \
             JOIN areas a ON a.code = pr.county_code \
             WHERE pl.status IN ('approved', 'active', 'superseded') \
             AND pr.start_date <= ? AND pr.end_date >= ?{w} \
             ORDER BY u.name, pr.unit_id, pr.county_code"
        ),
        &p,
    )
}

/// (unit, county, day) of every visit in `year` the scope reaches.
pub fn visit_days(
    c: &mut dyn Conn,
    scope: &Scope,
    year: i32,
) -> Result<Vec<(i64, String, NaiveDate)>> {
    let mut p = params![format!("{year:04}-01-01"), format!("{year:04}-12-31")].to_vec();
    let w = on_pairing("v", scope, &mut p);
    let rows = c.query(
        &format!(
            "SELECT v.unit_id, v.county_code, v.visited_on FROM leader_visits v \
             WHERE v.visited_on >= ? AND v.visited_on <= ?{w}"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            Ok((
                r.get("unit_id")?,
                r.get("county_code")?,
                r.get("visited_on")?,
            ))
        })
        .collect()
}

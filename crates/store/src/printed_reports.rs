//! The few facts the printed reports read from the assessment and the
//! monitoring tables (migration 0018) directly: the grades of a year and
//! the monitored households counted by county, kind and status (a unit's
//! own assessment comes through `App::assessments`). Read-only; the capabilities that write these
//! tables own their full reads.

use crate::db::{Conn, Result, Value};
use crate::row::{FromRow, Row};
use dingdian_core::assessment::Grade;
use dingdian_core::monitoring::{MonitoredKind, MonitoringStatus};
use dingdian_core::role::Scope;

/// The scope's condition on assessments: a unit (or its cadre) sees its
/// own at every step and others' only once published; a county only
/// published ones; the office, reviewers and inspectors all.
fn on_assessment(scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) | Scope::UnitCounty(u, _) => {
            p.push((*u).into());
            " AND (a.status = 'published' OR a.unit_id = ?)".into()
        }
        Scope::County(_) => " AND a.status = 'published'".into(),
    }
}

/// Assessments of the year with a grade, counted per grade (the scope's
/// condition applies).
pub fn grades_of_year(c: &mut dyn Conn, scope: &Scope, year: i32) -> Result<Vec<(Grade, i64)>> {
    let mut p = vec![Value::from(year)];
    let w = on_assessment(scope, &mut p);
    let rows = c.query(
        &format!(
            "SELECT a.grade, COUNT(*) AS n FROM assessments a \
             WHERE a.year = ? AND a.grade IS NOT NULL{w} GROUP BY a.grade"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            let grade = r.decode("grade", |s: String| Grade::from_code(&s))?;
            Ok((grade, r.get("n")?))
        })
        .collect()
}

/// Monitored households of a registry year, one count per county, kind
/// and status. Aggregates only: no household leaves this query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringCount {
    pub county_code: String,
    pub kind: MonitoredKind,
    pub status: MonitoringStatus,
    pub count: i64,
}

impl FromRow for MonitoringCount {
    const TABLE: &'static str = "monitored_households";
    fn from_row(r: &Row) -> Result<MonitoringCount> {
        Ok(MonitoringCount {
            county_code: r.get("county_code")?,
            kind: r.decode("kind", |s: String| MonitoredKind::from_code(&s))?,
            status: r.decode("status", |s: String| MonitoringStatus::from_code(&s))?,
            count: r.get("n")?,
        })
    }
}

/// The counts of the year, of one county or of all.
pub fn monitoring_counts(
    c: &mut dyn Conn,
    year: i32,
    county: Option<&str>,
) -> Result<Vec<MonitoringCount>> {
    let mut p = vec![Value::from(year)];
    let mut w = String::new();
    if let Some(county) = county {
        w.push_str(" AND county_code = ?");
        p.push(county.into());
    }
    c.query_as(
        &format!(
            "SELECT county_code, kind, status, COUNT(*) AS n FROM monitored_households \
             WHERE year = ?{w} GROUP BY county_code, kind, status \
             ORDER BY county_code, kind, status"
        ),
        &p,
    )
}

//! The few facts the printed reports read from the assessment and the
//! monitoring tables (migration 0018) directly: a unit's assessment of a
//! year, the grades of a year, and the monitored households counted by
//! county, kind and status. Read-only; the capabilities that write these
//! tables own their full reads.

use crate::db::{Conn, Result, Value};
use crate::row::{FromRow, Row};
use dingdian_core::assessment::{AssessmentStatus, Grade};
use dingdian_core::monitoring::{MonitoredKind, MonitoringStatus};
use dingdian_core::role::Scope;

/// A unit's assessment of a year as a report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentFacts {
    pub unit_id: i64,
    pub year: i32,
    pub status: AssessmentStatus,
    /// Hundredths of a point (0..=10000), once assessed.
    pub score: Option<i64>,
    pub grade: Option<Grade>,
    /// The frozen JSON of the dimensions (score, weight, evidence).
    pub dimensions: Option<String>,
}

impl FromRow for AssessmentFacts {
    const TABLE: &'static str = "assessments";
    fn from_row(r: &Row) -> Result<AssessmentFacts> {
        Ok(AssessmentFacts {
            unit_id: r.get("unit_id")?,
            year: r.get("year")?,
            status: r.decode("status", |s: String| AssessmentStatus::from_code(&s))?,
            score: r.get("score")?,
            grade: r.decode_opt("grade", |s: String| Grade::from_code(&s))?,
            dimensions: r.get("dimensions")?,
        })
    }
}

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

/// The unit's assessment of the year, if there is one the scope may see.
pub fn assessment_of(
    c: &mut dyn Conn,
    scope: &Scope,
    unit_id: i64,
    year: i32,
) -> Result<Option<AssessmentFacts>> {
    let mut p = vec![Value::from(unit_id), Value::from(year)];
    let w = on_assessment(scope, &mut p);
    c.query_one_as(
        &format!(
            "SELECT a.unit_id, a.year, a.status, a.score, a.grade, a.dimensions \
             FROM assessments a WHERE a.unit_id = ? AND a.year = ?{w}"
        ),
        &p,
    )
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

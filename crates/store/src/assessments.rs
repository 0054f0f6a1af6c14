//! The annual assessments of units: the year's rules, the assessments
//! with their frozen breakdown, the assessors' entries, the steps, and
//! the counts of the records an assessment is computed from.

use crate::assistance_plans::StepRecord;
use crate::db::{Conn, Page, Result, StoreError, Value};
use crate::params;
use crate::row::{FromRow, Row};
use dingdian_core::assessment::{
    AssessmentFilter, AssessmentRules, AssessmentStatus, Dimension, Grade,
};
use dingdian_core::assessment_score::{Assessment, DimensionScore, Entry, Indicator, gaps, points};
use dingdian_core::role::Scope;

const SELECT: &str = "SELECT a.*, u.name AS unit_name, u.kind AS unit_kind FROM assessments a JOIN units u ON u.id = a.unit_id";

/// A pairing of an approved plan that runs some day of the year `{y}`
/// (the assessment's, as an SQL expression) between unit `{u}` and county `?`.
const PAIRED_IN_YEAR: &str = "EXISTS (SELECT 1 FROM pairings pr JOIN plans pl ON pl.id = pr.plan_id \
     WHERE pr.unit_id = a.unit_id AND pr.county_code = ? AND pl.status IN ('approved', 'active', 'superseded') \
     AND CAST(SUBSTR(pr.start_date, 1, 4) AS INTEGER) <= a.year AND CAST(SUBSTR(pr.end_date, 1, 4) AS INTEGER) >= a.year)";

impl FromRow for Assessment {
    const TABLE: &'static str = "assessments";
    fn from_row(r: &Row) -> Result<Assessment> {
        let json: Option<String> = r.get("dimensions")?;
        let dimensions: Vec<DimensionScore> = match json {
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| StoreError::Data(format!("assessments.dimensions: {e}")))?,
            None => Vec::new(),
        };
        let score: Option<i64> = r.get("score")?;
        Ok(Assessment {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            unit_kind: r.get("unit_kind")?,
            year: r.get("year")?,
            status: r.decode("status", |s: String| AssessmentStatus::from_code(&s))?,
            self_report: r.get("self_report")?,
            score: score.map(points),
            grade: r.decode_opt("grade", |s: String| Grade::from_code(&s))?,
            gaps: gaps(&dimensions),
            dimensions,
            assessed_at: r.get("assessed_at")?,
            reviewed_at: r.get("reviewed_at")?,
            published_at: r.get("published_at")?,
        })
    }
}

/// Office, reviewer, inspector: all. A unit (or its cadre): its own, and
/// the published ones of others. A county: the published ones of units
/// paired with it in the assessment's year.
fn scope_where(scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) | Scope::UnitCounty(u, _) => {
            p.push((*u).into());
            " AND (a.unit_id = ? OR a.status = 'published')".into()
        }
        Scope::County(county) => {
            p.push(county.as_str().into());
            format!(" AND a.status = 'published' AND {PAIRED_IN_YEAR}")
        }
    }
}

fn filter_where(scope: &Scope, f: &AssessmentFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_where(scope, p));
    if let Some(y) = f.year {
        w.push_str(" AND a.year = ?");
        p.push(y.into());
    }
    if let Some(u) = f.unit_id {
        w.push_str(" AND a.unit_id = ?");
        p.push(u.into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND a.status = ?");
        p.push(s.code().into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND u.name LIKE ?");
        p.push(format!("%{q}%").into());
    }
    w
}

/// A page of assessments in the scope: the best score first, then name.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &AssessmentFilter,
    page: Page,
) -> Result<(Vec<Assessment>, i64)> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM assessments a JOIN units u ON u.id = a.unit_id{w}"),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!(
            "{SELECT}{w} ORDER BY a.year DESC, CASE WHEN a.score IS NULL THEN 1 ELSE 0 END, a.score DESC, u.name, a.id LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    Ok((items, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Assessment>> {
    let mut p = vec![Value::from(id)];
    let w = scope_where(scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE a.id = ?{w}"), &p)
}

/// `get` under a row lock (PostgreSQL), for a step.
pub fn lock(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Assessment>> {
    if c.backend() == crate::Backend::Postgres {
        c.query(
            "SELECT id FROM assessments WHERE id = ? FOR UPDATE",
            params![id],
        )?;
    }
    get(c, scope, id)
}

pub fn rules(c: &mut dyn Conn, year: i32) -> Result<Option<AssessmentRules>> {
    let Some(r) = c.query_one(
        "SELECT * FROM assessment_rules WHERE year = ?",
        params![year],
    )?
    else {
        return Ok(None);
    };
    let weights = c
        .query(
            "SELECT dimension, weight FROM assessment_weights WHERE year = ?",
            params![year],
        )?
        .iter()
        .map(|w| {
            Ok((
                w.decode("dimension", |s: String| Dimension::from_code(&s))?,
                w.get("weight")?,
            ))
        })
        .collect::<Result<Vec<(Dimension, i64)>>>()?;
    Ok(Some(AssessmentRules {
        year,
        weights,
        good_min: r.get("good_min")?,
        fairly_good_min: r.get("fairly_good_min")?,
        average_min: r.get("average_min")?,
        is_default: false,
    }))
}

/// Replaces the year's rules.
pub fn put_rules(c: &mut dyn Conn, r: &AssessmentRules, by: Option<i64>, now: i64) -> Result<()> {
    c.execute(
        "DELETE FROM assessment_weights WHERE year = ?",
        params![r.year],
    )?;
    c.execute(
        "DELETE FROM assessment_rules WHERE year = ?",
        params![r.year],
    )?;
    c.execute(
        "INSERT INTO assessment_rules (year, good_min, fairly_good_min, average_min, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)",
        params![r.year, r.good_min, r.fairly_good_min, r.average_min, by, now],
    )?;
    for (d, w) in &r.weights {
        c.execute(
            "INSERT INTO assessment_weights (year, dimension, weight) VALUES (?, ?, ?)",
            params![r.year, d.code(), *w],
        )?;
    }
    Ok(())
}

/// Units paired (approved plans) with some county on some day of the year.
pub fn units_paired_in(c: &mut dyn Conn, year: i32) -> Result<Vec<i64>> {
    let rows = c.query(
        "SELECT DISTINCT pr.unit_id FROM pairings pr JOIN plans pl ON pl.id = pr.plan_id \
         WHERE pl.status IN ('approved', 'active', 'superseded') AND pr.start_date <= ? AND pr.end_date >= ? ORDER BY pr.unit_id",
        params![format!("{year}-12-31"), format!("{year}-01-01")],
    )?;
    rows.iter().map(|r| r.get("unit_id")).collect()
}

/// Opens the unit's assessment of the year unless it has one: its id.
pub fn open(c: &mut dyn Conn, unit_id: i64, year: i32, now: i64) -> Result<Option<i64>> {
    let rows = c.query(
        "INSERT INTO assessments (unit_id, year, status, created_at, updated_at) VALUES (?, ?, 'self_report', ?, ?) \
         ON CONFLICT (unit_id, year) DO NOTHING RETURNING id",
        params![unit_id, year, now, now],
    )?;
    rows.first().map(|r| r.get("id")).transpose()
}

pub fn set_self_report(
    c: &mut dyn Conn,
    id: i64,
    text: &str,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE assessments SET self_report = ?, self_reported_by = ?, self_reported_at = ?, updated_at = ? WHERE id = ?",
        params![text, by, now, now, id],
    )?;
    Ok(())
}

/// Writes (or replaces) an assessor's entry for one indicator.
pub fn put_entry(c: &mut dyn Conn, id: i64, e: &Entry, by: Option<i64>) -> Result<()> {
    c.execute(
        "DELETE FROM assessment_entries WHERE assessment_id = ? AND indicator = ?",
        params![id, e.indicator.code()],
    )?;
    c.execute(
        "INSERT INTO assessment_entries (assessment_id, indicator, score, evidence, attachment_sha256, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, e.indicator.code(), e.score, e.evidence.clone(), e.attachment_sha256.clone(), by, e.entered_at],
    )?;
    Ok(())
}

pub fn entries(c: &mut dyn Conn, id: i64) -> Result<Vec<Entry>> {
    let rows = c.query(
        "SELECT e.*, us.username FROM assessment_entries e LEFT JOIN users us ON us.id = e.entered_by \
         WHERE e.assessment_id = ? ORDER BY e.indicator",
        params![id],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                indicator: r.decode("indicator", |s: String| Indicator::from_code(&s))?,
                score: r.get("score")?,
                evidence: r.get("evidence")?,
                attachment_sha256: r.get("attachment_sha256")?,
                entered_by: r.get("username")?,
                entered_at: r.get("entered_at")?,
            })
        })
        .collect()
}

/// Freezes the breakdown: total (hundredths), grade and the dimensions' JSON.
pub fn set_assessed(
    c: &mut dyn Conn,
    id: i64,
    (total, grade, json): (Option<i64>, Option<Grade>, &str),
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE assessments SET status = 'assessed', score = ?, grade = ?, dimensions = ?, assessed_by = ?, assessed_at = ?, updated_at = ? WHERE id = ?",
        params![total, grade.map(|g| g.code()), json, by, now, now, id],
    )?;
    Ok(())
}

/// Reviewed, published, or returned to the unit (which drops the frozen
/// breakdown: it is computed again when assessed again).
pub fn set_status(
    c: &mut dyn Conn,
    id: i64,
    to: AssessmentStatus,
    by: Option<i64>,
    now: i64,
) -> Result<()> {
    let set = match to {
        AssessmentStatus::Reviewed => "reviewed_by = ?, reviewed_at = ?",
        AssessmentStatus::Published => "published_by = ?, published_at = ?",
        _ => "assessed_by = ?, assessed_at = ?, score = NULL, grade = NULL, dimensions = NULL",
    };
    let (by, at) = match to {
        AssessmentStatus::SelfReport => (None, None),
        _ => (by, Some(now)),
    };
    c.execute(
        &format!("UPDATE assessments SET status = ?, {set}, updated_at = ? WHERE id = ?"),
        params![to.code(), by, at, now, id],
    )?;
    Ok(())
}

pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (Option<AssessmentStatus>, AssessmentStatus),
    actor: Option<i64>,
    comment: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO assessment_transitions (assessment_id, from_status, to_status, actor_id, comment, at) VALUES (?, ?, ?, ?, ?, ?)",
        params![id, from.map(|s| s.code()), to.code(), actor, comment, now],
    )?;
    Ok(())
}

impl FromRow for StepRecord<AssessmentStatus> {
    const TABLE: &'static str = "assessment_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        let parse = |s: String| AssessmentStatus::from_code(&s);
        Ok(StepRecord {
            from: r.decode_opt("from_status", parse)?,
            to: r.decode("to_status", parse)?,
            on_date: None,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
            reason: r.get("comment")?,
        })
    }
}

/// The steps of an assessment, oldest first (the command line has no account).
pub fn transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<AssessmentStatus>>> {
    c.query_as(
        "SELECT t.*, COALESCE(us.username, 'cli') AS username, COALESCE(us.display_name, 'cli') AS display_name \
         FROM assessment_transitions t LEFT JOIN users us ON us.id = t.actor_id WHERE t.assessment_id = ? ORDER BY t.at, t.id",
        params![id],
    )
}

/// Leader visits of the unit in the year: (principal, deputy).
pub fn visits(c: &mut dyn Conn, unit_id: i64, year: i32) -> Result<(i64, i64)> {
    let n = |c: &mut dyn Conn, level: &str| {
        c.query_i64(
            "SELECT COUNT(*) FROM leader_visits WHERE unit_id = ? AND leader_level = ? AND visited_on BETWEEN ? AND ?",
            params![unit_id, level, format!("{year}-01-01"), format!("{year}-12-31")],
        )
    };
    Ok((n(c, "principal")?, n(c, "deputy")?))
}

/// Inspections of the unit held in the year.
pub fn inspections(c: &mut dyn Conn, unit_id: i64, year: i32) -> Result<i64> {
    c.query_i64(
        "SELECT COUNT(*) FROM inspections WHERE unit_id = ? AND inspected_on BETWEEN ? AND ?",
        params![unit_id, format!("{year}-01-01"), format!("{year}-12-31")],
    )
}

/// Rectification items of the unit due in the year: (due, verified).
pub fn rectifications(c: &mut dyn Conn, unit_id: i64, year: i32) -> Result<(i64, i64)> {
    let r = c
        .query_one(
            "SELECT COUNT(*) AS due, COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) AS verified \
             FROM rectifications WHERE unit_id = ? AND deadline BETWEEN ? AND ?",
            params![unit_id, format!("{year}-01-01"), format!("{year}-12-31")],
        )?
        .ok_or_else(|| StoreError::Data("rectifications: no row".into()))?;
    Ok((r.get("due")?, r.get("verified")?))
}

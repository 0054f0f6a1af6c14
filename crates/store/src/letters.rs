//! Responsibility letters and their targets. A letter for one county is
//! read by whoever reaches that pairing; a letter for all of a unit's
//! counties only by the office and by the unit itself.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use chrono::NaiveDate;
use dingdian_core::letter::{Letter, LetterFields, LetterFilter, LetterIndicator, LetterStatus};
use dingdian_core::role::Scope;

/// A letter for all of a unit's counties has no county: a county officer
/// or a cadre, whose scope names one, does not reach it.
fn scope_cond(scope: &Scope, p: &mut Vec<Value>) -> String {
    crate::scope::on_pairing("l", scope, p)
}

const SELECT: &str = "SELECT l.id, l.unit_id, u.name AS unit_name, l.county_code, a.name AS county_name, \
     l.year, l.status, l.set_at, l.signed_on FROM letters l JOIN units u ON u.id = l.unit_id \
     LEFT JOIN areas a ON a.code = l.county_code";

fn filter_where(scope: &Scope, f: &LetterFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_cond(scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND l.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND l.county_code = ?");
        p.push(county.into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND l.year = ?");
        p.push(y.into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND u.name LIKE ?");
        p.push(format!("%{q}%").into());
    }
    w
}

/// The letters the scope and filter reach, newest year first, with their
/// targets.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &LetterFilter,
    page: Page,
) -> Result<(Vec<Letter>, i64)> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM letters l JOIN units u ON u.id = l.unit_id{w}"),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let mut letters: Vec<Letter> = c.query_as(
        &format!(
            "{SELECT}{w} ORDER BY l.year DESC, l.unit_id, l.county_code, l.id LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    for l in &mut letters {
        l.targets = targets(c, l.id)?;
    }
    Ok((letters, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Letter>> {
    let mut p = vec![Value::from(id)];
    let w = scope_cond(scope, &mut p);
    let letter: Option<Letter> = c.query_one_as(&format!("{SELECT} WHERE l.id = ?{w}"), &p)?;
    letter
        .map(|mut l| {
            l.targets = targets(c, l.id)?;
            Ok(l)
        })
        .transpose()
}

fn targets(c: &mut dyn Conn, letter_id: i64) -> Result<Vec<(LetterIndicator, i64)>> {
    let rows = c.query(
        "SELECT indicator, target FROM letter_targets WHERE letter_id = ? ORDER BY indicator",
        params![letter_id],
    )?;
    let mut out: Vec<(LetterIndicator, i64)> = rows
        .iter()
        .map(|r| {
            Ok((
                r.decode("indicator", |s: String| LetterIndicator::parse(&s))?,
                r.get("target")?,
            ))
        })
        .collect::<Result<_>>()?;
    out.sort();
    Ok(out)
}

/// The letter of this unit, county (or all counties) and year, if any.
/// Holds its row until the transaction ends on PostgreSQL, so that setting
/// and signing take turns (SQLite's write transactions already do).
pub fn find(c: &mut dyn Conn, f: &LetterFields) -> Result<Option<(i64, LetterStatus)>> {
    let lock = if c.backend() == crate::Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = c.query_one(
        &format!(
            "SELECT id, status FROM letters WHERE unit_id = ? AND year = ? AND COALESCE(county_code, '') = ?{lock}"
        ),
        params![f.unit_id, f.year.get(), f.county_code.clone().unwrap_or_default()],
    )?;
    row.map(|r| {
        Ok((
            r.get("id")?,
            r.decode("status", |s: String| LetterStatus::parse(&s))?,
        ))
    })
    .transpose()
}

/// A new letter in status `set`; its id.
pub fn insert(c: &mut dyn Conn, f: &LetterFields, set_by: Option<i64>, now: i64) -> Result<i64> {
    c.query_i64(
        "INSERT INTO letters (unit_id, county_code, year, status, set_by, set_at) VALUES (?, ?, ?, 'set', ?, ?) RETURNING id",
        params![f.unit_id, f.county_code.clone(), f.year.get(), set_by, now],
    )
}

/// Replaces a letter's targets (and who set them, when).
pub fn set_targets(
    c: &mut dyn Conn,
    id: i64,
    targets: &[(LetterIndicator, i64)],
    set_by: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE letters SET set_by = ?, set_at = ? WHERE id = ?",
        params![set_by, now, id],
    )?;
    c.execute(
        "DELETE FROM letter_targets WHERE letter_id = ?",
        params![id],
    )?;
    let rows: Vec<Vec<Value>> = targets
        .iter()
        .map(|(i, t)| params![id, i.as_str(), *t].to_vec())
        .collect();
    c.insert_rows(
        "letter_targets",
        &["letter_id", "indicator", "target"],
        &rows,
    )?;
    Ok(())
}

/// Locks a letter's row for signing (PostgreSQL), and reads its status.
pub fn lock(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Letter>> {
    if c.backend() == crate::Backend::Postgres {
        c.query(
            "SELECT id FROM letters WHERE id = ? FOR UPDATE",
            params![id],
        )?;
    }
    get(c, scope, id)
}

pub fn sign(c: &mut dyn Conn, id: i64, by: Option<i64>, now: i64, on: NaiveDate) -> Result<()> {
    c.execute(
        "UPDATE letters SET status = 'signed', signed_by = ?, signed_at = ?, signed_on = ? WHERE id = ?",
        params![by, now, on, id],
    )?;
    Ok(())
}

impl FromRow for Letter {
    const TABLE: &'static str = "letters";
    fn from_row(r: &Row) -> Result<Letter> {
        Ok(Letter {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            year: r.get::<i64>("year")? as i32,
            status: r.decode("status", |s: String| LetterStatus::parse(&s))?,
            set_at: r.get("set_at")?,
            signed_on: r.get("signed_on")?,
            targets: Vec::new(),
        })
    }
}

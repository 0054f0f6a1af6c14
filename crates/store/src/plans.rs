//! Pairing plans, their pairings, workflow history, consultation feedback
//! and coverage exceptions. A scoped user sees a plan only when it holds a
//! pairing the scope reaches, and sees only those pairings.

use crate::db::{Backend, Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::plan::{Pairing, PairingPlan, PairingPlanKind, PairingPlanStatus, PairingRole};
use dingdian_core::role::Scope;

pub use dingdian_core::query::{PairingFilter, PairingPlanFilter};

pub use dingdian_core::plan_input::PairingPlanFields;

const PLAN_COLUMNS: &str = "p.id, p.name, p.kind, p.parent_id, p.county_list, p.period_start, p.period_end, p.status, p.version, p.previous_id, p.note, p.created_at, p.updated_at";

fn status(s: String) -> Option<PairingPlanStatus> {
    PairingPlanStatus::parse(&s)
}

impl FromRow for PairingPlan {
    const TABLE: &'static str = "plans";
    fn from_row(r: &Row) -> Result<PairingPlan> {
        Ok(PairingPlan {
            id: r.get("id")?,
            name: r.get("name")?,
            kind: r.decode("kind", |s: String| PairingPlanKind::parse(&s))?,
            parent_id: r.get("parent_id")?,
            county_list: r.get("county_list")?,
            period_start: r.get("period_start")?,
            period_end: r.get("period_end")?,
            status: r.decode("status", status)?,
            version: r.get("version")?,
            previous_id: r.get("previous_id")?,
            note: r.get("note")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

fn plan_scope(scope: &Scope, p: &mut Vec<Value>) -> String {
    if *scope == Scope::All {
        return String::new();
    }
    let cond = on_pairing("pr", scope, p);
    format!(" AND EXISTS (SELECT 1 FROM pairings pr WHERE pr.plan_id = p.id{cond})")
}

pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &PairingPlanFilter,
    page: Page,
) -> Result<(Vec<PairingPlan>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&plan_scope(scope, &mut p));
    if let Some(s) = f.status {
        w.push_str(" AND p.status = ?");
        p.push(s.as_str().into());
    }
    if let Some(k) = f.kind {
        w.push_str(" AND p.kind = ?");
        p.push(k.as_str().into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND p.name LIKE ?");
        p.push(format!("%{q}%").into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM plans p{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let plans = c.query_as(
        &format!("SELECT {PLAN_COLUMNS} FROM plans p{w} ORDER BY p.period_start DESC, p.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((plans, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<PairingPlan>> {
    let mut p = vec![Value::from(id)];
    let w = plan_scope(scope, &mut p);
    c.query_one_as(
        &format!("SELECT {PLAN_COLUMNS} FROM plans p WHERE p.id = ?{w}"),
        &p,
    )
}

/// `created_by` is `None` for the operator at the command line, who is no account.
pub fn insert(
    c: &mut dyn Conn,
    f: &PairingPlanFields,
    version: i64,
    previous_id: Option<i64>,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO plans (name, kind, parent_id, county_list, period_start, period_end, status, version, previous_id, note, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            f.name.clone(),
            f.kind.as_str(),
            f.parent_id,
            f.county_list.clone(),
            f.period_start,
            f.period_end,
            version,
            previous_id,
            f.note.clone(),
            created_by,
            now,
            now
        ],
    )
}

pub fn update(c: &mut dyn Conn, id: i64, f: &PairingPlanFields, now: i64) -> Result<()> {
    c.execute(
        "UPDATE plans SET name = ?, county_list = ?, period_start = ?, period_end = ?, note = ?, updated_at = ? WHERE id = ?",
        params![f.name.clone(), f.county_list.clone(), f.period_start, f.period_end, f.note.clone(), now, id],
    )?;
    Ok(())
}

pub fn set_status(c: &mut dyn Conn, id: i64, status: PairingPlanStatus, now: i64) -> Result<()> {
    c.execute(
        "UPDATE plans SET status = ?, updated_at = ? WHERE id = ?",
        params![status.as_str(), now, id],
    )?;
    Ok(())
}

/// Plans of the same kind (and, for specific plans, the same parent) in
/// `status` whose period overlaps `[start, end]`, other than `except`.
pub fn overlapping(
    c: &mut dyn Conn,
    plan: &PairingPlan,
    status: PairingPlanStatus,
) -> Result<Vec<PairingPlan>> {
    c.query_as(
        &format!(
            "SELECT {PLAN_COLUMNS} FROM plans p WHERE p.status = ? AND p.kind = ? AND p.id <> ? \
             AND p.period_start <= ? AND p.period_end >= ? AND COALESCE(p.parent_id, 0) = ?"
        ),
        params![
            status.as_str(),
            plan.kind.as_str(),
            plan.id,
            plan.period_end,
            plan.period_start,
            plan.parent_id.unwrap_or(0)
        ],
    )
}

/// Later versions that revise this plan.
pub fn next_versions(c: &mut dyn Conn, id: i64) -> Result<Vec<(i64, i64, PairingPlanStatus)>> {
    let rows = c.query(
        "SELECT id, version, status FROM plans WHERE previous_id = ? ORDER BY id",
        params![id],
    )?;
    rows.iter()
        .map(|r| Ok((r.get("id")?, r.get("version")?, r.decode("status", status)?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRecord {
    pub from: Option<PairingPlanStatus>,
    pub to: PairingPlanStatus,
    pub username: String,
    /// The person's display name (the user name when the account is gone).
    pub display_name: String,
    pub at: i64,
    pub reason: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub fn record_transition(
    c: &mut dyn Conn,
    plan_id: i64,
    from: Option<PairingPlanStatus>,
    to: PairingPlanStatus,
    user_id: Option<i64>,
    username: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO plan_transitions (plan_id, from_status, to_status, user_id, username, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![plan_id, from.map(|s| s.as_str()), to.as_str(), user_id, username, now, reason],
    )?;
    Ok(())
}

pub fn transitions(c: &mut dyn Conn, plan_id: i64) -> Result<Vec<TransitionRecord>> {
    c.query_as(
        "SELECT t.from_status, t.to_status, t.username, t.at, t.reason, COALESCE(u.display_name, t.username) AS display_name \
         FROM plan_transitions t LEFT JOIN users u ON u.id = t.user_id WHERE t.plan_id = ? ORDER BY t.id",
        params![plan_id],
    )
}

impl FromRow for TransitionRecord {
    const TABLE: &'static str = "plan_transitions";
    fn from_row(r: &Row) -> Result<TransitionRecord> {
        Ok(TransitionRecord {
            from: r.decode_opt("from_status", status)?,
            to: r.decode("to_status", status)?,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
            reason: r.get("reason")?,
        })
    }
}

const PAIRING_SELECT: &str = "SELECT pr.id, pr.plan_id, pr.unit_id, u.name AS unit_name, pr.county_code, a.name AS county_name, pr.role, pr.start_date, pr.end_date, pr.note \
     FROM pairings pr JOIN units u ON u.id = pr.unit_id JOIN areas a ON a.code = pr.county_code JOIN plans p ON p.id = pr.plan_id";

impl FromRow for Pairing {
    const TABLE: &'static str = "pairings";
    fn from_row(r: &Row) -> Result<Pairing> {
        Ok(Pairing {
            id: r.get("id")?,
            plan_id: r.get("plan_id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            role: r.decode("role", |s: String| PairingRole::parse(&s))?,
            start: r.get("start_date")?,
            end: r.get("end_date")?,
            note: r.get("note")?,
        })
    }
}

pub fn pairings(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &PairingFilter,
    page: Page,
) -> Result<(Vec<Pairing>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("pr", scope, &mut p));
    if let Some(id) = f.plan_id {
        w.push_str(" AND pr.plan_id = ?");
        p.push(id.into());
    }
    if let Some(id) = f.unit_id {
        w.push_str(" AND pr.unit_id = ?");
        p.push(id.into());
    }
    if let Some(code) = &f.county_code {
        w.push_str(" AND pr.county_code = ?");
        p.push(code.into());
    }
    if let Some(day) = f.active_on {
        w.push_str(" AND pr.start_date <= ? AND pr.end_date >= ?");
        p.push(day.into());
        p.push(day.into());
    }
    if !f.plan_statuses.is_empty() {
        w.push_str(&format!(
            " AND p.status IN ({})",
            vec!["?"; f.plan_statuses.len()].join(", ")
        ));
        p.extend(f.plan_statuses.iter().map(|s| Value::from(s.as_str())));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (u.name LIKE ? OR a.name LIKE ? OR pr.county_code LIKE ?)");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.into(), format!("{q}%").into()]);
    }
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM pairings pr JOIN units u ON u.id = pr.unit_id JOIN areas a ON a.code = pr.county_code JOIN plans p ON p.id = pr.plan_id{w}"),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let pairings = c.query_as(
        &format!("{PAIRING_SELECT}{w} ORDER BY pr.plan_id DESC, pr.county_code, pr.role, pr.unit_id LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((pairings, total))
}

/// All pairings of one plan the scope reaches.
pub fn plan_pairings(c: &mut dyn Conn, scope: &Scope, plan_id: i64) -> Result<Vec<Pairing>> {
    let f = PairingFilter {
        plan_id: Some(plan_id),
        ..Default::default()
    };
    Ok(pairings(c, scope, &f, Page::all())?.0)
}

pub fn get_pairing(c: &mut dyn Conn, id: i64) -> Result<Option<Pairing>> {
    c.query_one_as(&format!("{PAIRING_SELECT} WHERE pr.id = ?"), params![id])
}

pub struct NewPairing<'a> {
    pub plan_id: i64,
    pub unit_id: i64,
    pub county_code: &'a str,
    pub role: PairingRole,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub note: Option<&'a str>,
}

pub fn insert_pairing(c: &mut dyn Conn, n: &NewPairing) -> Result<i64> {
    c.query_i64(
        "INSERT INTO pairings (plan_id, unit_id, county_code, role, start_date, end_date, note) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![n.plan_id, n.unit_id, n.county_code, n.role.as_str(), n.start, n.end, n.note],
    )
}

/// Copies pairings into another plan (new versions, specific plans).
pub fn copy_pairings(
    c: &mut dyn Conn,
    from_plan: i64,
    to_plan: i64,
    units: Option<&[i64]>,
) -> Result<u64> {
    let mut p: Vec<Value> = vec![to_plan.into(), from_plan.into()];
    let mut w = String::new();
    if let Some(units) = units {
        w = format!(
            " AND unit_id IN ({})",
            vec!["?"; units.len().max(1)].join(", ")
        );
        if units.is_empty() {
            p.push(Value::Int(-1));
        }
        p.extend(units.iter().map(|u| Value::from(*u)));
    }
    c.execute(
        &format!(
            "INSERT INTO pairings (plan_id, unit_id, county_code, role, start_date, end_date, note) \
             SELECT ?, unit_id, county_code, role, start_date, end_date, note FROM pairings WHERE plan_id = ?{w}"
        ),
        &p,
    )
}

pub fn delete_pairing(c: &mut dyn Conn, id: i64) -> Result<()> {
    c.execute("DELETE FROM pairings WHERE id = ?", params![id])?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub text: Option<String>,
    pub at: i64,
}

pub fn insert_feedback(
    c: &mut dyn Conn,
    plan_id: i64,
    unit_id: i64,
    user_id: Option<i64>,
    kind: &str,
    text: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO plan_feedback (plan_id, unit_id, user_id, kind, text, at) VALUES (?, ?, ?, ?, ?, ?)",
        params![plan_id, unit_id, user_id, kind, text, now],
    )?;
    Ok(())
}

/// Whether the unit has already given its agreement to the plan.
/// Holds the plan's row until the transaction ends, so that two writers
/// that check and then write the plan's feedback take turns. SQLite's
/// write transactions already take turns (`BEGIN IMMEDIATE`).
pub fn lock(c: &mut dyn Conn, plan_id: i64) -> Result<()> {
    if c.backend() == Backend::Postgres {
        c.query(
            "SELECT id FROM plans WHERE id = ? FOR UPDATE",
            params![plan_id],
        )?;
    }
    Ok(())
}

pub fn unit_accepted(c: &mut dyn Conn, plan_id: i64, unit_id: i64) -> Result<bool> {
    Ok(c.query_i64(
        "SELECT COUNT(*) FROM plan_feedback WHERE plan_id = ? AND unit_id = ? AND kind = 'accept'",
        params![plan_id, unit_id],
    )? > 0)
}

/// How many units have pairings in the plan, and how many of them have
/// answered (agreed or commented) during consultation.
pub fn feedback_counts(c: &mut dyn Conn, plan_id: i64) -> Result<(i64, i64)> {
    let units = c.query_i64(
        "SELECT COUNT(DISTINCT unit_id) FROM pairings WHERE plan_id = ?",
        params![plan_id],
    )?;
    let answered = c.query_i64(
        "SELECT COUNT(DISTINCT f.unit_id) FROM plan_feedback f WHERE f.plan_id = ? \
         AND EXISTS (SELECT 1 FROM pairings pr WHERE pr.plan_id = f.plan_id AND pr.unit_id = f.unit_id)",
        params![plan_id],
    )?;
    Ok((answered, units))
}

/// Feedback on a plan; a scoped unit sees only its own.
pub fn feedback(c: &mut dyn Conn, scope: &Scope, plan_id: i64) -> Result<Vec<Feedback>> {
    let mut p: Vec<Value> = vec![plan_id.into()];
    let mut w = String::new();
    match scope {
        Scope::All => {}
        Scope::Unit(u) | Scope::UnitCounty(u, _) => {
            w.push_str(" AND f.unit_id = ?");
            p.push((*u).into());
        }
        Scope::County(county) => {
            w.push_str(" AND EXISTS (SELECT 1 FROM pairings pr WHERE pr.plan_id = f.plan_id AND pr.unit_id = f.unit_id AND pr.county_code = ?)");
            p.push(county.as_str().into());
        }
    }
    c.query_as(
        &format!("SELECT f.unit_id, u.name AS unit_name, f.kind, f.text, f.at FROM plan_feedback f JOIN units u ON u.id = f.unit_id WHERE f.plan_id = ?{w} ORDER BY f.id"),
        &p,
    )
}

impl FromRow for Feedback {
    const TABLE: &'static str = "plan_feedback";
    fn from_row(r: &Row) -> Result<Feedback> {
        Ok(Feedback {
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            kind: r.get("kind")?,
            text: r.get("text")?,
            at: r.get("at")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageException {
    pub county_code: String,
    pub reason: String,
    pub at: i64,
}

pub fn set_exception(
    c: &mut dyn Conn,
    plan_id: i64,
    county: &str,
    reason: &str,
    user_id: Option<i64>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO coverage_exceptions (plan_id, county_code, reason, user_id, at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (plan_id, county_code) DO UPDATE SET reason = excluded.reason, user_id = excluded.user_id, at = excluded.at",
        params![plan_id, county, reason, user_id, now],
    )?;
    Ok(())
}

/// Carries a plan's recorded reasons for uncovered counties into its new
/// version, with who recorded them and when.
pub fn copy_exceptions(c: &mut dyn Conn, from: i64, to: i64) -> Result<u64> {
    c.execute(
        "INSERT INTO coverage_exceptions (plan_id, county_code, reason, user_id, at) \
         SELECT ?, county_code, reason, user_id, at FROM coverage_exceptions WHERE plan_id = ?",
        params![to, from],
    )
}

pub fn exceptions(c: &mut dyn Conn, plan_id: i64) -> Result<Vec<CoverageException>> {
    c.query_as(
        "SELECT county_code, reason, at FROM coverage_exceptions WHERE plan_id = ? ORDER BY county_code",
        params![plan_id],
    )
}

impl FromRow for CoverageException {
    const TABLE: &'static str = "coverage_exceptions";
    fn from_row(r: &Row) -> Result<CoverageException> {
        Ok(CoverageException {
            county_code: r.get("county_code")?,
            reason: r.get("reason")?,
            at: r.get("at")?,
        })
    }
}

/// Which of these plans the unit has answered (agreed or commented).
pub fn answered_by(
    c: &mut dyn Conn,
    unit_id: i64,
    plan_ids: &[i64],
) -> Result<std::collections::HashSet<i64>> {
    if plan_ids.is_empty() {
        return Ok(Default::default());
    }
    let marks = vec!["?"; plan_ids.len()].join(", ");
    let mut p: Vec<Value> = vec![unit_id.into()];
    p.extend(plan_ids.iter().map(|&id| Value::from(id)));
    let rows = c.query(
        &format!(
            "SELECT DISTINCT plan_id FROM plan_feedback WHERE unit_id = ? AND plan_id IN ({marks})"
        ),
        &p,
    )?;
    rows.iter().map(|r| r.single()).collect()
}

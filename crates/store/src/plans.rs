//! Pairing plans, their pairings, workflow history, consultation feedback
//! and coverage exceptions. A scoped user sees a plan only when it holds a
//! pairing the scope reaches, and sees only those pairings.

use crate::db::{Backend, Conn, Page, Result, Row, Value};
use crate::params;
use chrono::NaiveDate;
use dingdian_core::plan::{Pairing, PairingPlan, PairingPlanKind, PairingPlanStatus, PairingRole};
use dingdian_core::role::Scope;

pub use dingdian_core::query::{PairingFilter, PairingPlanFilter};

/// The fields of a plan as stored.
#[derive(Debug, Clone)]
pub struct PairingPlanFields {
    pub name: String,
    pub kind: PairingPlanKind,
    pub parent_id: Option<i64>,
    pub county_list: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub note: Option<String>,
}

const PLAN_COLUMNS: &str = "p.id, p.name, p.kind, p.parent_id, p.county_list, p.period_start, p.period_end, p.status, p.version, p.previous_id, p.note, p.created_at, p.updated_at";

fn plan_from_row(r: &Row) -> PairingPlan {
    PairingPlan {
        id: r.i64(0),
        name: r.str(1),
        kind: PairingPlanKind::parse(&r.str(2)).unwrap_or(PairingPlanKind::Overall),
        parent_id: r.opt_i64(3),
        county_list: r.str(4),
        period_start: r.date(5),
        period_end: r.date(6),
        status: PairingPlanStatus::parse(&r.str(7)).unwrap_or(PairingPlanStatus::Draft),
        version: r.i64(8),
        previous_id: r.opt_i64(9),
        note: r.opt_str(10),
        created_at: r.i64(11),
        updated_at: r.i64(12),
    }
}

/// The condition on pairing alias `pr` for a scope.
fn pairing_scope(scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) => {
            p.push((*u).into());
            " AND pr.unit_id = ?".into()
        }
        Scope::County(county) => {
            p.push(county.into());
            " AND pr.county_code = ?".into()
        }
        Scope::UnitCounty(u, county) => {
            p.push((*u).into());
            p.push(county.into());
            " AND pr.unit_id = ? AND pr.county_code = ?".into()
        }
    }
}

fn plan_scope(scope: &Scope, p: &mut Vec<Value>) -> String {
    if *scope == Scope::All {
        return String::new();
    }
    let cond = pairing_scope(scope, p);
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
    let rows = c.query(
        &format!("SELECT {PLAN_COLUMNS} FROM plans p{w} ORDER BY p.period_start DESC, p.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((rows.iter().map(plan_from_row).collect(), total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<PairingPlan>> {
    let mut p = vec![Value::from(id)];
    let w = plan_scope(scope, &mut p);
    let rows = c.query(
        &format!("SELECT {PLAN_COLUMNS} FROM plans p WHERE p.id = ?{w}"),
        &p,
    )?;
    Ok(rows.first().map(plan_from_row))
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
    let rows = c.query(
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
    )?;
    Ok(rows.iter().map(plan_from_row).collect())
}

/// Later versions that revise this plan.
pub fn next_versions(c: &mut dyn Conn, id: i64) -> Result<Vec<(i64, i64, PairingPlanStatus)>> {
    let rows = c.query(
        "SELECT id, version, status FROM plans WHERE previous_id = ? ORDER BY id",
        params![id],
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.i64(0),
                r.i64(1),
                PairingPlanStatus::parse(&r.str(2)).unwrap_or(PairingPlanStatus::Draft),
            )
        })
        .collect())
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
    let rows = c.query(
        "SELECT t.from_status, t.to_status, t.username, t.at, t.reason, COALESCE(u.display_name, t.username) \
         FROM plan_transitions t LEFT JOIN users u ON u.id = t.user_id WHERE t.plan_id = ? ORDER BY t.id",
        params![plan_id],
    )?;
    Ok(rows
        .iter()
        .map(|r| TransitionRecord {
            from: r.opt_str(0).and_then(|s| PairingPlanStatus::parse(&s)),
            to: PairingPlanStatus::parse(&r.str(1)).unwrap_or(PairingPlanStatus::Draft),
            username: r.str(2),
            display_name: r.str(5),
            at: r.i64(3),
            reason: r.opt_str(4),
        })
        .collect())
}

const PAIRING_SELECT: &str = "SELECT pr.id, pr.plan_id, pr.unit_id, u.name, pr.county_code, a.name, pr.role, pr.start_date, pr.end_date, pr.note \
     FROM pairings pr JOIN units u ON u.id = pr.unit_id JOIN areas a ON a.code = pr.county_code JOIN plans p ON p.id = pr.plan_id";

fn pairing_from_row(r: &Row) -> Pairing {
    Pairing {
        id: r.i64(0),
        plan_id: r.i64(1),
        unit_id: r.i64(2),
        unit_name: r.str(3),
        county_code: r.str(4),
        county_name: r.str(5),
        role: PairingRole::parse(&r.str(6)).unwrap_or(PairingRole::Member),
        start: r.date(7),
        end: r.date(8),
        note: r.opt_str(9),
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
    w.push_str(&pairing_scope(scope, &mut p));
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
    let rows = c.query(
        &format!("{PAIRING_SELECT}{w} ORDER BY pr.plan_id DESC, pr.county_code, pr.role, pr.unit_id LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((rows.iter().map(pairing_from_row).collect(), total))
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
    let rows = c.query(&format!("{PAIRING_SELECT} WHERE pr.id = ?"), params![id])?;
    Ok(rows.first().map(pairing_from_row))
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
            p.push(county.into());
        }
    }
    let rows = c.query(
        &format!("SELECT f.unit_id, u.name, f.kind, f.text, f.at FROM plan_feedback f JOIN units u ON u.id = f.unit_id WHERE f.plan_id = ?{w} ORDER BY f.id"),
        &p,
    )?;
    Ok(rows
        .iter()
        .map(|r| Feedback {
            unit_id: r.i64(0),
            unit_name: r.str(1),
            kind: r.str(2),
            text: r.opt_str(3),
            at: r.i64(4),
        })
        .collect())
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
    let rows = c.query(
        "SELECT county_code, reason, at FROM coverage_exceptions WHERE plan_id = ? ORDER BY county_code",
        params![plan_id],
    )?;
    Ok(rows
        .iter()
        .map(|r| CoverageException {
            county_code: r.str(0),
            reason: r.str(1),
            at: r.i64(2),
        })
        .collect())
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
    Ok(rows.iter().map(|r| r.i64(0)).collect())
}

//! Secondments and their dated steps; the pairings current on a day (for
//! continuity and the inspection rule); the cadre accounts a secondment
//! may be linked to.

use crate::assistance_plans::{StepRecord, Who, steps};
use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::role::Scope;
use dingdian_core::secondment::{
    AccountChoice, PairingKey, Secondment, SecondmentFields, SecondmentFilter, SecondmentRole,
    SecondmentStatus,
};

const SELECT: &str = "SELECT s.*, u.name AS unit_name, a.name AS county_name, v.name AS village_name, us.username \
     FROM secondments s JOIN units u ON u.id = s.unit_id JOIN areas a ON a.code = s.county_code \
     LEFT JOIN areas v ON v.code = s.village_code LEFT JOIN users us ON us.id = s.user_id";

impl FromRow for Secondment {
    const TABLE: &'static str = "secondments";
    fn from_row(r: &Row) -> Result<Secondment> {
        Ok(Secondment {
            id: r.get("id")?,
            person_name: r.get("person_name")?,
            person_rank: r.get("person_rank")?,
            contact: r.get("contact")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            village_code: r.get("village_code")?,
            village_name: r.get("village_name")?,
            post: r.get("post")?,
            role: r.decode("role", |s: String| SecondmentRole::from_code(&s))?,
            batch: r.get("batch")?,
            start: r.get("start_date")?,
            planned_end: r.get("planned_end")?,
            end: r.get("end_date")?,
            status: r.decode("status", |s: String| SecondmentStatus::from_code(&s))?,
            recall_reason: r.get("recall_reason")?,
            user_id: r.get("user_id")?,
            username: r.get("username")?,
        })
    }
}

impl FromRow for StepRecord<SecondmentStatus> {
    const TABLE: &'static str = "secondment_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        let parse = |s: String| SecondmentStatus::from_code(&s);
        Ok(StepRecord {
            from: r.decode_opt("from_status", parse)?,
            to: r.decode("to_status", parse)?,
            on_date: None,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
            reason: r.get("reason")?,
        })
    }
}

fn filter_where(scope: &Scope, f: &SecondmentFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("s", scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND s.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND s.county_code = ?");
        p.push(county.into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND s.status = ?");
        p.push(s.code().into());
    }
    if let Some(b) = f.batch {
        w.push_str(" AND s.batch = ?");
        p.push(b.into());
    }
    if f.without_account {
        w.push_str(" AND s.status = 'serving' AND s.user_id IS NULL");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (s.person_name LIKE ? OR s.post LIKE ?)");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.into()]);
    }
    w
}

/// A page of secondments in the scope, by county, batch and start.
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &SecondmentFilter,
    page: Page,
) -> Result<(Vec<Secondment>, i64)> {
    let mut p = Vec::new();
    let w = filter_where(scope, f, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM secondments s{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let items = c.query_as(
        &format!(
            "{SELECT}{w} ORDER BY s.county_code, s.unit_id, s.batch, s.role, s.start_date, s.id LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    Ok((items, total))
}

pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Secondment>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("s", scope, &mut p);
    c.query_one_as(&format!("{SELECT} WHERE s.id = ?{w}"), &p)
}

/// Every secondment of a unit (overlap checks look at all its counties).
pub fn of_unit(c: &mut dyn Conn, unit_id: i64) -> Result<Vec<Secondment>> {
    c.query_as(
        &format!("{SELECT} WHERE s.unit_id = ? ORDER BY s.id"),
        params![unit_id],
    )
}

pub fn insert(
    c: &mut dyn Conn,
    unit_id: i64,
    f: &SecondmentFields,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64> {
    c.query_i64(
        "INSERT INTO secondments (unit_id, county_code, village_code, person_name, person_rank, contact, post, role, batch, start_date, planned_end, status, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?) RETURNING id",
        params![unit_id, f.county_code.clone(), f.village_code.clone(), f.person_name.clone(), f.person_rank.clone(), f.contact.clone(), f.post.clone(), f.role.code(), f.batch, f.start, f.planned_end, created_by, now, now],
    )
}

pub fn update(c: &mut dyn Conn, id: i64, f: &SecondmentFields, now: i64) -> Result<()> {
    c.execute(
        "UPDATE secondments SET county_code = ?, village_code = ?, person_name = ?, person_rank = ?, contact = ?, post = ?, role = ?, batch = ?, start_date = ?, planned_end = ?, updated_at = ? WHERE id = ?",
        params![f.county_code.clone(), f.village_code.clone(), f.person_name.clone(), f.person_rank.clone(), f.contact.clone(), f.post.clone(), f.role.code(), f.batch, f.start, f.planned_end, now, id],
    )?;
    Ok(())
}

/// The new status; a closing step's end and a recall's reason.
pub fn set_status(
    c: &mut dyn Conn,
    id: i64,
    to: SecondmentStatus,
    (end, reason): (Option<NaiveDate>, Option<&str>),
    now: i64,
) -> Result<()> {
    c.execute(
        "UPDATE secondments SET status = ?, end_date = COALESCE(?, end_date), recall_reason = COALESCE(?, recall_reason), updated_at = ? WHERE id = ?",
        params![to.code(), end, reason, now, id],
    )?;
    Ok(())
}

pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (Option<SecondmentStatus>, SecondmentStatus),
    (user_id, username): Who,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO secondment_transitions (secondment_id, from_status, to_status, user_id, username, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, from.map(|s| s.code()), to.code(), user_id, username, now, reason],
    )?;
    Ok(())
}

pub fn transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<SecondmentStatus>>> {
    steps(c, "secondment_transitions", "secondment_id", id)
}

pub fn set_account(c: &mut dyn Conn, id: i64, user_id: Option<i64>, now: i64) -> Result<()> {
    c.execute(
        "UPDATE secondments SET user_id = ?, updated_at = ? WHERE id = ?",
        params![user_id, now, id],
    )?;
    Ok(())
}

/// Whether `code` is a village of the county.
pub fn is_village_of(c: &mut dyn Conn, code: &str, county: &str) -> Result<bool> {
    Ok(c.query_one(
        "SELECT 1 FROM areas WHERE code = ? AND level = 'village' AND code LIKE ?",
        params![code, format!("{county}%")],
    )?
    .is_some())
}

impl FromRow for AccountChoice {
    const TABLE: &'static str = "users";
    fn from_row(r: &Row) -> Result<AccountChoice> {
        Ok(AccountChoice {
            id: r.get("id")?,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            role: r.get("role")?,
        })
    }
}

/// The active accounts of role cadre of this unit and county.
pub fn cadre_accounts(c: &mut dyn Conn, unit_id: i64, county: &str) -> Result<Vec<AccountChoice>> {
    c.query_as(
        "SELECT id, username, display_name, role FROM users WHERE role = 'cadre' AND active = ? AND unit_id = ? AND county_code = ? ORDER BY username",
        params![true, unit_id, county],
    )
}

impl FromRow for (PairingKey, NaiveDate) {
    const TABLE: &'static str = "pairings";
    fn from_row(r: &Row) -> Result<(PairingKey, NaiveDate)> {
        Ok((
            PairingKey {
                unit_id: r.get("unit_id")?,
                unit_name: r.get("unit_name")?,
                county_code: r.get("county_code")?,
                county_name: r.get("county_name")?,
            },
            r.get("since")?,
        ))
    }
}

/// The pairings (of approved, active or superseded plans) in the scope
/// that run on `day`, each with the first day the unit was paired with
/// the county.
pub fn pairings_on(
    c: &mut dyn Conn,
    scope: &Scope,
    day: NaiveDate,
) -> Result<Vec<(PairingKey, NaiveDate)>> {
    let mut p = Vec::new();
    let w = on_pairing("pr", scope, &mut p);
    p.extend([day.into(), day.into()]);
    c.query_as(
        &format!(
            "SELECT pr.unit_id, u.name AS unit_name, pr.county_code, a.name AS county_name, MIN(pr.start_date) AS since \
             FROM pairings pr JOIN plans pl ON pl.id = pr.plan_id JOIN units u ON u.id = pr.unit_id JOIN areas a ON a.code = pr.county_code \
             WHERE pl.status IN ('approved', 'active', 'superseded'){w} \
             GROUP BY pr.unit_id, u.name, pr.county_code, a.name \
             HAVING MIN(pr.start_date) <= ? AND MAX(pr.end_date) >= ? \
             ORDER BY u.name, pr.county_code"
        ),
        &p,
    )
}

/// Every secondment of the pairings in the scope (continuity reads them all).
pub fn all_in(c: &mut dyn Conn, scope: &Scope) -> Result<Vec<Secondment>> {
    let mut p = Vec::new();
    let w = on_pairing("s", scope, &mut p);
    c.query_as(
        &format!("{SELECT} WHERE 1 = 1{w} ORDER BY s.start_date, s.id"),
        &p,
    )
}

/// Cadres serving on `day` per county in the scope: (county name, count).
pub fn serving_by_county(
    c: &mut dyn Conn,
    scope: &Scope,
    day: NaiveDate,
) -> Result<Vec<(String, i64)>> {
    let mut p = vec![Value::from(day), Value::from(day)];
    let w = on_pairing("s", scope, &mut p);
    let rows = c.query(
        &format!(
            "SELECT a.name AS county_name, COUNT(*) AS n FROM secondments s JOIN areas a ON a.code = s.county_code \
             WHERE s.status = 'serving' AND s.start_date <= ? AND COALESCE(s.end_date, s.planned_end) >= ?{w} \
             GROUP BY a.name ORDER BY n DESC, a.name"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| Ok((r.get("county_name")?, r.get("n")?)))
        .collect()
}

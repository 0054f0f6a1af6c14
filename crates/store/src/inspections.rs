//! Inspections with their counties, findings and rectification items, and
//! the items' steps. An inspection reaches a county officer (or a cadre)
//! through the counties it visited, and shows it only that county's
//! findings; items carry their unit and county for scoped reads.

use crate::assistance_plans::{StepRecord, Who};
use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use crate::scope::on_pairing;
use chrono::NaiveDate;
use dingdian_core::inspection::{
    Finding, InspectedBy, Inspection, InspectionFields, InspectionFilter, Rectification,
    RectificationFilter, RectificationStatus, is_overdue,
};
use dingdian_core::role::Scope;
use dingdian_core::secondment::AccountChoice;

/// The condition the scope puts on an inspection (alias `i`).
fn inspection_scope(scope: &Scope, p: &mut Vec<Value>) -> String {
    let visited = "EXISTS (SELECT 1 FROM inspection_counties ic WHERE ic.inspection_id = i.id AND ic.county_code = ?)";
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) => {
            p.push((*u).into());
            " AND i.unit_id = ?".into()
        }
        Scope::County(county) => {
            p.push(county.as_str().into());
            format!(" AND {visited}")
        }
        Scope::UnitCounty(u, county) => {
            p.push((*u).into());
            p.push(county.as_str().into());
            format!(" AND i.unit_id = ? AND {visited}")
        }
    }
}

/// An inspection's own row; counties and findings are read after.
struct Head {
    id: i64,
    unit_id: i64,
    unit_name: String,
    inspected_by: InspectedBy,
    date: NaiveDate,
    team: String,
    summary: String,
}

impl FromRow for Head {
    const TABLE: &'static str = "inspections";
    fn from_row(r: &Row) -> Result<Head> {
        Ok(Head {
            id: r.get("id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            inspected_by: r.decode("inspected_by", |s: String| InspectedBy::from_code(&s))?,
            date: r.get("inspected_on")?,
            team: r.get("team")?,
            summary: r.get("summary")?,
        })
    }
}

/// A rectification read with `today`'s overdue flag set afterwards.
impl FromRow for Rectification {
    const TABLE: &'static str = "rectifications";
    fn from_row(r: &Row) -> Result<Rectification> {
        Ok(Rectification {
            id: r.get("id")?,
            finding_id: r.get("finding_id")?,
            inspection_id: r.get("inspection_id")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            finding: r.get("finding")?,
            action: r.get("action")?,
            owner: r.get("owner_id")?,
            owner_name: r.get("owner_name")?,
            deadline: r.get("deadline")?,
            status: r.decode("status", |s: String| RectificationStatus::from_code(&s))?,
            done_on: r.get("done_on")?,
            overdue: false,
        })
    }
}

const ITEMS: &str = "SELECT r.*, f.inspection_id, f.finding, u.name AS unit_name, a.name AS county_name, o.display_name AS owner_name \
     FROM rectifications r JOIN inspection_findings f ON f.id = r.finding_id JOIN units u ON u.id = r.unit_id \
     JOIN areas a ON a.code = r.county_code JOIN users o ON o.id = r.owner_id";

fn flag(mut items: Vec<Rectification>, today: NaiveDate) -> Vec<Rectification> {
    for r in &mut items {
        r.overdue = is_overdue(r.status, r.deadline, today);
    }
    items
}

fn list_where(scope: &Scope, f: &InspectionFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&inspection_scope(scope, p));
    if let Some(u) = f.unit_id {
        w.push_str(" AND i.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND EXISTS (SELECT 1 FROM inspection_counties fc WHERE fc.inspection_id = i.id AND fc.county_code = ?)");
        p.push(county.into());
    }
    if let Some(y) = f.year {
        w.push_str(" AND i.inspected_on >= ? AND i.inspected_on <= ?");
        p.extend([
            format!("{y:04}-01-01").into(),
            format!("{y:04}-12-31").into(),
        ]);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{q}%");
        w.push_str(" AND (i.team LIKE ? OR i.summary LIKE ? OR EXISTS (SELECT 1 FROM inspection_findings qf WHERE qf.inspection_id = i.id AND qf.finding LIKE ?))");
        p.extend([like.clone().into(), like.clone().into(), like.into()]);
    }
    w
}

const HEAD: &str =
    "SELECT i.*, u.name AS unit_name FROM inspections i JOIN units u ON u.id = i.unit_id";

/// A page of inspections in the scope, newest first, each whole (as the
/// scope shows it).
pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &InspectionFilter,
    page: Page,
    today: NaiveDate,
) -> Result<(Vec<Inspection>, i64)> {
    let mut p = Vec::new();
    let w = list_where(scope, f, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM inspections i{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let heads: Vec<Head> = c.query_as(
        &format!("{HEAD}{w} ORDER BY i.inspected_on DESC, i.id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    let items = heads
        .into_iter()
        .map(|h| whole(c, scope, h, today))
        .collect::<Result<_>>()?;
    Ok((items, total))
}

pub fn get(
    c: &mut dyn Conn,
    scope: &Scope,
    id: i64,
    today: NaiveDate,
) -> Result<Option<Inspection>> {
    let mut p = vec![Value::from(id)];
    let w = inspection_scope(scope, &mut p);
    match c.query_one_as::<Head>(&format!("{HEAD} WHERE i.id = ?{w}"), &p)? {
        Some(h) => Ok(Some(whole(c, scope, h, today)?)),
        None => Ok(None),
    }
}

/// The counties and findings (a county's only, for a county-bound scope).
fn whole(c: &mut dyn Conn, scope: &Scope, h: Head, today: NaiveDate) -> Result<Inspection> {
    let rows = c.query(
        "SELECT county_code FROM inspection_counties WHERE inspection_id = ? ORDER BY county_code",
        params![h.id],
    )?;
    let counties = rows
        .iter()
        .map(|r| r.get("county_code"))
        .collect::<Result<Vec<String>>>()?;
    let mut p = vec![Value::from(h.id)];
    let only = scope
        .county()
        .map(|county| {
            p.push(county.into());
            " AND f.county_code = ?"
        })
        .unwrap_or_default();
    let found = c.query(
        &format!("SELECT f.id, f.county_code, f.finding FROM inspection_findings f WHERE f.inspection_id = ?{only} ORDER BY f.position"),
        &p,
    )?;
    let items = flag(
        c.query_as(
            &format!("{ITEMS} WHERE f.inspection_id = ?{only} ORDER BY r.id"),
            &p,
        )?,
        today,
    );
    let findings = found
        .iter()
        .map(|r| {
            let id: i64 = r.get("id")?;
            Ok(Finding {
                id,
                county_code: r.get("county_code")?,
                text: r.get("finding")?,
                items: items
                    .iter()
                    .filter(|i| i.finding_id == id)
                    .cloned()
                    .collect(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Inspection {
        id: h.id,
        unit_id: h.unit_id,
        unit_name: h.unit_name,
        inspected_by: h.inspected_by,
        date: h.date,
        team: h.team,
        summary: h.summary,
        counties,
        findings,
    })
}

/// Writes an inspection with its counties, findings and items (status
/// open); the id.
pub fn insert(
    c: &mut dyn Conn,
    (unit_id, by): (i64, InspectedBy),
    f: &InspectionFields,
    who: Who,
    now: i64,
) -> Result<i64> {
    let created_by = who.0;
    let id = c.query_i64(
        "INSERT INTO inspections (unit_id, inspected_by, inspected_on, team, summary, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![unit_id, by.code(), f.date, f.team.clone(), f.summary.clone(), created_by, now],
    )?;
    let counties: Vec<Vec<Value>> = f
        .counties
        .iter()
        .map(|county| vec![id.into(), county.into()])
        .collect();
    c.insert_rows(
        "inspection_counties",
        &["inspection_id", "county_code"],
        &counties,
    )?;
    for (n, finding) in f.findings.iter().enumerate() {
        let fid = c.query_i64(
            "INSERT INTO inspection_findings (inspection_id, county_code, position, finding) VALUES (?, ?, ?, ?) RETURNING id",
            params![id, finding.county_code.clone(), n as i64, finding.text.clone()],
        )?;
        for item in &finding.items {
            let rid = c.query_i64(
                "INSERT INTO rectifications (finding_id, unit_id, county_code, action, owner_id, deadline, status, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                params![fid, unit_id, finding.county_code.clone(), item.action.clone(), item.owner, item.deadline, now, now],
            )?;
            record_transition(c, rid, (None, RectificationStatus::Open), who, None, now)?;
        }
    }
    Ok(id)
}

fn item_where(scope: &Scope, f: &RectificationFilter, p: &mut Vec<Value>) -> String {
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&on_pairing("r", scope, p));
    if let Some(s) = f.status {
        w.push_str(" AND r.status = ?");
        p.push(s.code().into());
    }
    if let Some(today) = f.overdue_on {
        w.push_str(" AND r.deadline < ? AND r.status NOT IN ('done', 'verified')");
        p.push(today.into());
    }
    if let Some(o) = f.owner {
        w.push_str(" AND r.owner_id = ?");
        p.push(o.into());
    }
    if let Some(u) = f.unit_id {
        w.push_str(" AND r.unit_id = ?");
        p.push(u.into());
    }
    if let Some(county) = &f.county_code {
        w.push_str(" AND r.county_code = ?");
        p.push(county.into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!("%{q}%");
        w.push_str(" AND (r.action LIKE ? OR f.finding LIKE ?)");
        p.extend([like.clone().into(), like.into()]);
    }
    w
}

/// A page of rectification items in the scope, soonest deadline first.
pub fn items(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &RectificationFilter,
    page: Page,
    today: NaiveDate,
) -> Result<(Vec<Rectification>, i64)> {
    let mut p = Vec::new();
    let w = item_where(scope, f, &mut p);
    let total = c.query_i64(
        &format!("SELECT COUNT(*) FROM rectifications r JOIN inspection_findings f ON f.id = r.finding_id{w}"),
        &p,
    )?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let rows = c.query_as(
        &format!("{ITEMS}{w} ORDER BY r.deadline, r.id LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((flag(rows, today), total))
}

pub fn item(
    c: &mut dyn Conn,
    scope: &Scope,
    id: i64,
    today: NaiveDate,
) -> Result<Option<Rectification>> {
    let mut p = vec![Value::from(id)];
    let w = on_pairing("r", scope, &mut p);
    let found: Option<Rectification> = c.query_one_as(&format!("{ITEMS} WHERE r.id = ?{w}"), &p)?;
    Ok(found.map(|r| flag(vec![r], today).remove(0)))
}

/// The new status; `done_on` is set by done, `verified_by` by verified.
pub fn set_item_status(
    c: &mut dyn Conn,
    id: i64,
    to: RectificationStatus,
    (on, by): (NaiveDate, Option<i64>),
    now: i64,
) -> Result<()> {
    use RectificationStatus::*;
    let (done_on, verified_by, verified_at) = match to {
        Done => (Some(on), None, None),
        Verified => (None, by, Some(now)),
        _ => (None, None, None),
    };
    c.execute(
        "UPDATE rectifications SET status = ?, done_on = CASE WHEN ? = 'in_progress' THEN NULL ELSE COALESCE(?, done_on) END, \
         verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?",
        params![to.code(), to.code(), done_on, verified_by, verified_at, now, id],
    )?;
    Ok(())
}

pub fn record_transition(
    c: &mut dyn Conn,
    id: i64,
    (from, to): (Option<RectificationStatus>, RectificationStatus),
    (user_id, username): Who,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO rectification_transitions (rectification_id, from_status, to_status, user_id, username, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![id, from.map(|s| s.code()), to.code(), user_id, username, now, note],
    )?;
    Ok(())
}

impl FromRow for StepRecord<RectificationStatus> {
    const TABLE: &'static str = "rectification_transitions";
    fn from_row(r: &Row) -> Result<Self> {
        let parse = |s: String| RectificationStatus::from_code(&s);
        Ok(StepRecord {
            from: r.decode_opt("from_status", parse)?,
            to: r.decode("to_status", parse)?,
            on_date: None,
            username: r.get("username")?,
            display_name: r.get("display_name")?,
            at: r.get("at")?,
            reason: r.get("note")?,
        })
    }
}

pub fn item_transitions(c: &mut dyn Conn, id: i64) -> Result<Vec<StepRecord<RectificationStatus>>> {
    c.query_as(
        "SELECT t.from_status, t.to_status, t.username, t.at, t.note, COALESCE(u.display_name, t.username) AS display_name \
         FROM rectification_transitions t LEFT JOIN users u ON u.id = t.user_id WHERE t.rectification_id = ? ORDER BY t.id",
        params![id],
    )
}

/// The active accounts of the pairing: the unit's managers, the county's
/// officers and the unit's cadres in the county.
pub fn owners(c: &mut dyn Conn, unit_id: i64, county: &str) -> Result<Vec<AccountChoice>> {
    c.query_as(
        "SELECT id, username, display_name, role FROM users WHERE active = ? AND (\
         (role = 'unit' AND unit_id = ?) OR (role = 'county' AND county_code = ?) \
         OR (role = 'cadre' AND unit_id = ? AND county_code = ?)) ORDER BY role, username",
        params![true, unit_id, county, unit_id, county],
    )
}

/// Every (unit, county visited, date) of the inspections in the scope.
pub fn dates(c: &mut dyn Conn, scope: &Scope) -> Result<Vec<(i64, String, NaiveDate)>> {
    let mut p = Vec::new();
    let w = on_pairing("x", scope, &mut p);
    let rows = c.query(
        &format!(
            "SELECT x.unit_id, x.county_code, x.inspected_on FROM (SELECT i.unit_id, ic.county_code, i.inspected_on \
             FROM inspections i JOIN inspection_counties ic ON ic.inspection_id = i.id) x WHERE 1 = 1{w}"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| {
            Ok((
                r.get("unit_id")?,
                r.get("county_code")?,
                r.get("inspected_on")?,
            ))
        })
        .collect()
}

/// Overdue items on `today` per unit in the scope: (unit name, count).
pub fn overdue_by_unit(
    c: &mut dyn Conn,
    scope: &Scope,
    today: NaiveDate,
) -> Result<Vec<(String, i64)>> {
    let mut p = vec![Value::from(today)];
    let w = on_pairing("r", scope, &mut p);
    let rows = c.query(
        &format!(
            "SELECT u.name AS unit_name, COUNT(*) AS n FROM rectifications r JOIN units u ON u.id = r.unit_id \
             WHERE r.deadline < ? AND r.status NOT IN ('done', 'verified'){w} GROUP BY u.name ORDER BY n DESC, u.name"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| Ok((r.get("unit_name")?, r.get("n")?)))
        .collect()
}

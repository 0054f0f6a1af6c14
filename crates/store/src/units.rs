//! Assisting units. Reads are scoped: a unit sees itself, a county sees the
//! units paired with it, a cadre sees its own unit.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use dingdian_core::role::Scope;
use dingdian_core::unit::{Unit, UnitFields, UnitKind};

pub use dingdian_core::query::UnitFilter;

const COLUMNS: &str = "u.id, u.name, u.kind, u.leader, u.department, u.contact_name, u.contact_phone, u.contact_email, u.address, u.note";

impl FromRow for Unit {
    const TABLE: &'static str = "units";
    fn from_row(r: &Row) -> Result<Unit> {
        Ok(Unit {
            id: r.get("id")?,
            name: r.get("name")?,
            kind: r.decode("kind", |s: String| UnitKind::parse(&s))?,
            leader: r.get("leader")?,
            department: r.get("department")?,
            contact_name: r.get("contact_name")?,
            contact_phone: r.get("contact_phone")?,
            contact_email: r.get("contact_email")?,
            address: r.get("address")?,
            note: r.get("note")?,
        })
    }
}

/// The SQL condition that limits units to a scope.
fn scope_clause(scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Unit(u) | Scope::UnitCounty(u, _) => {
            p.push((*u).into());
            " AND u.id = ?".into()
        }
        Scope::County(county) => {
            p.push(county.as_str().into());
            " AND EXISTS (SELECT 1 FROM pairings pr WHERE pr.unit_id = u.id AND pr.county_code = ?)"
                .into()
        }
    }
}

pub fn list(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &UnitFilter,
    page: Page,
) -> Result<(Vec<Unit>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_clause(scope, &mut p));
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (u.name LIKE ? OR LOWER(COALESCE(u.department, '')) LIKE LOWER(?) OR LOWER(COALESCE(u.leader, '')) LIKE LOWER(?))");
        let like = format!("%{q}%");
        p.extend([like.clone().into(), like.clone().into(), like.into()]);
    }
    if let Some(k) = f.kind {
        w.push_str(" AND u.kind = ?");
        p.push(k.as_str().into());
    }
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM units u{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let units = c.query_as(
        &format!("SELECT {COLUMNS} FROM units u{w} ORDER BY u.id LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((units, total))
}

/// One unit, if it exists and the scope reaches it.
pub fn get(c: &mut dyn Conn, scope: &Scope, id: i64) -> Result<Option<Unit>> {
    let mut p = vec![Value::from(id)];
    let w = scope_clause(scope, &mut p);
    c.query_one_as(
        &format!("SELECT {COLUMNS} FROM units u WHERE u.id = ?{w}"),
        &p,
    )
}

pub fn find_by_name(c: &mut dyn Conn, name: &str) -> Result<Option<i64>> {
    c.query_one("SELECT id FROM units WHERE name = ?", params![name])?
        .map(|r| r.get("id"))
        .transpose()
}

pub fn exists(c: &mut dyn Conn, id: i64) -> Result<bool> {
    Ok(
        c.query_one("SELECT 1 FROM units WHERE id = ?", params![id])?
            .is_some(),
    )
}

fn values(u: &UnitFields) -> Vec<Value> {
    vec![
        u.name.clone().into(),
        u.kind.as_str().into(),
        u.leader.clone().into(),
        u.department.clone().into(),
        u.contact_name.clone().into(),
        u.contact_phone.clone().into(),
        u.contact_email.clone().into(),
        u.address.clone().into(),
        u.note.clone().into(),
    ]
}

pub fn insert(c: &mut dyn Conn, u: &UnitFields, now: i64) -> Result<i64> {
    let mut p = values(u);
    p.push(now.into());
    p.push(now.into());
    c.query_i64(
        "INSERT INTO units (name, kind, leader, department, contact_name, contact_phone, contact_email, address, note, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &p,
    )
}

pub fn update(c: &mut dyn Conn, id: i64, u: &UnitFields, now: i64) -> Result<()> {
    let mut p = values(u);
    p.push(now.into());
    p.push(id.into());
    c.execute(
        "UPDATE units SET name = ?, kind = ?, leader = ?, department = ?, contact_name = ?, contact_phone = ?, \
         contact_email = ?, address = ?, note = ?, updated_at = ? WHERE id = ?",
        &p,
    )?;
    Ok(())
}

/// No units, accounts or plans yet: a database nobody has worked in (the
/// demo loads only into such a one).
pub fn database_is_fresh(c: &mut dyn Conn) -> Result<bool> {
    Ok(c.query_i64(
        "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM plans)",
        &[],
    )? == 0)
}

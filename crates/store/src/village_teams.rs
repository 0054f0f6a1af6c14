//! Poor villages and their work teams. A village's county is the first six
//! digits of its code; the rows carry it, so a scoped read is one
//! condition on the row.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use chrono::NaiveDate;
use dingdian_core::role::Scope;
use dingdian_core::village_team::{Official, PoorVillage, TeamMember, TeamMemberFields, TeamRole};

/// The condition the scope puts on a village's county: a county officer or
/// cadre its own county; a unit the counties it is paired with.
fn village_scope(scope: &Scope, p: &mut Vec<Value>) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::County(c) | Scope::UnitCounty(_, c) => {
            p.push(c.as_str().into());
            " AND v.county_code = ?".into()
        }
        Scope::Unit(u) => {
            p.push((*u).into());
            " AND v.county_code IN (SELECT pr.county_code FROM pairings pr WHERE pr.unit_id = ?)"
                .into()
        }
    }
}

/// The name of a village of the county, if the code names one.
pub fn village_name(c: &mut dyn Conn, village: &str, county: &str) -> Result<Option<String>> {
    let row = c.query_one(
        "SELECT name FROM areas WHERE code = ? AND level = 'village' AND SUBSTR(code, 1, 6) = ?",
        params![village, county],
    )?;
    row.map(|r| r.get("name")).transpose()
}

/// A village of the county, with whether it is marked poor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageChoice {
    pub code: String,
    pub name: String,
    pub poor: bool,
}

/// Every village of the county, in code order (the marking form).
pub fn county_villages(c: &mut dyn Conn, county: &str) -> Result<Vec<VillageChoice>> {
    c.query(
        "SELECT a.code, a.name, CASE WHEN pv.village_code IS NULL THEN 0 ELSE 1 END AS poor \
         FROM areas a LEFT JOIN poor_villages pv ON pv.village_code = a.code \
         WHERE a.level = 'village' AND SUBSTR(a.code, 1, 6) = ? ORDER BY a.code",
        params![county],
    )?
    .iter()
    .map(|r| {
        Ok(VillageChoice {
            code: r.get("code")?,
            name: r.get("name")?,
            poor: r.get::<i64>("poor")? == 1,
        })
    })
    .collect()
}

/// Marks a village poor; whether it was not marked before.
pub fn mark_poor(
    c: &mut dyn Conn,
    (village, county): (&str, &str),
    by: Option<i64>,
    now: i64,
) -> Result<bool> {
    let n = c.execute(
        "INSERT INTO poor_villages (village_code, county_code, marked_by, marked_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (village_code) DO NOTHING",
        params![village, county, by, now],
    )?;
    Ok(n == 1)
}

/// Unmarks a village; whether it was marked.
pub fn unmark_poor(c: &mut dyn Conn, village: &str) -> Result<bool> {
    Ok(c.execute(
        "DELETE FROM poor_villages WHERE village_code = ?",
        params![village],
    )? == 1)
}

pub fn is_poor(c: &mut dyn Conn, village: &str) -> Result<bool> {
    Ok(c.query_i64(
        "SELECT COUNT(*) FROM poor_villages WHERE village_code = ?",
        params![village],
    )? > 0)
}

pub fn team_size(c: &mut dyn Conn, village: &str) -> Result<i64> {
    c.query_i64(
        "SELECT COUNT(*) FROM village_team_members WHERE village_code = ?",
        params![village],
    )
}

/// A secondment to the county that may serve (neither merely proposed nor
/// recalled): the choices for a team member or a helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondmentChoice {
    pub id: i64,
    pub person_name: String,
    pub post: String,
    pub unit_name: String,
    pub village_code: Option<String>,
}

const CHOICE_SQL: &str = "SELECT s.id, s.person_name, s.post, u.name AS unit_name, s.village_code \
     FROM secondments s JOIN units u ON u.id = s.unit_id \
     WHERE s.county_code = ? AND s.status IN ('approved', 'serving', 'completed')";

pub fn county_secondments(c: &mut dyn Conn, county: &str) -> Result<Vec<SecondmentChoice>> {
    c.query_as(
        &format!("{CHOICE_SQL} ORDER BY s.start_date DESC, s.id DESC"),
        params![county],
    )
}

pub fn county_secondment(
    c: &mut dyn Conn,
    county: &str,
    id: i64,
) -> Result<Option<SecondmentChoice>> {
    c.query_one_as(&format!("{CHOICE_SQL} AND s.id = ?"), params![county, id])
}

impl FromRow for SecondmentChoice {
    const TABLE: &'static str = "secondments";
    fn from_row(r: &Row) -> Result<SecondmentChoice> {
        Ok(SecondmentChoice {
            id: r.get("id")?,
            person_name: r.get("person_name")?,
            post: r.get("post")?,
            unit_name: r.get("unit_name")?,
            village_code: r.get("village_code")?,
        })
    }
}

/// The secondment id, or the local official's name and post, as columns.
pub(crate) fn official_values(o: &Official) -> [Value; 3] {
    match o {
        Official::Secondment(id) => [(*id).into(), Value::Null, Value::Null],
        Official::Local { name, post, .. } => [Value::Null, name.into(), post.into()],
    }
}

pub fn insert_member(
    c: &mut dyn Conn,
    m: &TeamMemberFields,
    county: &str,
    (by, now): (Option<i64>, i64),
) -> Result<i64> {
    let [secondment, name, post] = official_values(&m.official);
    c.query_i64(
        "INSERT INTO village_team_members (village_code, county_code, secondment_id, person_name, post, role, \
         from_date, to_date, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            m.village_code.as_str().into(),
            county.into(),
            secondment,
            name,
            post,
            m.role.as_str().into(),
            m.from.into(),
            m.to.into(),
            by.into(),
            now.into(),
        ],
    )
}

impl FromRow for TeamMember {
    const TABLE: &'static str = "village_team_members";
    fn from_row(r: &Row) -> Result<TeamMember> {
        Ok(TeamMember {
            id: r.get("id")?,
            village_code: r.get("village_code")?,
            role: r.decode("role", |s: String| TeamRole::parse(&s))?,
            person_name: r.get("person_name")?,
            post: r.get("post")?,
            secondment_id: r.get("secondment_id")?,
            unit_name: r.get("unit_name")?,
            from_date: r.get("from_date")?,
            to_date: r.get::<Option<NaiveDate>>("to_date")?,
        })
    }
}

/// A page of the poor villages the scope reaches (of one county, if
/// given; `q` in the village's name or code), each with its work team,
/// first secretaries first.
pub fn poor_villages(
    c: &mut dyn Conn,
    scope: &Scope,
    (county, q): (Option<&str>, Option<&str>),
    page: Page,
) -> Result<(Vec<PoorVillage>, i64)> {
    let mut p = Vec::new();
    let mut w = village_scope(scope, &mut p);
    if let Some(county) = county {
        w.push_str(" AND v.county_code = ?");
        p.push(county.into());
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        w.push_str(" AND (a.name LIKE ? OR v.village_code LIKE ?)");
        p.extend([format!("%{q}%").into(), format!("%{q}%").into()]);
    }
    let from = "FROM poor_villages v JOIN areas a ON a.code = v.village_code WHERE 1 = 1";
    let total = c.query_i64(&format!("SELECT COUNT(*) {from}{w}"), &p)?;
    p.extend([page.limit().into(), page.offset().into()]);
    let rows = c.query(
        &format!(
            "SELECT v.village_code, a.name, v.county_code {from}{w} ORDER BY v.village_code LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    let mut villages = Vec::with_capacity(rows.len());
    for r in rows {
        let code: String = r.get("village_code")?;
        villages.push(PoorVillage {
            team: team(c, &code)?,
            village_code: code,
            village_name: r.get("name")?,
            county_code: r.get("county_code")?,
        });
    }
    Ok((villages, total))
}

/// A village's work team, first secretaries first, then by start.
pub fn team(c: &mut dyn Conn, village: &str) -> Result<Vec<TeamMember>> {
    c.query_as(
        "SELECT m.id, m.village_code, m.role, COALESCE(m.person_name, s.person_name) AS person_name, \
         COALESCE(m.post, s.post) AS post, m.secondment_id, u.name AS unit_name, m.from_date, m.to_date \
         FROM village_team_members m LEFT JOIN secondments s ON s.id = m.secondment_id \
         LEFT JOIN units u ON u.id = s.unit_id WHERE m.village_code = ? \
         ORDER BY CASE WHEN m.role = 'first_secretary' THEN 0 ELSE 1 END, m.from_date DESC, m.id",
        params![village],
    )
}

//! Rural households outside the registry and their sealed members
//! (migration 0019). The app seals and indexes; this module stores and
//! finds. Reads of personal data take the registry's scope condition.

use crate::db::{Conn, Result, Value};
use crate::params;
use crate::registry::scope_condition;
use crate::row::{FromRow, Row};
use dingdian_core::role::Scope;

/// A household to store; `household_id` from `dingdian_core::rural`.
#[derive(Debug, Clone)]
pub struct NewRuralHousehold<'a> {
    pub household_id: &'a str,
    pub county_code: &'a str,
    pub village: &'a str,
    pub year: i32,
    pub income_fen: i64,
    pub by: Option<i64>,
    pub now: i64,
}

/// A member as stored: sealed ID number and name with their indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuralMemberRow {
    pub id_index: Vec<u8>,
    pub id_cipher: Vec<u8>,
    pub name_cipher: Vec<u8>,
    pub name_index: Vec<u8>,
    pub key_id: String,
    pub relation: u8,
    /// 1 male, 2 female, as in the registry.
    pub sex: u8,
    pub birth_year: i32,
}

/// A stored household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuralHouseholdRow {
    pub id: i64,
    pub household_id: String,
    pub county_code: String,
    pub county_name: String,
    pub village: String,
    pub year: i32,
    pub income_fen: i64,
    pub created_at: i64,
}

impl FromRow for RuralHouseholdRow {
    const TABLE: &'static str = "rural_households";
    fn from_row(r: &Row) -> Result<RuralHouseholdRow> {
        Ok(RuralHouseholdRow {
            id: r.get("id")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            county_name: r.get("county_name")?,
            village: r.get("village")?,
            year: r.get("year")?,
            income_fen: r.get("income_per_capita_fen")?,
            created_at: r.get("created_at")?,
        })
    }
}

impl FromRow for RuralMemberRow {
    const TABLE: &'static str = "rural_members";
    fn from_row(r: &Row) -> Result<RuralMemberRow> {
        Ok(RuralMemberRow {
            id_index: r.get("id_index")?,
            id_cipher: r.get("id_cipher")?,
            name_cipher: r.get("name_cipher")?,
            name_index: r.get("name_index")?,
            key_id: r.get("key_id")?,
            relation: r.get("relation")?,
            sex: r.get("sex")?,
            birth_year: r.get("birth_year")?,
        })
    }
}

/// The number the county's next household outside the registry gets.
/// Two writers racing for it meet the unique household id.
pub fn next_number(c: &mut dyn Conn, county: &str) -> Result<i64> {
    Ok(c.query_i64(
        "SELECT COUNT(*) FROM rural_households WHERE county_code = ?",
        params![county],
    )? + 1)
}

/// Stores a household and its members; answers the household's row id.
pub fn insert(c: &mut dyn Conn, h: &NewRuralHousehold, members: &[RuralMemberRow]) -> Result<i64> {
    let id = c.query_i64(
        "INSERT INTO rural_households (household_id, county_code, village, year, \
         income_per_capita_fen, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            h.household_id,
            h.county_code,
            h.village,
            h.year,
            h.income_fen,
            h.by,
            h.now
        ],
    )?;
    for m in members {
        c.execute(
            "INSERT INTO rural_members (rural_household_id, id_index, id_cipher, name_cipher, \
             name_index, key_id, relation, sex, birth_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                id,
                Value::Blob(m.id_index.clone()),
                Value::Blob(m.id_cipher.clone()),
                Value::Blob(m.name_cipher.clone()),
                Value::Blob(m.name_index.clone()),
                m.key_id.as_str(),
                i64::from(m.relation),
                i64::from(m.sex),
                m.birth_year
            ],
        )?;
    }
    Ok(id)
}

/// Where any of these blind indexes is already recorded — registry members
/// of `year` and members of households outside the registry — as (county,
/// household id), whatever the scope: the caller decides what to say.
pub fn holders(c: &mut dyn Conn, year: i32, indexes: &[Vec<u8>]) -> Result<Vec<(String, String)>> {
    let marks = vec!["?"; indexes.len()].join(", ");
    let blobs = || indexes.iter().map(|i| Value::Blob(i.clone()));
    let mut p: Vec<Value> = vec![year.into()];
    p.extend(blobs());
    p.extend(blobs());
    let rows = c.query(
        &format!(
            "SELECT m.county_code, m.household_id FROM members m \
             WHERE m.year = ? AND m.id_index IN ({marks}) \
             UNION SELECT h.county_code, h.household_id FROM rural_members r \
             JOIN rural_households h ON h.id = r.rural_household_id WHERE r.id_index IN ({marks})"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| Ok((r.get("county_code")?, r.get("household_id")?)))
        .collect()
}

/// A household in the scope (the registry's condition) with its members.
pub fn get(
    c: &mut dyn Conn,
    scope: &Scope,
    household_id: &str,
) -> Result<Option<(RuralHouseholdRow, Vec<RuralMemberRow>)>> {
    let mut p: Vec<Value> = vec![household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    let Some(h) = c.query_one_as::<RuralHouseholdRow>(
        &format!(
            "SELECT h.*, a.name AS county_name FROM rural_households h \
             JOIN areas a ON a.code = h.county_code WHERE h.household_id = ?{w}"
        ),
        &p,
    )?
    else {
        return Ok(None);
    };
    let members = c.query_as::<RuralMemberRow>(
        "SELECT * FROM rural_members WHERE rural_household_id = ? ORDER BY relation, birth_year, id",
        params![h.id],
    )?;
    Ok(Some((h, members)))
}

/// Members of households outside the registry sealed under another key
/// than `key_id`, as (row id, sealed row): key rotation re-seals them.
pub fn members_sealed_otherwise(
    c: &mut dyn Conn,
    key_id: &str,
) -> Result<Vec<(i64, RuralMemberRow)>> {
    let ids: Vec<i64> = c
        .query(
            "SELECT id FROM rural_members WHERE key_id <> ? ORDER BY id",
            params![key_id],
        )?
        .iter()
        .map(|r| r.get("id"))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let row =
            c.query_as::<RuralMemberRow>("SELECT * FROM rural_members WHERE id = ?", params![id])?;
        out.extend(row.into_iter().map(|m| (id, m)));
    }
    Ok(out)
}

/// Replaces a member's sealed fields and blind indexes (key rotation).
pub fn reseal_member(c: &mut dyn Conn, id: i64, m: &RuralMemberRow) -> Result<u64> {
    c.execute(
        "UPDATE rural_members SET id_index = ?, id_cipher = ?, name_cipher = ?, name_index = ?, \
         key_id = ? WHERE id = ?",
        params![
            Value::Blob(m.id_index.clone()),
            Value::Blob(m.id_cipher.clone()),
            Value::Blob(m.name_cipher.clone()),
            Value::Blob(m.name_index.clone()),
            m.key_id.clone(),
            id
        ],
    )
}

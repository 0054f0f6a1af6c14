//! The registry (建档立卡): households and members by year, the area
//! statistics and the poverty lines. ID numbers and names arrive here
//! already sealed (SM4-GCM) with their blind index; the store never sees
//! them in the clear. Reads of people's data take the caller's scope.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::row::{FromRow, Row};
use dingdian_core::registry::{
    CauseSet, Education, GUARANTEE_COLUMNS, Health, HouseholdExtras, HouseholdType, LabourSkill,
    MAX_YEAR, MIN_YEAR, MemberExtras, MigrantWork,
};
use dingdian_core::role::Scope;

/// Rows per statement for `IN (…)` lists: well under both backends' limits.
const CHUNK: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PovertyLine {
    pub year: i32,
    pub line_fen: i64,
    pub note: Option<String>,
}

impl FromRow for PovertyLine {
    const TABLE: &'static str = "poverty_lines";
    fn from_row(r: &Row) -> Result<PovertyLine> {
        Ok(PovertyLine {
            year: r.get("year")?,
            line_fen: r.get("line_fen")?,
            note: r.get("note")?,
        })
    }
}

pub fn poverty_lines(c: &mut dyn Conn) -> Result<Vec<PovertyLine>> {
    c.query_as(
        "SELECT year, line_fen, note FROM poverty_lines ORDER BY year",
        &[],
    )
}

pub fn set_poverty_line(c: &mut dyn Conn, l: &PovertyLine, now: i64) -> Result<()> {
    c.execute(
        "INSERT INTO poverty_lines (year, line_fen, note, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (year) DO UPDATE SET line_fen = excluded.line_fen, note = excluded.note, updated_at = excluded.updated_at",
        params![l.year, l.line_fen, l.note.clone(), now],
    )?;
    Ok(())
}

/// One row of the area statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatisticsRow {
    pub year: i32,
    pub area_code: String,
    pub rural_population: i64,
    pub rural_income_fen: Option<i64>,
}

/// Inserts or replaces statistics rows (key: year and area).
pub fn upsert_statistics(c: &mut dyn Conn, rows: &[StatisticsRow], now: i64) -> Result<()> {
    for r in rows {
        c.execute(
            "INSERT INTO area_statistics (year, area_code, rural_population, rural_income_fen, imported_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (year, area_code) DO UPDATE SET rural_population = excluded.rural_population, \
             rural_income_fen = excluded.rural_income_fen, imported_at = excluded.imported_at",
            params![r.year, r.area_code.clone(), r.rural_population, r.rural_income_fen, now],
        )?;
    }
    Ok(())
}

impl FromRow for StatisticsRow {
    const TABLE: &'static str = "area_statistics";
    fn from_row(r: &Row) -> Result<StatisticsRow> {
        Ok(StatisticsRow {
            year: r.get("year")?,
            area_code: r.get("area_code")?,
            rural_population: r.get("rural_population")?,
            rural_income_fen: r.get("rural_income_fen")?,
        })
    }
}

pub fn statistics(c: &mut dyn Conn) -> Result<Vec<StatisticsRow>> {
    c.query_as("SELECT year, area_code, rural_population, rural_income_fen FROM area_statistics ORDER BY year, area_code", &[])
}

/// A household as stored, without its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdRow {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub village_code: String,
    pub income_fen: i64,
    pub status: u8,
    pub identified_year: i32,
    pub exit_year: Option<i32>,
    pub cause: u8,
    /// The optional extended household fields.
    pub extras: HouseholdExtras,
}

/// A member as stored: sealed ID number and name with the blind index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub year: i32,
    pub id_index: Vec<u8>,
    pub household_id: String,
    pub county_code: String,
    pub id_cipher: Vec<u8>,
    pub name_cipher: Vec<u8>,
    pub key_id: String,
    /// The blind index of the name's normal form under the same key
    /// (`None` on rows from before migration 0008 not yet backfilled).
    pub name_index: Option<Vec<u8>>,
    pub relation: u8,
    pub sex: u8,
    pub birth_year: i32,
    /// The optional extended member fields (health is sensitive).
    pub extras: MemberExtras,
}

/// The extended household columns, in [`HouseholdExtras`] order.
const HOUSEHOLD_EXTRA_COLUMNS: [&str; 12] = [
    "household_type",
    "other_causes",
    "wage_income_fen",
    "business_income_fen",
    "property_income_fen",
    "transfer_income_fen",
    "food_secure",
    "clothing_secure",
    "education_secure",
    "medical_secure",
    "housing_secure",
    "water_secure",
];

/// The extended member columns, in [`MemberExtras`] order.
const MEMBER_EXTRA_COLUMNS: [&str; 4] = ["health", "education", "labour_skill", "migrant_work"];

fn household_extra_values(x: &HouseholdExtras, out: &mut Vec<Value>) {
    out.push(x.household_type.map(|t| i64::from(t.code())).into());
    out.push(
        (!x.other_causes.is_empty())
            .then_some(i64::from(x.other_causes.0))
            .into(),
    );
    out.extend(x.incomes.iter().map(|v| Value::from(*v)));
    out.extend(x.guarantees.iter().map(|v| Value::from(v.map(i64::from))));
}

/// Reads the extended household fields (named by
/// [`HOUSEHOLD_EXTRA_COLUMNS`]).
fn household_extras_from(r: &Row) -> Result<HouseholdExtras> {
    let names = &HOUSEHOLD_EXTRA_COLUMNS;
    let mut x = HouseholdExtras {
        household_type: r.decode_opt(names[0], HouseholdType::from_code)?,
        // No other cause is stored as NULL.
        other_causes: CauseSet(r.get::<Option<u16>>(names[1])?.unwrap_or(0)),
        ..Default::default()
    };
    for k in 0..4 {
        x.incomes[k] = r.get(names[2 + k])?;
    }
    for k in 0..GUARANTEE_COLUMNS.len() {
        x.guarantees[k] = r.get(names[6 + k])?;
    }
    Ok(x)
}

fn member_extra_values(x: &MemberExtras, out: &mut Vec<Value>) {
    let code = |c: Option<u8>| Value::from(c.map(i64::from));
    out.push(code(x.health.map(Health::code)));
    out.push(code(x.education.map(Education::code)));
    out.push(code(x.labour_skill.map(LabourSkill::code)));
    out.push(code(x.migrant_work.map(MigrantWork::code)));
}

fn member_extras_from(r: &Row) -> Result<MemberExtras> {
    let names = &MEMBER_EXTRA_COLUMNS;
    Ok(MemberExtras {
        health: r.decode_opt(names[0], Health::from_code)?,
        education: r.decode_opt(names[1], Education::from_code)?,
        labour_skill: r.decode_opt(names[2], LabourSkill::from_code)?,
        migrant_work: r.decode_opt(names[3], MigrantWork::from_code)?,
    })
}

/// Removes households (and their members) of a year, before a re-import
/// replaces them.
pub fn delete_households(c: &mut dyn Conn, year: i32, codes: &[String]) -> Result<u64> {
    let mut n = 0;
    for chunk in codes.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<Value> = vec![year.into()];
        p.extend(chunk.iter().map(Value::from));
        c.execute(
            &format!("DELETE FROM members WHERE year = ? AND household_id IN ({marks})"),
            &p,
        )?;
        n += c.execute(
            &format!("DELETE FROM households WHERE year = ? AND household_id IN ({marks})"),
            &p,
        )?;
    }
    Ok(n)
}

/// Whether any member is registered in `year` at all (a fresh year needs
/// no duplicate look-ups).
pub fn year_has_members(c: &mut dyn Conn, year: i32) -> Result<bool> {
    Ok(c.query_one(
        "SELECT 1 FROM members WHERE year = ? LIMIT 1",
        params![year],
    )?
    .is_some())
}

/// The members of `year` among the given blind indexes: (index, household
/// code, county code) of each one already registered.
pub fn registered(
    c: &mut dyn Conn,
    year: i32,
    indexes: &[Vec<u8>],
) -> Result<Vec<(Vec<u8>, String, String)>> {
    let mut out = Vec::new();
    for chunk in indexes.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<Value> = vec![year.into()];
        p.extend(chunk.iter().map(|i| Value::Blob(i.clone())));
        for r in c.query(&format!("SELECT id_index, household_id, county_code FROM members WHERE year = ? AND id_index IN ({marks})"), &p)? {
            out.push((
                r.get("id_index")?,
                r.get("household_id")?,
                r.get("county_code")?,
            ));
        }
    }
    Ok(out)
}

pub fn insert_households(c: &mut dyn Conn, rows: &[HouseholdRow], now: i64) -> Result<u64> {
    // The extended columns are written only when some household has them,
    // so files without them take the same path as before.
    let with_extras = rows.iter().any(|h| !h.extras.is_empty());
    let values: Vec<Vec<Value>> = rows
        .iter()
        .map(|h| {
            let mut v = Vec::with_capacity(22);
            v.extend([
                h.year.into(),
                h.household_id.clone().into(),
                h.county_code.clone().into(),
                h.village_code.clone().into(),
                h.income_fen.into(),
                (h.status as i64).into(),
                h.identified_year.into(),
                h.exit_year.into(),
                (h.cause as i64).into(),
                now.into(),
            ]);
            if with_extras {
                household_extra_values(&h.extras, &mut v);
            }
            v
        })
        .collect();
    let mut columns = vec![
        "year",
        "household_id",
        "county_code",
        "village_code",
        "income_fen",
        "status",
        "identified_year",
        "exit_year",
        "cause",
        "imported_at",
    ];
    if with_extras {
        columns.extend(HOUSEHOLD_EXTRA_COLUMNS);
    }
    c.insert_rows("households", &columns, &values)
}

/// Members turned into statement values ahead of their write: an import
/// builds the next batch on another thread while the writer stores this
/// one, so the writer only binds and steps.
pub struct MemberBatch {
    with_extras: bool,
    values: Vec<Vec<Value>>,
}

impl MemberBatch {
    /// Takes the rows apart (moving, not copying, their fields).
    pub fn new(rows: Vec<MemberRow>) -> MemberBatch {
        let with_extras = rows.iter().any(|m| !m.extras.is_empty());
        let values = rows
            .into_iter()
            .map(|m| {
                let mut v = Vec::with_capacity(14);
                v.extend([
                    m.year.into(),
                    Value::Blob(m.id_index),
                    m.household_id.into(),
                    m.county_code.into(),
                    Value::Blob(m.id_cipher),
                    Value::Blob(m.name_cipher),
                    m.key_id.into(),
                    m.name_index.map(Value::Blob).into(),
                    (m.relation as i64).into(),
                    (m.sex as i64).into(),
                    m.birth_year.into(),
                ]);
                if with_extras {
                    member_extra_values(&m.extras, &mut v);
                }
                v
            })
            .collect();
        MemberBatch {
            with_extras,
            values,
        }
    }
}

pub fn insert_member_batch(c: &mut dyn Conn, batch: MemberBatch) -> Result<u64> {
    let mut columns = vec![
        "year",
        "id_index",
        "household_id",
        "county_code",
        "id_cipher",
        "name_cipher",
        "key_id",
        "name_index",
        "relation",
        "sex",
        "birth_year",
    ];
    if batch.with_extras {
        columns.extend(MEMBER_EXTRA_COLUMNS);
    }
    c.insert_rows("members", &columns, &batch.values)
}

pub(crate) fn scope_condition(scope: &Scope, column: &str, p: &mut Vec<Value>) -> String {
    match scope.county() {
        Some(county) => {
            p.push(county.into());
            format!(" AND {column} = ?")
        }
        None if *scope == Scope::All => String::new(),
        // A unit without a county reaches no one's personal data.
        None => " AND 1 = 0".into(),
    }
}

const HOUSEHOLD_COLUMNS: &str = "h.year, h.household_id, h.county_code, h.village_code, h.income_fen, h.status, h.identified_year, h.exit_year, h.cause, \
    h.household_type, h.other_causes, h.wage_income_fen, h.business_income_fen, h.property_income_fen, h.transfer_income_fen, \
    h.food_secure, h.clothing_secure, h.education_secure, h.medical_secure, h.housing_secure, h.water_secure";

const MEMBER_COLUMNS: &str = "m.year, m.id_index, m.household_id, m.county_code, m.id_cipher, m.name_cipher, m.key_id, m.relation, m.sex, m.birth_year, \
    m.health, m.education, m.labour_skill, m.migrant_work, m.name_index";

/// A member from `MEMBER_COLUMNS`. In a join with its household the
/// shared names (year, household, county) are equal by the join.
impl FromRow for MemberRow {
    const TABLE: &'static str = "members";
    fn from_row(r: &Row) -> Result<MemberRow> {
        Ok(MemberRow {
            year: r.get("year")?,
            id_index: r.get("id_index")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            id_cipher: r.get("id_cipher")?,
            name_cipher: r.get("name_cipher")?,
            key_id: r.get("key_id")?,
            name_index: r.get("name_index")?,
            relation: r.get("relation")?,
            sex: r.get("sex")?,
            birth_year: r.get("birth_year")?,
            extras: member_extras_from(r)?,
        })
    }
}

/// A household from `HOUSEHOLD_COLUMNS`.
impl FromRow for HouseholdRow {
    const TABLE: &'static str = "households";
    fn from_row(r: &Row) -> Result<HouseholdRow> {
        Ok(HouseholdRow {
            year: r.get("year")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            village_code: r.get("village_code")?,
            income_fen: r.get("income_fen")?,
            status: r.get("status")?,
            identified_year: r.get("identified_year")?,
            exit_year: r.get("exit_year")?,
            cause: r.get("cause")?,
            extras: household_extras_from(r)?,
        })
    }
}

pub use dingdian_core::query::HouseholdFilter;

/// Households the scope reaches, with their member counts.
pub fn households(
    c: &mut dyn Conn,
    scope: &Scope,
    f: &HouseholdFilter,
    page: Page,
) -> Result<(Vec<(HouseholdRow, i64)>, i64)> {
    let mut p = Vec::new();
    let mut w = String::from(" WHERE 1 = 1");
    w.push_str(&scope_condition(scope, "h.county_code", &mut p));
    if let Some(y) = f.year {
        w.push_str(" AND h.year = ?");
        p.push(y.into());
    }
    if let Some(a) = &f.area {
        if a.len() == 6 {
            w.push_str(" AND h.county_code = ?");
            p.push(a.into());
        } else {
            w.push_str(" AND h.village_code LIKE ?");
            p.push(format!("{a}%").into());
        }
    }
    if let Some(code) = &f.household_id {
        w.push_str(" AND h.household_id = ?");
        p.push(code.into());
    }
    if let Some(s) = f.status {
        w.push_str(" AND h.status = ?");
        p.push((s as i64).into());
    }
    identity_conditions(f, &mut w, &mut p);
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM households h{w}"), &p)?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let rows = c.query(
        &format!(
            "SELECT {HOUSEHOLD_COLUMNS}, (SELECT COUNT(*) FROM members m WHERE m.year = h.year AND m.household_id = h.household_id) AS member_count \
             FROM households h{w} ORDER BY h.village_code, h.household_id, h.year LIMIT ? OFFSET ?"
        ),
        &p,
    )?;
    let items = rows
        .iter()
        .map(|r| Ok((r.to()?, r.get("member_count")?)))
        .collect::<Result<_>>()?;
    Ok((items, total))
}

/// The name and village conditions of a household filter. The name looks
/// heads up through their partial index (`members_head_name`) and keeps
/// the households of those heads.
fn identity_conditions(f: &HouseholdFilter, w: &mut String, p: &mut Vec<Value>) {
    if let Some(indexes) = &f.head_name_index {
        if indexes.is_empty() {
            w.push_str(" AND 1 = 0");
        } else {
            let marks = vec!["?"; indexes.len()].join(", ");
            w.push_str(&format!(
                " AND (h.year, h.household_id) IN (SELECT m.year, m.household_id FROM members m \
                 WHERE m.relation = 1 AND m.name_index IN ({marks}))"
            ));
            p.extend(indexes.iter().map(|i| Value::Blob(i.clone())));
        }
    }
    if let Some(villages) = &f.villages {
        if villages.is_empty() {
            w.push_str(" AND 1 = 0");
        } else {
            let marks = vec!["?"; villages.len()].join(", ");
            w.push_str(&format!(" AND h.village_code IN ({marks})"));
            p.extend(villages.iter().map(Value::from));
        }
    }
}

/// The members of one household-year, if the scope reaches it.
pub fn household_members(
    c: &mut dyn Conn,
    scope: &Scope,
    year: i32,
    household_id: &str,
) -> Result<Option<(HouseholdRow, Vec<MemberRow>)>> {
    let mut p: Vec<Value> = vec![year.into(), household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    let Some(h) = c.query_one_as(&format!("SELECT {HOUSEHOLD_COLUMNS} FROM households h WHERE h.year = ? AND h.household_id = ?{w}"), &p)? else {
        return Ok(None);
    };
    let members = c.query_as(
        &format!(
            "SELECT {MEMBER_COLUMNS} FROM members m WHERE m.year = ? AND m.household_id = ? ORDER BY m.relation, m.birth_year"
        ),
        params![year, household_id],
    )?;
    Ok(Some((h, members)))
}

/// A household across the years: every year's record with the same code.
pub fn household_timeline(
    c: &mut dyn Conn,
    scope: &Scope,
    household_id: &str,
) -> Result<Vec<HouseholdRow>> {
    let mut p: Vec<Value> = vec![household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    c.query_as(&format!("SELECT {HOUSEHOLD_COLUMNS} FROM households h WHERE h.household_id = ?{w} ORDER BY h.year"), &p)
}

/// The (year, household) of every registration of a blind index.
pub fn find_by_index(
    c: &mut dyn Conn,
    scope: &Scope,
    id_indexes: &[Vec<u8>],
) -> Result<Vec<(i32, String)>> {
    // One statement for every index: during a key rotation a row moves from
    // one index to the other, and two statements could both miss it.
    let marks = vec!["?"; id_indexes.len()].join(", ");
    let mut p: Vec<Value> = id_indexes.iter().map(|i| Value::Blob(i.clone())).collect();
    let w = scope_condition(scope, "m.county_code", &mut p);
    // The key is (year, id_index): naming every possible year lets both
    // backends look each index up instead of reading every member.
    let years = (MIN_YEAR..=MAX_YEAR)
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let rows = c.query(
        &format!(
            "SELECT DISTINCT m.year, m.household_id FROM members m WHERE m.year IN ({years}) AND m.id_index IN ({marks}){w} ORDER BY m.year, m.household_id"
        ),
        &p,
    )?;
    rows.iter()
        .map(|r| Ok((r.get("year")?, r.get("household_id")?)))
        .collect()
}

/// The members of a year and county with their households' fields, in
/// household order: what the analytics snapshot is built from. `each` is
/// called once per member.
pub fn scan(
    c: &mut dyn Conn,
    year: i32,
    county: &str,
    each: &mut dyn FnMut(&ScanRow),
) -> Result<()> {
    let rows = c.query(
        "SELECT h.household_id, h.village_code, h.income_fen, h.status, h.cause, m.relation, m.sex, m.birth_year, h.household_type \
         FROM households h JOIN members m ON m.year = h.year AND m.household_id = h.household_id \
         WHERE h.year = ? AND h.county_code = ? ORDER BY h.household_id",
        params![year, county],
    )?;
    for r in &rows {
        each(&r.to()?);
    }
    Ok(())
}

impl FromRow for ScanRow {
    const TABLE: &'static str = "households joined with members";
    fn from_row(r: &Row) -> Result<ScanRow> {
        Ok(ScanRow {
            household_id: r.get("household_id")?,
            village_code: r.get("village_code")?,
            income_fen: r.get("income_fen")?,
            status: r.get("status")?,
            cause: r.get("cause")?,
            relation: r.get("relation")?,
            sex: r.get("sex")?,
            birth_year: r.get("birth_year")?,
            household_type: r.get::<Option<u8>>("household_type")?.unwrap_or(0),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ScanRow {
    pub household_id: String,
    pub village_code: String,
    pub income_fen: i64,
    pub status: u8,
    pub cause: u8,
    pub relation: u8,
    pub sex: u8,
    pub birth_year: i32,
    /// The household type's code, 0 when not given.
    pub household_type: u8,
}

/// Every (year, county) that holds registry members.
pub fn partitions(c: &mut dyn Conn) -> Result<Vec<(i32, String)>> {
    let rows = c.query(
        "SELECT DISTINCT year, county_code FROM households ORDER BY year, county_code",
        &[],
    )?;
    rows.iter()
        .map(|r| Ok((r.get("year")?, r.get("county_code")?)))
        .collect()
}

/// A county's registered people in `year` and in its latest earlier year
/// with any, or `None` when it has no earlier year. Both go through the
/// households' (county, year) index: members have no county index (it
/// slowed the import), and a scan of a year's members per county made a
/// national import's check take seconds.
pub fn county_members_and_before(
    c: &mut dyn Conn,
    county: &str,
    year: i32,
) -> Result<Option<(i64, i32, i64)>> {
    let before: Option<i32> = match c.query_one(
        "SELECT MAX(year) AS before FROM households WHERE county_code = ? AND year < ?",
        params![county, year],
    )? {
        Some(r) => r.get("before")?,
        None => None,
    };
    let Some(before) = before else {
        return Ok(None);
    };
    let count = |c: &mut dyn Conn, y: i32| {
        c.query_i64(
            "SELECT COUNT(*) FROM households h JOIN members m \
             ON m.year = h.year AND m.household_id = h.household_id \
             WHERE h.county_code = ? AND h.year = ?",
            params![county, y],
        )
    };
    let now = count(c, year)?;
    Ok(Some((now, before, count(c, before)?)))
}

/// Members of a year in the scope, for the export (in household order).
pub fn export_rows(
    c: &mut dyn Conn,
    year: i32,
    area: Option<&str>,
) -> Result<Vec<(HouseholdRow, MemberRow)>> {
    let mut p: Vec<Value> = vec![year.into()];
    let mut w = String::new();
    if let Some(a) = area {
        w.push_str(" AND h.village_code LIKE ?");
        p.push(format!("{a}%").into());
    }
    let rows = c.query(
        &format!(
            "SELECT {HOUSEHOLD_COLUMNS}, {MEMBER_COLUMNS} \
             FROM households h JOIN members m ON m.year = h.year AND m.household_id = h.household_id \
             WHERE h.year = ?{w} ORDER BY h.village_code, h.household_id, m.relation"
        ),
        &p,
    )?;
    rows.iter().map(|r| Ok((r.to()?, r.to()?))).collect()
}

/// The county of each of these households of `year` that already exists.
pub fn household_counties(
    c: &mut dyn Conn,
    year: i32,
    codes: &[String],
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<Value> = vec![year.into()];
        p.extend(chunk.iter().map(Value::from));
        for r in c.query(&format!("SELECT household_id, county_code FROM households WHERE year = ? AND household_id IN ({marks})"), &p)? {
            out.push((r.get("household_id")?, r.get("county_code")?));
        }
    }
    Ok(out)
}

/// The registry's write counter (see `registry_version`).
pub fn version(c: &mut dyn Conn) -> Result<i64> {
    c.query_i64("SELECT version FROM registry_version WHERE id = 1", &[])
}

/// Bumps the counter, inside the writing transaction.
pub fn bump_version(c: &mut dyn Conn) -> Result<()> {
    c.execute(
        "UPDATE registry_version SET version = version + 1 WHERE id = 1",
        &[],
    )?;
    Ok(())
}

/// Members sealed under another key than `key_id`, in key order after
/// `after` (a cursor, so a rotation reads the table once however it goes).
pub fn members_sealed_otherwise(
    c: &mut dyn Conn,
    key_id: &str,
    after: Option<&(i32, Vec<u8>)>,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let (year, index) = after.cloned().unwrap_or((i32::MIN, Vec::new()));
    c.query_as(
        &format!(
            "SELECT {MEMBER_COLUMNS} FROM members m WHERE (m.year > ? OR (m.year = ? AND m.id_index > ?)) AND m.key_id <> ? \
             ORDER BY m.year, m.id_index LIMIT ?"
        ),
        params![year, year, Value::Blob(index), key_id, limit],
    )
}

/// Replaces a member's sealed fields and blind index (key rotation); the
/// old index finds the row. Returns the rows changed (0 if a concurrent
/// import replaced the household meanwhile).
pub fn reseal_member(c: &mut dyn Conn, old_index: &[u8], m: &MemberRow) -> Result<u64> {
    c.execute(
        "UPDATE members SET id_index = ?, id_cipher = ?, name_cipher = ?, key_id = ?, name_index = ? \
         WHERE year = ? AND id_index = ?",
        params![
            Value::Blob(m.id_index.clone()),
            Value::Blob(m.id_cipher.clone()),
            Value::Blob(m.name_cipher.clone()),
            m.key_id.clone(),
            m.name_index.clone().map(Value::Blob),
            m.year,
            Value::Blob(old_index.to_vec())
        ],
    )
}

/// How many members are sealed under another key than `key_id`.
pub fn count_sealed_otherwise(c: &mut dyn Conn, key_id: &str) -> Result<i64> {
    c.query_i64(
        "SELECT COUNT(*) FROM members WHERE key_id <> ?",
        params![key_id],
    )
}

/// The key id of some sealed member, if any: which key the registry needs.
pub fn some_key_id(c: &mut dyn Conn) -> Result<Option<String>> {
    c.query_one("SELECT key_id FROM members LIMIT 1", &[])?
        .map(|r| r.get("key_id"))
        .transpose()
}

/// A household's head as stored in one year: what tells whether a
/// household number still names the same family ([`previous_heads`],
/// [`household_heads`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRow {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub village_code: String,
    /// The head (relation 1) of that year; `None` if it has none stored.
    pub head: Option<MemberRow>,
}

const HEAD_SELECT: &str = "SELECT h.year, h.household_id, h.county_code, h.village_code, \
    m.year, m.id_index, m.household_id, m.county_code, m.id_cipher, m.name_cipher, m.key_id, m.relation, m.sex, m.birth_year, \
    m.health, m.education, m.labour_skill, m.migrant_work, m.name_index \
    FROM households h LEFT JOIN members m ON m.year = h.year AND m.household_id = h.household_id AND m.relation = 1";

/// The household's names come first in `HEAD_SELECT`, so they are read;
/// the head's are equal to them whenever there is a head.
impl FromRow for HeadRow {
    const TABLE: &'static str = "households with their heads";
    fn from_row(r: &Row) -> Result<HeadRow> {
        let has_head = r.get::<Option<Vec<u8>>>("id_index")?.is_some();
        Ok(HeadRow {
            year: r.get("year")?,
            household_id: r.get("household_id")?,
            county_code: r.get("county_code")?,
            village_code: r.get("village_code")?,
            head: if has_head { Some(r.to()?) } else { None },
        })
    }
}

/// The households of `year` among `codes`, each with its head: what an
/// import of the next year compares its households with.
pub fn previous_heads(c: &mut dyn Conn, year: i32, codes: &[String]) -> Result<Vec<HeadRow>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut p: Vec<Value> = vec![year.into()];
        p.extend(chunk.iter().map(Value::from));
        out.extend(c.query_as::<HeadRow>(
            &format!("{HEAD_SELECT} WHERE h.year = ? AND h.household_id IN ({marks})"),
            &p,
        )?);
    }
    Ok(out)
}

/// Every year of one household number with its head, in year order, if
/// the scope reaches it (the household card's timeline).
pub fn household_heads(
    c: &mut dyn Conn,
    scope: &Scope,
    household_id: &str,
) -> Result<Vec<HeadRow>> {
    let mut p: Vec<Value> = vec![household_id.into()];
    let w = scope_condition(scope, "h.county_code", &mut p);
    c.query_as(
        &format!("{HEAD_SELECT} WHERE h.household_id = ?{w} ORDER BY h.year"),
        &p,
    )
}

/// Members still without a name index (rows from before migration 0008),
/// in key order after `after`, at most `limit`.
pub fn members_without_name_index(
    c: &mut dyn Conn,
    after: Option<&(i32, Vec<u8>)>,
    limit: i64,
) -> Result<Vec<MemberRow>> {
    let (year, index) = after.cloned().unwrap_or((i32::MIN, Vec::new()));
    c.query_as(
        &format!(
            "SELECT {MEMBER_COLUMNS} FROM members m WHERE m.name_index IS NULL \
             AND (m.year > ? OR (m.year = ? AND m.id_index > ?)) ORDER BY m.year, m.id_index LIMIT ?"
        ),
        params![year, year, Value::Blob(index), limit],
    )
}

/// Whether any member still lacks its name index.
pub fn name_index_missing(c: &mut dyn Conn) -> Result<bool> {
    Ok(c.query_one(
        "SELECT 1 FROM members WHERE name_index IS NULL LIMIT 1",
        &[],
    )?
    .is_some())
}

/// Sets one member's name index, if it is still sealed under `key_id`
/// (a rotation in between has set it already). Returns the rows changed.
pub fn set_name_index(
    c: &mut dyn Conn,
    year: i32,
    id_index: &[u8],
    key_id: &str,
    name_index: &[u8],
) -> Result<u64> {
    c.execute(
        "UPDATE members SET name_index = ? WHERE year = ? AND id_index = ? AND key_id = ?",
        params![
            Value::Blob(name_index.to_vec()),
            year,
            Value::Blob(id_index.to_vec()),
            key_id
        ],
    )
}

/// The villages under an area prefix (all of them for `""`) with their
/// registered names, for a search by village name.
pub fn villages_under(c: &mut dyn Conn, prefix: &str) -> Result<Vec<(String, String)>> {
    let rows = c.query(
        "SELECT code, name FROM areas WHERE level = 'village' AND code LIKE ? ORDER BY code",
        params![format!("{prefix}%")],
    )?;
    rows.iter()
        .map(|r| Ok((r.get("code")?, r.get("name")?)))
        .collect()
}

/// The highest household number ever registered in a county among those
/// that are the county code followed by six digits (the numbering
/// `gen registry` uses), if any.
pub fn highest_household_number(c: &mut dyn Conn, county: &str) -> Result<Option<u32>> {
    let rows = c.query(
        "SELECT DISTINCT household_id FROM households WHERE county_code = ? AND household_id LIKE ?",
        params![county, format!("{county}%")],
    )?;
    let mut highest = None;
    for r in &rows {
        let code: String = r.get("household_id")?;
        let number = code
            .strip_prefix(county)
            .filter(|t| t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse().ok());
        highest = highest.max(number);
    }
    Ok(highest)
}

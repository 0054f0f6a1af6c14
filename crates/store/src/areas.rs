//! Areas, county attributes and county lists. Areas are public facts: every
//! signed-in role but the auditor may read them, so reads are not scoped.

use crate::db::{Conn, Page, Result, Value};
use crate::params;
use crate::reference::{KEY_2012, POOR_2014};
use crate::row::{FromRow, Row};
use dingdian_core::area::{Area, CountyAttributes, Level, is_western_province};
use dingdian_core::coverage::KeyCounty;

pub use dingdian_core::query::AreaFilter;

const SELECT: &str = "SELECT a.code, a.name, a.level, a.parent_code, a.old_revolutionary, a.ethnic, a.border, \
     a.contiguous_area, a.exit_year, \
     EXISTS (SELECT 1 FROM county_list_members m WHERE m.county_code = a.code AND m.list_code = ?) AS key_county, \
     EXISTS (SELECT 1 FROM county_list_members m WHERE m.county_code = a.code AND m.list_code = ?) AS poor_county \
     FROM areas a";

impl FromRow for Area {
    const TABLE: &'static str = "areas";
    fn from_row(r: &Row) -> Result<Area> {
        let code: String = r.get("code")?;
        let level = r.decode("level", |s: String| Level::parse(&s))?;
        let attributes = if level == Level::County {
            Some(CountyAttributes {
                old_revolutionary: r.get("old_revolutionary")?,
                ethnic: r.get("ethnic")?,
                border: r.get("border")?,
                contiguous_area: r.get("contiguous_area")?,
                exit_year: r.get("exit_year")?,
                key_county: r.get("key_county")?,
                poor_county: r.get("poor_county")?,
            })
        } else {
            None
        };
        Ok(Area {
            western: is_western_province(&code[..2.min(code.len())]),
            code,
            name: r.get("name")?,
            level,
            parent_code: r.get("parent_code")?,
            attributes,
        })
    }
}

fn where_clause(f: &AreaFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut p: Vec<Value> = vec![KEY_2012.into(), POOR_2014.into()];
    if let Some(l) = f.level {
        sql.push_str(" AND a.level = ?");
        p.push(l.as_str().into());
    }
    if let Some(parent) = &f.parent {
        sql.push_str(" AND a.parent_code = ?");
        p.push(parent.into());
    }
    if let Some(prov) = &f.province {
        sql.push_str(" AND a.code LIKE ?");
        p.push(format!("{prov}%").into());
    }
    if let Some(key) = f.key {
        sql.push_str(if key { " AND " } else { " AND NOT " });
        sql.push_str("EXISTS (SELECT 1 FROM county_list_members m WHERE m.county_code = a.code AND m.list_code = ?)");
        p.push(KEY_2012.into());
    }
    if let Some(list) = &f.list {
        sql.push_str(" AND EXISTS (SELECT 1 FROM county_list_members m WHERE m.county_code = a.code AND m.list_code = ?)");
        p.push(list.into());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        sql.push_str(" AND (a.name LIKE ? OR a.code LIKE ?)");
        p.push(format!("%{q}%").into());
        p.push(format!("{q}%").into());
    }
    (sql, p)
}

pub fn list(c: &mut dyn Conn, f: &AreaFilter, page: Page) -> Result<(Vec<Area>, i64)> {
    let (w, mut p) = where_clause(f);
    // The count needs only the filter's own parameters (not the two list codes of SELECT).
    let total = c.query_i64(&format!("SELECT COUNT(*) FROM areas a{w}"), &p[2..])?;
    p.push(page.limit().into());
    p.push(page.offset().into());
    let areas = c.query_as(&format!("{SELECT}{w} ORDER BY a.code LIMIT ? OFFSET ?"), &p)?;
    Ok((areas, total))
}

pub fn get(c: &mut dyn Conn, code: &str) -> Result<Option<Area>> {
    c.query_one_as(
        &format!("{SELECT} WHERE a.code = ?"),
        params![KEY_2012, POOR_2014, code],
    )
}

/// The area and its ancestors, nation-most first (for breadcrumbs).
pub fn lineage(c: &mut dyn Conn, code: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut next = Some(code.to_string());
    while let Some(code) = next {
        match c.query_one(
            "SELECT code, name, parent_code FROM areas WHERE code = ?",
            params![code],
        )? {
            Some(r) => {
                out.push((r.get("code")?, r.get("name")?));
                next = r.get("parent_code")?;
            }
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

pub fn county_exists(c: &mut dyn Conn, code: &str) -> Result<bool> {
    Ok(c.query_one(
        "SELECT 1 FROM areas WHERE code = ? AND level = 'county'",
        params![code],
    )?
    .is_some())
}

fn set_membership(c: &mut dyn Conn, list: &str, county: &str, member: bool) -> Result<()> {
    if member {
        c.execute(
            "INSERT INTO county_list_members (list_code, county_code) VALUES (?, ?) ON CONFLICT DO NOTHING",
            params![list, county],
        )?;
    } else {
        c.execute(
            "DELETE FROM county_list_members WHERE list_code = ? AND county_code = ?",
            params![list, county],
        )?;
    }
    Ok(())
}

pub fn update_county(c: &mut dyn Conn, code: &str, a: &CountyAttributes) -> Result<()> {
    c.execute(
        "UPDATE areas SET old_revolutionary = ?, ethnic = ?, border = ?, contiguous_area = ?, exit_year = ? WHERE code = ?",
        params![a.old_revolutionary, a.ethnic, a.border, a.contiguous_area.clone(), a.exit_year, code],
    )?;
    set_membership(c, KEY_2012, code, a.key_county)?;
    set_membership(c, POOR_2014, code, a.poor_county)
}

pub use dingdian_core::area::CountyList;

pub fn county_lists(c: &mut dyn Conn) -> Result<Vec<CountyList>> {
    let rows = c.query(
        "SELECT l.code, l.name_zh, l.name_en, l.start_year, l.end_year, l.partial, l.note, \
         (SELECT COUNT(*) FROM county_list_members m WHERE m.list_code = l.code) AS members \
         FROM county_lists l ORDER BY l.start_year, l.code",
        &[],
    )?;
    rows.iter()
        .map(|r| {
            Ok(CountyList {
                code: r.get("code")?,
                name_zh: r.get("name_zh")?,
                name_en: r.get("name_en")?,
                start_year: r.get("start_year")?,
                end_year: r.get("end_year")?,
                partial: r.get("partial")?,
                note: r.get("note")?,
                members: r.get("members")?,
            })
        })
        .collect()
}

pub fn county_list_exists(c: &mut dyn Conn, code: &str) -> Result<bool> {
    Ok(
        c.query_one("SELECT 1 FROM county_lists WHERE code = ?", params![code])?
            .is_some(),
    )
}

/// Adds counties to a list (an import); returns how many were new.
pub fn add_list_members(c: &mut dyn Conn, list: &str, counties: &[String]) -> Result<u64> {
    let mut added = 0;
    for county in counties {
        added += c.execute(
            "INSERT INTO county_list_members (list_code, county_code) VALUES (?, ?) ON CONFLICT DO NOTHING",
            params![list, county],
        )?;
    }
    Ok(added)
}

/// The counties of a list, with what decides their coverage priority.
pub fn list_members(c: &mut dyn Conn, list: &str) -> Result<Vec<KeyCounty>> {
    let areas: Vec<Area> = c.query_as(
        &format!("{SELECT} JOIN county_list_members lm ON lm.county_code = a.code WHERE lm.list_code = ? ORDER BY a.code"),
        params![KEY_2012, POOR_2014, list],
    )?;
    Ok(areas
        .into_iter()
        .map(|a| KeyCounty {
            code: a.code,
            name: a.name,
            attributes: a.attributes.unwrap_or_default(),
        })
        .collect())
}

/// Province names by 2-digit code.
pub fn province_names(c: &mut dyn Conn) -> Result<Vec<(String, String)>> {
    let rows = c.query(
        "SELECT code, name FROM areas WHERE level = 'province' ORDER BY code",
        &[],
    )?;
    rows.iter()
        .map(|r| Ok((r.get("code")?, r.get("name")?)))
        .collect()
}

pub fn insert_county_list(c: &mut dyn Conn, l: &CountyList) -> Result<()> {
    c.execute(
        "INSERT INTO county_lists (code, name_zh, name_en, start_year, end_year, partial, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![l.code.clone(), l.name_zh.clone(), l.name_en.clone(), l.start_year, l.end_year, l.partial, l.note.clone()],
    )?;
    Ok(())
}

/// Every county code (for validating imports in memory).
pub fn county_codes(c: &mut dyn Conn) -> Result<Vec<String>> {
    c.query("SELECT code FROM areas WHERE level = 'county'", &[])?
        .iter()
        .map(|r| r.get("code"))
        .collect()
}

/// Names of the given area codes.
pub fn names(
    c: &mut dyn Conn,
    codes: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let p: Vec<Value> = chunk.iter().map(Value::from).collect();
        for r in c.query(
            &format!("SELECT code, name FROM areas WHERE code IN ({marks})"),
            &p,
        )? {
            out.insert(r.get("code")?, r.get("name")?);
        }
    }
    Ok(out)
}

pub use dingdian_core::area::{ListCompleteness, ProvinceCompleteness};

/// How complete a list is here: its declared total and members, and per
/// province (those its source names and those its members lie in) the
/// declared count and the members held. None for an unknown list.
pub fn list_completeness(c: &mut dyn Conn, code: &str) -> Result<Option<ListCompleteness>> {
    let Some(head) = c.query_one(
        "SELECT l.name_zh, l.name_en, l.declared_total, \
         (SELECT COUNT(*) FROM county_list_members m WHERE m.list_code = l.code) AS members \
         FROM county_lists l WHERE l.code = ?",
        params![code],
    )?
    else {
        return Ok(None);
    };
    let mut provinces: std::collections::BTreeMap<String, ProvinceCompleteness> = c
        .query(
            "SELECT p.province_code, p.declared, a.name FROM county_list_provinces p \
             LEFT JOIN areas a ON a.code = p.province_code WHERE p.list_code = ?",
            params![code],
        )?
        .iter()
        .map(|r| {
            let code: String = r.get("province_code")?;
            let name: Option<String> = r.get("name")?;
            Ok((
                code.clone(),
                ProvinceCompleteness {
                    name: name.unwrap_or_else(|| code.clone()),
                    code,
                    declared: r.get("declared")?,
                    members: 0,
                },
            ))
        })
        .collect::<Result<_>>()?;
    let held = c.query(
        "SELECT SUBSTR(m.county_code, 1, 2) AS province_code, a.name, COUNT(*) AS n \
         FROM county_list_members m LEFT JOIN areas a ON a.code = SUBSTR(m.county_code, 1, 2) \
         WHERE m.list_code = ? GROUP BY SUBSTR(m.county_code, 1, 2), a.name",
        params![code],
    )?;
    for r in &held {
        let pcode: String = r.get("province_code")?;
        let name: Option<String> = r.get("name")?;
        provinces
            .entry(pcode.clone())
            .or_insert_with(|| ProvinceCompleteness {
                name: name.unwrap_or_else(|| pcode.clone()),
                code: pcode,
                declared: None,
                members: 0,
            })
            .members = r.get("n")?;
    }
    Ok(Some(ListCompleteness {
        code: code.to_string(),
        name_zh: head.get("name_zh")?,
        name_en: head.get("name_en")?,
        declared_total: head.get("declared_total")?,
        members: head.get("members")?,
        provinces: provinces.into_values().collect(),
    }))
}

/// After an import: a list with a declared total is partial exactly while
/// it holds fewer members; once complete, its note on what was missing goes.
pub fn refresh_partial(c: &mut dyn Conn, code: &str) -> Result<()> {
    let Some(l) = list_completeness(c, code)? else {
        return Ok(());
    };
    if l.declared_total.is_some() {
        let partial = ListCompleteness::partial(l.declared_total, l.members, true);
        c.execute(
            "UPDATE county_lists SET partial = ?, note = CASE WHEN ? THEN note ELSE NULL END WHERE code = ?",
            params![partial, partial, code],
        )?;
    }
    Ok(())
}

pub fn is_list_member(c: &mut dyn Conn, list: &str, county: &str) -> Result<bool> {
    Ok(c.query_one(
        "SELECT 1 FROM county_list_members WHERE list_code = ? AND county_code = ?",
        params![list, county],
    )?
    .is_some())
}

//! Reference data shipped in the binary: administrative divisions (2023
//! codes), the key-county list, loaded into an empty database on first use.

use crate::db::{Conn, Result, StoreError, Value};
use crate::params;

const PROVINCES: &str = include_str!("../../../data/provinces.csv");
const PREFECTURES: &str = include_str!("../../../data/prefectures.csv");
const COUNTIES: &str = include_str!("../../../data/counties.csv");
const TOWNSHIPS: &str = include_str!("../../../data/key-county-townships.csv");
const VILLAGES: &str = include_str!("../../../data/key-county-villages.csv");
const KEY_COUNTIES_2012: &str = include_str!("../../../data/key-counties-2012.csv");
const POVERTY_LINES: &str = include_str!("../../../data/poverty-lines.csv");

pub use dingdian_core::area::{KEY_2012, POOR_2014};

/// Reads the columns `cols` (by header name) of an embedded CSV.
fn read(csv_text: &str, cols: &[&str]) -> Result<Vec<Vec<String>>> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| StoreError::Config(e.to_string()))?
        .clone();
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h == *c)
                .ok_or_else(|| StoreError::Config(format!("reference data lacks column {c}")))
        })
        .collect::<Result<_>>()?;
    r.records()
        .map(|rec| {
            let rec = rec.map_err(|e| StoreError::Config(e.to_string()))?;
            Ok(idx.iter().map(|&i| rec[i].trim().to_string()).collect())
        })
        .collect()
}

fn area_rows(csv_text: &str, parent_col: &str, level: &str) -> Result<Vec<Vec<Value>>> {
    Ok(read(csv_text, &["code", "name", parent_col])?
        .into_iter()
        .map(|r| {
            let parent = if r[2].is_empty() {
                Value::Null
            } else {
                Value::from(&r[2])
            };
            vec![
                Value::from(&r[0]),
                Value::from(&r[1]),
                Value::from(level),
                parent,
            ]
        })
        .collect())
}

pub fn load_if_empty(c: &mut dyn Conn) -> Result<()> {
    load_poverty_lines_if_empty(c)?;
    if c.query_i64("SELECT COUNT(*) FROM areas", &[])? > 0 {
        return Ok(());
    }
    let cols = ["code", "name", "level", "parent_code"];
    let provinces: Vec<Vec<Value>> = read(PROVINCES, &["code", "name"])?
        .into_iter()
        .map(|r| {
            vec![
                Value::from(&r[0]),
                Value::from(&r[1]),
                "province".into(),
                Value::Null,
            ]
        })
        .collect();
    c.insert_rows("areas", &cols, &provinces)?;
    c.insert_rows(
        "areas",
        &cols,
        &area_rows(PREFECTURES, "provinceCode", "prefecture")?,
    )?;
    c.insert_rows("areas", &cols, &area_rows(COUNTIES, "cityCode", "county")?)?;
    c.insert_rows(
        "areas",
        &cols,
        &area_rows(TOWNSHIPS, "areaCode", "township")?,
    )?;
    c.insert_rows(
        "areas",
        &cols,
        &area_rows(VILLAGES, "streetCode", "village")?,
    )?;

    c.execute(
        "INSERT INTO county_lists (code, name_zh, name_en, start_year, end_year, partial, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            KEY_2012,
            "国家扶贫开发工作重点县（2012）",
            "National key counties (2012)",
            2012,
            2020,
            true,
            "随产品提供的名单只含 7 个省的 191 个县（共 592 个），请导入或补录完整名单。 The shipped list holds 191 of the 592 counties (7 of 21 provinces); import or edit the full list."
        ],
    )?;
    c.execute(
        "INSERT INTO county_lists (code, name_zh, name_en, start_year, end_year, partial, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            POOR_2014,
            "贫困县（2014，832 个）",
            "Poor counties (2014, 832)",
            2014,
            2020,
            true,
            "产品未附带此名单，请导入。 Not shipped with the product: import it."
        ],
    )?;
    let members: Vec<Vec<Value>> = read(KEY_COUNTIES_2012, &["code"])?
        .into_iter()
        .map(|r| vec![Value::from(KEY_2012), Value::from(&r[0])])
        .collect();
    c.insert_rows(
        "county_list_members",
        &["list_code", "county_code"],
        &members,
    )?;
    Ok(())
}

/// The county codes of the key-county list as shipped in the binary
/// (`data/key-counties-2012.csv`), before any edit in this database.
pub fn shipped_key_counties() -> Result<Vec<String>> {
    Ok(read(KEY_COUNTIES_2012, &["code"])?
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect())
}

/// The shipped poverty lines (yuan → fen), until the office amends them.
fn load_poverty_lines_if_empty(c: &mut dyn Conn) -> Result<()> {
    if c.query_i64("SELECT COUNT(*) FROM poverty_lines", &[])? > 0 {
        return Ok(());
    }
    let now = dingdian_core::time::now_ts();
    for r in read(POVERTY_LINES, &["year", "line_yuan", "note"])? {
        let year: i64 = r[0]
            .parse()
            .map_err(|_| StoreError::Config(format!("bad poverty-line year {}", r[0])))?;
        let yuan: i64 = r[1]
            .parse()
            .map_err(|_| StoreError::Config(format!("bad poverty line {}", r[1])))?;
        c.execute(
            "INSERT INTO poverty_lines (year, line_fen, note, updated_at) VALUES (?, ?, ?, ?)",
            params![year, yuan * 100, r[2].clone(), now],
        )?;
    }
    Ok(())
}

/// The villages of the shipped key counties (and Zhouqu), by county, in
/// code order: the places a synthetic registry is spread over.
pub fn villages_by_county() -> Result<Vec<(String, Vec<String>)>> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for r in read(VILLAGES, &["code", "areaCode"])? {
        match out.last_mut() {
            Some((county, v)) if *county == r[1] => v.push(r[0].clone()),
            _ => out.push((r[1].clone(), vec![r[0].clone()])),
        }
    }
    Ok(out)
}

/// The poverty lines shipped with the product (poverty-lines.csv).
pub fn shipped_poverty_lines() -> dingdian_core::indicators::PovertyLines {
    dingdian_core::indicators::PovertyLines::parse_csv(POVERTY_LINES)
        .expect("the shipped poverty lines parse")
}

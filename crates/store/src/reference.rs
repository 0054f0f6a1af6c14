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
const KEY_ASSIST_COUNTIES_2021: &str =
    include_str!("../../../data/key-assistance-counties-2021.csv");
const POVERTY_LINES: &str = include_str!("../../../data/poverty-lines.csv");

pub use dingdian_core::area::{KEY_2012, KEY_ASSIST_2021, POOR_2014};

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
    if c.query_i64("SELECT COUNT(*) FROM areas", &[])? == 0 {
        load_areas(c)?;
    }
    load_missing_lists(c)
}

fn load_areas(c: &mut dyn Conn) -> Result<()> {
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

    Ok(())
}

/// A county list shipped with the product, and what its source says of
/// its completeness (`data/README` of the sources: only what it states).
struct ShippedList {
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    start_year: i64,
    end_year: i64,
    declared_total: i64,
    note: &'static str,
    members: Option<&'static str>,
    /// Provinces the source names (2-digit code) and the count it gives
    /// for each, where it gives one.
    provinces: &'static [(&'static str, Option<i64>)],
}

const SHIPPED_LISTS: &[ShippedList] = &[
    ShippedList {
        code: KEY_2012,
        name_zh: "国家扶贫开发工作重点县（2012）",
        name_en: "National key counties (2012)",
        start_year: 2012,
        end_year: 2020,
        declared_total: 592,
        note: "随产品提供的名单只含 7 个省的 191 个县（共 592 个），请导入或补录完整名单。 The shipped list holds 191 of the 592 counties (7 of 21 provinces); import or edit the full list.",
        members: Some(KEY_COUNTIES_2012),
        // The sources name 21 provinces without a count for each.
        provinces: &[
            ("13", None),
            ("14", None),
            ("15", None),
            ("22", None),
            ("23", None),
            ("34", None),
            ("36", None),
            ("41", None),
            ("42", None),
            ("43", None),
            ("45", None),
            ("46", None),
            ("50", None),
            ("51", None),
            ("52", None),
            ("53", None),
            ("61", None),
            ("62", None),
            ("63", None),
            ("64", None),
            ("65", None),
        ],
    },
    ShippedList {
        code: POOR_2014,
        name_zh: "贫困县（2014，832 个）",
        name_en: "Poor counties (2014, 832)",
        start_year: 2014,
        end_year: 2020,
        declared_total: 832,
        note: "产品未附带此名单，请导入。 Not shipped with the product: import it.",
        members: None,
        provinces: &[],
    },
    ShippedList {
        code: KEY_ASSIST_2021,
        name_zh: "国家乡村振兴重点帮扶县（2021）",
        name_en: "National key counties for rural-revitalisation assistance (2021)",
        // The five-year transition period announced with the list.
        start_year: 2021,
        end_year: 2025,
        declared_total: 160,
        note: "随产品提供的名单含 160 个县中的 90 个（云南 27 个中的 11 个，陕西、甘肃、青海、宁夏尚缺），请导入完整名单。 The shipped list holds 90 of the 160 counties (Yunnan 11 of 27; none yet of Shaanxi, Gansu, Qinghai, Ningxia); import the full list.",
        members: Some(KEY_ASSIST_COUNTIES_2021),
        provinces: &[
            ("15", Some(10)),
            ("45", Some(20)),
            ("50", Some(4)),
            ("51", Some(25)),
            ("52", Some(20)),
            ("53", Some(27)),
            ("61", None),
            ("62", None),
            ("63", None),
            ("64", None),
        ],
    },
];

/// Loads each shipped list a database lacks (a new one, or one made before
/// the list shipped: the 2021 list reaches a county office's database on
/// upgrade) and its completeness where not yet recorded. Runs at every
/// open; does nothing once all is there. Members that the office edited
/// are never touched.
fn load_missing_lists(c: &mut dyn Conn) -> Result<()> {
    for l in SHIPPED_LISTS {
        let fresh = c
            .query_one("SELECT 1 FROM county_lists WHERE code = ?", params![l.code])?
            .is_none();
        if fresh {
            c.execute(
                "INSERT INTO county_lists (code, name_zh, name_en, start_year, end_year, partial, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![l.code, l.name_zh, l.name_en, l.start_year, l.end_year, true, l.note],
            )?;
            if let Some(csv_text) = l.members {
                let members: Vec<Vec<Value>> = read(csv_text, &["code"])?
                    .into_iter()
                    .map(|r| vec![Value::from(l.code), Value::from(&r[0])])
                    .collect();
                c.insert_rows(
                    "county_list_members",
                    &["list_code", "county_code"],
                    &members,
                )?;
            }
        }
        c.execute(
            "UPDATE county_lists SET declared_total = ? WHERE code = ? AND declared_total IS NULL",
            params![l.declared_total, l.code],
        )?;
        if c.query_i64(
            "SELECT COUNT(*) FROM county_list_provinces WHERE list_code = ?",
            params![l.code],
        )? == 0
        {
            let rows: Vec<Vec<Value>> = l
                .provinces
                .iter()
                .map(|(p, n)| {
                    vec![
                        Value::from(l.code),
                        Value::from(*p),
                        n.map_or(Value::Null, Value::from),
                    ]
                })
                .collect();
            c.insert_rows(
                "county_list_provinces",
                &["list_code", "province_code", "declared"],
                &rows,
            )?;
        }
    }
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

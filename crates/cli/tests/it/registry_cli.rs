//! `dingdian import statistics` with `--skip-invalid` and `--dry-run`, the
//! import JSON's error items (interfaces.md), and a registry with the
//! extended columns going out through `export registry` and back in
//! unchanged — on both backends.

use dingdian_testkit::{TestDb, both_backends};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

both_backends!(
    statistics_honour_skip_invalid_and_dry_run,
    registry_errors_have_the_interfaces_shape_and_the_export_round_trips,
    a_generated_registry_with_extended_columns_imports_them,
);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run dingdian")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn count(db: &TestDb, sql: &str) -> i64 {
    dingdian_testkit::beneath(&db.url)
        .read(|c| c.query_i64(sql, &[]))
        .unwrap()
}

/// Every error item has exactly the keys of interfaces.md (plus message_en).
#[track_caller]
fn assert_error_shape(errors: &Value) {
    for e in errors.as_array().expect("errors") {
        let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["code", "column", "message", "message_en", "row", "value"],
            "{e}"
        );
    }
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn statistics_honour_skip_invalid_and_dry_run(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir.path().join("stats.csv"),
        "年度,区划代码,农村人口,农民人均纯收入\n2014,623023,136000,4675\n2014,62302,100,1\n2013,623023,0,4000\n2012,623023,135000,3100\n",
    );
    let rejects = dir.path().join("stats.rejects.csv");

    // All or nothing by default: exit 1, every problem, nothing written.
    let o = dingdian(db, &["import", "statistics", &file, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(
        (v["members"].as_i64(), v["rejected"].as_i64()),
        (Some(0), Some(2))
    );
    assert_error_shape(&v["errors"]);
    assert_eq!(v["errors"][0]["row"], 3);
    assert_eq!(v["errors"][0]["column"], "area_code");
    assert_eq!(v["errors"][0]["value"], "62302");
    assert_eq!(v["errors"][1]["row"], 4);
    assert_eq!(v["errors"][1]["code"], "not_positive_integer");
    assert!(!rejects.exists());
    assert_eq!(count(db, "SELECT COUNT(*) FROM area_statistics"), 0);

    // --skip-invalid --dry-run: what would happen, nothing written.
    let o = dingdian(
        db,
        &[
            "import",
            "statistics",
            &file,
            "--skip-invalid",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(
        (v["rows"].as_i64(), v["rejected"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM area_statistics"), 0);
    std::fs::remove_file(&rejects).expect("a dry run still writes the rejects file");

    // --skip-invalid: the valid rows, and the others beside the input.
    let o = dingdian(db, &["import", "statistics", &file, "--skip-invalid"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 行被拒绝"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("stats.rejects.csv"));
    assert_eq!(count(db, "SELECT COUNT(*) FROM area_statistics"), 2);
    let bytes = std::fs::read(&rejects).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM, for Excel"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "年度,区划代码,农村人口,农民人均纯收入,错误/error");
    assert!(
        lines[1].starts_with("2014,62302,100,1,"),
        "unchanged: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("2013,623023,0,4000,"),
        "unchanged: {}",
        lines[2]
    );
    assert!(lines[2].contains("农村人口应为大于 0 的整数"));
    assert_eq!(lines.len(), 3);
}

fn id(date: &str, seq: u32) -> String {
    let first = format!("623023{date}{seq:03}");
    format!(
        "{first}{}",
        dingdian_core::registry::check_digit(&first).unwrap()
    )
}

fn registry_errors_have_the_interfaces_shape_and_the_export_round_trips(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let header = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因,户类型,其他致贫原因,工资性收入,不愁吃,健康状况,文化程度,劳动技能,务工状况";
    let mut text = format!("{header}\n");
    text += &format!(
        "2014,623023100200,H1,{},王建国,户主,2000,未脱贫,2014,,因病,低保贫困户,\"缺水、缺资金\",8000.5,是,长期慢性病,初中,普通劳动力,省外务工\n",
        id("19700101", 11)
    );
    text += &format!(
        "2014,623023100200,H1,{},李秀英,配偶,2000,未脱贫,2014,,因病,低保贫困户,\"缺水、缺资金\",8000.5,是,健康,小学,弱劳动力或半劳动力,未务工\n",
        id("19720305", 22)
    );
    text += &format!(
        "2014,623023100200,H2,{},张强,户主,3500,已脱贫,2013,2014,缺资金,一般贫困户,,,1,,高中,技能劳动力,县内务工\n",
        id("19650707", 45)
    );
    let bad = text.clone()
        + &format!(
            "2014,623023100200,H3,{},赵六,户主,1500,未脱贫,2014,,缺水,困难户,,-1,,,,,\n",
            id("19500101", 67)
        );
    let bad_file = write(&dir.path().join("bad.csv"), &bad);
    let o = dingdian(db, &["import", "registry", &bad_file, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_error_shape(&v["errors"]);
    let got: Vec<(i64, &str, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (5, "household_type", "unknown_household_type"),
            (5, "wage_income", "negative_income")
        ]
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("户类型")
    );
    assert!(
        v["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("household type")
    );

    let file = write(&dir.path().join("good.csv"), &text);
    let o = dingdian(db, &["import", "registry", &file, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["members"], 3);
    let out = dir.path().join("out.csv");
    let o = dingdian(
        db,
        &[
            "export",
            "registry",
            "--year",
            "2014",
            "--area",
            "623023",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(exported.starts_with(
        "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因,户类型,其他致贫原因,工资性收入,生产经营性收入"
    ));
    assert!(exported.contains("长期慢性病,初中,普通劳动力,省外务工"));

    // Into a fresh database and out again: the same file.
    let other = TestDb::sqlite();
    let o = dingdian(&other, &["import", "registry", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let again = dir.path().join("again.csv");
    let o = dingdian(
        &other,
        &[
            "export",
            "registry",
            "--year",
            "2014",
            "--area",
            "623023",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), exported);
}

/// `gen registry --extended` writes the sixteen optional columns as well,
/// and the file imports with them stored (every household has its type
/// and guarantee flags, every member a health and an education).
fn a_generated_registry_with_extended_columns_imports_them(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ext.csv");
    let f = file.to_str().unwrap();
    let o = dingdian(
        db,
        &[
            "gen",
            "registry",
            "--counties",
            "2",
            "--people",
            "2000",
            "--seed",
            "9",
            "--extended",
            "--out",
            f,
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(header.split(',').count(), 27, "{header}");
    assert!(header.contains("户类型") && header.contains("务工状况"));
    let o = dingdian(db, &["import", "registry", f, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json(&o)["rejected"].as_i64(), Some(0));
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM households WHERE household_type IS NULL OR water_secure IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM members WHERE health IS NULL OR education IS NULL"
        ),
        0
    );
    assert!(count(db, "SELECT COUNT(*) FROM members") >= 2000);
}

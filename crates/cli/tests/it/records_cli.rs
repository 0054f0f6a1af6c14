//! `dingdian import records KIND FILE --unit ID`: all or nothing with the
//! errors of interfaces.md, the 832 export, exit codes 0, 1 and 2 — on
//! both backends, on the demo's seed unit in Zhouqu.

use dingdian_testkit::{TestDb, both_backends};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

both_backends!(records_import_is_all_or_nothing_with_exit_codes);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run dingdian")
}

fn count(db: &TestDb, sql: &str) -> i64 {
    dingdian_testkit::beneath(&db.url)
        .read(|c| c.query_i64(sql, &[]))
        .unwrap()
}

const TRAININGS: &str = "县级区划代码,培训类型,培训主题,培训地点,开始日期,结束日期,培训人次,组织单位\n\
623023,基层干部,村级组织建设培训,舟曲县委党校,2016-10-10,2016-10-12,60,中共中央组织部\n\
623023,technicians,中药材种植培训,舟曲县农技中心,2016-11-01,2016-11-02,40,中共中央组织部\n";

fn records_import_is_all_or_nothing_with_exit_codes(db: &TestDb) {
    assert_eq!(dingdian(db, &["demo"]).status.code(), Some(0));
    let unit = count(db, "SELECT id FROM units WHERE name = '中共中央组织部'").to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    };
    let before = count(db, "SELECT COUNT(*) FROM trainings");
    let bad = file(
        "bad.csv",
        &format!("{TRAININGS}623023,cadres,,舟曲,2016-10-10,2016-10-01,0,部\n"),
    );
    let o = dingdian(
        db,
        &[
            "import",
            "records",
            "trainings",
            &bad,
            "--unit",
            &unit,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows: Vec<(i64, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        vec![(4, "topic"), (4, "end_date"), (4, "trainees")],
        "{v}"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM trainings"),
        before,
        "nothing written"
    );
    let good = file("good.csv", TRAININGS);
    let o = dingdian(
        db,
        &[
            "import",
            "records",
            "trainings",
            &good,
            "--unit",
            &unit,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["imported"], 2);
    assert_eq!(count(db, "SELECT COUNT(*) FROM trainings"), before + 2);
    let purchases = file(
        "832.csv",
        "下单日期,采购人,供应商,供应商所在县,商品,金额\n2016-06-01 09:30:00,组织二局工会,舟曲县花椒合作社,舟曲县,花椒,2400\n",
    );
    let o = dingdian(
        db,
        &[
            "import",
            "records",
            "purchases",
            &purchases,
            "--unit",
            &unit,
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM consumption_records WHERE channel = '832平台'"
        ),
        1
    );
    // Usage errors: an unknown kind, no unit.
    assert_eq!(
        dingdian(db, &["import", "records", "visits", &good, "--unit", &unit])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        dingdian(db, &["import", "records", "trainings", &good])
            .status
            .code(),
        Some(2)
    );
}

//! Issue 9 on the command line, on both backends: the registry import warns
//! (standard error, and `smaller_than_before` in its JSON) when a county's
//! new year is less than half its last; `dingdian indicators` carries the
//! completeness (`completeness.*` columns in CSV, a `complete` column in
//! the table, no exit verdict on an incomplete year).

use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output, Stdio};

both_backends!(a_much_smaller_year_is_warned_and_marked_incomplete,);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run dingdian")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `people` one-person households of Zhouqu's 庙沟村 in `year`.
fn registry(year: i32, people: u32) -> String {
    let mut s = String::from(
        "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n",
    );
    for h in 1..=people {
        let first = format!("62302319800101{h:03}");
        let id = format!("{first}{}", check_digit(&first).unwrap());
        s += &format!("{year},623023100200,H{h},{id},王{h},户主,2000,未脱贫,2014,,因病\n");
    }
    s
}

fn a_much_smaller_year_is_warned_and_marked_incomplete(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let first = write("2014.csv", &registry(2014, 10));
    ok(&dingdian(db, &["import", "registry", &first]));
    let second = write("2015.csv", &registry(2015, 2));
    let out = dingdian(db, &["import", "registry", &second, "--format", "json"]);
    let j: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let w = &j["smaller_than_before"][0];
    assert_eq!(w["county_code"], "623023");
    assert_eq!(
        (w["members"].as_u64(), w["previous_members"].as_u64()),
        (Some(2), Some(10))
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(stderr.contains("不到 2014 年（10 人）的一半"), "{stderr}");

    let csv = ok(&dingdian(
        db,
        &["indicators", "--area", "623023", "--format", "csv"],
    ));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let state = header
        .iter()
        .position(|h| *h == "completeness.state")
        .unwrap_or_else(|| panic!("{header:?}"));
    assert!(header.contains(&"exit_eligible") && header.contains(&"completeness.reasons"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][state], "complete");
    assert_eq!(rows[1][state], "incomplete");
    assert!(!csv.contains('{'), "no JSON inside a cell: {csv}");

    let table = ok(&dingdian(
        db,
        &["indicators", "--area", "623023", "--format", "table"],
    ));
    let last = table.lines().last().unwrap();
    assert!(
        last.contains("2015") && last.trim_end().ends_with("no"),
        "{table}"
    );
}

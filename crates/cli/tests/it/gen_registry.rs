//! `dingdian gen registry` for one county (`--county`), numbered from a
//! start (`--household-start`) or after a database's numbers
//! (`--after-database`), the contract's `--counties` output unchanged, and
//! the import's warning when a file reuses numbers of the year before.

use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output};

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .output()
        .expect("run dingdian")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The household numbers of a generated CSV (third column), in file order.
fn households(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect()
}

fn gen_ok(db: &TestDb, args: &[&str]) {
    let o = dingdian(db, &[&["gen", "registry"], args].concat());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn gen_registry_writes_one_county_numbered_from_a_start() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    // The contract's form is unchanged: --counties 1 is the first key
    // county, byte for byte what --county of that county writes.
    gen_ok(
        &db,
        &[
            "--counties",
            "1",
            "--people",
            "200",
            "--seed",
            "4",
            "--out",
            &s(&p("a.csv")),
        ],
    );
    let a = std::fs::read(p("a.csv")).unwrap();
    let first = households(&p("a.csv"))[0][..6].to_string();
    gen_ok(
        &db,
        &[
            "--county",
            &first,
            "--people",
            "200",
            "--seed",
            "4",
            "--out",
            &s(&p("b.csv")),
        ],
    );
    assert_eq!(a, std::fs::read(p("b.csv")).unwrap());
    // One county, numbered from 500 on.
    gen_ok(
        &db,
        &[
            "--county",
            "623023",
            "--people",
            "200",
            "--household-start",
            "500",
            "--out",
            &s(&p("c.csv")),
        ],
    );
    let codes = households(&p("c.csv"));
    assert_eq!(codes[0], "623023000500");
    assert!(codes.iter().all(|c| c.len() == 12
        && c.starts_with("623023")
        && c[6..].parse::<u32>().unwrap() >= 500));
    // An unknown county is refused (1); --counties with --county is a usage error (2).
    let o = dingdian(
        &db,
        &[
            "gen",
            "registry",
            "--county",
            "999999",
            "--people",
            "10",
            "--out",
            &s(&p("d.csv")),
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("--county 999999"));
    let o = dingdian(
        &db,
        &[
            "gen",
            "registry",
            "--counties",
            "1",
            "--county",
            "623023",
            "--people",
            "10",
            "--out",
            &s(&p("d.csv")),
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // Numbers that would pass six digits are refused.
    let o = dingdian(
        &db,
        &[
            "gen",
            "registry",
            "--county",
            "623023",
            "--people",
            "100",
            "--household-start",
            "999950",
            "--out",
            &s(&p("d.csv")),
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

fn numbering_after_the_database_cannot_reuse_its_household_numbers(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    gen_ok(
        db,
        &[
            "--county",
            "623023",
            "--people",
            "300",
            "--years",
            "2016",
            "--out",
            &p("a.csv"),
        ],
    );
    let o = dingdian(db, &["import", "registry", &p("a.csv")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("warning"),
        "a first year warns of nothing"
    );
    // Another family's file for 2017, numbered as usual: the numbers of
    // 2016 come back with other heads, and the import says so.
    gen_ok(
        db,
        &[
            "--county",
            "623023",
            "--people",
            "300",
            "--seed",
            "9",
            "--years",
            "2017",
            "--out",
            &p("b.csv"),
        ],
    );
    let o = dingdian(db, &["import", "registry", "--dry-run", &p("b.csv")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning") && err.contains("623023000001") && err.contains("another head"),
        "{err}"
    );
    // Numbered after the database: no number of it is reused.
    gen_ok(
        db,
        &[
            "--county",
            "623023",
            "--people",
            "300",
            "--seed",
            "9",
            "--years",
            "2017",
            "--after-database",
            &db.url,
            "--out",
            &p("c.csv"),
        ],
    );
    let before: Vec<String> = households(std::path::Path::new(&p("a.csv")));
    let highest = before.iter().max().unwrap().clone();
    let after = households(std::path::Path::new(&p("c.csv")));
    assert!(
        after.iter().all(|c| *c > highest),
        "{} after {highest}",
        after[0]
    );
    let o = dingdian(db, &["import", "registry", &p("c.csv")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

both_backends!(numbering_after_the_database_cannot_reuse_its_household_numbers);

//! `dingdian export ledger`: xlsx and IATI files, and the exit codes of a
//! bad format or county — on both backends.

use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output};

both_backends!(export_ledger_writes_xlsx_and_iati_and_refuses_bad_options);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .output()
        .expect("run dingdian")
}

fn export_ledger_writes_xlsx_and_iati_and_refuses_bad_options(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("ledger.xml");
    let out = dingdian(
        db,
        &[
            "export",
            "ledger",
            "--format",
            "iati",
            "--county",
            "623023",
            "--out",
            xml.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&xml).unwrap();
    assert!(text.contains("<iati-activities version=\"2.03\""), "{text}");
    let xlsx = dir.path().join("ledger.xlsx");
    let out = dingdian(
        db,
        &[
            "export",
            "ledger",
            "--format",
            "xlsx",
            "--year",
            "2024",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let bad = dingdian(
        db,
        &["export", "ledger", "--format", "pdf", "--out", "x.pdf"],
    );
    assert_eq!(bad.status.code(), Some(1));
    let bad = dingdian(
        db,
        &[
            "export", "ledger", "--format", "iati", "--county", "62", "--out", "x.xml",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--county"));
    let usage = dingdian(db, &["export", "ledger", "--out", "x.xml"]);
    assert_eq!(usage.status.code(), Some(2), "--format is required");
}

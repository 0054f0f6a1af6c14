//! `dingdian export secondments|reports|inspections|rectifications|
//! leader-visits` and `dingdian reminders run`, on the demo — on both
//! backends.

use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output};

both_backends!(the_discipline_lists_export_and_a_second_reminders_run_waits_for_the_lease);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .output()
        .expect("run dingdian")
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn the_discipline_lists_export_and_a_second_reminders_run_waits_for_the_lease(db: &TestDb) {
    ok(&dingdian(db, &["demo"]));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("secondments.csv");
    let path = csv.to_str().unwrap();
    ok(&dingdian(
        db,
        &["export", "secondments", "--county", "623023", "--out", path],
    ));
    let text = std::fs::read_to_string(&csv).unwrap();
    // A header and the seed case's ten cadres.
    assert_eq!(text.lines().count(), 11, "{text}");
    assert!(text.contains("中共中央组织部"), "{text}");
    for list in ["reports", "inspections", "rectifications", "leader-visits"] {
        let xlsx = dir.path().join(format!("{list}.xlsx"));
        ok(&dingdian(
            db,
            &["export", list, "--out", xlsx.to_str().unwrap()],
        ));
        assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "{list}");
    }
    let bad = dingdian(db, &["export", "reports", "--out", "reports.pdf"]);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "an unknown file type is invalid input"
    );

    let run = |db: &TestDb| -> serde_json::Value {
        serde_json::from_str(ok(&dingdian(db, &["reminders", "run"])).trim()).expect("json")
    };
    let first = run(db);
    assert_eq!(first["ran"], true, "{first}");
    assert!(
        first["created"].as_i64().unwrap() > 0,
        "the demo has overdue work: {first}"
    );
    assert_eq!(first["emailed"], 0, "no SMTP server was given: {first}");
    // Another process a moment later: the first run's lease (a minute) has
    // not run out, so this one leaves the work to its holder.
    let second = run(db);
    assert_eq!(second["ran"], false, "{second}");
    assert_eq!(second["created"], 0, "{second}");
}

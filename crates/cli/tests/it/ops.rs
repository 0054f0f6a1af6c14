//! The operator's commands through the real binary, on both backends:
//! `audit verify` exits 0 on an intact chain and 1, naming the record, on a
//! tampered one; `backup` and `restore` round-trip a registry with the key
//! kept apart.

use dingdian_testkit::{Backend, TestDb, both_backends};
use std::path::Path;
use std::process::{Command, Output, Stdio};

both_backends!(
    audit_verify_exits_0_when_intact_and_1_naming_the_edited_record,
    backup_and_restore_round_trip_through_the_command_line,
);

fn dingdian(url: &str, key: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", url)
        .env("DINGDIAN_KEY_FILE", key)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run dingdian")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A key file of its own for each test, as an operator keeps it.
fn key(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("dingdian.key");
    std::fs::write(&path, "0123456789abcdef".repeat(4)).unwrap();
    path
}

/// A small synthetic registry imported, so the log has records.
fn load(db: &TestDb, key: &Path, dir: &Path) {
    let file = dir.join("reg.csv");
    let f = file.to_str().unwrap();
    ok(&dingdian(
        &db.url,
        key,
        &[
            "gen",
            "registry",
            "--counties",
            "2",
            "--people",
            "200",
            "--seed",
            "3",
            "--out",
            f,
        ],
    ));
    ok(&dingdian(&db.url, key, &["import", "registry", f]));
    ok(&dingdian(&db.url, key, &["import", "registry", f]));
}

fn audit_verify_exits_0_when_intact_and_1_naming_the_edited_record(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let key = key(dir.path());
    load(db, &key, dir.path());
    let out = ok(&dingdian(&db.url, &key, &["audit", "verify"]));
    assert!(out.contains("audit chain intact: 2 "), "{out}");
    assert!(out.contains("last record #2 "), "{out}");

    // An attacker with the database lifts the guard and edits record 1.
    let store = dingdian_testkit::beneath(&db.url);
    let lift = match db.backend {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    store
        .write(|c| {
            c.batch(&format!(
                "{lift} UPDATE audit_log SET outcome = 'failure' WHERE id = 1"
            ))
        })
        .unwrap();
    let o = dingdian(&db.url, &key, &["audit", "verify"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("first broken record: #1,"), "{err}");
    assert!(
        err.contains("registry.import"),
        "the action is named: {err}"
    );
    assert!(err.contains("hash mismatch"), "{err}");
    assert!(err.contains("哈希值不符"), "{err}");
    assert!(o.stdout.is_empty(), "nothing on standard output");
}

fn backup_and_restore_round_trip_through_the_command_line(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let key = key(dir.path());
    load(db, &key, dir.path());
    let file = dir.path().join("nightly.backup");
    let f = file.to_str().unwrap();
    let o = dingdian(&db.url, &key, &["backup", "--out", f]);
    let out = ok(&o);
    assert!(out.contains("members"), "tables listed: {out}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Keep the key file safe"),
        "the key reminder: {err}"
    );
    // Not over an existing file.
    let o = dingdian(&db.url, &key, &["backup", "--out", f]);
    assert_eq!(o.status.code(), Some(1));

    let indicators = |url: &str| ok(&dingdian(url, &key, &["indicators", "--format", "json"]));
    let expected = indicators(&db.url);
    let mut targets = vec![TestDb::sqlite()];
    targets.extend(TestDb::postgres());
    for target in &targets {
        let out = ok(&dingdian(&target.url, &key, &["restore", f]));
        assert!(out.contains("restored"), "{out}");
        assert!(out.contains("audit chain intact"), "{out}");
        assert_eq!(indicators(&target.url), expected, "{:?}", target.backend);
        ok(&dingdian(&target.url, &key, &["audit", "verify"]));
        // Over data only with --force.
        let o = dingdian(&target.url, &key, &["restore", f]);
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
        ok(&dingdian(&target.url, &key, &["restore", "--force", f]));
    }
    // With another key the restore is refused.
    let other = dir.path().join("other.key");
    std::fs::write(&other, "fe".repeat(32)).unwrap();
    let target = TestDb::sqlite();
    let o = dingdian(&target.url, &other, &["restore", f]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("point DINGDIAN_KEY"));
}

//! The `dingdian` command as scripts use it: exit codes, stdin passwords,
//! imports with their error reports, exports — on both backends.

use dingdian_testkit::{TestDb, both_backends};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn dingdian(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dingdian");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn user_add_reads_the_password_from_stdin_and_refuses_bad_accounts(db: &TestDb) {
    let ok = dingdian(
        db,
        &[
            "user",
            "add",
            "--username",
            "wang",
            "--role",
            "office",
            "--password-stdin",
        ],
        "Strong@2026\n",
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    assert!(stdout(&ok).contains("wang"));

    let weak = dingdian(
        db,
        &[
            "user",
            "add",
            "--username",
            "li",
            "--role",
            "office",
            "--password-stdin",
        ],
        "password\n",
    );
    assert_eq!(code(&weak), 1, "a weak password is invalid input");
    assert!(stderr(&weak).contains("password"), "{}", stderr(&weak));

    let dup = dingdian(
        db,
        &[
            "user",
            "add",
            "--username",
            "wang",
            "--role",
            "office",
            "--password-stdin",
        ],
        "Strong@2026\n",
    );
    assert_eq!(code(&dup), 1);
    assert!(stderr(&dup).contains("用户名已存在"), "{}", stderr(&dup));

    let no_unit = dingdian(
        db,
        &[
            "user",
            "add",
            "--username",
            "zhang",
            "--role",
            "unit",
            "--password-stdin",
        ],
        "Strong@2026\n",
    );
    assert_eq!(code(&no_unit), 1, "the unit role needs --unit");
    assert!(stderr(&no_unit).contains("unit"), "{}", stderr(&no_unit));

    let bad_role = dingdian(
        db,
        &[
            "user",
            "add",
            "--username",
            "zhao",
            "--role",
            "root",
            "--password-stdin",
        ],
        "Strong@2026\n",
    );
    assert_eq!(code(&bad_role), 1);

    // The password comes from stdin, never from an argument.
    let usage = dingdian(
        db,
        &["user", "add", "--username", "qian", "--role", "office"],
        "",
    );
    assert_eq!(
        code(&usage),
        2,
        "without --password-stdin it is a usage error"
    );
}

/// The `otpauth://` lines of a command's standard output.
fn otpauth_lines(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("otpauth://"))
        .map(str::to_string)
        .collect()
}

fn add_user(db: &TestDb, username: &str, role: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "user",
        "add",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    args.extend_from_slice(extra);
    let o = dingdian(db, &args, "Strong@2026\n");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    o
}

fn user_add_prints_one_otpauth_line_when_the_account_has_a_second_factor(db: &TestDb) {
    use dingdian_app::auth::SessionKind;
    use dingdian_core::totp;
    for role in ["admin", "security", "auditor", "office", "reviewer"] {
        let name = format!("{role}9");
        let lines = otpauth_lines(&add_user(db, &name, role, &[]));
        assert_eq!(lines.len(), 1, "{role}: exactly one line: {lines:?}");
        let prefix = format!("otpauth://totp/dingdian:{name}?secret=");
        assert!(lines[0].starts_with(&prefix), "{}", lines[0]);
        assert!(lines[0].ends_with("&issuer=dingdian"), "{}", lines[0]);
    }
    // The secret printed is the one sign-in checks.
    let line = otpauth_lines(&add_user(db, "wang", "office", &[])).remove(0);
    let b32 = line
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(
        b32.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)),
        "base32 without padding: {b32}"
    );
    let secret = totp::base32_decode(b32).unwrap();
    assert_eq!(secret.len(), totp::SECRET_BYTES);
    let app = dingdian_app::App::open(&db.url).unwrap();
    let code = totp::code_at(&secret, dingdian_core::time::now_ts());
    assert!(
        app.login("wang", "Strong@2026", None, SessionKind::Api, None)
            .is_err(),
        "the code is needed"
    );
    app.login("wang", "Strong@2026", Some(&code), SessionKind::Api, None)
        .expect("the printed secret's code signs in");
    // Other roles: only when asked for.
    assert!(otpauth_lines(&add_user(db, "insp1", "inspector", &[])).is_empty());
    assert_eq!(
        otpauth_lines(&add_user(db, "insp2", "inspector", &["--totp"])).len(),
        1
    );
}

fn demo_prints_the_second_factor_of_its_accounts(db: &TestDb) {
    let o = dingdian(db, &["demo"], "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = otpauth_lines(&o);
    let secret = dingdian_app::demo::DEMO_TOTP_SECRET;
    // The county officer sees ID numbers in full: it needs one too.
    for user in [
        "admin", "security", "auditor", "office", "reviewer", "zhouqu",
    ] {
        let want = format!("otpauth://totp/dingdian:{user}?secret={secret}&issuer=dingdian");
        assert!(lines.contains(&want), "{want} in {lines:?}");
    }
    assert_eq!(
        lines.len(),
        6,
        "the other demo accounts have none: {lines:?}"
    );
}

fn usage_errors_exit_2_and_broken_databases_exit_3(db: &TestDb) {
    assert_eq!(code(&dingdian(db, &["frobnicate"], "")), 2);
    assert_eq!(code(&dingdian(db, &["import", "units"], "")), 2);
    let bad = dingdian(db, &["demo", "--database", "mysql://nowhere"], "");
    assert_eq!(
        code(&bad),
        3,
        "an unusable database is a system failure: {}",
        stderr(&bad)
    );
    let help = dingdian(db, &["--help"], "");
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("serve"));
}

fn demo_is_idempotent_and_prints_the_logins(db: &TestDb) {
    let first = dingdian(db, &["demo"], "");
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(stdout(&first).contains("demo data loaded"));
    assert!(
        stdout(&first).contains("office")
            && stdout(&first).contains(dingdian_app::demo::DEMO_PASSWORD)
    );
    let second = dingdian(db, &["demo", "--database", &db.url], "");
    assert_eq!(code(&second), 0);
    assert!(stdout(&second).contains("already present"));
}

fn unit_import_reports_rows_and_writes_nothing_on_error(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("units.csv");
    std::fs::write(
        &bad,
        "单位名称,单位类型\n教育部,中央党政机关\n,中央党政机关\n财政部,外星机构\n",
    )
    .unwrap();
    let out = dingdian(db, &["import", "units", bad.to_str().unwrap()], "");
    assert_eq!(code(&out), 1, "invalid rows are invalid input");
    let err = stderr(&out);
    assert!(
        err.contains("第 3 行") && err.contains("row 3"),
        "names the row in both languages: {err}"
    );
    assert!(
        err.contains("第 4 行") && err.contains("外星机构"),
        "names the value: {err}"
    );

    let json = dingdian(
        db,
        &["import", "units", bad.to_str().unwrap(), "--format", "json"],
        "",
    );
    assert_eq!(code(&json), 1);
    let v: serde_json::Value = serde_json::from_str(stdout(&json).trim()).expect("one JSON object");
    assert_eq!(v["rejected"], 2);
    assert_eq!(v["errors"][0]["row"], 3);
    assert_eq!(v["errors"][0]["column"], "name");

    // Nothing was written: the export holds only the header.
    let xlsx = dir.path().join("units.csv.out.csv");
    let exp = dingdian(
        db,
        &["export", "units", "--out", xlsx.to_str().unwrap()],
        "",
    );
    assert_eq!(code(&exp), 0, "{}", stderr(&exp));
    let csv = std::fs::read_to_string(&xlsx).unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "name,kind,department\n教育部,central_organ,发展规划司\n",
    )
    .unwrap();
    let ok = dingdian(
        db,
        &[
            "import",
            "units",
            good.to_str().unwrap(),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let v: serde_json::Value = serde_json::from_str(stdout(&ok).trim()).unwrap();
    assert_eq!(v["created"], 1);
    // Importing again updates, never duplicates.
    let again = dingdian(
        db,
        &[
            "import",
            "units",
            good.to_str().unwrap(),
            "--format",
            "json",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&again).trim()).unwrap();
    assert_eq!(
        (v["created"].as_i64(), v["updated"].as_i64()),
        (Some(0), Some(1))
    );

    let missing = dingdian(
        db,
        &[
            "import",
            "units",
            dir.path().join("nope.csv").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&missing), 1);
}

fn exports_write_xlsx_or_csv_by_extension(db: &TestDb) {
    assert_eq!(code(&dingdian(db, &["demo"], "")), 0);
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("plans.xlsx");
    let out = dingdian(db, &["export", "plans", "--out", x.to_str().unwrap()], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        std::fs::read(&x).unwrap().starts_with(b"PK"),
        "an xlsx is a zip"
    );
    let c = dir.path().join("pairings.csv");
    let out = dingdian(
        db,
        &[
            "export",
            "pairings",
            "--plan",
            "4",
            "--out",
            c.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&c).unwrap();
    assert!(text.lines().next().unwrap().contains("帮扶单位"));
    assert!(
        text.contains("中共中央组织部,623023"),
        "the seed pairing is exported"
    );
    let bad = dingdian(
        db,
        &[
            "export",
            "units",
            "--out",
            dir.path().join("u.txt").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&bad), 1);
}

fn pairing_import_goes_into_a_draft_plan_only(db: &TestDb) {
    assert_eq!(code(&dingdian(db, &["demo"], "")), 0);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.csv");
    std::fs::write(&f, "帮扶单位,县级区划代码,角色\n教育部,623023,member\n").unwrap();
    // PairingPlan 4 is the active demo plan: immutable.
    let out = dingdian(
        db,
        &["import", "pairings", "--plan", "4", f.to_str().unwrap()],
        "",
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("new version") || stderr(&out).contains("新版本"),
        "{}",
        stderr(&out)
    );
}

both_backends!(
    user_add_prints_one_otpauth_line_when_the_account_has_a_second_factor,
    demo_prints_the_second_factor_of_its_accounts,
    user_add_reads_the_password_from_stdin_and_refuses_bad_accounts,
    usage_errors_exit_2_and_broken_databases_exit_3,
    demo_is_idempotent_and_prints_the_logins,
    unit_import_reports_rows_and_writes_nothing_on_error,
    exports_write_xlsx_or_csv_by_extension,
    pairing_import_goes_into_a_draft_plan_only,
);

/// A kill in the middle of an import's write leaves the database as it
/// was: the import is one transaction, and SQLite rolls an unfinished one
/// back when the file is next opened.
#[test]
fn a_killed_import_leaves_the_database_as_it_was() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let generated = dingdian(
        &db,
        &[
            "gen",
            "registry",
            "--counties",
            "20",
            "--people",
            "200000",
            "--seed",
            "3",
            "--out",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&generated), 0, "{}", stderr(&generated));
    let path = db.url.strip_prefix("sqlite://").unwrap().to_string();
    // The database exists (and is migrated) before the import starts.
    assert_eq!(
        code(&dingdian(&db, &["indicators", "--format", "json"], "")),
        0
    );
    let wal = format!("{path}-wal");
    let start_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(["import", "registry", file.to_str().unwrap()])
        .env("DINGDIAN_DATABASE", &db.url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the write transaction is filling the log, then kill.
    let mut killed_while_writing = false;
    for _ in 0..600 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended before it could be interrupted: {status}");
        }
        if std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > start_len + 4_000_000 {
            child.kill().unwrap();
            killed_while_writing = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.wait();
    assert!(killed_while_writing, "the import never started writing");
    let out = dingdian(
        &db,
        &["indicators", "--level", "nation", "--format", "json"],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows, serde_json::json!([]), "no half-imported registry");
}

#[test]
fn serve_refuses_missing_tls_files_in_both_languages() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    let out = dingdian(
        &db,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("无法读取证书文件") && err.contains("cannot read the certificate file"),
        "{err}"
    );
    assert!(err.contains("cert.pem"), "names the file: {err}");
    // A certificate without its key is a usage error.
    let out = dingdian(&db, &["serve", "--tls-cert", cert.to_str().unwrap()], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--tls-key"), "{}", stderr(&out));
}

/// `dingdian key rotate`: re-seals the registry under a fresh key from the
/// key file, keeps the old key apart, and the data still exports; a key in
/// the environment is refused as invalid input (exit 1).
#[test]
fn key_rotate_reseals_the_registry_and_retires_the_old_key() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("personal.key");
    let run = |args: &[&str], env_key: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dingdian"));
        cmd.args(args)
            .env("DINGDIAN_DATABASE", &db.url)
            .env("DINGDIAN_KEY_FILE", &key_file)
            .env_remove("DINGDIAN_KEY")
            .stdin(Stdio::null());
        if let Some(k) = env_key {
            cmd.env("DINGDIAN_KEY", k);
        }
        cmd.output().unwrap()
    };
    let file = dir.path().join("r.csv");
    let f = file.to_str().unwrap();
    let gen_args = ["gen", "registry", "--counties", "2", "--people", "3000"];
    let generated = run(
        &[&gen_args[..], &["--seed", "5", "--out", f]].concat(),
        None,
    );
    assert_eq!(code(&generated), 0, "{}", stderr(&generated));
    let imported = run(&["import", "registry", f], None);
    assert_eq!(code(&imported), 0, "{}", stderr(&imported));
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let before = run(
        &[
            "export",
            "registry",
            "--year",
            "2016",
            "--out",
            dir.path().join("a.csv").to_str().unwrap(),
        ],
        None,
    );

    let rotated = run(&["key", "rotate"], None);
    assert_eq!(code(&rotated), 0, "{}", stderr(&rotated));
    assert!(stdout(&rotated).contains("rotated"), "{}", stdout(&rotated));
    let new_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_key.trim(), old_key.trim());
    assert_eq!(
        new_key.lines().count(),
        1,
        "only the new key stays in the file"
    );
    let retired: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".retired-"))
        .collect();
    assert_eq!(retired.len(), 1);
    assert_eq!(
        std::fs::read_to_string(retired[0].path()).unwrap().trim(),
        old_key.trim()
    );

    // Every row still opens: the export before and after is the same.
    let after = run(
        &[
            "export",
            "registry",
            "--year",
            "2016",
            "--out",
            dir.path().join("b.csv").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&before), 0, "{}", stderr(&before));
    assert_eq!(code(&after), 0, "{}", stderr(&after));
    assert_eq!(
        std::fs::read(dir.path().join("a.csv")).unwrap(),
        std::fs::read(dir.path().join("b.csv")).unwrap()
    );

    let from_env = run(&["key", "rotate"], Some(new_key.trim()));
    assert_eq!(code(&from_env), 1, "{}", stderr(&from_env));
    assert!(
        stderr(&from_env).contains("DINGDIAN_KEY_FILE"),
        "{}",
        stderr(&from_env)
    );
}

//! Units (validation, imports in every encoding and format, export round
//! trip), pairing imports, sign-in, lockout, idle timeout, accounts and
//! the audit log. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use common::*;
use dingdian_app::auth::{NewUserInput, SessionKind};
use dingdian_app::tabular::Encoding;
use dingdian_app::units::UnitImport;
use dingdian_app::{App, AppError, Page};
use dingdian_core::FieldError;
use dingdian_core::unit::{Unit, UnitInput};
use dingdian_store::units::UnitFilter;
use dingdian_store::{Conn, params};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    create_unit_names_every_bad_field,
    duplicate_unit_name_is_refused,
    unit_import_is_all_or_nothing_and_names_row_and_column,
    csv_row_numbers_are_the_rows_excel_shows,
    gbk_csv_imports,
    reimporting_the_same_file_updates_instead_of_duplicating,
    xlsx_export_imports_back_as_updates_only,
    unit_import_refuses_unknown_and_missing_columns,
    unit_import_refuses_empty_and_foreign_files,
    pairing_import_reports_row_numbers_and_writes_nothing_on_error,
    pairing_import_into_a_draft_plan_succeeds,
    wrong_password_is_unauthorized,
    five_failures_lock_the_account,
    a_success_resets_the_failure_count,
    idle_sessions_time_out,
    signing_in_clears_sessions_idle_past_the_timeout,
    logout_ends_the_session,
    create_user_validates_password_name_role_and_scope,
    only_account_managers_create_accounts,
    every_write_is_in_the_audit_log,
);

fn units_count(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) FROM units")
}

fn all_units(app: &App) -> Vec<Unit> {
    app.list_units(&office(), &UnitFilter::default(), Page::all())
        .unwrap()
        .0
}

fn unit_named(app: &App, name: &str) -> Unit {
    all_units(app)
        .into_iter()
        .find(|u| u.name == name)
        .unwrap_or_else(|| panic!("no unit {name}"))
}

/// (row, field, code) of each error.
fn places(e: &[FieldError]) -> Vec<(Option<usize>, String, String)> {
    e.iter()
        .map(|f| (f.row, f.field.clone(), f.msg.code.clone()))
        .collect()
}

fn create_unit_names_every_bad_field(db: &TestDb) {
    let app = open(db);
    let before = units_count(&app);
    let e = invalid(app.create_unit(
        &office(),
        &UnitInput {
            name: "  ".into(),
            kind: "alien".into(),
            ..Default::default()
        },
    ));
    assert_eq!(
        places(&e),
        vec![
            (None, "name".into(), "required".into()),
            (None, "kind".into(), "unknown_kind".into())
        ]
    );
    assert_eq!(e[1].value, "alien");
    let e = invalid(app.create_unit(
        &office(),
        &UnitInput {
            name: "单位".into(),
            ..Default::default()
        },
    ));
    assert_eq!(places(&e), vec![(None, "kind".into(), "required".into())]);
    let e = invalid(app.create_unit(
        &office(),
        &UnitInput {
            name: "单".repeat(101),
            kind: "university".into(),
            contact_phone: "call me".into(),
            contact_email: "nobody".into(),
            ..Default::default()
        },
    ));
    let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["name", "contact_phone", "contact_email"]);
    assert_eq!(units_count(&app), before, "nothing written");

    // The kind is accepted by code, Chinese or English name.
    for (i, kind) in [
        "university",
        "高校及科研院所",
        "University or research institute",
    ]
    .iter()
    .enumerate()
    {
        let id = app
            .create_unit(
                &office(),
                &UnitInput {
                    name: format!("大学{i}"),
                    kind: kind.to_string(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(
            app.get_unit(&office(), id).unwrap().kind.as_str(),
            "university"
        );
    }
}

fn duplicate_unit_name_is_refused(db: &TestDb) {
    let app = open(db);
    let a = unit(&app, "教育部");
    let b = unit(&app, "科学技术部");
    let before = units_count(&app);
    expect_invalid(
        app.create_unit(
            &office(),
            &UnitInput {
                name: " 教育部 ".into(),
                kind: "central_organ".into(),
                ..Default::default()
            },
        ),
        "name",
        "duplicate_unit",
    );
    assert_eq!(units_count(&app), before);
    // Renaming onto another unit's name is refused too; keeping one's own is fine.
    expect_invalid(
        app.update_unit(
            &office(),
            b,
            &UnitInput {
                name: "教育部".into(),
                kind: "central_organ".into(),
                ..Default::default()
            },
        ),
        "name",
        "duplicate_unit",
    );
    assert_eq!(app.get_unit(&office(), b).unwrap().name, "科学技术部");
    app.update_unit(
        &office(),
        a,
        &UnitInput {
            name: "教育部".into(),
            kind: "central_organ".into(),
            leader: "部长".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        app.get_unit(&office(), a).unwrap().leader.as_deref(),
        Some("部长")
    );
}

fn unit_import_is_all_or_nothing_and_names_row_and_column(db: &TestDb) {
    let app = open(db);
    let before = units_count(&app);
    let audit = audit_rows(&app);
    let csv = "单位名称,单位类型,联系电话,电子邮箱\n\
               教育部,中央党政机关,010-6609 6114,\n\
               清华大学,高校及科研院所,,\n\
               外星人协会,alien,,\n\
               北京大学,高校及科研院所,,pku\n\
               \n\
               清华大学,高校及科研院所,,\n";
    let e = invalid(app.import_units(&office(), "units.csv", csv.as_bytes(), Encoding::Auto));
    // Header is row 1; the blank line is row 6 and is skipped but counted.
    assert_eq!(
        places(&e),
        vec![
            (Some(4), "kind".into(), "unknown_kind".into()),
            (Some(5), "contact_email".into(), "bad_email".into()),
            (Some(7), "name".into(), "duplicate_in_file".into()),
        ]
    );
    assert_eq!(e[0].value, "alien");
    assert!(
        e[2].msg.en.contains('3'),
        "the repeat names its first row: {}",
        e[2].msg.en
    );
    assert_eq!(units_count(&app), before, "no row was written");
    // The failed attempt itself is audited (issue 9, finding 17).
    assert_eq!(audit_rows(&app), audit + 1);
    assert_eq!(last_audit_action(&app), "unit.import");

    // The message a user reads names the row and the column.
    let msg = AppError::Invalid(e).message("en");
    assert!(msg.contains("row 4, kind"), "{msg}");
}

fn csv_row_numbers_are_the_rows_excel_shows(db: &TestDb) {
    let app = open(db);
    // A quoted cell with a line break is one row; a blank line is a row.
    let csv =
        "name,kind,note\r\n教育部,central_organ,\"多行\r\n备注\"\r\n\r\n外星人协会,alien,\r\n";
    let e = invalid(app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto));
    assert_eq!(
        places(&e),
        vec![(Some(4), "kind".into(), "unknown_kind".into())]
    );
    // Once fixed, the multi-line note is kept whole.
    let csv = csv.replace("alien", "central_organ");
    assert_eq!(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto)
            .unwrap(),
        UnitImport {
            created: 2,
            updated: 0
        }
    );
    assert_eq!(
        unit_named(&app, "教育部").note.as_deref(),
        Some("多行\r\n备注")
    );
}

fn gbk_csv_imports(db: &TestDb) {
    let app = open(db);
    let text = "单位名称,单位类型,分管部门,地址\n中华全国总工会,人民团体,扶贫办公室,北京市西城区复兴门外大街10号\n国家电网有限公司,国有企业,,\n";
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file really is not UTF-8"
    );
    let r = app
        .import_units(&office(), "units.csv", &bytes, Encoding::Auto)
        .unwrap();
    assert_eq!(
        r,
        UnitImport {
            created: 2,
            updated: 0
        }
    );
    let acftu = unit_named(&app, "中华全国总工会");
    assert_eq!(acftu.kind.as_str(), "peoples_organisation");
    assert_eq!(acftu.department.as_deref(), Some("扶贫办公室"));
    assert_eq!(
        acftu.address.as_deref(),
        Some("北京市西城区复兴门外大街10号")
    );
    assert_eq!(
        unit_named(&app, "国家电网有限公司").kind.as_str(),
        "state_enterprise"
    );

    // Told explicitly, too; and forcing UTF-8 on GBK bytes is refused.
    let r = app
        .import_units(&office(), "units.csv", &bytes, Encoding::Gbk)
        .unwrap();
    assert_eq!(
        r,
        UnitImport {
            created: 0,
            updated: 2
        }
    );
    expect_invalid(
        app.import_units(&office(), "units.csv", &bytes, Encoding::Utf8),
        "file",
        "bad_encoding",
    );
    assert_eq!(units_count(&app), 2);
}

fn reimporting_the_same_file_updates_instead_of_duplicating(db: &TestDb) {
    let app = open(db);
    let csv = "\u{feff}name,kind,leader\r\n教育部,central_organ,部长甲\r\n清华大学,university,\r\n";
    assert_eq!(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto)
            .unwrap(),
        UnitImport {
            created: 2,
            updated: 0
        }
    );
    assert_eq!(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto)
            .unwrap(),
        UnitImport {
            created: 0,
            updated: 2
        }
    );
    assert_eq!(units_count(&app), 2);
    // A changed file updates the fields and adds only the new unit.
    let csv2 = "name,kind,leader\n教育部,central_organ,部长乙\n北京大学,university,\n";
    assert_eq!(
        app.import_units(&office(), "u.csv", csv2.as_bytes(), Encoding::Auto)
            .unwrap(),
        UnitImport {
            created: 1,
            updated: 1
        }
    );
    assert_eq!(units_count(&app), 3);
    assert_eq!(unit_named(&app, "教育部").leader.as_deref(), Some("部长乙"));
}

fn xlsx_export_imports_back_as_updates_only(db: &TestDb) {
    let app = open(db);
    app.create_unit(
        &office(),
        &UnitInput {
            name: "中共中央组织部".into(),
            kind: "central_organ".into(),
            leader: "分管副部长".into(),
            department: "组织二局".into(),
            contact_name: "刘联络".into(),
            contact_phone: "01068309999".into(),
            contact_email: "fupin@example.gov.cn".into(),
            address: "北京市西城区西长安街 80 号".into(),
            note: "2010 年起定点帮扶舟曲县".into(),
        },
    )
    .unwrap();
    unit(&app, "教育部");
    app.create_unit(
        &office(),
        &UnitInput {
            name: "清华大学".into(),
            kind: "university".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let before = all_units(&app);

    let bytes = app.export_units(&office(), &UnitFilter::default()).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "an xlsx file");
    let r = app
        .import_units(&office(), "units.xlsx", &bytes, Encoding::Auto)
        .unwrap();
    assert_eq!(
        r,
        UnitImport {
            created: 0,
            updated: 3
        }
    );
    assert_eq!(
        all_units(&app),
        before,
        "every field survives the round trip"
    );
}

fn unit_import_refuses_unknown_and_missing_columns(db: &TestDb) {
    let app = open(db);
    let csv = "name,kind,colour\n教育部,central_organ,red\n";
    let e = expect_invalid(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto),
        "colour",
        "unknown_column",
    );
    assert_eq!(e[0].row, Some(1), "the header row");
    let csv = "name,leader\n教育部,部长\n";
    expect_invalid(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto),
        "kind",
        "missing_column",
    );
    let csv = "name,kind,单位名称\n教育部,central_organ,教育部\n";
    expect_invalid(
        app.import_units(&office(), "u.csv", csv.as_bytes(), Encoding::Auto),
        "单位名称",
        "duplicate_column",
    );
    assert_eq!(units_count(&app), 0);
}

fn unit_import_refuses_empty_and_foreign_files(db: &TestDb) {
    let app = open(db);
    expect_invalid(
        app.import_units(&office(), "u.csv", b"  \n", Encoding::Auto),
        "file",
        "empty_file",
    );
    expect_invalid(
        app.import_units(&office(), "u.csv", b"name,kind\n", Encoding::Auto),
        "file",
        "no_rows",
    );
    expect_invalid(
        app.import_units(&office(), "u.pdf", b"%PDF-1.4", Encoding::Auto),
        "file",
        "bad_file_type",
    );
    expect_invalid(
        app.import_units(&office(), "u.xlsx", b"not a zip", Encoding::Auto),
        "file",
        "bad_xlsx",
    );
    assert_eq!(units_count(&app), 0);
}

fn pairing_import_reports_row_numbers_and_writes_nothing_on_error(db: &TestDb) {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let id = plan(&app, &office(), "总体方案", START, END);
    let audit = audit_rows(&app);
    let csv = format!(
        "帮扶单位,县级区划代码,角色,开始日期,结束日期\n\
         测试单位1,{ZHOUQU},lead,,\n\
         测试单位2,999999,lead,,\n\
         没有的单位,{XINGTANG},lead,,\n\
         {u3},{JIANGHUA},boss,,\n\
         测试单位4,{LINGSHOU},lead,2020-01-01,\n\
         测试单位2,{ZHOUQU},牵头,,\n\
         测试单位1,{ZHOUQU},member,,\n",
        u3 = units[2]
    );
    let e = invalid(app.import_pairings(
        &office(),
        id,
        "pairings.csv",
        csv.as_bytes(),
        Encoding::Auto,
    ));
    assert_eq!(
        places(&e),
        vec![
            (Some(3), "county_code".into(), "unknown_county".into()),
            (Some(4), "unit".into(), "unknown_unit".into()),
            (Some(5), "role".into(), "bad_role".into()),
            (Some(6), "start".into(), "outside_period".into()),
            (Some(7), "role".into(), "second_lead".into()),
            (Some(8), "county_code".into(), "duplicate_pairing".into()),
        ]
    );
    assert_eq!(count_pairings(&app, id), 0, "nothing written");
    assert_eq!(audit_rows(&app), audit);
}

fn pairing_import_into_a_draft_plan_succeeds(db: &TestDb) {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let id = plan(&app, &office(), "总体方案", START, END);
    // Units by name or by number; Chinese or English roles.
    let csv = format!(
        "unit,county_code,county_name,role,start,end,note\n\
         测试单位1,{ZHOUQU},舟曲县,牵头,,,种植业\n\
         {u2},{XINGTANG},,lead,2021-01-01,2023-12-31,\n\
         测试单位3,{XINGTANG},,lead,2024-01-01,2025-12-31,\n\
         测试单位4,{ZHOUQU},,参与,,,\n",
        u2 = units[1]
    );
    assert_eq!(
        app.import_pairings(&office(), id, "p.csv", csv.as_bytes(), Encoding::Auto)
            .unwrap(),
        4
    );
    let ps = pairings(&app, id);
    assert_eq!(ps.len(), 4);
    let z = ps.iter().find(|p| p.unit_id == units[0]).unwrap();
    assert_eq!(
        (z.county_code.as_str(), z.role.as_str(), z.note.as_deref()),
        (ZHOUQU, "lead", Some("种植业"))
    );
    assert_eq!(
        (z.start.to_string(), z.end.to_string()),
        (START.to_string(), END.to_string())
    );
    // Importing the same rows again collides with what is there.
    let e = invalid(app.import_pairings(&office(), id, "p.csv", csv.as_bytes(), Encoding::Auto));
    for row in 2..=5 {
        assert!(
            e.iter()
                .any(|f| f.row == Some(row) && f.msg.code == "duplicate_pairing"),
            "row {row}: {e:?}"
        );
    }
    assert!(
        e.iter().all(|f| (2..=5).contains(&f.row.unwrap_or(0))),
        "{e:?}"
    );
    assert_eq!(count_pairings(&app, id), 4);
    // The import format round-trips through the export.
    let xlsx = app.export_pairings(&office(), &Default::default()).unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"));
}

fn login_user(app: &App, username: &str) {
    app.create_user(
        &office(),
        &NewUserInput {
            username: username.into(),
            role: "office".into(),
            password: PASSWORD.into(),
            totp_secret: Some(dingdian_app::auth::new_totp_secret()),
            ..Default::default()
        },
    )
    .unwrap();
}

fn login(app: &App, username: &str, password: &str) -> Result<String, AppError> {
    app.login(
        username,
        password,
        totp(app, username).as_deref(),
        SessionKind::Api,
        Some("127.0.0.1".into()),
    )
    .map(|s| s.token)
}

fn wrong_password_is_unauthorized(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    expect_unauthorized(login(&app, "wang", "Wrong@2026x"), "bad_credentials");
    // An unknown user gets the same answer, so names do not leak.
    expect_unauthorized(login(&app, "nobody", PASSWORD), "bad_credentials");
    let token = login(&app, "wang", PASSWORD).unwrap();
    let (actor, csrf) = app.authenticate(&token, None).unwrap();
    assert_eq!(actor.username, "wang");
    assert_eq!(actor.role.as_str(), "office");
    assert!(!csrf.is_empty());
    expect_unauthorized(app.authenticate("not-a-token", None), "unauthenticated");
    // The token is not stored in the clear.
    let stored = count(
        &app,
        &format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'"),
    );
    assert_eq!(stored, 0);
}

fn five_failures_lock_the_account(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    for i in 1..=5 {
        expect_unauthorized(
            login(&app, "wang", &format!("Wrong@{i}xyz")),
            "bad_credentials",
        );
    }
    match login(&app, "wang", PASSWORD) {
        Err(AppError::Locked(m)) => {
            assert_eq!(m.code, "locked");
            assert!(m.en.contains("30 minutes"), "{}", m.en);
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(matches!(
        login(&app, "wang", "Wrong@9xyz"),
        Err(AppError::Locked(_))
    ));
    // When the lock has run out, the right password works again.
    app.store()
        .write(|c: &mut dyn Conn| {
            c.execute(
                "UPDATE users SET locked_until = ? WHERE username = ?",
                params![dingdian_core::time::now_ts() - 1, "wang"],
            )
        })
        .unwrap();
    login(&app, "wang", PASSWORD).unwrap();
}

fn a_success_resets_the_failure_count(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    for _ in 0..4 {
        expect_unauthorized(login(&app, "wang", "Wrong@2026x"), "bad_credentials");
    }
    login(&app, "wang", PASSWORD).unwrap();
    for _ in 0..4 {
        expect_unauthorized(login(&app, "wang", "Wrong@2026x"), "bad_credentials");
    }
    login(&app, "wang", PASSWORD).expect("eight failures with a success between do not lock");
}

fn idle_sessions_time_out(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    let token = login(&app, "wang", PASSWORD).unwrap();
    app.age_session(&token, 29 * 60).unwrap();
    app.authenticate(&token, None)
        .expect("29 idle minutes are within the timeout");
    // Using the session touched it.
    let recent = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM sessions WHERE last_seen_at >= {}",
            dingdian_core::time::now_ts() - 60
        ),
    );
    assert_eq!(
        recent, 1,
        "authenticating refreshes the session's last activity"
    );
    app.age_session(&token, 31 * 60).unwrap();
    expect_unauthorized(app.authenticate(&token, None), "unauthenticated");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sessions"),
        0,
        "the timed-out session is deleted"
    );
    // The timed-out session is gone for good.
    app.age_session(&token, 0).unwrap();
    expect_unauthorized(app.authenticate(&token, None), "unauthenticated");
}

/// Sessions nobody can use any more are not kept: each sign-in deletes
/// those idle past the timeout, and keeps the others.
fn signing_in_clears_sessions_idle_past_the_timeout(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    let stale = login(&app, "wang", PASSWORD).unwrap();
    let recent = login(&app, "wang", PASSWORD).unwrap();
    app.age_session(&stale, 31 * 60).unwrap();
    app.age_session(&recent, 29 * 60).unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions"), 2);
    login(&app, "wang", PASSWORD).unwrap();
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sessions"),
        2,
        "the stale session is gone, the recent one and the new one remain"
    );
    app.authenticate(&recent, None)
        .expect("a session within the timeout still works");
}

fn logout_ends_the_session(db: &TestDb) {
    let app = open(db);
    login_user(&app, "wang");
    let token = login(&app, "wang", PASSWORD).unwrap();
    let other = login(&app, "wang", PASSWORD).unwrap();
    let (actor, _) = app.authenticate(&token, None).unwrap();
    app.logout(&token, &actor).unwrap();
    expect_unauthorized(app.authenticate(&token, None), "unauthenticated");
    app.authenticate(&other, None)
        .expect("other sessions continue");
}

fn create_user_validates_password_name_role_and_scope(db: &TestDb) {
    let app = open(db);
    let u = unit(&app, "教育部");
    let users = || count(&app, "SELECT COUNT(*) FROM users");
    let new =
        |username: &str, role: &str, unit: Option<i64>, county: Option<&str>, password: &str| {
            NewUserInput {
                username: username.into(),
                display_name: String::new(),
                role: role.into(),
                unit_id: unit,
                county_code: county.map(Into::into),
                password: password.into(),
                ..Default::default()
            }
        };
    for weak in ["short1!", "alllowercase1", "ALLUPPER", "Abcdefgh"] {
        expect_invalid(
            app.create_user(&office(), &new("wang", "office", None, None, weak)),
            "password",
            "weak_password",
        );
    }
    expect_invalid(
        app.create_user(&office(), &new("wang li", "office", None, None, PASSWORD)),
        "username",
        "bad_username",
    );
    expect_invalid(
        app.create_user(&office(), &new("", "office", None, None, PASSWORD)),
        "username",
        "required",
    );
    expect_invalid(
        app.create_user(&office(), &new("wang", "root", None, None, PASSWORD)),
        "role",
        "unknown_role",
    );
    expect_invalid(
        app.create_user(&office(), &new("wang", "unit", None, None, PASSWORD)),
        "unit",
        "unit_required",
    );
    expect_invalid(
        app.create_user(
            &office(),
            &new("wang", "unit", Some(u + 1000), None, PASSWORD),
        ),
        "unit",
        "unknown_unit",
    );
    expect_invalid(
        app.create_user(&office(), &new("wang", "county", None, None, PASSWORD)),
        "county",
        "county_required",
    );
    expect_invalid(
        app.create_user(
            &office(),
            &new("wang", "county", None, Some("999999"), PASSWORD),
        ),
        "county",
        "unknown_county",
    );
    expect_invalid(
        app.create_user(
            &office(),
            &new("wang", "county", None, Some("62"), PASSWORD),
        ),
        "county",
        "unknown_county",
    );
    let e = invalid(app.create_user(&office(), &new("wang", "cadre", None, None, "weak")));
    let mut fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec!["county", "password", "unit"],
        "every problem at once"
    );
    assert_eq!(users(), 0, "nothing written");

    let id = app
        .create_user(
            &office(),
            &new("wang", "cadre", Some(u), Some(ZHOUQU), PASSWORD),
        )
        .unwrap();
    assert!(id > 0);
    let a = actor(&app, "wang");
    assert_eq!(
        a.scope,
        dingdian_core::role::Scope::UnitCounty(
            u,
            dingdian_core::area::CountyCode::parse(ZHOUQU).unwrap()
        )
    );
    assert_eq!(
        a.display_name, "wang",
        "the display name defaults to the user name"
    );
    expect_invalid(
        app.create_user(&office(), &new("wang", "office", None, None, PASSWORD)),
        "username",
        "duplicate_username",
    );
    // A role that needs no scope does not keep one given by mistake.
    app.create_user(
        &office(),
        &new("li", "office", Some(u), Some(ZHOUQU), PASSWORD),
    )
    .unwrap();
    assert_eq!(actor(&app, "li").scope, dingdian_core::role::Scope::All);
    assert_eq!(users(), 2);
}

fn only_account_managers_create_accounts(db: &TestDb) {
    let app = open(db);
    let office_user = user(&app, "office1", "office", None, None);
    let admin = user(&app, "admin1", "admin", None, None);
    let security = user(&app, "security1", "security", None, None);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    let new = NewUserInput {
        username: "new1".into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    expect_forbidden(app.create_user(&office_user, &new));
    expect_forbidden(app.create_user(&auditor, &new));
    expect_forbidden(app.create_user(&security, &new));
    expect_forbidden(app.list_users(&office_user, None, Page::all()));
    expect_forbidden(app.list_users(&auditor, None, Page::all()));
    app.create_user(&admin, &new).unwrap();
    let (list, total) = app.list_users(&security, Some("new"), Page::all()).unwrap();
    assert_eq!((list.len(), total), (1, 1));
    assert_eq!(
        list[0].role, None,
        "the administrator's account awaits its role"
    );
}

/// Counts the audit log as writes happen.
struct Log {
    rows: i64,
}

impl Log {
    #[track_caller]
    fn one_more(&mut self, app: &App, action: &str) {
        let now = audit_rows(app);
        assert_eq!(now, self.rows + 1, "one audit record for {action}");
        assert_eq!(last_audit_action(app), action);
        self.rows = now;
    }
}

fn every_write_is_in_the_audit_log(db: &TestDb) {
    let app = open(db);
    let mut log = Log {
        rows: audit_rows(&app),
    };
    county_list(&app);
    // The list's creation and its import.
    log.rows += 1;
    log.one_more(&app, "county_list.import");
    let u = unit(&app, "教育部");
    log.one_more(&app, "unit.create");
    app.update_unit(
        &office(),
        u,
        &UnitInput {
            name: "教育部".into(),
            kind: "central_organ".into(),
            leader: "部长".into(),
            ..Default::default()
        },
    )
    .unwrap();
    log.one_more(&app, "unit.update");
    app.import_units(
        &office(),
        "u.csv",
        "name,kind\n清华大学,university\n北京大学,university\n".as_bytes(),
        Encoding::Auto,
    )
    .unwrap();
    log.one_more(&app, "unit.import");
    let u2 = unit_named(&app, "清华大学").id;
    app.export_units(&office(), &UnitFilter::default()).unwrap();
    log.one_more(&app, "unit.export");
    let mut attrs = app
        .get_area(&office(), JIANGHUA)
        .unwrap()
        .attributes
        .unwrap();
    attrs.ethnic = true;
    app.update_county(&office(), JIANGHUA, &attrs).unwrap();
    log.one_more(&app, "county.update");
    let p = plan(&app, &office(), "总体方案", START, END);
    log.one_more(&app, "plan.create");
    app.update_plan(&office(), p, &plan_input("总体方案（修订）", START, END))
        .unwrap();
    log.one_more(&app, "plan.update");
    let pr = pair(&app, p, u, ZHOUQU, "lead");
    log.one_more(&app, "pairing.create");
    app.remove_pairing(&office(), p, pr).unwrap();
    log.one_more(&app, "pairing.delete");
    let csv = format!("unit,county_code,role\n教育部,{ZHOUQU},lead\n清华大学,{XINGTANG},lead\n");
    app.import_pairings(&office(), p, "p.csv", csv.as_bytes(), Encoding::Auto)
        .unwrap();
    log.one_more(&app, "pairing.import");
    app.record_coverage_exception(&office(), p, JIANGHUA, "省内帮扶")
        .unwrap();
    log.one_more(&app, "plan.coverage_exception");
    app.transition_plan(&office(), p, "consultation", None)
        .unwrap();
    log.one_more(&app, "plan.transition");
    let unit_user = user(&app, "jyb", "unit", Some(u), None);
    log.one_more(&app, "user.create");
    app.give_feedback(&unit_user, p, "accept", "").unwrap();
    log.one_more(&app, "plan.feedback");
    app.derive_specific_plan(&office(), p, "具体方案", &[u2])
        .unwrap();
    log.one_more(&app, "plan.derive");
    expect_unauthorized(login(&app, "jyb", "Wrong@2026x"), "bad_credentials");
    log.one_more(&app, "login");
    let token = login(&app, "jyb", PASSWORD).unwrap();
    log.one_more(&app, "login");
    let (a, _) = app.authenticate(&token, None).unwrap();
    app.logout(&token, &a).unwrap();
    log.one_more(&app, "logout");

    // Who did it is recorded.
    let who = app
        .store()
        .read(|c: &mut dyn Conn| c.query_one("SELECT username, outcome, address FROM audit_log WHERE action = 'login' ORDER BY id", &[]))
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            who.get::<String>("username").unwrap(),
            who.get::<String>("outcome").unwrap(),
            who.get::<String>("address").unwrap()
        ),
        (
            "jyb".to_string(),
            "failure".to_string(),
            "127.0.0.1".to_string()
        )
    );
}

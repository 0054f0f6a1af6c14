//! Identity at MLPS level 3, through the app on both backends: the TOTP
//! second factor (required, opt-in, replay, lockout, sealed at rest),
//! password expiry, accounts made by the administrator, the separated
//! duties of admin / security / auditor, and demo accounts outside `--demo`.

use crate::common;

use common::*;
use dingdian_app::accounts::RoleInput;
use dingdian_app::auth::{NewUserInput, Restriction, SessionKind, new_totp_secret};
use dingdian_app::{Actor, App, AppError, Page, SignInPolicy};
use dingdian_core::{time, totp};
use dingdian_store::registry::HouseholdFilter;
use dingdian_store::{Conn, params, users};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    an_account_with_a_second_factor_needs_its_code,
    a_code_is_accepted_once_only,
    wrong_codes_count_toward_the_lockout,
    the_secret_is_sealed_in_the_database,
    a_required_role_without_a_second_factor_may_only_enrol_one,
    any_account_may_enrol_a_second_factor,
    expired_passwords_must_be_changed_first,
    accounts_made_by_the_administrator_await_a_role_and_a_new_password,
    the_administrator_manages_accounts_only,
    only_the_security_administrator_assigns_roles,
    the_auditor_reads_the_audit_log_only,
    demo_accounts_are_refused_outside_demo_mode,
);

fn sign_in(
    app: &App,
    username: &str,
    code: Option<&str>,
) -> Result<dingdian_app::auth::SignedIn, AppError> {
    app.login(
        username,
        PASSWORD,
        code,
        SessionKind::Api,
        Some("10.0.0.9".into()),
    )
}

fn id_of(app: &App, username: &str) -> i64 {
    account(app, username).id
}

fn account(app: &App, username: &str) -> dingdian_core::user::User {
    app.store()
        .read(|c| users::by_username(c, username))
        .unwrap()
        .expect("account exists")
}

fn secret_of(app: &App, username: &str) -> Vec<u8> {
    let sealed = account(app, username).totp_secret.expect("a second factor");
    app.key().open(totp::AAD_SECRET, &sealed).unwrap()
}

fn code_now(secret: &[u8]) -> String {
    totp::code_at(secret, time::now_ts())
}

/// The outcome and detail of the newest audit record of `action`.
fn last_audit(app: &App, action: &str) -> (String, String, String) {
    let r = app
        .store()
        .read(|c: &mut dyn Conn| {
            c.query_one(
                "SELECT username, outcome, detail FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1",
                params![action],
            )
        })
        .unwrap()
        .unwrap_or_else(|| panic!("an audit record of {action}"));
    let text = |c: &str| r.get::<Option<String>>(c).unwrap().unwrap_or_default();
    (text("username"), text("outcome"), text("detail"))
}

#[track_caller]
fn expect_forbidden_code<T: std::fmt::Debug>(r: Result<T, AppError>, code: &str) {
    match r {
        Err(AppError::Forbidden(m)) => {
            assert_eq!(m.code, code, "{}", m.en);
            assert!(!m.zh.is_empty() && !m.en.is_empty(), "bilingual");
        }
        other => panic!("expected Forbidden {code}, got {other:?}"),
    }
}

fn an_account_with_a_second_factor_needs_its_code(db: &TestDb) {
    let app = open(db);
    user(&app, "office1", "office", None, None);
    let secret = secret_of(&app, "office1");
    expect_unauthorized(sign_in(&app, "office1", None), "totp_required");
    expect_unauthorized(sign_in(&app, "office1", Some("  ")), "totp_required");
    assert_eq!(
        account(&app, "office1").failed_logins,
        0,
        "a missing code is not a failure: the client asks for it"
    );
    let wrong = format!(
        "{:06}",
        (code_now(&secret).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    expect_unauthorized(sign_in(&app, "office1", Some(&wrong)), "bad_totp");
    assert_eq!(
        account(&app, "office1").failed_logins,
        1,
        "a wrong code is a failure"
    );
    let s = sign_in(&app, "office1", Some(&code_now(&secret))).expect("the right code signs in");
    assert_eq!(s.restriction, None);
    app.authenticate(&s.token, None).expect("a full session");
    assert_eq!(account(&app, "office1").failed_logins, 0);
    // A wrong password is refused before the code is looked at.
    expect_unauthorized(
        app.login(
            "office1",
            "Wrong@2026x",
            Some(&code_now(&secret)),
            SessionKind::Api,
            None,
        ),
        "bad_credentials",
    );
}

fn a_code_is_accepted_once_only(db: &TestDb) {
    let app = open(db);
    user(&app, "reviewer1", "reviewer", None, None);
    let secret = secret_of(&app, "reviewer1");
    let code = code_now(&secret);
    sign_in(&app, "reviewer1", Some(&code)).expect("first use");
    expect_unauthorized(sign_in(&app, "reviewer1", Some(&code)), "bad_totp");
    let (_, outcome, detail) = last_audit(&app, "login");
    assert_eq!(outcome, "failure");
    assert!(detail.contains("reused"), "{detail}");
    // The next step's code (within the ±1 window) is still good.
    let next = totp::hotp(&secret, totp::step_at(time::now_ts()) + 1, totp::DIGITS);
    sign_in(&app, "reviewer1", Some(&next)).expect("a later step");
}

fn wrong_codes_count_toward_the_lockout(db: &TestDb) {
    let app = open(db);
    user(&app, "auditor1", "auditor", None, None);
    let secret = secret_of(&app, "auditor1");
    let right = code_now(&secret);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        expect_unauthorized(sign_in(&app, "auditor1", Some(wrong)), "bad_totp");
    }
    match sign_in(&app, "auditor1", Some(&right)) {
        Err(AppError::Locked(m)) => assert_eq!(m.code, "locked"),
        other => panic!("expected Locked, got {other:?}"),
    }
}

fn the_secret_is_sealed_in_the_database(db: &TestDb) {
    let app = open(db);
    let secret = new_totp_secret();
    app.create_user(
        &office(),
        &NewUserInput {
            username: "sealed1".into(),
            role: "unit".into(),
            unit_id: Some(unit(&app, "教育部")),
            password: PASSWORD.into(),
            totp_secret: Some(secret.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let stored = account(&app, "sealed1").totp_secret.expect("stored");
    let b32 = totp::base32_encode(&secret);
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_slice()),
        "the raw secret is not in the column"
    );
    assert!(
        !String::from_utf8_lossy(&stored).contains(&b32),
        "nor its base32"
    );
    assert_eq!(
        stored.len(),
        12 + secret.len() + 16,
        "nonce ‖ SM4-GCM ciphertext ‖ tag"
    );
    assert_eq!(app.key().open(totp::AAD_SECRET, &stored).unwrap(), secret);
    assert!(
        app.key().open(totp::AAD_PENDING, &stored).is_err(),
        "bound to its column"
    );
}

fn a_required_role_without_a_second_factor_may_only_enrol_one(db: &TestDb) {
    let app = open(db);
    // Made without a secret (as when a role is assigned later).
    app.create_user(
        &office(),
        &NewUserInput {
            username: "office2".into(),
            role: "office".into(),
            password: PASSWORD.into(),
            ..Default::default()
        },
    )
    .unwrap();
    let s = sign_in(&app, "office2", None).expect("the password signs in");
    assert_eq!(s.restriction, Some(Restriction::EnrolSecondFactor));
    expect_forbidden_code(app.authenticate(&s.token, None), "second_factor_required");
    let (me, _, r) = app.authenticate_account(&s.token, None).unwrap();
    assert_eq!(r, Some(Restriction::EnrolSecondFactor));

    let uri = app.begin_totp_enrolment(&me).unwrap();
    assert!(
        uri.starts_with("otpauth://totp/dingdian:office2?secret="),
        "{uri}"
    );
    assert!(uri.ends_with("&issuer=dingdian"), "{uri}");
    assert_eq!(
        app.pending_totp(&me).unwrap().as_deref(),
        Some(uri.as_str())
    );
    let b32 = uri
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let secret = totp::base32_decode(b32).unwrap();
    expect_invalid(app.confirm_totp_enrolment(&me, "12345"), "totp", "bad_totp");
    expect_forbidden_code(app.authenticate(&s.token, None), "second_factor_required");
    let code = code_now(&secret);
    app.confirm_totp_enrolment(&me, &code).unwrap();
    assert_eq!(last_audit(&app, "user.totp_enrol").1, "success");
    app.authenticate(&s.token, None)
        .expect("enrolled: the session is whole");
    assert_eq!(app.pending_totp(&me).unwrap(), None);
    // From now on sign-in asks for the code, and the confirming code is spent.
    expect_unauthorized(sign_in(&app, "office2", None), "totp_required");
    expect_unauthorized(sign_in(&app, "office2", Some(&code)), "bad_totp");
}

fn any_account_may_enrol_a_second_factor(db: &TestDb) {
    let app = open(db);
    let me = user(&app, "inspector1", "inspector", None, None);
    let s = sign_in(&app, "inspector1", None).expect("no second factor yet");
    assert_eq!(s.restriction, None);
    expect_conflict(app.confirm_totp_enrolment(&me, "123456"), "no_enrolment");
    let uri = app.begin_totp_enrolment(&me).unwrap();
    // Until confirmed, nothing changes.
    sign_in(&app, "inspector1", None).expect("pending is not on");
    let secret = totp::base32_decode(
        uri.split("secret=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap(),
    )
    .unwrap();
    app.confirm_totp_enrolment(&me, &code_now(&secret)).unwrap();
    expect_unauthorized(sign_in(&app, "inspector1", None), "totp_required");
    let next = totp::hotp(&secret, totp::step_at(time::now_ts()) + 1, totp::DIGITS);
    sign_in(&app, "inspector1", Some(&next)).expect("with the code");
}

fn expired_passwords_must_be_changed_first(db: &TestDb) {
    let app = open(db).with_policy(SignInPolicy {
        password_max_age_days: 90,
        demo_mode: false,
    });
    let u = unit(&app, "教育部");
    user(&app, "unit1", "unit", Some(u), None);
    let set_age = |days: i64| {
        app.store()
            .write(|c: &mut dyn Conn| {
                c.execute(
                    "UPDATE users SET password_changed_at = ? WHERE username = 'unit1'",
                    params![time::now_ts() - days * 86_400],
                )
            })
            .unwrap();
    };
    set_age(89);
    assert_eq!(sign_in(&app, "unit1", None).unwrap().restriction, None);
    set_age(91);
    let s = sign_in(&app, "unit1", None).expect("signs in, restricted");
    assert_eq!(s.restriction, Some(Restriction::PasswordExpired));
    expect_forbidden_code(app.authenticate(&s.token, None), "password_expired");
    let (me, _, _) = app.authenticate_account(&s.token, None).unwrap();
    expect_invalid(
        app.change_password(&me, "Wrong@2026x", "Newer@2026y"),
        "current_password",
        "bad_password",
    );
    expect_invalid(
        app.change_password(&me, PASSWORD, PASSWORD),
        "new_password",
        "same_password",
    );
    expect_invalid(
        app.change_password(&me, PASSWORD, "weakpassword"),
        "new_password",
        "weak_password",
    );
    expect_forbidden_code(app.authenticate(&s.token, None), "password_expired");
    app.change_password(&me, PASSWORD, "Newer@2026y").unwrap();
    assert_eq!(last_audit(&app, "user.password_change").1, "success");
    app.authenticate(&s.token, None)
        .expect("changed: the session is whole");
    assert!(account(&app, "unit1").password_changed_at >= time::now_ts() - 5);
    // The old password no longer works; the new one does.
    expect_unauthorized(sign_in(&app, "unit1", None), "bad_credentials");
    app.login("unit1", "Newer@2026y", None, SessionKind::Api, None)
        .unwrap();
    // 0 days turns expiry off.
    set_age(10_000);
    let never = open(db).with_policy(SignInPolicy {
        password_max_age_days: 0,
        demo_mode: false,
    });
    let s = never
        .login("unit1", "Newer@2026y", None, SessionKind::Api, None)
        .unwrap();
    assert_eq!(s.restriction, None);
    // The default is 90 days.
    assert_eq!(open(db).policy().password_max_age_days, 90);
}

fn accounts_made_by_the_administrator_await_a_role_and_a_new_password(db: &TestDb) {
    let app = open(db);
    let admin = user(&app, "admin1", "admin", None, None);
    let security = user(&app, "security1", "security", None, None);
    let u = unit(&app, "教育部");
    let new = |role: &str| NewUserInput {
        username: "li".into(),
        display_name: "李四".into(),
        role: role.into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    expect_forbidden_code(app.create_user(&admin, &new("office")), "role_by_security");
    let id = app.create_user(&admin, &new("")).unwrap();
    assert_eq!(
        last_audit(&app, "user.create"),
        ("admin1".into(), "success".into(), "role=none".into())
    );
    expect_forbidden_code(sign_in(&app, "li", None), "no_role");
    app.assign_role(
        &security,
        id,
        &RoleInput {
            role: "unit".into(),
            unit_id: None,
            county_code: None,
        },
    )
    .map(|_| ())
    .expect_err("the unit role needs its unit");
    app.assign_role(
        &security,
        id,
        &RoleInput {
            role: "unit".into(),
            unit_id: Some(u),
            county_code: None,
        },
    )
    .unwrap();
    let (by, outcome, detail) = last_audit(&app, "user.role");
    assert_eq!((by.as_str(), outcome.as_str()), ("security1", "success"));
    assert!(detail.contains("none -> unit"), "{detail}");
    // The administrator set the password: it must be changed at once.
    let s = sign_in(&app, "li", None).unwrap();
    assert_eq!(s.restriction, Some(Restriction::PasswordExpired));
    let (me, _, _) = app.authenticate_account(&s.token, None).unwrap();
    assert_eq!(me.scope, dingdian_core::role::Scope::Unit(u));
    app.change_password(&me, PASSWORD, "Mine@2026li").unwrap();
    app.authenticate(&s.token, None).unwrap();
}

fn the_administrator_manages_accounts_only(db: &TestDb) {
    let app = open(db);
    county_list(&app);
    let admin = user(&app, "admin1", "admin", None, None);
    user(&app, "security1", "security", None, None);
    user(&app, "auditor1", "auditor", None, None);
    user(&app, "admin2", "admin", None, None);
    let u = unit(&app, "教育部");
    user(&app, "unit1", "unit", Some(u), None);
    let unit1 = id_of(&app, "unit1");

    // Reads no personal data and no audit log, assigns no role.
    expect_forbidden(app.list_households(&admin, &HouseholdFilter::default(), Page::all()));
    expect_forbidden(app.list_units(&admin, &Default::default(), Page::all()));
    expect_forbidden(app.list_audit(&admin, None, Page::all()));
    expect_forbidden(app.export_audit(&admin, &Default::default()));
    expect_forbidden(app.assign_role(
        &admin,
        unit1,
        &RoleInput {
            role: "office".into(),
            ..Default::default()
        },
    ));
    expect_forbidden(app.assign_role(
        &admin,
        id_of(&app, "admin1"),
        &RoleInput {
            role: "auditor".into(),
            ..Default::default()
        },
    ));

    // Cannot touch the administrator duties, nor its own account.
    for other in ["security1", "auditor1", "admin2"] {
        let id = id_of(&app, other);
        expect_forbidden_code(app.set_user_active(&admin, id, false), "admin_duty");
        expect_forbidden_code(app.reset_password(&admin, id, "Taken@2026x"), "admin_duty");
        assert!(account(&app, other).active);
    }
    expect_forbidden_code(
        app.set_user_active(&admin, id_of(&app, "admin1"), false),
        "own_account",
    );

    // Manages the other accounts: deactivate (ending sessions), reactivate,
    // unlock, reset the password.
    let s = sign_in(&app, "unit1", None).unwrap();
    app.set_user_active(&admin, unit1, false).unwrap();
    assert_eq!(last_audit(&app, "user.deactivate").1, "success");
    expect_unauthorized(app.authenticate(&s.token, None), "unauthenticated");
    expect_unauthorized(sign_in(&app, "unit1", None), "bad_credentials");
    app.set_user_active(&admin, unit1, true).unwrap();
    assert_eq!(last_audit(&app, "user.activate").1, "success");
    for _ in 0..5 {
        let _ = app.login("unit1", "Wrong@2026x", None, SessionKind::Api, None);
    }
    assert!(matches!(
        sign_in(&app, "unit1", None),
        Err(AppError::Locked(_))
    ));
    app.unlock_user(&admin, unit1).unwrap();
    assert_eq!(last_audit(&app, "user.unlock").1, "success");
    sign_in(&app, "unit1", None).expect("unlocked");
    expect_invalid(
        app.reset_password(&admin, unit1, "weak"),
        "password",
        "weak_password",
    );
    app.reset_password(&admin, unit1, "Reset@2026x").unwrap();
    assert_eq!(last_audit(&app, "user.password_reset").1, "success");
    let s = app
        .login("unit1", "Reset@2026x", None, SessionKind::Api, None)
        .unwrap();
    assert_eq!(
        s.restriction,
        Some(Restriction::PasswordExpired),
        "a reset password is changed at once"
    );
}

fn only_the_security_administrator_assigns_roles(db: &TestDb) {
    let app = open(db);
    county_list(&app);
    let security = user(&app, "security1", "security", None, None);
    user(&app, "auditor1", "auditor", None, None);
    user(&app, "admin1", "admin", None, None);
    let u = unit(&app, "教育部");
    let cadre = user(&app, "cadre1", "cadre", Some(u), Some(ZHOUQU));
    let cadre_id = cadre.user_id.unwrap();
    let office_user = user(&app, "office1", "office", None, None);
    let role = |r: &str| RoleInput {
        role: r.into(),
        ..Default::default()
    };

    // Not an account manager, not an auditor.
    let new = NewUserInput {
        username: "x1".into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    expect_forbidden(app.create_user(&security, &new));
    expect_forbidden(app.set_user_active(&security, cadre_id, false));
    expect_forbidden(app.unlock_user(&security, cadre_id));
    expect_forbidden(app.reset_password(&security, cadre_id, "Taken@2026x"));
    expect_forbidden(app.list_audit(&security, None, Page::all()));
    expect_forbidden(app.list_households(&security, &HouseholdFilter::default(), Page::all()));

    // Never its own role, never an administrator duty, to or from anyone.
    expect_forbidden_code(
        app.assign_role(&security, security.user_id.unwrap(), &role("office")),
        "own_account",
    );
    for duty in ["admin", "security", "auditor"] {
        expect_forbidden_code(
            app.assign_role(&security, cadre_id, &role(duty)),
            "admin_duty",
        );
    }
    for holder in ["auditor1", "admin1"] {
        expect_forbidden_code(
            app.assign_role(&security, id_of(&app, holder), &role("inspector")),
            "admin_duty",
        );
    }
    // Others may not assign roles.
    for other in [
        &office_user,
        &actor(&app, "admin1"),
        &actor(&app, "auditor1"),
        &cadre,
    ] {
        expect_forbidden(app.assign_role(other, cadre_id, &role("inspector")));
    }
    // Working roles and scopes, validated.
    expect_invalid(
        app.assign_role(
            &security,
            cadre_id,
            &RoleInput {
                role: "county".into(),
                county_code: Some("999999".into()),
                ..Default::default()
            },
        ),
        "county",
        "unknown_county",
    );
    expect_invalid(
        app.assign_role(&security, cadre_id, &role("root")),
        "role",
        "unknown_role",
    );
    app.assign_role(
        &security,
        cadre_id,
        &RoleInput {
            role: "county".into(),
            county_code: Some(ZHOUQU.into()),
            unit_id: Some(u),
        },
    )
    .unwrap();
    let a: Actor = actor(&app, "cadre1");
    assert_eq!(
        a.scope,
        dingdian_core::role::Scope::County(dingdian_core::area::CountyCode::parse(ZHOUQU).unwrap()),
        "the unit is dropped for a county role"
    );
    let list = app.list_users(&security, None, Page::all()).unwrap().0;
    assert!(list.iter().any(|u| u.username == "cadre1"));
}

fn the_auditor_reads_the_audit_log_only(db: &TestDb) {
    let app = open(db);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    let u = unit(&app, "教育部");
    let unit1 = user(&app, "unit1", "unit", Some(u), None).user_id.unwrap();
    let (records, total) = app
        .list_audit(&auditor, Some("user.create"), Page::all())
        .unwrap();
    assert!(total >= 2 && records.iter().all(|r| r.action == "user.create"));
    expect_forbidden(app.list_users(&auditor, None, Page::all()));
    expect_forbidden(app.get_user(&auditor, unit1));
    expect_forbidden(app.create_user(
        &auditor,
        &NewUserInput {
            username: "x".into(),
            password: PASSWORD.into(),
            ..Default::default()
        },
    ));
    expect_forbidden(app.assign_role(
        &auditor,
        unit1,
        &RoleInput {
            role: "office".into(),
            ..Default::default()
        },
    ));
    expect_forbidden(app.set_user_active(&auditor, unit1, false));
    expect_forbidden(app.list_households(&auditor, &HouseholdFilter::default(), Page::all()));
}

fn demo_accounts_are_refused_outside_demo_mode(db: &TestDb) {
    let app = open(db);
    app.create_user(
        &office(),
        &NewUserInput {
            username: "demo_inspector".into(),
            role: "inspector".into(),
            password: PASSWORD.into(),
            demo: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(account(&app, "demo_inspector").demo);
    match sign_in(&app, "demo_inspector", None) {
        Err(AppError::Forbidden(m)) => {
            assert_eq!(m.code, "demo_account");
            assert!(m.zh.contains("演示") && m.en.contains("--demo"), "{m:?}");
        }
        other => panic!("expected the demo account refused, got {other:?}"),
    }
    let (who, outcome, detail) = last_audit(&app, "login");
    assert_eq!(
        (who.as_str(), outcome.as_str()),
        ("demo_inspector", "refused")
    );
    assert!(detail.contains("demo"), "{detail}");
    // With --demo it signs in; the same session is refused by a server
    // without --demo.
    let demo = app.clone().with_demo_mode(true);
    let s = demo
        .login("demo_inspector", PASSWORD, None, SessionKind::Web, None)
        .unwrap();
    demo.authenticate(&s.token, None).unwrap();
    expect_forbidden_code(app.authenticate(&s.token, None), "demo_account");
    // A wrong password is still just a wrong password (nothing leaks).
    expect_unauthorized(
        app.login(
            "demo_inspector",
            "Wrong@2026x",
            None,
            SessionKind::Web,
            None,
        ),
        "bad_credentials",
    );
}

//! Shared helpers for the app-layer integration tests: a small county
//! list, units, users of each role, plans and the assertions on errors.
//! Each test binary uses a different part of this module.
#![allow(dead_code)]

use dingdian_app::auth::NewUserInput;
use dingdian_app::plans::{PairingInput, PairingPlanInput};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::FieldError;
use dingdian_core::plan::{Pairing, PairingPlanStatus};
use dingdian_core::unit::UnitInput;
use dingdian_store::areas::CountyList;
use dingdian_store::{Conn, params, users};
use dingdian_testkit::TestDb;

/// Zhouqu, Gansu: western (priority 1).
pub const ZHOUQU: &str = "623023";
/// Xingtang, Hebei: not western.
pub const XINGTANG: &str = "130125";
/// Lingshou, Hebei: not western.
pub const LINGSHOU: &str = "130126";
/// Jianghua, Hunan: not western.
pub const JIANGHUA: &str = "431129";

/// The counties of the test list, in code order.
pub const COUNTIES: [&str; 4] = [XINGTANG, LINGSHOU, JIANGHUA, ZHOUQU];

/// The code of the small county list every plan test uses.
pub const LIST: &str = "test-list";

pub const PASSWORD: &str = "Test@2026x";

pub const START: &str = "2021-01-01";
pub const END: &str = "2025-12-31";

pub fn open(db: &TestDb) -> App {
    App::open(&db.url).expect("open app")
}

pub fn office() -> Actor {
    Actor::cli()
}

/// Creates the four-county test list.
pub fn county_list(app: &App) {
    app.create_county_list(
        &office(),
        &CountyList {
            code: LIST.into(),
            name_zh: "测试县名单".into(),
            name_en: "Test county list".into(),
            start_year: 2021,
            end_year: Some(2030),
            partial: false,
            note: None,
            members: 0,
        },
    )
    .expect("create county list");
    let csv = format!("code\n{}\n", COUNTIES.join("\n"));
    let added = app
        .import_county_list(&office(), LIST, "list.csv", csv.as_bytes())
        .expect("import county list");
    assert_eq!(added, 4);
}

pub fn unit(app: &App, name: &str) -> i64 {
    app.create_unit(
        &office(),
        &UnitInput {
            name: name.into(),
            kind: "central_organ".into(),
            ..Default::default()
        },
    )
    .expect("create unit")
}

/// Creates a user and returns it as an actor.
pub fn user(
    app: &App,
    username: &str,
    role: &str,
    unit: Option<i64>,
    county: Option<&str>,
) -> Actor {
    app.create_user(
        &office(),
        &NewUserInput {
            username: username.into(),
            display_name: format!("{username} display"),
            role: role.into(),
            unit_id: unit,
            county_code: county.map(Into::into),
            password: PASSWORD.into(),
            // The roles that need a second factor get one, as `dingdian user add` gives.
            totp_secret: dingdian_core::role::Role::parse(role)
                .is_some_and(dingdian_core::role::Role::requires_second_factor)
                .then(dingdian_app::auth::new_totp_secret),
            demo: false,
        },
    )
    .expect("create user");
    actor(app, username)
}

/// The code the account's authenticator shows now (None without a second factor).
pub fn totp(app: &App, username: &str) -> Option<String> {
    dingdian_testkit::totp_code(app.store(), &app.key(), username)
}

/// An existing user as an actor.
pub fn actor(app: &App, username: &str) -> Actor {
    let u = app
        .store()
        .read(|c| users::by_username(c, username))
        .expect("read user")
        .expect("user exists");
    Actor::from_user(&u, None).expect("user has its scope")
}

pub fn plan_input(name: &str, start: &str, end: &str) -> PairingPlanInput {
    PairingPlanInput {
        name: name.into(),
        kind: "overall".into(),
        county_list: LIST.into(),
        period_start: start.into(),
        period_end: end.into(),
        ..Default::default()
    }
}

/// An empty overall draft plan on the test list.
pub fn plan(app: &App, actor: &Actor, name: &str, start: &str, end: &str) -> i64 {
    app.create_plan(actor, &plan_input(name, start, end))
        .expect("create plan")
}

pub fn pairing(unit: i64, county: &str, role: &str, start: &str, end: &str) -> PairingInput {
    PairingInput {
        unit_id: Some(unit),
        county_code: county.into(),
        role: role.into(),
        start: start.into(),
        end: end.into(),
        note: String::new(),
    }
}

/// Pairs a unit with a county for the whole period of the plan.
pub fn pair(app: &App, plan_id: i64, unit: i64, county: &str, role: &str) -> i64 {
    app.add_pairing(&office(), plan_id, &pairing(unit, county, role, "", ""))
        .expect("add pairing")
}

/// Four units named 测试单位1..4.
pub fn units4(app: &App) -> Vec<i64> {
    (1..=4)
        .map(|i| unit(app, &format!("测试单位{i}")))
        .collect()
}

/// A draft plan covering every county of the test list throughout its
/// period: `units[i]` leads `COUNTIES[i]`.
pub fn covered_plan(
    app: &App,
    actor: &Actor,
    units: &[i64],
    name: &str,
    start: &str,
    end: &str,
) -> i64 {
    let id = plan(app, actor, name, start, end);
    for (u, county) in units.iter().zip(COUNTIES) {
        pair(app, id, *u, county, "lead");
    }
    id
}

/// Moves a plan along the given steps, each by the actor given.
pub fn walk(app: &App, plan_id: i64, steps: &[(&Actor, &str)]) {
    for (actor, to) in steps {
        let reason = (*to == "returned").then_some("needs work");
        app.transition_plan(actor, plan_id, to, reason)
            .unwrap_or_else(|e| {
                panic!(
                    "transition of plan {plan_id} to {to} by {}: {e:?}",
                    actor.username
                )
            });
    }
}

/// Takes a fully covered draft plan to `active`.
pub fn activate(app: &App, plan_id: i64, office: &Actor, reviewer: &Actor) {
    walk(
        app,
        plan_id,
        &[
            (office, "consultation"),
            (office, "submitted"),
            (reviewer, "approved"),
            (office, "active"),
        ],
    );
}

pub fn status(app: &App, plan_id: i64) -> PairingPlanStatus {
    app.get_plan(&office(), plan_id).expect("get plan").status
}

pub fn pairings(app: &App, plan_id: i64) -> Vec<Pairing> {
    app.plan_detail(&office(), plan_id)
        .expect("plan detail")
        .pairings
}

pub fn count(app: &App, sql: &str) -> i64 {
    app.store()
        .read(|c: &mut dyn Conn| c.query_i64(sql, &[]))
        .expect("count")
}

pub fn count_pairings(app: &App, plan_id: i64) -> i64 {
    app.store()
        .read(|c: &mut dyn Conn| {
            c.query_i64(
                "SELECT COUNT(*) FROM pairings WHERE plan_id = ?",
                params![plan_id],
            )
        })
        .expect("count")
}

pub fn audit_rows(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) FROM audit_log")
}

/// The action of the newest audit record.
pub fn last_audit_action(app: &App) -> String {
    app.store()
        .read(|c: &mut dyn Conn| {
            c.query_one("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", &[])
        })
        .expect("read audit")
        .expect("an audit record")
        .get("action")
        .expect("an action")
}

// ---- assertions on errors ------------------------------------------------

#[track_caller]
pub fn expect_conflict<T: std::fmt::Debug>(r: Result<T, AppError>, code: &str) {
    match r {
        Err(AppError::Conflict(m)) => assert_eq!(m.code, code, "conflict code ({})", m.en),
        other => panic!("expected Conflict {code}, got {other:?}"),
    }
}

#[track_caller]
pub fn expect_forbidden<T: std::fmt::Debug>(r: Result<T, AppError>) {
    match r {
        Err(AppError::Forbidden(_)) => {}
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[track_caller]
pub fn expect_not_found<T: std::fmt::Debug>(r: Result<T, AppError>) {
    match r {
        Err(AppError::NotFound(_)) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[track_caller]
pub fn expect_unauthorized<T: std::fmt::Debug>(r: Result<T, AppError>, code: &str) {
    match r {
        Err(AppError::Unauthorized(m)) => assert_eq!(m.code, code),
        other => panic!("expected Unauthorized {code}, got {other:?}"),
    }
}

/// The field errors of an `Invalid` answer.
#[track_caller]
pub fn invalid<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<FieldError> {
    match r {
        Err(AppError::Invalid(e)) => {
            assert!(!e.is_empty(), "Invalid with no field errors");
            e
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Asserts the answer is `Invalid` with an error on `field` with `code`.
#[track_caller]
pub fn expect_invalid<T: std::fmt::Debug>(
    r: Result<T, AppError>,
    field: &str,
    code: &str,
) -> Vec<FieldError> {
    let e = invalid(r);
    assert!(
        e.iter().any(|f| f.field == field && f.msg.code == code),
        "expected an error on {field} with code {code}, got {e:?}"
    );
    e
}

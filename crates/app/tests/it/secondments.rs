//! Secondments: every bad input of the issue, the lifecycle by role,
//! scope per role, linking a cadre's account, and continuity (gaps,
//! overlaps, nobody serving, early leavers) with a fixed today. Every test
//! runs on SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::secondment::{SecondmentFilter, SecondmentInput, SecondmentStatus};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    bad_input_is_refused_with_every_reason_and_nothing_is_written,
    the_lifecycle_is_taken_by_the_roles_of_the_table,
    each_role_sees_only_its_scope,
    only_a_cadre_account_of_the_same_unit_and_county_is_linked,
    continuity_shows_gaps_overlaps_nobody_serving_and_early_leavers,
);

struct Setup {
    app: App,
    units: Vec<i64>,
    unit0: Actor,
    unit1: Actor,
    unit3: Actor,
    cadre: Actor,
    county: Actor,
    inspector: Actor,
}

/// Units 0–3 lead Xingtang, Lingshou, Jianghua, Zhouqu (2021–2025).
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let office = user(&app, "office1", "office", None, None);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let plan = covered_plan(&app, &office, &units, "方案", START, END);
    activate(&app, plan, &office, &reviewer);
    Setup {
        unit0: user(&app, "unit0", "unit", Some(units[0]), None),
        unit1: user(&app, "unit1", "unit", Some(units[1]), None),
        unit3: user(&app, "unit3", "unit", Some(units[3]), None),
        cadre: user(&app, "cadre0", "cadre", Some(units[0]), Some(XINGTANG)),
        county: user(&app, "xingtang", "county", None, Some(XINGTANG)),
        inspector: user(&app, "inspector1", "inspector", None, None),
        app,
        units,
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const TODAY: &str = "2025-06-01";

fn input(
    name: &str,
    county: &str,
    role: &str,
    batch: i64,
    (start, end): (&str, &str),
) -> SecondmentInput {
    SecondmentInput {
        person_name: name.into(),
        person_rank: "处级".into(),
        contact: "0311-1234567".into(),
        county_code: county.into(),
        post: "副县长".into(),
        role: role.into(),
        batch: batch.to_string(),
        start: start.into(),
        planned_end: end.into(),
        ..Default::default()
    }
}

fn create(app: &App, actor: &Actor, i: &SecondmentInput) -> i64 {
    app.create_secondment_on(actor, i, d(TODAY))
        .unwrap_or_else(|e| panic!("create {}: {e:?}", i.person_name))
}

fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    to: &str,
    reason: Option<&str>,
    end: Option<&str>,
) -> Result<SecondmentStatus, AppError> {
    app.transition_secondment_on(actor, id, (to, reason, end), d(TODAY))
}

/// Proposed, approved by the office, serving.
fn serving(s: &Setup, i: &SecondmentInput) -> i64 {
    let id = create(&s.app, &s.unit0, i);
    step(&s.app, &office(), id, "approved", None, None).expect("approve");
    step(&s.app, &s.unit0, id, "serving", None, None).expect("serve");
    id
}

fn seen(app: &App, actor: &Actor) -> i64 {
    app.list_secondments(actor, &SecondmentFilter::default(), Page::all())
        .expect("list")
        .1
}

fn bad_input_is_refused_with_every_reason_and_nothing_is_written(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let today = d(TODAY);
    let r = app.create_secondment_on(
        &s.unit0,
        &input("甲", XINGTANG, "member", 1, ("2024-07-01", "2024-06-30")),
        today,
    );
    expect_invalid(r, "planned_end", "end_before_start");
    let r = app.create_secondment_on(
        &s.unit0,
        &input("甲", XINGTANG, "leader", 1, ("2022-01-01", "2027-01-01")),
        today,
    );
    expect_invalid(r, "planned_end", "leader_term_too_long");
    let r = app.create_secondment_on(
        &s.unit0,
        &input("甲", XINGTANG, "leader", 1, ("2027-07-01", "")),
        today,
    );
    expect_invalid(r, "start", "far_future");
    let r = app.create_secondment_on(
        &s.unit0,
        &input("甲", LINGSHOU, "leader", 1, ("2022-01-01", "")),
        today,
    );
    expect_invalid(r, "county_code", "not_paired");
    let r = app.create_secondment_on(
        &s.unit0,
        &input("甲", XINGTANG, "leader", 1, ("2020-06-01", "")),
        today,
    );
    expect_invalid(r, "county_code", "not_paired");
    let mut village = input("甲", XINGTANG, "member", 1, ("2022-01-01", "2023-12-31"));
    village.village_code = "623023100200".into();
    expect_invalid(
        app.create_secondment_on(&s.unit0, &village, today),
        "village_code",
        "not_a_village",
    );
    let mut zhouqu = input("乙", ZHOUQU, "member", 1, ("2022-01-01", "2023-12-31"));
    zhouqu.village_code = "623023100200".into();
    app.create_secondment_on(&s.unit3, &zhouqu, today)
        .expect("a village of the county");
    assert_eq!(seen(app, &office()), 1);
    // The same person (same unit, same name but for a space) over an
    // intersecting period, in another county too.
    create(
        app,
        &s.unit0,
        &input("张三", XINGTANG, "leader", 1, ("2022-01-01", "")),
    );
    let r = app.create_secondment_on(
        &s.unit0,
        &input("张 三", XINGTANG, "member", 2, ("2024-12-31", "2025-06-30")),
        today,
    );
    let e = expect_invalid(r, "start", "overlapping_secondment");
    assert!(e[0].msg.en.contains("2024-12-31") && !e[0].msg.zh.is_empty());
    create(
        app,
        &s.unit0,
        &input("张三", XINGTANG, "member", 2, ("2025-01-01", "2025-06-30")),
    );
    // Another unit's person of the same name is another person.
    create(
        app,
        &s.unit3,
        &input("张三", ZHOUQU, "member", 1, ("2022-01-01", "2022-12-31")),
    );
    assert_eq!(seen(app, &office()), 4);
}

fn the_lifecycle_is_taken_by_the_roles_of_the_table(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = create(
        app,
        &s.unit0,
        &input("李四", XINGTANG, "leader", 1, ("2024-07-01", "")),
    );
    let v = app.get_secondment(&s.unit0, id).expect("get");
    assert_eq!(v.secondment.status, SecondmentStatus::Proposed);
    assert_eq!(v.secondment.planned_end, d("2027-06-30"));
    assert_eq!(
        v.steps.iter().map(|t| t.to).collect::<Vec<_>>(),
        [SecondmentStatus::Recalled]
    );
    expect_forbidden(step(app, &s.unit0, id, "approved", None, None));
    assert_eq!(last_audit_action(app), "secondment.transition");
    expect_forbidden(step(app, &s.cadre, id, "approved", None, None));
    let office_user = actor(app, "office1");
    assert_eq!(
        app.get_secondment(&office_user, id)
            .expect("get")
            .steps
            .len(),
        1
    );
    step(app, &office_user, id, "approved", None, None).expect("approve");
    expect_forbidden(step(app, &office_user, id, "serving", None, None));
    step(app, &s.unit0, id, "serving", None, None).expect("serve");
    expect_conflict(
        step(app, &s.unit0, id, "approved", None, None),
        "bad_transition",
    );
    expect_invalid(
        step(app, &s.unit0, id, "recalled", None, None),
        "reason",
        "reason_required",
    );
    expect_invalid(
        step(
            app,
            &s.unit0,
            id,
            "recalled",
            Some("调回"),
            Some("2026-01-01"),
        ),
        "end",
        "bad_end",
    );
    step(
        app,
        &s.unit0,
        id,
        "recalled",
        Some("工作需要调回"),
        Some("2025-03-31"),
    )
    .expect("recall");
    let v = app.get_secondment(&s.unit0, id).expect("get");
    assert_eq!(v.secondment.end, Some(d("2025-03-31")));
    assert_eq!(v.secondment.recall_reason.as_deref(), Some("工作需要调回"));
    assert_eq!(v.transitions.len(), 4);
    assert!(!v.may_edit && v.steps.is_empty());
    expect_conflict(
        step(app, &s.unit0, id, "completed", None, None),
        "bad_transition",
    );
    let r = app.update_secondment(
        &s.unit0,
        id,
        &input("李四", XINGTANG, "leader", 1, ("2024-07-01", "")),
    );
    expect_conflict(r, "closed");
    // Completing sets the end (today when none is given).
    let other = serving(
        &s,
        &input("王五", XINGTANG, "member", 1, ("2024-07-01", "2025-06-30")),
    );
    step(app, &s.unit0, other, "completed", None, None).expect("complete");
    assert_eq!(
        app.get_secondment(&s.unit0, other)
            .expect("get")
            .secondment
            .end,
        Some(d(TODAY))
    );
}

fn each_role_sees_only_its_scope(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let mine = create(
        app,
        &s.unit0,
        &input("甲", XINGTANG, "leader", 1, ("2022-01-01", "")),
    );
    let theirs = create(
        app,
        &s.unit1,
        &input("乙", LINGSHOU, "leader", 1, ("2022-01-01", "")),
    );
    assert_eq!(seen(app, &s.unit0), 1);
    assert_eq!(seen(app, &s.unit1), 1);
    assert_eq!(seen(app, &s.county), 1);
    assert_eq!(seen(app, &s.cadre), 1);
    assert_eq!(seen(app, &s.inspector), 2);
    expect_not_found(app.get_secondment(&s.unit0, theirs));
    expect_not_found(app.get_secondment(&s.county, theirs));
    expect_not_found(app.get_secondment(&s.cadre, theirs));
    expect_not_found(step(app, &s.unit0, theirs, "recalled", Some("x"), None));
    let r = app.update_secondment(
        &s.unit0,
        theirs,
        &input("乙", LINGSHOU, "leader", 1, ("2022-01-01", "")),
    );
    expect_not_found(r);
    app.get_secondment(&s.county, mine)
        .expect("the county reads its own");
    expect_forbidden(app.create_secondment_on(
        &s.cadre,
        &input("丙", XINGTANG, "member", 1, ("2022-01-01", "2022-12-31")),
        d(TODAY),
    ));
    expect_forbidden(app.create_secondment_on(
        &s.county,
        &input("丙", XINGTANG, "member", 1, ("2022-01-01", "2022-12-31")),
        d(TODAY),
    ));
    assert_eq!(last_audit_action(app), "secondment.create");
    let f = SecondmentFilter {
        county_code: Some(LINGSHOU.into()),
        ..Default::default()
    };
    assert_eq!(
        app.list_secondments(&s.unit0, &f, Page::all())
            .expect("list")
            .1,
        0
    );
    let xlsx = app
        .export_secondments(&s.inspector, &SecondmentFilter::default())
        .expect("export");
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(last_audit_action(app), "secondment.export");
}

fn only_a_cadre_account_of_the_same_unit_and_county_is_linked(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = serving(&s, &input("甲", XINGTANG, "leader", 1, ("2024-07-01", "")));
    let f = SecondmentFilter {
        without_account: true,
        ..Default::default()
    };
    assert_eq!(
        app.list_secondments(&s.unit0, &f, Page::all())
            .expect("list")
            .1,
        1
    );
    let v = app.get_secondment(&s.unit0, id).expect("get");
    assert_eq!(
        v.accounts
            .iter()
            .map(|a| a.username.as_str())
            .collect::<Vec<_>>(),
        ["cadre0"]
    );
    let elsewhere = user(app, "cadre1", "cadre", Some(s.units[1]), Some(LINGSHOU));
    for other in [
        elsewhere.user_id,
        s.county.user_id,
        s.unit1.user_id,
        Some(999_999),
    ] {
        let r = app.link_secondment_account(&s.unit0, id, other);
        expect_invalid(r, "user_id", "not_a_cadre_account");
    }
    expect_forbidden(app.link_secondment_account(&s.cadre, id, s.cadre.user_id));
    app.link_secondment_account(&s.unit0, id, s.cadre.user_id)
        .expect("link");
    let v = app.get_secondment(&s.unit0, id).expect("get");
    assert_eq!(v.secondment.username.as_deref(), Some("cadre0"));
    assert_eq!(
        app.list_secondments(&s.unit0, &f, Page::all())
            .expect("list")
            .1,
        0
    );
    assert_eq!(last_audit_action(app), "secondment.link_account");
}

fn continuity_shows_gaps_overlaps_nobody_serving_and_early_leavers(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let leader1 = serving(&s, &input("甲", XINGTANG, "leader", 1, ("2021-01-01", "")));
    step(
        app,
        &s.unit0,
        leader1,
        "recalled",
        Some("调回"),
        Some("2022-06-30"),
    )
    .expect("recall");
    let member1 = serving(
        &s,
        &input("乙", XINGTANG, "member", 1, ("2021-01-01", "2022-12-31")),
    );
    step(
        app,
        &s.unit0,
        member1,
        "completed",
        None,
        Some("2022-12-31"),
    )
    .expect("complete");
    let member2 = serving(
        &s,
        &input("丙", XINGTANG, "member", 2, ("2023-03-01", "2024-12-31")),
    );
    step(
        app,
        &s.unit0,
        member2,
        "completed",
        None,
        Some("2024-12-31"),
    )
    .expect("complete");
    serving(&s, &input("丁", XINGTANG, "leader", 3, ("2024-10-01", "")));
    // Proposed ones are nobody's posting yet.
    create(
        app,
        &s.unit0,
        &input("戊", XINGTANG, "member", 4, ("2025-07-01", "2026-06-30")),
    );
    let all = app
        .secondment_continuity(&office(), d(TODAY))
        .expect("continuity");
    assert_eq!(all.len(), 4, "every pairing running today");
    let x = all
        .iter()
        .find(|c| c.pairing.county_code == XINGTANG)
        .expect("xingtang");
    assert_eq!(
        x.batches.iter().map(|b| b.batch).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(x.gaps.len(), 1);
    assert_eq!(
        (x.gaps[0].from, x.gaps[0].to),
        (d("2023-01-01"), d("2023-02-28"))
    );
    assert_eq!(x.overlaps.len(), 1);
    assert_eq!(
        (x.overlaps[0].from, x.overlaps[0].to),
        (d("2024-10-01"), d("2024-12-31"))
    );
    assert_eq!(x.serving, 1);
    assert_eq!(
        x.early_leavers.iter().map(|l| l.id).collect::<Vec<_>>(),
        [leader1]
    );
    let nobody: Vec<&str> = all
        .iter()
        .filter(|c| c.serving == 0)
        .map(|c| c.pairing.county_code.as_str())
        .collect();
    assert_eq!(nobody, [LINGSHOU, JIANGHUA, ZHOUQU]);
    // The unit's own pairings only; past the pairings' end, none runs.
    assert_eq!(
        app.secondment_continuity(&s.unit0, d(TODAY))
            .expect("unit")
            .len(),
        1
    );
    assert!(
        app.secondment_continuity(&s.unit0, d("2026-06-01"))
            .expect("later")
            .is_empty()
    );
    assert_eq!(
        app.serving_by_county(&s.inspector, d(TODAY))
            .expect("chart")
            .len(),
        1
    );
}

//! Coverage of a plan on a day and by province, the priority order of
//! uncovered key counties, and the validation of pairings and plans.
//! Every test runs on SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::App;
use dingdian_app::plans::PairingPlanInput;
use dingdian_core::area::CountyAttributes;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    coverage_on_a_day_counts_start_and_end_inclusive,
    coverage_outside_the_plans_validity_is_none,
    uncovered_counties_are_sorted_western_then_priority_areas_then_the_rest,
    coverage_by_province_counts_each_province,
    pairing_outside_the_plan_period_is_invalid,
    pairing_with_unknown_county_or_unit_is_invalid,
    pairing_ending_before_it_starts_is_invalid,
    pairing_with_bad_role_or_date_is_invalid,
    duplicate_unit_and_county_is_invalid,
    second_lead_for_a_county_in_overlapping_time_is_invalid,
    plan_input_is_validated,
    shrinking_a_plan_period_past_its_pairings_is_refused,
);

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn setup(db: &TestDb) -> (App, Vec<i64>) {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    (app, units)
}

fn uncovered_on(app: &App, plan_id: i64, day: &str) -> Vec<String> {
    let c = app
        .plan_coverage(&office(), plan_id, Some(date(day)))
        .unwrap();
    assert_eq!(c.key_counties, 4);
    assert_eq!(c.covered + c.uncovered.len(), 4);
    let mut codes: Vec<String> = c.uncovered.into_iter().map(|u| u.code).collect();
    codes.sort();
    codes
}

fn codes(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn coverage_on_a_day_counts_start_and_end_inclusive(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    app.add_pairing(
        &office(),
        id,
        &pairing(units[3], ZHOUQU, "lead", START, "2022-12-31"),
    )
    .unwrap();
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], XINGTANG, "lead", "2023-01-01", END),
    )
    .unwrap();
    app.add_pairing(&office(), id, &pairing(units[1], LINGSHOU, "lead", "", ""))
        .unwrap();
    // Jianghua is never paired.

    assert_eq!(uncovered_on(&app, id, START), codes(&[XINGTANG, JIANGHUA]));
    assert_eq!(
        uncovered_on(&app, id, "2022-12-31"),
        codes(&[XINGTANG, JIANGHUA]),
        "a pairing's last day counts"
    );
    assert_eq!(
        uncovered_on(&app, id, "2023-01-01"),
        codes(&[ZHOUQU, JIANGHUA]),
        "a pairing's first day counts"
    );
    assert_eq!(uncovered_on(&app, id, END), codes(&[ZHOUQU, JIANGHUA]));
    let c = app
        .plan_coverage(&office(), id, Some(date("2023-01-01")))
        .unwrap();
    assert_eq!(c.covered, 2);
}

fn coverage_outside_the_plans_validity_is_none(db: &TestDb) {
    let (app, units) = setup(db);
    let id = covered_plan(&app, &office(), &units, "总体方案", START, END);
    assert!(uncovered_on(&app, id, START).is_empty());
    assert!(uncovered_on(&app, id, END).is_empty());
    assert_eq!(
        uncovered_on(&app, id, "2020-12-31"),
        codes(&COUNTIES),
        "the day before the period"
    );
    assert_eq!(
        uncovered_on(&app, id, "2026-01-01"),
        codes(&COUNTIES),
        "the day after the period"
    );
    let c = app
        .plan_coverage(&office(), id, Some(date("2026-01-01")))
        .unwrap();
    assert_eq!(c.covered, 0);
}

fn uncovered_counties_are_sorted_western_then_priority_areas_then_the_rest(db: &TestDb) {
    let (app, _) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    let order = |app: &App| -> Vec<(String, u8)> {
        app.plan_coverage(&office(), id, Some(date("2022-01-01")))
            .unwrap()
            .uncovered
            .into_iter()
            .map(|u| (u.code, u.priority))
            .collect()
    };
    let o = |v: &[(&str, u8)]| -> Vec<(String, u8)> {
        v.iter().map(|(c, p)| (c.to_string(), *p)).collect()
    };
    // No attributes: the western county first, then the rest by code.
    assert_eq!(
        order(&app),
        o(&[(ZHOUQU, 1), (XINGTANG, 3), (LINGSHOU, 3), (JIANGHUA, 3)])
    );

    let set = |code: &str, f: &dyn Fn(&mut CountyAttributes)| {
        let mut a = app.get_area(&office(), code).unwrap().attributes.unwrap();
        f(&mut a);
        app.update_county(&office(), code, &a).unwrap();
    };
    set(JIANGHUA, &|a| a.ethnic = true);
    assert_eq!(
        order(&app),
        o(&[(ZHOUQU, 1), (JIANGHUA, 2), (XINGTANG, 3), (LINGSHOU, 3)])
    );
    set(LINGSHOU, &|a| a.old_revolutionary = true);
    assert_eq!(
        order(&app),
        o(&[(ZHOUQU, 1), (LINGSHOU, 2), (JIANGHUA, 2), (XINGTANG, 3)])
    );
    set(JIANGHUA, &|a| a.ethnic = false);
    set(XINGTANG, &|a| a.border = true);
    assert_eq!(
        order(&app),
        o(&[(ZHOUQU, 1), (XINGTANG, 2), (LINGSHOU, 2), (JIANGHUA, 3)])
    );
    // A western county stays first whatever its attributes.
    set(ZHOUQU, &|a| a.ethnic = true);
    assert_eq!(order(&app)[0], (ZHOUQU.to_string(), 1));
    // Names come with the codes.
    let c = app
        .plan_coverage(&office(), id, Some(date("2022-01-01")))
        .unwrap();
    assert_eq!(c.uncovered[0].name, "舟曲县");
}

fn coverage_by_province_counts_each_province(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    pair(&app, id, units[0], XINGTANG, "lead");
    pair(&app, id, units[3], ZHOUQU, "lead");
    let by = app
        .coverage_by_province(&office(), id, Some(date("2022-01-01")))
        .unwrap();
    let got: Vec<(&str, &str, usize, usize)> = by
        .iter()
        .map(|p| (p.code.as_str(), p.name.as_str(), p.key_counties, p.covered))
        .collect();
    assert_eq!(
        got,
        vec![
            ("13", "河北省", 2, 1),
            ("43", "湖南省", 1, 0),
            ("62", "甘肃省", 1, 1)
        ]
    );
    // Outside the period nothing is covered.
    let after = app
        .coverage_by_province(&office(), id, Some(date("2026-06-01")))
        .unwrap();
    assert!(after.iter().all(|p| p.covered == 0));
    assert_eq!(after.iter().map(|p| p.key_counties).sum::<usize>(), 4);
}

/// A refused pairing writes nothing: counts the plan's pairings before
/// and after.
fn refused(
    app: &App,
    plan_id: i64,
    input: dingdian_app::plans::PairingInput,
    field: &str,
    code: &str,
) {
    let before = count_pairings(app, plan_id);
    let audit = audit_rows(app);
    expect_invalid(app.add_pairing(&office(), plan_id, &input), field, code);
    assert_eq!(count_pairings(app, plan_id), before, "nothing written");
    assert_eq!(
        audit_rows(app),
        audit,
        "nothing audited for a write that did not happen"
    );
}

fn pairing_outside_the_plan_period_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "2020-12-31", "2022-12-31"),
        "start",
        "outside_period",
    );
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "2022-01-01", "2026-01-01"),
        "start",
        "outside_period",
    );
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "", "2026-01-01"),
        "start",
        "outside_period",
    );
    // The period's own first and last days are inside.
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], ZHOUQU, "lead", START, END),
    )
    .unwrap();
    assert_eq!(count_pairings(&app, id), 1);
}

fn pairing_with_unknown_county_or_unit_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    refused(
        &app,
        id,
        pairing(units[0], "999999", "lead", "", ""),
        "county_code",
        "unknown_county",
    );
    // A province or a township is not a county.
    refused(
        &app,
        id,
        pairing(units[0], "62", "lead", "", ""),
        "county_code",
        "unknown_county",
    );
    refused(
        &app,
        id,
        pairing(units[0], "", "lead", "", ""),
        "county_code",
        "required",
    );
    refused(
        &app,
        id,
        pairing(units[3] + 1000, ZHOUQU, "lead", "", ""),
        "unit_id",
        "unknown_unit",
    );
    let mut no_unit = pairing(units[0], ZHOUQU, "lead", "", "");
    no_unit.unit_id = None;
    refused(&app, id, no_unit, "unit_id", "required");
    // Both problems are reported at once.
    let e = expect_invalid(
        app.add_pairing(
            &office(),
            id,
            &pairing(units[3] + 1000, "999999", "lead", "", ""),
        ),
        "unit_id",
        "unknown_unit",
    );
    assert!(e.iter().any(|f| f.field == "county_code"), "{e:?}");
    assert_eq!(count_pairings(&app, id), 0);
}

fn pairing_ending_before_it_starts_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "2023-01-02", "2023-01-01"),
        "end",
        "end_before_start",
    );
    // One day is fine.
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], ZHOUQU, "lead", "2023-01-01", "2023-01-01"),
    )
    .unwrap();
}

fn pairing_with_bad_role_or_date_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "boss", "", ""),
        "role",
        "bad_role",
    );
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "2023-02-30", ""),
        "start",
        "bad_date",
    );
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "", "2023/12/31"),
        "end",
        "bad_date",
    );
    // Chinese role names are understood.
    app.add_pairing(&office(), id, &pairing(units[0], ZHOUQU, "牵头", "", ""))
        .unwrap();
    app.add_pairing(&office(), id, &pairing(units[1], ZHOUQU, "", "", ""))
        .unwrap();
    let roles: Vec<_> = pairings(&app, id)
        .into_iter()
        .map(|p| (p.unit_id, p.role.as_str()))
        .collect();
    assert!(
        roles.contains(&(units[0], "lead")) && roles.contains(&(units[1], "member")),
        "{roles:?}"
    );
}

fn duplicate_unit_and_county_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], ZHOUQU, "member", START, "2022-12-31"),
    )
    .unwrap();
    // Even in a different time, and whatever the role.
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "member", "2023-01-01", END),
        "county_code",
        "duplicate_pairing",
    );
    refused(
        &app,
        id,
        pairing(units[0], ZHOUQU, "lead", "", ""),
        "county_code",
        "duplicate_pairing",
    );
    // The same unit in another county, or another plan, is fine.
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], JIANGHUA, "member", "", ""),
    )
    .unwrap();
    let other = plan(&app, &office(), "另一方案", START, END);
    app.add_pairing(
        &office(),
        other,
        &pairing(units[0], ZHOUQU, "member", "", ""),
    )
    .unwrap();
    assert_eq!(count_pairings(&app, id), 2);
}

fn second_lead_for_a_county_in_overlapping_time_is_invalid(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], ZHOUQU, "lead", START, "2022-12-31"),
    )
    .unwrap();
    refused(
        &app,
        id,
        pairing(units[1], ZHOUQU, "lead", "2022-12-31", END),
        "role",
        "second_lead",
    );
    refused(
        &app,
        id,
        pairing(units[1], ZHOUQU, "lead", "", ""),
        "role",
        "second_lead",
    );
    // A lead for the next, non-overlapping time is fine; so are members.
    app.add_pairing(
        &office(),
        id,
        &pairing(units[1], ZHOUQU, "lead", "2023-01-01", END),
    )
    .unwrap();
    app.add_pairing(&office(), id, &pairing(units[2], ZHOUQU, "member", "", ""))
        .unwrap();
    // Now every day has a lead: a third lead overlaps one of them.
    refused(
        &app,
        id,
        pairing(units[3], ZHOUQU, "lead", "2024-01-01", "2024-01-01"),
        "role",
        "second_lead",
    );
    // Leads of other counties do not matter.
    app.add_pairing(&office(), id, &pairing(units[3], JIANGHUA, "lead", "", ""))
        .unwrap();
    assert_eq!(count_pairings(&app, id), 4);
}

fn plan_input_is_validated(db: &TestDb) {
    let (app, _) = setup(db);
    let plans = || count(&app, "SELECT COUNT(*) FROM plans");
    let before = plans();
    let bad = PairingPlanInput {
        name: " ".into(),
        kind: "grand".into(),
        county_list: "no-such-list".into(),
        period_start: "2021-13-01".into(),
        period_end: String::new(),
        ..Default::default()
    };
    let e = invalid(app.create_plan(&office(), &bad));
    let mut fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec!["county_list", "kind", "name", "period_end", "period_start"],
        "{e:?}"
    );
    expect_invalid(
        app.create_plan(&office(), &plan_input("方案", END, START)),
        "period_end",
        "end_before_start",
    );

    // A specific plan needs an overall parent and must lie within its period.
    let overall = plan(&app, &office(), "总体方案", START, END);
    let specific = |parent: Option<i64>, start: &str, end: &str| PairingPlanInput {
        kind: "specific".into(),
        parent_id: parent,
        ..plan_input("具体方案", start, end)
    };
    expect_invalid(
        app.create_plan(&office(), &specific(None, START, END)),
        "parent_id",
        "parent_required",
    );
    expect_invalid(
        app.create_plan(&office(), &specific(Some(overall + 1000), START, END)),
        "parent_id",
        "bad_parent",
    );
    expect_invalid(
        app.create_plan(&office(), &specific(Some(overall), "2020-01-01", END)),
        "period_start",
        "outside_parent",
    );
    let s = app
        .create_plan(
            &office(),
            &specific(Some(overall), "2022-01-01", "2023-12-31"),
        )
        .unwrap();
    expect_invalid(
        app.create_plan(&office(), &specific(Some(s), "2022-01-01", "2023-12-31")),
        "parent_id",
        "bad_parent",
    );
    assert_eq!(plans(), before + 2, "only the two valid plans were written");
    // An empty county list means the national key-county list.
    let k = app
        .create_plan(
            &office(),
            &PairingPlanInput {
                county_list: String::new(),
                ..plan_input("全国", START, END)
            },
        )
        .unwrap();
    assert_eq!(app.get_plan(&office(), k).unwrap().county_list, "key-2012");
}

fn shrinking_a_plan_period_past_its_pairings_is_refused(db: &TestDb) {
    let (app, units) = setup(db);
    let id = plan(&app, &office(), "总体方案", START, END);
    app.add_pairing(
        &office(),
        id,
        &pairing(units[0], ZHOUQU, "lead", "2021-06-01", "2024-12-31"),
    )
    .unwrap();
    expect_invalid(
        app.update_plan(&office(), id, &plan_input("总体方案", "2022-01-01", END)),
        "period_start",
        "pairings_outside",
    );
    expect_invalid(
        app.update_plan(&office(), id, &plan_input("总体方案", START, "2024-06-30")),
        "period_start",
        "pairings_outside",
    );
    let p = app.get_plan(&office(), id).unwrap();
    assert_eq!(
        (p.period_start, p.period_end),
        (date(START), date(END)),
        "period unchanged"
    );
    // Shrinking to exactly the pairings' span is fine.
    app.update_plan(
        &office(),
        id,
        &plan_input("总体方案", "2021-06-01", "2024-12-31"),
    )
    .unwrap();
    let p = app.get_plan(&office(), id).unwrap();
    assert_eq!(
        (p.period_start, p.period_end),
        (date("2021-06-01"), date("2024-12-31"))
    );
}

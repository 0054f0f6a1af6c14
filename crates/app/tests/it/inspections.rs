//! Inspections and rectification: bad input, who records for which unit,
//! owners within the pairing, the item's steps (an owner never verifies
//! its own), overdue items, scope per role, and the 6–12-month rule with a
//! fixed today. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::inspection::{
    FindingInput, InspectedBy, InspectionFilter, InspectionInput, RectificationFilter,
    RectificationInput, RectificationStatus,
};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    bad_input_is_refused_field_by_field_and_nothing_is_written,
    a_unit_records_only_its_own_inspections,
    an_owner_works_an_item_and_someone_else_verifies_it,
    overdue_items_and_filters,
    each_role_sees_only_its_scope,
    frequency_flags_pairings_not_inspected_for_a_year,
);

struct Setup {
    app: App,
    units: Vec<i64>,
    unit0: Actor,
    unit1: Actor,
    cadre: Actor,
    county: Actor,
    inspector: Actor,
}

fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let office = user(&app, "office1", "office", None, None);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let plan = covered_plan(&app, &office, &units, "方案", START, END);
    pair(&app, plan, units[0], LINGSHOU, "member");
    activate(&app, plan, &office, &reviewer);
    Setup {
        unit0: user(&app, "unit0", "unit", Some(units[0]), None),
        unit1: user(&app, "unit1", "unit", Some(units[1]), None),
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

fn item(owner: &Actor, deadline: &str) -> RectificationInput {
    RectificationInput {
        action: "制定整改方案".into(),
        owner: owner.user_id.expect("an account").to_string(),
        deadline: deadline.into(),
    }
}

fn inspection(unit: Option<i64>, date: &str, findings: Vec<FindingInput>) -> InspectionInput {
    let mut counties: Vec<String> = findings.iter().map(|f| f.county_code.clone()).collect();
    if counties.is_empty() {
        counties.push(XINGTANG.into());
    }
    InspectionInput {
        unit_id: unit,
        date: date.into(),
        team: "督查组：张、王".into(),
        summary: "总体良好".into(),
        counties,
        findings,
    }
}

fn finding(county: &str, items: Vec<RectificationInput>) -> FindingInput {
    FindingInput {
        county_code: county.into(),
        text: "项目推进偏慢".into(),
        items,
    }
}

fn record(app: &App, actor: &Actor, i: &InspectionInput) -> i64 {
    app.create_inspection_on(actor, i, d(TODAY))
        .unwrap_or_else(|e| panic!("record inspection: {e:?}"))
}

fn step(
    app: &App,
    actor: &Actor,
    id: i64,
    to: &str,
    note: Option<&str>,
) -> Result<RectificationStatus, AppError> {
    app.transition_rectification_on(actor, id, (to, note), d(TODAY))
}

fn items(app: &App, actor: &Actor, f: &RectificationFilter) -> Vec<i64> {
    app.list_rectifications(actor, f, Page::all(), d(TODAY))
        .expect("items")
        .0
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn bad_input_is_refused_field_by_field_and_nothing_is_written(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let u0 = Some(s.units[0]);
    let today = d(TODAY);
    let future = inspection(u0, "2025-06-02", vec![]);
    expect_invalid(
        app.create_inspection_on(&s.inspector, &future, today),
        "date",
        "future_date",
    );
    let unpaired = inspection(
        u0,
        "2024-05-01",
        vec![finding(JIANGHUA, vec![item(&s.unit0, "2024-08-01")])],
    );
    let e = expect_invalid(
        app.create_inspection_on(&s.inspector, &unpaired, today),
        "counties",
        "not_paired",
    );
    assert_eq!(e.len(), 1, "the unit's own manager is an owner: {e:?}");
    let mut wrong = inspection(
        u0,
        "2024-05-01",
        vec![finding(
            XINGTANG,
            vec![item(&s.unit1, "2024-08-01"), item(&s.cadre, "2024-04-30")],
        )],
    );
    wrong.findings.push(finding(JIANGHUA, vec![]));
    let e = invalid(app.create_inspection_on(&s.inspector, &wrong, today));
    let got: Vec<(&str, &str)> = e
        .iter()
        .map(|e| (e.field.as_str(), e.msg.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("findings[0].items[1].deadline", "bad_deadline"),
            ("findings[1].county_code", "county_not_visited"),
        ]
    );
    let wrong = inspection(
        u0,
        "2024-05-01",
        vec![finding(XINGTANG, vec![item(&s.unit1, "2024-08-01")])],
    );
    expect_invalid(
        app.create_inspection_on(&s.inspector, &wrong, today),
        "findings[0].items[0].owner",
        "bad_owner",
    );
    expect_invalid(
        app.create_inspection_on(&s.inspector, &inspection(None, "2024-05-01", vec![]), today),
        "unit_id",
        "required",
    );
    assert_eq!(count(app, "SELECT COUNT(*) FROM inspections"), 0);
    assert_eq!(count(app, "SELECT COUNT(*) FROM rectifications"), 0);
}

fn a_unit_records_only_its_own_inspections(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let id = record(
        app,
        &s.unit0,
        &inspection(
            None,
            "2024-05-01",
            vec![finding(XINGTANG, vec![item(&s.cadre, "2024-08-01")])],
        ),
    );
    let got = app.get_inspection(&s.unit0, id, d(TODAY)).expect("get");
    assert_eq!(got.inspected_by, InspectedBy::Unit);
    assert_eq!(got.unit_id, s.units[0]);
    let other = inspection(
        Some(s.units[1]),
        "2024-05-01",
        vec![finding(LINGSHOU, vec![])],
    );
    expect_forbidden(app.create_inspection_on(&s.unit0, &other, d(TODAY)));
    assert_eq!(last_audit_action(app), "inspection.create");
    expect_forbidden(app.create_inspection_on(&s.county, &other, d(TODAY)));
    let by_office = record(app, &s.inspector, &other);
    let got = app
        .get_inspection(&s.inspector, by_office, d(TODAY))
        .expect("get");
    assert_eq!(
        (got.inspected_by, got.unit_id),
        (InspectedBy::Office, s.units[1])
    );
    // The owners offered: the pairing's accounts, within reach.
    let owners = app
        .inspection_owners(&s.unit0, s.units[0], XINGTANG)
        .expect("owners");
    let mut names: Vec<&str> = owners.iter().map(|o| o.username.as_str()).collect();
    names.sort();
    assert_eq!(names, ["cadre0", "unit0", "xingtang"]);
    expect_not_found(app.inspection_owners(&s.unit0, s.units[1], LINGSHOU));
}

fn an_owner_works_an_item_and_someone_else_verifies_it(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let findings = vec![finding(
        XINGTANG,
        vec![item(&s.cadre, "2025-08-01"), item(&s.unit0, "2025-08-01")],
    )];
    let id = record(
        app,
        &s.inspector,
        &inspection(Some(s.units[0]), "2025-05-01", findings),
    );
    let ins = app.get_inspection(&s.inspector, id, d(TODAY)).expect("get");
    let (cadres, units) = (ins.findings[0].items[0].id, ins.findings[0].items[1].id);
    expect_forbidden(step(app, &s.county, cadres, "in_progress", None));
    expect_forbidden(step(app, &s.inspector, cadres, "in_progress", None));
    let v = app
        .get_rectification(&s.cadre, cadres, d(TODAY))
        .expect("get");
    assert_eq!(
        v.steps.iter().map(|t| t.to).collect::<Vec<_>>(),
        [RectificationStatus::InProgress]
    );
    step(app, &s.cadre, cadres, "in_progress", None).expect("start");
    step(app, &s.cadre, cadres, "done", None).expect("finish");
    expect_forbidden(step(app, &s.cadre, cadres, "verified", None));
    expect_invalid(
        step(app, &s.inspector, cadres, "in_progress", None),
        "reason",
        "reason_required",
    );
    step(
        app,
        &s.inspector,
        cadres,
        "in_progress",
        Some("佐证材料不全"),
    )
    .expect("send back");
    step(app, &s.cadre, cadres, "done", None).expect("finish again");
    step(app, &s.unit0, cadres, "verified", None).expect("the unit verifies its cadre's item");
    let v = app
        .get_rectification(&s.inspector, cadres, d(TODAY))
        .expect("get");
    assert_eq!(v.item.status, RectificationStatus::Verified);
    assert_eq!(v.transitions.len(), 6);
    assert_eq!(v.transitions[3].reason.as_deref(), Some("佐证材料不全"));
    // The unit's manager owns the other item: it may not verify it.
    step(app, &s.unit0, units, "in_progress", None).expect("start");
    step(app, &s.unit0, units, "done", None).expect("finish");
    let r = step(app, &s.unit0, units, "verified", None);
    match &r {
        Err(AppError::Forbidden(m)) => {
            assert_eq!(m.code, "verified_by_owner");
            assert!(!m.zh.is_empty() && m.en.contains("own owner"));
        }
        other => panic!("expected verified_by_owner, got {other:?}"),
    }
    assert_eq!(last_audit_action(app), "rectification.transition");
    assert!(
        app.get_rectification(&s.unit0, units, d(TODAY))
            .expect("get")
            .steps
            .is_empty()
    );
    expect_conflict(
        step(app, &s.inspector, units, "open", None),
        "bad_transition",
    );
    step(app, &s.inspector, units, "verified", None).expect("the inspector verifies");
}

fn overdue_items_and_filters(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let findings = vec![finding(
        XINGTANG,
        vec![
            item(&s.cadre, "2025-05-31"),
            item(&s.cadre, "2025-06-01"),
            item(&s.unit0, "2025-01-31"),
        ],
    )];
    let id = record(
        app,
        &s.inspector,
        &inspection(Some(s.units[0]), "2025-01-10", findings),
    );
    let ins = app.get_inspection(&s.unit0, id, d(TODAY)).expect("get");
    let ids: Vec<i64> = ins.findings[0].items.iter().map(|i| i.id).collect();
    assert_eq!(
        ins.findings[0]
            .items
            .iter()
            .map(|i| i.overdue)
            .collect::<Vec<_>>(),
        [true, false, true]
    );
    step(app, &s.unit0, ids[2], "in_progress", None).expect("start");
    step(app, &s.unit0, ids[2], "done", None).expect("done is not overdue");
    let overdue = RectificationFilter {
        overdue_on: Some(d(TODAY)),
        ..Default::default()
    };
    assert_eq!(items(app, &s.inspector, &overdue), [ids[0]]);
    let mine = RectificationFilter {
        owner: s.cadre.user_id,
        ..Default::default()
    };
    assert_eq!(items(app, &s.cadre, &mine), [ids[0], ids[1]]);
    let done = RectificationFilter {
        status: Some(RectificationStatus::Done),
        ..Default::default()
    };
    assert_eq!(items(app, &s.county, &done), [ids[2]]);
    assert_eq!(
        app.overdue_by_unit(&s.inspector, d(TODAY)).expect("chart"),
        [("测试单位1".to_string(), 1)]
    );
    let xlsx = app
        .export_rectifications(&s.unit0, &overdue, d(TODAY))
        .expect("export");
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(last_audit_action(app), "rectification.export");
}

fn each_role_sees_only_its_scope(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let both = vec![
        finding(XINGTANG, vec![item(&s.cadre, "2024-08-01")]),
        finding(LINGSHOU, vec![]),
    ];
    let id = record(
        app,
        &s.inspector,
        &inspection(Some(s.units[0]), "2024-05-01", both),
    );
    let theirs = record(
        app,
        &s.inspector,
        &inspection(
            Some(s.units[1]),
            "2024-05-01",
            vec![finding(LINGSHOU, vec![])],
        ),
    );
    let all = InspectionFilter::default();
    let seen = |a: &Actor| {
        app.list_inspections(a, &all, Page::all(), d(TODAY))
            .expect("list")
            .1
    };
    assert_eq!(
        (
            seen(&s.inspector),
            seen(&s.unit0),
            seen(&s.unit1),
            seen(&s.county),
            seen(&s.cadre)
        ),
        (2, 1, 1, 1, 1)
    );
    let as_county = app
        .get_inspection(&s.county, id, d(TODAY))
        .expect("county reads");
    assert_eq!(as_county.findings.len(), 1, "only its county's findings");
    assert_eq!(
        app.get_inspection(&s.unit0, id, d(TODAY))
            .expect("unit reads")
            .findings
            .len(),
        2
    );
    expect_not_found(app.get_inspection(&s.county, theirs, d(TODAY)));
    expect_not_found(app.get_inspection(&s.unit0, theirs, d(TODAY)));
    let item_id = as_county.findings[0].items[0].id;
    expect_not_found(app.get_rectification(&s.unit1, item_id, d(TODAY)));
    expect_not_found(step(app, &s.unit1, item_id, "verified", None));
    assert!(items(app, &s.unit1, &RectificationFilter::default()).is_empty());
}

fn frequency_flags_pairings_not_inspected_for_a_year(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    for date in [
        "2021-06-01",
        "2022-03-01",
        "2023-05-01",
        "2023-12-01",
        "2024-09-30",
    ] {
        record(app, &s.unit0, &inspection(None, date, vec![]));
    }
    record(
        app,
        &s.inspector,
        &inspection(
            Some(s.units[1]),
            "2023-01-10",
            vec![finding(LINGSHOU, vec![])],
        ),
    );
    let all = app
        .inspection_frequency(&s.inspector, d(TODAY))
        .expect("frequency");
    assert_eq!(all.len(), 5);
    let x = all
        .iter()
        .find(|f| f.county_code == XINGTANG)
        .expect("xingtang");
    assert_eq!(
        (x.inspections, x.last, x.months_since, x.flagged),
        (5, Some(d("2024-09-30")), 8, false)
    );
    assert_eq!(x.long_intervals.len(), 1);
    assert_eq!(
        (x.long_intervals[0].from, x.long_intervals[0].to),
        (d("2022-03-01"), d("2023-05-01"))
    );
    let flagged: Vec<&str> = all
        .iter()
        .filter(|f| f.flagged)
        .map(|f| f.county_code.as_str())
        .collect();
    assert_eq!(flagged, [LINGSHOU, LINGSHOU, JIANGHUA, ZHOUQU]);
    let later = app
        .inspection_frequency(&s.unit0, d("2025-10-01"))
        .expect("later");
    assert_eq!(
        later.iter().map(|f| f.flagged).collect::<Vec<_>>(),
        [true, true]
    );
}

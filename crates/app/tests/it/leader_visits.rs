//! Leader visits: who may record them for which county and date, the
//! yearly rule (which pairings have had no visit), and scope per role.
//! Every test runs on SQLite and on PostgreSQL.

use crate::common;
use crate::records::{Setup, setup};

use common::*;
use dingdian_app::Page;
use dingdian_core::leader_visit::{LeaderVisitInput, VisitFilter};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_unit_records_visits_only_to_a_county_paired_on_that_day_and_not_in_the_future,
    the_yearly_rule_lists_the_pairings_without_a_visit,
    each_role_sees_the_visits_of_its_scope_and_no_more,
    the_demo_visits_zhouqu_every_year_and_one_unit_has_not_this_year,
);

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

pub fn visit(county: &str, date: &str, level: &str) -> LeaderVisitInput {
    LeaderVisitInput {
        county_code: county.into(),
        leader_name: "张部长".into(),
        leader_level: level.into(),
        date: date.into(),
        places: "县城、两个乡镇".into(),
        purpose: "调研帮扶项目".into(),
        decisions: "增加帮扶资金".into(),
    }
}

fn codes(e: Vec<dingdian_core::FieldError>) -> Vec<(String, String)> {
    e.into_iter().map(|e| (e.field, e.msg.code)).collect()
}

fn a_unit_records_visits_only_to_a_county_paired_on_that_day_and_not_in_the_future(db: &TestDb) {
    let s = setup(db);
    let today = day("2022-06-30");
    let id = s
        .app
        .create_leader_visit(&s.unit0, &visit(XINGTANG, "2022-03-01", "principal"), today)
        .expect("a visit to a paired county");
    assert_eq!(last_audit_action(&s.app), "leader_visit.create");
    let v = s.app.leader_visit(&s.unit0, id).expect("read back");
    assert_eq!(
        (v.leader_level.as_str(), v.date),
        ("principal", day("2022-03-01"))
    );

    // Not paired with Jianghua; not paired before 2021; not after today.
    let e = invalid(s.app.create_leader_visit(
        &s.unit0,
        &visit(JIANGHUA, "2022-03-01", "deputy"),
        today,
    ));
    assert_eq!(
        codes(e),
        [("county_code".to_string(), "not_paired".to_string())]
    );
    let e = invalid(s.app.create_leader_visit(
        &s.unit0,
        &visit(XINGTANG, "2020-12-31", "deputy"),
        today,
    ));
    assert_eq!(codes(e)[0].1, "not_paired");
    let e = invalid(s.app.create_leader_visit(
        &s.unit0,
        &visit(XINGTANG, "2022-07-01", "deputy"),
        today,
    ));
    assert_eq!(codes(e)[0].1, "date_in_future");
    let e = invalid(s.app.create_leader_visit(
        &s.unit0,
        &visit(XINGTANG, "2022-03-01", "minister"),
        today,
    ));
    assert_eq!(codes(e)[0].1, "bad_level");

    // Only a unit records its leaders' visits; a refusal is audited.
    expect_forbidden(s.app.create_leader_visit(
        &s.cadre,
        &visit(XINGTANG, "2022-03-01", "deputy"),
        today,
    ));
    assert_eq!(last_audit_action(&s.app), "leader_visit.create");
    expect_forbidden(s.app.create_leader_visit(
        &office(),
        &visit(XINGTANG, "2022-03-01", "deputy"),
        today,
    ));
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM leader_visits"), 1);
}

fn the_yearly_rule_lists_the_pairings_without_a_visit(db: &TestDb) {
    let s = setup(db);
    let in_year = day("2022-06-30");
    for (actor, county, date) in [
        (&s.unit0, XINGTANG, "2022-03-01"),
        (&s.unit0, XINGTANG, "2022-05-01"),
        (&s.unit1, LINGSHOU, "2021-05-01"),
    ] {
        s.app
            .create_leader_visit(actor, &visit(county, date, "deputy"), in_year)
            .expect("visit");
    }
    let all = s
        .app
        .leader_visits_of_year(&office(), 2022, day("2022-12-31"))
        .unwrap();
    // Four leading pairings and unit 0 as a member in Lingshou.
    assert_eq!(all.len(), 5);
    let visited: Vec<_> = all.iter().filter(|p| p.visited).collect();
    assert_eq!(visited.len(), 1);
    assert_eq!(visited[0].pairing.unit_id, s.units[0]);
    assert_eq!(visited[0].dates, vec![day("2022-03-01"), day("2022-05-01")]);
    let missing = s
        .app
        .leader_visits_missing(&office(), 2022, day("2022-12-31"))
        .unwrap();
    assert_eq!(missing.len(), 4);
    assert!(
        missing.iter().any(|p| p.pairing.unit_id == s.units[1]),
        "last year's visit does not count for this year"
    );
    let last_year = s
        .app
        .leader_visits_missing(&office(), 2021, day("2022-12-31"))
        .unwrap();
    assert!(!last_year.iter().any(|p| p.pairing.unit_id == s.units[1]));
    // A unit sees its own pairings; a year not begun has none; after the
    // plan's end there is no pairing to visit.
    let own = s
        .app
        .leader_visits_missing(&s.unit0, 2022, day("2022-12-31"))
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].pairing.county_code, LINGSHOU);
    assert!(
        s.app
            .leader_visits_of_year(&office(), 2023, day("2022-12-31"))
            .unwrap()
            .is_empty()
    );
    assert!(
        s.app
            .leader_visits_of_year(&office(), 2026, day("2026-06-30"))
            .unwrap()
            .is_empty()
    );
}

fn each_role_sees_the_visits_of_its_scope_and_no_more(db: &TestDb) {
    let Setup {
        app,
        unit0,
        unit1,
        cadre,
        county,
        ..
    } = setup(db);
    let today = day("2022-06-30");
    let xingtang = app
        .create_leader_visit(&unit0, &visit(XINGTANG, "2022-03-01", "principal"), today)
        .unwrap();
    let lingshou = app
        .create_leader_visit(&unit0, &visit(LINGSHOU, "2022-04-01", "deputy"), today)
        .unwrap();
    app.create_leader_visit(&unit1, &visit(LINGSHOU, "2022-04-02", "principal"), today)
        .unwrap();
    let seen = |a: &dingdian_app::Actor| {
        app.list_leader_visits(a, &VisitFilter::default(), Page::all())
            .unwrap()
            .1
    };
    assert_eq!(seen(&office()), 3);
    assert_eq!(seen(&unit0), 2);
    assert_eq!(seen(&unit1), 1);
    assert_eq!(seen(&cadre), 1, "the cadre's own unit and county");
    assert_eq!(seen(&county), 2, "what concerns Lingshou");
    app.leader_visit(&cadre, xingtang)
        .expect("the cadre's pairing");
    expect_not_found(app.leader_visit(&cadre, lingshou));
    expect_not_found(app.leader_visit(&county, xingtang));
    expect_not_found(app.leader_visit(&unit1, xingtang));

    let f = VisitFilter {
        q: Some("调研".into()),
        year: Some(2022),
        level: Some(dingdian_core::leader_visit::LeaderLevel::Principal),
        ..Default::default()
    };
    assert_eq!(
        app.list_leader_visits(&office(), &f, Page::all())
            .unwrap()
            .1,
        2
    );
    let xlsx = app
        .export_leader_visits(&unit0, &VisitFilter::default())
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(last_audit_action(&app), "leader_visit.export");
}

fn the_demo_visits_zhouqu_every_year_and_one_unit_has_not_this_year(db: &TestDb) {
    use chrono::Datelike;
    use dingdian_app::demo::{SEED_UNIT, ZHOUQU};
    let app = open(db);
    app.load_demo().unwrap();
    let today = dingdian_core::time::today();
    let f = VisitFilter {
        county_code: Some(ZHOUQU.into()),
        ..Default::default()
    };
    let (seed, _) = app.list_leader_visits(&office(), &f, Page::all()).unwrap();
    let seed: Vec<_> = seed.iter().filter(|v| v.unit_name == SEED_UNIT).collect();
    let mut years: Vec<i32> = seed.iter().map(|v| v.date.year()).collect();
    years.dedup();
    assert_eq!(years, (2010..=today.year()).rev().collect::<Vec<_>>());
    let levels: std::collections::HashSet<_> = seed.iter().map(|v| v.leader_level).collect();
    assert_eq!(levels.len(), 2, "principal some years, deputy others");
    let all = app
        .leader_visits_of_year(&office(), today.year(), today)
        .unwrap();
    let missing: std::collections::BTreeSet<i64> = all
        .iter()
        .filter(|p| !p.visited)
        .map(|p| p.pairing.unit_id)
        .collect();
    let visited = all.iter().filter(|p| p.visited).count();
    assert!(!missing.is_empty(), "a unit has not visited");
    assert!(visited > all.len() / 2, "most pairings were visited");
}

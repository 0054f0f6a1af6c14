//! Villages and households: poor villages and their work teams, a
//! household's helpers, measures and home visits, the county's two lists
//! with a fixed quarter, and who sees and writes what. Both backends.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::{Actor, App, Page};
use dingdian_core::household_help::{HelpFilter, HelperInput, MeasureInput, Quarter, VisitInput};
use dingdian_core::village_team::TeamMemberInput;
use dingdian_testkit::{TestDb, both_backends, insert_secondment};

both_backends!(
    a_county_marks_poor_villages_and_builds_their_work_teams,
    helpers_measures_and_visits_make_the_assistance_record,
    each_role_sees_and_writes_only_its_own_households,
    the_county_lists_households_without_helper_and_helpers_unvisited_in_a_quarter,
);

const VILLAGE: &str = "623023100200";
const VILLAGE2: &str = "623023100201";
const XT_VILLAGE: &str = "130125100001";

fn day(s: &str) -> NaiveDate {
    dingdian_core::time::parse_date(s).unwrap()
}

fn today() -> NaiveDate {
    day("2026-05-10")
}

struct Setup {
    app: App,
    unit: i64,
    zhouqu: Actor,
    xingtang: Actor,
    cadre: Actor,
    unit_user: Actor,
}

/// Households H1–H3 in Zhouqu (2025 and 2026 registry years, H3 only
/// in 2026), X1 in Xingtang; a county officer of each, a cadre of a unit
/// in Zhouqu and that unit's manager.
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    let unit = unit(&app, "中共中央组织部");
    let rows: [(i32, &str, &str); 6] = [
        (2025, "H1", VILLAGE),
        (2025, "H2", VILLAGE),
        (2026, "H1", VILLAGE),
        (2026, "H2", VILLAGE2),
        (2026, "H3", VILLAGE2),
        (2026, "X1", XT_VILLAGE),
    ];
    app.store()
        .write(|c| {
            for (year, id, village) in rows {
                c.execute(
                    "INSERT INTO households (year, household_id, county_code, village_code, income_fen, status, \
                     identified_year, cause, imported_at) VALUES (?, ?, ?, ?, 300000, 1, 2014, 1, 0)",
                    &[year.into(), id.into(), village[..6].into(), village.into()],
                )?;
            }
            Ok::<(), dingdian_store::StoreError>(())
        })
        .unwrap();
    Setup {
        zhouqu: user(&app, "zhouqu", "county", None, Some(ZHOUQU)),
        xingtang: user(&app, "xingtang", "county", None, Some(XINGTANG)),
        cadre: user(&app, "cadre", "cadre", Some(unit), Some(ZHOUQU)),
        unit_user: user(&app, "unit", "unit", Some(unit), None),
        app,
        unit,
    }
}

fn member(village: &str, name: &str, role: &str) -> TeamMemberInput {
    TeamMemberInput {
        village_code: village.into(),
        person_name: name.into(),
        post: "村支书".into(),
        role: role.into(),
        from_date: "2025-03-01".into(),
        ..Default::default()
    }
}

fn helper(household: &str, name: &str, (from, to): (&str, &str)) -> HelperInput {
    HelperInput {
        household_id: household.into(),
        person_name: name.into(),
        post: "村干部".into(),
        phone: "13800000000".into(),
        from_date: from.into(),
        to_date: to.into(),
        ..Default::default()
    }
}

fn visit(household: &str, helper: i64, date: &str) -> VisitInput {
    VisitInput {
        household_id: household.into(),
        helper_id: helper.to_string(),
        date: date.into(),
        found: "房屋漏雨".into(),
        done: "联系危房改造".into(),
    }
}

fn a_county_marks_poor_villages_and_builds_their_work_teams(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    app.set_poor_village(&s.zhouqu, VILLAGE, true).unwrap();
    // Idempotent, and another county's village is not this county's.
    app.set_poor_village(&s.zhouqu, VILLAGE, true).unwrap();
    expect_invalid(
        app.set_poor_village(&s.xingtang, VILLAGE, true),
        "village_code",
        "unknown_village",
    );
    expect_forbidden(app.set_poor_village(&s.cadre, VILLAGE, true));
    let local = app
        .add_team_member(&s.zhouqu, &member(VILLAGE, "李明", "member"), today())
        .unwrap();
    assert!(local > 0);
    // A first secretary from the unit's secondment posted to this village.
    let serving = insert_secondment(
        app.store(),
        (s.unit, ZHOUQU),
        ("王书记", "member", "serving"),
        ("2025-01-01", "2027-12-31"),
        None,
    );
    let proposed = insert_secondment(
        app.store(),
        (s.unit, ZHOUQU),
        ("候选人", "member", "proposed"),
        ("2026-06-01", "2028-12-31"),
        None,
    );
    let secondment = |id: i64| TeamMemberInput {
        secondment_id: id.to_string(),
        person_name: String::new(),
        post: String::new(),
        ..member(VILLAGE, "", "first_secretary")
    };
    app.add_team_member(&s.zhouqu, &secondment(serving), today())
        .unwrap();
    expect_invalid(
        app.add_team_member(&s.zhouqu, &secondment(proposed), today()),
        "secondment_id",
        "bad_secondment",
    );
    expect_invalid(
        app.add_team_member(&s.zhouqu, &member(VILLAGE2, "张三", "member"), today()),
        "village_code",
        "not_poor_village",
    );
    let future = TeamMemberInput {
        from_date: "2026-05-11".into(),
        ..member(VILLAGE, "赵六", "member")
    };
    expect_invalid(
        app.add_team_member(&s.zhouqu, &future, today()),
        "from_date",
        "date_in_future",
    );
    expect_conflict(
        app.set_poor_village(&s.zhouqu, VILLAGE, false),
        "village_has_team",
    );
    let (villages, total) = app
        .poor_villages(&s.zhouqu, (None, None), Page::new(None, None))
        .unwrap();
    assert_eq!(total, 1);
    let team: Vec<(&str, &str)> = villages[0]
        .team
        .iter()
        .map(|m| (m.person_name.as_str(), m.role.as_str()))
        .collect();
    assert_eq!(team, [("王书记", "first_secretary"), ("李明", "member")]);
    assert_eq!(
        villages[0].team[0].unit_name.as_deref(),
        Some("中共中央组织部")
    );
    for (who, seen) in [
        (&s.xingtang, 0),
        (&s.cadre, 1),
        (&office(), 1),
        (&s.unit_user, 0),
    ] {
        let (_, n) = app
            .poor_villages(who, (None, None), Page::new(None, None))
            .unwrap();
        assert_eq!(n, seen, "{}", who.username);
    }
    let (_, searched) = app
        .poor_villages(
            &office(),
            (Some(ZHOUQU), Some("庙沟")),
            Page::new(None, None),
        )
        .unwrap();
    assert_eq!(searched, 1);
    app.set_poor_village(&s.zhouqu, VILLAGE2, true).unwrap();
    app.set_poor_village(&s.zhouqu, VILLAGE2, false).unwrap();
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'village.%' AND outcome = 'success'"
        ),
        5
    );
}

fn helpers_measures_and_visits_make_the_assistance_record(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let h1 = app
        .assign_helper(
            &s.zhouqu,
            &helper("H1", "赵强", ("2026-01-01", "")),
            today(),
        )
        .unwrap();
    let h2 = app
        .assign_helper(
            &s.zhouqu,
            &helper("H2", "钱芳", ("2025-06-01", "2026-03-31")),
            today(),
        )
        .unwrap();
    let measure = MeasureInput {
        household_id: "H1".into(),
        category: "industry".into(),
        description: "发放中蜂 5 箱".into(),
        date: "2026-03-02".into(),
    };
    app.add_measure(&s.zhouqu, &measure, today()).unwrap();
    let bad = MeasureInput {
        category: "lottery".into(),
        ..measure.clone()
    };
    expect_invalid(
        app.add_measure(&s.zhouqu, &bad, today()),
        "category",
        "bad_kind",
    );
    app.record_home_visit(&s.cadre, &visit("H1", h1, "2026-04-20"), today())
        .unwrap();
    expect_invalid(
        app.record_home_visit(&s.zhouqu, &visit("H1", h1, "2025-12-31"), today()),
        "date",
        "outside_helper_period",
    );
    expect_invalid(
        app.record_home_visit(&s.zhouqu, &visit("H2", h2, "2026-04-01"), today()),
        "date",
        "outside_helper_period",
    );
    // H2's helper is not H1's.
    expect_invalid(
        app.record_home_visit(&s.zhouqu, &visit("H1", h2, "2026-02-01"), today()),
        "helper_id",
        "bad_helper",
    );
    expect_invalid(
        app.record_home_visit(&s.zhouqu, &visit("H1", h1, "2026-05-11"), today()),
        "date",
        "date_in_future",
    );
    let backwards = helper("H3", "孙丽", ("2026-02-01", "2026-01-01"));
    expect_invalid(
        app.assign_helper(&s.zhouqu, &backwards, today()),
        "to_date",
        "end_before_start",
    );
    let far = helper("H3", "孙丽", ("2026-02-01", "2040-01-01"));
    expect_invalid(
        app.assign_helper(&s.zhouqu, &far, today()),
        "to_date",
        "date_far_ahead",
    );
    let a = app.household_assistance(&s.zhouqu, "H1", None).unwrap();
    assert!(a.may_assign && a.may_visit);
    assert_eq!(a.record.county_code, ZHOUQU);
    assert_eq!(a.record.helpers.len(), 1);
    assert_eq!(a.record.helpers[0].person_name, "赵强");
    assert_eq!(a.record.measures[0].description, "发放中蜂 5 箱");
    assert_eq!(a.record.visits[0].helper_name, "赵强");
    let last_year = app
        .household_assistance(&s.zhouqu, "H1", Some(2025))
        .unwrap();
    assert!(last_year.record.visits.is_empty() && last_year.record.measures.is_empty());
    let by_cadre = app.household_assistance(&s.cadre, "H1", None).unwrap();
    assert!(!by_cadre.may_assign && by_cadre.may_visit);
    let by_office = app.household_assistance(&office(), "H1", None).unwrap();
    assert!(!by_office.may_assign && !by_office.may_visit);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'household.%' AND outcome = 'success'"
        ),
        4
    );
}

fn each_role_sees_and_writes_only_its_own_households(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let h1 = app
        .assign_helper(
            &s.zhouqu,
            &helper("H1", "赵强", ("2026-01-01", "")),
            today(),
        )
        .unwrap();
    // Another county's household is no household at all, as is none.
    for id in ["H1", "NOPE"] {
        expect_not_found(app.assign_helper(
            &s.xingtang,
            &helper(id, "某人", ("2026-01-01", "")),
            today(),
        ));
    }
    expect_not_found(app.household_assistance(&s.xingtang, "H1", None));
    let outsider = user(app, "cadre_xt", "cadre", Some(s.unit), Some(XINGTANG));
    expect_not_found(app.record_home_visit(&outsider, &visit("H1", h1, "2026-04-01"), today()));
    // A cadre records visits but assigns no helpers; a unit sees nothing.
    expect_forbidden(app.assign_helper(
        &s.cadre,
        &helper("H2", "某人", ("2026-01-01", "")),
        today(),
    ));
    expect_forbidden(app.household_assistance(&s.unit_user, "H1", None));
    expect_forbidden(app.record_home_visit(&s.unit_user, &visit("H1", h1, "2026-04-01"), today()));
    let f = HelpFilter::default();
    expect_forbidden(app.households_without_helper(
        &s.unit_user,
        &f,
        today(),
        Page::new(None, None),
    ));
    let (rows, _) = app
        .households_without_helper(&s.xingtang, &f, today(), Page::new(None, None))
        .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.household_id.as_str())
            .collect::<Vec<_>>(),
        ["X1"]
    );
    // Xingtang asking for Zhouqu's list gets nothing, not Zhouqu's.
    let theirs = HelpFilter {
        county_code: Some(ZHOUQU.into()),
        q: None,
    };
    let (_, n) = app
        .households_without_helper(&s.xingtang, &theirs, today(), Page::new(None, None))
        .unwrap();
    assert_eq!(n, 0);
    let q = Quarter::parse("2026-Q2").unwrap();
    let (_, n) = app
        .unvisited_helpers(&s.xingtang, &f, q, Page::new(None, None))
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'household.%' AND outcome = 'refused'"
        ),
        5
    );
}

fn the_county_lists_households_without_helper_and_helpers_unvisited_in_a_quarter(db: &TestDb) {
    let s = setup(db);
    let app = &s.app;
    let h1 = app
        .assign_helper(
            &s.zhouqu,
            &helper("H1", "赵强", ("2026-01-01", "")),
            today(),
        )
        .unwrap();
    let h2 = app
        .assign_helper(
            &s.zhouqu,
            &helper("H2", "钱芳", ("2026-01-01", "2026-03-31")),
            today(),
        )
        .unwrap();
    app.record_home_visit(&s.zhouqu, &visit("H1", h1, "2026-02-15"), today())
        .unwrap();
    let all = HelpFilter::default();
    let page = Page::new(None, None);
    let without = |who: &Actor, on: &str| -> Vec<String> {
        let (rows, total) = app
            .households_without_helper(who, &all, day(on), page)
            .unwrap();
        assert_eq!(total as usize, rows.len());
        rows.into_iter().map(|r| r.household_id).collect()
    };
    // On 10 May H2's helper has left; H3 never had one. The latest year
    // only: H2 of 2025 is not listed twice.
    assert_eq!(without(&s.zhouqu, "2026-05-10"), ["H2", "H3"]);
    assert_eq!(without(&s.zhouqu, "2026-03-31"), ["H3"]);
    assert_eq!(without(&office(), "2026-05-10"), ["X1", "H2", "H3"]);
    let unvisited = |quarter: &str| -> Vec<(i64, Option<NaiveDate>)> {
        let q = Quarter::parse(quarter).unwrap();
        let (rows, _) = app.unvisited_helpers(&s.zhouqu, &all, q, page).unwrap();
        rows.into_iter()
            .map(|r| (r.helper_id, r.last_visit))
            .collect()
    };
    assert_eq!(unvisited("2026-Q1"), [(h2, None)]);
    assert_eq!(unvisited("2026-Q2"), [(h1, Some(day("2026-02-15")))]);
    // Across the year boundary: nobody helped in the last quarter of 2025.
    assert!(unvisited("2025-Q4").is_empty());
    app.record_home_visit(&s.cadre, &visit("H1", h1, "2026-04-01"), today())
        .unwrap();
    assert!(unvisited("2026-Q2").is_empty());
    let searched = HelpFilter {
        county_code: None,
        q: Some("钱".into()),
    };
    let (rows, _) = app
        .unvisited_helpers(
            &s.zhouqu,
            &searched,
            Quarter::parse("2026-Q1").unwrap(),
            page,
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    let xlsx = app
        .export_households_without_helper(&s.zhouqu, &all, today())
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    app.export_unvisited_helpers(&s.zhouqu, &all, Quarter::of(today()))
        .unwrap();
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'household.help_export'"
        ),
        2
    );
}

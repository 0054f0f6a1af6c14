//! Return-risk monitoring: the thresholds (default 1.5 × the line, the
//! office's own, the edges), the data scan, the workflow by role (a visit
//! first, a measure before monitoring, the no-labour rule, dates), a risk
//! flagged twice, and scope. Both backends.

use crate::common::*;

use chrono::NaiveDate;
use dingdian_app::{Actor, App, Page};
use dingdian_core::monitoring::{
    ClearReason, FlagInput, MeasureInput, MonitoredKind, MonitoringFilter, MonitoringStatus, Risk,
    StepInput, ThresholdInput,
};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_scan_uses_the_default_or_the_set_threshold_at_its_edges,
    the_workflow_goes_by_role_and_a_visit_comes_first,
    a_household_without_labour_stays_monitored_after_support,
    each_county_sees_and_handles_only_its_own_cases,
);

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TODAY: &str = "2017-01-10";

struct Setup {
    app: App,
    zhouqu: Actor,
    xingtang: Actor,
    cadre: Actor,
    unit_user: Actor,
}

/// Zhouqu households of 2016 (the 2016 line is 2952 yuan: the default
/// threshold 4428 yuan) with 2015 rows for the drops; one in Xingtang.
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    let unit = unit(&app, "中共中央组织部");
    // (year, household, county, status 1 poor 2 exited, per-capita income)
    let rows: [(i32, &str, &str, i64, i64); 8] = [
        (2016, "AT_LINE", ZHOUQU, 2, 442_800),
        (2016, "BELOW", ZHOUQU, 2, 442_799),
        (2015, "DROP30", ZHOUQU, 1, 1_000_000),
        (2016, "DROP30", ZHOUQU, 1, 700_000),
        (2015, "DROP29", ZHOUQU, 1, 1_000_000),
        (2016, "DROP29", ZHOUQU, 1, 700_001),
        (2016, "SHOCK", ZHOUQU, 2, 900_000),
        (2016, "XT1", XINGTANG, 2, 100_000),
    ];
    app.store()
        .write(|c| {
            for (year, id, county, status, income) in rows {
                c.execute(
                    "INSERT INTO households (year, household_id, county_code, village_code, income_fen, status, \
                     identified_year, cause, imported_at) VALUES (?, ?, ?, ?, ?, ?, 2014, 1, 0)",
                    &[year.into(), id.into(), county.into(), format!("{county}100200").into(), income.into(), status.into()],
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
    }
}

fn cases(app: &App, actor: &Actor) -> Vec<(String, MonitoredKind, Vec<Risk>)> {
    let f = MonitoringFilter {
        year: Some(2016),
        ..Default::default()
    };
    let (items, _) = app.list_monitoring(actor, &f, Page::all()).unwrap();
    items
        .into_iter()
        .map(|m| (m.household_id, m.kind, m.risks))
        .collect()
}

fn the_scan_uses_the_default_or_the_set_threshold_at_its_edges(db: &TestDb) {
    let s = setup(db);
    let today = day(TODAY);
    let t = s.app.monitoring_threshold(&s.zhouqu, "62", 2016).unwrap();
    assert!(t.is_default);
    assert_eq!((t.income_fen, t.drop_percent), (442_800, 30));

    let r = s
        .app
        .scan_for_risks(&s.zhouqu, ZHOUQU, 2016, today)
        .unwrap();
    assert_eq!(
        (r.households, r.opened, r.added, r.already_flagged),
        (5, 2, 0, 0)
    );
    assert_eq!(
        cases(&s.app, &s.zhouqu),
        [
            (
                "BELOW".to_string(),
                MonitoredKind::Unstable,
                vec![Risk::LowIncome]
            ),
            (
                "DROP30".to_string(),
                MonitoredKind::Marginal,
                vec![Risk::IncomeDrop]
            ),
        ],
        "exactly at the threshold is not below; a 30 % drop counts, 29.9999 % does not"
    );
    let again = s
        .app
        .scan_for_risks(&s.zhouqu, ZHOUQU, 2016, today)
        .unwrap();
    assert_eq!(
        (again.opened, again.added, again.already_flagged),
        (0, 0, 2),
        "nothing flagged twice"
    );

    let set = ThresholdInput {
        province_code: "62".into(),
        income_yuan: "4500".into(),
        drop_percent: "30".into(),
        ..Default::default()
    };
    expect_forbidden(s.app.set_monitoring_threshold(&s.zhouqu, 2016, &set));
    assert_eq!(last_audit_action(&s.app), "monitoring.threshold");
    s.app
        .set_monitoring_threshold(&office(), 2016, &set)
        .unwrap();
    let t = s.app.monitoring_threshold(&s.zhouqu, "62", 2016).unwrap();
    assert_eq!((t.income_fen, t.is_default), (450_000, false));
    let r = s
        .app
        .scan_for_risks(&office(), ZHOUQU, 2016, today)
        .unwrap();
    assert_eq!(
        (r.opened, r.already_flagged),
        (1, 2),
        "AT_LINE is below the office's threshold"
    );
    assert_eq!(
        s.app
            .monitoring_threshold(&s.zhouqu, "13", 2016)
            .unwrap()
            .income_fen,
        442_800,
        "another province keeps the default"
    );
    expect_forbidden(s.app.scan_for_risks(&s.unit_user, ZHOUQU, 2016, today));
    expect_forbidden(s.app.scan_for_risks(&s.xingtang, ZHOUQU, 2016, today));
    expect_forbidden(s.app.scan_for_risks(&s.cadre, ZHOUQU, 2016, today));
}

fn shock(household: &str, risk: &str, severe: bool) -> FlagInput {
    FlagInput {
        household_id: household.into(),
        year: "2016".into(),
        risk: risk.into(),
        source: "cadre".into(),
        severe,
        detail: "户主住院".into(),
        date: "2016-11-02".into(),
    }
}

fn step(to: &str, date: &str) -> StepInput {
    StepInput {
        to: to.into(),
        date: date.into(),
        ..Default::default()
    }
}

fn visit(date: &str, no_labour: bool) -> StepInput {
    StepInput {
        visitor: "王干部".into(),
        note: "住院花费大，收入骤减".into(),
        no_labour,
        ..step("verified", date)
    }
}

fn clear(date: &str, reason: &str) -> StepInput {
    StepInput {
        reason: reason.into(),
        ..step("cleared", date)
    }
}

fn measure(date: &str) -> MeasureInput {
    MeasureInput {
        category: "health".into(),
        description: "大病救助、医保报销".into(),
        date: date.into(),
    }
}

fn the_workflow_goes_by_role_and_a_visit_comes_first(db: &TestDb) {
    let s = setup(db);
    let (app, today) = (&s.app, day(TODAY));
    let id = app
        .flag_household(&s.cadre, &shock("SHOCK", "illness", true), today)
        .unwrap();
    expect_conflict(
        app.flag_household(&s.zhouqu, &shock("SHOCK", "illness", false), today),
        "already_flagged",
    );
    assert_eq!(last_audit_action(app), "monitoring.flag");
    let with_disaster = app
        .flag_household(&s.cadre, &shock("SHOCK", "disaster", false), today)
        .unwrap();
    assert_eq!(with_disaster, id, "a second risk joins the open case");
    expect_forbidden(app.flag_household(&s.unit_user, &shock("SHOCK", "accident", false), today));

    expect_conflict(
        app.step_monitoring(&s.zhouqu, id, &clear("2016-11-03", "natural"), today),
        "bad_transition",
    );
    expect_conflict(
        app.step_monitoring(&s.zhouqu, id, &step("monitored", "2016-11-03"), today),
        "bad_transition",
    );
    expect_invalid(
        app.step_monitoring(&s.cadre, id, &visit("2017-01-11", false), today),
        "date",
        "date_in_future",
    );
    expect_invalid(
        app.step_monitoring(&s.cadre, id, &visit("2016-11-01", false), today),
        "date",
        "before_previous_step",
    );
    app.step_monitoring(&s.cadre, id, &visit("2016-11-05", false), today)
        .unwrap();

    expect_forbidden(app.step_monitoring(&s.cadre, id, &step("monitored", "2016-11-20"), today));
    expect_invalid(
        app.step_monitoring(&s.zhouqu, id, &step("monitored", "2016-11-20"), today),
        "measure_category",
        "measure_required",
    );
    expect_conflict(
        app.step_monitoring(&s.zhouqu, id, &clear("2016-11-20", "assistance"), today),
        "assistance_without_measures",
    );
    app.add_monitoring_measure(&s.zhouqu, id, &measure("2016-11-20"), today)
        .unwrap();
    app.step_monitoring(&s.zhouqu, id, &step("monitored", "2016-11-20"), today)
        .unwrap();
    app.step_monitoring(&s.zhouqu, id, &clear("2016-12-30", "assistance"), today)
        .unwrap();
    expect_conflict(
        app.add_monitoring_measure(&s.zhouqu, id, &measure("2016-12-31"), today),
        "not_open_for_measures",
    );

    let v = app.get_monitoring(&s.zhouqu, id).unwrap();
    assert_eq!(
        v.case.kind,
        MonitoredKind::Sudden,
        "a severe shock is sudden hardship"
    );
    assert_eq!(v.case.risks, [Risk::Illness, Risk::Disaster]);
    assert_eq!(v.case.status, MonitoringStatus::Cleared);
    assert_eq!(
        (v.case.cleared_on, v.case.clear_reason),
        (Some(day("2016-12-30")), Some(ClearReason::Assistance))
    );
    let steps: Vec<(MonitoringStatus, NaiveDate, String)> = v
        .steps
        .iter()
        .map(|s| (s.to, s.on_date, s.by.clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (
                MonitoringStatus::Flagged,
                day("2016-11-02"),
                "cadre display".into()
            ),
            (
                MonitoringStatus::Verified,
                day("2016-11-05"),
                "cadre display".into()
            ),
            (
                MonitoringStatus::Monitored,
                day("2016-11-20"),
                "zhouqu display".into()
            ),
            (
                MonitoringStatus::Cleared,
                day("2016-12-30"),
                "zhouqu display".into()
            ),
        ]
    );
    assert!(v.steps[1].note.as_deref().unwrap().starts_with("王干部"));
    assert!(v.next.is_empty() && !v.may_add_measure && !v.may_flag);
    let again = app
        .flag_household(&s.cadre, &shock("SHOCK", "illness", false), today)
        .unwrap();
    assert_ne!(again, id, "after clearing, a new flag opens a new case");
    let refused = count(
        app,
        "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'monitoring.%' AND outcome = 'refused'",
    );
    assert!(refused >= 7, "refusals are audited: {refused}");
}

fn a_household_without_labour_stays_monitored_after_support(db: &TestDb) {
    let s = setup(db);
    let (app, today) = (&s.app, day(TODAY));
    let id = app
        .flag_household(&s.cadre, &shock("SHOCK", "disability", false), today)
        .unwrap();
    app.step_monitoring(&s.cadre, id, &visit("2016-11-05", true), today)
        .unwrap();
    let mut review = step("monitored", "2016-11-06");
    review.measure_category = "social_security".into();
    review.measure_description = "纳入低保".into();
    app.step_monitoring(&s.zhouqu, id, &review, today).unwrap();
    let v = app.get_monitoring(&s.zhouqu, id).unwrap();
    assert!(v.case.no_labour);
    assert_eq!(
        v.case.kind,
        MonitoredKind::Unstable,
        "an exited household, not severe"
    );
    assert_eq!(v.case.measures.len(), 1);
    assert_eq!(v.next, [MonitoringStatus::Cleared]);
    expect_conflict(
        app.step_monitoring(&s.zhouqu, id, &clear("2016-12-01", "assistance"), today),
        "no_labour_stays_monitored",
    );
    assert_eq!(
        app.get_monitoring(&s.zhouqu, id).unwrap().case.status,
        MonitoringStatus::Monitored
    );
    app.step_monitoring(&s.zhouqu, id, &clear("2016-12-01", "natural"), today)
        .unwrap();
}

fn each_county_sees_and_handles_only_its_own_cases(db: &TestDb) {
    let s = setup(db);
    let (app, today) = (&s.app, day(TODAY));
    let id = app
        .flag_household(&s.cadre, &shock("SHOCK", "illness", false), today)
        .unwrap();
    app.flag_household(&s.xingtang, &shock("XT1", "illness", false), today)
        .unwrap();
    expect_not_found(app.flag_household(&s.xingtang, &shock("SHOCK", "accident", false), today));
    expect_not_found(app.flag_household(&s.cadre, &shock("XT1", "accident", false), today));

    assert_eq!(cases(app, &s.zhouqu).len(), 1);
    assert_eq!(
        cases(app, &s.cadre).len(),
        1,
        "a cadre sees the county's cases"
    );
    assert_eq!(cases(app, &s.xingtang)[0].0, "XT1");
    assert_eq!(cases(app, &office()).len(), 2);
    expect_not_found(app.get_monitoring(&s.xingtang, id));
    expect_not_found(app.step_monitoring(&s.xingtang, id, &visit("2016-11-05", false), today));
    expect_forbidden(app.list_monitoring(&s.unit_user, &MonitoringFilter::default(), Page::all()));
    expect_forbidden(app.get_monitoring(&s.unit_user, id));
    let counts = app
        .monitoring_counts(&s.xingtang, &MonitoringFilter::default())
        .unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (counts[0].county_code.as_str(), counts[0].households),
        (XINGTANG, 1)
    );
    let f = MonitoringFilter {
        q: Some("SHO".into()),
        ..Default::default()
    };
    assert_eq!(
        app.list_monitoring(&office(), &f, Page::all()).unwrap().1,
        1,
        "search by household number"
    );
    let xlsx = app
        .export_monitoring(&s.zhouqu, &MonitoringFilter::default())
        .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(last_audit_action(app), "monitoring.export");
}

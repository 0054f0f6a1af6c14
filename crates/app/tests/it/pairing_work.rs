//! The overview of assistance work: each pairing's figures are sums of its
//! projects, ledger entries (reversed ones left out) and work records, in
//! the reader's scope, ranked and filtered by year.

use crate::common::*;
use dingdian_app::App;
use dingdian_core::pairing_work::{PairingWork, WorkFilter, WorkRanking};
use dingdian_core::{Fen, Page, Year};
use dingdian_store::{Conn, Value, params};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    each_pairings_figures_are_the_sums_of_its_records,
    a_year_counts_only_that_years_money_and_records,
    each_role_sees_the_pairings_of_its_scope,
    the_overview_ranks_pages_and_exports_with_an_audit_record,
);

fn exec(app: &App, sql: &str, p: &[Value]) -> i64 {
    app.store()
        .write(|c: &mut dyn Conn| c.query_i64(&format!("{sql} RETURNING id"), p))
        .expect("insert")
}

/// Four units pairing the four test counties in an active 2021–2025 plan;
/// unit 0 in Xingtang has an agreed assistance plan, projects, money and
/// records.
fn world(app: &App) -> Vec<i64> {
    county_list(app);
    let units = units4(app);
    let plan = covered_plan(app, &office(), &units, "结对方案", START, END);
    let reviewer = user(app, "reviewer1", "reviewer", None, None);
    activate(app, plan, &office(), &reviewer);
    let (u, county) = (units[0], XINGTANG);
    let ap = exec(
        app,
        "INSERT INTO assistance_plans (unit_id, county_code, name, period_start, period_end, goals, status, created_at, updated_at) \
         VALUES (?, ?, '规划', '2021-01-01', '2025-12-31', '目标', 'agreed', 0, 0)",
        params![u, county],
    );
    for (status, budget) in [
        ("accepted", 100_000),
        ("in_progress", 50_000),
        ("cancelled", 7),
    ] {
        exec(
            app,
            "INSERT INTO projects (plan_id, unit_id, county_code, name, category, budget_fen, start_date, end_date, implementer, status, created_at, updated_at) \
             VALUES (?, ?, ?, '项目', 'infrastructure', ?, '2021-03-01', '2022-12-31', '县交通局', ?, 0, 0)",
            params![ap, u, county, budget as i64, status],
        );
    }
    let entry = |kind: &str, source: &str, fen: i64, date: &str, reverses: Option<i64>| {
        exec(
            app,
            "INSERT INTO ledger_entries (kind, unit_id, county_code, source, amount_fen, entry_date, reverses, username, at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'test', 0)",
            params![kind, u, county, source, fen, date, reverses],
        )
    };
    entry("receipt", "direct", 100_000, "2022-04-01", None);
    entry("receipt", "introduced", 50_000, "2023-05-01", None);
    let wrong = entry("receipt", "direct", 20_000, "2022-06-01", None);
    entry("reversal", "direct", 20_000, "2022-06-02", Some(wrong));
    entry("expenditure", "direct", 30_000, "2022-07-01", None);
    for (start, trainees) in [("2022-03-01", 40_i64), ("2023-03-01", 60)] {
        exec(
            app,
            "INSERT INTO trainings (unit_id, county_code, kind, topic, place, start_date, end_date, trainees, organiser, created_at) \
             VALUES (?, ?, 'cadres', '培训', '县城', ?, ?, ?, '组织部', 0)",
            params![u, county, start, start, trainees],
        );
    }
    exec(
        app,
        "INSERT INTO labour_transfers (unit_id, county_code, on_date, people, destination, employer, months, income_fen, jobs_offered, created_at) \
         VALUES (?, ?, '2022-08-01', 25, '320200', '无锡某厂', 6, 7500000, 30, 0)",
        params![u, county],
    );
    exec(
        app,
        "INSERT INTO consumption_records (unit_id, county_code, kind, on_date, product, value_fen, channel, created_at) \
         VALUES (?, ?, 'bought', '2023-09-01', '花椒', 12345, '832平台', 0)",
        params![u, county],
    );
    units
}

fn row(rows: &[PairingWork], unit: i64) -> &PairingWork {
    rows.iter()
        .find(|w| w.unit_id == unit)
        .expect("the unit's pairing")
}

fn all(app: &App, actor: &dingdian_app::Actor, f: &WorkFilter) -> Vec<PairingWork> {
    app.pairing_work(actor, f, Page::all()).expect("overview").0
}

fn each_pairings_figures_are_the_sums_of_its_records(db: &TestDb) {
    let app = open(db);
    let units = world(&app);
    let rows = all(&app, &office(), &WorkFilter::default());
    assert_eq!(rows.len(), 4, "one row a pairing");
    let w = row(&rows, units[0]);
    assert_eq!(
        (w.county_code.as_str(), w.plan_status.as_deref()),
        (XINGTANG, Some("agreed"))
    );
    assert_eq!(
        (
            w.projects.accepted,
            w.projects.in_progress,
            w.projects.cancelled
        ),
        (1, 1, 1)
    );
    assert_eq!(w.projects.live(), 2);
    assert_eq!(
        w.budget_fen,
        Fen::new(150_000),
        "cancelled budgets are left out"
    );
    assert_eq!(
        w.direct_funds,
        Fen::new(100_000),
        "the reversed receipt is left out"
    );
    assert_eq!(w.introduced_funds, Fen::new(50_000));
    assert_eq!(w.received(), Fen::new(150_000));
    assert_eq!(w.spent_fen, Fen::new(30_000));
    assert_eq!((w.trainees, w.labour_transferred), (100, 25));
    assert_eq!(
        (w.labour_income, w.products_fen),
        (Fen::new(7_500_000), Fen::new(12_345))
    );
    let other = row(&rows, units[1]);
    assert_eq!(
        (other.received(), other.trainees, other.plan_status.clone()),
        (Fen::ZERO, 0, None)
    );
}

fn a_year_counts_only_that_years_money_and_records(db: &TestDb) {
    let app = open(db);
    let units = world(&app);
    let year = |y| WorkFilter {
        year: Some(Year::new(y).unwrap()),
        ..Default::default()
    };
    let rows = all(&app, &office(), &year(2023));
    let w = row(&rows, units[0]);
    assert_eq!(
        (w.direct_funds, w.introduced_funds, w.spent_fen),
        (Fen::ZERO, Fen::new(50_000), Fen::ZERO)
    );
    assert_eq!(
        (w.trainees, w.labour_transferred, w.products_fen),
        (60, 0, Fen::new(12_345))
    );
    assert_eq!(
        w.projects.live(),
        2,
        "projects are as they stand, whatever the year"
    );
    assert!(
        all(&app, &office(), &year(2030)).is_empty(),
        "no pairing in force in 2030"
    );
}

fn each_role_sees_the_pairings_of_its_scope(db: &TestDb) {
    let app = open(db);
    let units = world(&app);
    let mine = user(&app, "unit1", "unit", Some(units[0]), None);
    let rows = all(&app, &mine, &WorkFilter::default());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].received(), Fen::new(150_000));
    let other = user(&app, "unit2", "unit", Some(units[1]), None);
    let asked = WorkFilter {
        unit_id: Some(units[0]),
        ..Default::default()
    };
    assert!(
        all(&app, &other, &asked).is_empty(),
        "another unit's pairing is not even counted"
    );
    let county = user(&app, "county1", "county", None, Some(XINGTANG));
    let rows = all(&app, &county, &WorkFilter::default());
    assert_eq!(
        rows.iter().map(|w| w.unit_id).collect::<Vec<_>>(),
        [units[0]]
    );
    let cadre = user(&app, "cadre1", "cadre", Some(units[0]), Some(LINGSHOU));
    assert!(
        all(&app, &cadre, &WorkFilter::default()).is_empty(),
        "the cadre's unit is not paired with its county"
    );
    let inspector = user(&app, "inspector1", "inspector", None, None);
    assert_eq!(all(&app, &inspector, &WorkFilter::default()).len(), 4);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    expect_forbidden(app.pairing_work(&auditor, &WorkFilter::default(), Page::all()));
}

fn the_overview_ranks_pages_and_exports_with_an_audit_record(db: &TestDb) {
    let app = open(db);
    let units = world(&app);
    let by = |ranking| WorkFilter {
        ranking,
        ..Default::default()
    };
    let (first, total) = app
        .pairing_work(
            &office(),
            &by(WorkRanking::Trainees),
            Page::new(Some(1), Some(1)),
        )
        .unwrap();
    assert_eq!((first.len(), total, first[0].unit_id), (1, 4, units[0]));
    let (second, _) = app
        .pairing_work(
            &office(),
            &by(WorkRanking::Trainees),
            Page::new(Some(2), Some(1)),
        )
        .unwrap();
    assert_eq!(second[0].unit_id, units[1], "ties in unit order");
    let named = WorkFilter {
        q: Some("测试单位3".into()),
        ..Default::default()
    };
    assert_eq!(all(&app, &office(), &named)[0].unit_id, units[2]);
    let bytes = app
        .export_pairing_work(&office(), &WorkFilter::default())
        .unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx file");
    assert_eq!(last_audit_action(&app), "pairing_work.export");
}

//! The reporting calendar and reports with a fixed clock: due dates across
//! quarters and years, the reports expected of serving teams, idempotent
//! opening, overdue detection, the refused inputs, the autosave's stale
//! revision, the review cycle, frozen figures, scope per role and the
//! on-time rate. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::reports::Decision;
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::report::{
    CalendarInput, Report, ReportFilter, ReportKind, ReportStatus, Sections, StatusFilter,
};
use dingdian_testkit::{TestDb, both_backends, insert_secondment, ledger_receipt};

both_backends!(
    expected_reports_open_once_with_their_due_dates,
    a_new_calendar_moves_the_due_dates_of_open_reports,
    refused_inputs_say_why,
    a_stale_autosave_is_refused_and_the_newer_text_stays,
    the_review_cycle_returns_and_resubmits,
    figures_are_computed_then_frozen_at_submission,
    each_role_sees_only_its_reports,
    overdue_and_the_on_time_rate,
    the_demo_files_the_reports_of_the_teams_there_are,
);

struct Setup {
    app: App,
    units: Vec<i64>,
    cadre: Actor,
    cadre2: Actor,
    other_cadre: Actor,
    unit0: Actor,
    unit1: Actor,
    county: Actor,
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Unit 0 has a team in Zhouqu (a leader from 2015 and a member from
/// 2016-05) and a proposed cadre in Xingtang; unit 1 a team in Lingshou
/// for the first half of 2016 only.
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    let units = units4(&app);
    let cadre = user(&app, "cadre0", "cadre", Some(units[0]), Some(ZHOUQU));
    let cadre2 = user(&app, "cadre0b", "cadre", Some(units[0]), Some(ZHOUQU));
    let other_cadre = user(&app, "cadre1", "cadre", Some(units[1]), Some(LINGSHOU));
    let st = app.store();
    let z = (units[0], ZHOUQU);
    insert_secondment(
        st,
        z,
        ("甲组长", "leader", "serving"),
        ("2015-01-01", "2017-12-31"),
        cadre.user_id,
    );
    insert_secondment(
        st,
        z,
        ("乙队员", "member", "serving"),
        ("2016-05-01", "2018-04-30"),
        cadre2.user_id,
    );
    insert_secondment(
        st,
        (units[0], XINGTANG),
        ("丙", "leader", "proposed"),
        ("2016-01-01", "2018-12-31"),
        None,
    );
    insert_secondment(
        st,
        (units[1], LINGSHOU),
        ("丁", "leader", "recalled"),
        ("2016-01-01", "2016-06-30"),
        other_cadre.user_id,
    );
    Setup {
        unit0: user(&app, "unit0", "unit", Some(units[0]), None),
        unit1: user(&app, "unit1", "unit", Some(units[1]), None),
        county: user(&app, "zhouqu", "county", None, Some(ZHOUQU)),
        cadre,
        cadre2,
        other_cadre,
        units,
        app,
    }
}

fn calendar(s: &Setup, year: i32, today: &str) {
    s.app
        .set_report_calendar(&office(), year, &CalendarInput::default(), d(today))
        .expect("set the calendar");
}

fn all(app: &App, actor: &Actor, today: &str) -> Vec<Report> {
    app.list_reports(actor, &ReportFilter::default(), d(today), Page::all())
        .expect("list")
        .0
}

fn find(s: &Setup, kind: ReportKind, period: &str, unit: i64) -> Report {
    all(&s.app, &office(), "2017-03-01")
        .into_iter()
        .find(|r| r.kind == kind && r.period.to_string() == period && r.unit_id == unit)
        .unwrap_or_else(|| panic!("{kind:?} {period} of {unit}"))
}

fn text(work: &str) -> Sections {
    Sections {
        work_done: work.into(),
        problems: "道路".into(),
        next_steps: "继续".into(),
    }
}

fn expected_reports_open_once_with_their_due_dates(db: &TestDb) {
    let s = setup(db);
    // Setting the calendar on 2016-10-01 opens the three ended quarters
    // of Zhouqu and the first two of Lingshou.
    calendar(&s, 2016, "2016-10-01");
    let open = all(&s.app, &office(), "2016-10-01");
    assert_eq!(open.len(), 5);
    assert!(
        open.iter()
            .all(|r| r.status == ReportStatus::Draft && r.author.is_none())
    );
    // After the year: Q4 (due in the next year), the year-end reports and
    // the annual summaries; none for the proposed cadre's county.
    assert_eq!(s.app.open_due_reports(d("2017-02-01")).unwrap(), 1 + 2 + 2);
    assert_eq!(
        s.app.open_due_reports(d("2017-02-01")).unwrap(),
        0,
        "idempotent"
    );
    let q4 = find(&s, ReportKind::Quarterly, "2016-Q4", s.units[0]);
    assert_eq!(q4.due, d("2017-01-15"));
    assert_eq!(q4.county_code.as_deref(), Some(ZHOUQU));
    let q3 = find(&s, ReportKind::Quarterly, "2016-Q3", s.units[0]);
    assert_eq!(q3.due, d("2016-10-15"));
    let summary = find(&s, ReportKind::AnnualSummary, "2016", s.units[1]);
    assert_eq!((summary.due, summary.county_code), (d("2017-01-31"), None));
    let reports = all(&s.app, &office(), "2017-02-01");
    assert_eq!(reports.len(), 10);
    assert!(
        !reports
            .iter()
            .any(|r| r.county_code.as_deref() == Some(XINGTANG))
    );
    assert!(
        !reports
            .iter()
            .any(|r| r.unit_id == s.units[1] && r.period.to_string() == "2016-Q3"),
        "the Lingshou team was recalled in June"
    );
    // A year without a calendar expects nothing.
    assert_eq!(s.app.open_due_reports(d("2018-06-01")).unwrap(), 0);
}

fn a_new_calendar_moves_the_due_dates_of_open_reports(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let q1 = find(&s, ReportKind::Quarterly, "2016-Q1", s.units[0]);
    s.app
        .save_report_draft(&s.cadre, q1.id, &text("第一季度"), 0)
        .unwrap();
    s.app
        .submit_report(&s.cadre, q1.id, None, 1, d("2016-04-10"))
        .unwrap();
    let input = CalendarInput {
        quarterly_due_days: "30".into(),
        ..Default::default()
    };
    s.app
        .set_report_calendar(&office(), 2016, &input, d("2017-02-01"))
        .unwrap();
    let q2 = find(&s, ReportKind::Quarterly, "2016-Q2", s.units[0]);
    assert_eq!(q2.due, d("2016-07-30"));
    let q4 = find(&s, ReportKind::Quarterly, "2016-Q4", s.units[0]);
    assert_eq!(q4.due, d("2017-01-30"));
    // A submitted report keeps the date it was held to.
    assert_eq!(
        find(&s, ReportKind::Quarterly, "2016-Q1", s.units[0]).due,
        d("2016-04-15")
    );
    expect_forbidden(
        s.app
            .set_report_calendar(&s.unit0, 2016, &input, d("2017-02-01")),
    );
}

fn refused_inputs_say_why(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2026, "2026-12-05");
    // A quarter that has not ended.
    let e = s
        .app
        .start_report(&s.cadre, ReportKind::Quarterly, "2026-Q4", d("2026-12-05"));
    let msg = match e {
        Err(AppError::Invalid(e)) => e[0].msg.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(msg.code, "period_not_ended");
    assert!(msg.zh.contains("2026-12-31") && msg.en.contains("2026-12-31"));
    // An ended one opens (once) for the cadre's own team.
    let id = s
        .app
        .start_report(&s.cadre, ReportKind::Quarterly, "2026-Q3", d("2026-12-05"))
        .unwrap();
    assert_eq!(
        s.app
            .start_report(&s.cadre, ReportKind::Quarterly, "2026-Q3", d("2026-12-05"))
            .unwrap(),
        id
    );
    expect_invalid(
        s.app
            .start_report(&s.cadre, ReportKind::Quarterly, "2026", d("2027-12-05")),
        "period",
        "bad_period",
    );
    expect_conflict(
        s.app
            .start_report(&s.cadre, ReportKind::Quarterly, "2024-Q1", d("2026-12-05")),
        "no_calendar",
    );
    expect_forbidden(s.app.start_report(
        &s.unit0,
        ReportKind::Quarterly,
        "2026-Q3",
        d("2026-12-05"),
    ));
    // Another unit's report is not found; another cadre's is refused.
    expect_not_found(s.app.save_report_draft(&s.other_cadre, id, &text("x"), 0));
    s.app
        .save_report_draft(&s.cadre, id, &text("我写的"), 0)
        .unwrap();
    let refused = s.app.save_report_draft(&s.cadre2, id, &text("改写"), 1);
    match refused {
        Err(AppError::Forbidden(m)) => {
            assert_eq!(m.code, "not_the_author");
            assert!(m.zh.contains("cadre0 display"), "{}", m.zh);
        }
        other => panic!("{other:?}"),
    }
    expect_forbidden(s.app.submit_report(&s.cadre2, id, None, 1, d("2026-12-05")));
    // The unit writes the annual summary, never the team's report.
    expect_forbidden(s.app.save_report_draft(&s.unit0, id, &text("x"), 1));
    let refusals = dingdian_testkit::audit_records(&db.url, "report.save");
    assert!(
        refusals
            .iter()
            .any(|r| r.outcome == "refused" && r.username.as_deref() == Some("cadre0b"))
    );
    // Far-future calendars are refused.
    let e = s
        .app
        .set_report_calendar(&office(), 2031, &CalendarInput::default(), d("2026-12-05"));
    expect_invalid(e, "year", "year_out_of_range");
}

fn a_stale_autosave_is_refused_and_the_newer_text_stays(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let r = find(&s, ReportKind::Quarterly, "2016-Q2", s.units[0]);
    assert_eq!(
        s.app
            .save_report_draft(&s.cadre, r.id, &text("手机上"), 0)
            .unwrap(),
        1
    );
    assert_eq!(
        s.app
            .save_report_draft(&s.cadre, r.id, &text("手机上写了更多"), 1)
            .unwrap(),
        2
    );
    // The laptop's tab still holds revision 1.
    expect_conflict(
        s.app.save_report_draft(&s.cadre, r.id, &text("笔记本"), 1),
        "stale_revision",
    );
    expect_conflict(
        s.app
            .submit_report(&s.cadre, r.id, Some(&text("笔记本")), 1, d("2017-02-01")),
        "stale_revision",
    );
    let now = s
        .app
        .report_detail(&s.cadre, r.id, d("2017-02-01"))
        .unwrap()
        .report;
    assert_eq!(
        (now.sections.work_done.as_str(), now.revision),
        ("手机上写了更多", 2)
    );
    assert_eq!(now.author.as_deref(), Some("cadre0 display"));
    let long = Sections {
        work_done: "字".repeat(20_001),
        ..Default::default()
    };
    expect_invalid(
        s.app.save_report_draft(&s.cadre, r.id, &long, 2),
        "work_done",
        "too_long",
    );
}

fn the_review_cycle_returns_and_resubmits(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let id = find(&s, ReportKind::Quarterly, "2016-Q3", s.units[0]).id;
    let today = d("2016-10-12");
    expect_invalid(
        s.app.submit_report(&s.cadre, id, None, 0, today),
        "work_done",
        "required",
    );
    s.app
        .submit_report(&s.cadre, id, Some(&text("第三季度工作")), 0, today)
        .unwrap();
    expect_conflict(
        s.app.save_report_draft(&s.cadre, id, &text("改"), 2),
        "report_state",
    );
    expect_forbidden(
        s.app
            .review_report(&s.cadre, id, Decision::Accept, None, today),
    );
    expect_not_found(
        s.app
            .review_report(&s.unit1, id, Decision::Accept, None, today),
    );
    expect_invalid(
        s.app
            .review_report(&s.unit0, id, Decision::Return, Some(" "), today),
        "comment",
        "comment_required",
    );
    s.app
        .review_report(
            &s.unit0,
            id,
            Decision::Return,
            Some("请补充劳务输出人数"),
            d("2016-10-13"),
        )
        .unwrap();
    let back = s.app.report_detail(&s.cadre, id, today).unwrap();
    assert_eq!(back.report.status, ReportStatus::Returned);
    assert_eq!(back.returned_comment.as_deref(), Some("请补充劳务输出人数"));
    assert!(back.may_write && !back.may_review);
    let rev = back.report.revision;
    s.app
        .submit_report(
            &s.cadre,
            id,
            Some(&text("已补充：输出 120 人")),
            rev,
            d("2016-10-14"),
        )
        .unwrap();
    s.app
        .review_report(&s.unit0, id, Decision::Accept, None, d("2016-10-15"))
        .unwrap();
    expect_conflict(
        s.app
            .review_report(&s.unit0, id, Decision::Accept, None, today),
        "illegal_transition",
    );
    let done = s.app.report_detail(&s.unit0, id, today).unwrap();
    let steps: Vec<_> = done
        .transitions
        .iter()
        .map(|t| (t.from.unwrap().code(), t.to.code()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("draft", "submitted"),
            ("submitted", "returned"),
            ("returned", "submitted"),
            ("submitted", "accepted")
        ]
    );
    assert_eq!(
        done.report
            .first_submitted_at
            .and_then(dingdian_app::reports::china_day),
        Some(d("2016-10-12"))
    );
    for action in ["report.submit", "report.return", "report.accept"] {
        assert!(
            !dingdian_testkit::audit_records(&db.url, action).is_empty(),
            "{action}"
        );
    }
}

fn figures_are_computed_then_frozen_at_submission(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let st = s.app.store();
    ledger_receipt(st, (s.units[0], ZHOUQU), "direct", 500_000, "2016-08-01");
    ledger_receipt(st, (s.units[0], ZHOUQU), "direct", 250_000, "2016-09-30");
    ledger_receipt(st, (s.units[0], ZHOUQU), "direct", 999_999, "2016-10-01");
    ledger_receipt(st, (s.units[0], LINGSHOU), "introduced", 1, "2016-08-01");
    let id = find(&s, ReportKind::Quarterly, "2016-Q3", s.units[0]).id;
    let live = s.app.report_detail(&s.cadre, id, d("2017-02-01")).unwrap();
    assert!(!live.figures_frozen);
    let funds: Vec<_> = live
        .figures
        .funds
        .iter()
        .map(|f| (f.kind.as_str(), f.source.as_str(), f.amount_fen, f.entries))
        .collect();
    assert_eq!(funds, vec![("receipt", "direct", 750_000, 2)]);
    s.app
        .submit_report(&s.cadre, id, Some(&text("工作")), 0, d("2016-10-10"))
        .unwrap();
    ledger_receipt(st, (s.units[0], ZHOUQU), "direct", 7, "2016-09-01");
    let frozen = s.app.report_detail(&s.cadre, id, d("2017-02-01")).unwrap();
    assert!(frozen.figures_frozen);
    assert_eq!(
        frozen.figures.funds[0].amount_fen, 750_000,
        "frozen at submission"
    );
    // The annual summary covers all the unit's counties.
    let summary = find(&s, ReportKind::AnnualSummary, "2016", s.units[0]).id;
    let f = s
        .app
        .report_detail(&s.unit0, summary, d("2017-02-01"))
        .unwrap()
        .figures;
    assert_eq!(
        f.funds.iter().map(|l| l.amount_fen).sum::<i64>(),
        750_000 + 999_999 + 7 + 1
    );
}

fn each_role_sees_only_its_reports(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let today = "2017-02-01";
    let count = |a: &Actor| all(&s.app, a, today).len();
    assert_eq!(count(&office()), 10);
    assert_eq!(count(&s.unit0), 6, "five Zhouqu reports and the summary");
    assert_eq!(count(&s.unit1), 4);
    assert_eq!(count(&s.cadre), 5);
    assert_eq!(count(&s.other_cadre), 3);
    assert_eq!(count(&s.county), 5);
    let inspector = user(&s.app, "inspector1", "inspector", None, None);
    assert_eq!(count(&inspector), 10);
    let lingshou = find(&s, ReportKind::Quarterly, "2016-Q1", s.units[1]).id;
    expect_not_found(s.app.report_detail(&s.cadre, lingshou, d(today)));
    expect_not_found(s.app.report_detail(&s.county, lingshou, d(today)));
    let seen = s
        .app
        .report_punctuality(&s.county, Some(2016), d(today))
        .unwrap();
    assert!(seen.units.iter().all(|u| u.unit_id == s.units[0]));
    let admin = user(&s.app, "admin1", "admin", None, None);
    expect_forbidden(
        s.app
            .list_reports(&admin, &ReportFilter::default(), d(today), Page::all()),
    );
}

fn overdue_and_the_on_time_rate(db: &TestDb) {
    let s = setup(db);
    calendar(&s, 2016, "2017-02-01");
    let q = |p| find(&s, ReportKind::Quarterly, p, s.units[0]).id;
    // Q1 on its due day, Q2 a day late, Q3 never; Q4 not yet due.
    s.app
        .submit_report(
            &s.cadre,
            q("2016-Q1"),
            Some(&text("一")),
            0,
            d("2016-04-15"),
        )
        .unwrap();
    s.app
        .submit_report(
            &s.cadre,
            q("2016-Q2"),
            Some(&text("二")),
            0,
            d("2016-07-16"),
        )
        .unwrap();
    let today = d("2017-01-10");
    let overdue = ReportFilter {
        unit_id: Some(s.units[0]),
        status: Some(StatusFilter::Overdue),
        ..Default::default()
    };
    let (items, total) = s
        .app
        .list_reports(&office(), &overdue, today, Page::all())
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(items[0].period.to_string(), "2016-Q3");
    // Returned past its due date is overdue again.
    s.app
        .review_report(
            &s.unit0,
            q("2016-Q1"),
            Decision::Return,
            Some("补充"),
            today,
        )
        .unwrap();
    assert_eq!(
        s.app
            .list_reports(&office(), &overdue, today, Page::all())
            .unwrap()
            .1,
        2
    );
    let p = s
        .app
        .report_punctuality(&office(), Some(2016), today)
        .unwrap();
    let u0 = p.units.iter().find(|u| u.unit_id == s.units[0]).unwrap();
    assert_eq!(
        (
            u0.tally.due,
            u0.tally.on_time,
            u0.tally.late,
            u0.tally.missing
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(u0.tally.on_time_permille, Some(333));
    assert_eq!(u0.tally.overdue, 2);
    // The missing Q3 counts against the team's leader; the written ones
    // against their author.
    let person = |name: &str| {
        p.people
            .iter()
            .find(|x| x.person.as_deref() == Some(name))
            .map(|x| x.tally.clone())
    };
    let author = person("cadre0 display").unwrap();
    assert_eq!(
        (author.due, author.on_time, author.late, author.missing),
        (2, 1, 1, 0)
    );
    assert_eq!(person("甲组长").unwrap().missing, 1);
    // Unit 1's Lingshou reports: two quarters and the year-end report
    // missing by 2017-02-01, counted against the recalled leader.
    let later = s
        .app
        .report_punctuality(&office(), Some(2016), d("2017-02-01"))
        .unwrap();
    let u1 = later
        .units
        .iter()
        .find(|u| u.unit_id == s.units[1])
        .unwrap();
    assert_eq!((u1.tally.due, u1.tally.on_time_permille), (4, Some(0)));
    assert_eq!(
        later
            .people
            .iter()
            .find(|x| x.person.as_deref() == Some("丁"))
            .unwrap()
            .tally
            .missing,
        3
    );
}

/// The demo's step files the reports of whatever teams exist: Zhouqu's
/// on time and accepted but for the latest, returned; others partly late
/// or overdue.
fn the_demo_files_the_reports_of_the_teams_there_are(db: &TestDb) {
    let app = open(db);
    app.load_demo().unwrap();
    let cli = office();
    let units = app
        .list_units(&cli, &Default::default(), Page::all())
        .unwrap()
        .0;
    let id_of = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let (seed, other) = (id_of("中共中央组织部"), id_of("教育部"));
    let cadre = actor(&app, "cadre").user_id;
    let span = ("2024-07-01", "2027-06-30");
    insert_secondment(
        app.store(),
        (seed, ZHOUQU),
        ("组长", "leader", "serving"),
        span,
        cadre,
    );
    insert_secondment(
        app.store(),
        (other, XINGTANG),
        ("他组长", "leader", "serving"),
        span,
        None,
    );
    app.demo_reports().unwrap();
    app.demo_reports().unwrap();
    let today = dingdian_core::time::today();
    let p = app.report_punctuality(&cli, None, today).unwrap();
    let tally = |u: i64| {
        p.units
            .iter()
            .find(|x| x.unit_id == u)
            .unwrap()
            .tally
            .clone()
    };
    let s = tally(seed);
    assert!(s.due >= 5 && s.on_time == s.due, "{s:?}");
    assert_eq!(s.overdue, 1, "the latest, returned");
    let o = tally(other);
    assert!(o.late > 0 && o.missing > 0 && o.on_time > 0, "{o:?}");
    let returned = ReportFilter {
        unit_id: Some(seed),
        status: Some(StatusFilter::Is(ReportStatus::Returned)),
        ..Default::default()
    };
    assert_eq!(
        app.list_reports(&cli, &returned, today, Page::all())
            .unwrap()
            .1,
        1
    );
}

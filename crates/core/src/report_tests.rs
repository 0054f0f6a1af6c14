use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn span(unit: i64, county: &str, (start, end): (&str, &str), status: &str) -> TeamSpan {
    TeamSpan {
        unit_id: unit,
        county_code: county.into(),
        start: d(start),
        end: d(end),
        status: status.into(),
        leader: false,
        person_name: "甲".into(),
    }
}

#[test]
fn periods_parse_display_and_bound() {
    let q = ReportPeriod::parse("2016-Q3").unwrap();
    assert_eq!(q, ReportPeriod::Quarter(2016, 3));
    assert_eq!(q.to_string(), "2016-Q3");
    assert_eq!(
        (q.first_day(), q.last_day()),
        (d("2016-07-01"), d("2016-09-30"))
    );
    let q4 = ReportPeriod::Quarter(2016, 4);
    assert_eq!(q4.last_day(), d("2016-12-31"));
    let y = ReportPeriod::parse("2016").unwrap();
    assert_eq!(
        (y.first_day(), y.last_day()),
        (d("2016-01-01"), d("2016-12-31"))
    );
    for bad in ["2016-Q5", "2016-Q0", "16", "2016Q1", "x", "1999", "+2016"] {
        assert_eq!(ReportPeriod::parse(bad), None, "{bad}");
    }
    assert!(q.fits(ReportKind::Quarterly) && !q.fits(ReportKind::YearEnd));
    assert!(y.fits(ReportKind::AnnualSummary) && !y.fits(ReportKind::Quarterly));
}

#[test]
fn due_dates_cross_quarters_and_years() {
    let c = ReportCalendar::default_for(2016);
    let due = |k, p: &str| c.due(k, ReportPeriod::parse(p).unwrap());
    assert_eq!(due(ReportKind::Quarterly, "2016-Q1"), Some(d("2016-04-15")));
    assert_eq!(due(ReportKind::Quarterly, "2016-Q3"), Some(d("2016-10-15")));
    // The last quarter falls due in the next year.
    assert_eq!(due(ReportKind::Quarterly, "2016-Q4"), Some(d("2017-01-15")));
    assert_eq!(due(ReportKind::YearEnd, "2016"), Some(d("2017-01-15")));
    assert_eq!(
        due(ReportKind::AnnualSummary, "2016"),
        Some(d("2017-01-31"))
    );
    assert_eq!(due(ReportKind::Quarterly, "2017-Q1"), None);
    assert_eq!(due(ReportKind::Quarterly, "2016"), None);
    let s = c.schedule();
    assert_eq!(s.len(), 6);
    assert!(s.windows(2).all(|w| w[0].2 <= w[1].2));
    let long = ReportCalendar {
        quarterly_due_days: 45,
        ..c
    };
    assert_eq!(
        long.due(ReportKind::Quarterly, ReportPeriod::Quarter(2016, 4)),
        Some(d("2017-02-14"))
    );
}

#[test]
fn a_calendar_input_is_checked() {
    let today = d("2026-12-05");
    let c = CalendarInput::default().parse(2025, today).unwrap();
    assert_eq!(c, ReportCalendar::default_for(2025));
    let bad = CalendarInput {
        quarterly_due_days: "0".into(),
        year_end_due: "2025-12-31".into(),
        annual_summary_due: "2026-13-01".into(),
    };
    let codes: Vec<_> = bad
        .parse(2025, today)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.msg.code))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("quarterly_due_days".into(), "due_days_out_of_range".into()),
            ("year_end_due".into(), "due_out_of_range".into()),
            ("annual_summary_due".into(), "bad_date".into()),
        ]
    );
    // Far in the future: a calendar is a plan for at most next year.
    let e = CalendarInput::default().parse(2030, today).unwrap_err();
    assert_eq!(e[0].msg.code, "year_out_of_range");
}

#[test]
fn expected_reports_follow_who_served() {
    let c = ReportCalendar::default_for(2016);
    let spans = vec![
        span(1, "623023", ("2016-05-01", "2019-04-30"), "serving"),
        span(1, "623023", ("2016-01-01", "2016-02-01"), "proposed"),
        span(2, "522701", ("2016-01-01", "2016-03-31"), "recalled"),
        span(3, "522702", ("2016-01-01", "2016-12-31"), "approved"),
    ];
    let got = expected_reports(&c, &spans, d("2017-02-01"));
    let keys: Vec<_> = got
        .iter()
        .map(|e| {
            (
                e.kind,
                e.period.to_string(),
                e.unit_id,
                e.county_code.clone(),
            )
        })
        .collect();
    use ReportKind::*;
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        keys,
        vec![
            (Quarterly, "2016-Q1".into(), 2, s("522701")),
            (Quarterly, "2016-Q2".into(), 1, s("623023")),
            (Quarterly, "2016-Q3".into(), 1, s("623023")),
            (Quarterly, "2016-Q4".into(), 1, s("623023")),
            (YearEnd, "2016".into(), 1, s("623023")),
            (YearEnd, "2016".into(), 2, s("522701")),
            (AnnualSummary, "2016".into(), 1, None),
            (AnnualSummary, "2016".into(), 2, None),
        ]
    );
    // Before the year ends only the ended quarters are expected.
    let mid = expected_reports(&c, &spans, d("2016-10-01"));
    assert_eq!(mid.len(), 3);
    assert!(mid.iter().all(|e| e.kind == Quarterly));
    // The last day of a quarter is still inside it.
    assert_eq!(expected_reports(&c, &spans, d("2016-09-30")).len(), 2);
}

#[test]
fn a_period_must_have_ended() {
    let q = ReportPeriod::Quarter(2026, 4);
    let e = check_period_ended(q, d("2026-12-05")).unwrap_err();
    assert_eq!(e.code, "period_not_ended");
    assert!(e.zh.contains("2026-12-31") && e.en.contains("2026-12-31"));
    assert!(check_period_ended(q, d("2027-01-01")).is_ok());
}

#[test]
fn the_workflow_table() {
    use ReportStatus::*;
    assert!(report_step(Party::Author, Draft, Submitted).is_some());
    assert!(report_step(Party::Author, Returned, Submitted).is_some());
    assert!(report_step(Party::Reviewer, Draft, Accepted).is_none());
    assert!(report_step(Party::Author, Submitted, Accepted).is_none());
    assert!(
        report_step(Party::Reviewer, Submitted, Returned)
            .unwrap()
            .comment_required
    );
    assert!(
        !report_step(Party::Reviewer, Submitted, Accepted)
            .unwrap()
            .comment_required
    );
    for s in ALL_REPORT_STATUSES {
        assert_eq!(ReportStatus::from_code(s.code()), Some(s));
    }
    assert!(Returned.overdue(d("2026-01-15"), d("2026-01-16")));
    assert!(!Returned.overdue(d("2026-01-15"), d("2026-01-15")));
    assert!(!Submitted.overdue(d("2026-01-15"), d("2027-01-16")));
}

#[test]
fn leaders_and_on_time_rates() {
    let mut a = span(1, "623023", ("2013-01-01", "2015-12-31"), "completed");
    a.leader = true;
    a.person_name = "甲".into();
    let mut b = span(1, "623023", ("2016-01-01", "2018-12-31"), "serving");
    b.leader = true;
    b.person_name = "乙".into();
    let m = span(1, "623023", ("2016-01-01", "2018-12-31"), "serving");
    let spans = vec![a, b, m];
    let who = |p| responsible_leader(&spans, 1, "623023", p).map(|s| s.person_name.clone());
    assert_eq!(who(ReportPeriod::Quarter(2015, 4)), Some("甲".into()));
    assert_eq!(who(ReportPeriod::Quarter(2016, 1)), Some("乙".into()));
    assert_eq!(
        responsible_leader(&spans, 2, "623023", ReportPeriod::Year(2016)),
        None
    );
    assert!(on_time(Some(d("2016-04-15")), d("2016-04-15")));
    assert!(!on_time(Some(d("2016-04-16")), d("2016-04-15")));
    assert!(!on_time(None, d("2016-04-15")));
    assert_eq!(on_time_permille(2, 3), Some(666));
    assert_eq!(on_time_permille(0, 0), None);
}

#[test]
fn sections_are_bounded_and_a_submission_needs_work_done() {
    let long = Sections {
        work_done: "字".repeat(SECTION_MAX + 1),
        ..Default::default()
    };
    assert_eq!(long.parse().unwrap_err()[0].msg.code, "too_long");
    let empty = Sections::default().parse().unwrap();
    assert_eq!(empty.check_complete().unwrap_err()[0].field, "work_done");
}

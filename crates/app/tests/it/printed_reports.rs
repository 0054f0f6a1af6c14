//! The printed reports (county profile, unit annual report, national
//! overview) and the public aggregates, on the demo data: what each
//! section holds, who may read which report, the assessment shown only
//! where the scope allows, audited exports, and publishing. Both backends.

use crate::common::*;

use calamine::Reader;
use chrono::NaiveDate;
use dingdian_app::print::{Count, CountyProfile};
use dingdian_app::public_aggregates::PublishedFilter;
use dingdian_app::{Actor, App, Page};
use dingdian_core::monitoring::{FlagSource, MonitoredKind, Risk};
use dingdian_store::monitoring::{NewFlag, flag};
use dingdian_store::params;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_county_profile_of_zhouqu_holds_every_section_and_is_scoped,
    a_unit_report_shows_the_assessment_only_where_the_scope_allows,
    the_national_overview_is_for_the_office_reviewers_and_inspectors,
    exports_are_audited_and_hold_a_sheet_per_section,
    publishing_needs_the_office_replaces_the_year_and_holds_no_personal_data,
);

fn today() -> NaiveDate {
    dingdian_core::time::today()
}

fn demo(db: &TestDb) -> App {
    let app = open(db);
    app.load_demo().expect("demo");
    app
}

/// Opens monitored cases of the demo's Zhouqu 2016: `n` per kind.
fn monitor(app: &App, kinds: &[(MonitoredKind, usize)]) {
    let mut k = 0;
    for (kind, n) in kinds {
        for _ in 0..*n {
            k += 1;
            let household = format!("HTEST{k}");
            let f = NewFlag {
                household_id: &household,
                county_code: ZHOUQU,
                year: 2016,
                kind: *kind,
                risk: Risk::Illness,
                source: FlagSource::Cadre,
                detail: None,
                on: NaiveDate::from_ymd_opt(2016, 5, 1).unwrap(),
                by: None,
                alert_row_id: None,
                now: 1,
            };
            app.store().write(|c| flag(c, &f)).expect("flag");
        }
    }
}

fn unit_id(app: &App, name: &str) -> i64 {
    let (units, _) = app
        .list_units(&office(), &Default::default(), Page::all())
        .unwrap();
    units.iter().find(|u| u.name == name).expect("unit").id
}

fn assess(app: &App, unit: i64, year: i32, status: &str, score: i64, grade: &str) {
    let dims = r#"[{"dimension":"results","score":90.0,"weight":40,"evidence":[]},{"dimension":"satisfaction","score":80.0,"weight":10,"evidence":[]}]"#;
    app.store()
        .write(|c| {
            c.execute(
                "INSERT INTO assessments (unit_id, year, status, score, grade, dimensions, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, 1, 1)",
                params![unit, year, status, score, grade, dims],
            )
        })
        .expect("assessment");
}

fn the_county_profile_of_zhouqu_holds_every_section_and_is_scoped(db: &TestDb) {
    let app = demo(db);
    // Other demo steps may monitor households too: count what these add.
    let before = app
        .county_profile(&office(), ZHOUQU, 2016, today())
        .unwrap();
    monitor(
        &app,
        &[(MonitoredKind::Unstable, 2), (MonitoredKind::Marginal, 1)],
    );
    let p = app
        .county_profile(&office(), ZHOUQU, 2016, today())
        .unwrap();
    assert_eq!(p.county_name, "舟曲县");
    let years: Vec<i32> = p.history.iter().map(|r| r.year).collect();
    assert!(years.contains(&2012) && years.contains(&2016), "{years:?}");
    let own = p.own.as_ref().expect("2016 indicators");
    assert!(own.indicators.poor_population > 0);
    assert!(
        p.units
            .iter()
            .any(|u| u.unit_name == dingdian_app::demo::SEED_UNIT && u.paired),
        "the seed unit is paired with Zhouqu in 2016: {:?}",
        p.units
    );
    assert_eq!(p.projects.len(), 6, "every project status is listed");
    let kind = |p: &CountyProfile, code: &str| {
        let k = p
            .monitoring
            .iter()
            .find(|k| k.code == code)
            .expect("every kind listed");
        (k.flagged, k.cleared)
    };
    let (f0, c0) = kind(&before, "unstable");
    assert_eq!(kind(&p, "unstable"), (f0 + 2, c0));
    assert_eq!(kind(&p, "sudden"), kind(&before, "sudden"));

    // A county officer reads their own county; another county is 404.
    let county = actor(&app, "zhouqu");
    assert!(app.county_profile(&county, ZHOUQU, 2016, today()).is_ok());
    expect_not_found(app.county_profile(&county, XINGTANG, 2016, today()));
    expect_not_found(app.county_profile(&actor(&app, "cadre"), XINGTANG, 2016, today()));
    // A year far ahead is refused.
    expect_invalid(
        app.county_profile(&office(), ZHOUQU, 2999, today()),
        "year",
        "bad_year",
    );
}

fn a_unit_report_shows_the_assessment_only_where_the_scope_allows(db: &TestDb) {
    let app = demo(db);
    let seed = unit_id(&app, dingdian_app::demo::SEED_UNIT);
    let zzb = actor(&app, "zzb");
    let r = app.unit_report(&zzb, seed, 2014, today()).unwrap();
    assert_eq!(r.unit_name, dingdian_app::demo::SEED_UNIT);
    assert!(r.assessment.is_none(), "no assessment yet");
    assert!(
        r.counties.iter().any(|c| c.county_code == ZHOUQU),
        "{:?}",
        r.counties
    );

    assess(&app, seed, 2014, "self_report", 8650, "fairly_good");
    // The unit sees its own at every step; another unit gets 404 for the
    // report; a county officer may not read unit reports.
    let own = app.unit_report(&zzb, seed, 2014, today()).unwrap();
    let a = own.assessment.expect("its own assessment");
    assert_eq!(a.score, Some(86.5));
    assert_eq!(a.grade.map(|g| g.code), Some("fairly_good"));
    let dims: Vec<_> = a
        .dimensions
        .iter()
        .map(|d| (d.dimension.code, d.score, d.weight))
        .collect();
    assert_eq!(
        dims,
        vec![
            ("results", Some(90.0), Some(40)),
            ("satisfaction", Some(80.0), Some(10))
        ]
    );
    expect_not_found(app.unit_report(&actor(&app, "unit2"), seed, 2014, today()));
    expect_forbidden(app.unit_report(&actor(&app, "zhouqu"), seed, 2014, today()));
    let by_office = app.unit_report(&office(), seed, 2014, today()).unwrap();
    assert!(by_office.assessment.is_some());
}

fn the_national_overview_is_for_the_office_reviewers_and_inspectors(db: &TestDb) {
    let app = demo(db);
    let before = app.national_overview(&office(), 2014, today()).unwrap();
    monitor(&app, &[(MonitoredKind::Sudden, 2)]);
    let seed = unit_id(&app, dingdian_app::demo::SEED_UNIT);
    assess(&app, seed, 2014, "published", 9200, "good");
    let o = app
        .national_overview(&actor(&app, "reviewer"), 2014, today())
        .unwrap();
    assert!(o.counties_covered >= 1);
    assert!(
        o.key_counties >= 1 && o.key_covered >= 1,
        "Zhouqu is a covered key county"
    );
    assert!(
        o.nation
            .as_ref()
            .is_some_and(|n| n.indicators.poor_population > 0)
    );
    assert_eq!(o.year, 2014);
    assert!(
        o.provinces
            .iter()
            .any(|p| p.area_code.as_deref() == Some("62"))
    );
    let of = |items: &[Count], code: &str| items.iter().find(|g| g.code == code).unwrap().count;
    assert_eq!(of(&o.grades, "good"), of(&before.grades, "good") + 1);
    assert_eq!(of(&o.grades, "poor"), of(&before.grades, "poor"));
    // The cases of monitor() are of 2016, not of 2014.
    assert_eq!(of(&o.monitored, "sudden"), of(&before.monitored, "sudden"));
    let later = app.national_overview(&office(), 2016, today()).unwrap();
    assert!(of(&later.monitored, "sudden") >= 2);
    assert!(
        app.national_overview(&actor(&app, "inspector"), 2016, today())
            .is_ok()
    );
    expect_forbidden(app.national_overview(&actor(&app, "zzb"), 2016, today()));
    expect_forbidden(app.national_overview(&actor(&app, "zhouqu"), 2016, today()));
}

fn sheets(bytes: Vec<u8>) -> Vec<String> {
    let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    book.sheet_names().to_vec()
}

fn exports_are_audited_and_hold_a_sheet_per_section(db: &TestDb) {
    let app = demo(db);
    let names = sheets(
        app.export_county_profile(&office(), ZHOUQU, 2016, today())
            .unwrap(),
    );
    assert_eq!(
        names,
        ["概况", "指标", "结对单位与资金", "项目", "监测对象", "督查"]
    );
    assert_eq!(last_audit_action(&app), "printed_report.export");
    let seed = unit_id(&app, dingdian_app::demo::SEED_UNIT);
    let names = sheets(
        app.export_unit_report(&actor(&app, "zzb"), seed, 2016, today())
            .unwrap(),
    );
    assert_eq!(
        names,
        [
            "概况",
            "责任书",
            "结对县",
            "项目",
            "报告报送",
            "整改",
            "考核"
        ]
    );
    let names = sheets(
        app.export_national_overview(&office(), 2016, today())
            .unwrap(),
    );
    assert_eq!(
        names,
        ["概况", "指标", "资金（按单位类别）", "考核等次", "监测对象"]
    );
    let before = audit_rows(&app);
    expect_not_found(app.export_unit_report(&actor(&app, "unit2"), seed, 2016, today()));
    assert_eq!(
        audit_rows(&app),
        before,
        "nothing exported, nothing recorded"
    );
}

fn publishing_needs_the_office_replaces_the_year_and_holds_no_personal_data(db: &TestDb) {
    let app = demo(db);
    monitor(&app, &[(MonitoredKind::Unstable, 3)]);
    let zzb: Actor = actor(&app, "zzb");
    expect_forbidden(app.publish_aggregates(&zzb, 2016, today()));
    assert_eq!(
        last_audit_action(&app),
        "public.publish",
        "the refusal is audited"
    );
    expect_invalid(
        app.publish_aggregates(&office(), 2999, today()),
        "year",
        "bad_year",
    );
    expect_invalid(
        app.publish_aggregates(&office(), 2005, today()),
        "year",
        "no_data_for_year",
    );

    let n = app.publish_aggregates(&office(), 2016, today()).unwrap();
    assert!(n >= 1);
    let year = |y| PublishedFilter {
        year: Some(y),
        ..Default::default()
    };
    let (items, total) = app.public_aggregates(&year(2016), Page::all()).unwrap();
    assert_eq!(total as usize, n);
    let z = items
        .iter()
        .find(|a| a.county_code == ZHOUQU)
        .expect("Zhouqu published");
    let p2 = app
        .county_profile(&office(), ZHOUQU, 2016, today())
        .unwrap();
    let own = p2.own.as_ref().unwrap();
    assert_eq!(z.figures.poor_population, own.indicators.poor_population);
    assert!(
        z.figures
            .paired_units
            .contains(&dingdian_app::demo::SEED_UNIT.to_string())
    );
    let monitored: i64 = p2
        .monitoring
        .iter()
        .map(|k| k.flagged + k.verified + k.monitored + k.cleared)
        .sum();
    assert!(monitored >= 3);
    assert_eq!(
        (
            z.figures.monitored_households,
            z.figures.monitored_suppressed
        ),
        dingdian_core::public_aggregate::suppress_small(monitored)
    );
    let json = serde_json::to_string(&items).unwrap();
    assert!(!json.contains("HTEST"), "no household id");
    assert!(
        !json.contains("id_number") && !json.contains("member"),
        "{json}"
    );

    // An unpublished year shows nothing; publishing again replaces the year.
    assert_eq!(
        app.public_aggregates(&year(2015), Page::all()).unwrap().1,
        0
    );
    app.publish_aggregates(&office(), 2016, today()).unwrap();
    assert_eq!(
        app.public_aggregates(&year(2016), Page::all()).unwrap().1 as usize,
        n
    );
    assert_eq!(app.public_years().unwrap().len(), 1);
    assert_eq!(last_audit_action(&app), "public.publish");
}

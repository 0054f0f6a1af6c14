//! Work records: who may write them for which county and date, bad input,
//! scoped lists, all-or-nothing imports (CSV in UTF-8 and GBK, the 832
//! platform's export), exports, and the summary against independent sums.
//! Every test runs on SQLite and on PostgreSQL.

use crate::common;

use common::*;
use dingdian_app::records::RecordKind;
use dingdian_app::tabular::Encoding;
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::records::{
    ConsumptionInput, LabourTransferInput, RecordFilter, SummaryFilter, TrainingInput,
};
use dingdian_testkit::{TestDb, both_backends, ledger_receipt, ledger_reversal};

both_backends!(
    a_unit_records_only_for_a_county_it_is_paired_with_on_that_date,
    bad_input_is_refused_field_by_field_and_nothing_is_written,
    a_cadre_writes_only_for_its_unit_and_county_and_reads_no_more,
    an_import_is_all_or_nothing_with_every_problem_by_row,
    a_gbk_csv_imports_like_utf8,
    the_832_export_imports_as_purchases,
    the_summary_equals_independent_sums_of_records_and_receipts,
    an_export_is_audited_and_imports_again,
);

pub struct Setup {
    pub app: App,
    pub units: Vec<i64>,
    pub unit0: Actor,
    pub unit1: Actor,
    pub cadre: Actor,
    pub county: Actor,
}

/// Units 0–3 lead the four test counties (2021–2025); unit 0 is also a
/// member in Lingshou. A unit manager of units 0 and 1, a cadre of unit 0
/// in Xingtang and a county officer of Lingshou.
pub fn setup(db: &TestDb) -> Setup {
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
        county: user(&app, "lingshou", "county", None, Some(LINGSHOU)),
        app,
        units,
    }
}

pub fn training(county: &str, kind: &str, date: &str, trainees: i64) -> TrainingInput {
    TrainingInput {
        county_code: county.into(),
        kind: kind.into(),
        topic: "培训".into(),
        place: "县委党校".into(),
        start_date: date.into(),
        end_date: date.into(),
        trainees: trainees.to_string(),
        organiser: "帮扶单位".into(),
        cost: String::new(),
    }
}

pub fn transfer(
    county: &str,
    date: &str,
    people: i64,
    income_yuan: i64,
    jobs: i64,
) -> LabourTransferInput {
    LabourTransferInput {
        county_code: county.into(),
        date: date.into(),
        people: people.to_string(),
        destination: "320200".into(),
        employer: "无锡劳务协作".into(),
        months: "10".into(),
        income: income_yuan.to_string(),
        jobs_offered: jobs.to_string(),
    }
}

pub fn purchase(county: &str, kind: &str, date: &str, yuan: &str) -> ConsumptionInput {
    ConsumptionInput {
        county_code: county.into(),
        kind: kind.into(),
        date: date.into(),
        product: "花椒".into(),
        value: yuan.into(),
        channel: "单位食堂".into(),
        ..Default::default()
    }
}

fn codes(e: Vec<dingdian_core::FieldError>) -> Vec<(Option<usize>, String, String)> {
    e.into_iter()
        .map(|e| (e.row, e.field, e.msg.code))
        .collect()
}

fn trainings_seen(app: &App, actor: &Actor) -> i64 {
    app.list_trainings(actor, &RecordFilter::default(), Page::all())
        .expect("list")
        .1
}

fn a_unit_records_only_for_a_county_it_is_paired_with_on_that_date(db: &TestDb) {
    let s = setup(db);
    let id = s
        .app
        .create_training(&s.unit0, &training(XINGTANG, "cadres", "2022-03-01", 40))
        .expect("a paired county");
    assert!(id > 0);
    assert_eq!(last_audit_action(&s.app), "record.create");
    let e = invalid(
        s.app
            .create_training(&s.unit0, &training(JIANGHUA, "cadres", "2022-03-01", 40)),
    );
    assert_eq!(
        codes(e),
        vec![(None, "county_code".into(), "not_paired".into())]
    );
    // Paired with Xingtang, but not before the pairing began.
    let e = invalid(
        s.app
            .create_training(&s.unit0, &training(XINGTANG, "cadres", "2020-12-31", 40)),
    );
    assert_eq!(e[0].msg.code, "not_paired");
    // A county officer writes no records; the refusal is audited.
    let before = audit_rows(&s.app);
    expect_forbidden(
        s.app
            .create_training(&s.county, &training(LINGSHOU, "cadres", "2022-03-01", 1)),
    );
    assert_eq!(audit_rows(&s.app), before + 1);
    assert_eq!(last_audit_action(&s.app), "record.create");
    expect_forbidden(
        s.app
            .create_consumption(&office(), &purchase(XINGTANG, "bought", "2022-01-01", "1")),
    );
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM trainings"), 1);
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM consumption_records"), 0);
}

fn bad_input_is_refused_field_by_field_and_nothing_is_written(db: &TestDb) {
    let s = setup(db);
    let tomorrow = (dingdian_core::time::today() + chrono::Duration::days(1)).to_string();
    let mut t = transfer(XINGTANG, &tomorrow, 0, -5, 1);
    t.months = "0".into();
    t.destination = "999900".into();
    let e = invalid(s.app.create_labour_transfer(&s.unit0, &t));
    assert_eq!(
        codes(e),
        vec![
            (None, "date".into(), "date_in_future".into()),
            (None, "people".into(), "bad_count".into()),
            (None, "months".into(), "bad_count".into()),
            (None, "income".into(), "negative_amount".into()),
        ]
    );
    // A destination code must name an area; a city's name is taken as is.
    let mut t = transfer(XINGTANG, "2022-05-01", 10, 1000, 0);
    t.destination = "999900".into();
    expect_invalid(
        s.app.create_labour_transfer(&s.unit0, &t),
        "destination",
        "unknown_area",
    );
    t.destination = "常州市".into();
    s.app
        .create_labour_transfer(&s.unit0, &t)
        .expect("a city's name");
    let e = invalid(s.app.create_consumption(
        &s.unit0,
        &purchase(XINGTANG, "bought", "2022-01-01", "0.001"),
    ));
    assert_eq!(e[0].msg.code, "too_many_decimals");
    let e = invalid(
        s.app
            .create_consumption(&s.unit0, &purchase(XINGTANG, "bought", "2022-01-01", "0")),
    );
    assert_eq!(e[0].msg.code, "not_positive");
    assert!(!e[0].msg.zh.is_empty() && !e[0].msg.en.is_empty());
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM consumption_records"), 0);
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM labour_transfers"), 1);
}

fn a_cadre_writes_only_for_its_unit_and_county_and_reads_no_more(db: &TestDb) {
    let s = setup(db);
    s.app
        .create_training(
            &s.cadre,
            &training(XINGTANG, "technicians", "2022-04-01", 30),
        )
        .expect("the cadre's own county");
    // Unit 0 is paired with Lingshou too, but the cadre is posted to Xingtang.
    expect_invalid(
        s.app
            .create_training(&s.cadre, &training(LINGSHOU, "cadres", "2022-04-01", 5)),
        "county_code",
        "outside_scope",
    );
    s.app
        .create_training(&s.unit0, &training(LINGSHOU, "cadres", "2022-04-01", 5))
        .expect("the unit itself may");
    s.app
        .create_training(&s.unit1, &training(LINGSHOU, "cadres", "2022-04-01", 7))
        .expect("unit 1 in Lingshou");
    assert_eq!(trainings_seen(&s.app, &s.cadre), 1);
    assert_eq!(trainings_seen(&s.app, &s.unit0), 2);
    assert_eq!(trainings_seen(&s.app, &s.unit1), 1);
    assert_eq!(trainings_seen(&s.app, &s.county), 2);
    assert_eq!(trainings_seen(&s.app, &office()), 3);
    // A filter naming another unit finds nothing, and the sums do not count it.
    let other = RecordFilter {
        unit_id: Some(s.units[1]),
        ..Default::default()
    };
    assert_eq!(
        s.app
            .list_trainings(&s.unit0, &other, Page::all())
            .unwrap()
            .1,
        0
    );
    let all = SummaryFilter::default();
    assert_eq!(s.app.records_summary(&s.unit0, &all).unwrap().trainees, 35);
    assert_eq!(s.app.records_summary(&s.cadre, &all).unwrap().trainees, 30);
    assert_eq!(s.app.records_summary(&s.county, &all).unwrap().trainees, 12);
    assert_eq!(s.app.records_summary(&office(), &all).unwrap().trainees, 42);
    let admin = Actor {
        role: dingdian_core::role::Role::Admin,
        ..office()
    };
    expect_forbidden(s.app.records_summary(&admin, &all));
}

const TRAINING_CSV: &str = "县级区划代码,培训类型,培训主题,培训地点,开始日期,结束日期,培训人次,组织单位,培训费用（元）\n\
130125,基层干部,村干部培训,行唐县委党校,2022-03-01,2022-03-03,50,帮扶单位,1200.50\n\
130125,technicians,技术培训,行唐县农技站,2022-05-01,2022-05-02,30,帮扶单位,\n";

fn an_import_is_all_or_nothing_with_every_problem_by_row(db: &TestDb) {
    let s = setup(db);
    let bad = format!(
        "{TRAINING_CSV}431129,cadres,培训,某地,2022-06-01,2022-05-01,0,帮扶单位,-1\n130125,x,,,2022-06-01,2022-06-01,5,帮扶单位,\n"
    );
    let before = audit_rows(&s.app);
    let e = invalid(s.app.import_records(
        &s.unit0,
        RecordKind::Trainings,
        "t.csv",
        bad.as_bytes(),
        Encoding::Auto,
    ));
    assert_eq!(
        codes(e),
        vec![
            (Some(4), "end_date".into(), "end_before_start".into()),
            (Some(4), "trainees".into(), "bad_count".into()),
            (Some(4), "cost".into(), "negative_amount".into()),
            (Some(5), "kind".into(), "bad_kind".into()),
            (Some(5), "topic".into(), "required".into()),
            (Some(5), "place".into(), "required".into()),
        ]
    );
    assert_eq!(count(&s.app, "SELECT COUNT(*) FROM trainings"), 0);
    assert_eq!(
        audit_rows(&s.app),
        before + 1,
        "the failed attempt is audited"
    );
    // Jianghua is not unit 0's: the row is refused though its fields are good.
    let unpaired =
        format!("{TRAINING_CSV}431129,cadres,培训,某地,2022-06-01,2022-06-01,3,帮扶单位,\n");
    let e = invalid(s.app.import_records(
        &s.unit0,
        RecordKind::Trainings,
        "t.csv",
        unpaired.as_bytes(),
        Encoding::Auto,
    ));
    assert_eq!(
        codes(e),
        vec![(Some(4), "county_code".into(), "not_paired".into())]
    );
    let unknown = "县级区划代码,培训类型,颜色\n130125,cadres,红\n";
    let e = invalid(s.app.import_records(
        &s.unit0,
        RecordKind::Trainings,
        "t.csv",
        unknown.as_bytes(),
        Encoding::Auto,
    ));
    assert!(e.iter().any(|e| e.msg.code == "unknown_column"));
    assert!(e.iter().any(|e| e.msg.code == "missing_column"));
    let r = s
        .app
        .import_records(
            &s.unit0,
            RecordKind::Trainings,
            "t.csv",
            TRAINING_CSV.as_bytes(),
            Encoding::Auto,
        )
        .expect("a good file");
    assert_eq!(r.rows, 2);
    assert_eq!(last_audit_action(&s.app), "record.import");
    let s2 = s
        .app
        .records_summary(&s.unit0, &SummaryFilter::default())
        .unwrap();
    assert_eq!(
        (s2.trainees, s2.cadres_trained, s2.technicians_trained),
        (80, 50, 30)
    );
}

fn a_gbk_csv_imports_like_utf8(db: &TestDb) {
    let s = setup(db);
    let csv = "县级区划代码,转移日期,转移人次,输入地,用工单位或项目,务工月数,务工收入（元）,提供岗位数\n\
130125,2022-04-01,120,320400,常州市劳务协作,9,1800000,40\n\
130125,2023-04-01,80,苏州市,苏州工业园区,6,720000.50,\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(csv);
    assert!(!lossy);
    let r = s
        .app
        .import_records(
            &s.unit0,
            RecordKind::Labour,
            "labour.csv",
            &gbk,
            Encoding::Auto,
        )
        .expect("GBK is detected");
    assert_eq!(r.rows, 2);
    let (items, _) = s
        .app
        .list_labour_transfers(&s.unit0, &RecordFilter::default(), Page::all())
        .unwrap();
    assert_eq!(items[0].employer, "苏州工业园区");
    assert_eq!(items[0].jobs_offered, 0);
    assert_eq!(items[1].destination_name.as_deref(), Some("常州市"));
    let sum = s
        .app
        .records_summary(&s.unit0, &SummaryFilter::default())
        .unwrap();
    assert_eq!(sum.labour_income.get(), 180_000_000 + 72_000_050);
    assert_eq!((sum.labour_transferred, sum.jobs_offered), (200, 40));
}

fn the_832_export_imports_as_purchases(db: &TestDb) {
    let s = setup(db);
    let csv = "下单日期,采购人,供应商,供应商所在县,商品,金额\n\
2022-03-05 10:22:01,张三,行唐县红枣合作社,行唐县,红枣,1250.00\n\
2022/4/6,李四,灵寿县食用菌合作社,130126,香菇,300\n";
    let r = s
        .app
        .import_records(
            &s.unit0,
            RecordKind::Purchases,
            "832.csv",
            csv.as_bytes(),
            Encoding::Auto,
        )
        .expect("the 832 export");
    assert_eq!(r.rows, 2);
    let (items, _) = s
        .app
        .list_consumption(&s.unit0, &RecordFilter::default(), Page::all())
        .unwrap();
    let got: Vec<(String, String, i64, String, Option<String>)> = items
        .into_iter()
        .map(|r| {
            (
                r.county_code,
                r.kind.as_str().to_string(),
                r.value.get(),
                r.channel,
                r.buyer,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                LINGSHOU.into(),
                "bought".into(),
                30_000,
                "832平台".into(),
                Some("李四".into())
            ),
            (
                XINGTANG.into(),
                "bought".into(),
                125_000,
                "832平台".into(),
                Some("张三".into())
            ),
        ]
    );
    // A county the unit is not paired with is named by the export's column.
    let bad = "下单日期,采购人,供应商,供应商所在县,商品,金额\n2022-03-05,张三,某社,江华瑶族自治县,红枣,-3\n";
    let e = invalid(s.app.import_records(
        &s.unit0,
        RecordKind::Purchases,
        "832.csv",
        bad.as_bytes(),
        Encoding::Auto,
    ));
    assert_eq!(
        codes(e),
        vec![
            (Some(2), "supplier_county".into(), "unknown_county".into()),
            (Some(2), "amount".into(), "negative_amount".into()),
        ]
    );
}

fn the_summary_equals_independent_sums_of_records_and_receipts(db: &TestDb) {
    let s = setup(db);
    let mut want_trainees = 0;
    for (i, (county, year)) in [
        (XINGTANG, 2021),
        (XINGTANG, 2022),
        (LINGSHOU, 2022),
        (XINGTANG, 2024),
    ]
    .into_iter()
    .enumerate()
    {
        let n = 10 * (i as i64 + 1);
        let kind = if i % 2 == 0 {
            "cadres"
        } else {
            "labour_skills"
        };
        s.app
            .create_training(
                &s.unit0,
                &training(county, kind, &format!("{year}-06-01"), n),
            )
            .unwrap();
        s.app
            .create_labour_transfer(
                &s.unit0,
                &transfer(county, &format!("{year}-07-01"), n, n * 100, 1),
            )
            .unwrap();
        s.app
            .create_consumption(
                &s.unit0,
                &purchase(county, "sold", &format!("{year}-08-01"), &n.to_string()),
            )
            .unwrap();
        if county == XINGTANG && (2022..=2023).contains(&year) {
            want_trainees += n;
        }
    }
    s.app
        .create_training(&s.unit1, &training(LINGSHOU, "cadres", "2022-06-01", 1000))
        .unwrap();
    let store = s.app.store();
    let u0x = (s.units[0], XINGTANG);
    ledger_receipt(store, u0x, "direct", 50_000, "2022-02-01");
    let reversed = ledger_receipt(store, u0x, "direct", 7_000, "2022-03-01");
    ledger_reversal(store, reversed, "2022-03-02");
    ledger_receipt(store, u0x, "introduced", 90_000, "2023-01-01");
    ledger_receipt(store, u0x, "direct", 100, "2021-12-31");
    ledger_receipt(store, (s.units[1], LINGSHOU), "direct", 500, "2022-02-01");
    let f = SummaryFilter {
        county_code: Some(XINGTANG.into()),
        unit_id: Some(s.units[0]),
        from: Some(2022),
        to: Some(2023),
    };
    let sum = s.app.records_summary(&office(), &f).unwrap();
    assert_eq!(sum.trainees, want_trainees);
    assert_eq!(sum.trainees, 20);
    assert_eq!(sum.cadres_trained, 0);
    assert_eq!(sum.labour_transferred, 20);
    assert_eq!(sum.labour_income.get(), 20 * 100 * 100);
    assert_eq!(sum.jobs_offered, 1);
    assert_eq!(
        (sum.products_sold.get(), sum.products_bought.get()),
        (2_000, 0)
    );
    assert_eq!(
        (sum.direct_funds.get(), sum.introduced_funds.get()),
        (50_000, 90_000)
    );
    let whole = s
        .app
        .records_summary(&office(), &SummaryFilter::default())
        .unwrap();
    assert_eq!(whole.trainees, 10 + 20 + 30 + 40 + 1000);
    assert_eq!(whole.cadres_trained, 10 + 30 + 1000);
    assert_eq!(whole.direct_funds.get(), 50_000 + 100 + 500);
    let years = s
        .app
        .records_by_year(&s.unit0, &SummaryFilter::default())
        .unwrap();
    assert_eq!(years, vec![(2021, 10, 10), (2022, 50, 50), (2024, 40, 40)]);
}

fn an_export_is_audited_and_imports_again(db: &TestDb) {
    let s = setup(db);
    s.app
        .import_records(
            &s.unit0,
            RecordKind::Trainings,
            "t.csv",
            TRAINING_CSV.as_bytes(),
            Encoding::Auto,
        )
        .unwrap();
    let xlsx = s
        .app
        .export_records(&s.unit0, RecordKind::Trainings, &RecordFilter::default())
        .expect("export");
    assert_eq!(last_audit_action(&s.app), "record.export");
    let back = s
        .app
        .import_records(
            &s.unit0,
            RecordKind::Trainings,
            "back.xlsx",
            &xlsx,
            Encoding::Auto,
        )
        .expect("an export imports again");
    assert_eq!(back.rows, 2);
    let sum = s
        .app
        .records_summary(&s.unit0, &SummaryFilter::default())
        .unwrap();
    assert_eq!(sum.trainees, 160);
    // Another unit's export holds none of unit 0's records.
    let other = s
        .app
        .export_records(&s.unit1, RecordKind::Trainings, &RecordFilter::default())
        .unwrap();
    match s.app.import_records(
        &s.unit1,
        RecordKind::Trainings,
        "o.xlsx",
        &other,
        Encoding::Auto,
    ) {
        Err(AppError::Invalid(e)) => assert_eq!(e[0].msg.code, "no_rows"),
        other => panic!("expected no rows, got {other:?}"),
    }
}

//! Work records and responsibility letters on the pages and the API: lists
//! with search and export, the new-record form behind its CSRF token, the
//! import with its errors by row (and the 832 export), the letters page of
//! the office and of the unit, API answers as the document declares them,
//! and the demo's seed figures computed from records. Both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_testkit::{TestDb, audit_records, both_backends, ledger_receipt};
use serde_json::json;

both_backends!(
    a_unit_lists_searches_exports_and_enters_records_on_the_pages,
    an_import_shows_every_problem_by_row_and_takes_the_832_export,
    the_office_sets_a_letter_the_unit_signs_it_and_progress_shows,
    the_api_answers_as_the_document_declares,
    the_demo_summary_answers_the_seed_figures_from_records,
);

/// U1 leads Zhouqu, U2 the other test counties, in an active plan
/// (2021–2025); a unit manager of U1 (`w_unit`) and the office (`w_office`).
pub fn world(web: &Web) -> (i64, i64) {
    let app = &web.app;
    county_list(app);
    let (u1, u2) = (unit(app, "本单位"), unit(app, "他单位"));
    decided_plan(web, u1, u2);
    user(app, "w_unit", "unit", Some(u1), None);
    user(app, "w_office", "office", None, None);
    (u1, u2)
}

pub fn signed_in<'a>(web: &'a Web, username: &str) -> Browser<'a> {
    let mut b = web.browser();
    b.sign_in(username, PASSWORD);
    b
}

const TRAINING: &[(&str, &str)] = &[
    ("county_code", ZHOUQU),
    ("kind", "cadres"),
    ("topic", "村干部能力提升"),
    ("place", "舟曲县委党校"),
    ("start_date", "2023-04-01"),
    ("end_date", "2023-04-03"),
    ("trainees", "45"),
    ("organiser", "本单位"),
    ("cost", "1200.50"),
];

fn a_unit_lists_searches_exports_and_enters_records_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "w_unit");
    let form = b.get("/records/trainings/new");
    form.expect(200);
    assert!(
        form.text().contains("舟曲县"),
        "the paired county is offered"
    );
    // Without the form's token nothing is written.
    b.post("/records/trainings", TRAINING).expect(403);
    let csrf = csrf_of(&form.text());
    let mut sent = vec![("_csrf", csrf.as_str())];
    sent.extend_from_slice(TRAINING);
    b.post("/records/trainings", &sent).expect(303);
    let mut bad = sent.clone();
    bad.retain(|(k, _)| *k != "trainees");
    bad.push(("trainees", "0"));
    let r = b.post("/records/trainings", &bad);
    r.expect(422);
    assert!(
        r.text().contains("field-error"),
        "the error is at its field"
    );
    let list = b.get("/records/trainings");
    list.expect(200);
    assert!(list.text().contains("村干部能力提升") && list.text().contains("1200.50"));
    assert!(list.text().contains("<svg"), "the chart over years");
    let none = b.get("/records/trainings?q=%E6%B2%A1%E6%9C%89");
    assert!(!none.text().contains("村干部能力提升"));
    let x = b.get("/records/trainings?format=xlsx");
    x.expect(200);
    assert!(
        x.header("content-type")
            .unwrap_or("")
            .contains("spreadsheetml")
    );
    assert!(!audit_records(&web.url, "record.export").is_empty());
    for path in [
        "/records/labour",
        "/records/labour/new",
        "/records/consumption",
        "/records/consumption/new",
        "/records/consumption/import",
    ] {
        b.get(path).expect(200);
    }
    // A county officer reads the records of its county but enters none.
    user(&web.app, "w_county", "county", None, Some(ZHOUQU));
    let mut c = signed_in(&web, "w_county");
    assert!(
        c.get("/records/trainings")
            .text()
            .contains("村干部能力提升")
    );
    c.get("/records/trainings/new").expect(403);
}

fn an_import_shows_every_problem_by_row_and_takes_the_832_export(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "w_unit");
    let page = b.get("/records/labour/import");
    page.expect(200);
    let csrf = csrf_of(&page.text());
    let bad = "县级区划代码,转移日期,转移人次,输入地,用工单位或项目,务工月数,务工收入（元）\n\
623023,2023-03-01,20,320200,无锡劳务协作,10,60000\n\
623023,2023-03-01,0,320200,无锡劳务协作,99,-1\n";
    let r = b.upload(
        "/records/labour/import",
        &[("_csrf", &csrf)],
        "l.csv",
        bad.as_bytes(),
    );
    r.expect(422);
    let html = r.text();
    assert!(
        html.contains("<table class=\"errors\">"),
        "the errors by row"
    );
    assert!(
        html.contains("<td>3</td><td>people</td>") && html.contains("<td>3</td><td>months</td>"),
        "{html}"
    );
    assert!(
        !b.get("/records/labour").text().contains("无锡劳务协作"),
        "nothing written"
    );
    let csv = "下单日期,采购人,供应商,供应商所在县,商品,金额\n2023-05-06,张三,舟曲县花椒合作社,舟曲县,花椒,880.00\n";
    let file = csv.as_bytes();
    let fields = [("_csrf", csrf.as_str()), ("format", "platform")];
    b.upload("/records/consumption/import", &fields, "832.csv", file)
        .expect(303);
    let list = b.get("/records/consumption");
    assert!(list.text().contains("832平台") && list.text().contains("880.00"));
    // Without the token the upload is refused.
    b.upload(
        "/records/consumption/import",
        &[("format", "platform")],
        "832.csv",
        file,
    )
    .expect(403);
}

fn the_office_sets_a_letter_the_unit_signs_it_and_progress_shows(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = world(&web);
    let mut office = signed_in(&web, "w_office");
    let page = office.get("/letters?year=2025");
    page.expect(200);
    let csrf = csrf_of(&page.text());
    let u1s = u1.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("unit_id", u1s.as_str()),
        ("county_code", ZHOUQU),
        ("year", "2025"),
        ("cadres_trained", "100"),
        ("direct_funds", "1000.50"),
    ];
    office.post("/letters", &form[..2]).expect(422);
    office.post("/letters", &form).expect(303);
    ledger_receipt(
        &dingdian_testkit::beneath(&web.url),
        (u1, ZHOUQU),
        "direct",
        100_050,
        "2025-04-01",
    );
    let page = office.get("/letters?year=2025");
    let html = page.text();
    assert!(html.contains("本单位"), "{html}");
    assert!(
        html.contains("bar-behind"),
        "cadres: none trained in a year gone"
    );
    assert!(
        html.contains("1000.50 / 1000.50"),
        "the funds from the ledger"
    );
    let mut unit = signed_in(&web, "w_unit");
    let mine = unit.get("/letters?year=2025");
    let text = mine.text();
    let action = text
        .split("action=\"/letters/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a sign form")
        .to_string();
    let csrf = csrf_of(&text);
    unit.post(
        &format!("/letters/{action}"),
        &[("_csrf", &csrf), ("signed_on", "2025-02-01")],
    )
    .expect(303);
    assert!(unit.get("/letters?year=2025").text().contains("2025-02-01"));
    assert!(!audit_records(&web.url, "letter.sign").is_empty());
    office.get("/letters?year=2025&format=xlsx").expect(200);
}

fn the_api_answers_as_the_document_declares(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = world(&web);
    let unit = web.direct_token("w_unit", PASSWORD);
    let office = web.direct_token("w_office", PASSWORD);
    let t = web.post(
        "/records/trainings",
        &unit,
        json!({ "county_code": ZHOUQU, "kind": "technicians", "topic": "种植", "place": "农技站",
                "start_date": "2024-03-01", "end_date": "2024-03-02", "trainees": 30, "organiser": "本单位",
                "cost_fen": 150_000 }),
    );
    t.expect(201);
    web.post(
        "/records/labour-transfers",
        &unit,
        json!({ "county_code": ZHOUQU, "date": "2024-03-01", "people": 12, "destination": "320400",
                "employer": "常州劳务协作", "months": 10, "income_fen": 4_800_000, "jobs_offered": 3 }),
    )
    .expect(201);
    web.post(
        "/records/consumption",
        &unit,
        json!({ "county_code": ZHOUQU, "kind": "sold", "date": "2024-03-01", "product": "核桃",
                "value_fen": 50_000, "channel": "电商" }),
    )
    .expect(201);
    let bad = web.post(
        "/records/consumption",
        &unit,
        json!({ "county_code": XINGTANG, "kind": "sold", "date": "2024-03-01", "product": "核桃",
                "value_fen": -1, "channel": "电商" }),
    );
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["value".to_string()]);
    for path in [
        "/records/trainings",
        "/records/labour-transfers",
        "/records/consumption",
    ] {
        assert_eq!(
            web.get(path, &office).expect(200).json()["total"],
            1,
            "{path}"
        );
    }
    let s = web.get(
        &format!("/records/summary?county={ZHOUQU}&from=2024&to=2024"),
        &office,
    );
    let s = s.expect(200).json();
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 11, "{s}");
    assert_eq!(
        (s["trainees"].as_i64(), s["technicians_trained"].as_i64()),
        (Some(30), Some(30))
    );
    assert_eq!(
        (s["labour_income"].as_i64(), s["jobs_offered"].as_i64()),
        (Some(4_800_000), Some(3))
    );
    assert_eq!(s["products_sold"], 50_000);
    web.get("/records/summary?from=1999", &office).expect(422);
    let l = web.post(
        "/letters",
        &office,
        json!({ "unit_id": u1, "year": 2024, "targets": { "technicians_trained": 60, "products_sold": 100_000 } }),
    );
    let l = l.expect(201).json();
    assert_eq!(l["county_code"], serde_json::Value::Null);
    assert_eq!(
        l["actuals"],
        json!({ "technicians_trained": 30, "products_sold": 50_000 })
    );
    let id = l["id"].as_i64().unwrap();
    web.post(&format!("/letters/{id}/sign"), &office, json!({}))
        .expect(403);
    let signed = web.post(
        &format!("/letters/{id}/sign"),
        &unit,
        json!({ "signed_on": "2024-01-10" }),
    );
    assert_eq!(signed.expect(200).json()["status"], "signed");
    let list = web.get("/letters?year=2024", &unit).expect(200).json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["targets"]["technicians_trained"], 60);
}

fn the_demo_summary_answers_the_seed_figures_from_records(db: &TestDb) {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    let web = Web::with_app(db, app);
    let token = web.direct_token("inspector", dingdian_app::demo::DEMO_PASSWORD);
    let s = web.get("/records/summary?county=623023&from=2010&to=2016", &token);
    let s = s.expect(200).json();
    assert_eq!(s["trainees"], 38_000, "{s}");
    assert_eq!(s["labour_transferred"], 230_000);
    assert_eq!(s["labour_income"], 290_000_000_000_i64);
    assert!(s["jobs_offered"].as_i64().unwrap() > 20_000);
    let many = web
        .get("/records/trainings?county=623023&per_page=1", &token)
        .expect(200)
        .json();
    assert!(
        many["total"].as_i64().unwrap() >= 50,
        "many records, not one total: {many}"
    );
    // This year's letters: some on track, some behind.
    let year = dingdian_core::time::today().format("%Y").to_string();
    let letters = web
        .get(&format!("/letters?year={year}"), &token)
        .expect(200)
        .json();
    let behind: Vec<bool> = letters["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["behind"].as_bool().unwrap())
        .collect();
    assert!(behind.len() >= 3, "{letters}");
    assert!(
        behind.contains(&true) && behind.contains(&false),
        "{letters}"
    );
}

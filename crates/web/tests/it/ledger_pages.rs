//! The funds ledger over the API and the pages: a unit posts (201 with the
//! stored entry; through the form with its CSRF token), refusals are 422
//! with the reason and write nothing, the balances answer exactly the
//! contract's fields, the lists export — on both backends.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, both_backends, insert_project};
use serde_json::json;

both_backends!(
    a_unit_posts_and_reads_its_balances_over_the_api,
    a_unit_posts_and_reverses_through_the_pages,
);

/// A unit paired with Zhouqu, its account `ledger_unit`, and a project.
fn world(db: &TestDb) -> (Web, i64, i64) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "台账单位");
    let p = draft_plan(&web.app, "台账方案");
    pair(&web.app, p, u, ZHOUQU, "lead");
    let project = insert_project(&db.url, u, ZHOUQU, "花椒基地", "in_progress");
    user(&web.app, "ledger_unit", "unit", Some(u), None);
    (web, u, project)
}

fn a_unit_posts_and_reads_its_balances_over_the_api(db: &TestDb) {
    let (web, u, project) = world(db);
    let token = web.direct_token("ledger_unit", PASSWORD);
    let receipt = json!({ "kind": "receipt", "unit_id": u, "county_code": ZHOUQU, "source": "direct",
                          "amount_fen": 150000, "date": "2024-05-01", "document_no": "收-1" });
    let r = web.post("/ledger/entries", &token, receipt);
    r.expect(201);
    assert!(r.json()["id"].as_i64().unwrap() > 0);
    assert_eq!(r.json()["amount_fen"], 150000);
    let too_much = json!({ "kind": "commitment", "unit_id": u, "county_code": ZHOUQU, "source": "direct",
                           "project_id": project, "amount_fen": 150001, "date": "2024-05-02" });
    let r = web.post("/ledger/entries", &token, too_much);
    r.expect(422);
    assert_eq!(r.json()["error"]["fields"][0]["code"], "overdraw");
    let fraction = json!({ "kind": "receipt", "unit_id": u, "county_code": ZHOUQU, "source": "direct",
                           "amount_fen": 10.5, "date": "2024-05-02" });
    let r = web.post("/ledger/entries", &token, fraction);
    r.expect(422);
    assert_eq!(r.json()["error"]["fields"][0]["code"], "bad_amount");
    let ok = json!({ "kind": "commitment", "unit_id": u, "county_code": ZHOUQU, "source": "direct",
                     "project_id": project, "amount_fen": 100000, "date": "2024-05-02" });
    web.post("/ledger/entries", &token, ok).expect(201);
    let entries = web.get("/ledger/entries", &token);
    entries.expect(200);
    assert_eq!(entries.json()["total"], 2, "the refusals wrote nothing");
    let b = web.get(
        &format!("/ledger/balances?unit={u}&county={ZHOUQU}"),
        &token,
    );
    b.expect(200);
    let items = b.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let mut keys: Vec<String> = items[0].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "available_fen",
            "committed_fen",
            "county_code",
            "disbursed_fen",
            "project_id",
            "received_fen",
            "source",
            "spent_fen",
            "unit_id"
        ]
    );
    let pool = items.iter().find(|i| i["project_id"].is_null()).unwrap();
    assert_eq!(
        (pool["received_fen"].clone(), pool["available_fen"].clone()),
        (json!(150000), json!(50000))
    );
    let bad = web.get("/ledger/balances?county=62", &token);
    bad.expect(422);
}

fn a_unit_posts_and_reverses_through_the_pages(db: &TestDb) {
    let (web, u, project) = world(db);
    let mut b = web.browser();
    b.sign_in("ledger_unit", PASSWORD);
    let page = b.get("/ledger");
    page.expect(200);
    let csrf = csrf_of(&page.text());
    let unit = u.to_string();
    let form = |amount: &'static str, csrf: &str| {
        vec![
            ("_csrf".to_string(), csrf.to_string()),
            ("kind".into(), "receipt".into()),
            ("unit_id".into(), unit.clone()),
            ("county_code".into(), ZHOUQU.into()),
            ("source".into(), "direct".into()),
            ("amount_yuan".into(), amount.into()),
            ("date".into(), "2024-06-01".into()),
            ("document_no".into(), "收-页面".into()),
        ]
    };
    let send = |b: &mut Browser, f: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        b.post("/ledger", &pairs)
    };
    send(&mut b, form("100.50", "forged")).expect(403);
    let bad = send(&mut b, form("10.005", &csrf));
    bad.expect(422);
    assert!(
        bad.text().contains("10.005"),
        "the form keeps what was typed"
    );
    send(&mut b, form("100.50", &csrf)).expect(303);
    let (items, _) = web
        .app
        .ledger_entries(
            &actor(&web, "ledger_unit"),
            &Default::default(),
            dingdian_app::Page::all(),
        )
        .unwrap();
    assert_eq!((items.len(), items[0].amount_fen), (1, 10_050));
    let listed = b.get("/ledger?year=2024");
    listed.expect(200);
    assert!(listed.text().contains("100.50"));
    let r = b.post(
        &format!("/ledger/{}/reverse", items[0].id),
        &[("_csrf", &csrf), ("note", "录错")],
    );
    r.expect(303);
    let balances = b.get("/ledger/balances");
    balances.expect(200);
    assert!(balances.text().contains("0.00"));
    let x = b.get("/ledger?format=xlsx");
    x.expect(200);
    assert!(x.body.starts_with(b"PK"));
    let iati = b.get("/ledger?format=iati");
    iati.expect(200);
    assert!(iati.text().contains("<iati-activities"));
    let _ = project;
}

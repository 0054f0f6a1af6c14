//! Secondments, inspections and rectification on the pages and the API:
//! the unit's form behind its CSRF token, the office's approval button,
//! lists with search and export, continuity and frequency views, overdue
//! items in red; and the demo's seed case through the API. Both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_unit_proposes_a_secondment_and_the_office_approves_it_on_the_pages,
    a_unit_records_an_inspection_and_its_owner_sees_the_item,
    the_demo_lists_the_ten_seed_cadres_in_two_batches,
);

/// U1 leads Zhouqu, U2 the other test counties (2021–2025); a unit
/// manager and a cadre of U1 in Zhouqu, and the office.
fn world(web: &Web) -> i64 {
    let app = &web.app;
    county_list(app);
    let (u1, u2) = (unit(app, "本单位"), unit(app, "他单位"));
    decided_plan(web, u1, u2);
    user(app, "w_unit", "unit", Some(u1), None);
    user(app, "w_cadre", "cadre", Some(u1), Some(ZHOUQU));
    user(app, "w_office", "office", None, None);
    u1
}

fn signed_in<'a>(web: &'a Web, username: &str) -> Browser<'a> {
    let mut b = web.browser();
    b.sign_in(username, PASSWORD);
    b
}

const CADRE: &[(&str, &str)] = &[
    ("person_name", "张明"),
    ("person_rank", "处级"),
    ("contact", "0941-5120001"),
    ("county_code", ZHOUQU),
    ("village_code", ""),
    ("post", "副县长"),
    ("role", "leader"),
    ("batch", "1"),
    ("start", "2022-07-01"),
    ("planned_end", ""),
];

fn a_unit_proposes_a_secondment_and_the_office_approves_it_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "w_unit");
    let form = b.get("/secondments/new");
    form.expect(200);
    b.post("/secondments", CADRE).expect(403);
    let csrf = csrf_of(&form.text());
    let mut sent = vec![("_csrf", csrf.as_str())];
    sent.extend_from_slice(CADRE);
    let created = b.post("/secondments", &sent);
    created.expect(303);
    let at = created.header("location").expect("a location").to_string();
    let mut bad = sent.clone();
    bad.retain(|(k, _)| *k != "planned_end");
    bad.push(("planned_end", "2028-07-01"));
    let r = b.post("/secondments", &bad);
    r.expect(422);
    assert!(r.text().contains("五年"), "the reason in Chinese");
    let page = b.get(&at);
    page.expect(200);
    assert!(page.text().contains("2025-06-30"), "three years by default");
    assert!(
        !page.text().contains("id=\"to-approved\""),
        "the unit does not approve"
    );
    let list = b.get("/secondments?q=张明");
    list.expect(200);
    assert!(list.text().contains("张明"));
    let xlsx = b.get("/secondments?format=xlsx");
    xlsx.expect(200);
    assert!(
        xlsx.header("content-type")
            .unwrap_or("")
            .contains("spreadsheet")
    );
    b.get("/secondments/continuity").expect(200);
    let mut office = signed_in(&web, "w_office");
    let page = office.get(&at);
    assert!(
        page.text().contains("id=\"to-approved\""),
        "the office's button"
    );
    let csrf = csrf_of(&page.text());
    let id = at
        .trim_start_matches("/secondments/")
        .split('?')
        .next()
        .unwrap();
    office
        .post(
            &format!("/secondments/{id}/transition"),
            &[("_csrf", &csrf), ("to", "approved")],
        )
        .expect(303);
    let page = b.get(&at);
    assert!(
        page.text().contains("id=\"to-serving\""),
        "now the unit's step"
    );
    // The cadre's own account is offered for linking.
    assert!(page.text().contains("w_cadre"));
}

fn a_unit_records_an_inspection_and_its_owner_sees_the_item(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let cadre_id = actor(&web, "w_cadre")
        .user_id
        .expect("an account")
        .to_string();
    let mut b = signed_in(&web, "w_unit");
    let form = b.get(&format!("/inspections/new?counties={ZHOUQU}"));
    form.expect(200);
    assert!(
        form.text().contains("w_cadre"),
        "the pairing's owners are offered"
    );
    let csrf = csrf_of(&form.text());
    let sent = [
        ("_csrf", csrf.as_str()),
        ("date", "2023-05-10"),
        ("team", "本单位督查组"),
        ("counties", ZHOUQU),
        ("f0_county", ZHOUQU),
        ("f0_text", "培训跟踪不足"),
        ("f0_a0_action", "建立跟踪台账"),
        ("f0_a0_owner", cadre_id.as_str()),
        ("f0_a0_deadline", "2023-08-31"),
    ];
    let created = b.post("/inspections", &sent);
    created.expect(303);
    let mut future = sent.to_vec();
    future[1] = ("date", "2999-01-01");
    b.post("/inspections", &future).expect(422);
    let at = created.header("location").expect("a location").to_string();
    let page = b.get(&at);
    page.expect(200);
    assert!(page.text().contains("培训跟踪不足") && page.text().contains("class=\"overdue\""));
    b.get("/inspections").expect(200);
    b.get("/inspections/frequency").expect(200);
    b.get("/inspections?format=xlsx").expect(200);
    let mut cadre = signed_in(&web, "w_cadre");
    let mine = cadre.get("/rectifications?owner=me");
    mine.expect(200);
    assert!(mine.text().contains("建立跟踪台账") && mine.text().contains("<svg"));
    let href = mine
        .text()
        .split("href=\"/rectifications/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_string)
        .expect("a link to the item");
    let item = cadre.get(&format!("/rectifications/{href}"));
    assert!(
        item.text().contains("id=\"to-in_progress\""),
        "the owner starts it"
    );
    let csrf = csrf_of(&item.text());
    cadre
        .post(
            &format!("/rectifications/{href}/transition"),
            &[("_csrf", &csrf), ("to", "in_progress")],
        )
        .expect(303);
    cadre
        .post(
            &format!("/rectifications/{href}/transition"),
            &[("_csrf", &csrf), ("to", "done")],
        )
        .expect(303);
    let refused = cadre.post(
        &format!("/rectifications/{href}/transition"),
        &[("_csrf", &csrf), ("to", "verified")],
    );
    refused.expect(403);
    assert!(
        refused.text().contains("不能核实自己"),
        "{}",
        refused.text()
    );
}

fn the_demo_lists_the_ten_seed_cadres_in_two_batches(db: &TestDb) {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    let web = Web::with_app(db, app);
    let token = web.direct_token("zzb", dingdian_app::demo::DEMO_PASSWORD);
    let list = web
        .get("/secondments?county=623023", &token)
        .expect(200)
        .json();
    assert_eq!(list["total"], 10, "{list}");
    let items = list["items"].as_array().expect("items");
    let batch = |b: i64| items.iter().filter(|s| s["batch"] == b).count();
    assert_eq!((batch(1), batch(2)), (5, 5));
    for s in items {
        for field in [
            "id",
            "person_name",
            "unit_id",
            "county_code",
            "village_code",
            "post",
            "role",
            "batch",
            "start",
            "planned_end",
            "end",
            "status",
        ] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
    }
    let serving = items.iter().filter(|s| s["status"] == "serving").count();
    assert_eq!(serving, 5);
    let continuity = web
        .get("/secondments/continuity", &token)
        .expect(200)
        .json();
    assert_eq!(continuity["items"][0]["serving"], 5);
    let inspector = web.direct_token("inspector", dingdian_app::demo::DEMO_PASSWORD);
    let overdue = web
        .get("/rectifications?overdue=true", &inspector)
        .expect(200)
        .json();
    assert!(overdue["total"].as_i64().unwrap() >= 2, "{overdue}");
    let frequency = web
        .get("/inspections/frequency", &inspector)
        .expect(200)
        .json();
    let zhouqu = frequency["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["county_code"] == "623023")
        .cloned()
        .expect("zhouqu");
    assert_eq!(zhouqu["flagged"], false, "{zhouqu}");
}

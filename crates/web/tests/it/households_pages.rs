//! Villages and households on the pages and the API: the county marks a
//! poor village and adds its team, assigns a helper, records a measure and
//! a visit from the household card, sees its two lists and exports them;
//! a cadre records a visit; a unit sees no household's record; the API
//! answers as the document declares. Both backends.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, audit_records, both_backends};
use serde_json::json;

both_backends!(
    the_county_works_the_assistance_record_on_the_pages,
    the_api_answers_as_the_document_declares_for_villages_and_households,
);

/// The Zhouqu registry fixture (ZQ001–ZQ003, 2014), a county officer of
/// Zhouqu, a cadre of a unit posted there and that unit's manager.
fn world(web: &Web) {
    let app = &web.app;
    registry_fixture(app);
    let u = unit(app, "本单位");
    user(app, "h_county", "county", None, Some(ZHOUQU));
    user(app, "h_cadre", "cadre", Some(u), Some(ZHOUQU));
    user(app, "h_unit", "unit", Some(u), None);
    user(app, "h_office", "office", None, None);
}

fn signed_in<'a>(web: &'a Web, username: &str) -> Browser<'a> {
    let mut b = web.browser();
    b.sign_in(username, PASSWORD);
    b
}

/// Posts the form at `path` with its own CSRF token and `fields`.
fn submit(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Resp {
    let form = b.get(path);
    form.expect(200);
    let csrf = csrf_of(&form.text());
    let mut sent = vec![("_csrf", csrf.as_str())];
    sent.extend_from_slice(fields);
    b.post(path, &sent)
}

fn the_county_works_the_assistance_record_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "h_county");
    let csrf = csrf_of(&b.get("/villages").text());
    b.post(
        "/villages/mark",
        &[("village_code", MIAOGOU), ("poor", "1")],
    )
    .expect(403);
    b.post(
        "/villages/mark",
        &[("_csrf", &csrf), ("village_code", MIAOGOU), ("poor", "1")],
    )
    .expect(303);
    let member = [
        ("_csrf", csrf.as_str()),
        ("village_code", MIAOGOU),
        ("role", "first_secretary"),
        ("secondment_id", ""),
        ("person_name", "杨书记"),
        ("post", "镇干部"),
        ("from_date", "2024-01-01"),
        ("to_date", ""),
    ];
    b.post("/villages/members", &member).expect(303);
    let mut late = member.to_vec();
    late.retain(|(k, _)| *k != "from_date");
    late.push(("from_date", "2099-01-01"));
    let r = b.post("/villages/members", &late);
    r.expect(422);
    assert!(r.text().contains("field-error"));
    let page = b.get("/villages?q=庙沟");
    page.expect(200);
    assert!(page.text().contains("杨书记") && page.text().contains("第一书记"));
    b.get("/villages?format=xlsx").expect(200);

    let card = b.get("/registry/2014/ZQ001");
    card.expect(200);
    let card = unescape(&card.text());
    assert!(card.contains("id=\"assistance-record\""));
    assert!(card.contains("/households/ZQ001/helpers?year=2014"));
    assert!(!card.contains("id=\"record-visit\""), "no helper yet");
    let helper = [
        ("secondment_id", ""),
        ("person_name", "赵强"),
        ("post", "村会计"),
        ("phone", "13800000000"),
        ("from_date", "2024-01-01"),
        ("to_date", ""),
    ];
    let r = submit(&mut b, "/households/ZQ001/helpers?year=2014", &helper);
    r.expect(303);
    assert_eq!(
        r.header("location"),
        Some("/registry/2014/ZQ001?done=created")
    );
    let measure = [
        ("category", "health"),
        ("description", "家庭医生签约"),
        ("date", "2024-02-01"),
    ];
    submit(&mut b, "/households/ZQ001/measures?year=2014", &measure).expect(303);
    let form = b.get("/households/ZQ001/visits?year=2014");
    let helper_id = form
        .text()
        .split("<option value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
        .to_string();
    let visit = [
        ("helper_id", helper_id.as_str()),
        ("date", "2024-03-05"),
        ("found", "屋顶漏雨"),
        ("done", "申请危房改造"),
    ];
    submit(&mut b, "/households/ZQ001/visits?year=2014", &visit).expect(303);
    let mut early = visit.to_vec();
    early.retain(|(k, _)| *k != "date");
    early.push(("date", "2023-12-31"));
    let r = submit(&mut b, "/households/ZQ001/visits?year=2014", &early);
    r.expect(422);
    assert!(
        r.text().contains("帮扶期"),
        "the helper's period is the reason"
    );
    let card = b.get("/registry/2014/ZQ001").text();
    for seen in ["赵强", "家庭医生签约", "屋顶漏雨", "健康帮扶"] {
        assert!(card.contains(seen), "{seen} on the card");
    }

    let without = b.get("/households/without-helper");
    without.expect(200);
    assert!(without.text().contains("ZQ002") && !without.text().contains(">ZQ001<"));
    let unvisited = b.get("/helpers/unvisited?quarter=2024-Q2");
    assert!(unvisited.text().contains("赵强") && unvisited.text().contains("2024-03-05"));
    assert!(
        !b.get("/helpers/unvisited?quarter=2024-Q1")
            .text()
            .contains("赵强")
    );
    b.get("/helpers/unvisited?format=xlsx&quarter=2024-Q2")
        .expect(200);
    b.get("/households/without-helper?format=xlsx").expect(200);
    assert_eq!(audit_records(&web.url, "household.help_export").len(), 2);

    // The cadre records a visit; the unit sees no household.
    let mut cadre = signed_in(&web, "h_cadre");
    assert!(
        cadre
            .get("/registry/2014/ZQ001")
            .text()
            .contains("id=\"record-visit\"")
    );
    let mut again = visit.to_vec();
    again.retain(|(k, _)| *k != "date");
    again.push(("date", "2024-04-02"));
    submit(&mut cadre, "/households/ZQ001/visits?year=2014", &again).expect(303);
    cadre.get("/households/ZQ001/helpers?year=2014").expect(403);
    let mut unit = signed_in(&web, "h_unit");
    unit.get("/registry/2014/ZQ001").expect(403);
    unit.get("/households/without-helper").expect(403);
    assert!(unit.get("/villages").text().contains("id=\"villages\""));
}

fn the_api_answers_as_the_document_declares_for_villages_and_households(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let county = web.token("h_county", PASSWORD);
    let office = web.token("h_office", PASSWORD);
    let r = web.post(
        "/villages",
        &county,
        json!({ "village_code": MIAOGOU, "poor": true }),
    );
    answers_as_declared("post", "/villages", &r);
    let r = web.post(
        "/villages/team-members",
        &county,
        json!({ "village_code": MIAOGOU, "person_name": "杨书记", "post": "镇干部",
                "role": "first_secretary", "from_date": "2024-01-01" }),
    );
    answers_as_declared("post", "/villages/team-members", &r);
    r.expect(201);
    let r = web.post(
        "/households/helpers",
        &county,
        json!({ "household_id": "ZQ001", "person_name": "赵强", "post": "村会计", "from_date": "2024-01-01" }),
    );
    answers_as_declared("post", "/households/helpers", &r);
    let helper = r.json()["id"].as_i64().expect("the helper's id");
    let r = web.post(
        "/households/measures",
        &county,
        json!({ "household_id": "ZQ001", "category": "employment", "description": "公益岗位", "date": "2024-02-01" }),
    );
    answers_as_declared("post", "/households/measures", &r);
    let r = web.post(
        "/households/visits",
        &county,
        json!({ "household_id": "ZQ001", "helper_id": helper, "date": "2030-01-01", "found": "x", "done": "y" }),
    );
    r.expect(422);
    assert_eq!(r.fields(), ["date"]);
    let r = web.post(
        "/households/visits",
        &county,
        json!({ "household_id": "ZQ001", "helper_id": helper, "date": "2024-03-01", "found": "正常", "done": "宣讲政策" }),
    );
    answers_as_declared("post", "/households/visits", &r);
    for (path, template) in [
        ("/villages?county=623023", "/villages"),
        (
            "/households/ZQ001/assistance",
            "/households/{id}/assistance",
        ),
        (
            "/households/without-helper?county=623023",
            "/households/without-helper",
        ),
        (
            "/helpers/unvisited?county=623023&quarter=2024-Q2",
            "/helpers/unvisited",
        ),
    ] {
        let r = web.get(path, &office);
        answers_as_declared("get", template, &r);
        r.expect(200);
    }
    let v = web.get("/villages?county=623023", &office).json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["team"][0]["role"], "first_secretary");
    let a = web
        .get("/households/ZQ001/assistance?year=2024", &office)
        .json();
    assert_eq!(a["helpers"][0]["person_name"], "赵强");
    assert_eq!(a["measures"][0]["category"], "employment");
    assert_eq!(a["visits"][0]["date"], "2024-03-01");
    let none = web
        .get("/households/ZQ001/assistance?year=2023", &office)
        .json();
    assert_eq!(none["visits"].as_array().map(Vec::len), Some(0));
    let w = web
        .get("/households/without-helper?county=623023", &office)
        .json();
    assert_eq!(w["total"], 2);
    let u = web
        .get("/helpers/unvisited?quarter=2024-Q2", &office)
        .json();
    assert_eq!(u["items"][0]["last_visit"], "2024-03-01");
    web.get("/helpers/unvisited?quarter=2024-Q9", &office)
        .expect(422);
}

//! Return-risk monitoring on the pages and the API: the flag form from a
//! household card behind its CSRF token, the case page with the buttons of
//! each role, the list with search, chart and export, the office's
//! thresholds; the API's answers checked against their schemas, a risk
//! flagged twice refused in both languages. Both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;

both_backends!(
    a_county_flags_verifies_and_reviews_a_household_on_the_pages,
    the_api_answers_as_the_contract_says,
    the_demo_monitors_zhouqu_households_of_all_three_kinds,
);

/// The registry fixture (Zhouqu 2014, ZQ001…) with a county officer, a
/// cadre of a unit in Zhouqu and the office.
fn world(web: &Web) {
    let app = &web.app;
    county_list(app);
    let u1 = unit(app, "本单位");
    registry_fixture(app);
    user(app, "w_county", "county", None, Some(ZHOUQU));
    user(app, "w_cadre", "cadre", Some(u1), Some(ZHOUQU));
    user(app, "w_office", "office", None, None);
}

fn signed_in<'a>(web: &'a Web, username: &str) -> Browser<'a> {
    let mut b = web.browser();
    b.sign_in(username, PASSWORD);
    b
}

fn a_county_flags_verifies_and_reviews_a_household_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut cadre = signed_in(&web, "w_cadre");
    let card = cadre.get("/registry/2014/ZQ001");
    assert!(
        card.text()
            .contains("/monitoring/new?household=ZQ001&amp;year=2014"),
        "the card links the flag form"
    );
    let form = cadre.get("/monitoring/new?household=ZQ001&year=2014");
    form.expect(200);
    let fields = [
        ("household_id", "ZQ001"),
        ("year", "2014"),
        ("risk", "illness"),
        ("source", "cadre"),
        ("detail", "户主住院"),
        ("date", "2016-06-01"),
    ];
    cadre.post("/monitoring", &fields).expect(403);
    let csrf = csrf_of(&form.text());
    let mut sent = vec![("_csrf", csrf.as_str())];
    sent.extend_from_slice(&fields);
    let created = cadre.post("/monitoring", &sent);
    created.expect(303);
    let at = created.header("location").expect("a location").to_string();
    let again = cadre.post("/monitoring", &sent);
    again.expect(409);
    assert!(
        again.text().contains("不能重复预警"),
        "the reason in Chinese"
    );
    let page = cadre.get(&at);
    assert!(
        page.text().contains("id=\"to-verified\""),
        "the cadre verifies"
    );
    let id = at
        .trim_start_matches("/monitoring/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let csrf = csrf_of(&page.text());
    let visit = [
        ("_csrf", csrf.as_str()),
        ("to", "verified"),
        ("date", "2016-06-03"),
        ("visitor", "王干部"),
        ("note", "住院属实"),
    ];
    cadre
        .post(&format!("/monitoring/{id}/transition"), &visit)
        .expect(303);
    assert!(
        !cadre.get(&at).text().contains("id=\"to-monitored\""),
        "the cadre does not review"
    );

    let mut county = signed_in(&web, "w_county");
    let page = county.get(&at);
    assert!(
        page.text().contains("id=\"to-monitored\""),
        "the county reviews"
    );
    let csrf = csrf_of(&page.text());
    let review = [
        ("_csrf", csrf.as_str()),
        ("to", "monitored"),
        ("date", "2016-06-10"),
    ];
    let refused = county.post(&format!("/monitoring/{id}/transition"), &review);
    refused.expect(422);
    assert!(
        refused.text().contains("至少落实一项帮扶措施"),
        "{}",
        refused.text()
    );
    let measure = [
        ("_csrf", csrf.as_str()),
        ("category", "health"),
        ("description", "大病救助"),
        ("date", "2016-06-10"),
    ];
    county
        .post(&format!("/monitoring/{id}/measures"), &measure)
        .expect(303);
    county
        .post(&format!("/monitoring/{id}/transition"), &review)
        .expect(303);
    let page = county.get(&at);
    assert!(
        page.text().contains("大病救助") && page.text().contains("王干部"),
        "measures and steps are shown"
    );

    let list = county.get("/monitoring?q=ZQ00");
    list.expect(200);
    assert!(
        list.text().contains("ZQ001") && list.text().contains("<svg"),
        "the list and its charts"
    );
    let xlsx = county.get("/monitoring?format=xlsx");
    xlsx.expect(200);
    assert!(
        xlsx.header("content-type")
            .unwrap_or("")
            .contains("spreadsheet")
    );
    county.get("/monitoring/thresholds").expect(200);

    let mut office = signed_in(&web, "w_office");
    let page = office.get("/monitoring/thresholds?year=2014");
    assert!(
        page.text().contains("4200.00"),
        "1.5 × the 2014 line of 2800 yuan: {}",
        page.text()
    );
    let csrf = csrf_of(&page.text());
    let set = [
        ("_csrf", csrf.as_str()),
        ("year", "2014"),
        ("province_code", "62"),
        ("income_yuan", "4500"),
        ("drop_percent", "25"),
    ];
    office.post("/monitoring/thresholds", &set).expect(303);
    assert!(
        office
            .get("/monitoring/thresholds?year=2014")
            .text()
            .contains("4500.00")
    );
    assert!(
        !office.get(&at).text().contains("id=\"to-cleared\""),
        "the office does not clear"
    );
}

fn the_api_answers_as_the_contract_says(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let county = web.direct_token("w_county", PASSWORD);
    let office = web.direct_token("w_office", PASSWORD);
    let flag = json!({ "household_id": "ZQ001", "year": 2014, "risk": "disaster", "source": "application",
                       "severe": true, "detail": "泥石流冲毁房屋", "date": "2016-08-08" });
    let case = web
        .post("/monitoring", &county, flag.clone())
        .expect(201)
        .json();
    let id = case["id"].as_i64().expect("an id");
    assert_eq!(
        (case["kind"].as_str(), case["status"].as_str()),
        (Some("sudden"), Some("flagged"))
    );
    let twice = web
        .post("/monitoring", &county, flag.clone())
        .expect(409)
        .json();
    assert_eq!(twice["error"]["code"], "already_flagged", "{twice}");
    assert!(twice.to_string().contains("不能重复预警"), "{twice}");
    let en = web.api_with(
        "post",
        "/monitoring",
        Some(&county),
        Some(flag),
        &[("accept-language", "en")],
    );
    assert!(
        en.expect(409).text().contains("already flagged"),
        "and in English: {}",
        en.text()
    );

    let step =
        |body: serde_json::Value| web.post(&format!("/monitoring/{id}/transition"), &county, body);
    step(json!({ "to": "cleared", "reason": "natural", "date": "2016-08-09" })).expect(409);
    step(
        json!({ "to": "verified", "date": "2016-08-10", "visitor": "李干部", "note": "房屋倒塌" }),
    )
    .expect(200);
    let m = json!({ "category": "housing", "description": "危房改造", "date": "2016-08-20" });
    web.post(&format!("/monitoring/{id}/measures"), &county, m)
        .expect(201);
    step(json!({ "to": "monitored", "date": "2016-08-20" })).expect(200);
    let cleared = step(json!({ "to": "cleared", "reason": "assistance", "date": "2016-12-20" }))
        .expect(200)
        .json();
    assert_eq!(cleared["cleared_on"], "2016-12-20");
    assert_eq!(cleared["steps"].as_array().map(Vec::len), Some(4));

    let list = web
        .get("/monitoring?county=623023&year=2014", &county)
        .expect(200)
        .json();
    assert_eq!(list["total"], 1, "{list}");
    let item = &list["items"][0];
    for field in [
        "household_id",
        "county_code",
        "year",
        "kind",
        "risks",
        "status",
        "flagged_on",
        "cleared_on",
        "measures",
    ] {
        assert!(item.get(field).is_some(), "{field} in {item}");
    }
    assert_eq!(item["risks"], json!(["disaster"]));
    web.get("/monitoring?risk=nonsense", &county).expect(422);
    let scan = web
        .post(
            "/monitoring/scan",
            &county,
            json!({ "county_code": "623023", "year": 2014 }),
        )
        .expect(200)
        .json();
    assert!(scan["households"].as_i64().unwrap() >= 1, "{scan}");
    let counts = web
        .get("/monitoring/counts?county=623023", &office)
        .expect(200)
        .json();
    assert!(counts["total"].as_i64().unwrap() >= 1, "{counts}");

    let t = web
        .get("/monitoring-thresholds/2014?province=62", &county)
        .expect(200)
        .json();
    assert_eq!(
        (t["income_fen"].as_i64(), t["is_default"].as_bool()),
        (Some(420_000), Some(true))
    );
    let body = json!({ "province_code": "62", "income_fen": 450_000, "drop_percent": 25 });
    web.api(
        "put",
        "/monitoring-thresholds/2014",
        Some(&county),
        Some(body.clone()),
    )
    .expect(403);
    let set = web
        .api(
            "put",
            "/monitoring-thresholds/2014",
            Some(&office),
            Some(body),
        )
        .expect(200)
        .json();
    assert_eq!(set["is_default"], false);
    let bad = json!({ "province_code": "6", "income_fen": 0, "drop_percent": 120 });
    web.api(
        "put",
        "/monitoring-thresholds/2014",
        Some(&office),
        Some(bad),
    )
    .expect(422);
}

fn the_demo_monitors_zhouqu_households_of_all_three_kinds(db: &TestDb) {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    let web = Web::with_app(db, app);
    let token = web.direct_token("zhouqu", dingdian_app::demo::DEMO_PASSWORD);
    let list = web
        .get("/monitoring?county=623023&year=2016", &token)
        .expect(200)
        .json();
    let items = list["items"].as_array().expect("items");
    let has = |k: &str, v: &str| items.iter().any(|i| i[k] == v);
    for kind in ["unstable", "marginal", "sudden"] {
        assert!(has("kind", kind), "{kind} in {list}");
    }
    for status in ["flagged", "verified", "monitored", "cleared"] {
        assert!(has("status", status), "{status} in {list}");
    }
    assert!(
        has("clear_reason", "assistance") && has("clear_reason", "natural"),
        "{list}"
    );
    assert!(
        items
            .iter()
            .any(|i| i["no_labour"] == true && i["status"] == "monitored"),
        "{list}"
    );
    let office = web.direct_token("office", dingdian_app::demo::DEMO_PASSWORD);
    let scanned = web
        .get("/monitoring?status=flagged&per_page=1", &office)
        .expect(200)
        .json();
    assert!(
        scanned["total"].as_i64().unwrap() > 2,
        "the data scan flagged households: {scanned}"
    );
}

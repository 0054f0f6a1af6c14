//! The printed reports and the public page over HTTP, on the demo: each
//! report is a standalone print document (no frame, the print stylesheet,
//! a title block) and an xlsx; scope answers 404 or 403; the public page
//! and its JSON answer without signing in, show only what the office
//! published and no personal data. A report printed to PDF in headless
//! Chromium holds its Chinese text. Both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_app::demo::{DEMO_PASSWORD, SEED_UNIT};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    each_report_is_a_standalone_print_document_and_a_workbook,
    the_reports_answer_404_or_403_outside_the_scope,
    the_public_page_answers_without_sign_in_and_holds_no_personal_data,
);

fn demo_web(db: &TestDb) -> Web {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    Web::with_app(db, app)
}

fn seed_unit(web: &Web) -> i64 {
    let token = web.direct_token("office", DEMO_PASSWORD);
    let units = web.get("/units?per_page=500", &token).expect(200).json();
    units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == SEED_UNIT)
        .expect("the seed unit")["id"]
        .as_i64()
        .unwrap()
}

fn is_xlsx(r: &Resp) {
    r.expect(200);
    assert!(
        r.header("content-type")
            .unwrap_or("")
            .contains("spreadsheetml"),
        "an xlsx answer"
    );
    assert!(r.body.starts_with(b"PK"), "a zip (xlsx) body");
}

/// No 18-character ID number anywhere in the text.
fn assert_no_id_numbers(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(18) {
        let id_like = w[..17].iter().all(char::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == 'X' || w[17] == 'x');
        assert!(!id_like, "an ID number: {}", w.iter().collect::<String>());
    }
}

fn each_report_is_a_standalone_print_document_and_a_workbook(db: &TestDb) {
    let web = demo_web(db);
    let seed = seed_unit(&web);
    let mut office = web.browser();
    office.sign_in("office", DEMO_PASSWORD);
    let page = office.get("/print/county/623023?year=2016");
    page.expect(200);
    let html = page.text();
    for must in [
        "县情报告",
        "舟曲县",
        "2016 年度",
        "/assets/print.css",
        "<svg",
        "打印时间",
    ] {
        assert!(html.contains(must), "{must} on the county profile");
    }
    assert!(!html.contains("class=\"menu\""), "no app frame");
    // The province's map with the county outlined, not linked on paper.
    assert!(html.contains("一张图") && html.contains("id=\"c623023\""));
    assert!(html.contains("class=\"outlined\"") && !html.contains("<a href=\"/indicators"));
    assert!(
        !html.contains("<style"),
        "the served page links its CSS (CSP)"
    );
    is_xlsx(&office.get("/print/county/623023?year=2016&format=xlsx"));
    let css = office.get("/assets/print.css");
    css.expect(200);
    assert!(css.text().contains("@page") && css.text().contains("counter(pages)"));

    let national = office.get("/print/national?year=2016");
    national.expect(200);
    assert!(national.text().contains("全国定点扶贫概况"));
    // The nation's map: every shipped county drawn, Zhouqu among them.
    assert!(national.text().contains("一张图") && national.text().contains("id=\"c623023\""));
    is_xlsx(&office.get("/print/national?year=2016&format=xlsx"));

    let mut zzb = web.browser();
    zzb.sign_in("zzb", DEMO_PASSWORD);
    let unit = zzb.get(&format!("/print/unit/{seed}?year=2013"));
    unit.expect(200);
    assert!(unit.text().contains(SEED_UNIT) && unit.text().contains("尚无考核结果"));
    is_xlsx(&zzb.get(&format!("/print/unit/{seed}?year=2016&format=xlsx")));
    // The unit page and the county dashboard link to their reports.
    assert!(
        zzb.get(&format!("/units/{seed}"))
            .text()
            .contains(&format!("/print/unit/{seed}"))
    );
    let dash = office.get("/indicators?area=623023&year=2016");
    assert!(dash.text().contains("/print/county/623023?year=2016"));
    office.get("/print/county/623023?year=20x6").expect(422);
}

fn the_reports_answer_404_or_403_outside_the_scope(db: &TestDb) {
    let web = demo_web(db);
    let seed = seed_unit(&web);
    let mut county = web.browser();
    county.sign_in("zhouqu", DEMO_PASSWORD);
    county.get("/print/county/623023?year=2016").expect(200);
    county.get("/print/county/130125?year=2016").expect(404);
    county
        .get(&format!("/print/unit/{seed}?year=2016"))
        .expect(403);
    county.get("/print/national?year=2016").expect(403);
    let mut other = web.browser();
    other.sign_in("unit2", DEMO_PASSWORD);
    other
        .get(&format!("/print/unit/{seed}?year=2016"))
        .expect(404);
    other
        .get(&format!("/print/unit/{seed}?year=2016&format=xlsx"))
        .expect(404);
    // Without signing in: the sign-in page.
    let anonymous = web.browser().get("/print/national?year=2016");
    anonymous.expect(303);
}

fn the_public_page_answers_without_sign_in_and_holds_no_personal_data(db: &TestDb) {
    let web = demo_web(db);
    let mut guest = web.browser();
    // The demo published 2016; 2015 was never published.
    let none = web.api("get", "/public/aggregates?year=2015", None, None);
    none.expect(200);
    assert_eq!(none.json()["total"], 0, "nothing published, nothing shown");
    let empty = guest.get("/public?year=2015");
    empty.expect(200);
    assert!(!empty.text().contains("舟曲县"));

    // Only the office publishes.
    let mut unit = web.browser();
    unit.sign_in("zzb", DEMO_PASSWORD);
    let csrf = unit.csrf();
    unit.post("/publish", &[("_csrf", &csrf), ("year", "2016")])
        .expect(403);
    let mut office = web.browser();
    office.sign_in("office", DEMO_PASSWORD);
    office.get("/publish").expect(200);
    let csrf = office.csrf();
    office
        .post("/publish", &[("_csrf", &csrf), ("year", "2999")])
        .expect(422);
    office
        .post("/publish", &[("_csrf", &csrf), ("year", "2016")])
        .expect(303);
    assert!(office.get("/publish").text().contains("/public?year=2016"));

    let page = guest.get("/public?year=2016");
    page.expect(200);
    let html = page.text();
    assert!(html.contains("舟曲县") && html.contains(SEED_UNIT));
    assert!(!html.contains("class=\"menu\""), "no user menu");
    assert_no_id_numbers(&html);
    guest.get("/public/623023").expect(200);
    guest.get("/public/999999").expect(404);
    is_xlsx(&guest.get("/public?year=2016&format=xlsx"));

    let api = web.api(
        "get",
        "/public/aggregates?year=2016&county=623023",
        None,
        None,
    );
    api.expect(200);
    answers_as_declared("get", "/public/aggregates", &api);
    let body = api.json();
    assert_eq!(body["total"], 1);
    let z = &body["items"][0];
    assert_eq!(z["county_code"], "623023");
    assert!(z["poor_population"].as_u64().unwrap() > 0);
    assert_no_id_numbers(&api.text());
    // Aggregates only: exactly these fields, none about a person or household.
    let mut keys: Vec<&str> = z.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "cadres_serving",
            "county_code",
            "county_name",
            "exited_population",
            "funds_received_fen",
            "monitored_households",
            "monitored_suppressed",
            "paired_units",
            "poor_population",
            "poverty_incidence",
            "projects_completed",
            "published_at",
            "return_rate",
            "rural_income_per_capita",
            "year",
        ]
    );
    web.api("get", "/public/aggregates?county=62", None, None)
        .expect(422);
}

//! The county map over HTTP, on the demo: the page with its SVG, legend
//! and counties without data; the standalone SVG; the JSON of the API and
//! its refusals in both languages; the audited export. Both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_app::demo::DEMO_PASSWORD;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_map_page_draws_gansu_with_a_legend_and_an_audited_export,
    the_map_api_answers_its_values_and_refuses_bad_input_in_both_languages,
);

fn demo_web(db: &TestDb) -> Web {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    Web::with_app(db, app)
}

fn the_map_page_draws_gansu_with_a_legend_and_an_audited_export(db: &TestDb) {
    let web = demo_web(db);
    let mut office = web.browser();
    office.sign_in("office", DEMO_PASSWORD);
    let page = office.get("/map?figure=poverty_incidence&area=62&year=2016&classes=quantile&k=5");
    page.expect(200);
    let html = page.text();
    for must in [
        "甘肃省",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"",
        "href=\"/indicators?area=623023&amp;year=2016\"",
        "id=\"map-legend\"",
        "id=\"map-no-data\"",
        "url(#nodata)",
        "format=xlsx",
    ] {
        assert!(html.contains(must), "{must} on the map page");
    }
    let svg = office.get("/map.svg?figure=poor_population&area=62&year=2016");
    svg.expect(200);
    assert!(
        svg.header("content-type")
            .unwrap_or("")
            .starts_with("image/svg+xml")
    );
    let text = svg.text();
    assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(
        text.matches("http").count(),
        1,
        "nothing outside the document"
    );
    assert!(text.contains("舟曲县") && text.contains("无数据"));
    // Fixed breaks, and a prefecture.
    office
        .get("/map?figure=rural_income&area=6230&year=2016&breaks=3000,6000")
        .expect(200);
    // The export is an xlsx and leaves an audit record.
    let x = office.get("/map?figure=poverty_incidence&area=62&year=2016&format=xlsx");
    x.expect(200);
    assert!(x.body.starts_with(b"PK"));
    let token = web.direct_token("auditor", DEMO_PASSWORD);
    let audit = web
        .get("/audit?action=map.export", &token)
        .expect(200)
        .json();
    assert!(audit["total"].as_i64().unwrap_or(0) >= 1, "{audit}");
    // A bad figure is a page with its reason, not a broken map.
    office.get("/map?figure=nope").expect(422);
    // A county's dashboard shows its prefecture's map, the county outlined.
    let dash = office.get("/indicators?area=623023&year=2016").text();
    assert!(dash.contains("id=\"dashboard-map\"") && dash.contains("class=\"outlined\""));
}

fn the_map_api_answers_its_values_and_refuses_bad_input_in_both_languages(db: &TestDb) {
    let web = demo_web(db);
    let token = web.direct_token("office", DEMO_PASSWORD);
    let j = web
        .get(
            "/map?figure=poverty_incidence&level=province&area=62&year=2016",
            &token,
        )
        .expect(200)
        .json();
    assert_eq!(j["figure"], "poverty_incidence");
    assert_eq!(j["level"], "province");
    assert_eq!(j["area"], "62");
    assert_eq!(j["year"], 2016);
    assert!(j["breaks"].is_array());
    let counties = j["counties"].as_array().unwrap();
    let zhouqu = counties
        .iter()
        .find(|c| c["code"] == "623023")
        .expect("Zhouqu");
    assert_eq!(zhouqu["name"], "舟曲县");
    assert!(zhouqu["value"].as_f64().unwrap() > 0.0);
    assert!(zhouqu["class"].is_u64());
    let no_data = j["no_data"].as_array().unwrap();
    assert!(
        no_data
            .iter()
            .all(|c| c["code"].is_string() && c["name"].is_string())
    );
    assert_eq!(
        no_data.len(),
        counties.iter().filter(|c| c["value"].is_null()).count()
    );
    for (q, code) in [
        ("figure=happiness", "unknown_figure"),
        ("level=county", "unknown_map_level"),
        ("year=2009", "year_out_of_range"),
        ("k=12", "bad_class_count"),
        ("breaks=9,3", "bad_breaks"),
    ] {
        let zh = web.get(&format!("/map?{q}"), &token);
        zh.expect(422);
        let body = zh.json();
        assert_eq!(body["error"]["fields"][0]["code"], code, "{q}: {body}");
        let en = web.api_with(
            "get",
            &format!("/map?{q}"),
            Some(&token),
            None,
            &[("accept-language", "en")],
        );
        en.expect(422);
        let en_msg = en.json()["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let zh_msg = body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(en_msg.is_ascii() && !en_msg.is_empty(), "{q}: {en_msg}");
        assert!(!zh_msg.is_ascii(), "{q}: {zh_msg}");
    }
    web.get("/map?year=twenty", &token).expect(422);
}

//! The overview of assistance work on the page, the start page and the
//! API: each role sees the pairings of its scope, paged and exported.

use crate::common::*;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_overview_lists_the_pairings_of_the_readers_scope,
    the_start_page_shows_the_pairings_work_to_a_unit_and_a_county,
);

/// Unit "帮扶甲" leads the four test counties in an active plan.
fn active_world(db: &TestDb) -> Web {
    let web = Web::new(db);
    let app = &web.app;
    county_list(app);
    let u = unit(app, "帮扶甲");
    let plan = full_plan(app, "一览测试方案", u);
    user(app, "office1", "office", None, None);
    user(app, "unit1", "unit", Some(u), None);
    user(app, "county1", "county", None, Some(ZHOUQU));
    user(app, "auditor1", "auditor", None, None);
    activate(&web, plan);
    web
}

fn the_overview_lists_the_pairings_of_the_readers_scope(db: &TestDb) {
    let web = active_world(db);
    let mut office = web.browser();
    office.sign_in("office1", PASSWORD);
    let page = office.get("/overview?per_page=2");
    page.expect(200);
    let html = page.text();
    assert!(html.contains("帮扶工作一览") && html.contains("帮扶甲"));
    assert!(html.contains("format=xlsx"), "the export link");
    assert!(html.contains("page=2"), "four pairings on two pages");
    let x = office.get("/overview?format=xlsx");
    x.expect(200);
    assert!(x.body.starts_with(b"PK"));
    let audit = dingdian_testkit::audit_records(&web.url, "pairing_work.export");
    assert_eq!(audit.len(), 1, "the export is audited");

    let mut county = web.browser();
    county.sign_in("county1", PASSWORD);
    let html = county.get("/overview").text();
    assert!(
        html.contains("舟曲县") && !html.contains("行唐县"),
        "the county sees its own pairing only"
    );

    let token = web.token("county1", PASSWORD);
    let r = web.get("/pairing-work", &token);
    r.expect(200);
    answers_as_declared("get", "/pairing-work", &r);
    assert_eq!(r.json()["total"], 1);
    assert_eq!(r.json()["items"][0]["county_code"], ZHOUQU);
    assert_eq!(r.json()["items"][0]["direct_funds"], 0);
    let office_token = web.token("office1", PASSWORD);
    let r = web.get("/pairing-work?rank=trainees&per_page=3", &office_token);
    answers_as_declared("get", "/pairing-work", &r);
    assert_eq!(
        (
            r.json()["total"].as_i64(),
            r.json()["items"].as_array().map(Vec::len)
        ),
        (Some(4), Some(3))
    );
    let r = web.get("/pairing-work?rank=budget", &office_token);
    r.expect(422);
    assert!(r.text().contains("rank"), "the bad parameter is named");

    let mut auditor = web.browser();
    auditor.sign_in("auditor1", PASSWORD);
    auditor.get("/overview").expect(403);
}

fn the_start_page_shows_the_pairings_work_to_a_unit_and_a_county(db: &TestDb) {
    let web = active_world(db);
    let mut unit = web.browser();
    unit.sign_in("unit1", PASSWORD);
    let html = unit.get("/").text();
    assert!(html.contains("各结对的帮扶工作"), "the card");
    assert!(
        html.contains("舟曲县") && html.contains("行唐县"),
        "the unit's four counties"
    );
    assert!(html.contains("/overview"), "a link to the whole overview");
    let mut county = web.browser();
    county.sign_in("county1", PASSWORD);
    let html = county.get("/").text();
    assert!(
        html.contains("帮扶甲") && html.contains("尚无规划"),
        "the unit helping the county, without a plan yet"
    );
}

//! Periods and their words (issue 14): the same page type speaks the old
//! words for a year up to 2020 and the new ones from 2021 — the Zhouqu
//! dashboard, its printed county profile, the national overview and
//! their xlsx headings, in Chinese and in English — and the county lists
//! say how complete they are. On the demo, both backends.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_app::demo::DEMO_PASSWORD;
use dingdian_app::tabular::{self, Encoding};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_dashboard_speaks_the_words_of_its_year,
    printed_reports_and_their_workbooks_speak_the_words_of_their_year,
    the_county_lists_say_how_complete_they_are,
);

fn demo_web(db: &TestDb) -> Web {
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    Web::with_app(db, app)
}

const OLD_ZH: [&str; 3] = ["定点扶贫", "贫困县", "建档立卡贫困户"];
const NEW_ZH: [&str; 3] = ["定点帮扶", "重点帮扶县", "脱贫户与监测对象"];
const OLD_EN: [&str; 3] = [
    "Designated poverty assistance",
    "Poor county",
    "Registered poor households",
];
const NEW_EN: [&str; 3] = [
    "Designated assistance",
    "Key assistance county",
    "Exited and monitored households",
];

/// `text` holds every word of `has` and, of `lacks`, none but those the
/// undated frame may hold (the product's name, 定点帮扶信息系统).
fn speaks(text: &str, has: &[&str], lacks: &[&str], what: &str) {
    let head = text
        .find("<h1")
        .map(|i| text[i..].chars().take(1500).collect::<String>())
        .unwrap_or_default();
    for w in has {
        assert!(text.contains(w), "{w} on {what}: {head}");
    }
    let text = text
        .replace("定点帮扶信息系统", "")
        .replace("Designated assistance information system", "")
        .replace("designated assistance information system", "");
    for w in lacks {
        assert!(!text.contains(w), "{w} must not be on {what}");
    }
}

fn english(b: &mut Browser) {
    let csrf = csrf_of(&b.get("/").text());
    b.post("/lang", &[("_csrf", &csrf), ("to", "en"), ("next", "/")])
        .expect(303);
}

/// The headings of the first sheet of an xlsx answer.
fn headings(r: &Resp) -> String {
    r.expect(200);
    let t = tabular::read("x.xlsx", &r.body, Encoding::Auto).expect("an xlsx");
    t.headers.join("|")
}

fn the_dashboard_speaks_the_words_of_its_year(db: &TestDb) {
    let web = demo_web(db);
    let mut b = web.browser();
    b.sign_in("office", DEMO_PASSWORD);
    let old = b.get("/indicators?area=623023&year=2016");
    old.expect(200);
    speaks(&old.text(), &OLD_ZH, &NEW_ZH[1..], "the 2016 dashboard");
    let new = b.get("/indicators?area=623023&year=2022");
    new.expect(200);
    speaks(
        &new.text(),
        &NEW_ZH,
        &["建档立卡贫困户", "定点扶贫"],
        "the 2022 dashboard",
    );
    // The county's line on the key list of the period, and the list's completeness.
    assert!(new.text().contains("国家乡村振兴重点帮扶县（2021）"));
    assert!(new.text().contains("缺 70 个"));
    assert!(old.text().contains("国家扶贫开发工作重点县（2012）"));
    // The export's headings follow the year.
    let h = headings(&b.get("/indicators?area=623023&year=2016&format=xlsx"));
    assert!(h.contains("建档立卡贫困户户数"), "{h}");
    let h = headings(&b.get("/indicators?area=623023&year=2022&format=xlsx"));
    assert!(
        h.contains("脱贫户与监测对象户数") && !h.contains("建档立卡"),
        "{h}"
    );

    english(&mut b);
    let old = b.get("/indicators?area=623023&year=2016").text();
    speaks(&old, &OLD_EN, &NEW_EN[1..], "the 2016 dashboard in English");
    let new = b.get("/indicators?area=623023&year=2022").text();
    speaks(&new, &NEW_EN, &OLD_EN, "the 2022 dashboard in English");
}

fn printed_reports_and_their_workbooks_speak_the_words_of_their_year(db: &TestDb) {
    let web = demo_web(db);
    let mut b = web.browser();
    b.sign_in("office", DEMO_PASSWORD);
    let old = b.get("/print/county/623023?year=2016");
    old.expect(200);
    speaks(
        &old.text(),
        &OLD_ZH,
        &NEW_ZH[1..],
        "the 2016 county profile",
    );
    let new = b.get("/print/county/623023?year=2022");
    new.expect(200);
    speaks(
        &new.text(),
        &NEW_ZH,
        &["建档立卡贫困户", "定点扶贫"],
        "the 2022 county profile",
    );
    let h = headings(&b.get("/print/county/623023?year=2016&format=xlsx"));
    assert!(h.contains("贫困县") && !h.contains("重点帮扶县"), "{h}");
    let h = headings(&b.get("/print/county/623023?year=2022&format=xlsx"));
    assert!(h.contains("重点帮扶县"), "{h}");
    let national = b.get("/print/national?year=2022").text();
    assert!(national.contains("全国定点帮扶概况"));
    assert!(national.contains("国家乡村振兴重点帮扶县"));
    assert!(
        national.contains("缺 70 个"),
        "the national report says the list is partial"
    );
    let h = headings(&b.get("/print/national?year=2016&format=xlsx"));
    assert!(h.contains("已覆盖贫困县"), "{h}");

    english(&mut b);
    let old = b.get("/print/county/623023?year=2016").text();
    speaks(
        &old,
        &OLD_EN[..1],
        &NEW_EN[1..],
        "the 2016 county profile in English",
    );
    let new = b.get("/print/county/623023?year=2022").text();
    speaks(
        &new,
        &NEW_EN[..2],
        &OLD_EN,
        "the 2022 county profile in English",
    );
}

fn the_county_lists_say_how_complete_they_are(db: &TestDb) {
    let web = demo_web(db);
    let mut b = web.browser();
    b.sign_in("office", DEMO_PASSWORD);
    let html = b.get("/county-lists").text();
    for must in [
        "list-completeness-key-assist-2021",
        "国家乡村振兴重点帮扶县（2021）",
        "缺 70 个",
        "云南省",
        "来源未给出",
        "import-key-assist-2021",
    ] {
        assert!(html.contains(must), "{must} on /county-lists");
    }
}

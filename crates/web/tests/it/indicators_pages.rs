//! Issue 9 through the pages, on SQLite and PostgreSQL: the dashboard opens
//! on the latest complete year and gives no exit verdict on incomplete
//! data, saying why; the import's job page warns of a much smaller year;
//! areas above the county say how many counties lack a rural population;
//! villages are listed by their short name; the key-county pages say where
//! a county beyond the shipped list comes from.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    dashboard_opens_on_the_latest_complete_year_and_withholds_the_exit_verdict,
    areas_above_the_county_say_how_many_counties_lack_a_rural_population,
    villages_are_listed_by_their_short_name_and_their_own_page_keeps_the_full_one,
    the_key_list_pages_say_where_an_extra_county_comes_from,
);

fn office_browser(web: &Web) -> Browser<'_> {
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    b
}

/// The markup from the element with this id to the end of its line.
fn line_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {}", main_of(html)));
    let open = html[..at].rfind('<').expect("a tag");
    let rest = &html[open..];
    rest[..rest.find('\n').unwrap_or(rest.len())].to_string()
}

fn job_page(b: &mut Browser, id: i64) -> String {
    for _ in 0..400 {
        let html = b.get(&format!("/jobs/{id}")).text();
        if !html.contains("http-equiv=\"refresh\"") {
            return html;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("job {id} did not finish");
}

fn dashboard_opens_on_the_latest_complete_year_and_withholds_the_exit_verdict(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    let mut b = office_browser(&web);
    // 2015: one person of Zhouqu after 9 in 2014, through the import job.
    let small = format!(
        "{REGISTRY_HEADER}\n2015,{MIAOGOU},ZQ001,{},张大山,户主,2000,未脱贫,2014,,因病\n",
        id_number("19700305", 11)
    );
    let office = actor(&web, "office1");
    let job = web
        .app
        .start_registry_import(&office, "r2015.csv", small.into_bytes(), Default::default())
        .unwrap();
    let done = job_page(&mut b, job);
    let warn = line_of(&done, "smaller-than-before");
    assert!(
        warn.contains("舟曲县") && warn.contains("2015 年 1 人") && warn.contains("2014 年 9 人"),
        "{warn}"
    );
    // A rural population that makes 2015's incidence 0.1 %: below 3 %.
    web.app
        .import_statistics(
            &cli(),
            "s.csv",
            "年度,区划代码,农村人口,农民人均纯收入\n2015,623023,1000,5000\n".as_bytes(),
            Default::default(),
        )
        .unwrap();
    // The dashboard opens on 2014, the latest complete year, and says so.
    let html = b.get(&format!("/indicators?area={ZHOUQU}")).text();
    assert!(
        html.contains("<option value=\"2014\" selected"),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("<option value=\"2015\">2015（不完整）"));
    assert!(line_of(&html, "default-year-note").contains("2015"));
    // 2015 chosen: why it looks incomplete, no verdict, no comparison.
    let html = b
        .get(&format!("/indicators?area={ZHOUQU}&year=2015"))
        .text();
    let why = line_of(&html, "incomplete");
    assert!(
        why.contains("建档立卡人口 1 人，不到 2014 年（9 人）的一半"),
        "{why}"
    );
    let exit = line_of(&html, "fig-exit");
    assert!(
        exit.contains("暂不判断") && !exit.contains("已达到"),
        "{exit}"
    );
    assert!(!exit.contains("figure good"), "never green: {exit}");
    assert!(!line_of(&html, "fig-poor").contains("比上年"));
    // The API keeps the indicator's meaning and adds the completeness.
    let token = web.direct_token("office1", PASSWORD);
    let j = web
        .get(&format!("/indicators?area={ZHOUQU}&year=2015"), &token)
        .json();
    let row = &j["items"][0];
    assert_eq!(row["exit_eligible"], true);
    assert_eq!(row["completeness"]["state"], "incomplete");
    assert_eq!(row["completeness"]["compared_year"], 2014);
    assert_eq!(row["completeness"]["reasons"][0], "registered_population");
    // The complete year keeps its verdict and comparison.
    let html = b
        .get(&format!("/indicators?area={ZHOUQU}&year=2014"))
        .text();
    assert!(!html.contains("id=\"incomplete\""));
    assert!(line_of(&html, "fig-exit").contains("未达到"));
}

/// Counties of an area in the division table, counted in SQL.
fn division_counties(web: &Web, prefix: &str) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .read(|c| {
            c.query_i64(
                "SELECT COUNT(*) FROM areas WHERE level = 'county' AND code LIKE ?",
                &[format!("{prefix}%").into()],
            )
        })
        .unwrap()
}

fn areas_above_the_county_say_how_many_counties_lack_a_rural_population(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    let mut b = office_browser(&web);
    // Only Zhouqu has statistics: Gansu lacks all its other counties.
    let missing = division_counties(&web, "62") - 1;
    let html = b.get("/indicators?area=62&year=2014").text();
    let fig = line_of(&html, "fig-incidence");
    assert!(fig.contains("—"), "no incidence: {fig}");
    assert!(
        fig.contains(&format!("缺少 {missing} 个县的农村人口")),
        "{fig}"
    );
    // The nation's table says it for Gansu too.
    let nation = b.get("/indicators?area=&year=2014").text();
    assert!(
        nation.contains(&format!("—（缺 {missing} 县）")),
        "{}",
        main_of(&nation)
    );
    // The county itself is complete.
    let county = b
        .get(&format!("/indicators?area={ZHOUQU}&year=2014"))
        .text();
    assert!(line_of(&county, "fig-incidence").contains("14.0%"));
}

fn villages_are_listed_by_their_short_name_and_their_own_page_keeps_the_full_one(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    let mut b = office_browser(&web);
    for path in [
        "/indicators?area=623023100&year=2014".to_string(),
        format!("/indicators?area={MIAOGOU}&year=2014"),
        "/areas/623023100".to_string(),
        format!("/registry?area={ZHOUQU}&year=2014"),
        "/registry/2014/ZQ001".to_string(),
    ] {
        let r = b.get(&path);
        r.expect(200);
        let html = r.text();
        assert!(html.contains("庙沟村"), "{path}");
        assert!(
            !html.contains("庙沟村村民委员会"),
            "{path}: {}",
            main_of(&html)
        );
    }
    // The village's own page: the registered name.
    let own = b.get(&format!("/areas/{MIAOGOU}")).text();
    let h1 = &own[own.find("<h1>").unwrap()..own.find("</h1>").unwrap()];
    assert!(h1.contains("庙沟村村民委员会"), "{h1}");
}

fn the_key_list_pages_say_where_an_extra_county_comes_from(db: &TestDb) {
    let web = Web::new(db);
    // As the demo does: Zhouqu (Gansu) is made a key county.
    let mut z = web
        .app
        .get_area(&cli(), ZHOUQU)
        .unwrap()
        .attributes
        .unwrap();
    z.key_county = true;
    web.app.update_county(&cli(), ZHOUQU, &z).unwrap();
    let mut b = office_browser(&web);
    let lists = b.get("/county-lists").text();
    let origin = line_of(&lists, "list-origin-key-2012");
    assert!(
        origin.contains("191 个县（7 个省）")
            && origin.contains("192 个县（8 个省）")
            && origin.contains("舟曲县"),
        "{origin}"
    );
    let areas = b.get("/areas?level=county&list=key-2012").text();
    assert!(line_of(&areas, "list-origin").contains("舟曲县 623023"));
    // The coverage page of a plan on that list says the same.
    let plan = web
        .app
        .create_plan(
            &cli(),
            &dingdian_app::plans::PairingPlanInput {
                name: "重点县覆盖".into(),
                kind: "overall".into(),
                county_list: "key-2012".into(),
                period_start: START.into(),
                period_end: END.into(),
                ..Default::default()
            },
        )
        .unwrap();
    let cov = b.get(&format!("/coverage?plan={plan}")).text();
    let o = line_of(&cov, "list-origin");
    assert!(o.contains("192 个县") && o.contains("舟曲县"), "{o}");
    // In English too.
    let mut en = web.browser();
    en.headers.push(("accept-language".into(), "en".into()));
    user(&web.app, "office_en", "office", None, None);
    en.sign_in("office_en", PASSWORD);
    let csrf = en.csrf();
    en.post("/lang", &[("_csrf", &csrf), ("to", "en"), ("next", "/")]);
    let e = en.get("/county-lists").text();
    assert!(line_of(&e, "list-origin-key-2012").contains("Added here"));
}

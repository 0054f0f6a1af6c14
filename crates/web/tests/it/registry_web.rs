//! The registry and indicator pages and routes, on SQLite and PostgreSQL:
//! the dashboard with its figures, drill-down, charts and export; the
//! household card and the API masking ID numbers unless the role is
//! entitled; indicators computed by hand; the import page running a job to
//! its end, its error table, its CSRF check; the statistics upload; the ID
//! number search; the poverty lines.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::Value;

both_backends!(
    dashboard_shows_the_figures_drills_down_and_exports,
    household_card_and_api_mask_id_numbers_unless_entitled,
    api_indicators_are_the_values_computed_by_hand,
    uploading_a_registry_runs_a_job_to_the_dashboard,
    a_bad_row_shows_the_error_table_with_its_excel_row,
    uploads_need_the_sessions_csrf,
    statistics_upload_and_templates,
    search_by_id_number_and_registry_list,
    poverty_lines_are_listed_and_amended_by_the_office,
    the_job_page_offers_the_rejects_file_to_who_may_follow_the_job,
    extended_fields_on_the_card_the_api_and_the_dashboard,
);

/// The columns named by an import's JSON error answer (import shape:
/// `column`, not `field`).
fn import_columns(r: &Resp) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no error fields in {}", r.text()))
        .iter()
        .map(|f| f["column"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A multipart upload of one file with form fields, from a signed-in browser.
fn upload(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> Resp {
    let boundary = "----ddtestboundary7MA4YWxkTrZu0gW";
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let jar: Vec<String> = b
        .cookies
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, jar.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    b.web.send(req)
}

/// Polls a job page until the job no longer runs (bounded); answers the page.
fn finished_job_page(b: &mut Browser, path: &str) -> String {
    for _ in 0..400 {
        let r = b.get(path);
        r.expect(200);
        let html = r.text();
        if !html.contains("http-equiv=\"refresh\"") {
            return html;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("the job at {path} did not finish in 10 s");
}

fn office_browser(web: &Web) -> Browser<'_> {
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    b
}

/// The markup of the element with the given id: a `<div>` to the end of
/// its line (the figures are one line each), anything else to its closing
/// tag.
fn element(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| {
        let m = main_of(html);
        panic!("#{id} in page: {}", &m[..m.len().min(3000)])
    });
    let open = html[..at].rfind('<').expect("an opening tag");
    let tag: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let rest = &html[open..];
    let end = if tag == "div" {
        rest.find('\n').unwrap_or(rest.len())
    } else {
        let close = format!("</{tag}>");
        rest.find(&close)
            .map(|i| i + close.len())
            .unwrap_or(rest.len())
    };
    rest[..end].to_string()
}

fn assert_xlsx(r: &Resp, what: &str) {
    r.expect(200);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.contains("spreadsheetml")),
        "{what}: xlsx content type"
    );
    assert!(r.body.starts_with(b"PK"), "{what}: a zip (xlsx) file");
}

fn dashboard_shows_the_figures_drills_down_and_exports(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    let mut b = office_browser(&web);

    // The county for 2014.
    let r = b.get(&format!("/indicators?area={ZHOUQU}&year=2014"));
    r.expect(200);
    let html = r.text();
    assert!(title_of(&html).contains("舟曲县"), "{}", title_of(&html));
    // Breadcrumbs along the hierarchy, each a dashboard link.
    for name in ["全国", "甘肃省", "甘南藏族自治州"] {
        assert!(html.contains(name), "crumb {name}");
    }
    assert!(unescape(&html).contains("/indicators?area=62&year=2014"));
    // Key figures: 7 poor (3 poor + 4 returned), 7/50 = 14.0 %, return rate
    // 4/(2+4) = 66.7 %, 9 registered in 3 households, income 4 675 yuan with
    // 16.9 % growth on 4 000.
    assert!(element(&html, "fig-poor").contains("7 人"));
    assert!(element(&html, "fig-incidence").contains("14.0%"));
    assert!(
        element(&html, "fig-incidence").contains("比上年"),
        "the change on 2013 (2/48 = 4.2 %)"
    );
    assert!(element(&html, "fig-return").contains("66.7%"));
    let reg = element(&html, "fig-registered");
    assert!(reg.contains("9 人") && reg.contains("3 户"), "{reg}");
    let inc = element(&html, "fig-income");
    assert!(inc.contains("4,675 元") && inc.contains("+16.9%"), "{inc}");
    assert!(element(&html, "fig-mean-income").contains("2,600 元"));
    // 14 % is not below the western 3 %: not yet eligible.
    let exit = element(&html, "fig-exit");
    assert!(
        exit.contains("达到摘帽标准") && exit.contains("未达到") && exit.contains("3%"),
        "{exit}"
    );
    // The townships one level down, each drilling down.
    let children = element(&html, "children");
    assert!(
        children.contains("城关镇") && children.contains("大川镇"),
        "{children}"
    );
    assert!(unescape(&children).contains("/indicators?area=623023100&year=2014"));
    assert!(
        children.contains("—"),
        "townships have no rural population: a dash, never 0"
    );
    // Charts: incidence over the years, poor by township, poor by cause;
    // and the prefecture's map with the county outlined.
    assert_eq!(html.matches("<svg").count(), 4, "three charts and the map");
    assert!(html.contains("class=\"county-map\"") && html.contains("class=\"outlined\""));
    assert!(html.contains("历年贫困发生率") && html.contains("单位：%"));
    assert!(html.contains("按主要致贫原因分的贫困人口") && html.contains("因灾"));
    assert!(html.contains("来源："), "the source under each chart");
    // From the county, the registry.
    assert!(unescape(&html).contains(&format!("/registry?area={ZHOUQU}&year=2014")));

    // Drill down: the township, then its village.
    let t = b.get("/indicators?area=623023100&year=2014");
    t.expect(200);
    let th = t.text();
    assert!(
        element(&th, "fig-poor").contains("3 人"),
        "ZQ001's 3 members"
    );
    assert!(element(&th, "children").contains("庙沟村"));
    let v = b.get(&format!("/indicators?area={MIAOGOU}&year=2014"));
    v.expect(200);
    assert!(element(&v.text(), "fig-registered").contains("5 人"));
    assert!(
        !v.text().contains("id=\"children\""),
        "a village has no areas within"
    );

    // The nation by default, on the latest year; provinces one level down.
    let n = b.get("/indicators");
    n.expect(200);
    let nh = n.text();
    assert!(nh.contains("全国"));
    assert!(element(&nh, "children").contains("甘肃省"));
    assert!(
        nh.contains("<option value=\"2014\" selected"),
        "the latest year by default"
    );
    assert!(
        nh.contains("<option value=\"2013\""),
        "the years present are offered"
    );

    // The cause filter narrows every figure.
    let c = b.get(&format!(
        "/indicators?area={ZHOUQU}&year=2014&cause=disaster"
    ));
    assert!(
        element(&c.text(), "fig-poor").contains("4 人"),
        "only ZQ003"
    );

    // The child table exports.
    let x = b.get(&format!("/indicators?area={ZHOUQU}&year=2014&format=xlsx"));
    assert_xlsx(&x, "indicators");

    // English.
    let mut en = web.browser();
    en.headers.push(("accept-language".into(), "en".into()));
    user(&web.app, "office_en", "office", None, None);
    en.sign_in("office_en", PASSWORD);
    let csrf = en.csrf();
    en.post("/lang", &[("_csrf", &csrf), ("to", "en"), ("next", "/")]);
    let e = en
        .get(&format!("/indicators?area={ZHOUQU}&year=2014"))
        .text();
    assert!(
        e.contains("Poverty incidence") && e.contains("14.0%"),
        "English dashboard"
    );

    // A unit user reads the indicators but gets no registry link; the
    // auditor may not open the dashboard.
    let u = unit(&web.app, "指标测试单位");
    user(&web.app, "unit1", "unit", Some(u), None);
    let mut ub = web.browser();
    ub.sign_in("unit1", PASSWORD);
    let uh = ub.get(&format!("/indicators?area={ZHOUQU}&year=2014"));
    uh.expect(200);
    assert!(!uh.text().contains("id=\"to-registry\""));
    user(&web.app, "auditor1", "auditor", None, None);
    let mut ab = web.browser();
    ab.sign_in("auditor1", PASSWORD);
    ab.get("/indicators").expect(403);
    // A malformed area is an error page, not a crash.
    b.get("/indicators?area=12345").expect(422);
}

fn household_card_and_api_mask_id_numbers_unless_entitled(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "inspector1", "inspector", None, None);
    let people = fixture_people();
    let (_, _, head_id, head_name, _) = &people[0];
    let masked = format!("{}********{}", &head_id[..6], &head_id[14..]);

    // The inspector: masked, with the note.
    let mut ib = web.browser();
    ib.sign_in("inspector1", PASSWORD);
    let r = ib.get("/registry/2014/ZQ001");
    r.expect(200);
    let html = r.text();
    assert!(html.contains(*head_name), "names are shown");
    assert!(html.contains(&masked), "masked ID number");
    assert!(!html.contains(head_id.as_str()), "never the full number");
    assert!(element(&html, "id-note").contains("脱敏"));
    // The household's fields and its timeline (2014 only for ZQ001).
    assert!(html.contains("2,000") && html.contains("因病") && html.contains("庙沟村"));
    assert!(element(&html, "timeline").contains("2014"));
    // ZQ002's timeline: poor in 2013, exited in 2014, each a link.
    let t = ib.get("/registry/2014/ZQ002").text();
    let tl = element(&t, "timeline");
    assert!(tl.contains("reg-poor") && tl.contains("reg-exited"), "{tl}");
    assert!(unescape(&tl).contains("/registry/2013/ZQ002"));
    assert!(tl.contains("aria-current"), "the year shown is marked");

    // The office: masked until it gives a reason, then in full with the
    // audit note; the disclosure and its reason are audited.
    let mut ob = web.browser();
    ob.sign_in("office1", PASSWORD);
    let r = ob.get("/registry/2014/ZQ001");
    r.expect(200);
    let html = r.text();
    assert!(!html.contains(head_id.as_str()), "masked before a reason");
    assert!(
        html.contains("id=\"reveal\""),
        "the office is offered the reveal form"
    );
    assert!(
        !ib.get("/registry/2014/ZQ001")
            .text()
            .contains("id=\"reveal\""),
        "the inspector is not"
    );
    let csrf = csrf_of(&html);
    // Without the form's token nothing is shown; without a reason neither.
    ob.post(
        "/registry/2014/ZQ001",
        &[("_csrf", "forged"), ("reason", "x")],
    )
    .expect(403);
    let blank = ob.post("/registry/2014/ZQ001", &[("_csrf", &csrf), ("reason", " ")]);
    assert!(!blank.text().contains(head_id.as_str()));
    let r = ob.post(
        "/registry/2014/ZQ001",
        &[("_csrf", &csrf), ("reason", "入户核实 / home visit")],
    );
    r.expect(200);
    let html = r.text();
    assert!(
        html.contains(head_id.as_str()),
        "the office sees the number in full"
    );
    assert!(element(&html, "id-note").contains("审计"));
    let audit = dingdian_testkit::audit_records(&web.url, "registry.disclose");
    assert!(
        audit
            .iter()
            .any(|a| a.username.as_deref() == Some("office1")
                && a.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("入户核实 / home visit"))),
        "the disclosure and its reason are in the audit log"
    );
    // Unknown households and years are 404 pages.
    ob.get("/registry/2014/NOPE").expect(404);
    ob.get("/registry/abc/ZQ001").expect(404);

    // The API: masked for the inspector, in full for the office.
    let it = web.direct_token("inspector1", PASSWORD);
    let r = web.get(&format!("/households?county={ZHOUQU}&year=2014"), &it);
    r.expect(200);
    let j = r.json();
    assert_eq!(j["total"], 3);
    let items = j["items"].as_array().unwrap();
    let all_ids: Vec<String> = items
        .iter()
        .flat_map(|h| h["members"].as_array().unwrap().clone())
        .map(|m| m["id_number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(all_ids.len(), 9);
    for id in &all_ids {
        assert!(
            id.len() == 18 && &id[6..14] == "********",
            "masked as first six, eight stars, last four: {id}"
        );
    }
    assert!(all_ids.contains(&masked));
    assert!(!r.text().contains(head_id.as_str()));
    let zq1 = items.iter().find(|h| h["household_id"] == "ZQ001").unwrap();
    assert_eq!(zq1["status"], "poor");
    assert_eq!(zq1["cause"], "illness");
    assert_eq!(zq1["income_per_capita"], 2000.0);
    assert_eq!(zq1["id_numbers_in_full"], false);
    let ot = web.direct_token("office1", PASSWORD);
    let r = web.get(
        &format!("/households?county={ZHOUQU}&year=2014&per_page=1"),
        &ot,
    );
    r.expect(200);
    assert_eq!(r.json()["total"], 3);
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    // A list never discloses in bulk: masked for the office too.
    let r = web.get(&format!("/households?county={ZHOUQU}&year=2014"), &ot);
    assert!(
        !r.text().contains(head_id.as_str()),
        "masked in the office's list"
    );
    assert!(r.json()["items"][0]["id_numbers_in_full"] == false);
    // One household, with a reason: in full, audited with the reason.
    web.get(&format!("/households?county={ZHOUQU}&reveal=x"), &ot)
        .expect(422);
    let r = web.get(
        "/households?year=2014&household=ZQ001&reveal=%E6%A0%B8%E5%AE%9E",
        &ot,
    );
    r.expect(200);
    assert!(r.text().contains(head_id.as_str()), "in full on request");
    assert_eq!(r.json()["total"], 1);
    assert_eq!(r.json()["items"][0]["id_numbers_in_full"], true);
    let audit = dingdian_testkit::audit_records(&web.url, "registry.disclose");
    assert!(
        audit
            .iter()
            .any(|a| a.object_id.as_deref() == Some("2014/ZQ001")
                && a.detail.as_deref().is_some_and(|d| d.contains("核实"))),
        "the API disclosure and its reason are in the audit log"
    );
    // The inspector may ask, but sees them masked.
    let r = web.get("/households?year=2014&household=ZQ001&reveal=why", &it);
    assert!(!r.text().contains(head_id.as_str()));
    // Filters: the status, a bad county.
    let r = web.get(&format!("/households?county={ZHOUQU}&status=returned"), &it);
    assert_eq!(r.json()["total"], 1);
    let r = web.get("/households?county=62", &it);
    r.expect(422);
    assert_eq!(r.fields(), vec!["county"]);
    // A unit user may not read households at all.
    let u = unit(&web.app, "户信息测试单位");
    user(&web.app, "unit1", "unit", Some(u), None);
    let ut = web.direct_token("unit1", PASSWORD);
    web.get("/households", &ut).expect(403);
}

fn api_indicators_are_the_values_computed_by_hand(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let r = web.get(
        &format!("/indicators?area={ZHOUQU}&year=2014&level=county"),
        &token,
    );
    r.expect(200);
    let j = r.json();
    assert_eq!(j["total"], 1);
    let row = &j["items"][0];
    assert_eq!(row["area_code"], ZHOUQU);
    assert_eq!(row["area_name"], "舟曲县");
    assert_eq!(row["level"], "county");
    assert_eq!(row["year"], 2014);
    // By hand, from the fixture.
    let (members, households, poor, exited, returned, rural) =
        (9u64, 3u64, 7u64, 2u64, 4u64, 50i64);
    assert_eq!(row["registered_population"], members);
    assert_eq!(row["registered_households"], households);
    assert_eq!(row["poor_population"], poor);
    assert_eq!(row["exited_population"], exited);
    assert_eq!(row["returned_population"], returned);
    assert_eq!(row["rural_population"], rural);
    let f = |k: &str| row[k].as_f64().unwrap_or_else(|| panic!("{k}: {}", row[k]));
    assert_eq!(f("poverty_incidence"), 100.0 * poor as f64 / rural as f64);
    assert_eq!(
        f("return_rate"),
        100.0 * returned as f64 / (exited + returned) as f64
    );
    let incomes = [
        2000.0, 2000.0, 2000.0, 3500.0, 3500.0, 2600.0, 2600.0, 2600.0, 2600.0,
    ];
    let mean = incomes.iter().sum::<f64>() / 9.0;
    assert!((f("mean_income") - mean).abs() < 1e-9);
    // Against the 2014 line of 2 800 yuan: strictly below are 2 000 and 2 600.
    let z = 2800.0;
    let below: Vec<f64> = incomes.iter().copied().filter(|y| *y < z).collect();
    assert!((f("fgt0") - below.len() as f64 / 9.0).abs() < 1e-12);
    let fgt1 = below.iter().map(|y| 1.0 - y / z).sum::<f64>() / 9.0;
    let fgt2 = below.iter().map(|y| (1.0 - y / z).powi(2)).sum::<f64>() / 9.0;
    assert!((f("fgt1") - fgt1).abs() < 1e-12);
    assert!((f("fgt2") - fgt2).abs() < 1e-12);
    assert_eq!(f("rural_income_per_capita"), 4675.0);
    assert!((f("rural_income_growth") - 100.0 * (4675.0 / 4000.0 - 1.0)).abs() < 1e-9);
    assert_eq!(row["exit_eligible"], false);

    // Every name of indicators.md is there; nulls are null.
    let t = web.get(
        "/indicators?area=623023100&year=2014&level=township",
        &token,
    );
    t.expect(200);
    let tj = t.json();
    let town = tj["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["area_code"] == "623023100")
        .expect("城关镇");
    for k in [
        "registered_population",
        "registered_households",
        "poor_population",
        "exited_population",
        "returned_population",
        "rural_population",
        "poverty_incidence",
        "return_rate",
        "mean_income",
        "fgt0",
        "fgt1",
        "fgt2",
        "rural_income_per_capita",
        "rural_income_growth",
        "exit_eligible",
    ] {
        assert!(town.as_object().unwrap().contains_key(k), "{k}");
    }
    assert_eq!(town["rural_population"], Value::Null);
    assert_eq!(town["poverty_incidence"], Value::Null);
    assert_eq!(town["poor_population"], 3);

    // The nation: area_code null, name 全国; every year without `year`.
    let n = web.get("/indicators?level=nation", &token);
    n.expect(200);
    let items = n.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "2013 and 2014");
    assert!(
        items
            .iter()
            .all(|x| x["area_code"].is_null() && x["area_name"] == "全国")
    );
    // Slices and bad parameters.
    let s = web.get(
        &format!("/indicators?area={ZHOUQU}&year=2014&cause=illness"),
        &token,
    );
    assert_eq!(s.json()["items"][0]["poor_population"], 3);
    for bad in ["area=12345", "level=galaxy", "year=abc", "cause=boredom"] {
        let r = web.get(&format!("/indicators?{bad}"), &token);
        r.expect(422);
    }
    // The poverty lines.
    let l = web.get("/poverty-lines", &token);
    l.expect(200);
    let lines = l.json()["items"].as_array().unwrap().clone();
    let y2014 = lines.iter().find(|x| x["year"] == 2014).unwrap();
    assert_eq!(y2014["line_yuan"], 2800.0);
}

fn uploading_a_registry_runs_a_job_to_the_dashboard(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    // Nothing yet.
    let before = b.get(&format!("/indicators?area={ZHOUQU}")).text();
    assert!(before.contains("id=\"no-data\""));

    let page = b.get("/registry/import");
    page.expect(200);
    let html = page.text();
    assert!(html.contains("跳过错误行") && html.contains("仅检查不写入"));
    let csrf = csrf_of(&html);
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf)],
        "r.csv",
        registry_csv().as_bytes(),
    );
    r.expect(303);
    let to = r.header("location").expect("redirect").to_string();
    assert!(to.starts_with("/jobs/"), "{to}");
    let done = finished_job_page(&mut b, &to);
    assert!(
        element(&done, "job-status").contains("已完成"),
        "{}",
        main_of(&done)
    );
    assert!(element(&done, "report-households").contains('5'));
    assert!(element(&done, "report-members").contains("15"));
    assert!(element(&done, "report-rejected").contains('0'));
    // The statistics too, then the county dashboard shows the data.
    let r = upload(
        &mut b,
        "/registry/statistics",
        &[("_csrf", &csrf)],
        "s.csv",
        statistics_csv().as_bytes(),
    );
    r.expect(303);
    let after = b.get(&format!("/indicators?area={ZHOUQU}&year=2014"));
    after.expect(200);
    let ah = after.text();
    assert!(element(&ah, "fig-poor").contains("7 人"));
    assert!(element(&ah, "fig-incidence").contains("14.0%"));

    // A dry run writes nothing and says so.
    let other = format!(
        "{REGISTRY_HEADER}\n2015,{MIAOGOU},ZQ009,{},周试,户主,1000,未脱贫,2015,,缺水\n",
        id_number("19900101", 13)
    );
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf), ("dry_run", "true")],
        "dry.csv",
        other.as_bytes(),
    );
    r.expect(303);
    let html = finished_job_page(&mut b, r.header("location").unwrap());
    assert!(html.contains("未写入任何数据"), "{}", main_of(&html));
    assert_eq!(
        web.app
            .list_households(
                &cli(),
                &dingdian_core::query::HouseholdFilter {
                    year: Some(2015),
                    ..Default::default()
                },
                dingdian_app::Page::all()
            )
            .unwrap()
            .1,
        0
    );

    // The job through the API.
    let token = web.direct_token("office1", PASSWORD);
    let id: i64 = to.trim_start_matches("/jobs/").parse().unwrap();
    let j = web.get(&format!("/jobs/{id}"), &token);
    j.expect(200);
    assert_eq!(j.json()["status"], "succeeded");
    assert_eq!(j.json()["result"]["members"], 15);
    assert_eq!(j.json()["percent"], 100);
    web.get("/jobs/999999", &token).expect(404);

    // And an import through the API: 202 with the job.
    let r = web.api_raw(
        "post",
        "/imports/registry?file_name=api.csv&dry_run=true",
        Some(&token),
        Some(other.into_bytes()),
        &[],
    );
    r.expect(202);
    let job = r.json()["job"].as_i64().expect("a job number");
    let mut state = Value::Null;
    for _ in 0..400 {
        state = web.get(&format!("/jobs/{job}"), &token).json();
        if state["status"] != "running" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(state["status"], "succeeded", "{state}");
    assert_eq!(state["result"]["dry_run"], true);
    // An empty body and a wrong file type are named.
    let r = web.api_raw(
        "post",
        "/imports/registry",
        Some(&token),
        Some(Vec::new()),
        &[],
    );
    r.expect(422);
    assert_eq!(import_columns(&r), vec!["body"]);
    let r = web.api_raw(
        "post",
        "/imports/registry?file_name=x.exe",
        Some(&token),
        Some(b"x".to_vec()),
        &[],
    );
    r.expect(422);
    assert_eq!(import_columns(&r), vec!["file_name"]);
    // The inspector may not import.
    user(&web.app, "inspector1", "inspector", None, None);
    let it = web.direct_token("inspector1", PASSWORD);
    web.api_raw(
        "post",
        "/imports/registry",
        Some(&it),
        Some(b"a,b\n".to_vec()),
        &[],
    )
    .expect(403);
}

fn a_bad_row_shows_the_error_table_with_its_excel_row(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    let csrf = csrf_of(&b.get("/registry/import").text());
    let good = id_number("19800101", 11);
    let mut bad = id_number("19820202", 22);
    // A wrong check digit.
    let last = if bad.ends_with('1') { '2' } else { '1' };
    bad.replace_range(17.., &last.to_string());
    let csv = format!(
        "{REGISTRY_HEADER}\n2014,{MIAOGOU},ZQ100,{good},刘一,户主,1800,未脱贫,2014,,因病\n2014,{MIAOGOU},ZQ100,{bad},刘二,配偶,1800,未脱贫,2014,,因病\n"
    );
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf)],
        "bad.csv",
        csv.as_bytes(),
    );
    r.expect(303);
    let html = finished_job_page(&mut b, r.header("location").unwrap());
    assert!(element(&html, "job-status").contains("失败"));
    let failure = element(&html, "failure");
    assert!(failure.contains("未写入任何数据"), "{failure}");
    // The error table: Excel row 3 (the header is row 1), the column, the value.
    let table_start = failure
        .find("<table class=\"errors\">")
        .expect("the error table");
    let table = &failure[table_start..];
    assert!(table.contains("<td>3</td>"), "{table}");
    assert!(table.contains("证件号码"), "{table}");
    // Even a wrong ID number is shown masked in the job report.
    let masked = format!("{}********{}", &bad[..6], &bad[bad.len() - 4..]);
    assert!(table.contains(&masked), "{table}");
    assert!(
        !table.contains(&bad),
        "the full number is not shown: {table}"
    );
    assert!(table.contains("校验码"), "the message in Chinese: {table}");
    // Nothing was written.
    assert_eq!(
        web.app
            .list_households(&cli(), &Default::default(), dingdian_app::Page::all())
            .unwrap()
            .1,
        0
    );
    // With skip-invalid the valid rows are imported and the bad one is
    // reported with its reason.
    let csv2 = format!(
        "{csv}2014,{TADE},ZQ101,{},陈三,户主,2100,未脱贫,2014,,缺水\n",
        id_number("19750505", 33)
    );
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf), ("skip_invalid", "true")],
        "skip.csv",
        csv2.as_bytes(),
    );
    r.expect(303);
    let html = finished_job_page(&mut b, r.header("location").unwrap());
    assert!(
        element(&html, "report-households").contains('2'),
        "{}",
        main_of(&html)
    );
    assert!(element(&html, "report-rejected").contains('1'));
    assert!(html.contains("<td>3</td>"), "the reasons by row");
}

fn uploads_need_the_sessions_csrf(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    for token in ["", "forged"] {
        let fields: Vec<(&str, &str)> = if token.is_empty() {
            vec![]
        } else {
            vec![("_csrf", token)]
        };
        let r = upload(
            &mut b,
            "/registry/import",
            &fields,
            "r.csv",
            registry_csv().as_bytes(),
        );
        r.expect(403);
        let r = upload(
            &mut b,
            "/registry/statistics",
            &fields,
            "s.csv",
            statistics_csv().as_bytes(),
        );
        r.expect(403);
        let r = b.post(
            "/poverty-lines",
            &[("_csrf", token), ("year", "2014"), ("line_yuan", "1")],
        );
        r.expect(403);
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        web.app
            .list_households(&cli(), &Default::default(), dingdian_app::Page::all())
            .unwrap()
            .1,
        0,
        "nothing imported"
    );
    let lines = web.app.poverty_lines(&cli()).unwrap();
    assert_eq!(
        lines.iter().find(|l| l.year == 2014).unwrap().line_fen,
        280_000
    );
    // Without a session: to the sign-in page.
    let mut anon = web.browser();
    let r = upload(&mut anon, "/registry/import", &[], "r.csv", b"x");
    assert_eq!(r.status.as_u16(), 303);
    assert!(r.header("location").unwrap().starts_with("/login"));
    // The inspector may not open the import page.
    user(&web.app, "inspector1", "inspector", None, None);
    let mut ib = web.browser();
    ib.sign_in("inspector1", PASSWORD);
    ib.get("/registry/import").expect(403);
    let csrf = ib.csrf();
    let r = upload(
        &mut ib,
        "/registry/import",
        &[("_csrf", &csrf)],
        "r.csv",
        registry_csv().as_bytes(),
    );
    r.expect(403);
}

fn statistics_upload_and_templates(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    let csrf = csrf_of(&b.get("/registry/import").text());
    // A bad file: every problem in a table, nothing written.
    let bad = "年度,区划代码,农村人口,农民人均纯收入\n2014,623023,abc,4675\n2014,999999,10,\n";
    let r = upload(
        &mut b,
        "/registry/statistics",
        &[("_csrf", &csrf)],
        "s.csv",
        bad.as_bytes(),
    );
    r.expect(422);
    let html = r.text();
    assert!(html.contains("<table class=\"errors\">"));
    assert!(
        html.contains("<td>2</td>") && html.contains("<td>3</td>"),
        "rows 2 and 3"
    );
    assert!(
        html.contains("农村人口") && html.contains("区划代码"),
        "columns by their Chinese names"
    );
    // A good one.
    let r = upload(
        &mut b,
        "/registry/statistics",
        &[("_csrf", &csrf)],
        "s.csv",
        statistics_csv().as_bytes(),
    );
    r.expect(303);
    assert!(r.header("location").unwrap().contains("done=statistics"));
    let flash = b.get(r.header("location").unwrap()).text();
    assert!(flash.contains("统计数据已导入"));
    let rural_population = |year: i32| {
        web.app
            .indicators(
                &cli(),
                &dingdian_app::indicators::IndicatorQuery {
                    area: Some(ZHOUQU.into()),
                    year: Some(year),
                    ..Default::default()
                },
            )
            .unwrap()[0]
            .indicators
            .rural_population
    };
    assert_eq!(rural_population(2014), Some(50));
    // Skipping invalid rows: the good row is imported, the bad one listed
    // with its row and why, on the page itself.
    let mixed =
        "年度,区划代码,农村人口,农民人均纯收入\n2015,623023,60,4800\n2015,623023x,abc,4675\n";
    let r = upload(
        &mut b,
        "/registry/statistics",
        &[("_csrf", &csrf), ("skip_invalid", "true")],
        "s.csv",
        mixed.as_bytes(),
    );
    r.expect(200);
    let html = r.text();
    assert!(
        html.contains("id=\"statistics-partial\"")
            && html.contains("已导入 1 行统计数据；1 行有误"),
        "{html}"
    );
    assert!(
        html.contains("<td>3</td>"),
        "the rejected row by its number"
    );
    assert_eq!(rural_population(2015), Some(60));
    // The templates: xlsx with the Chinese headers, read back by the importer.
    for (path, headers) in [
        (
            "/registry/template.xlsx",
            dingdian_app::registry::REGISTRY_COLUMNS,
        ),
        (
            "/registry/statistics-template.xlsx",
            dingdian_app::registry::STATISTICS_COLUMNS,
        ),
    ] {
        let r = b.get(path);
        assert_xlsx(&r, path);
        let t =
            dingdian_app::tabular::read("t.xlsx", &r.body, dingdian_app::tabular::Encoding::Auto)
                .unwrap();
        let want: Vec<String> = headers.iter().map(|c| c.zh.to_string()).collect();
        assert_eq!(t.headers, want, "{path}");
        assert_eq!(t.rows.len(), 1, "one example row");
    }
    // The registry template's example imports (as a dry run).
    let r = b.get("/registry/template.xlsx");
    let report = web
        .app
        .import_registry(
            &cli(),
            "t.xlsx",
            &r.body,
            dingdian_app::registry::ImportOptions {
                dry_run: true,
                ..Default::default()
            },
            &|_, _, _| {},
        )
        .expect("the template's example row is valid");
    assert_eq!(report.members, 1);
}

fn search_by_id_number_and_registry_list(db: &TestDb) {
    let web = Web::new(db);
    registry_fixture(&web.app);
    user(&web.app, "inspector1", "inspector", None, None);
    let mut b = web.browser();
    b.sign_in("inspector1", PASSWORD);
    // The list of a county's households, 2014 by default (the latest year).
    let r = b.get(&format!("/registry?area={ZHOUQU}"));
    r.expect(200);
    let html = r.text();
    let list = element(&html, "households");
    for h in ["ZQ001", "ZQ002", "ZQ003"] {
        assert!(list.contains(h), "{h}");
    }
    assert!(list.contains("庙沟村") && list.contains("3,500") && list.contains("返贫"));
    assert!(unescape(&list).contains("/registry/2014/ZQ001"));
    assert!(html.contains("共 3 条"));
    assert!(!list.contains("********"), "no ID numbers in the list");
    // Townships as quick links; the status filter; the household search.
    assert!(html.contains("城关镇"));
    let p = b
        .get(&format!("/registry?area={ZHOUQU}&year=2014&status=exited"))
        .text();
    assert!(p.contains("共 1 条") && element(&p, "households").contains("ZQ002"));
    let p = b
        .get(&format!("/registry?area={ZHOUQU}&year=2014&q=ZQ003"))
        .text();
    assert!(p.contains("共 1 条"));
    let p = b.get(&format!("/registry?area={MIAOGOU}&year=2013")).text();
    assert!(p.contains("共 1 条"), "ZQ002 only in Miaogou in 2013");
    // The list exports, without ID numbers.
    let x = b.get(&format!("/registry?area={ZHOUQU}&year=2014&format=xlsx"));
    assert_xlsx(&x, "households");
    let t = dingdian_app::tabular::read("h.xlsx", &x.body, dingdian_app::tabular::Encoding::Auto)
        .unwrap();
    assert_eq!(t.rows.len(), 3);
    assert!(!t.headers.iter().any(|h| h.contains("证件")));

    // Search by ID number: both years of ZQ002's head.
    let (_, _, id, _, _) = &fixture_people()[3];
    let r = b.get(&format!("/registry/search?id_number={id}"));
    r.expect(200);
    let found = element(&r.text(), "registrations");
    assert!(
        unescape(&found).contains("/registry/2013/ZQ002")
            && unescape(&found).contains("/registry/2014/ZQ002"),
        "{found}"
    );
    // Lower-case x and blanks are fine; a malformed number is named under the field.
    let r = b.get("/registry/search?id_number=12345");
    r.expect(422);
    assert!(r.text().contains("field-error"));
    let r = b.get(&format!(
        "/registry/search?id_number={}",
        id_number("19990909", 99)
    ));
    r.expect(200);
    assert!(r.text().contains("id=\"not-found\""));
    // A county officer of another county sees none of it.
    user(&web.app, "county1", "county", None, Some(XINGTANG));
    let mut cb = web.browser();
    cb.sign_in("county1", PASSWORD);
    let other = cb.get(&format!("/registry?area={ZHOUQU}&year=2014"));
    other.expect(200);
    assert!(other.text().contains("共 0 条"));
    cb.get("/registry/2014/ZQ001").expect(404);
    let r = cb.get(&format!("/registry/search?id_number={id}"));
    assert!(r.text().contains("id=\"not-found\""));
    // Its own county is where its registry starts.
    let own = cb.get("/registry");
    own.expect(200);
    assert!(own.text().contains("行唐县"));
}

fn poverty_lines_are_listed_and_amended_by_the_office(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    let r = b.get("/poverty-lines");
    r.expect(200);
    let html = r.text();
    let table = element(&html, "lines");
    assert!(table.contains("2,800") && table.contains("2014"));
    assert!(html.contains("id=\"amend\""));
    // The edit link fills the form.
    let form = b.get("/poverty-lines?year=2014").text();
    assert!(form.contains("value=\"2800\""));
    let csrf = csrf_of(&html);
    // Errors under the fields, input kept.
    let r = b.post(
        "/poverty-lines",
        &[
            ("_csrf", &csrf),
            ("year", "2014"),
            ("line_yuan", "-5"),
            ("note", "试"),
        ],
    );
    r.expect(422);
    assert!(r.text().contains("field-error") && r.text().contains("value=\"-5\""));
    let r = b.post(
        "/poverty-lines",
        &[("_csrf", &csrf), ("year", "abcd"), ("line_yuan", "2900")],
    );
    r.expect(422);
    // Amend 2014.
    let r = b.post(
        "/poverty-lines",
        &[
            ("_csrf", &csrf),
            ("year", "2014"),
            ("line_yuan", "2900.50"),
            ("note", "测试修订"),
        ],
    );
    r.expect(303);
    let after = b.get("/poverty-lines?done=saved").text();
    assert!(element(&after, "lines").contains("2,900.50") && after.contains("测试修订"));
    assert_eq!(
        web.app
            .poverty_lines(&cli())
            .unwrap()
            .iter()
            .find(|l| l.year == 2014)
            .unwrap()
            .line_fen,
        290_050
    );
    // The inspector reads but cannot amend.
    user(&web.app, "inspector1", "inspector", None, None);
    let mut ib = web.browser();
    ib.sign_in("inspector1", PASSWORD);
    let p = ib.get("/poverty-lines");
    p.expect(200);
    assert!(!p.text().contains("id=\"amend\""));
    let csrf = csrf_of(&p.text());
    ib.post(
        "/poverty-lines",
        &[("_csrf", &csrf), ("year", "2014"), ("line_yuan", "1")],
    )
    .expect(403);
}

fn the_job_page_offers_the_rejects_file_to_who_may_follow_the_job(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "zhouqu1", "county", None, Some(ZHOUQU));
    user(&web.app, "zhouqu2", "county", None, Some(ZHOUQU));
    user(&web.app, "xingtang1", "county", None, Some(XINGTANG));
    let mut b = web.browser();
    b.sign_in("zhouqu1", PASSWORD);
    let csrf = csrf_of(&b.get("/registry/import").text());
    let good = id_number("19800101", 11);
    let mut bad = id_number("19820202", 22);
    let last = if bad.ends_with('1') { '2' } else { '1' };
    bad.replace_range(17.., &last.to_string());
    let bad_row = format!("2014,{TADE},ZQ101,{bad},陈三,户主,2100,未脱贫,2014,,缺水");
    let csv = format!(
        "{REGISTRY_HEADER}\n2014,{MIAOGOU},ZQ100,{good},刘一,户主,1800,未脱贫,2014,,因病\n{bad_row}\n"
    );
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf), ("skip_invalid", "true")],
        "county.csv",
        csv.as_bytes(),
    );
    r.expect(303);
    let job = r.header("location").unwrap().to_string();
    let html = finished_job_page(&mut b, &job);
    assert!(element(&html, "report-rejected").contains('1'));
    let link = element(&html, "rejects-download");
    let href = format!("{job}/rejects.csv");
    assert!(unescape(&link).contains(&href), "{link}");

    let downloads = || {
        dingdian_testkit::beneath(&web.url)
            .read(|c| {
                c.query_i64(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'registry.rejects.download'",
                    &[],
                )
            })
            .unwrap()
    };
    assert_eq!(downloads(), 0);
    let r = b.get(&href);
    r.expect(200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("county.rejects.csv")
    );
    assert!(
        r.body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM, as the CLI writes it"
    );
    let text = String::from_utf8(r.body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{REGISTRY_HEADER},错误/error"));
    assert!(
        lines[1].starts_with(&bad_row),
        "the row as sent: {}",
        lines[1]
    );
    assert!(lines[1].contains("校验码"), "{}", lines[1]);
    assert_eq!(lines.len(), 2);
    assert_eq!(downloads(), 1, "the download is audited");

    // Another importer of the county may have it; another county may not.
    let mut colleague = web.browser();
    colleague.sign_in("zhouqu2", PASSWORD);
    colleague.get(&href).expect(200);
    let mut stranger = web.browser();
    stranger.sign_in("xingtang1", PASSWORD);
    stranger.get(&href).expect(404);
    let mut anon = web.browser();
    let r = anon.get(&href);
    assert_eq!(r.status.as_u16(), 303);
    assert!(r.header("location").unwrap().starts_with("/login"));

    // A job without rejected rows offers no download.
    let clean = format!(
        "{REGISTRY_HEADER}\n2014,{MIAOGOU},ZQ102,{},刘五,户主,1800,未脱贫,2014,,因病\n",
        id_number("19810101", 55)
    );
    let r = upload(
        &mut b,
        "/registry/import",
        &[("_csrf", &csrf)],
        "ok.csv",
        clean.as_bytes(),
    );
    let job = r.header("location").unwrap().to_string();
    let html = finished_job_page(&mut b, &job);
    assert!(!html.contains("rejects-download"));
    b.get(&format!("{job}/rejects.csv")).expect(404);
}

fn extended_fields_on_the_card_the_api_and_the_dashboard(db: &TestDb) {
    let web = Web::new(db);
    let ext = format!(
        "{REGISTRY_HEADER},户类型,其他致贫原因,转移性收入,住房安全有保障,健康状况,文化程度\n\
         2014,{MIAOGOU},ZQ200,{},刘一,户主,1800,未脱贫,2014,,因病,低保贫困户,缺水,1200.5,否,长期慢性病,初中\n\
         2014,{MIAOGOU},ZQ200,{},刘二,配偶,1800,未脱贫,2014,,因病,低保贫困户,缺水,1200.5,否,健康,小学\n\
         2014,{TADE},ZQ201,{},陈三,户主,2100,未脱贫,2014,,缺水,一般贫困户,,,是,,\n",
        id_number("19700101", 11),
        id_number("19720101", 22),
        id_number("19750505", 33)
    );
    web.app
        .import_registry(
            &cli(),
            "ext.csv",
            ext.as_bytes(),
            Default::default(),
            &|_, _, _| {},
        )
        .unwrap();
    web.app
        .import_statistics(
            &cli(),
            "s.csv",
            statistics_csv().as_bytes(),
            Default::default(),
        )
        .unwrap();
    let mut b = office_browser(&web);
    let html = b.get("/registry/2014/ZQ200").text();
    let facts = element(&html, "extended");
    for word in [
        "户类型",
        "低保贫困户",
        "其他致贫原因",
        "缺水",
        "转移性收入",
        "1,200.50",
        "住房安全有保障",
        "否",
    ] {
        assert!(facts.contains(word), "{word} in {facts}");
    }
    let members = element(&html, "members");
    assert!(
        members.contains("健康状况") && members.contains("长期慢性病") && members.contains("初中")
    );
    // A household without extended fields shows none of it.
    let plain = b.get("/registry/2014/ZQ201").text();
    assert!(!element(&plain, "members").contains("健康状况"));

    // The API: the household fields beside the contract's, members' too.
    let token = web.direct_token("office1", PASSWORD);
    let r = web.get(
        &format!("/households?county={ZHOUQU}&year=2014&household=ZQ200"),
        &token,
    );
    r.expect(200);
    let h = &r.json()["items"][0];
    assert_eq!(h["household_type"], "subsistence");
    assert_eq!(h["other_causes"], serde_json::json!(["water"]));
    assert_eq!(h["transfer_income"], 1200.5);
    assert_eq!(h["housing_secure"], false);
    assert_eq!(h["wage_income"], Value::Null);
    let health: Vec<&str> = h["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["health"].as_str().unwrap())
        .collect();
    assert_eq!(health.len(), 2);
    assert!(health.contains(&"chronic_illness") && health.contains(&"healthy"));

    // Indicators sliced by household type, through the API and the page.
    let r = web.get(
        &format!("/indicators?area={ZHOUQU}&year=2014&household_type=subsistence"),
        &token,
    );
    r.expect(200);
    assert_eq!(r.json()["items"][0]["registered_population"], 2);
    let r = web.get(
        &format!("/indicators?area={ZHOUQU}&year=2014&household_type=general"),
        &token,
    );
    assert_eq!(r.json()["items"][0]["registered_population"], 1);
    web.get("/indicators?household_type=rich", &token)
        .expect(422);
    let page = b
        .get(&format!(
            "/indicators?area={ZHOUQU}&year=2014&household_type=general"
        ))
        .text();
    assert!(
        page.contains("<option value=\"general\" selected"),
        "the filter is kept"
    );

    // The statistics API honours skip_invalid; errors in the import shape.
    let body = "年度,区划代码,农村人口,农民人均纯收入\n2014,623023,50,4675\n2014,999999,1,1\n";
    let r = web.api_raw(
        "post",
        "/imports/statistics?file_name=s.csv",
        Some(&token),
        Some(body.as_bytes().to_vec()),
        &[],
    );
    r.expect(422);
    assert_eq!(import_columns(&r), vec!["area_code"]);
    let f = &r.json()["error"]["fields"][0];
    assert_eq!(
        (f["row"].as_i64(), f["code"].as_str()),
        (Some(3), Some("unknown_county"))
    );
    assert!(f["message_en"].as_str().unwrap().contains("county"));
    let r = web.api_raw(
        "post",
        "/imports/statistics?file_name=s.csv&skip_invalid=true",
        Some(&token),
        Some(body.as_bytes().to_vec()),
        &[],
    );
    r.expect(200);
    let v = r.json();
    assert_eq!(
        (v["rows"].as_i64(), v["rejected"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["errors"][0]["column"], "area_code");
}

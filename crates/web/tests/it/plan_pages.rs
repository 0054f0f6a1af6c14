//! The plan page puts the work first and pages its pairings; the unit's
//! agreement is given once; the reviewer sees coverage and answers at the
//! top; the audit log, the poverty lines and the plan's history read in
//! the reader's language. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_testkit::{TestDb, both_backends};
use std::io::Write;

both_backends!(
    the_plan_page_puts_adding_pairings_before_the_collapsed_uncovered_list,
    a_failed_pairing_is_marked_at_its_field_in_the_form_at_the_top,
    the_plan_page_pages_and_filters_its_pairings,
    reasons_for_uncovered_counties_import_from_a_file_on_the_plan_page,
    the_reviewer_sees_coverage_and_answers_before_the_pairings,
    a_units_agreement_is_given_once,
    the_plan_history_names_people_and_reads_in_one_language,
    the_audit_log_reads_as_sentences_in_the_readers_language,
    poverty_line_notes_read_in_the_readers_language,
);

/// The text a reader sees: tags and their attributes removed, and code
/// (`<code>`, which shows stored codes as they are) left out.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<code") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once("</code>").map(|x| x.1).unwrap_or("");
    }
    out.push_str(rest);
    let mut text = String::new();
    let mut in_tag = false;
    for ch in out.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text)
}

fn office_browser(web: &Web) -> Browser<'_> {
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    b
}

fn the_plan_page_puts_adding_pairings_before_the_collapsed_uncovered_list(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "结对单位");
    let plan = draft_plan(&web.app, "总体方案");
    pair(&web.app, plan, u, XINGTANG, "lead");
    let mut b = office_browser(&web);
    let r = b.get(&format!("/plans/{plan}"));
    r.expect(200);
    let html = main_of(&r.text());
    let add = html
        .find("id=\"add-pairing\"")
        .expect("the add-pairing form");
    let import = html.find("/import\"").expect("the pairing import");
    let uncovered = html.find("id=\"uncovered\"").expect("the uncovered list");
    let list = html.find("id=\"pairings\"").expect("the pairings");
    assert!(
        add < uncovered && import < uncovered && uncovered < list,
        "{html}"
    );
    // Collapsed: a <details> that is not open.
    let details = &html[uncovered..list];
    assert!(details.contains("<details>"), "{details}");
    assert!(
        visible(details).contains("未覆盖的县（3 个）"),
        "{}",
        visible(details)
    );
}

fn a_failed_pairing_is_marked_at_its_field_in_the_form_at_the_top(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "结对单位");
    let plan = draft_plan(&web.app, "总体方案");
    let mut b = office_browser(&web);
    let csrf = b.csrf();
    let r = b.post(
        &format!("/plans/{plan}/pairings"),
        &[
            ("_csrf", &csrf),
            ("unit_id", &u.to_string()),
            ("county_code", "999999"),
            ("role", "lead"),
        ],
    );
    r.expect(422);
    let html = main_of(&r.text());
    let form = html.find("id=\"add-pairing\"").unwrap();
    let invalid = html
        .find("aria-invalid=\"true\"")
        .expect("the field is marked");
    let message = html.find("field-error").expect("the message at the field");
    let uncovered = html.find("id=\"uncovered\"").unwrap();
    assert!(form < invalid && invalid < uncovered, "{html}");
    assert!(form < message && message < uncovered, "{html}");
    let county_field = html.find("name=\"county_code\"").unwrap();
    assert!(
        county_field < invalid && invalid - county_field < 200,
        "the county field is the one marked"
    );
}

fn the_plan_page_pages_and_filters_its_pairings(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let plan = draft_plan(&web.app, "总体方案");
    for i in 0..55 {
        let u = unit(&web.app, &format!("单位{i:02}"));
        pair(&web.app, plan, u, XINGTANG, "member");
    }
    let lead = unit(&web.app, "灵寿牵头单位");
    pair(&web.app, plan, lead, LINGSHOU, "lead");
    let mut b = office_browser(&web);
    let rows = |html: &str| main_of(html).matches("/delete\"").count();
    let first = b.get(&format!("/plans/{plan}")).text();
    assert_eq!(rows(&first), 50, "one page of pairings");
    assert!(visible(&main_of(&first)).contains("共 56 条"));
    let second = b.get(&format!("/plans/{plan}?page=2")).text();
    assert_eq!(rows(&second), 6);
    let filtered = b
        .get(&format!("/plans/{plan}?pq={}", urlencoding::encode("灵寿")))
        .text();
    assert_eq!(rows(&filtered), 1);
    assert!(main_of(&filtered).contains("灵寿牵头单位"));
    let by_code = b.get(&format!("/plans/{plan}?pq={LINGSHOU}")).text();
    assert_eq!(rows(&by_code), 1);
}

/// A multipart form with the CSRF token and one file.
fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----dingdianBoundaryPlanPages";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(b: &Browser<'_>, path: &str, csrf: &str, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(csrf, name, bytes);
    let cookies: Vec<String> = b
        .cookies
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    b.web.send(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, cookies.join("; "))
            .body(Body::from(body))
            .unwrap(),
    )
}

fn reasons_for_uncovered_counties_import_from_a_file_on_the_plan_page(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "结对单位");
    let plan = draft_plan(&web.app, "总体方案");
    pair(&web.app, plan, u, XINGTANG, "lead");
    let mut b = office_browser(&web);
    let csrf = b.csrf();
    let path = format!("/plans/{plan}/exceptions/import");
    // The downloadable list is the file to fill in.
    let list = b.get(&format!("/plans/{plan}/uncovered.xlsx"));
    list.expect(200);
    let t =
        dingdian_app::tabular::read("u.xlsx", &list.body, dingdian_app::tabular::Encoding::Auto)
            .unwrap();
    assert_eq!(t.headers, ["县级区划代码", "县名称", "未覆盖理由"]);
    assert_eq!(t.rows.len(), 3);
    // A wrong row is named, the uncovered list stays open and nothing is kept.
    let bad = format!("县级区划代码,未覆盖理由\n{JIANGHUA},省内帮扶\n130127,不在名单\n");
    let r = upload(&b, &path, &csrf, "r.csv", bad.as_bytes());
    r.expect(422);
    let html = main_of(&r.text());
    assert!(html.contains("<details open>"), "{html}");
    assert!(
        visible(&html).contains("该县不在方案所覆盖的县名单中"),
        "{html}"
    );
    assert!(
        web.app
            .plan_detail(&cli(), plan)
            .unwrap()
            .exceptions
            .is_empty()
    );
    let good = format!(
        "县级区划代码,未覆盖理由\n{JIANGHUA},省内帮扶\n{LINGSHOU},另行安排\n{ZHOUQU},待定\n"
    );
    let r = upload(&b, &path, &csrf, "r.csv", good.as_bytes());
    r.expect(303);
    let page = main_of(&b.get(&format!("/plans/{plan}")).text());
    assert!(
        visible(&page).contains("已记录理由 3 个"),
        "{}",
        visible(&page)
    );
    // Without the session's token nothing happens.
    let r = upload(&b, &path, "forged", "r.csv", good.as_bytes());
    assert_eq!(r.status.as_u16(), 403);
}

/// A consultation plan with three paired units, one of which answered.
fn consultation(web: &Web) -> (i64, [i64; 3]) {
    county_list(&web.app);
    let units = [
        unit(&web.app, "甲单位"),
        unit(&web.app, "乙单位"),
        unit(&web.app, "丙单位"),
    ];
    let plan = draft_plan(&web.app, "总体方案");
    pair(&web.app, plan, units[0], XINGTANG, "lead");
    pair(&web.app, plan, units[1], LINGSHOU, "lead");
    pair(&web.app, plan, units[2], JIANGHUA, "lead");
    pair(&web.app, plan, units[0], ZHOUQU, "lead");
    web.app
        .transition_plan(&cli_office(web), plan, "consultation", None)
        .unwrap();
    user(&web.app, "jia", "unit", Some(units[0]), None);
    user(&web.app, "yi", "unit", Some(units[1]), None);
    (plan, units)
}

fn cli_office(web: &Web) -> dingdian_app::Actor {
    if dingdian_testkit::stored_user(&web.url, "office9").is_none() {
        user(&web.app, "office9", "office", None, None);
    }
    actor(web, "office9")
}

fn the_reviewer_sees_coverage_and_answers_before_the_pairings(db: &TestDb) {
    let web = Web::new(db);
    let (plan, _) = consultation(&web);
    web.app
        .give_feedback(&actor(&web, "jia"), plan, "accept", "")
        .unwrap();
    user(&web.app, "reviewer1", "reviewer", None, None);
    let mut b = web.browser();
    b.sign_in("reviewer1", PASSWORD);
    let html = main_of(&b.get(&format!("/plans/{plan}")).text());
    let summary = html
        .find("id=\"plan-summary\"")
        .expect("a summary at the top");
    let pairings = html.find("id=\"pairings\"").unwrap();
    let feedback = html.find("id=\"summary-feedback\"").unwrap();
    assert!(summary < pairings && feedback < pairings, "{html}");
    let text = visible(&html[summary..pairings]);
    assert!(text.contains("已反馈 1/3 单位"), "{text}");
    assert!(text.contains("已结对 4 / 共 4 个"), "{text}");
    assert!(
        html.contains("id=\"summary-coverage\""),
        "the reviewer sees coverage"
    );
}

fn a_units_agreement_is_given_once(db: &TestDb) {
    let web = Web::new(db);
    let (plan, _) = consultation(&web);
    let mut b = web.browser();
    b.sign_in("jia", PASSWORD);
    let page = b.get(&format!("/plans/{plan}")).text();
    assert!(page.contains("id=\"feedback-accept\""), "offered before");
    let csrf = b.csrf();
    let form = [("_csrf", csrf.as_str()), ("kind", "accept")];
    b.post(&format!("/plans/{plan}/feedback"), &form)
        .expect(303);
    let page = b.get(&format!("/plans/{plan}")).text();
    assert!(
        !page.contains("id=\"feedback-accept\""),
        "no longer offered"
    );
    assert!(page.contains("id=\"already-agreed\""));
    // Pressing again (from a page opened before) is refused, writing nothing.
    let again = b.post(&format!("/plans/{plan}/feedback"), &form);
    again.expect(409);
    assert!(visible(&main_of(&again.text())).contains("本单位已对此方案表示同意"));
    let n: i64 = dingdian_testkit::beneath(&web.url)
        .read(|c| c.query_i64("SELECT COUNT(*) FROM plan_feedback", &[]))
        .unwrap();
    assert_eq!(n, 1);
}

fn the_plan_history_names_people_and_reads_in_one_language(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "结对单位");
    let plan = full_plan(&web.app, "总体方案", u);
    let office = cli_office(&web);
    user(&web.app, "reviewer1", "reviewer", None, None);
    let reviewer = actor(&web, "reviewer1");
    for (who, to) in [(&office, "consultation"), (&office, "submitted")] {
        web.app.transition_plan(who, plan, to, None).unwrap();
    }
    web.app
        .transition_plan(&reviewer, plan, "approved", None)
        .unwrap();
    let v2 = web.app.new_plan_version(&office, plan).unwrap();
    let mut b = web.browser();
    b.sign_in("office9", PASSWORD);
    let zh = visible(&main_of(&b.get(&format!("/plans/{v2}")).text()));
    assert!(zh.contains("第 1 版的修订"), "{zh}");
    assert!(!zh.contains("revises"), "{zh}");
    assert!(zh.contains("office9 测试"), "the display name: {zh}");
    assert!(
        zh.contains("测试县名单"),
        "the list's name, not its code: {zh}"
    );
    assert!(!zh.contains(LIST), "{zh}");
    let old = visible(&main_of(&b.get(&format!("/plans/{plan}")).text()));
    assert!(old.contains("reviewer1 测试"), "{old}");
    let csrf = b.csrf();
    b.post("/lang", &[("_csrf", &csrf), ("to", "en"), ("next", "/")]);
    let en = visible(&main_of(&b.get(&format!("/plans/{v2}")).text()));
    assert!(en.contains("revises version 1"), "{en}");
    assert!(!en.contains("第 1 版"), "{en}");
    assert!(en.contains("Test county list"), "{en}");
}

fn the_audit_log_reads_as_sentences_in_the_readers_language(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "结对单位");
    let plan = full_plan(&web.app, "总体方案", u);
    let office = cli_office(&web);
    web.app
        .transition_plan(&office, plan, "consultation", None)
        .unwrap();
    user(&web.app, "auditor1", "auditor", None, None);
    let mut b = web.browser();
    b.sign_in("auditor1", PASSWORD);
    let html = main_of(&b.get("/audit").text());
    let zh = visible(&html);
    for words in [
        "方案状态变更",
        "由“草稿”转为“征求意见”",
        "成功",
        "新增结对",
        "方案 ",
    ] {
        assert!(zh.contains(words), "{words}: {zh}");
    }
    for code in [
        "plan.transition",
        "pairing.create",
        "success",
        "draft -> consultation",
        "->",
    ] {
        assert!(!zh.contains(code), "{code} shown as code: {zh}");
    }
    let csrf = b.csrf();
    b.post("/lang", &[("_csrf", &csrf), ("to", "en"), ("next", "/")]);
    let en = visible(&main_of(&b.get("/audit").text()));
    for words in [
        "Plan status changed",
        "from Draft to In consultation",
        "Success",
    ] {
        assert!(en.contains(words), "{words}: {en}");
    }
    assert!(!has_cjk(&en.replace("结对单位", "")), "{en}");
}

fn poverty_line_notes_read_in_the_readers_language(db: &TestDb) {
    let web = Web::new(db);
    let mut b = office_browser(&web);
    let zh = visible(&main_of(&b.get("/poverty-lines").text()));
    assert!(zh.contains("现价"), "{zh}");
    for english in ["current prices", "standard", "approximate"] {
        assert!(!zh.contains(english), "{english}: {zh}");
    }
    let lists = visible(&main_of(&b.get("/county-lists").text()));
    assert!(!lists.contains("The shipped list"), "{lists}");
    assert!(lists.contains("随产品提供的名单"), "{lists}");
}

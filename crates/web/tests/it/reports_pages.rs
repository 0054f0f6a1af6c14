//! Reports on the pages and the API: the cadre writes and submits through
//! the form (no script needed) and the autosave route, a stale revision is
//! 409 and changes nothing, the unit returns it with a comment, the list
//! marks overdue reports and exports them, the office sets the calendar,
//! punctuality draws its charts, and every API answer is as the document
//! declares. Both backends.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, audit_records, both_backends, insert_secondment};
use serde_json::json;

both_backends!(
    a_cadre_writes_and_the_unit_returns_on_the_pages,
    the_list_calendar_and_punctuality_pages,
    the_reports_api_answers_as_the_document_declares,
);

/// U1's team in Zhouqu since 2024-07 (the cadre `r_cadre` its leader),
/// U2's in Xingtang; the 2024 calendar, which opens their Q3, Q4, year-end
/// reports and annual summaries.
fn world(web: &Web) -> (i64, i64) {
    let app = &web.app;
    let (u1, u2) = (unit(app, "本单位"), unit(app, "他单位"));
    user(app, "r_cadre", "cadre", Some(u1), Some(ZHOUQU));
    user(app, "r_cadre2", "cadre", Some(u1), Some(ZHOUQU));
    user(app, "r_unit", "unit", Some(u1), None);
    user(app, "r_office", "office", None, None);
    let store = dingdian_testkit::beneath(&web.url);
    let cadre = actor(web, "r_cadre").user_id;
    let span = ("2024-07-01", "2027-06-30");
    insert_secondment(
        &store,
        (u1, ZHOUQU),
        ("组长", "leader", "serving"),
        span,
        cadre,
    );
    insert_secondment(
        &store,
        (u2, XINGTANG),
        ("他组长", "leader", "serving"),
        span,
        None,
    );
    let today = dingdian_core::time::today();
    app.set_report_calendar(&cli(), 2024, &Default::default(), today)
        .expect("calendar");
    (u1, u2)
}

fn report_id(web: &Web, token: &str, period: &str) -> i64 {
    let r = web.get(&format!("/reports?period={period}&kind=quarterly"), token);
    r.expect(200);
    r.json()["items"][0]["id"].as_i64().expect("a report")
}

fn a_cadre_writes_and_the_unit_returns_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let token = web.direct_token("r_cadre", PASSWORD);
    let id = report_id(&web, &token, "2024-Q3");
    let mut b = web.browser();
    b.sign_in("r_cadre", PASSWORD);
    let page = b.get(&format!("/reports/{id}"));
    page.expect(200);
    let html = page.text();
    assert!(html.contains("id=\"report-form\"") && html.contains("/assets/report-draft.js"));
    assert!(!html.contains("<script>"), "no inline script under the CSP");
    let csrf = csrf_of(&html);
    let path = format!("/reports/{id}/draft");
    // Without the token nothing is written.
    b.post(&path, &[("revision", "0"), ("work_done", "x")])
        .expect(403);
    let saved = b.post(
        &path,
        &[
            ("_csrf", &csrf),
            ("revision", "0"),
            ("work_done", "修通村道路两条"),
        ],
    );
    saved.expect(200);
    assert_eq!(saved.json()["revision"], 1);
    let stale = b.post(
        &path,
        &[
            ("_csrf", &csrf),
            ("revision", "0"),
            ("work_done", "旧标签页"),
        ],
    );
    stale.expect(409);
    assert_eq!(stale.code(), "stale_revision");
    // A failed submission keeps what was typed on the page.
    let r = b.post(
        &format!("/reports/{id}/submit"),
        &[
            ("_csrf", &csrf),
            ("revision", "1"),
            ("work_done", ""),
            ("problems", "留着的字"),
        ],
    );
    r.expect(422);
    assert!(r.text().contains("留着的字"));
    b.post(
        &format!("/reports/{id}/submit"),
        &[
            ("_csrf", &csrf),
            ("revision", "1"),
            ("work_done", "修通村道路两条"),
            ("next_steps", "继续"),
        ],
    )
    .expect(303);
    // Another cadre of the team cannot take it over.
    let mut other = web.browser();
    other.sign_in("r_cadre2", PASSWORD);
    assert!(
        !other
            .get(&format!("/reports/{id}"))
            .text()
            .contains("id=\"report-form\"")
    );
    // The unit returns it with a comment; the cadre sees the comment.
    let mut u = web.browser();
    u.sign_in("r_unit", PASSWORD);
    let review = u.get(&format!("/reports/{id}"));
    assert!(review.text().contains("id=\"return-report\""));
    let ucsrf = csrf_of(&review.text());
    let no_comment = u.post(
        &format!("/reports/{id}/review"),
        &[("_csrf", &ucsrf), ("decision", "return"), ("comment", "")],
    );
    no_comment.expect(422);
    u.post(
        &format!("/reports/{id}/review"),
        &[
            ("_csrf", &ucsrf),
            ("decision", "return"),
            ("comment", "请补充资金使用情况"),
        ],
    )
    .expect(303);
    let back = b.get(&format!("/reports/{id}"));
    assert!(back.text().contains("请补充资金使用情况"));
    let pdf = b"%PDF-1.4 report scan";
    b.upload(
        &format!("/reports/{id}/attachments"),
        &[("_csrf", &csrf)],
        "扫描件.pdf",
        pdf,
    )
    .expect(303);
    let with_file = b.get(&format!("/reports/{id}"));
    assert!(with_file.text().contains("扫描件.pdf"));
    assert!(!audit_records(&web.url, "report.return").is_empty());
}

fn the_list_calendar_and_punctuality_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = web.browser();
    b.sign_in("r_office", PASSWORD);
    let list = b.get("/reports?status=overdue");
    list.expect(200);
    let html = list.text();
    assert!(html.contains("class=\"overdue\""), "overdue rows in red");
    assert!(html.contains("他单位") && html.contains("2024-Q3"));
    let x = b.get("/reports?format=xlsx");
    x.expect(200);
    assert!(x.body.starts_with(b"PK"));
    assert!(!audit_records(&web.url, "report.export").is_empty());
    let cal = b.get("/reports/calendar?year=2025");
    cal.expect(200);
    assert!(
        cal.text().contains("2026-01-15"),
        "Q4 falls due in the next year"
    );
    let csrf = csrf_of(&cal.text());
    let bad = b.post(
        "/reports/calendar",
        &[
            ("_csrf", &csrf),
            ("year", "2025"),
            ("quarterly_due_days", "200"),
        ],
    );
    bad.expect(422);
    b.post(
        "/reports/calendar",
        &[
            ("_csrf", &csrf),
            ("year", "2025"),
            ("quarterly_due_days", "20"),
        ],
    )
    .expect(303);
    assert!(
        b.get("/reports/calendar?year=2025")
            .text()
            .contains("2025-04-20")
    );
    let p = b.get("/reports/punctuality?year=2024");
    p.expect(200);
    assert!(p.text().contains("<svg") && p.text().contains("本单位"));
    // A unit sees no calendar form.
    let mut u = web.browser();
    u.sign_in("r_unit", PASSWORD);
    assert!(
        !u.get("/reports/calendar?year=2025")
            .text()
            .contains("id=\"set-calendar\"")
    );
}

fn the_reports_api_answers_as_the_document_declares(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = world(&web);
    let cadre = web.direct_token("r_cadre", PASSWORD);
    let unit = web.direct_token("r_unit", PASSWORD);
    let office = web.direct_token("r_office", PASSWORD);
    let check = |method: &str, path: &str, r: &Resp| answers_as_declared(method, path, r);
    let list = web.get(&format!("/reports?unit={u1}&status=overdue"), &office);
    list.expect(200);
    check("get", "/reports", &list);
    let item = &list.json()["items"][0];
    for k in [
        "id",
        "kind",
        "period",
        "unit_id",
        "county_code",
        "author",
        "due",
        "submitted_at",
        "status",
    ] {
        assert!(item.get(k).is_some(), "{k} in {item}");
    }
    assert_eq!(
        web.get("/reports?status=late", &office).status.as_u16(),
        422
    );
    let id = report_id(&web, &cadre, "2024-Q4");
    let path = format!("/reports/{id}/draft");
    let d = web.post(
        &path,
        &cadre,
        json!({ "revision": 0, "work_done": "第四季度" }),
    );
    d.expect(200);
    check("post", &path, &d);
    let stale = web.post(&path, &cadre, json!({ "revision": 0, "work_done": "旧" }));
    stale.expect(409);
    check("post", &path, &stale);
    let s = web.post(
        &format!("/reports/{id}/submit"),
        &cadre,
        json!({ "revision": 1 }),
    );
    s.expect(200);
    check("post", "/reports/{id}/submit", &s);
    assert!(s.json()["submitted_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(s.json()["figures_frozen"], true);
    let r = web.post(
        &format!("/reports/{id}/review"),
        &unit,
        json!({ "decision": "return", "comment": "补充" }),
    );
    r.expect(200);
    check("post", "/reports/{id}/review", &r);
    assert_eq!(r.json()["history"][1]["comment"], "补充");
    let g = web.get(&format!("/reports/{id}"), &cadre);
    check("get", "/reports/{id}", &g);
    let early = web.post(
        "/reports",
        &cadre,
        json!({ "kind": "quarterly", "period": "2099-Q1" }),
    );
    early.expect(422);
    assert!(early.text().contains("period_not_ended"));
    let c = web.get("/report-calendars/2024", &cadre);
    c.expect(200);
    check("get", "/report-calendars/{year}", &c);
    assert_eq!(c.json()["schedule"].as_array().unwrap().len(), 6);
    web.get("/report-calendars/2023", &cadre).expect(404);
    let put = web.api(
        "put",
        "/report-calendars/2025",
        Some(&office),
        Some(json!({ "year_end_due": "2026-01-10" })),
    );
    put.expect(200);
    check("put", "/report-calendars/{year}", &put);
    let p = web.get("/reports/punctuality?year=2024", &office);
    p.expect(200);
    check("get", "/reports/punctuality", &p);
    assert!(p.json()["units"].as_array().unwrap().len() >= 2);
}

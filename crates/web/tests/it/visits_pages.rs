//! Leader visits and the inbox on the pages and the API: the unit's form
//! behind its CSRF token, the list with search and export, the office's
//! page of pairings not yet visited, the inbox with its unread count in
//! the top bar and its mark-read button, the e-mail address on My
//! account, and API answers as the document declares them. Both backends.

use crate::common;
use crate::records_pages::{self, signed_in};

use common::*;
use dingdian_app::reminders::ReminderRunner;
use dingdian_testkit::{TestDb, audit_records, both_backends};
use serde_json::json;

both_backends!(
    a_unit_records_a_visit_and_the_office_sees_who_has_not_visited,
    the_inbox_counts_shows_and_marks_reminders_read,
    the_visit_and_inbox_api_answers_as_the_document_declares,
);

/// The world of the records' pages (U1 leads Zhouqu, U2 the other test
/// counties, 2021–2025; `w_unit` of U1, `w_office`) and a cadre of U1 in
/// Zhouqu (`w_cadre`).
fn world(web: &Web) -> (i64, i64) {
    let units = records_pages::world(web);
    user(&web.app, "w_cadre", "cadre", Some(units.0), Some(ZHOUQU));
    units
}

const VISIT: &[(&str, &str)] = &[
    ("county_code", ZHOUQU),
    ("leader_name", "李副部长"),
    ("leader_level", "deputy"),
    ("date", "2024-04-10"),
    ("places", "曲瓦乡、城关镇"),
    ("purpose", "调研花椒产业项目"),
    ("decisions", "追加帮扶资金"),
];

fn a_unit_records_a_visit_and_the_office_sees_who_has_not_visited(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "w_unit");
    let form = b.get("/leader-visits/new");
    form.expect(200);
    assert!(
        form.text().contains("舟曲县"),
        "the paired county is offered"
    );
    b.post("/leader-visits", VISIT).expect(403);
    let csrf = csrf_of(&form.text());
    let mut sent = vec![("_csrf", csrf.as_str())];
    sent.extend_from_slice(VISIT);
    b.post("/leader-visits", &sent).expect(303);
    let mut bad = sent.clone();
    bad.retain(|(k, _)| *k != "date");
    bad.push(("date", "2999-01-01"));
    let r = b.post("/leader-visits", &bad);
    r.expect(422);
    assert!(r.text().contains("field-error") && r.text().contains("李副部长"));
    let list = b.get("/leader-visits");
    list.expect(200);
    assert!(list.text().contains("李副部长") && list.text().contains("追加帮扶资金"));
    let none = b.get("/leader-visits?q=%E6%B2%A1%E6%9C%89");
    assert!(!none.text().contains("李副部长"));
    let x = b.get("/leader-visits?format=xlsx");
    x.expect(200);
    assert!(
        x.header("content-type")
            .unwrap_or("")
            .contains("spreadsheetml")
    );
    assert!(!audit_records(&web.url, "leader_visit.export").is_empty());

    let mut office = signed_in(&web, "w_office");
    let missing = office.get("/leader-visits/missing?year=2024");
    missing.expect(200);
    let text = missing.text();
    assert!(
        text.contains("他单位") && text.contains("尚未调研"),
        "{text}"
    );
    assert!(text.contains("2024-04-10"), "U1's visit to Zhouqu");
    office.get("/leader-visits/missing").expect(200);
    office.get("/leader-visits/new").expect(403);
    let mut cadre = signed_in(&web, "w_cadre");
    cadre.get("/leader-visits/new").expect(403);
    assert!(cadre.get("/leader-visits").text().contains("李副部长"));
}

fn runner() -> ReminderRunner {
    ReminderRunner {
        holder: "test".into(),
        lease_seconds: 60,
        mailer: None,
    }
}

/// Noon in China on a day of October 2024: U1 and U2 have not visited.
fn october() -> i64 {
    chrono::NaiveDate::from_ymd_opt(2024, 10, 8)
        .unwrap()
        .and_hms_opt(4, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn the_inbox_counts_shows_and_marks_reminders_read(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let out = web.app.run_reminders(october(), &runner()).unwrap();
    assert!(out.created >= 1, "{out:?}");
    let mut b = signed_in(&web, "w_unit");
    let home = b.get("/");
    assert!(
        home.text().contains("id=\"unread-count\">1<"),
        "{}",
        home.text()
    );
    let inbox = b.get("/inbox");
    inbox.expect(200);
    let text = inbox.text();
    assert!(text.contains("本年度单位领导尚未到舟曲县调研"), "{text}");
    let id = text
        .split("action=\"/inbox/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a mark-read button")
        .to_string();
    let csrf = csrf_of(&text);
    let path = format!("/inbox/{id}/read");
    b.post(&path, &[]).expect(403);
    b.post(&path, &[("_csrf", csrf.as_str())]).expect(303);
    assert!(!b.get("/").text().contains("unread-count"));
    assert!(!b.get("/inbox?unread=true").text().contains("尚未到舟曲县"));
    // Another account's reminder does not exist for the office.
    let mut office = signed_in(&web, "w_office");
    let o = office.get("/inbox");
    office
        .post(&path, &[("_csrf", csrf_of(&o.text()).as_str())])
        .expect(404);

    let account = b.get("/account");
    let csrf = csrf_of(&account.text());
    b.post(
        "/account/email",
        &[("_csrf", csrf.as_str()), ("email", "unit@example.cn")],
    )
    .expect(303);
    assert!(b.get("/account").text().contains("unit@example.cn"));
    b.post(
        "/account/email",
        &[("_csrf", csrf.as_str()), ("email", "not mail")],
    )
    .expect(422);
}

fn the_visit_and_inbox_api_answers_as_the_document_declares(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = world(&web);
    let unit = web.direct_token("w_unit", PASSWORD);
    let office = web.direct_token("w_office", PASSWORD);
    let body = json!({ "county_code": ZHOUQU, "leader_name": "张部长", "leader_level": "principal",
                       "date": "2024-05-01", "places": "县城", "purpose": "调研", "decisions": "" });
    let id = web
        .post("/leader-visits", &unit, body.clone())
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut bad = body.clone();
    bad["county_code"] = json!(XINGTANG);
    let r = web.post("/leader-visits", &unit, bad);
    r.expect(422);
    assert_eq!(r.fields(), vec!["county_code".to_string()]);
    web.post("/leader-visits", &office, body).expect(403);
    let v = web
        .get(&format!("/leader-visits/{id}"), &office)
        .expect(200)
        .json();
    for (k, want) in [
        ("id", json!(id)),
        ("unit_id", json!(u1)),
        ("county_code", json!(ZHOUQU)),
        ("leader_name", json!("张部长")),
        ("leader_level", json!("principal")),
        ("date", json!("2024-05-01")),
        ("purpose", json!("调研")),
        ("places", json!("县城")),
    ] {
        assert_eq!(v[k], want, "{k}");
    }
    let list = web
        .get("/leader-visits?year=2024&level=principal", &office)
        .expect(200)
        .json();
    assert_eq!(list["total"], 1);
    web.get("/leader-visits?level=minister", &office)
        .expect(422);
    let missing = web
        .get("/leader-visits/missing?year=2024", &office)
        .expect(200)
        .json();
    let items = missing["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "U2's three counties: {missing}");
    assert!(
        items
            .iter()
            .all(|p| p["visited"] == false && p["unit_id"] != u1)
    );

    web.app.run_reminders(october(), &runner()).unwrap();
    let inbox = web.get("/inbox?unread=true", &unit).expect(200).json();
    assert_eq!(inbox["total"], 0, "U1 visited Zhouqu in 2024: {inbox}");
    web.app
        .run_reminders(october() + 366 * 86_400, &runner())
        .unwrap();
    let inbox = web.get("/inbox", &unit).expect(200).json();
    let first = &inbox["items"][0];
    assert_eq!(first["kind"], "visit_missing");
    assert_eq!(first["link"], "/leader-visits/new");
    let rid = first["id"].as_i64().unwrap();
    web.post(&format!("/inbox/{rid}/read"), &office, json!({}))
        .expect(404);
    let read = web
        .post(&format!("/inbox/{rid}/read"), &unit, json!({}))
        .expect(200)
        .json();
    assert_eq!(read, json!({ "id": rid, "read": true }));
}

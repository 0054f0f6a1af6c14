//! Assistance plans and projects on the pages and through the API: the
//! pages render for the unit, the county and the office; forms need their
//! CSRF token; the county agrees a plan on its page; lists export as xlsx
//! (audited); attachments upload by content and download as attachments
//! with nosniff; the API's answers match the OpenAPI document. Every test
//! runs on SQLite and on PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;
use std::io::Write;

both_backends!(
    the_pages_render_for_the_unit_the_county_and_the_office,
    forms_need_their_token_and_the_county_agrees_on_the_page,
    lists_export_as_xlsx_and_the_export_is_audited,
    attachments_upload_by_content_and_download_as_attachments,
    the_api_answers_as_its_document_declares,
);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

struct World {
    plan: i64,
    project: i64,
    attachment: i64,
}

/// An active pairing plan (unit1's unit leads Zhouqu), an agreed
/// assistance plan with a project and an attachment; accounts unit1,
/// zhouqu1, office1 and unit2 (of another unit).
fn world(web: &Web) -> World {
    let app = &web.app;
    county_list(app);
    let (u1, u2) = (unit(app, "帮扶单位甲"), unit(app, "帮扶单位乙"));
    let p = draft_plan(app, "总体方案");
    for c in COUNTIES {
        pair(app, p, if c == ZHOUQU { u1 } else { u2 }, c, "lead");
    }
    for to in ["consultation", "submitted"] {
        app.transition_plan(&cli(), p, to, None).unwrap();
    }
    user(app, "reviewer1", "reviewer", None, None);
    app.transition_plan(&actor(web, "reviewer1"), p, "approved", None)
        .unwrap();
    app.transition_plan(&cli(), p, "active", None).unwrap();
    user(app, "unit1", "unit", Some(u1), None);
    user(app, "unit2", "unit", Some(u2), None);
    user(app, "zhouqu1", "county", None, Some(ZHOUQU));
    user(app, "office1", "office", None, None);
    let (unit, county) = (actor(web, "unit1"), actor(web, "zhouqu1"));
    let plan = app.create_assistance_plan(&unit, &plan_input()).unwrap();
    app.transition_assistance_plan(&unit, plan, "submitted", None)
        .unwrap();
    app.transition_assistance_plan(&county, plan, "agreed", None)
        .unwrap();
    let project = app.create_project(&unit, &project_input(plan)).unwrap();
    let attachment = app
        .add_project_attachment(&unit, project, "现场.png", None, PNG)
        .unwrap();
    World {
        plan,
        project,
        attachment,
    }
}

fn plan_input() -> dingdian_core::assistance::AssistancePlanInput {
    dingdian_core::assistance::AssistancePlanInput {
        county_code: ZHOUQU.into(),
        name: "舟曲县帮扶工作规划".into(),
        period_start: START.into(),
        period_end: END.into(),
        villages: vec!["623023100200".into()],
        measures: vec![dingdian_core::assistance::MeasureInput {
            category: "industry_development".into(),
            description: "花椒种植".into(),
            budget_fen: Some(1_000_000),
        }],
        ..Default::default()
    }
}

fn project_input(plan: i64) -> dingdian_core::project::ProjectInput {
    dingdian_core::project::ProjectInput {
        plan_id: Some(plan),
        name: "拉尕山乡村旅游".into(),
        category: "industry_development".into(),
        budget_fen: Some(5_000_000),
        start_date: "2021-03-01".into(),
        end_date: "2023-10-31".into(),
        implementer: "舟曲县文旅局".into(),
        outputs: vec![dingdian_core::project::OutputInput {
            name: "景区道路".into(),
            measure: "公里".into(),
            planned: "2.5".into(),
        }],
        ..Default::default()
    }
}

fn signed_in<'a>(web: &'a Web, name: &str) -> Browser<'a> {
    let mut b = web.browser();
    b.sign_in(name, PASSWORD);
    b
}

fn the_pages_render_for_the_unit_the_county_and_the_office(db: &TestDb) {
    let web = Web::new(db);
    let w = world(&web);
    for name in ["unit1", "zhouqu1", "office1"] {
        let mut b = signed_in(&web, name);
        for path in [
            "/assistance-plans".to_string(),
            format!("/assistance-plans/{}", w.plan),
            "/projects?status=planned".to_string(),
            format!("/projects/{}", w.project),
        ] {
            let r = b.get(&path);
            r.expect(200);
            let html = main_of(&r.text());
            assert!(
                html.contains("拉尕山乡村旅游") || html.contains("舟曲县帮扶工作规划"),
                "{name} {path}"
            );
        }
        let home = unescape(&b.get("/").text());
        assert!(
            home.contains("href=\"/assistance-plans\""),
            "{name}: a menu entry"
        );
        let new = b.get("/assistance-plans/new");
        new.expect(if name == "unit1" { 200 } else { 403 });
    }
    // The unit sees its buttons; another unit sees nothing of it.
    let mut unit = signed_in(&web, "unit1");
    let page = unit.get(&format!("/projects/{}", w.project)).text();
    assert!(page.contains("id=\"to-cancelled\""), "the unit may cancel");
    assert!(
        !page.contains("id=\"to-approved\""),
        "approving is the county's"
    );
    let mut other = signed_in(&web, "unit2");
    other
        .get(&format!("/assistance-plans/{}", w.plan))
        .expect(404);
    other.get(&format!("/projects/{}", w.project)).expect(404);
    let list = other.get("/projects").text();
    assert!(!list.contains("拉尕山乡村旅游"));
}

fn forms_need_their_token_and_the_county_agrees_on_the_page(db: &TestDb) {
    let web = Web::new(db);
    let w = world(&web);
    let mut unit = signed_in(&web, "unit1");
    let form = [
        ("county_code", ZHOUQU),
        ("name", "第二份规划"),
        ("period_start", "2022-01-01"),
        ("period_end", "2023-12-31"),
        ("m0_category", "education"),
        ("m0_description", "助学"),
        ("m0_budget", "1200.50"),
    ];
    unit.post("/assistance-plans", &form).expect(403);
    let csrf = unit.csrf();
    let mut with = form.to_vec();
    with.push(("_csrf", &csrf));
    let r = unit.post("/assistance-plans", &with);
    r.expect(303);
    let to = r.header("location").unwrap().to_string();
    let id: i64 = to
        .trim_start_matches("/assistance-plans/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = unit.get(&format!("/assistance-plans/{id}")).text();
    assert!(page.contains("1200.50"), "the budget in yuan");
    // A bad amount is shown on the form, nothing written.
    let mut bad = with.clone();
    bad.retain(|(k, _)| *k != "m0_budget");
    bad.push(("m0_budget", "12.345"));
    unit.post("/assistance-plans", &bad).expect(422);
    unit.post(
        &format!("/assistance-plans/{id}/transition"),
        &[("_csrf", &csrf), ("to", "submitted")],
    )
    .expect(303);
    let mut county = signed_in(&web, "zhouqu1");
    let csrf = county.csrf();
    let path = format!("/assistance-plans/{id}/transition");
    county.post(&path, &[("to", "agreed")]).expect(403);
    let r = county.post(
        &path,
        &[("_csrf", &csrf), ("to", "returned"), ("reason", " ")],
    );
    r.expect(422);
    county
        .post(&path, &[("_csrf", &csrf), ("to", "agreed")])
        .expect(303);
    assert!(
        county
            .get(&format!("/assistance-plans/{id}"))
            .text()
            .contains("status-agreed")
    );
    // The county approves the project on a day; a day in the future is refused.
    let step = format!("/projects/{}/transition", w.project);
    let r = county.post(
        &step,
        &[
            ("_csrf", &csrf),
            ("to", "approved"),
            ("on_date", "2099-01-01"),
        ],
    );
    r.expect(422);
    county
        .post(
            &step,
            &[
                ("_csrf", &csrf),
                ("to", "approved"),
                ("on_date", "2021-03-10"),
            ],
        )
        .expect(303);
}

fn lists_export_as_xlsx_and_the_export_is_audited(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut office = signed_in(&web, "office1");
    for (path, action) in [
        ("/assistance-plans?format=xlsx", "assistance_plan.export"),
        ("/projects?format=xlsx&status=planned", "project.export"),
    ] {
        let r = office.get(path);
        r.expect(200);
        assert!(r.header("content-type").unwrap().contains("spreadsheetml"));
        assert!(r.body.starts_with(b"PK"), "an xlsx file");
        let audited = dingdian_testkit::audit_records(&web.url, action);
        assert!(
            audited.iter().any(|a| a.action == action),
            "{action} audited"
        );
    }
}

fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----dingdianBoundaryAssistance";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(b: &Browser<'_>, path: &str, csrf: &str, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(csrf, name, bytes);
    let cookies: Vec<String> = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
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

fn attachments_upload_by_content_and_download_as_attachments(db: &TestDb) {
    let web = Web::new(db);
    let w = world(&web);
    let mut county = signed_in(&web, "zhouqu1");
    let csrf = county.csrf();
    county
        .post(
            &format!("/projects/{}/transition", w.project),
            &[
                ("_csrf", &csrf),
                ("to", "approved"),
                ("on_date", "2021-03-10"),
            ],
        )
        .expect(303);
    let mut unit = signed_in(&web, "unit1");
    let csrf = unit.csrf();
    let path = format!("/projects/{}/attachments", w.project);
    upload(&unit, &path, "forged", "a.png", PNG).expect(403);
    let r = upload(&unit, &path, &csrf, "photo.jpg", b"MZ\x90\0 not a photo");
    r.expect(422);
    assert!(r.text().contains("可执行程序"), "the refusal says why");
    upload(&unit, &path, &csrf, "工地.png", PNG).expect(303);
    let r = unit.get(&format!(
        "/projects/{}/attachments/{}",
        w.project, w.attachment
    ));
    r.expect(200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let cd = r.header("content-disposition").unwrap();
    assert!(
        cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''"),
        "{cd}"
    );
    assert_eq!(&r.body[..], PNG);
    let mut other = signed_in(&web, "unit2");
    other
        .get(&format!(
            "/projects/{}/attachments/{}",
            w.project, w.attachment
        ))
        .expect(404);
}

fn the_api_answers_as_its_document_declares(db: &TestDb) {
    let web = Web::new(db);
    let w = world(&web);
    let unit = web.direct_token("unit1", PASSWORD);
    let county = web.direct_token("zhouqu1", PASSWORD);
    let list = web.get(&format!("/assistance-plans?county={ZHOUQU}"), &unit);
    list.expect(200);
    let item = &list.json()["items"][0];
    for key in [
        "id",
        "unit_id",
        "county_code",
        "name",
        "period_start",
        "period_end",
        "status",
    ] {
        assert!(!item[key].is_null(), "{key} in {item}");
    }
    let body = serde_json::to_value(plan_input()).unwrap();
    let r = web.post("/assistance-plans", &unit, body);
    r.expect(201);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "draft");
    web.post(
        &format!("/assistance-plans/{id}/transition"),
        &unit,
        json!({"to": "submitted"}),
    )
    .expect(200);
    let r = web.post(
        &format!("/assistance-plans/{id}/transition"),
        &county,
        json!({"to": "agreed"}),
    );
    r.expect(200);
    assert_eq!(r.json()["status"], "agreed");
    web.get(&format!("/assistance-plans/{id}"), &unit)
        .expect(200);
    let r = web.post(
        "/projects",
        &unit,
        serde_json::to_value(project_input(id)).unwrap(),
    );
    r.expect(201);
    let pid = r.json()["id"].as_i64().unwrap();
    let list = web.get(
        &format!("/projects?county={ZHOUQU}&status=planned"),
        &county,
    );
    list.expect(200);
    let item = &list.json()["items"][0];
    for key in [
        "id",
        "plan_id",
        "unit_id",
        "county_code",
        "name",
        "category",
        "budget_fen",
        "status",
    ] {
        assert!(!item[key].is_null(), "{key} in {item}");
    }
    assert_eq!(item["status"], "planned");
    web.get("/projects?status=bogus", &county).expect(422);
    let r = web.post(
        &format!("/projects/{pid}/transition"),
        &county,
        json!({"to": "approved", "on_date": "2021-03-10"}),
    );
    r.expect(200);
    assert_eq!(r.json()["status"], "approved");
    let r = web.post(
        &format!("/projects/{pid}/transition"),
        &unit,
        json!({"to": "planned", "on_date": "2021-03-11"}),
    );
    r.expect(409);
    web.post(
        &format!("/projects/{pid}/progress"),
        &unit,
        json!({"on_date": "2021-04-01", "text": "开工"}),
    )
    .expect(201);
    let r = web.api_raw(
        "post",
        &format!("/projects/{pid}/attachments?file_name=r.pdf"),
        Some(&unit),
        Some(b"%PDF-1.4 x".to_vec()),
        &[],
    );
    r.expect(201);
    assert_eq!(r.json()["media_type"], "application/pdf");
    let aid = r.json()["id"].as_i64().unwrap();
    web.get(&format!("/projects/{pid}/attachments"), &county)
        .expect(200);
    let r = web.send(
        Request::builder()
            .uri(format!("/api/v1/projects/{pid}/attachments/{aid}"))
            .header(header::AUTHORIZATION, format!("Bearer {county}"))
            .body(Body::empty())
            .unwrap(),
    );
    r.expect(200);
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    web.get(&format!("/projects/{}", w.project), &county)
        .expect(200);
}

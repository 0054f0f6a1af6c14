//! Departmental cross-checks and the exit check on the pages and the API:
//! the county uploads a department's file behind its CSRF token and reads
//! what each row became (masked numbers only), closes a correction task,
//! exports the lists; another county's file is 404; the exit check lists
//! the exited household whose guarantees are not recorded. Both backends.

use crate::common;
use crate::records_pages::signed_in;

use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;

both_backends!(
    the_county_imports_an_alert_file_and_closes_a_correction_on_the_pages,
    the_alert_and_exit_check_api_answers_as_the_document_declares,
);

fn world(web: &Web) {
    registry_fixture(&web.app);
    user(&web.app, "a_county", "county", None, Some(ZHOUQU));
    user(&web.app, "a_county2", "county", None, Some(XINGTANG));
}

/// ZQ001's head (high medical costs), a number failing its check digit,
/// and ZQ002's head reported dead by the same department (the medical
/// file carries one event: the death row is refused as not its event).
fn medical_csv() -> String {
    let people = fixture_people();
    let bad = format!(
        "{}{}",
        &people[0].2[..17],
        if people[0].2.ends_with('0') { '1' } else { '0' }
    );
    format!(
        "证件号码,姓名,金额,日期\n{},某,30000,2014-05-01\n{bad},某,100,2014-05-01\n",
        people[0].2
    )
}

fn the_county_imports_an_alert_file_and_closes_a_correction_on_the_pages(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let mut b = signed_in(&web, "a_county");
    let page = b.get("/alerts");
    page.expect(200);
    assert!(
        page.text().contains("alert-upload"),
        "the county sees the form"
    );
    let csrf = csrf_of(&page.text());
    // No department: the page says so and nothing is imported.
    let r = b.upload(
        "/alerts",
        &[("_csrf", &csrf)],
        "yb.csv",
        medical_csv().as_bytes(),
    );
    r.expect(422);
    assert!(r.text().contains("请选择发送数据的部门"));
    let r = b.upload(
        "/alerts",
        &[("_csrf", &csrf), ("source", "medical")],
        "yb.csv",
        medical_csv().as_bytes(),
    );
    r.expect(303);
    let to = r.header("location").expect("to the file").to_string();
    let file = b.get(&to);
    file.expect(200);
    let text = file.text();
    let people = fixture_people();
    assert!(text.contains(&format!(
        "{}********{}",
        &people[0].2[..6],
        &people[0].2[14..]
    )));
    assert!(!text.contains(&people[0].2), "never the number in full");
    assert!(text.contains("已纳入监测预警") && text.contains("校验码"));
    assert!(text.contains("比对数据已导入"));
    b.get("/alerts?format=xlsx").expect(200);

    let death = format!("id_number,event\n{},death\n", people[3].2);
    let r = b.upload(
        "/alerts",
        &[("_csrf", &csrf), ("source", "public_security")],
        "ga.csv",
        death.as_bytes(),
    );
    r.expect(303);
    let list = b.get("/corrections");
    list.expect(200);
    let text = list.text();
    assert!(text.contains("ZQ002") && text.contains("死亡"));
    let id = text
        .split("/corrections/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a task to close")
        .to_string();
    let path = format!("/corrections/{id}/transition");
    b.post(&path, &[("to", "done"), ("note", "已注销")])
        .expect(403);
    let r = b.post(
        &path,
        &[("_csrf", &csrf), ("to", "done"), ("note", "已注销户口")],
    );
    r.expect(303);
    assert!(
        b.get("/corrections?status=done")
            .text()
            .contains("已注销户口")
    );
    b.get("/corrections?format=xlsx").expect(200);

    let exit = b.get("/registry/exit-check?year=2014");
    exit.expect(200);
    assert!(exit.text().contains("ZQ002") && exit.text().contains("未填写，无法确认"));
    b.get("/registry/exit-check?year=2014&format=xlsx")
        .expect(200);

    let mut other = signed_in(&web, "a_county2");
    other.get(&to).expect(404);
    other
        .get("/registry/exit-check?year=2014&county=623023")
        .expect(404);
}

fn the_alert_and_exit_check_api_answers_as_the_document_declares(db: &TestDb) {
    let web = Web::new(db);
    world(&web);
    let token = web.direct_token("a_county", PASSWORD);
    let people = fixture_people();
    let csv = format!("证件号码,事件\n{},户籍迁出\n", people[0].2.to_lowercase());
    let path = format!("/alerts?source=public_security&county={ZHOUQU}&name=ga.csv");
    let r = web.api_raw(
        "post",
        &path,
        Some(&token),
        Some(csv.clone().into_bytes()),
        &[],
    );
    r.expect(201);
    let body = r.json();
    assert_eq!(
        (body["matched"].as_i64(), body["corrections"].as_i64()),
        (Some(1), Some(1))
    );
    let file = body["file_id"].as_i64().unwrap();
    let again = web.api_raw("post", &path, Some(&token), Some(csv.into_bytes()), &[]);
    again.expect(200);
    assert_eq!(again.json()["repeated"], json!(true));
    let other = format!("/alerts?source=medical&county={XINGTANG}");
    web.api_raw(
        "post",
        &other,
        Some(&token),
        Some(b"id_number\n1\n".to_vec()),
        &[],
    )
    .expect(403);

    let files = web.get("/alerts", &token);
    files.expect(200);
    assert_eq!(files.json()["total"], json!(1));
    let one = web.get(&format!("/alerts/{file}"), &token);
    one.expect(200);
    let row = &one.json()["items"][0];
    assert_eq!(row["outcome"], json!("correction"));
    assert_eq!(row["matched_household"], json!("ZQ001"));

    let tasks = web.get("/corrections?status=open", &token);
    tasks.expect(200);
    let id = tasks.json()["items"][0]["id"].as_i64().unwrap();
    let t = format!("/corrections/{id}/transition");
    web.post(&t, &token, json!({ "to": "open", "note": "x" }))
        .expect(422);
    let done = web.post(
        &t,
        &token,
        json!({ "to": "dismissed", "note": "户籍迁出后已在新地址登记" }),
    );
    done.expect(200);
    assert_eq!(done.json()["status"], json!("dismissed"));
    web.post(&t, &token, json!({ "to": "done", "note": "x" }))
        .expect(409);

    // Without a year: the latest the registry holds (2014 here).
    let latest = web.get("/exit-check", &token);
    latest.expect(200);
    assert_eq!(latest.json()["items"][0]["year"], json!(2014));
    let exit = web.get(&format!("/exit-check?year=2014&county={ZHOUQU}"), &token);
    exit.expect(200);
    let item = &exit.json()["items"][0];
    assert_eq!(item["household_id"], json!("ZQ002"));
    assert_eq!(item["reasons"][0]["code"], json!("guarantee_not_recorded"));
    let token2 = web.direct_token("a_county2", PASSWORD);
    web.get(&format!("/exit-check?year=2014&county={ZHOUQU}"), &token2)
        .expect(404);
    web.get(&format!("/alerts/{file}"), &token2).expect(404);
}

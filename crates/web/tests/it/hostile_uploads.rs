//! Hostile xlsx uploads over HTTP (issue 9, findings 15 and 16): a 1.5 KB
//! sheet with cells at A1 and XFD1048576 and a zip bomb, sent by a county
//! officer to the statistics API, the registry import job and the units
//! import page, are refused with 422 and a reason; the server answers the
//! next request — on both backends.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_testkit::{TestDb, both_backends, hostile_xlsx};
use serde_json::Value;
use std::io::Write;

/// The files, each with the code it must be refused with.
fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("xlsx_too_wide", hostile_xlsx::far_apart_cells(true)),
        ("xlsx_too_wide", hostile_xlsx::far_apart_cells(false)),
        ("xlsx_too_large", hostile_xlsx::whitespace_bomb(64 << 20)),
    ]
}

fn statistics_api_refuses_hostile_xlsx_and_stays_up(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "county1", "county", None, Some(ZHOUQU));
    let token = web.direct_token("county1", PASSWORD);
    for (code, bytes) in hostile() {
        let r = web.api_raw(
            "post",
            "/imports/statistics?file_name=s.xlsx&dry_run=true",
            Some(&token),
            Some(bytes),
            &[],
        );
        r.expect(422);
        let f = &r.json()["error"]["fields"][0];
        assert_eq!(f["code"], code, "{}", r.text());
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(r.body.len() < 4096, "a short answer");
    }
    // Still up, and a sound file still imports.
    let csv = format!("年度,区划代码,农村人口,农民人均纯收入\n2014,{ZHOUQU},1000,\n");
    let r = web.api_raw(
        "post",
        "/imports/statistics?file_name=s.csv&dry_run=true",
        Some(&token),
        Some(csv.into_bytes()),
        &[],
    );
    r.expect(200);
    assert_eq!(r.json()["rows"], 1);
}

/// The registry import through the API: refused at once, or its job fails
/// with the reason.
fn registry_import_refuses_hostile_xlsx(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "county1", "county", None, Some(ZHOUQU));
    let token = web.direct_token("county1", PASSWORD);
    for (code, bytes) in hostile() {
        let r = web.api_raw(
            "post",
            "/imports/registry?file_name=r.xlsx&dry_run=true",
            Some(&token),
            Some(bytes),
            &[],
        );
        if r.status.as_u16() == 422 {
            assert_eq!(r.json()["error"]["fields"][0]["code"], code);
            continue;
        }
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
        assert_eq!(state["status"], "failed", "{state}");
        let text = state.to_string();
        assert!(
            text.contains(code) || text.contains("Excel"),
            "the reason is given: {text}"
        );
    }
    web.get("/jobs/999999", &token).expect(404);
}

fn units_import_page_refuses_hostile_xlsx(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    for (_, bytes) in hostile() {
        let csrf = b.csrf();
        let (ct, body) = multipart(&csrf, "u.xlsx", &bytes);
        let cookies = b
            .cookies
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let r = web.send(
            Request::builder()
                .method(Method::POST)
                .uri("/units/import")
                .header(header::CONTENT_TYPE, ct)
                .header(header::COOKIE, cookies)
                .body(Body::from(body))
                .unwrap(),
        );
        r.expect(422);
        let page = unescape(&r.text());
        assert!(
            page.contains("工作表的范围过大") || page.contains("Excel 文件解压后过大"),
            "{}",
            main_of(&page)
        );
    }
}

/// A multipart form with the CSRF token and one file.
fn multipart(csrf: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----dingdianBoundaryHostile";
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

both_backends!(
    statistics_api_refuses_hostile_xlsx_and_stays_up,
    registry_import_refuses_hostile_xlsx,
    units_import_page_refuses_hostile_xlsx,
);

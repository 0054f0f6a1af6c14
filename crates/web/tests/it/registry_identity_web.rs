//! Finding households by head's name and village on the search page and
//! through `GET /api/v1/households?name&village`, within scope; the import
//! job's identity warnings and the card's head changes — on both backends.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dingdian_app::registry::ImportOptions;
use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    name_and_village_search_on_the_page_and_the_api_stay_in_scope,
    the_job_page_warns_of_reused_numbers_and_the_card_shows_the_break,
);

const MIAOGOU: &str = "623023100200";
const XINGTANG_VILLAGE: &str = "130125100001";
const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";

fn id(county: &str, seq: u32) -> String {
    let first = format!("{county}19700101{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

fn row(year: i32, village: &str, household: &str, id: &str, name: &str, rel: &str) -> String {
    format!("{year},{village},{household},{id},{name},{rel},2000,未脱贫,2014,,因病\n")
}

/// Z1 王建国 and Z2 张强 in Zhouqu's 庙沟村, X1 王建国 in Xingtang (2014).
fn import_2014(web: &Web) {
    let mut s = String::from(HEADER);
    s += &row(2014, MIAOGOU, "Z1", &id(ZHOUQU, 1), "王建国", "户主");
    s += &row(2014, MIAOGOU, "Z1", &id(ZHOUQU, 2), "李秀英", "配偶");
    s += &row(2014, MIAOGOU, "Z2", &id(ZHOUQU, 3), "张强", "户主");
    s += &row(
        2014,
        XINGTANG_VILLAGE,
        "X1",
        &id(XINGTANG, 1),
        "王建国",
        "户主",
    );
    web.app
        .import_registry(
            &cli(),
            "r.csv",
            s.as_bytes(),
            ImportOptions::default(),
            &|_, _, _| {},
        )
        .unwrap();
}

fn households_of(r: &Resp) -> Vec<String> {
    r.expect(200);
    let mut v: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["household_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn name_and_village_search_on_the_page_and_the_api_stay_in_scope(db: &TestDb) {
    let web = Web::new(db);
    import_2014(&web);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "zq", "county", None, Some(ZHOUQU));
    user(&web.app, "xt", "county", None, Some(XINGTANG));

    // The page: the head's whole name, nationwide for the office.
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    // The household list leads to it.
    let list = b.get("/registry").text();
    assert!(list.contains("id=\"name-search-link\""));
    let r = b.get("/registry/search?name=%E7%8E%8B%E5%BB%BA%E5%9B%BD");
    r.expect(200);
    let html = unescape(&r.text());
    assert!(
        html.contains("id=\"found-households\""),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("/registry/2014/Z1") && html.contains("/registry/2014/X1"));
    // By village, short name.
    let r = b.get("/registry/search?village=%E5%BA%99%E6%B2%9F%E6%9D%91");
    let html = unescape(&r.text());
    assert!(html.contains("/registry/2014/Z1") && html.contains("/registry/2014/Z2"));
    assert!(!html.contains("/registry/2014/X1"));
    // An empty name (only a zero-width space) is named under its field.
    let r = b.get("/registry/search?name=%E2%80%8B");
    r.expect(422);
    assert!(r.text().contains("field-error"));

    // The API, for each county officer: its own county only.
    let zq = web.direct_token("zq", PASSWORD);
    let xt = web.direct_token("xt", PASSWORD);
    let by_name = "/households?name=%E7%8E%8B%E5%BB%BA%E5%9B%BD";
    assert_eq!(households_of(&web.get(by_name, &zq)), vec!["Z1"]);
    assert_eq!(households_of(&web.get(by_name, &xt)), vec!["X1"]);
    let by_village = "/households?village=%E5%BA%99%E6%B2%9F%E6%9D%91&year=2014";
    assert_eq!(households_of(&web.get(by_village, &zq)), vec!["Z1", "Z2"]);
    assert!(households_of(&web.get(by_village, &xt)).is_empty());
    // Name and village together narrow.
    let both = "/households?name=%E5%BC%A0%E5%BC%BA&village=%E5%BA%99%E6%B2%9F%E6%9D%91";
    assert_eq!(households_of(&web.get(both, &zq)), vec!["Z2"]);
    let r = web.get("/households?name=%20", &zq);
    assert!(households_of(&r).len() == 2, "a blank name is no filter");
    let long = "王".repeat(65);
    let r = web.get(
        &format!("/households?name={}", urlencoding::encode(&long)),
        &zq,
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["name"]);
    // The OpenAPI document names both parameters.
    let doc = web.api("get", "/openapi.json", None, None).json();
    let params = doc["paths"]["/households"]["get"]["parameters"].to_string();
    assert!(
        params.contains("\"name\"") && params.contains("\"village\""),
        "{params}"
    );
    // Audited without the name.
    let audit = dingdian_testkit::beneath(&web.url)
        .read(|c| {
            c.query(
                "SELECT detail FROM audit_log WHERE action = 'registry.search_name'",
                &[],
            )
        })
        .unwrap();
    assert!(audit.len() >= 4);
    assert!(
        audit
            .iter()
            .map(|r| r.get::<String>("detail").unwrap())
            .all(|d| !d.contains('王') && !d.contains('张'))
    );
}

/// A multipart upload of one file, from a signed-in browser.
fn upload(b: &mut Browser, path: &str, csrf: &str, bytes: &[u8]) -> Resp {
    let boundary = "----ddtestboundaryIdentity";
    let mut body: Vec<u8> = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
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

fn the_job_page_warns_of_reused_numbers_and_the_card_shows_the_break(db: &TestDb) {
    let web = Web::new(db);
    import_2014(&web);
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let csrf = csrf_of(&b.get("/registry/import").text());
    let mut s = String::from(HEADER);
    s += &row(2015, MIAOGOU, "Z1", &id(ZHOUQU, 1), "王建国", "户主");
    s += &row(2015, MIAOGOU, "Z2", &id(ZHOUQU, 30), "周桂红", "户主");
    let r = upload(&mut b, "/registry/import", &csrf, s.as_bytes());
    r.expect(303);
    let to = r.header("location").unwrap().to_string();
    let mut html = String::new();
    for _ in 0..400 {
        html = b.get(&to).text();
        if !html.contains("http-equiv=\"refresh\"") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let html = unescape(&html);
    let at = html
        .find("id=\"identity-changes\"")
        .unwrap_or_else(|| panic!("{}", main_of(&html)));
    let warning = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(
        warning.contains("1 户") && warning.contains("Z2"),
        "{warning}"
    );
    assert!(
        warning.contains("户主不同") && !warning.contains("Z1"),
        "{warning}"
    );
    // The card of 2015 says its head is not 2014's.
    let card = unescape(&b.get("/registry/2015/Z2").text());
    assert!(card.contains("id=\"head-break\""), "{}", main_of(&card));
    let at = card.find("id=\"head-periods\"").unwrap();
    let periods = &card[at..at + card[at..].find("</ul>").unwrap()];
    assert!(periods.contains("2014：户主 张强"), "{periods}");
    assert!(
        periods.contains("2015：户主 周桂红（与前一户主不是同一人）"),
        "{periods}"
    );
    // Z1 kept its head: no break.
    let same = b.get("/registry/2015/Z1").text();
    assert!(!same.contains("id=\"head-break\""));
}

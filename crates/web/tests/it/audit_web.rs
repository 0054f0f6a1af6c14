//! The auditor's page and API on both backends: search by text, account,
//! action, outcome and Beijing dates, paging, the filtered xlsx export (itself
//! audited), the chain check ("校验审计链") intact and after tampering, and
//! nobody but the auditor getting in.

use crate::common;

use common::*;
use dingdian_app::tabular::{self, Encoding};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    the_auditor_searches_pages_exports_and_verifies_on_the_page,
    the_audit_api_lists_filters_and_verifies_for_the_auditor_only,
);

/// Sign-ins (one failed) and unit writes: a log with some variety.
fn activity(web: &Web) {
    user(&web.app, "auditor1", "auditor", None, None);
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    let page = b.get("/login");
    let csrf = csrf_of(&page.text());
    b.post(
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "office1"),
            ("password", "wrong-Pass1"),
            ("next", "/"),
        ],
    );
    for i in 0..3 {
        unit(&web.app, &format!("审计页单位{i}"));
    }
}

fn the_auditor_searches_pages_exports_and_verifies_on_the_page(db: &TestDb) {
    let web = Web::new(db);
    activity(&web);
    let mut b = web.browser();
    b.sign_in("auditor1", PASSWORD);

    let all = b.get("/audit");
    all.expect(200);
    let html = all.text();
    assert!(
        html.contains("unit.create") && html.contains("login"),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("校验审计链"), "the verify button");
    assert!(
        !html.contains("chain-status"),
        "no walk of the chain unless asked"
    );

    // Filters: account and outcome.
    let failed = b.get("/audit?username=office1&outcome=failure");
    failed.expect(200);
    let main = main_of(&failed.text());
    assert!(main.contains("outcome-failure"), "{main}");
    assert!(!main.contains("title=\"unit.create\""), "{main}");
    assert!(main.contains("共 1 条"), "{main}");
    // Action prefix and text.
    let units = main_of(&b.get("/audit?action=unit.").text());
    assert!(units.contains("共 3 条"), "{units}");
    let one = main_of(
        &b.get(&format!("/audit?q={}", urlencoding::encode("审计页单位1")))
            .text(),
    );
    assert!(one.contains("共 1 条"), "{one}");
    // Dates are Beijing days.
    let today = dingdian_core::time::today();
    let tomorrow = today.succ_opt().unwrap();
    let on_today = main_of(
        &b.get(&format!("/audit?from={today}&to={today}&action=unit."))
            .text(),
    );
    assert!(on_today.contains("共 3 条"), "{on_today}");
    let later = main_of(&b.get(&format!("/audit?from={tomorrow}")).text());
    assert!(later.contains("共 0 条"), "{later}");
    let bad = b.get("/audit?from=2024-13-01");
    bad.expect(422);
    assert!(bad.text().contains("YYYY-MM-DD"));
    // Paging keeps the filter.
    let p1 = b.get("/audit?per_page=2&action=unit.");
    let p1 = main_of(&p1.text());
    assert!(
        p1.contains("action=unit."),
        "the next-page link keeps the filter: {p1}"
    );
    assert!(p1.contains("page=2"), "{p1}");

    // The export holds exactly the filtered records, with their hashes.
    let before = count_audit(&web, "audit.export");
    let x = b.get("/audit?action=unit.&format=xlsx");
    x.expect(200);
    assert!(x.body.starts_with(b"PK"));
    let t = tabular::read("audit.xlsx", &x.body, Encoding::Auto).unwrap();
    assert_eq!(t.rows.len(), 3);
    assert!(
        t.rows.iter().all(|(_, r)| r[4] == "unit.create"),
        "{:?}",
        t.rows
    );
    assert!(t.headers.last().unwrap().contains("SM3"));
    assert!(t.rows.iter().all(|(_, r)| r.last().unwrap().len() == 64));
    assert_eq!(
        count_audit(&web, "audit.export"),
        before + 1,
        "the export is audited"
    );

    // Verify: intact, then broken after an edit in the database.
    let v = b.get("/audit?verify=1&action=unit.");
    v.expect(200);
    let main = main_of(&v.text());
    assert!(main.contains("审计链完整"), "{main}");
    assert!(
        !main.contains("verify=1"),
        "links do not repeat the walk: {main}"
    );
    let lift = match db.backend {
        dingdian_testkit::Backend::Sqlite => "DROP TRIGGER audit_log_no_update;",
        dingdian_testkit::Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.batch(&format!(
                "{lift} UPDATE audit_log SET username = 'nobody' WHERE id = 3"
            ))
        })
        .unwrap();
    let v = main_of(&b.get("/audit?verify=1").text());
    assert!(v.contains("审计链已被破坏，首个异常记录 #3"), "{v}");
    assert!(v.contains("哈希值不符"), "{v}");

    // Nobody else reads the log, not even the other administrators.
    for role in ["office", "admin", "security"] {
        let name = format!("{role}-reader");
        user(&web.app, &name, role, None, None);
        let mut o = web.browser();
        o.sign_in(&name, PASSWORD);
        o.get("/audit").expect(403);
        o.get("/audit?format=xlsx").expect(403);
        o.get("/audit?verify=1").expect(403);
    }
}

fn count_audit(web: &Web, action: &str) -> i64 {
    dingdian_testkit::beneath(&web.url)
        .read(|c| {
            c.query_i64(
                "SELECT COUNT(*) FROM audit_log WHERE action = ?",
                &[action.into()],
            )
        })
        .unwrap()
}

fn the_audit_api_lists_filters_and_verifies_for_the_auditor_only(db: &TestDb) {
    let web = Web::new(db);
    activity(&web);
    let token = web.direct_token("auditor1", PASSWORD);
    let r = web.get("/audit?action=unit.&per_page=2", &token);
    r.expect(200);
    let j = r.json();
    assert_eq!(j["total"], 3);
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "unit.create");
    assert!(
        items[0]["id"].as_i64() > items[1]["id"].as_i64(),
        "newest first"
    );
    assert_eq!(
        items[0]["prev_hash"], items[1]["hash"],
        "each links to the one before"
    );
    assert_eq!(items[0]["hash"].as_str().unwrap().len(), 64);
    let r = web.get("/audit?outcome=failure", &token);
    assert_eq!(r.json()["total"], 1);
    let r = web.get("/audit?outcome=maybe", &token);
    r.expect(422);
    assert_eq!(r.fields(), vec!["outcome"]);
    let r = web.get("/audit?to=yesterday", &token);
    r.expect(422);
    assert_eq!(r.fields(), vec!["to"]);

    let v = web.get("/audit/verify", &token);
    v.expect(200);
    let j = v.json();
    assert_eq!(j["intact"], true);
    assert!(j["checked"].as_i64().unwrap() >= 5);
    assert_eq!(j["last_hash"].as_str().unwrap().len(), 64);
    assert!(j["broken"].is_null());

    let office = web.direct_token("office1", PASSWORD);
    web.get("/audit", &office).expect(403);
    web.get("/audit/verify", &office).expect(403);
}

//! The JSON API under `/api/v1`, driven in-process through the real router
//! on SQLite and on PostgreSQL: sign-in and lockout, authentication of every
//! route, the OpenAPI document against the route table, lists and paging,
//! area filters, the plan fields and workflow, coverage, pairing filters,
//! validation errors, languages and the absence of SQL in errors.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::{Value, json};
use std::collections::BTreeSet;

both_backends!(
    login_answers_a_token_refuses_wrong_passwords_and_locks,
    every_route_but_login_health_and_openapi_needs_a_token,
    openapi_lists_exactly_the_route_table_and_every_route_answers,
    lists_have_items_and_total_and_honour_paging,
    areas_filter_by_level_key_flag_and_province,
    plan_fields_workflow_coverage_and_pairing_filters,
    bad_input_is_422_naming_the_field_in_the_callers_language,
    paging_outside_its_range_is_422_on_every_list_route,
    a_unit_as_read_is_written_back_and_permission_comes_before_input,
    a_transition_the_role_may_not_make_is_403_not_409,
    health_reports_the_database,
    logout_ends_the_token_and_is_audited,
);

/// `/plans/{id}` with the placeholders filled in.
fn fill(path: &str, unit: i64, plan: i64, area: &str) -> String {
    if path.starts_with("/units/") {
        path.replace("{id}", &unit.to_string())
    } else if path.starts_with("/plans/") {
        path.replace("{id}", &plan.to_string())
    } else if path.starts_with("/users/") {
        // An account number: refused by role before it is looked up.
        path.replace("{id}", &unit.to_string())
    } else if path.starts_with("/letters/") {
        // A letter number: refused by role before it is looked up.
        path.replace("{id}", &plan.to_string())
    } else if path.starts_with("/households/") {
        // The registry fixture's first household.
        path.replace("{id}", "ZQ001")
    } else if path.starts_with("/jobs/") {
        // A job number: the tests that need a real one fill it themselves.
        path.replace("{id}", &plan.to_string())
    } else {
        path.replace("{code}", area)
    }
}

/// No error answer may show SQL or database internals.
#[track_caller]
fn assert_no_sql(r: &Resp) {
    let t = r.text().to_lowercase();
    for bad in [
        "select ",
        "insert ",
        "update ",
        "delete from",
        " from ",
        " where ",
        "sqlite",
        "postgres",
        "syntax error",
        "constraint",
        "rusqlite",
        "panicked",
    ] {
        assert!(!t.contains(bad), "error answer shows {bad:?}: {t}");
    }
}

fn login_body(username: &str, password: &str) -> Option<Value> {
    Some(json!({ "username": username, "password": password }))
}

fn login_answers_a_token_refuses_wrong_passwords_and_locks(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "victim", "office", None, None);

    // Success: a token that opens the other routes (the office role signs
    // in with its second factor).
    let mut body = login_body("office1", PASSWORD).unwrap();
    body["totp"] = json!(web.totp("office1").expect("the office has a second factor"));
    let r = web.api("post", "/login", None, Some(body));
    r.expect(200);
    let j = r.json();
    let token = j["token"].as_str().expect("token is a string");
    assert!(token.len() >= 32, "a long random token: {token}");
    assert_eq!(j["user"]["role"], "office");
    web.get("/units", token).expect(200);
    // Two sign-ins give two different tokens.
    assert_ne!(web.token("office1", PASSWORD), token);

    // Wrong password and unknown user look the same.
    for (u, p) in [("office1", "Wrong@2026x"), ("nobody", PASSWORD)] {
        let r = web.api("post", "/login", None, login_body(u, p));
        r.expect(401);
        assert_eq!(r.code(), "bad_credentials");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_no_sql(&r);
    }
    // A made-up token is refused.
    let r = web.get("/units", "0123456789abcdef");
    r.expect(401);
    assert_eq!(r.code(), "unauthenticated");

    // Five failures in a row lock the account: even the right password is
    // then refused with 423.
    for i in 0..5 {
        let r = web.api("post", "/login", None, login_body("victim", "Wrong@2026x"));
        assert_eq!(r.status.as_u16(), 401, "failure {i}: {}", r.text());
        assert_eq!(r.code(), "bad_credentials");
    }
    let r = web.api("post", "/login", None, login_body("victim", PASSWORD));
    r.expect(423);
    assert_eq!(r.code(), "locked");
    let r = web.api_with(
        "post",
        "/login",
        None,
        login_body("victim", PASSWORD),
        &[("accept-language", "en")],
    );
    r.expect(423);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked")
    );
    // The other account is not affected.
    web.token("office1", PASSWORD);

    // A body that is not a login is invalid, not a server error.
    let r = web.api_raw(
        "post",
        "/login",
        None,
        Some(b"{\"username\":".to_vec()),
        &[],
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["body"]);
    let r = web.api(
        "post",
        "/login",
        None,
        Some(json!({ "username": "office1" })),
    );
    r.expect(422);
    assert_eq!(r.code(), "invalid");
}

fn every_route_but_login_health_and_openapi_needs_a_token(db: &TestDb) {
    let web = Web::new(db);
    let table = dingdian_web::api_routes();
    let open: BTreeSet<(&str, &str)> = table
        .iter()
        .filter(|r| !r.auth)
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        open,
        BTreeSet::from([
            ("get", "/health"),
            ("get", "/openapi.json"),
            // issue 13: the published aggregates answer without a token.
            ("get", "/public/aggregates"),
            ("post", "/login")
        ])
    );
    for r in table.iter().filter(|r| r.auth) {
        let path = fill(&r.path, 1, 1, ZHOUQU);
        let body = r.body.as_ref().map(|_| json!({}));
        for token in [None, Some("not-a-token")] {
            let res = web.api(&r.method, &path, token, body.clone());
            assert_eq!(
                res.status.as_u16(),
                401,
                "{} {path} with token {token:?}: {}",
                r.method,
                res.text()
            );
            assert_eq!(res.code(), "unauthenticated", "{} {path}", r.method);
            assert_no_sql(&res);
        }
        // "Bearer" with a different scheme is no token either.
        let res = web.api_with(
            &r.method,
            &path,
            None,
            body,
            &[("authorization", "Basic b2ZmaWNlOng=")],
        );
        res.expect(401);
    }

    let r = web.api("get", "/health", None, None);
    r.expect(200);
    assert_eq!(r.json(), json!({ "status": "ok", "database": "ok" }));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let r = web.api("get", "/openapi.json", None, None);
    r.expect(200);
    assert!(r.json()["openapi"].is_string());
    // Login needs no token: a wrong password is a 401 of its own kind.
    let r = web.api("post", "/login", None, login_body("nobody", PASSWORD));
    r.expect(401);
    assert_eq!(r.code(), "bad_credentials");
}

fn openapi_lists_exactly_the_route_table_and_every_route_answers(db: &TestDb) {
    let web = Web::new(db);
    let doc = web.api("get", "/openapi.json", None, None);
    doc.expect(200);
    let doc = doc.json();
    assert_eq!(doc, dingdian_web::openapi_document(), "served = built");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "OpenAPI 3: {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths is an object");
    let mut documented = BTreeSet::new();
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            documented.insert((method.clone(), path.clone()));
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has a summary"
            );
            assert!(
                ["200", "201", "202"]
                    .iter()
                    .any(|s| op["responses"][*s].is_object()),
                "{method} {path} answers"
            );
            // Every referenced schema exists.
            for r in op.to_string().split("#/components/schemas/").skip(1) {
                let name: String = r
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    schemas.contains_key(&name),
                    "{method} {path} refers to {name}"
                );
            }
            // Path parameters are declared.
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    op["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path"),
                    "{method} {path} declares {name}"
                );
            }
        }
    }
    let routes = dingdian_web::api_routes();
    let table: BTreeSet<(String, String)> = routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        documented, table,
        "the document lists exactly the route table"
    );
    for must in [
        ("post", "/login"),
        ("get", "/health"),
        ("get", "/areas"),
        ("get", "/units"),
        ("post", "/units"),
        ("get", "/units/{id}"),
        ("get", "/plans"),
        ("post", "/plans"),
        ("get", "/plans/{id}"),
        ("post", "/plans/{id}/transition"),
        ("get", "/plans/{id}/coverage"),
        ("get", "/pairings"),
        ("get", "/openapi.json"),
    ] {
        assert!(
            table.contains(&(must.0.to_string(), must.1.to_string())),
            "interfaces.md route {must:?} is in the table"
        );
    }

    // Every route answers (with a token and ids that exist).
    county_list(&web.app);
    let u = unit(&web.app, "路由测试单位");
    let plan = full_plan(&web.app, "路由测试方案", u);
    let (ap, pj, att) = assistance_fixture(&web, plan, u);
    registry_fixture(&web.app);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let job = web
        .app
        .start_registry_import(
            &cli(),
            "r.csv",
            registry_csv().into_bytes(),
            dingdian_app::registry::ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .expect("start a job");
    let (inbox_token, reminder) = reminded(&web, u, "unit_r");
    let owner = actor(&web, "unit_r").user_id.expect("an account");
    let [secondment, inspection, item, visit, report] = discipline_records(&web, u, owner);
    let [assessment, alerts, correction, case] = closing_loop_records(&web, u);
    for r in &routes {
        let path = if r.path.starts_with("/jobs/") {
            r.path.replace("{id}", &job.to_string())
        } else if r.path.starts_with("/inbox/") {
            r.path.replace("{id}", &reminder.to_string())
        } else if r.path.starts_with("/secondments/") {
            r.path.replace("{id}", &secondment.to_string())
        } else if r.path.starts_with("/inspections/") {
            r.path.replace("{id}", &inspection.to_string())
        } else if r.path.starts_with("/rectifications/") {
            r.path.replace("{id}", &item.to_string())
        } else if r.path.starts_with("/leader-visits/") {
            r.path.replace("{id}", &visit.to_string())
        } else if r.path.starts_with("/reports/") {
            r.path.replace("{id}", &report.to_string())
        } else if r.path.starts_with("/report-calendars/")
            || r.path.starts_with("/assessment-rules/")
            || r.path.starts_with("/monitoring-thresholds/")
        {
            r.path.replace("{year}", "2024")
        } else if r.path.starts_with("/assessments/") {
            r.path.replace("{id}", &assessment.to_string())
        } else if r.path.starts_with("/alerts/") {
            r.path.replace("{id}", &alerts.to_string())
        } else if r.path.starts_with("/corrections/") {
            r.path.replace("{id}", &correction.to_string())
        } else if r.path.starts_with("/monitoring/") {
            r.path.replace("{id}", &case.to_string())
        } else if r.path.starts_with("/assistance-plans/") {
            r.path.replace("{id}", &ap.to_string())
        } else if r.path.starts_with("/projects/") {
            r.path
                .replace("{id}", &pj.to_string())
                .replace("{attachment_id}", &att.to_string())
        } else {
            fill(&r.path, u, plan, ZHOUQU)
        };
        let body = r.body.as_ref().map(|_| json!({}));
        // A reminder is its reader's own: the inbox is read by the unit.
        let caller = if r.path.starts_with("/inbox") {
            &inbox_token
        } else {
            &token
        };
        let res = web.api(&r.method, &path, Some(caller), body);
        let s = res.status.as_u16();
        assert!(
            s != 404 && s != 405 && s < 500,
            "{} {path} answers {s}: {}",
            r.method,
            res.text()
        );
        // An attachment's download answers its file; every other route JSON.
        assert!(
            r.path.ends_with("{attachment_id}")
                || res
                    .header("content-type")
                    .is_some_and(|c| c.starts_with("application/json")),
            "{} {path} answers JSON",
            r.method
        );
    }
    // A route not in the table is a JSON 404; a wrong method is 405.
    let r = web.get("/nothing-here", &token);
    r.expect(404);
    assert_eq!(r.code(), "not_found");
    assert_eq!(
        web.api("delete", "/units", Some(&token), None)
            .status
            .as_u16(),
        405
    );
}

/// Issue 13's records for the generic list and route tests (after
/// `registry_fixture`): an assessment of `u` for last year, published; a public
/// security alert file of Zhouqu naming a registry member (a correction
/// task); a monitoring case of ZQ001; the office's publication of 2014.
/// Their ids: assessment, alert file, correction task, monitoring case.
fn closing_loop_records(web: &Web, u: i64) -> [i64; 4] {
    let store = dingdian_testkit::beneath(&web.url);
    // Of last year: the rankings list without a year shows last year's.
    let year = i64::from(chrono::Datelike::year(&dingdian_core::time::today())) - 1;
    let assessment = store
        .write(|c| {
            c.query_i64(
                "INSERT INTO assessments (unit_id, year, status, score, grade, dimensions, created_at, updated_at) \
                 VALUES (?, ?, 'published', 8000, 'fairly_good', '[]', 0, 0) RETURNING id",
                &[u.into(), year.into()],
            )
        })
        .expect("an assessment");
    let case =
        dingdian_testkit::insert_monitoring_case(&web.url, ("ZQ001", ZHOUQU, 2014), "flagged");
    user(&web.app, "zq_alerts", "county", None, Some(ZHOUQU));
    let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let member = fixture_people()[0].2.clone();
    let csv = format!("证件号码,事件\n{member},户籍迁出\n");
    let file = web
        .app
        .import_alerts(
            &actor(web, "zq_alerts"),
            ZHOUQU,
            dingdian_core::alerts::AlertSource::PublicSecurity,
            "ga.csv",
            csv.as_bytes(),
            today,
        )
        .expect("an alert file")
        .file_id;
    let task = store
        .read(|c| c.query_i64("SELECT MAX(id) FROM correction_tasks", &[]))
        .expect("a correction task");
    user(&web.app, "office_pub", "office", None, None);
    web.app
        .publish_aggregates(&actor(web, "office_pub"), 2014, today)
        .expect("publish 2014");
    [assessment, file, task, case]
}

/// The discipline's records of unit `u` in Zhouqu, as plain SQL (their use
/// cases' own tests cover the rules): a serving secondment, an inspection
/// with a finding and an item owned by `owner`, a leader visit, and a
/// quarterly report of 2024. Their ids: secondment, inspection, item,
/// visit, report.
fn discipline_records(web: &Web, u: i64, owner: i64) -> [i64; 5] {
    let store = dingdian_testkit::beneath(&web.url);
    let one = |sql: &str, params: &[i64]| -> i64 {
        let params: Vec<_> = params.iter().map(|&v| v.into()).collect();
        store.write(|c| c.query_i64(sql, &params)).expect(sql)
    };
    let secondment = one(
        "INSERT INTO secondments (unit_id, county_code, person_name, person_rank, contact, post, role, batch, \
         start_date, planned_end, status, created_at, updated_at) \
         VALUES (?, '623023', '接口干部', '处级', '0941-1', '副县长', 'leader', 1, '2024-01-01', '2026-12-31', 'serving', 0, 0) RETURNING id",
        &[u],
    );
    let inspection = one(
        "INSERT INTO inspections (unit_id, inspected_by, inspected_on, team, summary, created_at) \
         VALUES (?, 'office', '2024-05-01', '督查组', '', 0) RETURNING id",
        &[u],
    );
    one(
        "INSERT INTO inspection_counties (inspection_id, county_code) VALUES (?, '623023') RETURNING inspection_id",
        &[inspection],
    );
    let finding = one(
        "INSERT INTO inspection_findings (inspection_id, county_code, position, finding) \
         VALUES (?, '623023', 1, '进度慢') RETURNING id",
        &[inspection],
    );
    let item = one(
        "INSERT INTO rectifications (unit_id, finding_id, county_code, action, owner_id, deadline, status, created_at, updated_at) \
         VALUES (?, ?, '623023', '加快进度', ?, '2024-08-01', 'open', 0, 0) RETURNING id",
        &[u, finding, owner],
    );
    let visit = one(
        "INSERT INTO leader_visits (unit_id, county_code, leader_name, leader_level, visited_on, places, purpose, created_at) \
         VALUES (?, '623023', '王部长', 'principal', '2024-05-01', '县城', '调研', 0) RETURNING id",
        &[u],
    );
    one(
        "INSERT INTO report_calendars (year, quarterly_due_days, year_end_due, annual_summary_due, set_at) \
         VALUES (2024, 15, '2025-01-15', '2025-01-31', 0) RETURNING year",
        &[],
    );
    let report = one(
        "INSERT INTO reports (kind, period, unit_id, county_code, due, status, created_at, updated_at) \
         VALUES ('quarterly', '2024-Q2', ?, '623023', '2024-07-15', 'draft', 0, 0) RETURNING id",
        &[u],
    );
    [secondment, inspection, item, visit, report]
}

/// A unit account with a reminder of its own (the unit's letter of this
/// year is set and not signed, and the reminders have run): the inbox's
/// reader. Its token and the reminder's id.
fn reminded(web: &Web, unit_id: i64, username: &str) -> (String, i64) {
    use chrono::Datelike;
    user(&web.app, username, "unit", Some(unit_id), None);
    let year = i64::from(dingdian_core::time::today().year());
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.execute(
                "INSERT INTO letters (unit_id, county_code, year, status, set_at) VALUES (?, NULL, ?, 'set', 0)",
                &[unit_id.into(), year.into()],
            )
        })
        .expect("a letter to sign");
    let runner = dingdian_app::reminders::ReminderRunner {
        holder: "api-test".into(),
        lease_seconds: 60,
        mailer: None,
    };
    web.app
        .run_reminders(dingdian_core::time::now_ts(), &runner)
        .expect("the reminders run");
    let token = web.direct_token(username, PASSWORD);
    let inbox = web.get("/inbox", &token);
    inbox.expect(200);
    let id = inbox.json()["items"][0]["id"]
        .as_i64()
        .expect("the unit's reminder");
    (token, id)
}

fn lists_have_items_and_total_and_honour_paging(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let units: Vec<i64> = (1..=5)
        .map(|i| unit(&web.app, &format!("分页测试单位{i}")))
        .collect();
    let plan = full_plan(&web.app, "分页测试方案", units[0]);
    let (_, project, _) = assistance_fixture(&web, plan, units[0]);
    records_fixture(&web, units[0], units[1]);
    registry_fixture(&web.app);
    helped(&web);
    // issue 13: an assessment, an alert file, a monitoring case, 2014 published.
    let [_, alerts, _, _] = closing_loop_records(&web, units[0]);
    // The funds ledger's lists need an entry: a receipt of units[0] in Zhouqu.
    user(&web.app, "unit1", "unit", Some(units[0]), None);
    let receipt = dingdian_core::ledger::LedgerEntryInput {
        kind: "receipt".into(),
        unit_id: Some(units[0]),
        county_code: ZHOUQU.into(),
        source: "direct".into(),
        amount_yuan: "1.00".into(),
        date: "2024-01-02".into(),
        ..Default::default()
    };
    web.app
        .post_entry(&actor(&web, "unit1"), &receipt)
        .expect("a receipt");
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "admin1", "admin", None, None);
    user(&web.app, "auditor1", "auditor", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let (inbox_token, _) = reminded(&web, units[0], "unit_r");
    let owner = actor(&web, "unit_r").user_id.expect("an account");
    discipline_records(&web, units[0], owner);
    // Accounts and the audit log are the separated duties' lists.
    let admin = web.direct_token("admin1", PASSWORD);
    let auditor = web.direct_token("auditor1", PASSWORD);

    // Every list of the route table answers {items, total} (the audit log
    // to the auditor, its only reader).
    for r in dingdian_web::api_routes().iter().filter(|r| r.list) {
        let path = if r.path.starts_with("/projects/") {
            r.path.replace("{id}", &project.to_string())
        } else if r.path.starts_with("/alerts/") {
            r.path.replace("{id}", &alerts.to_string())
        } else {
            fill(&r.path, units[0], plan, ZHOUQU)
        };
        let who = match r.path.as_str() {
            "/users" => &admin,
            "/inbox" => &inbox_token,
            _ if r.path.starts_with("/audit") => &auditor,
            _ => &token,
        };
        let res = web.get(&path, who);
        res.expect(200);
        let j = res.json();
        let items = j["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: items"));
        let total = j["total"]
            .as_i64()
            .unwrap_or_else(|| panic!("{path}: total"));
        assert!(total >= items.len() as i64, "{path}");
        // These three list the pairings in force today, and the fixture's
        // plans ended in 2025: their content is tested in discipline_pages
        // and visits_pages and the app's tests, on fixed days.
        let of_today = [
            "/secondments/continuity",
            "/inspections/frequency",
            "/leader-visits/missing",
        ];
        if !of_today.contains(&r.path.as_str()) {
            assert!(total > 0, "{path} lists something");
        }
    }

    let ids = |r: &Resp| -> Vec<i64> {
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    let all = web.get("/units", &token);
    all.expect(200);
    assert_eq!(all.json()["total"], 5);
    assert_eq!(ids(&all).len(), 5);
    let p1 = web.get("/units?page=1&per_page=2", &token);
    let p2 = web.get("/units?page=2&per_page=2", &token);
    let p3 = web.get("/units?page=3&per_page=2", &token);
    let p9 = web.get("/units?page=9&per_page=2", &token);
    for (r, n) in [(&p1, 2), (&p2, 2), (&p3, 1), (&p9, 0)] {
        r.expect(200);
        assert_eq!(r.json()["total"], 5, "total is the whole count");
        assert_eq!(ids(r).len(), n);
    }
    let mut seen: Vec<i64> = [ids(&p1), ids(&p2), ids(&p3)].concat();
    assert_eq!(seen, ids(&all), "pages follow the list's order");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "pages do not overlap");
    // A search narrows the total.
    let q = web.get(
        &format!("/units?q={}", urlencoding::encode("单位3")),
        &token,
    );
    assert_eq!(q.json()["total"], 1);

    // Areas and pairings page too.
    let a = web.get("/areas?per_page=7&page=2", &token);
    a.expect(200);
    assert_eq!(a.json()["items"].as_array().unwrap().len(), 7);
    assert!(a.json()["total"].as_i64().unwrap() > 14);
    let pr = web.get(&format!("/pairings?plan={plan}&per_page=3"), &token);
    assert_eq!(pr.json()["total"], 4);
    assert_eq!(pr.json()["items"].as_array().unwrap().len(), 3);
    // The largest page is 500; anything outside the range is a 422.
    let big = web.get("/areas?per_page=500", &token);
    big.expect(200);
    assert!(big.json()["items"].as_array().unwrap().len() <= 500);
    web.get("/units?page=abc", &token).expect(422);
}

fn areas_filter_by_level_key_flag_and_province(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);

    let r = web.get(
        "/areas?level=county&key=true&province=13&per_page=500",
        &token,
    );
    r.expect(200);
    let j = r.json();
    let items = j["items"].as_array().unwrap();
    let total = j["total"].as_i64().unwrap();
    assert!(total > 0, "Hebei has key counties");
    assert_eq!(items.len() as i64, total, "all on one page");
    for a in items {
        let code = a["code"].as_str().unwrap();
        assert!(code.starts_with("13"), "Hebei only: {a}");
        assert_eq!(a["level"], "county", "{a}");
        assert_eq!(a["key_county"], true, "{a}");
        assert_eq!(a["western"], false, "{a}");
        assert!(a["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
    // The key flag really filters: Hebei has more counties than key ones,
    // and the others are all not key.
    let hebei = web.get("/areas?level=county&province=13&per_page=1", &token);
    assert!(hebei.json()["total"].as_i64().unwrap() > total);
    let others = web.get(
        "/areas?level=county&key=false&province=13&per_page=500",
        &token,
    );
    let others = others.json();
    assert_eq!(
        others["total"].as_i64().unwrap() + total,
        hebei.json()["total"].as_i64().unwrap()
    );
    assert!(
        others["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["key_county"] == false)
    );
    // Other provinces' key counties are elsewhere.
    let hunan = web.get(
        "/areas?level=county&key=true&province=43&per_page=500",
        &token,
    );
    let hunan = hunan.json();
    assert!(
        hunan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["code"].as_str().unwrap().starts_with("43"))
    );
    // Provinces by level.
    let prov = web.get("/areas?level=province&per_page=100", &token);
    let prov = prov.json();
    assert!(prov["total"].as_i64().unwrap() >= 31);
    assert!(
        prov["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["level"] == "province")
    );
    // One area.
    let z = web.get(&format!("/areas/{ZHOUQU}"), &token);
    z.expect(200);
    assert_eq!(z.json()["code"], ZHOUQU);
    assert_eq!(z.json()["western"], true);
    web.get("/areas/999999", &token).expect(404);
    // Bad filter values are named.
    let bad = web.get("/areas?key=maybe", &token);
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["key"]);
    let bad = web.get("/areas?level=galaxy", &token);
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["level"]);
}

/// The fields of a plan exactly as interfaces.md names them.
#[track_caller]
fn assert_plan_shape(p: &Value, status: &str) {
    assert!(p["id"].as_i64().is_some(), "id: {p}");
    assert!(p["name"].as_str().is_some(), "name: {p}");
    assert!(
        matches!(p["kind"].as_str(), Some("overall" | "specific")),
        "kind: {p}"
    );
    for k in ["period_start", "period_end"] {
        let d = p[k].as_str().unwrap_or_else(|| panic!("{k}: {p}"));
        assert!(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(),
            "{k} is YYYY-MM-DD: {d}"
        );
    }
    assert_eq!(p["status"], status, "status: {p}");
}

fn plan_fields_workflow_coverage_and_pairing_filters(db: &TestDb) {
    let web = Web::new(db);
    let app = &web.app;
    county_list(app);
    let a = unit(app, "甲单位");
    let b = unit(app, "乙单位");
    let c = unit(app, "丙单位");
    user(app, "office1", "office", None, None);
    user(app, "reviewer1", "reviewer", None, None);
    user(app, "unit_a", "unit", Some(a), None);
    let office = web.direct_token("office1", PASSWORD);
    let reviewer = web.direct_token("reviewer1", PASSWORD);
    let unit_a = web.direct_token("unit_a", PASSWORD);

    // Only the office drafts plans.
    let input = json!({
        "name": "接口测试总体方案", "kind": "overall", "county_list": LIST,
        "period_start": START, "period_end": END
    });
    for t in [&reviewer, &unit_a] {
        let r = web.post("/plans", t, input.clone());
        r.expect(403);
        assert_eq!(r.code(), "forbidden");
    }
    let r = web.post("/plans", &office, input);
    r.expect(201);
    let created = r.json();
    assert_plan_shape(&created, "draft");
    assert_eq!(created["kind"], "overall");
    assert_eq!(created["period_start"], START);
    assert_eq!(created["period_end"], END);
    assert_eq!(created["name"], "接口测试总体方案");
    let id = created["id"].as_i64().unwrap();
    let got = web.get(&format!("/plans/{id}"), &office);
    got.expect(200);
    assert_eq!(got.json(), created, "GET answers what POST created");
    web.get("/plans/987654", &office).expect(404);

    // Pairings through the API.
    let add = |body: Value| web.post(&format!("/plans/{id}/pairings"), &office, body);
    for (u, county) in [(a, XINGTANG), (a, LINGSHOU)] {
        add(json!({ "unit_id": u, "county_code": county, "role": "lead" })).expect(201);
    }
    let r = add(
        json!({ "unit_id": b, "county_code": JIANGHUA, "role": "lead", "start": START, "end": "2022-12-31" }),
    );
    r.expect(201);
    let p = r.json();
    assert_eq!(p["unit_id"], b);
    assert_eq!(p["county_code"], JIANGHUA);
    assert_eq!(p["plan_id"], id);
    assert_eq!(p["role"], "lead");
    assert_eq!(p["start"], START);
    assert_eq!(p["end"], "2022-12-31");
    // Only the office adds pairings.
    let r = web.post(
        &format!("/plans/{id}/pairings"),
        &reviewer,
        json!({ "unit_id": c, "county_code": ZHOUQU }),
    );
    r.expect(403);

    // Coverage on a day: Zhouqu (western, priority 1) is open.
    let cov = web.get(&format!("/plans/{id}/coverage?on=2022-06-01"), &office);
    cov.expect(200);
    let cj = cov.json();
    let keys: BTreeSet<&str> = cj.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["key_counties", "covered", "uncovered"])
    );
    assert_eq!(cj["key_counties"], 4);
    assert_eq!(cj["covered"], 3);
    let open = cj["uncovered"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    let keys: BTreeSet<&str> = open[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["code", "name", "priority"]));
    assert_eq!(open[0]["code"], ZHOUQU);
    assert_eq!(open[0]["name"], "舟曲县");
    assert_eq!(open[0]["priority"], 1);
    // Later Jianghua's pairing has ended too; the western county comes first.
    let cov = web
        .get(&format!("/plans/{id}/coverage?on=2023-06-01"), &office)
        .json();
    assert_eq!(cov["covered"], 2);
    let codes: Vec<&str> = cov["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![ZHOUQU, JIANGHUA]);
    assert!(cov["uncovered"][1]["priority"].as_i64().unwrap() > 1);
    let bad = web.get(&format!("/plans/{id}/coverage?on=2023-02-30"), &office);
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["on"]);

    add(json!({ "unit_id": c, "county_code": JIANGHUA, "role": "member", "start": "2023-01-01" }))
        .expect(201);
    add(json!({ "unit_id": a, "county_code": ZHOUQU, "role": "lead" })).expect(201);
    let cov = web
        .get(&format!("/plans/{id}/coverage?on=2024-01-01"), &office)
        .json();
    assert_eq!(cov["covered"], 4);
    assert_eq!(cov["uncovered"], json!([]));

    // Pairing filters.
    let items = |path: &str| -> Vec<Value> {
        let r = web.get(path, &office);
        r.expect(200);
        r.json()["items"].as_array().unwrap().clone()
    };
    let got = items(&format!(
        "/pairings?unit={b}&county={JIANGHUA}&active_on=2022-06-01"
    ));
    assert_eq!(got.len(), 1);
    for k in ["unit_id", "county_code", "plan_id", "role", "start", "end"] {
        assert!(!got[0][k].is_null(), "pairing has {k}: {}", got[0]);
    }
    assert_eq!(got[0]["unit_id"], b);
    assert_eq!(got[0]["plan_id"], id);
    assert!(
        items(&format!(
            "/pairings?unit={b}&county={JIANGHUA}&active_on=2024-06-01"
        ))
        .is_empty()
    );
    let now = items(&format!("/pairings?county={JIANGHUA}&active_on=2024-06-01"));
    assert_eq!(now.len(), 1);
    assert_eq!(now[0]["unit_id"], c);
    assert_eq!(now[0]["role"], "member");
    assert_eq!(now[0]["start"], "2023-01-01");
    assert_eq!(now[0]["end"], END);
    let of_a = items(&format!("/pairings?unit={a}"));
    assert_eq!(of_a.len(), 3);
    assert!(of_a.iter().all(|p| p["unit_id"] == a));
    assert_eq!(items(&format!("/pairings?plan={id}")).len(), 5);
    assert_eq!(items(&format!("/plans/{id}/pairings")).len(), 5);
    let bad = web.get("/pairings?active_on=yesterday", &office);
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["active_on"]);
    let bad = web.get("/pairings?unit=abc", &office);
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["unit"]);

    // The workflow: wrong role 403, illegal 409, unknown status 422.
    let go = |token: &str, to: &str| {
        web.post(
            &format!("/plans/{id}/transition"),
            token,
            json!({ "to": to }),
        )
    };
    let r = go(&reviewer, "consultation");
    r.expect(403);
    assert_eq!(r.code(), "forbidden");
    // Approving is the reviewer's step: the office is refused by role.
    let r = go(&office, "approved");
    r.expect(403);
    assert_eq!(r.code(), "forbidden");
    // The office puts plans in force, but not a draft: illegal.
    let r = go(&office, "active");
    r.expect(409);
    assert_eq!(r.code(), "illegal_transition");
    let r = go(&office, "finished");
    r.expect(422);
    assert_eq!(r.fields(), vec!["to"]);
    let r = go(&unit_a, "consultation");
    assert_eq!(r.status.as_u16(), 403, "{}", r.text());

    let r = go(&office, "consultation");
    r.expect(200);
    assert_plan_shape(&r.json(), "consultation");
    let r = go(&office, "submitted");
    r.expect(200);
    assert_plan_shape(&r.json(), "submitted");
    // Approval belongs to the reviewer.
    let r = go(&office, "approved");
    r.expect(403);
    assert_eq!(r.code(), "forbidden");
    let r = go(&reviewer, "approved");
    r.expect(200);
    assert_plan_shape(&r.json(), "approved");
    // Activation belongs to the office.
    go(&reviewer, "active").expect(403);
    let r = go(&office, "active");
    r.expect(200);
    assert_plan_shape(&r.json(), "active");
    assert_eq!(
        web.get(&format!("/plans/{id}"), &office).json()["status"],
        "active"
    );
    // An active plan goes nowhere by hand and takes no new pairings.
    for to in ["draft", "submitted", "superseded"] {
        let r = go(&office, to);
        r.expect(409);
        assert_eq!(r.code(), "illegal_transition");
    }
    let r = add(json!({ "unit_id": b, "county_code": ZHOUQU, "role": "member" }));
    r.expect(409);
    assert_eq!(r.code(), "plan_not_editable");

    // The unit sees the plan (it holds the unit's pairings) and only its own pairings.
    let r = web.get("/plans", &unit_a);
    r.expect(200);
    assert_eq!(r.json()["total"], 1);
    let mine = web.get(&format!("/plans/{id}/pairings"), &unit_a).json();
    assert_eq!(mine["total"], 3);
    let listed: Vec<i64> = web.get("/plans?status=active", &office).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![id]);
}

fn bad_input_is_422_naming_the_field_in_the_callers_language(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "校验测试单位");
    let plan = draft_plan(&web.app, "校验测试方案");
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let units_before = web.get("/units", &token).json()["total"].clone();
    let mut errors = Vec::new();

    // Units: empty name, unknown kind.
    let r = web.post(
        "/units",
        &token,
        json!({ "name": "", "kind": "central_organ" }),
    );
    r.expect(422);
    assert_eq!(r.code(), "invalid");
    assert_eq!(r.fields(), vec!["name"]);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(has_cjk(&msg), "Chinese by default: {msg}");
    let f = &r.json()["error"]["fields"][0];
    assert!(f["message"].as_str().is_some_and(has_cjk), "{f}");
    errors.push(r);
    let r = web.post(
        "/units",
        &token,
        json!({ "name": "新单位", "kind": "alien" }),
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["kind"]);
    assert_eq!(r.json()["error"]["fields"][0]["value"], "alien");
    errors.push(r);
    // Both at once: both named.
    let r = web.post("/units", &token, json!({ "name": "  ", "kind": "" }));
    r.expect(422);
    assert_eq!(r.fields(), vec!["name", "kind"]);
    errors.push(r);
    // A duplicate name.
    let r = web.post(
        "/units",
        &token,
        json!({ "name": "校验测试单位", "kind": "university" }),
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["name"]);
    errors.push(r);
    assert_eq!(
        web.get("/units", &token).json()["total"],
        units_before,
        "nothing written"
    );

    // The same in English.
    let en = [("accept-language", "en-GB,en;q=0.9")];
    let r = web.api_with(
        "post",
        "/units",
        Some(&token),
        Some(json!({ "name": "", "kind": "central_organ" })),
        &en,
    );
    r.expect(422);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(!has_cjk(&msg) && msg.contains("required"), "English: {msg}");
    assert_eq!(r.json()["error"]["fields"][0]["message"], "is required");
    errors.push(r);
    let r = web.api_with("get", "/units", None, None, &en);
    r.expect(401);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(!has_cjk(&msg), "English 401: {msg}");
    let r = web.api("get", "/units", None, None);
    assert!(
        has_cjk(r.json()["error"]["message"].as_str().unwrap()),
        "Chinese 401"
    );
    let r = web.api_with("get", "/plans/424242", Some(&token), None, &en);
    r.expect(404);
    assert!(!has_cjk(r.json()["error"]["message"].as_str().unwrap()));
    errors.push(r);

    // A pairing outside the plan's period.
    let r = web.post(
        &format!("/plans/{plan}/pairings"),
        &token,
        json!({ "unit_id": u, "county_code": ZHOUQU, "start": "2030-01-01", "end": "2030-06-30" }),
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["start"]);
    errors.push(r);
    let r = web.post(
        &format!("/plans/{plan}/pairings"),
        &token,
        json!({ "unit_id": u, "county_code": "999999", "role": "boss", "end": "2021-13-01" }),
    );
    r.expect(422);
    let fields = r.fields();
    for f in ["county_code", "role", "end"] {
        assert!(fields.contains(&f.to_string()), "{f} named in {fields:?}");
    }
    errors.push(r);
    let r = web.post(
        &format!("/plans/{plan}/pairings"),
        &token,
        json!({ "unit_id": 99999, "county_code": ZHOUQU }),
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["unit_id"]);
    errors.push(r);
    assert_eq!(
        web.get(&format!("/plans/{plan}/pairings"), &token).json()["total"],
        0,
        "nothing written"
    );

    // Plans: end before start, unknown list, bad date.
    let r = web.post(
        "/plans",
        &token,
        json!({ "name": "x", "period_start": "2025-01-01", "period_end": "2024-01-01", "county_list": "no-such-list" }),
    );
    r.expect(422);
    let fields = r.fields();
    assert!(fields.contains(&"period_end".to_string()), "{fields:?}");
    assert!(fields.contains(&"county_list".to_string()), "{fields:?}");
    errors.push(r);

    // Malformed JSON and JSON of the wrong shape: the body is named.
    for raw in [
        &b"{\"name\": \"x\", "[..],
        b"not json at all",
        b"",
        b"[1, 2, 3]",
        b"{\"name\": 5, \"kind\": \"university\"}",
    ] {
        let r = web.api_raw("post", "/units", Some(&token), Some(raw.to_vec()), &[]);
        r.expect(422);
        assert_eq!(r.code(), "invalid", "{}", String::from_utf8_lossy(raw));
        assert_eq!(r.fields(), vec!["body"]);
        errors.push(r);
    }
    let r = web.api_raw(
        "post",
        &format!("/plans/{plan}/transition"),
        Some(&token),
        Some(b"{to: draft}".to_vec()),
        &[],
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["body"]);
    errors.push(r);
    let r = web.api_raw(
        "post",
        "/units",
        Some(&token),
        Some(b"{\"name\":".to_vec()),
        &en,
    );
    assert!(!has_cjk(r.json()["error"]["message"].as_str().unwrap()));
    errors.push(r);

    // Input that would break naive SQL is just data.
    let tricky = "O'Brien\"; DROP TABLE units; --";
    let r = web.post(
        "/units",
        &token,
        json!({ "name": tricky, "kind": "university" }),
    );
    r.expect(201);
    assert_eq!(r.json()["name"], tricky);
    let q = web.get(
        &format!("/units?q={}", urlencoding::encode("' OR 1=1 --")),
        &token,
    );
    q.expect(200);
    assert_eq!(q.json()["total"], 0);
    let q = web.get(
        &format!("/areas?province={}", urlencoding::encode("%' --")),
        &token,
    );
    q.expect(200);

    // An id that is not a number names no record: a JSON error like any other.
    for r in dingdian_web::api_routes()
        .iter()
        .filter(|r| r.path.contains("{id}"))
    {
        let path = r.path.replace("{id}", "abc");
        let res = web.api(
            &r.method,
            &path,
            Some(&token),
            r.body.as_ref().map(|_| json!({})),
        );
        assert_eq!(
            res.status.as_u16(),
            404,
            "{} {path}: {}",
            r.method,
            res.text()
        );
        assert_eq!(res.code(), "not_found", "{} {path}", r.method);
        errors.push(res);
    }
    let res = web.get("/plans/99999999999999999999999", &token);
    res.expect(404);
    errors.push(res);

    // No error answer shows SQL or internals.
    for r in &errors {
        assert!(r.status.is_client_error(), "{}", r.text());
        assert_no_sql(r);
        let j = r.json();
        assert!(j["error"]["code"].is_string() && j["error"]["message"].is_string());
    }
}

/// A token of a role that may call the list route `path`.
fn list_caller<'a>(path: &str, tokens: &'a [(&str, String)]) -> &'a str {
    let role = match path {
        "/users" => "admin",
        "/audit" => "auditor",
        _ => "office",
    };
    &tokens.iter().find(|(r, _)| *r == role).expect("a caller").1
}

fn paging_outside_its_range_is_422_on_every_list_route(db: &TestDb) {
    let web = Web::new(db);
    let tokens: Vec<(&str, String)> = ["office", "admin", "auditor"]
        .into_iter()
        .map(|r| {
            user(&web.app, &format!("{r}1"), r, None, None);
            (r, web.direct_token(&format!("{r}1"), PASSWORD))
        })
        .collect();
    let routes = dingdian_web::api_routes();
    let paged: Vec<&str> = routes
        .iter()
        .filter(|r| r.method == "get" && r.list && r.query.iter().any(|q| q == "page"))
        .map(|r| r.path.as_str())
        .collect();
    assert!(paged.len() >= 8, "{paged:?}");
    // The one paged list under a record: an alert file's rows.
    registry_fixture(&web.app);
    let [_, alerts, _, _] = closing_loop_records(&web, unit(&web.app, "分页测试单位"));
    for path in paged {
        let path = &path.replace("{id}", &alerts.to_string());
        let token = list_caller(path, &tokens);
        web.get(&format!("{path}?page=1&per_page=500"), token)
            .expect(200);
        for (key, value) in [
            ("page", "-1"),
            ("page", "0"),
            ("page", "99999999999999999999"),
            ("page", "1.5"),
            ("per_page", "0"),
            ("per_page", "-1"),
            ("per_page", "501"),
            ("per_page", "100000"),
        ] {
            let r = web.get(&format!("{path}?{key}={value}"), token);
            r.expect(422);
            assert_eq!(r.code(), "invalid", "{path}?{key}={value}");
            assert_eq!(r.fields(), vec![key], "{path}?{key}={value}");
            let f = &r.json()["error"]["fields"][0];
            assert_eq!(f["code"], "bad_parameter", "{path}: {f}");
            assert!(f["value"].as_str().unwrap().chars().count() <= 20, "{f}");
        }
    }
}

fn a_unit_as_read_is_written_back_and_permission_comes_before_input(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "admin1", "admin", None, None);
    user(&web.app, "reviewer1", "reviewer", None, None);
    let office = web.direct_token("office1", PASSWORD);
    let admin = web.direct_token("admin1", PASSWORD);
    let reviewer = web.direct_token("reviewer1", PASSWORD);
    let id = unit(&web.app, "回写单位");
    // The record as read, optional fields null, is accepted back whole.
    let read = web.get(&format!("/units/{id}"), &office);
    read.expect(200);
    let body = read.json();
    assert_eq!(body["leader"], Value::Null, "{body}");
    let r = web.api(
        "put",
        &format!("/units/{id}"),
        Some(&office),
        Some(body.clone()),
    );
    r.expect(200);
    assert_eq!(r.json()["name"], "回写单位");
    assert_eq!(r.json()["leader"], Value::Null);
    // A role that may not do it gets 403 whatever it sends, never 422.
    let garbage = Some(b"{\"name\": 42".to_vec());
    let unit_path = format!("/units/{id}");
    for (method, path, token) in [
        ("put", unit_path.as_str(), &admin),
        ("post", "/units", &admin),
        ("put", "/areas/623023", &reviewer),
        ("post", "/plans", &admin),
        ("post", "/plans/1/transition", &admin),
        ("post", "/plans/1/pairings", &reviewer),
        ("post", "/users", &office),
        ("put", "/users/1/role", &office),
        ("post", "/users/1/active", &office),
        ("post", "/users/1/password", &office),
        ("post", "/imports/statistics?file_name=x.txt", &reviewer),
        ("post", "/imports/registry?dry_run=maybe", &reviewer),
    ] {
        let r = web.api_raw(method, path, Some(token), garbage.clone(), &[]);
        r.expect(403);
        assert_eq!(r.code(), "forbidden", "{method} {path}");
    }
    for path in ["/units?page=0", "/audit?page=0", "/plans?per_page=0"] {
        web.get(path, &admin).expect(403);
    }
}

fn a_transition_the_role_may_not_make_is_403_not_409(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    let u = unit(&web.app, "流程单位");
    let plan = full_plan(&web.app, "流程方案", u);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "reviewer1", "reviewer", None, None);
    user(&web.app, "unit1", "unit", Some(u), None);
    let office = web.direct_token("office1", PASSWORD);
    let reviewer = web.direct_token("reviewer1", PASSWORD);
    let unit_t = web.direct_token("unit1", PASSWORD);
    let path = format!("/plans/{plan}/transition");
    // Only the reviewer approves: the office asking it of a draft is 403.
    let r = web.post(&path, &office, json!({ "to": "approved" }));
    r.expect(403);
    assert_eq!(r.code(), "forbidden");
    // A role with no step of the workflow: 403, whatever it asks.
    for to in ["approved", "consultation", "bogus"] {
        web.post(&path, &unit_t, json!({ "to": to })).expect(403);
    }
    // The reviewer may approve, but not a draft: that is the plan's state.
    let r = web.post(&path, &reviewer, json!({ "to": "approved" }));
    r.expect(409);
    assert_eq!(r.code(), "illegal_transition");
    // The office may not step from draft to active either, but it may put
    // approved plans in force: the step is illegal, 409.
    let r = web.post(&path, &office, json!({ "to": "active" }));
    r.expect(409);
    web.post(&path, &office, json!({ "to": "consultation" }))
        .expect(200);
}

fn health_reports_the_database(db: &TestDb) {
    let web = Web::new(db);
    let r = web.api("get", "/health", None, None);
    r.expect(200);
    assert_eq!(r.json(), json!({ "status": "ok", "database": "ok" }));
    if db.backend == dingdian_testkit::Backend::Sqlite {
        // Every commit is synced: a power cut loses no committed write.
        let sync = dingdian_testkit::beneath(&web.url)
            .read(|c| c.query_i64("PRAGMA synchronous", &[]))
            .unwrap();
        assert_eq!(sync, 2, "synchronous = FULL");
        return;
    }
    // PostgreSQL stops taking connections to this database and drops the
    // ones it has: the health check says so instead of "ok".
    let (base, name) = db.url.rsplit_once('/').unwrap();
    let mut admin = ::postgres::Client::connect(&format!("{base}/postgres"), ::postgres::NoTls)
        .expect("connect to the server");
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .unwrap();
    let r = web.api("get", "/health", None, None);
    r.expect(503);
    assert_eq!(r.json()["status"], "unavailable");
    assert_eq!(r.json()["database"], "unavailable");
    assert_no_sql(&r);
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .unwrap();
    let r = web.api("get", "/health", None, None);
    r.expect(200);
    assert_eq!(r.json()["database"], "ok");
}

/// The document as committed in `docs/openapi.json`: a change to the API's
/// contract shows in review. `UPDATE_OPENAPI=1` writes the new one.
#[test]
fn the_document_is_valid_openapi_3_1_and_matches_its_snapshot() {
    let doc = dingdian_web::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let text = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    validate_openapi(&text);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&file, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    let (old, new): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), text.lines().collect());
    let changed: Vec<String> = (0..old.len().max(new.len()))
        .filter(|&i| old.get(i) != new.get(i))
        .take(30)
        .map(|i| {
            format!(
                "line {}:\n  - {}\n  + {}",
                i + 1,
                old.get(i).unwrap_or(&""),
                new.get(i).unwrap_or(&"")
            )
        })
        .collect();
    assert!(
        changed.is_empty(),
        "the OpenAPI document differs from docs/openapi.json (first differences below); \
         if the change is meant, run the test with UPDATE_OPENAPI=1 and commit the file\n{}",
        changed.join("\n")
    );
}

/// Validates the document with `openapi-spec-validator` (PyPI, installed
/// by `.ci/run`): said loudly and skipped where it is missing, an error
/// under CI.
fn validate_openapi(text: &str) {
    use std::io::Write;
    let script = "import json, sys\n\
                  from openapi_spec_validator import OpenAPIV31SpecValidator, validate\n\
                  validate(json.load(sys.stdin), cls=OpenAPIV31SpecValidator)\n";
    let missing = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output()
        .map_or(true, |o| !o.status.success());
    if missing {
        let msg = "python3 with openapi-spec-validator is not installed: the OpenAPI 3.1 validation was SKIPPED \
                   (python3 -m pip install openapi-spec-validator)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg}; under CI this is an error"
        );
        eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
        return;
    }
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the document is not valid OpenAPI 3.1:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn logout_ends_the_token_and_is_audited(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    user(&web.app, "auditor1", "auditor", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let other = web.direct_token("office1", PASSWORD);
    let r = web.api("post", "/logout", Some(&token), None);
    r.expect(200);
    assert_eq!(r.json(), json!({ "logged_out": true }));
    // The token is gone; the account's other token is not.
    for r in [
        web.get("/units", &token),
        web.api("post", "/logout", Some(&token), None),
    ] {
        r.expect(401);
        assert_eq!(r.code(), "unauthenticated");
    }
    web.get("/units", &other).expect(200);
    // Without a token there is nothing to end.
    web.api("post", "/logout", None, None).expect(401);

    // A token that may only change its password may still sign out.
    dingdian_testkit::age_password(&web.url, "office1", 91);
    let restricted = web.direct_token("office1", PASSWORD);
    web.get("/units", &restricted).expect(403);
    web.api("post", "/logout", Some(&restricted), None)
        .expect(200);
    web.get("/units", &restricted).expect(401);

    // Audited, as the web page's sign-out is.
    let auditor = web.direct_token("auditor1", PASSWORD);
    let r = web.get("/audit?action=logout&username=office1", &auditor);
    r.expect(200);
    assert_eq!(r.json()["total"], 2, "{}", r.text());
}

/// A poor village of Zhouqu and a helper of ZQ001 (the registry
/// fixture's), never visited: the villages and households lists have
/// something to list.
fn helped(web: &Web) {
    user(&web.app, "zq_county", "county", None, Some(ZHOUQU));
    let county = actor(web, "zq_county");
    web.app
        .set_poor_village(&county, MIAOGOU, true)
        .expect("a poor village");
    let helper = dingdian_core::household_help::HelperInput {
        household_id: "ZQ001".into(),
        person_name: "赵强".into(),
        post: "村会计".into(),
        from_date: "2024-01-01".into(),
        ..Default::default()
    };
    web.app
        .assign_helper(&county, &helper, dingdian_core::time::today())
        .expect("a helper");
}

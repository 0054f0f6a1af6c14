//! Identity through the web and the API, on both backends: the second
//! factor at sign-in (form and API), enrolment on "My account", expired
//! passwords, the separated duties of the account pages and routes, demo
//! accounts outside `--demo`, and the idle timeout of pages and tokens.

use crate::common;

use common::*;
use dingdian_app::App;
use dingdian_app::auth::NewUserInput;
use dingdian_core::{time, totp};
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;

both_backends!(
    api_sign_in_asks_for_the_second_factor,
    api_with_an_expired_password_only_changes_it,
    api_routes_keep_the_duties_separate,
    the_sign_in_form_asks_for_the_code_without_javascript,
    account_pages_keep_the_duties_separate,
    any_user_enrols_a_second_factor_on_my_account,
    demo_accounts_are_refused_without_demo_mode,
    idle_sessions_end_on_pages_and_tokens,
    an_administrators_password_reset_does_not_open_the_account,
    a_role_that_needs_a_second_factor_comes_with_one_from_security,
    only_the_security_administrator_removes_a_second_factor,
    unknown_names_lock_like_existing_ones,
    sign_in_sends_only_to_a_path_on_this_site,
);

fn login(web: &Web, username: &str, totp: Option<&str>) -> Resp {
    web.api(
        "post",
        "/login",
        None,
        Some(json!({ "username": username, "password": PASSWORD, "totp": totp })),
    )
}

fn id_of(web: &Web, username: &str) -> i64 {
    dingdian_testkit::stored_user(&web.url, username)
        .unwrap()
        .id
}

fn api_sign_in_asks_for_the_second_factor(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    for code in [None, Some("")] {
        let r = login(&web, "office1", code);
        r.expect(401);
        assert_eq!(r.code(), "totp_required");
    }
    let r = login(&web, "office1", Some("12345x"));
    r.expect(401);
    assert_eq!(r.code(), "bad_totp");
    let code = web.totp("office1").unwrap();
    let r = login(&web, "office1", Some(&code));
    r.expect(200);
    assert_eq!(r.json()["restriction"], json!(null));
    let token = r.json()["token"].as_str().unwrap().to_string();
    web.get("/units", &token).expect(200);
    // The same code again is a replay.
    let r = login(&web, "office1", Some(&code));
    r.expect(401);
    assert_eq!(r.code(), "bad_totp");
}

fn api_with_an_expired_password_only_changes_it(db: &TestDb) {
    let web = Web::new(db);
    let u = unit(&web.app, "教育部");
    user(&web.app, "unit1", "unit", Some(u), None);
    dingdian_testkit::age_password(&web.url, "unit1", 91);
    let r = login(&web, "unit1", None);
    r.expect(200);
    assert_eq!(r.json()["restriction"], "password_expired");
    let token = r.json()["token"].as_str().unwrap().to_string();
    for path in ["/units", "/plans", "/indicators"] {
        let r = web.get(path, &token);
        r.expect(403);
        assert_eq!(r.code(), "password_expired", "{path}");
    }
    let change = |current: &str, new: &str| {
        web.post(
            "/account/password",
            &token,
            json!({ "current_password": current, "new_password": new }),
        )
    };
    let r = change("Wrong@2026x", "Newer@2026y");
    r.expect(422);
    assert_eq!(r.fields(), vec!["current_password"]);
    let r = change(PASSWORD, PASSWORD);
    r.expect(422);
    assert_eq!(r.fields(), vec!["new_password"]);
    change(PASSWORD, "Newer@2026y").expect(200);
    web.get("/units", &token).expect(200);
}

fn api_routes_keep_the_duties_separate(db: &TestDb) {
    let web = Web::new(db);
    for (name, role) in [
        ("admin1", "admin"),
        ("security1", "security"),
        ("auditor1", "auditor"),
        ("office1", "office"),
    ] {
        user(&web.app, name, role, None, None);
    }
    let admin = web.token("admin1", PASSWORD);
    let security = web.token("security1", PASSWORD);
    let auditor = web.token("auditor1", PASSWORD);
    let office = web.token("office1", PASSWORD);
    let new = json!({ "username": "new1", "display_name": "新用户", "password": PASSWORD });

    // Creating accounts: the administrator only, and without a role.
    for t in [&security, &auditor, &office] {
        web.post("/users", t, new.clone()).expect(403);
    }
    let r = web.post("/users", &admin, new.clone());
    r.expect(201);
    assert_eq!(r.json()["role"], json!(null));
    let id = r.json()["id"].as_i64().unwrap();

    // Roles: the security administrator only; never an administrator duty,
    // never its own.
    let role = |t: &str, id: i64, body: serde_json::Value| {
        web.api("put", &format!("/users/{id}/role"), Some(t), Some(body))
    };
    for t in [&admin, &auditor, &office] {
        role(t, id, json!({ "role": "inspector" })).expect(403);
    }
    for duty in ["admin", "security", "auditor"] {
        let r = role(&security, id, json!({ "role": duty }));
        r.expect(403);
        assert_eq!(r.code(), "admin_duty");
    }
    let r = role(
        &security,
        id_of(&web, "security1"),
        json!({ "role": "office" }),
    );
    r.expect(403);
    assert_eq!(r.code(), "own_account");
    let r = role(&security, id, json!({ "role": "inspector" }));
    r.expect(200);
    assert_eq!(r.json()["role"], "inspector");

    // Account management: the administrator, and not on the duties.
    let post = |t: &str, path: String, body: Option<serde_json::Value>| {
        web.api("post", &path, Some(t), body)
    };
    for t in [&security, &auditor, &office] {
        post(
            t,
            format!("/users/{id}/active"),
            Some(json!({ "active": false })),
        )
        .expect(403);
        post(t, format!("/users/{id}/unlock"), None).expect(403);
        post(
            t,
            format!("/users/{id}/password"),
            Some(json!({ "password": "Reset@2026x" })),
        )
        .expect(403);
    }
    let r = post(
        &admin,
        format!("/users/{}/active", id_of(&web, "auditor1")),
        Some(json!({ "active": false })),
    );
    r.expect(403);
    assert_eq!(r.code(), "admin_duty");
    let r = post(
        &admin,
        format!("/users/{id}/active"),
        Some(json!({ "active": false })),
    );
    r.expect(200);
    assert_eq!(r.json()["active"], false);
    post(&admin, format!("/users/{id}/unlock"), None).expect(200);
    post(
        &admin,
        format!("/users/{id}/password"),
        Some(json!({ "password": "Reset@2026x" })),
    )
    .expect(200);

    // The account list: administrator and security; the audit log: auditor.
    web.get("/users", &admin).expect(200);
    web.get("/users", &security).expect(200);
    web.get("/users", &auditor).expect(403);
    web.get("/users", &office).expect(403);
    let r = web.get("/audit?q=user.role", &auditor);
    r.expect(200);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert!(
        items
            .iter()
            .any(|i| i["username"] == "security1" && i["outcome"] == "success"),
        "the role assignment is audited: {items:?}"
    );
    for t in [&admin, &security, &office] {
        web.get("/audit", t).expect(403);
    }
}

fn the_sign_in_form_asks_for_the_code_without_javascript(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let mut b = web.browser();
    let page = b.get("/login");
    assert!(
        page.text().contains("name=\"totp\""),
        "a code field on the form"
    );
    assert!(!page.text().contains("<script"), "no script needed");
    let csrf = csrf_of(&page.text());
    let post = |b: &mut Browser, csrf: &str, code: &str| {
        b.post(
            "/login",
            &[
                ("_csrf", csrf),
                ("username", "office1"),
                ("password", PASSWORD),
                ("totp", code),
                ("next", "/"),
            ],
        )
    };
    let r = post(&mut b, &csrf, "");
    r.expect(401);
    assert!(r.text().contains("动态口令"), "says the code is needed");
    assert!(b.cookie("dd_session").is_none());
    let csrf = csrf_of(&r.text());
    let r = post(&mut b, &csrf, "000000x");
    r.expect(401);
    let csrf = csrf_of(&r.text());
    let r = post(&mut b, &csrf, &web.totp("office1").unwrap());
    r.expect(303);
    assert_eq!(r.header("location"), Some("/"));
    b.get("/").expect(200);
}

fn account_pages_keep_the_duties_separate(db: &TestDb) {
    let web = Web::new(db);
    let u = unit(&web.app, "教育部");
    for (name, role) in [
        ("admin1", "admin"),
        ("security1", "security"),
        ("auditor1", "auditor"),
    ] {
        user(&web.app, name, role, None, None);
    }
    // The administrator creates an account, without a role.
    let mut admin = web.browser();
    admin.sign_in("admin1", PASSWORD);
    let page = admin.get("/users");
    page.expect(200);
    let html = page.text();
    assert!(
        html.contains("method=\"post\" action=\"/users\""),
        "the create form"
    );
    assert!(!html.contains("name=\"role\""), "no role to choose");
    let r = admin.post("/users", &[("username", "li"), ("password", PASSWORD)]);
    r.expect(403);
    let csrf = admin.csrf();
    let r = admin.post(
        "/users",
        &[
            ("_csrf", &csrf),
            ("username", "li"),
            ("display_name", "李四"),
            ("password", PASSWORD),
        ],
    );
    r.expect(303);
    let li = id_of(&web, "li");
    let page = admin.get(&format!("/users/{li}"));
    page.expect(200);
    assert!(main_of(&page.text()).contains("待分配角色"));
    assert!(
        !page.text().contains("/role\""),
        "the administrator assigns no role"
    );
    assert!(page.text().contains(&format!("/users/{li}/active")));
    let r = admin.post(
        &format!("/users/{li}/role"),
        &[
            ("_csrf", &csrf),
            ("role", "unit"),
            ("unit_id", &u.to_string()),
        ],
    );
    r.expect(403);
    admin.get("/audit").expect(403);

    // The security administrator assigns it; creates nothing, reads no log.
    let mut security = web.browser();
    security.sign_in("security1", PASSWORD);
    let page = security.get("/users");
    assert!(
        !page.text().contains("method=\"post\" action=\"/users\""),
        "no create form"
    );
    let page = security.get(&format!("/users/{li}"));
    assert!(
        page.text().contains(&format!("/users/{li}/role")),
        "the role form"
    );
    assert!(
        !page.text().contains(&format!("/users/{li}/password")),
        "no reset"
    );
    assert!(
        !page.text().contains("<option value=\"auditor\""),
        "no duty offered"
    );
    let csrf = security.csrf();
    let r = security.post(
        &format!("/users/{li}/role"),
        &[("_csrf", &csrf), ("role", "unit"), ("unit_id", "")],
    );
    r.expect(422);
    assert!(
        r.text().contains("此角色必须指定单位"),
        "the error under the field"
    );
    let r = security.post(
        &format!("/users/{li}/role"),
        &[
            ("_csrf", &csrf),
            ("role", "unit"),
            ("unit_id", &u.to_string()),
        ],
    );
    r.expect(303);
    assert!(
        security
            .get(&format!("/users/{li}"))
            .text()
            .contains("帮扶单位")
    );
    let r = security.post(
        "/users",
        &[("_csrf", &csrf), ("username", "x"), ("password", PASSWORD)],
    );
    r.expect(403);
    security.get("/audit").expect(403);

    // The auditor reads the log, not the accounts.
    let mut auditor = web.browser();
    auditor.sign_in("auditor1", PASSWORD);
    let log = auditor.get("/audit?q=user.role");
    log.expect(200);
    assert!(
        log.text().contains("security1"),
        "the assignment is in the log"
    );
    auditor.get("/users").expect(403);

    // The new user must first change the administrator's password.
    let mut li_b = web.browser();
    li_b.sign_in("li", PASSWORD);
    let r = li_b.get("/");
    r.expect(303);
    assert_eq!(r.header("location"), Some("/account"));
    let page = li_b.get("/account");
    page.expect(200);
    assert!(page.text().contains("id=\"restriction\""));
    let csrf = csrf_of(&page.text());
    let r = li_b.post(
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current_password", PASSWORD),
            ("new_password", PASSWORD),
        ],
    );
    r.expect(422);
    assert!(r.text().contains("新密码不能与当前密码相同"));
    // The restricted session may still switch language and sign out.
    li_b.post(
        "/lang",
        &[("_csrf", &csrf), ("to", "en"), ("next", "/account")],
    )
    .expect(303);
    assert!(li_b.get("/account").text().contains("Change password"));
    let r = li_b.post(
        "/account/password",
        &[
            ("_csrf", &csrf),
            ("current_password", PASSWORD),
            ("new_password", "Mine@2026li"),
        ],
    );
    r.expect(303);
    li_b.get("/").expect(200);

    let mut again = web.browser();
    web.app
        .reset_password(&actor(&web, "admin1"), li, "Reset@2026x")
        .unwrap();
    again.sign_in("li", "Reset@2026x");
    let csrf = csrf_of(&again.get("/account").text());
    again.post("/logout", &[("_csrf", &csrf)]).expect(303);
    assert!(again.cookie("dd_session").is_none(), "signed out");
}

fn any_user_enrols_a_second_factor_on_my_account(db: &TestDb) {
    let web = Web::new(db);
    let u = unit(&web.app, "教育部");
    user(&web.app, "unit1", "unit", Some(u), None);
    let mut b = web.browser();
    b.sign_in("unit1", PASSWORD);
    let page = b.get("/account");
    page.expect(200);
    assert!(page.text().contains("未绑定"), "no second factor yet");
    let csrf = csrf_of(&page.text());
    b.post("/account/totp/begin", &[]).expect(403);
    b.post("/account/totp/begin", &[("_csrf", &csrf)])
        .expect(303);
    let page = b.get("/account");
    let html = unescape(&page.text());
    let start = html
        .find("otpauth://totp/dingdian:unit1?secret=")
        .expect("the otpauth line");
    let line: String = html[start..].chars().take_while(|c| *c != '<').collect();
    assert!(line.ends_with("&issuer=dingdian"), "{line}");
    let b32 = line
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let secret = totp::base32_decode(b32).unwrap();
    let r = b.post(
        "/account/totp/confirm",
        &[("_csrf", &csrf), ("totp", "000000x")],
    );
    r.expect(422);
    let code = totp::code_at(&secret, time::now_ts());
    let r = b.post(
        "/account/totp/confirm",
        &[("_csrf", &csrf), ("totp", &code)],
    );
    r.expect(303);
    assert!(b.get("/account").text().contains("已绑定"));
    // From now on the sign-in needs the code.
    let r = login(&web, "unit1", None);
    r.expect(401);
    assert_eq!(r.code(), "totp_required");
    web.token("unit1", PASSWORD);
}

fn demo_accounts_are_refused_without_demo_mode(db: &TestDb) {
    let web = Web::new(db);
    web.app
        .create_user(
            &cli(),
            &NewUserInput {
                username: "inspector".into(),
                role: "inspector".into(),
                password: PASSWORD.into(),
                demo: true,
                ..Default::default()
            },
        )
        .unwrap();
    let mut b = web.browser();
    let csrf = csrf_of(&b.get("/login").text());
    let r = b.post(
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "inspector"),
            ("password", PASSWORD),
        ],
    );
    r.expect(403);
    assert!(r.text().contains("演示账号只能在演示模式"), "Chinese");
    assert!(b.cookie("dd_session").is_none());
    let r = web.api_with(
        "post",
        "/login",
        None,
        Some(json!({ "username": "inspector", "password": PASSWORD })),
        &[("accept-language", "en")],
    );
    r.expect(403);
    assert_eq!(r.code(), "demo_account");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--demo"),
        "English"
    );
    // With --demo the same account signs in.
    let demo = Web::with_app(db, App::open(&db.url).unwrap().with_demo_mode(true));
    demo.browser().sign_in("inspector", PASSWORD);
}

fn idle_sessions_end_on_pages_and_tokens(db: &TestDb) {
    let web = Web::new(db);
    let u = unit(&web.app, "教育部");
    user(&web.app, "unit1", "unit", Some(u), None);
    let mut b = web.browser();
    b.sign_in("unit1", PASSWORD);
    let cookie = b.cookie("dd_session").unwrap().to_string();
    web.app.age_session(&cookie, 29 * 60).unwrap();
    b.get("/").expect(200);
    web.app.age_session(&cookie, 31 * 60).unwrap();
    let r = b.get("/units");
    r.expect(303);
    assert_eq!(r.header("location"), Some("/login?next=%2Funits"));

    let token = web.token("unit1", PASSWORD);
    web.get("/units", &token).expect(200);
    web.app.age_session(&token, 31 * 60).unwrap();
    let r = web.get("/units", &token);
    r.expect(401);
    assert_eq!(r.code(), "unauthenticated");
}

/// The attack of issue 9 (finding 18): the administrator resets a county
/// officer's password, signs in with it and would read full ID numbers.
/// The reset does not carry past the account's own second factor, and the
/// owner is told at the next sign-in who reset it and when.
fn an_administrators_password_reset_does_not_open_the_account(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    user(&web.app, "admin1", "admin", None, None);
    user(&web.app, "county2", "county", None, Some(ZHOUQU));
    assert!(
        web.totp("county2").is_some(),
        "a county officer sees ID numbers in full: it has a second factor"
    );
    let admin = web.token("admin1", PASSWORD);
    let county2 = id_of(&web, "county2");
    web.post(
        &format!("/users/{county2}/password"),
        &admin,
        json!({ "password": "Taken@2026x" }),
    )
    .expect(200);
    // The administrator knows the password, not the second factor.
    for code in [None, Some("000000")] {
        let r = web.api(
            "post",
            "/login",
            None,
            Some(json!({ "username": "county2", "password": "Taken@2026x", "totp": code })),
        );
        r.expect(401);
    }
    let mut b = web.browser();
    let page = b.get("/login");
    let r = b.post(
        "/login",
        &[
            ("_csrf", &csrf_of(&page.text())),
            ("username", "county2"),
            ("password", "Taken@2026x"),
            ("totp", ""),
            ("next", "/registry"),
        ],
    );
    r.expect(401);
    assert!(
        b.cookie("dd_session").is_none(),
        "no session without the code"
    );
    // The owner signs in with the password and its own code: the page after
    // sign-in says who reset the password and when, in its language.
    let mut owner = web.browser();
    let page = owner.get("/login");
    let code = web.totp("county2").unwrap();
    let r = owner.post(
        "/login",
        &[
            ("_csrf", &csrf_of(&page.text())),
            ("username", "county2"),
            ("password", "Taken@2026x"),
            ("totp", &code),
            ("next", "/registry"),
        ],
    );
    r.expect(303);
    assert_eq!(r.header("location"), Some("/account"));
    let html = owner.get("/account").text();
    let notice = html
        .split("id=\"password-reset\"")
        .nth(1)
        .expect("the notice on the page after sign-in");
    let notice: String = notice.chars().take(300).collect();
    assert!(
        notice.contains("admin1") && notice.contains("重置"),
        "{notice}"
    );
    assert!(
        notice.contains(&dingdian_core::time::show_ts(time::now_ts())[..10]),
        "{notice}"
    );
    // Through the API too, and until the owner changes the password.
    let r = web.api(
        "post",
        "/login",
        None,
        Some(json!({ "username": "county2", "password": "Taken@2026x", "totp": web.totp("county2") })),
    );
    r.expect(200);
    assert_eq!(r.json()["password_reset"]["by"], "admin1");
    let token = r.json()["token"].as_str().unwrap().to_string();
    web.post(
        "/account/password",
        &token,
        json!({ "current_password": "Taken@2026x", "new_password": "Mine@2026county" }),
    )
    .expect(200);
    assert!(
        !owner
            .get("/account")
            .text()
            .contains("id=\"password-reset\"")
    );

    // An account whose role needs a second factor it has not enrolled: the
    // administrator may not reset it (that password would enrol one).
    web.app
        .create_user(
            &cli(),
            &dingdian_app::auth::NewUserInput {
                username: "county3".into(),
                display_name: "县级用户三".into(),
                role: "county".into(),
                county_code: Some(ZHOUQU.into()),
                password: PASSWORD.into(),
                ..Default::default()
            },
        )
        .unwrap();
    let r = web.post(
        &format!("/users/{}/password", id_of(&web, "county3")),
        &admin,
        json!({ "password": "Taken@2026x" }),
    );
    r.expect(403);
    assert_eq!(r.code(), "second_factor_missing");
    let r = web.api(
        "post",
        "/login",
        None,
        Some(json!({ "username": "county3", "password": "Taken@2026x" })),
    );
    r.expect(401);
    let audit = dingdian_testkit::audit_records(&web.url, "user.password_reset");
    assert!(
        audit
            .iter()
            .any(|a| a.outcome == "refused" && a.object_id.as_deref() == Some("county3")),
        "the refused reset is audited"
    );
}

fn only_the_security_administrator_removes_a_second_factor(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    for (name, role) in [
        ("admin1", "admin"),
        ("security1", "security"),
        ("auditor1", "auditor"),
        ("office1", "office"),
    ] {
        user(&web.app, name, role, None, None);
    }
    user(&web.app, "county2", "county", None, Some(ZHOUQU));
    let county2 = id_of(&web, "county2");
    let path = format!("/users/{county2}/second-factor");
    for who in ["admin1", "auditor1", "office1"] {
        let t = web.token(who, PASSWORD);
        web.api("post", &path, Some(&t), None).expect(403);
    }
    let security = web.token("security1", PASSWORD);
    let r = web.api(
        "post",
        &format!("/users/{}/second-factor", id_of(&web, "security1")),
        Some(&security),
        None,
    );
    r.expect(403);
    assert_eq!(r.code(), "own_account");
    let r = web.api(
        "post",
        &format!("/users/{}/second-factor", id_of(&web, "admin1")),
        Some(&security),
        None,
    );
    r.expect(403);
    assert_eq!(r.code(), "admin_duty");
    let before = web.totp("county2").unwrap();
    let r = web.api("post", &path, Some(&security), None);
    r.expect(200);
    // A county officer needs one: a new one is issued at once, for the
    // security administrator to hand over; the old one no longer works.
    assert_eq!(r.json()["second_factor"], true);
    let line = r.json()["otpauth"]
        .as_str()
        .expect("a new line")
        .to_string();
    let r = login(&web, "county2", Some(&before));
    r.expect(401);
    let b32 = line
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let secret = totp::base32_decode(b32).unwrap();
    let r = login(
        &web,
        "county2",
        Some(&totp::code_at(&secret, time::now_ts())),
    );
    r.expect(200);
    assert_eq!(r.json()["restriction"], json!(null));
    // An inspector's optional second factor is removed instead.
    user(&web.app, "inspector2", "inspector", None, None);
    let i2 = id_of(&web, "inspector2");
    dingdian_testkit::issue_totp(
        &web.url,
        i2,
        web.app
            .key()
            .seal([7; 12], totp::AAD_SECRET, b"0123456789abcdefghij"),
    );
    let r = web.api(
        "post",
        &format!("/users/{i2}/second-factor"),
        Some(&security),
        None,
    );
    r.expect(200);
    assert_eq!(r.json()["second_factor"], false);
    assert_eq!(r.json()["otpauth"], json!(null));
    login(&web, "inspector2", None).expect(200);
    // The security administrator's page offers it; the administrator's not.
    user(&web.app, "county4", "county", None, Some(ZHOUQU));
    let c4 = id_of(&web, "county4");
    let old = web.totp("county4").unwrap();
    let mut sb = web.browser();
    sb.sign_in("security1", PASSWORD);
    let page = sb.get(&format!("/users/{c4}"));
    assert!(unescape(&page.text()).contains(&format!("/users/{c4}/second-factor")));
    let csrf = csrf_of(&page.text());
    sb.post(&format!("/users/{c4}/second-factor"), &[("_csrf", &csrf)])
        .expect(303);
    let page = unescape(&sb.get(&format!("/users/{c4}")).text());
    assert!(
        page.contains("otpauth://totp/dingdian:county4?secret="),
        "shown to hand over"
    );
    let r = login(&web, "county4", Some(&old));
    r.expect(401);
    let mut ab = web.browser();
    ab.sign_in("admin1", PASSWORD);
    let page = unescape(&ab.get(&format!("/users/{county2}")).text());
    assert!(
        page.contains("/password\""),
        "the administrator's own forms are there"
    );
    assert!(!page.contains("/second-factor\""), "not this one");
}

/// Five failures lock a name whether or not an account has it: the same
/// answers in the same order, so the lockout does not tell which exist.
fn unknown_names_lock_like_existing_ones(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "victim", "inspector", None, None);
    web.app
        .create_user(
            &cli(),
            &dingdian_app::auth::NewUserInput {
                username: "gone".into(),
                role: "inspector".into(),
                password: PASSWORD.into(),
                ..Default::default()
            },
        )
        .unwrap();
    let gone = id_of(&web, "gone");
    dingdian_testkit::beneath(&web.url)
        .write(|c| {
            c.execute(
                "UPDATE users SET active = ? WHERE id = ?",
                &[false.into(), gone.into()],
            )
        })
        .unwrap();
    let answers = |name: &str| -> Vec<(u16, String)> {
        (0..7)
            .map(|_| {
                let r = web.api(
                    "post",
                    "/login",
                    None,
                    Some(json!({ "username": name, "password": "Wrong@2026x" })),
                );
                (r.status.as_u16(), r.code())
            })
            .collect()
    };
    let existing = answers("victim");
    assert_eq!(existing[4], (401, "bad_credentials".into()));
    assert_eq!(existing[5], (423, "locked".into()), "{existing:?}");
    assert_eq!(answers("nobody-at-all"), existing, "an unknown name");
    assert_eq!(answers("gone"), existing, "an inactive account");
}

fn sign_in_sends_only_to_a_path_on_this_site(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "inspector1", "inspector", None, None);
    for (next, to) in [
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("\t//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\r\n/evil.example", "/"),
        ("/plans?page=2", "/plans?page=2"),
    ] {
        let mut b = web.browser();
        let page = b.get("/login");
        let r = b.post(
            "/login",
            &[
                ("_csrf", &csrf_of(&page.text())),
                ("username", "inspector1"),
                ("password", PASSWORD),
                ("next", next),
            ],
        );
        r.expect(303);
        assert_eq!(r.header("location"), Some(to), "next={next:?}");
    }
}

/// The administrator makes an account and knows its initial password; the
/// security administrator gives it the county role, which needs a second
/// factor, and issues it. Only the owner, handed that line, signs in.
fn a_role_that_needs_a_second_factor_comes_with_one_from_security(db: &TestDb) {
    let web = Web::new(db);
    county_list(&web.app);
    user(&web.app, "admin1", "admin", None, None);
    user(&web.app, "security1", "security", None, None);
    let admin = web.token("admin1", PASSWORD);
    let security = web.token("security1", PASSWORD);
    let r = web.post(
        "/users",
        &admin,
        json!({ "username": "county5", "display_name": "县级用户五", "password": PASSWORD }),
    );
    r.expect(201);
    let id = r.json()["id"].as_i64().unwrap();
    let r = web.api(
        "put",
        &format!("/users/{id}/role"),
        Some(&security),
        Some(json!({ "role": "county", "county_code": ZHOUQU })),
    );
    r.expect(200);
    let line = r.json()["otpauth"]
        .as_str()
        .expect("an issued second factor")
        .to_string();
    assert!(
        line.starts_with("otpauth://totp/dingdian:county5?secret="),
        "{line}"
    );
    assert_eq!(r.json()["second_factor"], true);
    // The administrator, with the initial password only, cannot sign in.
    let r = login(&web, "county5", None);
    r.expect(401);
    assert_eq!(r.code(), "totp_required");
    // The security administrator's page shows the line until it is used.
    let mut sb = web.browser();
    sb.sign_in("security1", PASSWORD);
    let page = unescape(&sb.get(&format!("/users/{id}")).text());
    assert!(page.contains(&line), "shown to hand over");
    let mut ab = web.browser();
    ab.sign_in("admin1", PASSWORD);
    assert!(!unescape(&ab.get(&format!("/users/{id}")).text()).contains("otpauth://"));
    let b32 = line
        .split("secret=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let secret = totp::base32_decode(b32).unwrap();
    let r = login(
        &web,
        "county5",
        Some(&totp::code_at(&secret, time::now_ts())),
    );
    r.expect(200);
    assert_eq!(r.json()["restriction"], "password_expired");
    let page = unescape(&sb.get(&format!("/users/{id}")).text());
    assert!(!page.contains("otpauth://"), "used: no longer shown");
}

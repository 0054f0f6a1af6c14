//! The HTML pages, driven in-process through the real router on SQLite and
//! on PostgreSQL: sign-in through the form and its CSRF check, redirects to
//! sign-in, CSRF on every state-changing form, form errors under the field,
//! the language switch, security headers, xlsx exports, the office's menu,
//! and what unit users and reviewers see on plan pages.

use crate::common;

use common::*;
use dingdian_app::demo::{DEMO_PASSWORD, SEED_UNIT, ZHOUQU};
use dingdian_core::plan::{PairingPlanKind, PairingPlanStatus};
use dingdian_core::query::PairingPlanFilter;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    sign_in_through_the_form,
    sign_in_with_a_wrong_csrf_is_refused,
    pages_without_a_session_redirect_to_sign_in,
    state_changing_posts_need_the_sessions_csrf,
    every_post_route_refuses_a_missing_or_forged_token,
    unit_form_errors_show_under_the_field_and_keep_the_input,
    language_switch_makes_the_next_page_english,
    pages_carry_security_headers,
    lists_export_xlsx,
    reviewer_sees_review_buttons_on_a_submitted_plan_and_the_office_does_not,
    office_menu_and_unit_views_on_the_demo_data,
);

/// A small database with the office and reviewer accounts.
fn small(db: &TestDb) -> Web {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    web
}

fn sign_in_through_the_form(db: &TestDb) {
    let web = small(db);
    let mut b = web.browser();
    let page = b.get("/login?next=/units");
    page.expect(200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text();
    let pre = b.cookie("dd_pre").expect("dd_pre cookie").to_string();
    let csrf = csrf_of(&html);
    assert_eq!(csrf, pre, "the hidden token is the pre-session cookie");
    assert!(
        unescape(&html).contains("name=\"next\" value=\"/units\""),
        "next kept"
    );
    assert!(has_cjk(&title_of(&html)), "Chinese by default");
    let set = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        set.iter()
            .all(|c| c.contains("HttpOnly") && c.contains("SameSite")),
        "{set:?}"
    );

    // A wrong password: the form again, 401, no session.
    let r = b.post(
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "office1"),
            ("password", "Wrong@1234x"),
            ("next", "/"),
        ],
    );
    r.expect(401);
    assert!(b.cookie("dd_session").is_none());
    assert!(r.text().contains("value=\"office1\""), "user name kept");
    let csrf = csrf_of(&r.text());

    let r = b.post(
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "office1"),
            ("password", PASSWORD),
            ("totp", &web.totp("office1").unwrap()),
            ("next", "/"),
        ],
    );
    r.expect(303);
    assert_eq!(r.header("location"), Some("/"));
    let session = r.set_cookies();
    assert!(
        session.get("dd_session").is_some_and(|v| v.len() >= 32),
        "{session:?}"
    );
    assert!(
        b.cookie("dd_pre").is_none(),
        "the pre-session token is spent"
    );
    let home = b.get("/");
    home.expect(200);
    assert!(home.text().contains("office1 测试"), "signed in as office1");

    // `next` is followed when local, ignored when not.
    for (next, to) in [
        ("/units?q=1", "/units?q=1"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
    ] {
        let mut b = web.browser();
        let csrf = csrf_of(&b.get("/login").text());
        let r = b.post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", "office1"),
                ("password", PASSWORD),
                ("totp", &web.totp("office1").unwrap()),
                ("next", next),
            ],
        );
        r.expect(303);
        assert_eq!(r.header("location"), Some(to), "next {next}");
    }

    // Signing out ends the session.
    let csrf = b.csrf();
    let r = b.post("/logout", &[("_csrf", &csrf)]);
    r.expect(303);
    assert!(b.cookie("dd_session").is_none());
    let mut stale = web.browser();
    stale
        .cookies
        .insert("dd_session".into(), session["dd_session"].clone());
    let r = stale.get("/");
    r.expect(303);
    assert!(r.header("location").unwrap().starts_with("/login"));
}

fn sign_in_with_a_wrong_csrf_is_refused(db: &TestDb) {
    let web = small(db);
    // Wrong token.
    let mut b = web.browser();
    b.get("/login");
    let r = b.post(
        "/login",
        &[
            ("_csrf", "forged"),
            ("username", "office1"),
            ("password", PASSWORD),
        ],
    );
    r.expect(403);
    assert!(!r.set_cookies().contains_key("dd_session"));
    assert!(b.cookie("dd_session").is_none());
    // The right token without its cookie (another site's form).
    let mut a = web.browser();
    let csrf = csrf_of(&a.get("/login").text());
    let mut c = web.browser();
    let r = c.post(
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "office1"),
            ("password", PASSWORD),
        ],
    );
    r.expect(403);
    assert!(c.cookie("dd_session").is_none());
    // No token at all.
    let r = a.post("/login", &[("username", "office1"), ("password", PASSWORD)]);
    r.expect(403);
    assert!(a.cookie("dd_session").is_none());
    // A refused form is not a failed password: nothing counted.
    let u = dingdian_testkit::stored_user(&web.url, "office1").unwrap();
    assert_eq!(u.failed_logins, 0);
    web.browser().sign_in("office1", PASSWORD);
}

fn pages_without_a_session_redirect_to_sign_in(db: &TestDb) {
    let web = small(db);
    let mut b = web.browser();
    for (path, next) in [
        ("/plans", "%2Fplans"),
        ("/", "%2F"),
        ("/units?q=%E4%B8%AD", "%2Funits%3Fq%3D%25E4%25B8%25AD"),
        ("/areas/623023", "%2Fareas%2F623023"),
    ] {
        let r = b.get(path);
        assert!(r.status.is_redirection(), "{path}: {}", r.status);
        assert_eq!(
            r.header("location"),
            Some(format!("/login?next={next}").as_str()),
            "{path}"
        );
    }
    // A POST without a session goes to sign-in, and writes nothing.
    let r = b.post("/units", &[("name", "无会话单位"), ("kind", "university")]);
    assert!(r.status.is_redirection());
    assert_eq!(r.header("location"), Some("/login"));
    let (units, _) = web
        .app
        .list_units(&cli(), &Default::default(), dingdian_app::Page::all())
        .unwrap();
    assert!(units.is_empty());
    // A made-up session is no session.
    b.cookies.insert("dd_session".into(), "deadbeef".into());
    let r = b.get("/plans");
    assert_eq!(r.header("location"), Some("/login?next=%2Fplans"));
    // The sign-in page itself and the style sheet need no session.
    web.browser().get("/login").expect(200);
    web.browser().get("/assets/style.css").expect(200);
}

fn unit_count(web: &Web) -> usize {
    web.app
        .list_units(&cli(), &Default::default(), dingdian_app::Page::all())
        .unwrap()
        .0
        .len()
}

fn state_changing_posts_need_the_sessions_csrf(db: &TestDb) {
    let web = small(db);
    county_list(&web.app);
    let u = unit(&web.app, "已有单位");
    let plan = draft_plan(&web.app, "表单测试方案");
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let csrf = b.csrf();
    let mut other = web.browser();
    other.sign_in("office1", PASSWORD);
    let others = other.csrf();
    assert_ne!(csrf, others, "each session has its own token");

    fn form(token: Option<&str>) -> Vec<(&str, &str)> {
        let mut f = vec![("name", "新建单位"), ("kind", "university")];
        if let Some(t) = token {
            f.push(("_csrf", t));
        }
        f
    }
    for token in [None, Some(""), Some("forged"), Some(others.as_str())] {
        let r = b.post("/units", &form(token));
        r.expect(403);
        assert!(has_cjk(&r.text()), "a page that says why");
        assert_eq!(unit_count(&web), 1, "nothing written with token {token:?}");
    }
    // Other forms: unit edit, plan transition, pairing, language, logout.
    let z = ZHOUQU.to_string();
    let uid = u.to_string();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/units/{u}"),
            vec![("name", "改名单位"), ("kind", "university")],
        ),
        (
            format!("/plans/{plan}/pairings"),
            vec![("unit_id", &uid), ("county_code", &z)],
        ),
        (
            format!("/plans/{plan}/transition"),
            vec![("to", "consultation")],
        ),
        (
            "/plans".into(),
            vec![
                ("name", "伪造方案"),
                ("period_start", START),
                ("period_end", END),
            ],
        ),
        ("/lang".into(), vec![("to", "en")]),
        ("/logout".into(), vec![]),
    ];
    for (path, mut f) in posts {
        f.push(("_csrf", "forged"));
        let r = b.post(&path, &f);
        assert_eq!(r.status.as_u16(), 403, "{path}: {}", r.text());
    }
    let detail = web.app.plan_detail(&cli(), plan).unwrap();
    assert!(detail.pairings.is_empty());
    assert_eq!(detail.plan.status, PairingPlanStatus::Draft);
    assert_eq!(web.app.get_unit(&cli(), u).unwrap().name, "已有单位");
    assert_eq!(
        web.app
            .list_plans(
                &cli(),
                &PairingPlanFilter::default(),
                dingdian_app::Page::all()
            )
            .unwrap()
            .1,
        1
    );
    assert!(b.cookie("dd_session").is_some(), "still signed in");
    b.get("/").expect(200);
    assert!(
        !b.get("/").text().contains("<html lang=\"en\""),
        "still Chinese"
    );

    // With the session's token it works.
    let r = b.post("/units", &form(Some(&csrf)));
    r.expect(303);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with("/units/") && loc.ends_with("?done=created"),
        "{loc}"
    );
    assert_eq!(unit_count(&web), 2);
    let page = b.get(&loc);
    page.expect(200);
    assert!(page.text().contains("新建单位"));
    let r = b.post(
        &format!("/plans/{plan}/pairings"),
        &[
            ("_csrf", &csrf),
            ("unit_id", &uid),
            ("county_code", ZHOUQU),
            ("role", "lead"),
        ],
    );
    r.expect(303);
    assert_eq!(web.app.plan_detail(&cli(), plan).unwrap().pairings.len(), 1);
}

/// Every POST route of the pages, read off their sources (`.route("…",
/// …post(…))`), with each path parameter set to 1.
fn page_post_routes() -> Vec<String> {
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else {
                out.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let mut texts = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages"),
        &mut texts,
    );
    let mut routes = Vec::new();
    for text in &texts {
        for (i, _) in text.match_indices(".route(") {
            let rest = &text[i + ".route(".len()..];
            // The call ends at the first `)` that closes it.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .unwrap()
                .0;
            let call = &rest[..end];
            if !call.contains("post(") {
                continue;
            }
            let path = call.split('"').nth(1).unwrap();
            let mut concrete = String::new();
            let mut in_param = false;
            for c in path.chars() {
                match c {
                    '{' => in_param = true,
                    '}' => {
                        in_param = false;
                        concrete.push('1');
                    }
                    _ if !in_param => concrete.push(c),
                    _ => {}
                }
            }
            routes.push(concrete);
        }
    }
    routes
}

fn every_post_route_refuses_a_missing_or_forged_token(db: &TestDb) {
    let web = small(db);
    let routes = page_post_routes();
    assert!(routes.len() >= 30, "the routes were read: {routes:?}");
    for r in [
        "/units",
        "/registry/import",
        "/plans/1/derive",
        "/lang",
        "/logout",
    ] {
        assert!(routes.iter().any(|x| x == r), "{r} in {routes:?}");
    }
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let boundary = "XyZboundary";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nforged\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\n--{boundary}--\r\n"
    );
    let jar: Vec<String> = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for path in &routes {
        for form in [
            vec![],
            vec![("_csrf", ""), ("name", "x")],
            vec![("_csrf", "forged")],
        ] {
            let r = b.post(path, &form);
            assert_eq!(r.status.as_u16(), 403, "{path} {form:?}: {}", r.text());
            assert!(has_cjk(&r.text()), "{path}: a page that says why");
        }
        let r = web.send(
            axum::http::Request::builder()
                .method("POST")
                .uri(path.as_str())
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("cookie", jar.join("; "))
                .body(axum::body::Body::from(multipart.clone()))
                .unwrap(),
        );
        // The sign-in form cannot read a multipart body at all (400).
        let refused = if path == "/login" { 400 } else { 403 };
        assert_eq!(r.status.as_u16(), refused, "{path} multipart: {}", r.text());
    }
    assert!(b.cookie("dd_session").is_some(), "still signed in");
    assert_eq!(unit_count(&web), 0, "nothing written");
}

fn unit_form_errors_show_under_the_field_and_keep_the_input(db: &TestDb) {
    let web = small(db);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let new = b.get("/units/new");
    new.expect(200);
    let csrf = csrf_of(&new.text());
    let r = b.post(
        "/units",
        &[
            ("_csrf", &csrf),
            ("name", "   "),
            ("kind", "state_enterprise"),
            ("contact_name", "张联络"),
            ("contact_phone", "010-1234 5678"),
            ("note", "保留的备注"),
        ],
    );
    r.expect(422);
    let html = r.text();
    // The message sits inside the name field's label, right after its input.
    let name_input = html.find("name=\"name\"").expect("name input");
    let label_end = html[name_input..].find("</label>").unwrap() + name_input;
    let name_label = &html[name_input..label_end];
    assert!(
        name_label.contains("field-error") && name_label.contains("必填项不能为空"),
        "error under the name field: {name_label}"
    );
    assert!(name_label.contains("aria-invalid=\"true\""));
    assert_eq!(
        html.matches("class=\"field-error\"").count(),
        1,
        "only the name is wrong"
    );
    assert!(html.contains("请修改标红的内容后再提交"));
    // The other input is kept.
    assert!(html.contains("value=\"张联络\""));
    assert!(html.contains("value=\"010-1234 5678\""));
    assert!(html.contains("保留的备注"));
    assert!(html.contains("value=\"state_enterprise\" selected"));
    assert_eq!(unit_count(&web), 0);

    // An unknown kind is shown under the kind.
    let r = b.post(
        "/units",
        &[("_csrf", &csrf), ("name", "好名字"), ("kind", "alien")],
    );
    r.expect(422);
    let html = r.text();
    let kind = html.find("name=\"kind\"").unwrap();
    let end = html[kind..].find("</label>").unwrap() + kind;
    assert!(
        html[kind..end].contains("不是已知的单位类型"),
        "{}",
        &html[kind..end]
    );
    assert!(html.contains("value=\"好名字\""));
    assert_eq!(unit_count(&web), 0);
}

fn language_switch_makes_the_next_page_english(db: &TestDb) {
    let web = small(db);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let home = b.get("/units");
    let html = home.text();
    assert!(html.contains("<html lang=\"zh-CN\""));
    assert!(title_of(&html).starts_with("帮扶单位"));
    let csrf = csrf_of(&html);
    let r = b.post(
        "/lang",
        &[("_csrf", &csrf), ("to", "en"), ("next", "/units")],
    );
    r.expect(303);
    assert_eq!(r.header("location"), Some("/units"));
    let page = b.get("/units");
    page.expect(200);
    let html = page.text();
    assert!(html.contains("<html lang=\"en\""));
    assert!(
        title_of(&html).starts_with("Assisting units"),
        "{}",
        title_of(&html)
    );
    assert!(!has_cjk(&title_of(&html)), "{}", title_of(&html));
    // The choice is the account's: a new session starts in English too.
    let mut again = web.browser();
    again.sign_in("office1", PASSWORD);
    assert!(again.get("/").text().contains("<html lang=\"en\""));
    // Form errors come in English.
    let csrf = again.csrf();
    let r = again.post(
        "/units",
        &[("_csrf", &csrf), ("name", ""), ("kind", "university")],
    );
    r.expect(422);
    assert!(r.text().contains("is required"));
    // And back.
    let csrf = csrf_of(&b.get("/").text());
    let r = b.post("/lang", &[("_csrf", &csrf), ("to", "zh"), ("next", "/")]);
    r.expect(303);
    assert!(b.get("/").text().contains("<html lang=\"zh-CN\""));
    // Before sign-in the switch uses the pre-session token.
    let mut guest = web.browser();
    let csrf = csrf_of(&guest.get("/login").text());
    guest
        .post(
            "/lang",
            &[("_csrf", &csrf), ("to", "en"), ("next", "/login")],
        )
        .expect(303);
    let login = guest.get("/login").text();
    assert!(login.contains("<html lang=\"en\"") && login.contains("Sign in"));
    let mut english = web.browser();
    english
        .headers
        .push(("accept-language".into(), "en-US,en;q=0.8".into()));
    assert!(english.get("/login").text().contains("<html lang=\"en\""));
}

fn assert_security_headers(r: &Resp, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: CSP"));
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.contains("default-src"), "{what}: {csp}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
}

fn pages_carry_security_headers(db: &TestDb) {
    let web = small(db);
    let mut b = web.browser();
    assert_security_headers(&b.get("/login"), "sign-in page");
    assert_security_headers(&b.get("/plans"), "redirect");
    b.sign_in("office1", PASSWORD);
    for path in ["/", "/units", "/areas", "/no-such-page"] {
        let r = b.get(path);
        assert_security_headers(&r, path);
        if r.status.is_success() {
            assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        }
    }
    assert_eq!(b.get("/no-such-page").status.as_u16(), 404);
    assert_security_headers(&web.api("get", "/health", None, None), "API");
    // No inline script or style in pages (the CSP would block them).
    let html = b.get("/").text();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline code"
    );
}

fn assert_xlsx(r: &Resp, what: &str) {
    r.expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "{what}"
    );
    assert!(r.body.starts_with(b"PK"), "{what}: a zip file");
    assert!(r.body.len() > 1000, "{what}");
    assert!(
        r.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment") && d.contains(".xlsx")),
        "{what}"
    );
}

fn lists_export_xlsx(db: &TestDb) {
    let web = small(db);
    county_list(&web.app);
    let u = unit(&web.app, "导出测试单位");
    full_plan(&web.app, "导出测试方案", u);
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    for path in [
        "/units?format=xlsx",
        "/plans?format=xlsx",
        "/pairings?format=xlsx",
        "/areas?format=xlsx",
        "/areas?format=xlsx&level=county&key=true&province=13",
        "/units/template.xlsx",
        "/plans/template.xlsx",
    ] {
        assert_xlsx(&b.get(path), path);
    }
    // The list pages offer the export link.
    let html = b.get("/units").text();
    assert!(html.contains("format=xlsx"));
}

fn reviewer_sees_review_buttons_on_a_submitted_plan_and_the_office_does_not(db: &TestDb) {
    let web = small(db);
    let app = &web.app;
    user(app, "reviewer1", "reviewer", None, None);
    county_list(app);
    let u = unit(app, "审核测试单位");
    let plan = full_plan(app, "审核测试方案", u);
    app.transition_plan(&cli(), plan, "consultation", None)
        .unwrap();
    app.transition_plan(&cli(), plan, "submitted", None)
        .unwrap();
    let path = format!("/plans/{plan}");

    let mut office = web.browser();
    office.sign_in("office1", PASSWORD);
    let html = office.get(&path).text();
    assert!(html.contains("审核测试方案"));
    assert!(!html.contains("id=\"to-approved\"") && !html.contains("id=\"to-returned\""));
    assert!(
        !html.contains("/transition"),
        "the office has no button on a submitted plan"
    );

    let mut reviewer = web.browser();
    reviewer.sign_in("reviewer1", PASSWORD);
    let page = reviewer.get(&path);
    page.expect(200);
    let html = page.text();
    assert!(html.contains("id=\"to-approved\""), "approve button");
    assert!(html.contains("id=\"to-returned\""), "return button");
    assert!(html.contains("审核通过") && html.contains("退回"));
    let csrf = csrf_of(&html);
    // Returning needs a reason: the page again with the error.
    let r = reviewer.post(
        &format!("{path}/transition"),
        &[("_csrf", &csrf), ("to", "returned"), ("reason", " ")],
    );
    r.expect(422);
    assert!(
        field_error_after(&r.text(), "name=\"reason\"").contains("退回须说明理由"),
        "the error under the reason"
    );
    // Approving needs the confirmation tick.
    let r = reviewer.post(
        &format!("{path}/transition"),
        &[("_csrf", &csrf), ("to", "approved")],
    );
    r.expect(422);
    assert!(
        field_error_after(&r.text(), "name=\"confirm\"").contains("此操作不可撤销"),
        "the error under the tick box"
    );
    assert_eq!(
        app.get_plan(&cli(), plan).unwrap().status,
        PairingPlanStatus::Submitted
    );
    let r = reviewer.post(
        &format!("{path}/transition"),
        &[("_csrf", &csrf), ("to", "approved"), ("confirm", "yes")],
    );
    r.expect(303);
    assert_eq!(
        r.header("location"),
        Some(format!("{path}?done=transition").as_str())
    );
    assert_eq!(
        app.get_plan(&cli(), plan).unwrap().status,
        PairingPlanStatus::Approved
    );
    // Now the office has the next button, the reviewer none.
    assert!(office.get(&path).text().contains("id=\"to-active\""));
    let html = reviewer.get(&path).text();
    assert!(!html.contains("id=\"to-"));
    // The office pressing the reviewer's step by hand is refused.
    let csrf = office.csrf();
    let r = office.post(
        &format!("{path}/transition"),
        &[("_csrf", &csrf), ("to", "returned"), ("reason", "x")],
    );
    assert!(r.status.is_client_error());
    assert_eq!(
        app.get_plan(&cli(), plan).unwrap().status,
        PairingPlanStatus::Approved
    );
}

/// The field error inside the label holding the input named by `marker`.
fn field_error_after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in page"));
    let end = html[start..].find("</label>").expect("label end") + start;
    let label = &html[start..end];
    match label.find("class=\"field-error\"") {
        Some(i) => label[i..].to_string(),
        None => String::new(),
    }
}

/// `href`s of the menu of a page.
fn menu_of(html: &str) -> Vec<String> {
    let start = html.find("<nav class=\"menu\">").expect("menu");
    let end = html[start..].find("</nav>").unwrap() + start;
    html[start..end]
        .split("href=\"")
        .skip(1)
        .map(|s| unescape(&s[..s.find('"').unwrap()]))
        .collect()
}

#[track_caller]
fn assert_chinese_page(r: &Resp, path: &str) {
    assert_eq!(
        r.status.as_u16(),
        200,
        "{path}: {}",
        r.text().chars().take(600).collect::<String>()
    );
    let html = r.text();
    let title = title_of(&html);
    let own = title.split(" · ").next().unwrap_or("");
    assert!(has_cjk(own), "{path}: Chinese title: {title:?}");
    let main = main_of(&html);
    assert!(
        main.contains("<h1>") || main.contains("<h1 "),
        "{path}: a heading"
    );
    let text: String = main
        .split('<')
        .filter_map(|s| s.split_once('>').map(|(_, t)| t))
        .collect::<String>();
    assert!(
        text.trim().chars().count() > 20,
        "{path}: content: {text:?}"
    );
    assert!(!html.contains("页面渲染失败"), "{path}");
}

fn office_menu_and_unit_views_on_the_demo_data(db: &TestDb) {
    // Demo accounts sign in only when the server runs with --demo.
    let web = Web::with_app(
        db,
        dingdian_app::App::open(&db.url)
            .unwrap()
            .with_demo_mode(true),
    );
    let app = &web.app;
    assert!(app.load_demo().unwrap());
    let (plans, _) = app
        .list_plans(
            &cli(),
            &PairingPlanFilter::default(),
            dingdian_app::Page::all(),
        )
        .unwrap();
    let revision = plans
        .iter()
        .find(|p| p.status == PairingPlanStatus::Consultation && p.previous_id.is_some())
        .expect("the v2 revision in consultation");
    let active = plans
        .iter()
        .find(|p| p.status == PairingPlanStatus::Active && p.kind == PairingPlanKind::Overall)
        .expect("the active overall plan");
    let specific = plans
        .iter()
        .find(|p| p.kind == PairingPlanKind::Specific)
        .expect("the universities' specific plan");
    let units = app
        .list_units(&cli(), &Default::default(), dingdian_app::Page::all())
        .unwrap()
        .0;
    let seed = units.iter().find(|u| u.name == SEED_UNIT).unwrap().id;
    let other = units.iter().find(|u| u.name == "清华大学").unwrap().id;

    // ---- the office: every page of its menu ----
    let mut office = web.browser();
    office.sign_in("office", DEMO_PASSWORD);
    let home = office.get("/");
    assert_chinese_page(&home, "/");
    let menu = menu_of(&home.text());
    let expected = [
        "/",
        "/plans",
        "/pairings",
        "/coverage",
        "/overview",
        "/assistance-plans",
        "/projects",
        "/registry",
        "/registry/import",
        "/poverty-lines",
        "/registry/exit-check",
        "/ledger",
        "/ledger/balances",
        "/indicators",
        // issue 14: the county map
        "/map",
        "/units",
        "/areas",
        "/county-lists",
        "/records/trainings",
        "/records/labour",
        "/records/consumption",
        "/letters",
        "/reports",
        "/reports/calendar",
        "/reports/punctuality",
        "/secondments",
        "/inspections",
        "/rectifications",
        "/leader-visits",
        "/leader-visits/missing",
        "/villages",
        // issue 13: the annual assessment
        "/assessments",
        "/assessments/rules",
        // issue 13: return-risk monitoring
        "/monitoring",
        "/monitoring/thresholds",
        "/alerts",
        "/corrections",
        // issue 13: printed reports and the public page
        "/print/national",
        "/publish",
        "/public",
    ];
    assert_eq!(menu, expected, "the office's menu");
    let mut pages: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    pages.extend([
        format!("/plans/{}", active.id),
        format!("/plans/{}", revision.id),
        format!("/plans/{}/diff", revision.id),
        format!("/plans/{}", specific.id),
        format!("/units/{seed}"),
        format!("/areas/{ZHOUQU}"),
        format!("/coverage?plan={}&on=2027-06-01", active.id),
        format!("/pairings?county={ZHOUQU}"),
        "/plans/new".into(),
        "/units/new".into(),
    ]);
    for path in &pages {
        assert_chinese_page(&office.get(path), path);
    }
    let diff = office.get(&format!("/plans/{}/diff", revision.id)).text();
    assert!(
        diff.contains("清华大学"),
        "the diff shows the added member unit"
    );
    let z = office.get(&format!("/areas/{ZHOUQU}")).text();
    assert!(z.contains("舟曲县"));
    assert!(
        office
            .get(&format!("/units/{seed}"))
            .text()
            .contains("舟曲县")
    );

    // ---- the unit user: the consultation plan, with its feedback buttons ----
    let mut zzb = web.browser();
    zzb.sign_in("zzb", DEMO_PASSWORD);
    let path = format!("/plans/{}", revision.id);
    let page = zzb.get(&path);
    assert_chinese_page(&page, &path);
    let html = page.text();
    let feedback_action = format!("action=\"/plans/{}/feedback\"", revision.id);
    assert!(html.contains(&feedback_action), "feedback forms");
    assert!(html.contains("value=\"accept\"") && html.contains("value=\"comment\""));
    assert!(!html.contains("id=\"to-"), "no workflow buttons for a unit");
    // Only its own pairings are listed.
    assert!(
        !html.contains("清华大学"),
        "another unit's pairing is not shown"
    );
    let before = app.plan_detail(&cli(), revision.id).unwrap().feedback.len();
    let csrf = csrf_of(&html);
    let r = zzb.post(
        &format!("{path}/feedback"),
        &[("_csrf", &csrf), ("kind", "accept"), ("text", "")],
    );
    r.expect(303);
    assert_eq!(
        r.header("location"),
        Some(format!("{path}?done=feedback").as_str())
    );
    let after = app.plan_detail(&cli(), revision.id).unwrap().feedback;
    assert_eq!(after.len(), before + 1);
    assert!(
        after
            .iter()
            .any(|f| f.kind == "accept" && f.unit_name == SEED_UNIT)
    );
    let shown = zzb.get(&format!("{path}?done=feedback")).text();
    assert!(shown.contains("意见已提交"));
    // A comment needs its text; a forged token writes nothing.
    let r = zzb.post(
        &format!("{path}/feedback"),
        &[("_csrf", &csrf), ("kind", "comment"), ("text", "")],
    );
    r.expect(422);
    assert!(
        field_error_after(&r.text(), "name=\"text\"").contains("必填项不能为空"),
        "the error under the comment"
    );
    let r = zzb.post(
        &format!("{path}/feedback"),
        &[("_csrf", "forged"), ("kind", "accept")],
    );
    r.expect(403);
    assert_eq!(
        app.plan_detail(&cli(), revision.id).unwrap().feedback.len(),
        before + 1
    );
    // The active plan is decided: no feedback buttons there.
    let html = zzb.get(&format!("/plans/{}", active.id)).text();
    assert!(!html.contains(&format!("action=\"/plans/{}/feedback\"", active.id)));

    // A plan without its pairings, and another unit: 404.
    for path in [
        format!("/plans/{}", specific.id),
        format!("/plans/{}/diff", specific.id),
        format!("/units/{other}"),
    ] {
        let r = zzb.get(&path);
        assert_eq!(r.status.as_u16(), 404, "{path}");
        assert!(
            !r.text().contains("直属高校"),
            "{path}: nothing of it leaks"
        );
    }
    // Its menu has no county lists' editing but its plans and unit.
    let menu = menu_of(&zzb.get("/").text());
    assert!(menu.contains(&"/plans".to_string()) && menu.contains(&"/units".to_string()));
}

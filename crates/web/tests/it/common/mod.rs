//! Shared helpers for the web integration tests: the real router driven
//! in-process with `tower::ServiceExt::oneshot`, a tiny cookie-keeping
//! browser for the HTML pages, and small fixtures built with app calls.
//! Each test binary uses a different part of this module.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use dingdian_app::auth::{NewUserInput, SessionKind};
use dingdian_app::plans::{PairingInput, PairingPlanInput};
use dingdian_app::{Actor, App};
use dingdian_core::area::CountyList;
use dingdian_core::unit::UnitInput;
use dingdian_testkit::TestDb;
use http_body_util::BodyExt;
use serde_json::Value;
use std::collections::BTreeMap;
use tower::ServiceExt;

/// Zhouqu, Gansu: western (priority 1).
pub const ZHOUQU: &str = "623023";
/// Xingtang, Hebei.
pub const XINGTANG: &str = "130125";
/// Lingshou, Hebei.
pub const LINGSHOU: &str = "130126";
/// Jianghua, Hunan.
pub const JIANGHUA: &str = "431129";
/// The counties of the small test list, in code order.
pub const COUNTIES: [&str; 4] = [XINGTANG, LINGSHOU, JIANGHUA, ZHOUQU];
/// The code of the small county list.
pub const LIST: &str = "test-list";
/// The password of every fixture account.
pub const PASSWORD: &str = "Test@2026x";
pub const START: &str = "2021-01-01";
pub const END: &str = "2025-12-31";

/// The router of one test database, with a runtime to drive it.
pub struct Web {
    pub app: App,
    /// The database's URL, for what a test checks beneath the app.
    pub url: String,
    router: Router,
    rt: tokio::runtime::Runtime,
}

/// An answer, body collected.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                self.text().chars().take(500).collect::<String>()
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The cookies set by this answer: name → value (empty when cleared).
    pub fn set_cookies(&self) -> BTreeMap<String, String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| {
                let first = v.split(';').next()?;
                let (k, val) = first.split_once('=')?;
                let cleared = v.contains("Max-Age=0");
                Some((
                    k.trim().to_string(),
                    if cleared {
                        String::new()
                    } else {
                        val.trim().to_string()
                    },
                ))
            })
            .collect()
    }

    /// The error code of a JSON error answer.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {}", self.text()))
            .to_string()
    }

    /// The fields named by a JSON validation error.
    pub fn fields(&self) -> Vec<String> {
        self.json()["error"]["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("no error fields in {}", self.text()))
            .iter()
            .map(|f| f["field"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text().chars().take(1500).collect::<String>()
        );
        self
    }
}

impl Web {
    pub fn new(db: &TestDb) -> Web {
        let app = App::open(&db.url).expect("open app");
        Web::with_app(db, app)
    }

    pub fn with_app(db: &TestDb, app: App) -> Web {
        Web::with_config(db, app, dingdian_web::WebConfig::default())
    }

    pub fn with_config(db: &TestDb, app: App, config: dingdian_web::WebConfig) -> Web {
        let router = dingdian_web::router(app.clone(), config);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Web {
            app,
            url: db.url.clone(),
            router,
            rt,
        }
    }

    pub fn send(&self, req: Request<Body>) -> Resp {
        let router = self.router.clone();
        self.rt.block_on(async move {
            let res = router.oneshot(req).await.expect("router is infallible");
            let (parts, body) = res.into_parts();
            let body = body.collect().await.expect("body").to_bytes().to_vec();
            Resp {
                status: parts.status,
                headers: parts.headers,
                body,
            }
        })
    }

    /// An API call under `/api/v1`, with an optional token and JSON body.
    pub fn api(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        self.api_with(method, path, token, body, &[])
    }

    pub fn api_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let raw = body.map(|b| b.to_string().into_bytes());
        self.api_raw(method, path, token, raw, headers)
    }

    pub fn api_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let verb = method.to_lowercase();
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut b = Request::builder()
            .method(method)
            .uri(format!("/api/v1{path}"));
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = match body {
            Some(bytes) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(bytes)),
            None => b.body(Body::empty()),
        }
        .expect("request");
        let r = self.send(req);
        answers_as_declared(&verb, path, &r);
        r
    }

    pub fn get(&self, path: &str, token: &str) -> Resp {
        self.api("get", path, Some(token), None)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.api("post", path, Some(token), Some(body))
    }

    /// The code the account's authenticator shows now (None without a
    /// second factor).
    pub fn totp(&self, username: &str) -> Option<String> {
        dingdian_testkit::totp_code(
            &dingdian_testkit::beneath(&self.url),
            &self.app.key(),
            username,
        )
    }

    /// Signs in through the API (with the second factor when the account
    /// has one) and answers the token.
    pub fn token(&self, username: &str, password: &str) -> String {
        let r = self.api(
            "post",
            "/login",
            None,
            Some(
                serde_json::json!({ "username": username, "password": password, "totp": self.totp(username) }),
            ),
        );
        r.expect(200);
        r.json()["token"].as_str().expect("token").to_string()
    }

    /// An API token without going through HTTP (faster for setup).
    pub fn direct_token(&self, username: &str, password: &str) -> String {
        let code = self.totp(username);
        self.app
            .login(username, password, code.as_deref(), SessionKind::Api, None)
            .expect("login")
            .token
    }

    pub fn browser(&self) -> Browser<'_> {
        Browser {
            web: self,
            cookies: BTreeMap::new(),
            headers: Vec::new(),
        }
    }
}

/// A browser of the HTML pages: keeps cookies, sends forms.
pub struct Browser<'a> {
    pub web: &'a Web,
    pub cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request.
    pub headers: Vec<(String, String)>,
}

impl Browser<'_> {
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn request(&mut self, method: Method, path: &str, body: Option<String>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        let jar: Vec<String> = self
            .cookies
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !jar.is_empty() {
            b = b.header(header::COOKIE, jar.join("; "));
        }
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let req = match body {
            Some(form) => b
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form)),
            None => b.body(Body::empty()),
        }
        .expect("request");
        let r = self.web.send(req);
        for (k, v) in r.set_cookies() {
            self.cookies.insert(k, v);
        }
        r
    }

    pub fn get(&mut self, path: &str) -> Resp {
        self.request(Method::GET, path, None)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.request(Method::POST, path, Some(form_body(form)))
    }

    /// Posts a multipart form (the fields, then one file) with the cookies.
    pub fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        name: &str,
        bytes: &[u8],
    ) -> Resp {
        let (ct, body) = multipart_form(fields, name, bytes);
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, jar.join("; "))
            .body(Body::from(body))
            .expect("request");
        self.web.send(req)
    }

    /// Signs in through the HTML form; panics unless it works.
    pub fn sign_in(&mut self, username: &str, password: &str) {
        let page = self.get("/login");
        page.expect(200);
        let csrf = csrf_of(&page.text());
        let code = self.web.totp(username).unwrap_or_default();
        let r = self.post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
                ("totp", &code),
                ("next", "/"),
            ],
        );
        r.expect(303);
        assert!(
            self.cookie("dd_session").is_some(),
            "signed in: session cookie"
        );
    }

    /// The CSRF token of the signed-in session, read off a page.
    pub fn csrf(&mut self) -> String {
        let r = self.get("/");
        r.expect(200);
        csrf_of(&r.text())
    }
}

pub fn form_body(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the first hidden `_csrf` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no _csrf field in page: {}", &html[..html.len().min(800)]))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_string()
}

/// The text of the `<title>` element.
pub fn title_of(html: &str) -> String {
    let start = html.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = html[start..]
        .find("</title>")
        .map(|i| i + start)
        .unwrap_or(start);
    html[start..end].trim().to_string()
}

/// The text of the `<main>` element.
pub fn main_of(html: &str) -> String {
    let start = html.find("<main>").map(|i| i + 6).unwrap_or(0);
    let end = html[start..]
        .find("</main>")
        .map(|i| i + start)
        .unwrap_or(html.len());
    html[start..end].to_string()
}

/// Undoes the HTML escaping of the templates (which escape `/` too).
pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

// ---- fixtures built with app calls ----

pub fn cli() -> Actor {
    Actor::cli()
}

/// Creates the four-county test list.
pub fn county_list(app: &App) {
    app.create_county_list(
        &cli(),
        &CountyList {
            code: LIST.into(),
            name_zh: "测试县名单".into(),
            name_en: "Test county list".into(),
            start_year: 2021,
            end_year: Some(2030),
            partial: false,
            note: None,
            members: 0,
        },
    )
    .expect("create county list");
    let csv = format!("code\n{}\n", COUNTIES.join("\n"));
    let added = app
        .import_county_list(&cli(), LIST, "list.csv", csv.as_bytes())
        .expect("import county list");
    assert_eq!(added, 4);
}

pub fn unit(app: &App, name: &str) -> i64 {
    app.create_unit(
        &cli(),
        &UnitInput {
            name: name.into(),
            kind: "central_organ".into(),
            ..Default::default()
        },
    )
    .expect("create unit")
}

/// Creates an account with the fixture password.
pub fn user(app: &App, username: &str, role: &str, unit: Option<i64>, county: Option<&str>) {
    app.create_user(
        &cli(),
        &NewUserInput {
            username: username.into(),
            display_name: format!("{username} 测试"),
            role: role.into(),
            unit_id: unit,
            county_code: county.map(Into::into),
            password: PASSWORD.into(),
            // The roles that need a second factor get one, as `dingdian user add` gives.
            totp_secret: dingdian_core::role::Role::parse(role)
                .is_some_and(dingdian_core::role::Role::requires_second_factor)
                .then(dingdian_app::auth::new_totp_secret),
            demo: false,
        },
    )
    .expect("create user");
}

/// An existing account as an actor.
pub fn actor(web: &Web, username: &str) -> Actor {
    let u = dingdian_testkit::stored_user(&web.url, username).expect("user exists");
    Actor::from_user(&u, None).expect("user has its scope")
}

/// A draft overall plan on the test list, made by the CLI operator.
pub fn draft_plan(app: &App, name: &str) -> i64 {
    app.create_plan(
        &cli(),
        &PairingPlanInput {
            name: name.into(),
            kind: "overall".into(),
            county_list: LIST.into(),
            period_start: START.into(),
            period_end: END.into(),
            ..Default::default()
        },
    )
    .expect("create plan")
}

pub fn pair(app: &App, plan: i64, unit: i64, county: &str, role: &str) -> i64 {
    app.add_pairing(
        &cli(),
        plan,
        &PairingInput {
            unit_id: Some(unit),
            county_code: county.into(),
            role: role.into(),
            ..Default::default()
        },
    )
    .expect("add pairing")
}

/// Takes a draft plan to `active` (consultation, submitted, approved by a
/// reviewer account it creates, active): its pairings are then decided.
pub fn activate(web: &Web, plan: i64) {
    let reviewer = format!("reviewer_of_{plan}");
    user(&web.app, &reviewer, "reviewer", None, None);
    let reviewer = actor(web, &reviewer);
    for (who, to) in [
        (&cli(), "consultation"),
        (&cli(), "submitted"),
        (&reviewer, "approved"),
        (&cli(), "active"),
    ] {
        web.app.transition_plan(who, plan, to, None).expect(to);
    }
}

/// A draft plan covering all four counties, unit `u` leading each.
pub fn full_plan(app: &App, name: &str, u: i64) -> i64 {
    let p = draft_plan(app, name);
    for c in COUNTIES {
        pair(app, p, u, c, "lead");
    }
    p
}

// ---- the registry fixture (a few households of Zhouqu) ----

/// A GB 11643 ID number registered in Zhouqu: birth date `YYYYMMDD`,
/// sequence `seq` (odd for men), with its check digit.
pub fn id_number(birth: &str, seq: u32) -> String {
    let first = format!("623023{birth}{seq:03}");
    let check = dingdian_core::registry::check_digit(&first).expect("17 digits");
    format!("{first}{check}")
}

pub const REGISTRY_HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因";

/// Miaogou village (城关镇) and Tade village (大川镇) of Zhouqu.
pub const MIAOGOU: &str = "623023100200";
pub const TADE: &str = "623023101200";

/// The members of the fixture: (household, village, id, name, relation).
pub fn fixture_people() -> Vec<(
    &'static str,
    &'static str,
    String,
    &'static str,
    &'static str,
)> {
    vec![
        (
            "ZQ001",
            MIAOGOU,
            id_number("19700305", 11),
            "张大山",
            "户主",
        ),
        (
            "ZQ001",
            MIAOGOU,
            id_number("19720811", 22),
            "李秀兰",
            "配偶",
        ),
        (
            "ZQ001",
            MIAOGOU,
            id_number("20010120", 31),
            "张小明",
            "子女",
        ),
        (
            "ZQ002",
            MIAOGOU,
            id_number("19650402", 41),
            "王建国",
            "户主",
        ),
        (
            "ZQ002",
            MIAOGOU,
            id_number("19680915", 52),
            "赵桂英",
            "配偶",
        ),
        ("ZQ003", TADE, id_number("19590101", 61), "杨德才", "户主"),
        ("ZQ003", TADE, id_number("19611212", 72), "马秀珍", "配偶"),
        ("ZQ003", TADE, id_number("19850606", 81), "杨永红", "子女"),
        ("ZQ003", TADE, id_number("19870707", 92), "杨永芳", "子女"),
    ]
}

/// The registry of 2013 and 2014. In 2014: ZQ001 poor (3, 2 000 yuan,
/// illness), ZQ002 exited (2, 3 500 yuan, capital), ZQ003 returned (4,
/// 2 600 yuan, disaster). In 2013 ZQ002 was poor and ZQ003 exited.
pub fn registry_csv() -> String {
    let mut out = vec![REGISTRY_HEADER.to_string()];
    for (h, v, id, name, rel) in fixture_people() {
        let (income, status, identified, exit, cause) = match h {
            "ZQ001" => ("2000", "未脱贫", "2014", "", "因病"),
            "ZQ002" => ("3500", "已脱贫", "2013", "2014", "缺资金"),
            _ => ("2600", "返贫", "2013", "2013", "因灾"),
        };
        out.push(format!(
            "2014,{v},{h},{id},{name},{rel},{income},{status},{identified},{exit},{cause}"
        ));
    }
    for (h, v, id, name, rel) in fixture_people() {
        let row = match h {
            "ZQ002" => "3000,未脱贫,2013,,缺资金",
            "ZQ003" => "3100,已脱贫,2013,2013,因灾",
            _ => continue,
        };
        out.push(format!("2013,{v},{h},{id},{name},{rel},{row}"));
    }
    out.join("\n") + "\n"
}

/// Zhouqu's statistics: 50 rural people in 2014 (4 675 yuan), 48 in 2013
/// (4 000 yuan).
pub fn statistics_csv() -> String {
    "年度,区划代码,农村人口,农民人均纯收入\n2013,623023,48,4000\n2014,623023,50,4675\n".into()
}

/// Imports the fixture registry and statistics as the CLI operator.
pub fn registry_fixture(app: &App) {
    let report = app
        .import_registry(
            &cli(),
            "r.csv",
            registry_csv().as_bytes(),
            dingdian_app::registry::ImportOptions::default(),
            &|_, _, _| {},
        )
        .expect("import the registry fixture");
    assert_eq!(report.members, 15);
    assert_eq!(report.households, 5);
    app.import_statistics(
        &cli(),
        "s.csv",
        statistics_csv().as_bytes(),
        dingdian_app::registry::ImportOptions::default(),
    )
    .expect("import the statistics fixture");
}

/// Every API answer matches the schema the OpenAPI document declares for
/// its route and status: a success must be declared, an undeclared error
/// status has the error shape. Routes outside the document (a wrong path or
/// method) are not checked here.
#[track_caller]
pub fn answers_as_declared(method: &str, path: &str, r: &Resp) {
    let doc = dingdian_web::openapi_document();
    let path = path.split('?').next().unwrap_or(path);
    let same = |t: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (t.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || t.starts_with('{'))
    };
    let Some(op) = doc["paths"].as_object().and_then(|paths| {
        let mut matching: Vec<_> = paths.iter().filter(|(t, _)| same(t)).collect();
        // A literal segment wins over a parameter (`/audit/verify`).
        matching.sort_by_key(|(t, _)| t.matches('{').count());
        matching.into_iter().find_map(|(_, item)| item.get(method))
    }) else {
        return;
    };
    let status = r.status.as_u16().to_string();
    let content = &op["responses"][&status]["content"];
    if r.status.is_success() && content.is_object() && content.get("application/json").is_none() {
        // A file (an attachment's download), declared as such.
        return;
    }
    let declared = &content["application/json"]["schema"];
    let schema = match declared {
        Value::Null if r.status.is_success() => {
            panic!("{method} {path} answers {status}, which the document does not declare")
        }
        Value::Null => serde_json::json!({ "$ref": "#/components/schemas/ErrorAnswer" }),
        s => s.clone(),
    };
    let problems = schema_problems(&doc, &schema, &r.json(), "$");
    assert!(
        problems.is_empty(),
        "{method} {path} {status} does not match its schema: {problems:#?}\n{}",
        r.text()
    );
}

fn resolved<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => resolved(
            doc,
            &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        ),
        None => schema,
    }
}

/// The properties an object of `schema` may have (its own and those of
/// its `allOf` parts).
fn known(doc: &Value, schema: &Value) -> Vec<String> {
    let schema = resolved(doc, schema);
    let own = schema["properties"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.keys().cloned());
    let parts = schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| known(doc, s));
    own.chain(parts).collect()
}

/// Where `v` departs from `schema` (the subset of JSON Schema the
/// generated document uses), with `$ref`s resolved in `doc`; a property
/// no schema declares is a departure too.
pub fn schema_problems(doc: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let schema = resolved(doc, schema);
    let mut out = conforms(doc, schema, v, at);
    if let Some(obj) = v
        .as_object()
        .filter(|_| schema["properties"].is_object() || schema["allOf"].is_array())
    {
        let known = known(doc, schema);
        out.extend(
            obj.keys()
                .filter(|k| !known.contains(k))
                .map(|k| format!("{at}: {k} is not in the schema")),
        );
    }
    out
}

/// `schema_problems` without the check for undeclared properties (an
/// `allOf` part sees only its own).
fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let schema = resolved(doc, schema);
    let mut out = Vec::new();
    let matching = |list: &Value| -> usize {
        list.as_array()
            .into_iter()
            .flatten()
            .filter(|s| schema_problems(doc, s, v, at).is_empty())
            .count()
    };
    if let Some(all) = schema["allOf"].as_array() {
        out.extend(all.iter().flat_map(|s| conforms(doc, s, v, at)));
    }
    if schema["oneOf"].is_array() && matching(&schema["oneOf"]) != 1 {
        out.push(format!(
            "{at}: {v} matches {} of oneOf, not exactly one",
            matching(&schema["oneOf"])
        ));
    }
    if schema["anyOf"].is_array() && matching(&schema["anyOf"]) == 0 {
        out.push(format!("{at}: {v} matches none of anyOf"));
    }
    if let Some(choices) = schema["enum"].as_array().filter(|c| !c.contains(v)) {
        out.push(format!("{at}: {v} is not one of {choices:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let is = |t: &str| match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| is(t)) {
        out.push(format!("{at}: {v} is not of type {types:?}"));
        return out;
    }
    for name in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if v.get(name).is_none() {
            out.push(format!("{at}: {name} is missing"));
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, x) in obj {
            if let Some(s) = props.get(k) {
                out.extend(schema_problems(doc, s, x, &format!("{at}.{k}")));
            }
        }
    }
    for (i, x) in v.as_array().into_iter().flatten().enumerate() {
        if schema["items"].is_object() {
            out.extend(schema_problems(
                doc,
                &schema["items"],
                x,
                &format!("{at}[{i}]"),
            ));
        }
    }
    out
}

// ---- issue 11: an assistance plan with a project and an attachment ----

/// Activates the draft pairing plan `plan` (as `full_plan` makes it, unit
/// `u` leading every county) and gives unit `u` an agreed assistance plan
/// for Zhouqu with one project and one attachment: their ids.
pub fn assistance_fixture(web: &Web, plan: i64, u: i64) -> (i64, i64, i64) {
    let app = &web.app;
    for to in ["consultation", "submitted"] {
        app.transition_plan(&cli(), plan, to, None).expect("submit");
    }
    user(app, "fx_reviewer", "reviewer", None, None);
    app.transition_plan(&actor(web, "fx_reviewer"), plan, "approved", None)
        .expect("approve");
    app.transition_plan(&cli(), plan, "active", None)
        .expect("activate");
    user(app, "fx_unit", "unit", Some(u), None);
    user(app, "fx_county", "county", None, Some(ZHOUQU));
    let (unit, county) = (actor(web, "fx_unit"), actor(web, "fx_county"));
    let input = dingdian_core::assistance::AssistancePlanInput {
        county_code: ZHOUQU.into(),
        name: "路由测试帮扶规划".into(),
        period_start: START.into(),
        period_end: END.into(),
        ..Default::default()
    };
    let ap = app.create_assistance_plan(&unit, &input).expect("a plan");
    app.transition_assistance_plan(&unit, ap, "submitted", None)
        .expect("submit");
    app.transition_assistance_plan(&county, ap, "agreed", None)
        .expect("agree");
    let project = dingdian_core::project::ProjectInput {
        plan_id: Some(ap),
        name: "路由测试项目".into(),
        category: "other".into(),
        budget_fen: Some(100),
        start_date: START.into(),
        end_date: END.into(),
        implementer: "县里".into(),
        ..Default::default()
    };
    let pj = app.create_project(&unit, &project).expect("a project");
    let att = app
        .add_project_attachment(&unit, pj, "a.pdf", None, b"%PDF-1.4 fx")
        .expect("an attachment");
    (ap, pj, att)
}

/// A multipart form: the text fields, then one file (content type and body).
pub fn multipart_form(fields: &[(&str, &str)], name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    use std::io::Write;
    let boundary = "----dingdianBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// An active plan (2021–2025) in which U1 leads Zhouqu and U2 the other
/// test counties: pairings records may be written for.
pub fn decided_plan(web: &Web, u1: i64, u2: i64) {
    let app = &web.app;
    let p = draft_plan(app, "记录方案");
    for c in COUNTIES {
        pair(app, p, if c == ZHOUQU { u1 } else { u2 }, c, "lead");
    }
    user(app, "rec_reviewer", "reviewer", None, None);
    let reviewer = actor(web, "rec_reviewer");
    for (who, to) in [
        (cli(), "consultation"),
        (cli(), "submitted"),
        (reviewer, "approved"),
        (cli(), "active"),
    ] {
        app.transition_plan(&who, p, to, None)
            .expect("decide the plan");
    }
}

/// A decided plan in which U1 leads Zhouqu and U2 the other counties (2021–
/// 2025), a training, a labour transfer and a consumption record of each
/// unit in its county (U2's in Xingtang), and each unit's letter for
/// 2025 (not signed).
pub fn records_fixture(web: &Web, u1: i64, u2: i64) {
    let app = &web.app;
    decided_plan(web, u1, u2);
    user(app, "rec_unit1", "unit", Some(u1), None);
    user(app, "rec_unit2", "unit", Some(u2), None);
    for (who, county) in [
        (actor(web, "rec_unit1"), ZHOUQU),
        (actor(web, "rec_unit2"), XINGTANG),
    ] {
        let t = dingdian_core::records::TrainingInput {
            county_code: county.into(),
            kind: "technicians".into(),
            topic: "种植技术".into(),
            place: "县农技站".into(),
            start_date: "2023-05-01".into(),
            end_date: "2023-05-01".into(),
            trainees: "20".into(),
            organiser: "帮扶单位".into(),
            cost: String::new(),
        };
        app.create_training(&who, &t).expect("a training");
        let l = dingdian_core::records::LabourTransferInput {
            county_code: county.into(),
            date: "2023-05-01".into(),
            people: "8".into(),
            destination: "常州市".into(),
            employer: "常州劳务协作".into(),
            months: "10".into(),
            income: "80000".into(),
            jobs_offered: "2".into(),
        };
        app.create_labour_transfer(&who, &l).expect("a transfer");
        let c = dingdian_core::records::ConsumptionInput {
            county_code: county.into(),
            kind: "sold".into(),
            date: "2023-05-01".into(),
            product: "核桃".into(),
            value: "300".into(),
            channel: "电商".into(),
            ..Default::default()
        };
        app.create_consumption(&who, &c)
            .expect("a consumption record");
    }
    for (unit, county) in [(u1, ZHOUQU), (u2, XINGTANG)] {
        let input = dingdian_core::letter::LetterInput {
            unit_id: Some(unit),
            county_code: county.into(),
            year: "2025".into(),
            targets: vec![("technicians_trained".into(), "40".into())],
        };
        app.set_letter(&cli(), &input, false).expect("a letter");
    }
}

/// A leader visit of each unit of [`records_fixture`] in its county in
/// 2024 (U1 in Zhouqu, U2 in Xingtang).
pub fn visits_fixture(web: &Web) {
    for (who, county) in [("rec_unit1", ZHOUQU), ("rec_unit2", XINGTANG)] {
        let input = dingdian_core::leader_visit::LeaderVisitInput {
            county_code: county.into(),
            leader_name: "王部长".into(),
            leader_level: "principal".into(),
            date: "2024-05-01".into(),
            places: "县城".into(),
            purpose: "调研帮扶工作".into(),
            decisions: String::new(),
        };
        web.app
            .create_leader_visit(&actor(web, who), &input, dingdian_core::time::today())
            .expect("a leader visit");
    }
}

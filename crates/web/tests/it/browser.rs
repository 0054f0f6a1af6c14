//! A real browser (headless Chromium through chromedriver) signs in as the
//! office, walks a plan draft → consultation → submitted, signs in as the
//! reviewer and approves it, then opens the coverage page. Screenshots go
//! to `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! says loudly that it was skipped — and fails under CI.

use dingdian_app::App;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn screenshots_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn shot(c: &Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(screenshots_dir().join(format!("{name}.png")), png);
    }
}

/// Waits (up to 10 s) until the page's path is `path`: a click's
/// navigation finishes in its own time.
pub(crate) async fn wait_path(c: &Client, path: &str) {
    for _ in 0..100 {
        if c.current_url()
            .await
            .map(|u| u.path() == path)
            .unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the browser never reached {path}; it is at {:?}",
        c.current_url().await.map(|u| u.to_string())
    );
}

/// Waits (up to 10 s) until the plan's status tag reads `expected`.
async fn wait_status(c: &Client, expected: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        last = status_of(c).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the plan's status stayed {last:?}, expected {expected:?}");
}

pub(crate) async fn sign_in(c: &Client, app: &App, db_url: &str, base: &str, user: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(dingdian_app::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    // The office and the reviewer need their second factor: the code of the
    // published demo secret.
    if let Some(code) =
        dingdian_testkit::totp_code(&dingdian_testkit::beneath(db_url), &app.key(), user)
    {
        c.find(Locator::Css("input[name=totp]"))
            .await
            .unwrap()
            .send_keys(&code)
            .await
            .unwrap();
    }
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/").await;
}

pub(crate) async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/login").await;
}

async fn press(c: &Client, to: &str) {
    c.find(Locator::Id(&format!("to-{to}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn status_of(c: &Client) -> String {
    match c.find(Locator::Css("h1 .tag")).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Three Zhouqu households of 2017 (six people), valid in every rule.
fn registry_2017() -> String {
    let id = |date: &str, seq: u32| {
        let first = format!("623023{date}{seq:03}");
        format!(
            "{first}{}",
            dingdian_core::registry::check_digit(&first).unwrap()
        )
    };
    let mut s = String::from(
        "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n",
    );
    s += &format!(
        "2017,623023100200,B1,{},杨福,户主,2400,未脱贫,2016,,因病\n",
        id("19600101", 11)
    );
    s += &format!(
        "2017,623023100200,B1,{},马兰,配偶,2400,未脱贫,2016,,因病\n",
        id("19620202", 22)
    );
    s += &format!(
        "2017,623023100200,B2,{},何军,户主,4100,已脱贫,2016,2017,缺技术\n",
        id("19750303", 31)
    );
    s += &format!(
        "2017,623023100200,B2,{},何丽,子女,4100,已脱贫,2016,2017,缺技术\n",
        id("20050404", 42)
    );
    s += &format!(
        "2017,623023100200,B3,{},韩刚,户主,2900,未脱贫,2016,,缺资金\n",
        id("19580505", 51)
    );
    s += &format!(
        "2017,623023100200,B3,{},韩芳,子女,2900,未脱贫,2016,,缺资金\n",
        id("19900606", 62)
    );
    s
}

/// True when the browser is missing (and the test may be skipped).
pub(crate) fn browser_missing() -> bool {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        let msg = "chromium / chromium-driver are not installed: the browser test was SKIPPED (apt-get install chromium chromium-driver)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg}; under CI this is an error"
        );
        eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
        return true;
    }
    false
}

/// A demo database, the real server on a free port and one headless
/// Chromium session: (base URL, client, the chromedriver to stop).
pub(crate) async fn start(app: &App) -> (String, Client, Driver, tempfile::TempDir) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = dingdian_web::WebConfig {
        demo: true,
        ..Default::default()
    };
    tokio::spawn(dingdian_web::serve(app.clone(), config, listener, None));

    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--window-size=1280,1000", "--hide-scrollbars",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    (base, client.expect("chromedriver answers"), driver, profile)
}

#[test]
fn office_and_reviewer_walk_a_plan_to_approval_in_a_real_browser() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;

        // The office moves the universities' specific plan out of draft.
        sign_in(&c, &app, &db.url, &base, "office").await;
        shot(&c, "01-office-start").await;
        c.goto(&format!("{base}/plans?status=draft")).await.unwrap();
        c.find(Locator::XPath("//a[contains(text(), '直属高校')]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let plan_url = c.current_url().await.unwrap().to_string();
        wait_status(&c, "草稿").await;
        press(&c, "consultation").await;
        wait_status(&c, "征求意见").await;
        press(&c, "submitted").await;
        wait_status(&c, "审核中").await;
        let page = c.source().await.unwrap();
        assert!(
            !page.contains("id=\"to-approved\""),
            "the office has no approve button"
        );
        shot(&c, "02-office-submitted").await;
        sign_out(&c).await;

        // The reviewer approves it, after confirming.
        sign_in(&c, &app, &db.url, &base, "reviewer").await;
        shot(&c, "03-reviewer-start").await;
        c.goto(&plan_url).await.unwrap();
        wait_status(&c, "审核中").await;
        press(&c, "approved").await;
        // The browser refuses to submit without the confirmation tick.
        assert_eq!(
            status_of(&c).await,
            "审核中",
            "approval needs the confirmation box"
        );
        c.find(Locator::Css("form.transition input[name=confirm]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        press(&c, "approved").await;
        wait_status(&c, "已通过").await;
        let history = c
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            history.contains("李司长") && history.contains("王处长"),
            "the history names who moved the plan, by display name"
        );
        shot(&c, "04-reviewer-approved").await;

        // The coverage page shows the chart and every key county covered.
        c.goto(&format!("{base}/coverage")).await.unwrap();
        let key = c
            .find(Locator::Id("key-counties"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let covered = c
            .find(Locator::Id("covered"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            key, covered,
            "the active plan covers every key county today"
        );
        assert!(key.parse::<usize>().unwrap() >= 192);
        c.find(Locator::Css("svg.chart"))
            .await
            .expect("the coverage chart is drawn");
        shot(&c, "05-coverage").await;

        // The office uploads a registry file, watches the import job
        // finish, and opens the county's dashboard.
        sign_out(&c).await;
        sign_in(&c, &app, &db.url, &base, "office").await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("zhouqu-2017.csv");
        std::fs::write(&file, registry_2017()).unwrap();
        c.goto(&format!("{base}/registry/import")).await.unwrap();
        c.find(Locator::Css("#registry-upload input[type=file]"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        c.find(Locator::Css("#registry-upload button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut status = String::new();
        for _ in 0..150 {
            if let Ok(e) = c.find(Locator::Id("job-status")).await {
                status = e.text().await.unwrap_or_default();
                if status == "已完成" {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(status, "已完成", "the import job finishes");
        let members = c
            .find(Locator::Id("report-members"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(members, "6");
        shot(&c, "06-import-finished").await;
        c.goto(&format!("{base}/indicators?area=623023&year=2017"))
            .await
            .unwrap();
        let registered = c
            .find(Locator::Css("#fig-registered .value"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            registered.starts_with('6'),
            "the dashboard shows the imported people: {registered}"
        );
        c.goto(&format!("{base}/indicators?area=623023"))
            .await
            .unwrap();
        c.find(Locator::Css("svg.chart"))
            .await
            .expect("the dashboard draws its charts");
        shot(&c, "07-zhouqu-dashboard").await;

        // English works too.
        c.goto(&format!("{base}/coverage")).await.unwrap();
        c.find(Locator::Css("form[action='/lang'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let mut h1 = String::new();
        for _ in 0..100 {
            // The page may be mid-navigation: no h1 yet is not an answer.
            if let Ok(e) = c.find(Locator::Css("h1")).await {
                h1 = e.text().await.unwrap_or_default();
            }
            if h1 == "Coverage" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            h1, "Coverage",
            "the language switch turns the page into English"
        );
        shot(&c, "08-coverage-en").await;
        c.close().await.unwrap();
    });
}

/// The demo roles, each walked through its own pages.
const DEMO_ROLES: [&str; 9] = [
    "zhouqu",
    "zzb",
    "inspector",
    "cadre",
    "office",
    "reviewer",
    "admin",
    "security",
    "auditor",
];

/// Latin words a Chinese page may carry: names that have no Chinese word
/// in use — file formats (Excel, CSV and its extension, xlsx, PDF), TOTP, API,
/// the two text encodings a file may be saved in (UTF-8, GBK), the
/// national cryptographic standards' names (SM3, SM4) and the aid
/// transparency standard the ledger exports to (IATI, as XML).
const LATIN_ALLOWED: [&str; 14] = [
    "Excel", "CSV", "csv", "xlsx", "PDF", "TOTP", "API", "UTF", "GBK", "SM", "IATI", "XML", "SVG",
    "MIT",
];

/// The page's readable text, leaving out code (`<code>`, `.code`), hidden
/// elements' scripts and styles, and text marked as another language
/// (`lang="en"`, e.g. the language switch's "English").
const READABLE_TEXT: &str = r#"
const skip = 'code, .code, script, style, [lang]:not([lang^="zh"])';
const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const out = [];
while (w.nextNode()) {
  const p = w.currentNode.parentElement;
  if (p && !p.closest(skip)) out.push(w.currentNode.nodeValue);
}
for (const e of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
  if (!e.closest(skip)) out.push(e.placeholder);
}
return out.join(' ');
"#;

/// Latin words of a Chinese page's text outside the allowed ones, after
/// removing e-mail and web addresses and file names (names, not words).
fn english_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in text.split_whitespace() {
        // E-mail and web addresses, and file names, are names.
        if token.contains('@')
            || token.contains("://")
            || token.contains(".csv")
            || token.contains(".xlsx")
        {
            continue;
        }
        let mut word = String::new();
        for ch in token.chars().chain(std::iter::once(' ')) {
            if ch.is_ascii_alphabetic() {
                word.push(ch);
            } else {
                if word.len() >= 2
                    && !LATIN_ALLOWED.contains(&word.as_str())
                    && !words.contains(&word)
                {
                    words.push(word.clone());
                }
                word.clear();
            }
        }
    }
    words
}

/// A page's shape: its path with every number replaced, and the names of
/// its query parameters. The walk opens one page of each shape.
fn shape(path_and_query: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut out = String::new();
    let mut in_digits = false;
    for ch in path.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(ch);
            in_digits = false;
        }
    }
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    format!("{out}?{}", keys.join("&"))
}

/// The same-site pages a page links to (in the menu and in its content),
/// leaving out downloads, exports, and the sign-out and language forms.
async fn links(c: &Client, base: &str) -> Vec<String> {
    let v = c
        .execute(
            "return Array.from(document.querySelectorAll('nav.menu a[href], main a[href]')).map(a => a.href)",
            vec![],
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    for href in v.as_array().cloned().unwrap_or_default() {
        let Some(href) = href.as_str() else { continue };
        let Some(rest) = href.strip_prefix(base) else {
            continue;
        };
        let rest = rest.split('#').next().unwrap_or("");
        if rest.is_empty()
            || rest.contains("format=")
            || rest.ends_with(".xlsx")
            || rest.ends_with(".csv")
            || rest.contains(".csv?")
            || rest.starts_with("/assets/")
            || rest.starts_with("/api/")
        {
            continue;
        }
        if !out.iter().any(|o: &String| o == rest) {
            out.push(rest.to_string());
        }
    }
    out
}

/// Everything wrong with the page the browser shows now, at this width.
async fn check_page(c: &Client, who: &str, path: &str, width: u32, problems: &mut Vec<String>) {
    let dims = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth]",
            vec![],
        )
        .await
        .unwrap();
    let scroll = dims[0].as_u64().unwrap_or(0);
    let inner = dims[1].as_u64().unwrap_or(0);
    assert!(
        inner <= u64::from(width),
        "the window could not be made {width} px wide (it is {inner} px)"
    );
    let name = format!(
        "walk-{who}-{}-{width}",
        path.trim_start_matches('/')
            .replace(['/', '?', '&', '='], "_")
    );
    // Chart text as drawn on the screen: its font size times the SVG's scale.
    let smallest = c
        .execute(
            "return Array.from(document.querySelectorAll('svg.chart text')).map(t => parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM() ? t.getScreenCTM().a : 1)).reduce((a, b) => Math.min(a, b), 99)",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap_or(99.0);
    if smallest < 10.5 {
        problems.push(format!(
            "{who} {path} at {width} px: chart text drawn {smallest:.1} px high"
        ));
    }
    if scroll > inner {
        let wide = c
            .execute(
                "const w = window.innerWidth; return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll, .chart-box, .menu')).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + (e.id ? '#' + e.id : ''))",
                vec![],
            )
            .await
            .unwrap_or_default();
        problems.push(format!(
            "{who} {path} at {width} px: the page is {scroll} px wide ({wide})"
        ));
        shot(c, &name).await;
    } else if width < 1000 {
        shot(c, &name).await;
    }
}

/// Opens a page as `who` and checks it at 1366 px and at 390 px; returns
/// its links.
async fn walk_page(
    c: &Client,
    base: &str,
    who: &str,
    path: &str,
    problems: &mut Vec<String>,
) -> Vec<String> {
    c.set_window_size(1366, 900).await.unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    let status = c
        .execute("return fetch(location.href, {credentials: 'same-origin', redirect: 'manual'}).then(r => r.status)", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0);
    if !(200..300).contains(&status) && status != 0 {
        problems.push(format!("{who} {path}: HTTP status {status}"));
    }
    let lang = c
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    if lang.as_str() == Some("zh-CN") {
        let text = c.execute(READABLE_TEXT, vec![]).await.unwrap();
        let words = english_words(text.as_str().unwrap_or(""));
        if !words.is_empty() {
            problems.push(format!(
                "{who} {path}: English words in a Chinese page: {}",
                words.join(", ")
            ));
        }
    }
    check_page(c, who, path, 1366, problems).await;
    let found = links(c, base).await;
    c.set_window_size(390, 844).await.unwrap();
    check_page(c, who, path, 390, problems).await;
    found
}

#[test]
fn every_page_of_every_demo_role_fits_a_phone_and_a_laptop_and_speaks_one_language() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;
        // The sign-in page first: its card keeps a sensible width on a wide screen.
        c.set_window_size(1366, 900).await.unwrap();
        c.goto(&format!("{base}/login")).await.unwrap();
        let card = c
            .execute(
                "return document.querySelector('main.login').getBoundingClientRect().width",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            card.as_f64().unwrap() <= 480.0,
            "the sign-in card is {card} px wide on a 1366 px screen"
        );
        let mut problems = Vec::new();
        walk_page(&c, &base, "anonymous", "/login", &mut problems).await;
        let mut visited = 0;
        for who in DEMO_ROLES {
            c.set_window_size(1366, 900).await.unwrap();
            sign_in(&c, &app, &db.url, &base, who).await;
            let mut seen = std::collections::HashSet::new();
            let mut queue = vec![("/".to_string(), 0)];
            seen.insert(shape("/"));
            while let Some((path, depth)) = queue.pop() {
                let found = walk_page(&c, &base, who, &path, &mut problems).await;
                visited += 1;
                if depth < 2 {
                    for link in found {
                        if seen.insert(shape(&link)) && seen.len() < 60 {
                            queue.push((link, depth + 1));
                        }
                    }
                }
            }
            c.set_window_size(1366, 900).await.unwrap();
            sign_out(&c).await;
        }
        eprintln!("the walk opened {visited} pages");
        assert!(visited > 9 * 5, "the walk opened only {visited} pages");
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
        c.close().await.unwrap();
    });
}

/// Posts one entry through the ledger page's form, as the unit does.
async fn post_entry(c: &Client, base: &str, kind: &str, project: Option<&str>, yuan: &str) {
    c.goto(&format!("{base}/ledger")).await.unwrap();
    let form = "form[action='/ledger'][method=post]";
    c.find(Locator::Css(&format!(
        "{form} select[name=kind] option[value={kind}]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let county = c
        .find(Locator::Css(&format!("{form} input[name=county_code]")))
        .await
        .unwrap();
    county.clear().await.unwrap();
    county.send_keys(dingdian_app::demo::ZHOUQU).await.unwrap();
    if let Some(name) = project {
        let option = format!("//select[@name='project_id']/option[contains(text(), '{name}')]");
        c.find(Locator::XPath(&option))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    c.find(Locator::Css(&format!("{form} input[name=amount_yuan]")))
        .await
        .unwrap()
        .send_keys(yuan)
        .await
        .unwrap();
    c.find(Locator::Css(&format!("{form} button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/ledger").await;
    let page = c.source().await.unwrap();
    assert!(
        !page.contains("flash error"),
        "the {kind} of {yuan} yuan is posted"
    );
}

/// The unit's letter for this year, as its page shows it.
async fn letter_card(c: &Client, base: &str) -> String {
    c.goto(&format!("{base}/letters")).await.unwrap();
    c.find(Locator::Css("section.letter"))
        .await
        .unwrap()
        .html(true)
        .await
        .unwrap()
}

#[test]
fn a_unit_moves_money_and_sees_its_letter_and_the_county_agrees_a_plan_in_a_real_browser() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;

        // The unit: money arrives, is committed to the cold store and paid
        // out; its letter's figures move with it.
        sign_in(&c, &app, &db.url, &base, "zzb").await;
        let before = letter_card(&c, &base).await;
        post_entry(&c, &base, "receipt", None, "100000.00").await;
        post_entry(&c, &base, "commitment", Some("冷链仓储"), "100000.00").await;
        post_entry(&c, &base, "disbursement", Some("冷链仓储"), "60000.00").await;
        shot(&c, "21-unit-ledger").await;
        let after = letter_card(&c, &base).await;
        assert_ne!(before, after, "the letter's progress changed");
        shot(&c, "22-unit-letter").await;
        sign_out(&c).await;

        // The county agrees the plan the unit submitted.
        sign_in(&c, &app, &db.url, &base, "zhouqu").await;
        c.goto(&format!("{base}/assistance-plans?status=submitted"))
            .await
            .unwrap();
        c.find(Locator::XPath("//a[contains(text(), '2026—2030')]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        press(&c, "agreed").await;
        wait_status(&c, "已确认").await;
        shot(&c, "23-county-agreed").await;
    });
}

/// What fails the phone's rules on the page shown now: the page scrolls
/// sideways, chart text is drawn under 10 px, or a control in the page's
/// main part is under 44 px high.
async fn phone_problems(c: &Client, what: &str) -> Vec<String> {
    let found = c
        .execute(
            "const w = window.innerWidth; \
             const small = Array.from(document.querySelectorAll('main button, main .button, main input:not([type=hidden]), main select, .menu a')) \
               .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5) \
               .slice(0, 3).map(e => e.tagName.toLowerCase() + ' ' + (e.name || e.textContent.trim()).slice(0, 20)); \
             const chart = Array.from(document.querySelectorAll('svg.chart text')) \
               .map(t => t.getBoundingClientRect().height || 99).reduce((a, b) => Math.min(a, b), 99); \
             return [document.documentElement.scrollWidth, w, chart, small];",
            vec![],
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    let (scroll, inner) = (
        found[0].as_u64().unwrap_or(0),
        found[1].as_u64().unwrap_or(0),
    );
    if inner > 414 {
        out.push(format!(
            "{what}: the window is {inner} px wide, not a phone's"
        ));
    }
    if scroll > inner {
        out.push(format!(
            "{what}: the page is {scroll} px wide on a {inner} px screen"
        ));
    }
    let chart = found[2].as_f64().unwrap_or(0.0);
    if chart < 10.0 {
        out.push(format!("{what}: chart text drawn {chart:.1} px high"));
    }
    if let Some(small) = found[3].as_array().filter(|s| !s.is_empty()) {
        out.push(format!("{what}: controls under 44 px: {small:?}"));
    }
    out
}

#[test]
fn a_cadre_works_on_a_phone_at_390_px() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;
        sign_in(&c, &app, &db.url, &base, "cadre").await;
        c.set_window_size(390, 844).await.unwrap();
        let mut problems = Vec::new();
        for (path, name) in [
            ("/", "31-phone-home"),
            ("/records/trainings", "32-phone-trainings"),
            ("/records/trainings/new", "33-phone-training-form"),
        ] {
            c.goto(&format!("{base}{path}")).await.unwrap();
            shot(&c, name).await;
            problems.extend(phone_problems(&c, path).await);
        }
        // A household of the cadre's county with a helper: the first the
        // county's list of helpers not visited this quarter names.
        c.goto(&format!("{base}/helpers/unvisited")).await.unwrap();
        problems.extend(phone_problems(&c, "/helpers/unvisited").await);
        let household = c
            .find(Locator::Css("#help-list tbody td a"))
            .await
            .expect("a helper not visited this quarter")
            .text()
            .await
            .unwrap();
        c.goto(&format!("{base}/registry/2016/{household}"))
            .await
            .unwrap();
        shot(&c, "34-phone-household").await;
        problems.extend(phone_problems(&c, "the household card").await);
        c.find(Locator::Id("record-visit"))
            .await
            .expect("the cadre may record a visit")
            .click()
            .await
            .unwrap();
        wait_path(&c, &format!("/households/{household}/visits")).await;
        problems.extend(phone_problems(&c, "the visit form").await);
        let helper = c
            .find(Locator::Css("select[name=helper_id] option:nth-child(2)"))
            .await
            .unwrap();
        helper.click().await.unwrap();
        for (name, text) in [("found", "灶房漏雨"), ("done", "联系危房改造")] {
            c.find(Locator::Css(&format!("textarea[name={name}]")))
                .await
                .unwrap()
                .send_keys(text)
                .await
                .unwrap();
        }
        shot(&c, "35-phone-visit-form").await;
        c.find(Locator::Css("form.grid-form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_path(&c, &format!("/registry/2016/{household}")).await;
        let visits = c
            .find(Locator::Id("visits"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            visits.contains("灶房漏雨"),
            "the visit is on the card: {visits}"
        );
        shot(&c, "36-phone-visit-recorded").await;
        assert!(
            problems.is_empty(),
            "{} problems:\n{}",
            problems.len(),
            problems.join("\n")
        );
    });
}

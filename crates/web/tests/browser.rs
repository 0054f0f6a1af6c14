//! A real browser (headless Chromium through chromedriver) signs in as the
//! office, walks a plan draft → consultation → submitted, signs in as the
//! reviewer and approves it, then opens the coverage page. Screenshots go
//! to `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! says loudly that it was skipped — and fails under CI.

use dingdian_app::App;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

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

async fn shot(c: &Client, name: &str) {
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(screenshots_dir().join(format!("{name}.png")), png);
    }
}

/// Waits (up to 10 s) until the page's path is `path`: a click's
/// navigation finishes in its own time.
async fn wait_path(c: &Client, path: &str) {
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

async fn sign_in(c: &Client, app: &App, base: &str, user: &str) {
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
    if let Some(code) = dingdian_testkit::totp_code(&app.store, &app.key(), user) {
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

async fn sign_out(c: &Client) {
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

#[test]
fn office_and_reviewer_walk_a_plan_to_approval_in_a_real_browser() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        let msg = "chromium / chromium-driver are not installed: the browser test was SKIPPED (apt-get install chromium chromium-driver)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg}; under CI this is an error"
        );
        eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    let served = app.clone();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = dingdian_web::WebConfig { demo: true, ..Default::default() };
        tokio::spawn(dingdian_web::serve(served, config, listener, None));

        let port = free_port();
        let _driver = Driver(Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start chromedriver"));
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--window-size=1280,1000", format!("--user-data-dir={}", profile.path().display())]
            }),
        );
        let mut client = None;
        for _ in 0..50 {
            match ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
        let c = client.expect("chromedriver answers");

        // The office moves the universities' specific plan out of draft.
        sign_in(&c, &app, &base, "office").await;
        shot(&c, "01-office-start").await;
        c.goto(&format!("{base}/plans?status=draft")).await.unwrap();
        c.find(Locator::XPath("//a[contains(text(), '直属高校')]")).await.unwrap().click().await.unwrap();
        let plan_url = c.current_url().await.unwrap().to_string();
        wait_status(&c, "草稿").await;
        press(&c, "consultation").await;
        wait_status(&c, "征求意见").await;
        press(&c, "submitted").await;
        wait_status(&c, "审核中").await;
        let page = c.source().await.unwrap();
        assert!(!page.contains("id=\"to-approved\""), "the office has no approve button");
        shot(&c, "02-office-submitted").await;
        sign_out(&c).await;

        // The reviewer approves it, after confirming.
        sign_in(&c, &app, &base, "reviewer").await;
        shot(&c, "03-reviewer-start").await;
        c.goto(&plan_url).await.unwrap();
        wait_status(&c, "审核中").await;
        press(&c, "approved").await;
        // The browser refuses to submit without the confirmation tick.
        assert_eq!(status_of(&c).await, "审核中", "approval needs the confirmation box");
        c.find(Locator::Css("form.transition input[name=confirm]")).await.unwrap().click().await.unwrap();
        press(&c, "approved").await;
        wait_status(&c, "已通过").await;
        let history = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
        assert!(history.contains("reviewer") && history.contains("office"), "the history names who moved the plan");
        shot(&c, "04-reviewer-approved").await;

        // The coverage page shows the chart and every key county covered.
        c.goto(&format!("{base}/coverage")).await.unwrap();
        let key = c.find(Locator::Id("key-counties")).await.unwrap().text().await.unwrap();
        let covered = c.find(Locator::Id("covered")).await.unwrap().text().await.unwrap();
        assert_eq!(key, covered, "the active plan covers every key county today");
        assert!(key.parse::<usize>().unwrap() >= 192);
        c.find(Locator::Css("svg.chart")).await.expect("the coverage chart is drawn");
        shot(&c, "05-coverage").await;

        // The office uploads a registry file, watches the import job
        // finish, and opens the county's dashboard.
        sign_out(&c).await;
        sign_in(&c, &app, &base, "office").await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("zhouqu-2017.csv");
        std::fs::write(&file, registry_2017()).unwrap();
        c.goto(&format!("{base}/registry/import")).await.unwrap();
        c.find(Locator::Css("#registry-upload input[type=file]")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
        c.find(Locator::Css("#registry-upload button")).await.unwrap().click().await.unwrap();
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
        let members = c.find(Locator::Id("report-members")).await.unwrap().text().await.unwrap();
        assert_eq!(members, "6");
        shot(&c, "06-import-finished").await;
        c.goto(&format!("{base}/indicators?area=623023&year=2017")).await.unwrap();
        let registered = c.find(Locator::Css("#fig-registered .value")).await.unwrap().text().await.unwrap();
        assert!(registered.starts_with('6'), "the dashboard shows the imported people: {registered}");
        c.goto(&format!("{base}/indicators?area=623023")).await.unwrap();
        c.find(Locator::Css("svg.chart")).await.expect("the dashboard draws its charts");
        shot(&c, "07-zhouqu-dashboard").await;

        // English works too.
        c.goto(&format!("{base}/coverage")).await.unwrap();
        c.find(Locator::Css("form[action='/lang'] button")).await.unwrap().click().await.unwrap();
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
        assert_eq!(h1, "Coverage", "the language switch turns the page into English");
        shot(&c, "08-coverage-en").await;
        c.close().await.unwrap();
    });
}

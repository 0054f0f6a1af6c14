//! The cadre's report walk in a real browser at phone width (390 px):
//! the cadre opens a due quarterly report, writes and submits it; the unit
//! returns it with a comment; the cadre sees the comment and resubmits.
//! At every step the page must not scroll sideways.

use crate::browser::{browser_missing, shot, sign_in, sign_out, start, wait_path};
use dingdian_app::App;
use fantoccini::{Client, Locator};
use std::time::Duration;

/// The page is no wider than the window (no sideways scrolling), and the
/// window is a phone's.
async fn fits(c: &Client, step: &str) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    let (scroll, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
    assert!(
        inner <= 414,
        "{step}: the window is {inner} px wide, not a phone's"
    );
    assert!(
        scroll <= inner,
        "{step}: the page is {scroll} px wide in a {inner} px window"
    );
    shot(c, &format!("report-{step}")).await;
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_into(c: &Client, name: &str, text: &str) {
    let e = c
        .find(Locator::Css(&format!("textarea[name={name}]")))
        .await
        .unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Waits (up to 10 s) until the page's text contains `what`.
async fn wait_text(c: &Client, what: &str) {
    for _ in 0..100 {
        let body = c
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap_or_default();
        if body.contains(what) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {what:?}");
}

/// A first half of 2023 in Zhouqu for the demo's cadre (中组部), before
/// the demo's calendars (2024 on), so its 2023-Q1 report is an unwritten
/// draft whatever the demo filed; the 2023 calendar opens it.
fn a_due_report(app: &App, db_url: &str) -> i64 {
    let store = dingdian_testkit::beneath(db_url);
    let user = dingdian_testkit::stored_user(db_url, "cadre").expect("the demo cadre");
    let unit = user.unit_id.expect("the cadre's unit");
    dingdian_testkit::insert_secondment(
        &store,
        (unit, "623023"),
        ("测试组长", "leader", "completed"),
        ("2023-01-01", "2023-06-30"),
        Some(user.id),
    );
    let office = dingdian_app::Actor::cli();
    app.set_report_calendar(
        &office,
        2023,
        &Default::default(),
        dingdian_core::time::today(),
    )
    .unwrap();
    store
        .read(|c| c.query_i64("SELECT id FROM reports WHERE unit_id = ? AND county_code = '623023' AND period = '2023-Q1'", &[unit.into()]))
        .unwrap()
}

#[test]
fn a_cadre_writes_and_resubmits_a_report_at_phone_width() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();
    let id = a_due_report(&app, &db.url);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;
        c.set_window_size(390, 844).await.unwrap();
        let report = format!("{base}/reports/{id}");

        sign_in(&c, &app, &db.url, &base, "cadre").await;
        fits(&c, "01-cadre-home").await;
        c.goto(&format!("{base}/reports?status=overdue"))
            .await
            .unwrap();
        fits(&c, "02-cadre-list").await;
        c.goto(&report).await.unwrap();
        fits(&c, "03-cadre-editor").await;
        type_into(
            &c,
            "work_done",
            "本季度完成村道硬化 3.2 公里，培训村干部 45 人次。",
        )
        .await;
        type_into(&c, "problems", "雨季施工受阻。").await;
        click(&c, "submit-report").await;
        wait_text(&c, "已提交").await;
        fits(&c, "04-cadre-submitted").await;
        sign_out(&c).await;

        sign_in(&c, &app, &db.url, &base, "zzb").await;
        c.goto(&report).await.unwrap();
        fits(&c, "05-unit-review").await;
        c.find(Locator::Css("form.review-form textarea[name=comment]"))
            .await
            .unwrap()
            .send_keys("请补充劳务输出人数和收入。")
            .await
            .unwrap();
        click(&c, "return-report").await;
        wait_text(&c, "已退回").await;
        fits(&c, "06-unit-returned").await;
        sign_out(&c).await;

        sign_in(&c, &app, &db.url, &base, "cadre").await;
        c.goto(&report).await.unwrap();
        wait_text(&c, "请补充劳务输出人数和收入。").await;
        fits(&c, "07-cadre-sees-comment").await;
        type_into(
            &c,
            "next_steps",
            "组织劳务输出 120 人次，人均年收入 3.6 万元。",
        )
        .await;
        click(&c, "submit-report").await;
        wait_path(&c, &format!("/reports/{id}")).await;
        wait_text(&c, "报告已提交").await;
        fits(&c, "08-cadre-resubmitted").await;
        c.close().await.unwrap();
    });
}

//! The map in a real browser: the office opens the map of 甘肃省, clicks
//! 舟曲县's shape and lands on Zhouqu's dashboard; at phone width (390 px)
//! the map page does not scroll sideways.

use crate::browser::{browser_missing, shot, sign_in, start, wait_path};
use dingdian_app::App;
use fantoccini::Locator;

#[test]
fn a_click_on_zhouqu_on_the_map_of_gansu_opens_its_dashboard() {
    if browser_missing() {
        return;
    }
    let db = dingdian_testkit::TestDb::sqlite();
    let app = App::open(&db.url).unwrap().with_demo_mode(true);
    app.load_demo().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (base, c, _driver, _profile) = start(&app).await;
        sign_in(&c, &app, &db.url, &base, "office").await;
        c.goto(&format!("{base}/map?level=province&area=62&year=2016"))
            .await
            .unwrap();
        shot(&c, "map-01-gansu").await;
        let zhouqu = c.find(Locator::Css("a#c623023 path")).await.unwrap();
        zhouqu.click().await.unwrap();
        wait_path(&c, "/indicators").await;
        let url = c.current_url().await.unwrap();
        assert!(
            url.query().is_some_and(|q| q.contains("area=623023")),
            "the click opens Zhouqu's dashboard, not {url}"
        );
        let h1 = c.find(Locator::Css("h1")).await.unwrap();
        assert!(h1.text().await.unwrap().contains("舟曲县"));
        shot(&c, "map-02-zhouqu-dashboard").await;

        // At a phone's width the map scales to the screen.
        c.set_window_size(390, 844).await.unwrap();
        c.goto(&format!("{base}/map?level=province&area=62&year=2016"))
            .await
            .unwrap();
        let v = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
        assert!(
            scroll <= inner,
            "the map page scrolls sideways at 390 px: {scroll} > {inner}"
        );
        shot(&c, "map-03-phone").await;
        c.close().await.unwrap();
    });
}

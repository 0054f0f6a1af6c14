//! Letters of the two periods: a letter up to 2020 speaks of 贫困地区 and
//! has no leaders trained (refused on the API and the form); a letter from
//! 2021 speaks of 脱贫地区 and adds leaders trained, counted from trainings
//! of leaders. Both backends.

use crate::common;
use crate::records_pages::{signed_in, world};

use common::*;
use dingdian_app::plans::PairingPlanInput;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;

both_backends!(each_era_has_its_indicators_and_words_on_the_api_and_the_page);

/// U1 also leads the test counties in a decided plan of 2016–2020.
fn old_plan(web: &Web, u1: i64) {
    let app = &web.app;
    let p = app
        .create_plan(
            &cli(),
            &PairingPlanInput {
                name: "扶贫方案".into(),
                kind: "overall".into(),
                county_list: LIST.into(),
                period_start: "2016-01-01".into(),
                period_end: "2020-12-31".into(),
                ..Default::default()
            },
        )
        .expect("an old plan");
    for c in COUNTIES {
        pair(app, p, u1, c, "lead");
    }
    let reviewer = actor(web, "rec_reviewer");
    for (who, to) in [
        (cli(), "consultation"),
        (cli(), "submitted"),
        (reviewer, "approved"),
        (cli(), "active"),
    ] {
        app.transition_plan(&who, p, to, None).expect("decide it");
    }
}

fn each_era_has_its_indicators_and_words_on_the_api_and_the_page(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = world(&web);
    old_plan(&web, u1);
    let office = web.direct_token("w_office", PASSWORD);
    let unit = web.direct_token("w_unit", PASSWORD);
    let letter = |year: i32, targets: serde_json::Value| json!({ "unit_id": u1, "county_code": ZHOUQU, "year": year, "targets": targets });
    let refused = web.post(
        "/letters",
        &office,
        letter(
            2019,
            json!({ "leaders_trained": 5, "products_bought": 1000 }),
        ),
    );
    refused.expect(422);
    assert_eq!(refused.fields(), vec!["leaders_trained".to_string()]);
    assert!(
        refused.text().contains("indicator_not_in_period"),
        "{}",
        refused.text()
    );
    web.post(
        "/letters",
        &office,
        letter(2019, json!({ "products_bought": 1000 })),
    )
    .expect(201);
    let new = web.post(
        "/letters",
        &office,
        letter(
            2022,
            json!({ "leaders_trained": 50, "products_bought": 1000 }),
        ),
    );
    new.expect(201);
    web.post(
        "/records/trainings",
        &unit,
        json!({ "county_code": ZHOUQU, "kind": "revitalisation_leaders", "topic": "带头人培训",
                "place": "县委党校", "start_date": "2022-05-01", "end_date": "2022-05-03",
                "trainees": 15, "organiser": "本单位" }),
    )
    .expect(201);
    let of_year = |y: i32| {
        web.get(&format!("/letters?year={y}"), &office)
            .expect(200)
            .json()
    };
    let old = of_year(2019);
    assert_eq!(
        old["items"][0]["targets"],
        json!({ "products_bought": 1000 })
    );
    assert_eq!(old["items"][0]["actuals"], json!({ "products_bought": 0 }));
    let new = of_year(2022);
    assert_eq!(
        new["items"][0]["targets"],
        json!({ "products_bought": 1000, "leaders_trained": 50 })
    );
    assert_eq!(new["items"][0]["actuals"]["leaders_trained"], 15);

    let mut b = signed_in(&web, "w_office");
    let page = b.get("/letters?year=2019").expect(200).text();
    assert!(page.contains("购买贫困地区农产品"), "{page}");
    assert!(!page.contains("脱贫地区农产品"));
    assert!(
        !page.contains("培训乡村振兴带头人"),
        "no such field up to 2020"
    );
    let page = b.get("/letters?year=2022").expect(200).text();
    assert!(page.contains("购买脱贫地区农产品"), "{page}");
    assert!(!page.contains("贫困地区农产品"));
    assert!(page.contains("培训乡村振兴带头人"));
    let csrf = csrf_of(&page);
    let u1s = u1.to_string();
    let form = [
        ("_csrf", csrf.as_str()),
        ("unit_id", u1s.as_str()),
        ("county_code", ZHOUQU),
        ("year", "2018"),
        ("leaders_trained", "5"),
        ("cadres_trained", "5"),
    ];
    let shown = b.post("/letters", &form).expect(422).text();
    assert!(
        shown.contains("2020年及以前的定点扶贫责任书没有这一指标"),
        "{shown}"
    );
}

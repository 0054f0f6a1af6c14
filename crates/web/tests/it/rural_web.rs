//! Households outside the registry through the API: entered by the county,
//! read back masked, flagged with their id and listed with their origin.
//! Both backends.

use crate::common;

use common::*;
use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::json;

both_backends!(a_county_enters_flags_and_lists_a_household_outside_the_registry);

fn a_county_enters_flags_and_lists_a_household_outside_the_registry(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "r_county", "county", None, Some(ZHOUQU));
    let county = web.direct_token("r_county", PASSWORD);
    let first = format!("{ZHOUQU}19850505012");
    let id_number = format!("{first}{}", check_digit(&first).unwrap());
    let body = |year: i32| {
        json!({ "county_code": ZHOUQU, "village": "东街村", "year": year, "income_per_capita_fen": 650_000,
                "members": [{ "name": "王某", "id_number": id_number, "relation": "户主" }] })
    };
    let early = web.post("/monitoring/rural-households", &county, body(2020));
    early.expect(422);
    assert_eq!(early.fields(), vec!["year".to_string()]);
    let h = web.post("/monitoring/rural-households", &county, body(2022));
    let h = h.expect(201).json();
    let hid = h["household_id"].as_str().unwrap().to_string();
    assert_eq!(hid, format!("R{ZHOUQU}-00001"));
    let masked = h["members"][0]["id_number"].as_str().unwrap();
    assert!(
        masked.contains('*') && !masked.contains(&id_number[6..14]),
        "{masked}"
    );
    web.post("/monitoring/rural-households", &county, body(2023))
        .expect(409);
    let got = web.get(&format!("/monitoring/rural-households/{hid}"), &county);
    assert_eq!(got.expect(200).json()["income_per_capita_fen"], 650_000);
    web.post(
        "/monitoring",
        &county,
        json!({ "household_id": hid, "year": 2023, "risk": "illness", "source": "cadre", "date": "2023-02-01" }),
    )
    .expect(201);
    let list = web.get("/monitoring?year=2023", &county).expect(200).json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["origin"], "rural");
    assert_eq!(list["items"][0]["kind"], "marginal");
}

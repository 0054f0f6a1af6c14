//! The annual assessment on the pages and the API: the office opens the
//! year, the unit writes its self-report behind its CSRF token, the
//! assessor enters scores and assesses, the breakdown shows its evidence
//! and its gaps; rules refused when the weights do not sum to 100; the
//! list exports; API answers as the document declares. Both backends.

use crate::common;
use crate::records_pages::{self, signed_in};

use common::*;
use dingdian_testkit::{TestDb, both_backends};
use serde_json::{Value, json};

both_backends!(
    the_office_opens_the_unit_reports_and_the_page_shows_evidence_and_gaps,
    the_assessment_api_answers_as_the_document_declares,
);

fn weights(results: i64) -> Value {
    json!([
        { "dimension": "results", "weight": results }, { "dimension": "organisation", "weight": 15 },
        { "dimension": "cadres", "weight": 15 }, { "dimension": "supervision", "weight": 10 },
        { "dimension": "satisfaction", "weight": 10 }, { "dimension": "innovation", "weight": 10 }
    ])
}

fn the_office_opens_the_unit_reports_and_the_page_shows_evidence_and_gaps(db: &TestDb) {
    let web = Web::new(db);
    records_pages::world(&web);
    let mut office = signed_in(&web, "w_office");
    let list = office.get("/assessments?year=2024");
    list.expect(200);
    let csrf = csrf_of(&list.text());
    office
        .post("/assessments/open", &[("year", "2024")])
        .expect(403);
    office
        .post("/assessments/open", &[("_csrf", &csrf), ("year", "2024")])
        .expect(303);
    let list = office.get("/assessments?year=2024&q=本单位").text();
    let id = list
        .split("href=\"/assessments/")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.parse::<i64>().is_ok())
        .expect("a link to the assessment")
        .to_string();

    let mut unit = signed_in(&web, "w_unit");
    let page = unit.get(&format!("/assessments/{id}"));
    page.expect(200);
    let text = page.text();
    assert!(
        text.contains("缺数据指标") && text.contains("以下为按今天的记录计算的预览"),
        "gaps and the preview are shown"
    );
    let csrf = csrf_of(&text);
    unit.post(
        &format!("/assessments/{id}/self-report"),
        &[("_csrf", &csrf), ("self_report", "全年工作总结")],
    )
    .expect(303);

    let csrf = csrf_of(&office.get(&format!("/assessments/{id}")).text());
    let bad = office.post(
        &format!("/assessments/{id}/entries"),
        &[
            ("_csrf", &csrf),
            ("indicator", "satisfaction_survey"),
            ("score", "120"),
            ("evidence", "问卷"),
        ],
    );
    bad.expect(422);
    assert!(bad.text().contains("分数应为 0 至 100 之间的数"));
    for (ind, score) in [("satisfaction_survey", "91.5"), ("innovation_cases", "80")] {
        office
            .post(
                &format!("/assessments/{id}/entries"),
                &[
                    ("_csrf", &csrf),
                    ("indicator", ind),
                    ("score", score),
                    ("evidence", "入户问卷 300 份"),
                ],
            )
            .expect(303);
    }
    office
        .post(
            &format!("/assessments/{id}/transition"),
            &[("_csrf", &csrf), ("to", "assessed")],
        )
        .expect(303);
    let text = unit.get(&format!("/assessments/{id}")).text();
    assert!(
        text.contains("全年工作总结") && text.contains("入户问卷 300 份") && text.contains("91.5")
    );
    assert!(text.contains("缺数据指标") && !text.contains("以下为按今天的记录计算的预览"));

    let rules = office.get("/assessments/rules?year=2025");
    rules.expect(200);
    let csrf = csrf_of(&rules.text());
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("year", "2025"),
        ("results", "41"),
        ("organisation", "15"),
        ("cadres", "15"),
    ];
    form.extend([
        ("supervision", "10"),
        ("satisfaction", "10"),
        ("innovation", "10"),
        ("good_min", "90"),
        ("fairly_good_min", "80"),
        ("average_min", "60"),
    ]);
    let r = office.post("/assessments/rules", &form);
    r.expect(422);
    assert!(r.text().contains("各维度权重之和应为 100，现为 101"));
    let xlsx = office.get("/assessments?year=2024&format=xlsx");
    xlsx.expect(200);
    assert!(
        xlsx.header("content-type")
            .unwrap_or("")
            .contains("spreadsheet")
    );
}

fn the_assessment_api_answers_as_the_document_declares(db: &TestDb) {
    let web = Web::new(db);
    let (u1, _) = records_pages::world(&web);
    user(&web.app, "w_reviewer", "reviewer", None, None);
    let office = web.direct_token("w_office", PASSWORD);
    let reviewer = web.direct_token("w_reviewer", PASSWORD);
    let unit = web.direct_token("w_unit", PASSWORD);
    let r = web.post("/assessments/open", &office, json!({ "year": 2024 }));
    r.expect(200);
    answers_as_declared("post", "/assessments/open", &r);
    assert_eq!(r.json()["count"], json!(2));
    let r = web.get("/assessments?year=2024", &office);
    r.expect(200);
    answers_as_declared("get", "/assessments", &r);
    let list = r.json();
    assert_eq!(list["total"], json!(2));
    let mine = |l: &Value| {
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["unit_id"] == json!(u1))
            .cloned()
            .unwrap()
    };
    let a = mine(&list);
    assert_eq!(
        (
            a["year"].clone(),
            a["score"].clone(),
            a["grade"].clone(),
            a["status"].clone()
        ),
        (json!(2024), Value::Null, Value::Null, json!("self_report"))
    );
    let id = a["id"].as_i64().unwrap();
    // The unit sees only its own before publication.
    assert_eq!(
        web.get("/assessments?year=2024", &unit).json()["total"],
        json!(1)
    );
    for (ind, score) in [("satisfaction_survey", 95.0), ("innovation_cases", 90.0)] {
        let r = web.post(
            &format!("/assessments/{id}/entries"),
            &office,
            json!({ "indicator": ind, "score": score, "evidence": "调查" }),
        );
        r.expect(200);
        answers_as_declared("post", "/assessments/{id}/entries", &r);
    }
    let r = web.post(
        &format!("/assessments/{id}/entries"),
        &office,
        json!({ "indicator": "innovation_cases", "score": 100.5, "evidence": "x" }),
    );
    r.expect(422);
    assert_eq!(r.fields(), vec!["score".to_string()]);
    let r = web.post(
        &format!("/assessments/{id}/transition"),
        &office,
        json!({ "to": "assessed" }),
    );
    r.expect(200);
    answers_as_declared("post", "/assessments/{id}/transition", &r);
    let a = r.json();
    assert!(a["score"].is_number() && a["grade"].is_string(), "{a}");
    let dims = a["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 6);
    for d in dims {
        assert!(
            d["dimension"].is_string() && d["weight"].is_number() && d["evidence"].is_array(),
            "{d}"
        );
    }
    web.post(
        &format!("/assessments/{id}/transition"),
        &reviewer,
        json!({ "to": "self_report" }),
    )
    .expect(422);
    web.post(
        &format!("/assessments/{id}/transition"),
        &reviewer,
        json!({ "to": "reviewed" }),
    )
    .expect(200);
    let r = web.post("/assessments/publish", &office, json!({ "year": 2024 }));
    r.expect(200);
    assert_eq!(r.json()["count"], json!(1));
    let again = web.post("/assessments/publish", &office, json!({ "year": 2024 }));
    again.expect(409);
    assert_eq!(again.code(), "nothing_to_publish");
    let r = web.get(&format!("/assessments/{id}"), &unit);
    r.expect(200);
    answers_as_declared("get", "/assessments/{id}", &r);
    let r = web.get("/assessments/rankings?year=2024", &unit);
    r.expect(200);
    answers_as_declared("get", "/assessments/rankings", &r);
    assert_eq!(r.json()["items"][0]["ranked"][0]["id"], json!(id));
    let bad = web.api("PUT", "/assessment-rules/2025", Some(&office), Some(json!({ "weights": weights(41), "good_min": 90, "fairly_good_min": 80, "average_min": 60 })));
    bad.expect(422);
    assert_eq!(bad.fields(), vec!["weights".to_string()]);
    let ok = web.api("PUT", "/assessment-rules/2025", Some(&office), Some(json!({ "weights": weights(40), "good_min": 90, "fairly_good_min": 80, "average_min": 60 })));
    ok.expect(200);
    answers_as_declared("put", "/assessment-rules/{year}", &ok);
    let r = web.get("/assessment-rules/2025", &unit);
    r.expect(200);
    answers_as_declared("get", "/assessment-rules/{year}", &r);
    assert_eq!(r.json()["is_default"], json!(false));
}

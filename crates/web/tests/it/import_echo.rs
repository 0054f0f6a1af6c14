//! What an import's error answer repeats of the file (issue 9, finding
//! 20): a statistics 422 on a huge cell stays small; a job page says how
//! many problems there were when it lists only the first ones — on SQLite
//! and PostgreSQL.

use crate::common;

use common::*;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_statistics_422_on_a_huge_cell_stays_small,
    the_job_page_counts_every_problem_when_it_lists_the_first_thousand,
);

fn the_job_page_counts_every_problem_when_it_lists_the_first_thousand(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let office = actor(&web, "office1");
    let mut text = String::from(
        "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n",
    );
    for i in 0..1_200 {
        text += &format!("2014,623023100200,H{i},123,某甲,户主,2000,未脱贫,2014,,因病\n");
    }
    let id = web.app.create_registry_job(&office, "f.csv").unwrap();
    web.app.run_registry_job(
        &office,
        id,
        "f.csv",
        text.as_bytes(),
        Default::default(),
        &|_, _, _| {},
    );
    let mut b = web.browser();
    b.sign_in("office1", PASSWORD);
    let html = b.get(&format!("/jobs/{id}")).text();
    assert!(
        html.contains("共 1200 处错误"),
        "the total, not the kept 1000"
    );
    assert!(
        html.contains("id=\"errors-listed\"") && html.contains("只列出前 1000 处"),
        "says the list is cut"
    );
}

fn a_statistics_422_on_a_huge_cell_stays_small(db: &TestDb) {
    let web = Web::new(db);
    user(&web.app, "office1", "office", None, None);
    let token = web.direct_token("office1", PASSWORD);
    let huge = "9".repeat(2_000_000);
    let body = format!("年度,区划代码,农村人口,农民人均纯收入\n2014,623023,{huge},{huge}\n");
    let r = web.api_raw(
        "post",
        "/imports/statistics?file_name=s.csv&dry_run=true",
        Some(&token),
        Some(body.into_bytes()),
        &[],
    );
    r.expect(422);
    let answer = r.text();
    assert!(answer.len() < 4_000, "{} bytes", answer.len());
    let fields = r.json()["error"]["fields"].as_array().unwrap().clone();
    assert!(!fields.is_empty());
    for f in fields {
        let value = f["value"].as_str().unwrap();
        assert!(value.chars().count() <= 65, "{value}");
    }
}

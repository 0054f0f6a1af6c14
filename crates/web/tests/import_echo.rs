//! What an import's error answer repeats of the file (issue 9, finding
//! 20): a statistics 422 on a huge cell stays small, on SQLite and
//! PostgreSQL.

mod common;

use common::*;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(a_statistics_422_on_a_huge_cell_stays_small);

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

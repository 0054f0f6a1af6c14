//! `dingdian report county|unit|national … --year Y --out FILE`, on the
//! demo: an HTML file with its stylesheet inline and an xlsx, the unit
//! named by argument or by flag, and a usage error (exit 2) for another
//! extension or a missing county. Both backends.

use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output};

both_backends!(the_three_reports_are_written_as_html_and_xlsx);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .output()
        .expect("run dingdian")
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn ok(out: &Output) {
    assert_eq!(
        code(out),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn the_three_reports_are_written_as_html_and_xlsx(db: &TestDb) {
    ok(&dingdian(db, &["demo"]));
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    let html = file("county.html");
    ok(&dingdian(
        db,
        &[
            "report", "county", "623023", "--year", "2016", "--out", &html,
        ],
    ));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("县情报告") && text.contains("舟曲县"));
    assert!(
        text.contains("<style>") && text.contains("@page"),
        "the CSS inline"
    );
    assert!(!text.contains("/assets/"), "no reference to a server");
    let xlsx = file("county.xlsx");
    ok(&dingdian(
        db,
        &[
            "report", "county", "--county", "623023", "--year", "2016", "--out", &xlsx,
        ],
    ));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    let seed = dingdian_testkit::unit_id(&db.url, dingdian_app::demo::SEED_UNIT)
        .expect("the seed unit")
        .to_string();
    let unit = file("unit.html");
    ok(&dingdian(
        db,
        &[
            "report", "unit", "--unit", &seed, "--year", "2016", "--out", &unit,
        ],
    ));
    assert!(
        std::fs::read_to_string(&unit)
            .unwrap()
            .contains(dingdian_app::demo::SEED_UNIT)
    );
    ok(&dingdian(
        db,
        &[
            "report",
            "unit",
            &seed,
            "--year",
            "2016",
            "--out",
            &file("unit.xlsx"),
        ],
    ));
    let national = file("national.html");
    ok(&dingdian(
        db,
        &[
            "report", "national", "--year", "2016", "--out", &national, "--lang", "en",
        ],
    ));
    assert!(
        std::fs::read_to_string(&national)
            .unwrap()
            .contains("National overview")
    );

    let pdf = dingdian(
        db,
        &[
            "report",
            "national",
            "--year",
            "2016",
            "--out",
            &file("n.pdf"),
        ],
    );
    assert_eq!(code(&pdf), Some(2), "another extension is a usage error");
    assert!(String::from_utf8_lossy(&pdf.stderr).contains(".html"));
    let missing = dingdian(
        db,
        &[
            "report",
            "county",
            "--year",
            "2016",
            "--out",
            &file("c.html"),
        ],
    );
    assert_eq!(code(&missing), Some(2), "the county is missing");
    let nowhere = dingdian(
        db,
        &[
            "report",
            "county",
            "999999",
            "--year",
            "2016",
            "--out",
            &file("x.html"),
        ],
    );
    assert_eq!(code(&nowhere), Some(1), "no such county: invalid input");
    assert!(!dir.path().join("x.html").exists(), "nothing written");
}

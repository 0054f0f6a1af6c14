//! Formula injection in the command line's CSV files (issue 9, finding 21):
//! `dingdian export registry … --out x.csv` and the rejects file write a
//! text cell that begins with `=`, `+`, `-` or `@` with a leading `'`, and
//! the exported file imports back unchanged — on both backends.

use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};
use std::process::{Command, Output, Stdio};

both_backends!(registry_csv_export_and_rejects_neutralise_formulas);

fn dingdian(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dingdian"))
        .args(args)
        .env("DINGDIAN_DATABASE", &db.url)
        .env("DINGDIAN_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run dingdian")
}

#[track_caller]
fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn id(seq: u32) -> String {
    let first = format!("62302319700101{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";
const NAMES: [&str; 4] = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(1)",
    "=HYPERLINK(\"http://x\")",
];

fn registry_csv_export_and_rejects_neutralise_formulas(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(HEADER);
    for (k, name) in NAMES.iter().enumerate() {
        let rel = if k == 0 { "户主" } else { "子女" };
        let name = name.replace('"', "\"\"");
        text += &format!(
            "2014,623023100200,H1,{},\"{name}\",{rel},100,未脱贫,2014,,因病\n",
            id(k as u32 + 1)
        );
    }
    let input = dir.path().join("r.csv");
    std::fs::write(&input, &text).unwrap();
    ok(&dingdian(
        db,
        &["import", "registry", input.to_str().unwrap()],
    ));

    let out = dir.path().join("x.csv");
    let export = |path: &std::path::Path| {
        ok(&dingdian(
            db,
            &[
                "export",
                "registry",
                "--year",
                "2014",
                "--out",
                path.to_str().unwrap(),
            ],
        ));
        std::fs::read_to_string(path).unwrap()
    };
    let csv = export(&out);
    for name in NAMES {
        let quoted = format!("'{name}");
        assert!(
            csv.contains(&quoted) || csv.contains(&quoted.replace('"', "\"\"")),
            "{name} neutralised in {csv}"
        );
    }
    // The export imports back as it was, and exports the same again.
    ok(&dingdian(
        db,
        &["import", "registry", out.to_str().unwrap()],
    ));
    assert_eq!(export(&dir.path().join("y.csv")), csv);

    // The rejects file beside the input.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{HEADER}2014,623023100200,H9,=1+1,@x,户主,-5,未脱贫,2014,,因病\n"),
    )
    .unwrap();
    ok(&dingdian(
        db,
        &[
            "import",
            "registry",
            bad.to_str().unwrap(),
            "--skip-invalid",
        ],
    ));
    let rejects = std::fs::read_to_string(dir.path().join("bad.rejects.csv")).unwrap();
    assert!(rejects.contains(",'=1+1,'@x,户主,'-5,"), "{rejects}");
}

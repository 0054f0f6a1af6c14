//! Imports against hostile and mistaken files (issue 9): xlsx files that
//! declare or inflate to far more than they weigh, Excel's numbers in code
//! columns, each problem reported once at its cause, formulas neutralised in
//! every CSV written (and read back as they were), a declared encoding that
//! does not fit, birth dates in the future, invisible and direction-changing
//! names — on both backends.

use crate::common;

use common::*;
use dingdian_app::registry::{ImportOptions, ImportReport, table_bytes};
use dingdian_app::tabular::{self, Cell, Encoding};
use dingdian_app::{App, AppError};
use dingdian_core::FieldError;
use dingdian_core::registry::check_digit;
use dingdian_testkit::hostile_xlsx;
use dingdian_testkit::{TestDb, both_backends};

const VILLAGE: &str = "623023100200";
const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";
const STATS_HEADER: &str = "年度,区划代码,农村人口,农民人均纯收入\n";

fn id(date: &str, seq: u32) -> String {
    let first = format!("{ZHOUQU}{date}{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

fn row(household: &str, id: &str, name: &str, relation: &str, income: &str) -> String {
    format!("2014,{VILLAGE},{household},{id},{name},{relation},{income},未脱贫,2014,,因病\n")
}

fn import(app: &App, name: &str, bytes: &[u8]) -> Result<ImportReport, AppError> {
    app.import_registry(
        &office(),
        name,
        bytes,
        ImportOptions::default(),
        &|_, _, _| {},
    )
}

fn statistics(app: &App, name: &str, bytes: &[u8]) -> Result<(), AppError> {
    let opts = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    app.import_statistics(&office(), name, bytes, opts)
        .map(|_| ())
}

/// (row, field, code) of every error.
fn problems(errs: &[FieldError]) -> Vec<(Option<usize>, String, String)> {
    errs.iter()
        .map(|e| (e.row, e.field.clone(), e.msg.code.clone()))
        .collect()
}

fn file_code<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
    let errs = invalid(r);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(!errs[0].msg.zh.is_empty() && !errs[0].msg.en.is_empty());
    errs[0].msg.code.clone()
}

fn xlsx_far_apart_cells_are_refused_by_every_xlsx_importer(db: &TestDb) {
    let app = open(db);
    for declared in [true, false] {
        let bytes = hostile_xlsx::far_apart_cells(declared);
        assert!(bytes.len() < 4096, "a small file: {}", bytes.len());
        assert_eq!(file_code(import(&app, "r.xlsx", &bytes)), "xlsx_too_wide");
        assert_eq!(
            file_code(statistics(&app, "s.xlsx", &bytes)),
            "xlsx_too_wide"
        );
        assert_eq!(
            file_code(app.import_units(&office(), "u.xlsx", &bytes, Encoding::Auto)),
            "xlsx_too_wide"
        );
    }
}

fn an_xlsx_zip_bomb_is_refused_before_it_is_inflated(db: &TestDb) {
    let app = open(db);
    let bomb = hostile_xlsx::whitespace_bomb(64 << 20);
    assert!(bomb.len() < 1 << 20, "a small file: {}", bomb.len());
    assert_eq!(file_code(import(&app, "r.xlsx", &bomb)), "xlsx_too_large");
    assert_eq!(
        file_code(statistics(&app, "s.xlsx", &bomb)),
        "xlsx_too_large"
    );
    // A plain sheet of the same shape within the bounds still reads.
    let small = hostile_xlsx::whitespace_bomb(1 << 20);
    assert_eq!(
        file_code(statistics(&app, "s.xlsx", &small)),
        "no_header",
        "a blank sheet is read and found to have no header"
    );
}

fn excel_numbers_in_code_columns_are_named_as_such(db: &TestDb) {
    let app = open(db);
    // A CSV saved by Excel: the numbers as Excel showed them.
    let text = format!(
        "{HEADER}{}2014,6.23023E+11,6.23023E+11,{},乙,户主,100,未脱贫,2014,,因病\n",
        row("H1", "6.23023E+17", "甲", "户主", "100"),
        id("19800101", 2)
    );
    let errs = invalid(import(&app, "r.csv", text.as_bytes()));
    let p = problems(&errs);
    assert!(
        p.contains(&(Some(2), "id_number".into(), "excel_number".into())),
        "{p:?}"
    );
    assert!(
        p.contains(&(Some(3), "village_code".into(), "excel_number".into())),
        "{p:?}"
    );
    assert!(
        p.contains(&(Some(3), "household_id".into(), "excel_number".into())),
        "{p:?}"
    );
    let id_error = errs.iter().find(|e| e.field == "id_number").unwrap();
    assert!(
        id_error.msg.zh.contains("证件号码列被 Excel 存为数字"),
        "{}",
        id_error.msg.zh
    );
    assert!(id_error.msg.zh.contains("设为文本"));
    assert!(!p.iter().any(|(_, _, c)| c == "id_check_digit"), "{p:?}");

    // An xlsx whose ID cell is a number: Excel kept 15 digits of it.
    let headers: Vec<String> = HEADER.trim().split(',').map(String::from).collect();
    let cells = |id: Cell| -> Vec<Cell> {
        vec![
            Cell::Int(2014),
            VILLAGE.into(),
            "H1".into(),
            id,
            "甲".into(),
            "户主".into(),
            Cell::Int(100),
            "未脱贫".into(),
            Cell::Int(2014),
            Cell::Empty,
            "因病".into(),
        ]
    };
    let number: f64 = id("19800101", 1).parse().unwrap();
    let xlsx = tabular::write_xlsx("r", &headers, &[cells(Cell::Number(number))]).unwrap();
    let p = problems(&invalid(import(&app, "r.xlsx", &xlsx)));
    assert_eq!(
        p,
        vec![(Some(2), "id_number".into(), "excel_number".into())]
    );
    // An 18-digit text whose last three digits Excel zeroed.
    let zeroed = format!("{}000", &id("19800101", 1)[..15]);
    let text = format!("{HEADER}{}", row("H1", &zeroed, "甲", "户主", "100"));
    let p = problems(&invalid(import(&app, "r.csv", text.as_bytes())));
    assert_eq!(
        p,
        vec![(Some(2), "id_number".into(), "excel_number".into())]
    );

    // A statistics area code in scientific notation; one that lost a digit
    // keeps its format error and says what Excel does to leading zeros.
    let text = format!("{STATS_HEADER}2014,6.2302E+5,1000,\n2014,62302,1000,\n");
    let errs = invalid(statistics(&app, "s.csv", text.as_bytes()));
    assert_eq!(
        problems(&errs),
        vec![
            (Some(2), "area_code".into(), "excel_number".into()),
            (Some(3), "area_code".into(), "county_code_format".into()),
        ]
    );
    assert!(
        errs[1].msg.zh.contains("开头的 0 会丢失"),
        "{}",
        errs[1].msg.zh
    );
}

fn a_refused_head_row_is_not_also_a_household_without_head(db: &TestDb) {
    let app = open(db);
    let dup = id("19700101", 1);
    // Row 4 is household B's head but repeats row 2's ID number; row 6 is
    // household C's head with a bad income.
    let text = format!(
        "{HEADER}{}{}{}{}{}{}",
        row("A", &dup, "甲", "户主", "100"),
        row("A", &id("19720101", 2), "乙", "配偶", "100"),
        row("B", &dup, "丙", "户主", "200"),
        row("B", &id("19950101", 4), "丁", "子女", "200"),
        row("C", &id("19600101", 5), "戊", "户主", "abc"),
        row("C", &id("19900101", 6), "己", "子女", "abc"),
    );
    let errs = invalid(import(&app, "r.csv", text.as_bytes()));
    assert_eq!(
        problems(&errs),
        vec![
            (Some(4), "id_number".into(), "duplicate_id".into()),
            (Some(6), "income_per_capita".into(), "not_a_number".into()),
            (Some(7), "income_per_capita".into(), "not_a_number".into()),
        ]
    );
    // With skip_invalid the households go out whole, and A comes in.
    let r = app
        .import_registry(
            &office(),
            "r.csv",
            text.as_bytes(),
            ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
            &|_, _, _| {},
        )
        .unwrap();
    assert_eq!((r.households, r.members, r.rejected), (1, 2, 4));
    // A household with no head at all is still reported.
    let text = format!(
        "{HEADER}{}",
        row("D", &id("19700101", 7), "庚", "配偶", "100")
    );
    let p = problems(&invalid(import(&app, "r.csv", text.as_bytes())));
    assert_eq!(p, vec![(Some(2), "relation".into(), "no_head".into())]);
}

fn a_duplicate_county_year_is_reported_beside_another_error(db: &TestDb) {
    let app = open(db);
    let text = format!("{STATS_HEADER}2014,{ZHOUQU},abc,\n2014,{ZHOUQU},1000,\n");
    let p = problems(&invalid(statistics(&app, "s.csv", text.as_bytes())));
    assert_eq!(
        p,
        vec![
            (
                Some(2),
                "rural_population".into(),
                "not_positive_integer".into()
            ),
            (Some(3), "area_code".into(), "duplicate_key".into()),
        ]
    );
}

const FORMULAS: [&str; 4] = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3"];

fn formulas_are_neutralised_in_exports_and_rejects_and_read_back(db: &TestDb) {
    let app = open(db);
    let mut text = String::from(HEADER);
    for (k, name) in FORMULAS.iter().enumerate() {
        let rel = if k == 0 { "户主" } else { "子女" };
        text += &row("H1", &id("19700101", k as u32 + 1), name, rel, "100");
    }
    import(&app, "r.csv", text.as_bytes()).unwrap();
    let table = app.export_registry(&office(), 2014, Some(ZHOUQU)).unwrap();
    let csv = String::from_utf8(table_bytes("x.csv", &table).unwrap()).unwrap();
    for name in FORMULAS {
        assert!(
            csv.contains(&format!("'{name}")),
            "{name} neutralised in {csv}"
        );
        let bare = format!(",{name}", name = name.replace('"', "\"\""));
        assert!(!csv.contains(&bare), "{name} written bare");
    }
    // The export imports back as it was.
    import(&app, "x.csv", csv.as_bytes()).unwrap();
    let again = app.export_registry(&office(), 2014, Some(ZHOUQU)).unwrap();
    assert_eq!(again.rows, table.rows);
    let names: Vec<&str> = again.rows.iter().map(|(_, r)| r[4].as_str()).collect();
    for name in FORMULAS {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    // The rejects file too.
    let bad = format!("{HEADER}{}", row("H9", "=1+1", "@x", "户主", "100"));
    let r = app
        .import_registry(
            &office(),
            "r.csv",
            bad.as_bytes(),
            ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
            &|_, _, _| {},
        )
        .unwrap();
    let rejects = String::from_utf8(r.rejects.unwrap().csv().unwrap()).unwrap();
    assert!(rejects.contains(",'=1+1,'@x,"), "{rejects}");
}

fn a_declared_encoding_that_does_not_fit_is_refused(db: &TestDb) {
    let app = open(db);
    let text = format!(
        "{HEADER}{}",
        row("H1", &id("19700101", 1), "赵六", "户主", "100")
    );
    let opts = |e| ImportOptions {
        encoding: Some(e),
        ..Default::default()
    };
    let gbk = app.import_registry(
        &office(),
        "r.csv",
        text.as_bytes(),
        opts(Encoding::Gbk),
        &|_, _, _| {},
    );
    assert_eq!(file_code(gbk), "encoding_mismatch");
    assert_eq!(members(&app), 0, "nothing imported as 璧靛叚");
    let utf8 = app.import_registry(
        &office(),
        "r.csv",
        text.as_bytes(),
        opts(Encoding::Utf8),
        &|_, _, _| {},
    );
    assert_eq!(utf8.unwrap().members, 1);
}

fn members(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) FROM members")
}

fn future_births_and_invisible_names_are_refused(db: &TestDb) {
    let app = open(db);
    let next_year = dingdian_core::time::today().year_ce().1 + 1;
    let future = id(&format!("{next_year}0101"), 1);
    let text = format!(
        "{HEADER}{}{}{}",
        row("H1", &future, "甲", "户主", "100"),
        row("H2", &id("19700101", 2), "\u{200B}", "户主", "100"),
        row("H3", &id("19700101", 3), "张\u{202E}三", "户主", "100"),
    );
    let p = problems(&invalid(import(&app, "r.csv", text.as_bytes())));
    assert_eq!(
        p,
        vec![
            (Some(2), "id_number".into(), "id_birth_future".into()),
            (Some(3), "name".into(), "invisible_only".into()),
            (Some(4), "name".into(), "direction_control".into()),
        ]
    );
    assert_eq!(members(&app), 0);
}

use chrono::Datelike;

both_backends!(
    xlsx_far_apart_cells_are_refused_by_every_xlsx_importer,
    an_xlsx_zip_bomb_is_refused_before_it_is_inflated,
    excel_numbers_in_code_columns_are_named_as_such,
    a_refused_head_row_is_not_also_a_household_without_head,
    a_duplicate_county_year_is_reported_beside_another_error,
    formulas_are_neutralised_in_exports_and_rejects_and_read_back,
    a_declared_encoding_that_does_not_fit_is_refused,
    future_births_and_invisible_names_are_refused,
);

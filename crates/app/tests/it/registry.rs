//! The registry import and what comes out of it: every file-level rule,
//! all-or-nothing and skip-invalid, re-import, encodings and xlsx, sealed
//! personal data, masking, and indicators computed by hand — on both
//! backends.

use crate::common;

use common::*;
use dingdian_app::indicators::IndicatorQuery;
use dingdian_app::registry::{ImportOptions, ImportReport};
use dingdian_app::tabular::{self, Cell};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::area::Level;
use dingdian_core::registry::check_digit;
use dingdian_testkit::{TestDb, both_backends};

const VILLAGE: &str = "623023100200";
const HEBEI_VILLAGE: &str = "130125100001";

/// A valid ID number of someone from `county` born on `date` (YYYYMMDD).
fn id(county: &str, date: &str, seq: u32) -> String {
    let first = format!("{county}{date}{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

/// An ID number whose check digit is wrong.
fn bad_id(county: &str, date: &str, seq: u32) -> String {
    let good = id(county, date, seq);
    let wrong = if good.ends_with('1') { '2' } else { '1' };
    format!("{}{wrong}", &good[..17])
}

const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";

/// Two Zhouqu households of 2014: H1 poor (3 people, 2000 yuan), H2 exited
/// (2 people, 3500 yuan); line 2014 = 2800.
/// The head of H1 in `small_file`: a name found nowhere else in the
/// tests or the demo, so that finding it in the database's files (which,
/// on a shared PostgreSQL cluster, hold other tests' data too, e.g. the
/// demo's seconded cadres, named in the clear) can only mean a leak.
const HEAD_NAME: &str = "欧阳建国";

fn small_file() -> String {
    let mut s = String::from(HEADER);
    s += &format!(
        "2014,{VILLAGE},H1,{},{HEAD_NAME},户主,2000,未脱贫,2014,,因病\n",
        id(ZHOUQU, "19700101", 11)
    );
    s += &format!(
        "2014,{VILLAGE},H1,{},李秀英,配偶,2000,未脱贫,2014,,因病\n",
        id(ZHOUQU, "19720305", 22)
    );
    s += &format!(
        "2014,{VILLAGE},H1,{},王明,子女,2000,未脱贫,2014,,因病\n",
        id(ZHOUQU, "20000610", 33)
    );
    s += &format!(
        "2014,{VILLAGE},H2,{},张强,户主,3500,已脱贫,2013,2014,缺资金\n",
        id(ZHOUQU, "19650707", 45)
    );
    s += &format!(
        "2014,{VILLAGE},H2,{},张红,子女,3500,已脱贫,2013,2014,缺资金\n",
        id(ZHOUQU, "19951111", 56)
    );
    s
}

fn import(
    app: &App,
    name: &str,
    text: &[u8],
    opts: ImportOptions,
) -> Result<ImportReport, AppError> {
    app.import_registry(&office(), name, text, opts, &|_, _, _| {})
}

fn members(app: &App) -> i64 {
    count(app, "SELECT COUNT(*) FROM members")
}

fn a_valid_file_imports_and_a_reimport_replaces(db: &TestDb) {
    let app = open(db);
    let r = import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!((r.households, r.members, r.rejected), (2, 5, 0));
    // The same file again: nothing duplicated.
    import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(members(&app), 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM households"), 2);
    // A corrected file replaces the household's record.
    let changed = small_file().replace(",2000,", ",2100,");
    import(&app, "r.csv", changed.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT income_fen FROM households WHERE household_id = 'H1'"
        ),
        210_000
    );
    assert_eq!(members(&app), 5);
}

fn indicators_of_a_small_county_match_a_hand_computation(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let stats = "year,area_code,rural_population,rural_income_per_capita\n2014,623023,100,4675\n2013,623023,100,4000\n";
    app.import_statistics(
        &office(),
        "s.csv",
        stats.as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let q = IndicatorQuery {
        area: Some(ZHOUQU.into()),
        year: Some(2014),
        level: Some(Level::County),
        ..Default::default()
    };
    let rows = app.indicators(&office(), &q).unwrap();
    assert_eq!(rows.len(), 1);
    let i = &rows[0].indicators;
    assert_eq!(rows[0].area_name, "舟曲县");
    assert_eq!((i.registered_population, i.registered_households), (5, 2));
    assert_eq!(
        (
            i.poor_population,
            i.exited_population,
            i.returned_population
        ),
        (3, 2, 0)
    );
    assert_eq!(i.rural_population, Some(100));
    // 100 × 3 / 100.
    assert!((i.poverty_incidence.unwrap() - 3.0).abs() < 1e-9);
    // returned / (exited + returned) = 0 / 2.
    assert_eq!(i.return_rate, Some(0.0));
    // (3 × 2000 + 2 × 3500) / 5 = 2600.
    assert!((i.mean_income.unwrap() - 2600.0).abs() < 1e-9);
    // Line 2800: three below. fgt1 = 3 × (1 − 2000/2800) / 5 = 0.171428…
    assert!((i.fgt0.unwrap() - 0.6).abs() < 1e-12);
    assert!((i.fgt1.unwrap() - 3.0 * (1.0 - 2000.0 / 2800.0) / 5.0).abs() < 1e-12);
    assert!((i.fgt2.unwrap() - 3.0 * (1.0 - 2000.0 / 2800.0_f64).powi(2) / 5.0).abs() < 1e-12);
    assert_eq!(i.rural_income_per_capita, Some(4675.0));
    assert!((i.rural_income_growth.unwrap() - 100.0 * (4675.0 / 4000.0 - 1.0)).abs() < 1e-9);
    // Western county: 3.0 is not below 3.0.
    assert_eq!(i.exit_eligible, Some(false));
    // Above the county: the province and the nation add counts.
    let province = app
        .indicators(
            &office(),
            &IndicatorQuery {
                year: Some(2014),
                level: Some(Level::Province),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(province[0].area_code.as_deref(), Some("62"));
    assert_eq!(
        province[0].indicators.exit_eligible, None,
        "the exit check is for counties only"
    );
    let nation = app
        .indicators(
            &office(),
            &IndicatorQuery {
                year: Some(2014),
                level: Some(Level::Nation),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(nation[0].area_code, None);
    assert_eq!(nation[0].area_name, "全国");
    // A village level row has no statistics: incidence null, never 0.
    let village = app
        .indicators(
            &office(),
            &IndicatorQuery {
                area: Some(ZHOUQU.into()),
                year: Some(2014),
                level: Some(Level::Village),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(village[0].area_code.as_deref(), Some(VILLAGE));
    assert_eq!(village[0].indicators.poverty_incidence, None);
    assert_eq!(village[0].indicators.poor_population, 3);
}

fn one_bad_row_writes_nothing_and_every_problem_is_reported(db: &TestDb) {
    let app = open(db);
    let mut text = small_file();
    text += &format!(
        "2014,{VILLAGE},H3,{},赵六,户主,-5,未脱贫,2014,,因病\n",
        id(ZHOUQU, "19800101", 77)
    );
    text += &format!(
        "2014,{VILLAGE},H4,{},钱七,户主,100,未脱贫,2014,,因病\n",
        bad_id(ZHOUQU, "19800101", 77)
    );
    text += &format!(
        "2014,999999000000,H5,{},孙八,户主,100,未脱贫,2014,,因病\n",
        id(ZHOUQU, "19800101", 88)
    );
    let errs = invalid(import(
        &app,
        "r.csv",
        text.as_bytes(),
        ImportOptions::default(),
    ));
    let got: Vec<(Option<usize>, &str, &str)> = errs
        .iter()
        .map(|e| (e.row, e.field.as_str(), e.msg.code.as_str()))
        .collect();
    assert!(
        got.contains(&(Some(7), "income_per_capita", "negative_income")),
        "{got:?}"
    );
    assert!(
        got.contains(&(Some(8), "id_number", "id_check_digit")),
        "{got:?}"
    );
    assert!(
        got.contains(&(Some(9), "village_code", "unknown_county")),
        "{got:?}"
    );
    assert_eq!(members(&app), 0, "all or nothing");
}

fn skip_invalid_imports_the_valid_households_and_returns_the_rejects(db: &TestDb) {
    let app = open(db);
    let mut text = small_file();
    // H3's head has a broken ID number: the whole household falls out.
    text += &format!(
        "2014,{VILLAGE},H3,{},赵六,户主,100,未脱贫,2014,,因病\n",
        bad_id(ZHOUQU, "19800101", 77)
    );
    text += &format!(
        "2014,{VILLAGE},H3,{},赵七,子女,100,未脱贫,2014,,因病\n",
        id(ZHOUQU, "20050101", 99)
    );
    let opts = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let r = import(&app, "r.csv", text.as_bytes(), opts).unwrap();
    assert_eq!((r.households, r.members, r.rejected), (2, 5, 2));
    let rejects = r.rejects.expect("a rejects table");
    assert_eq!(
        rejects.headers.last().map(String::as_str),
        Some("错误/error")
    );
    assert_eq!(rejects.rows.len(), 2);
    assert_eq!(
        rejects.rows[0][3],
        bad_id(ZHOUQU, "19800101", 77),
        "rows come back unchanged"
    );
    assert!(
        rejects.rows.iter().all(|r| !r.last().unwrap().is_empty()),
        "each rejected row says why"
    );
    assert_eq!(members(&app), 5);
}

/// The rejects file speaks one language, the importing user's: no cell
/// holds "中文 / English" side by side.
fn the_rejects_file_speaks_the_importing_users_language(db: &TestDb) {
    let app = open(db);
    let mut text = small_file();
    text += &format!(
        "2014,{VILLAGE},H3,{},赵六,户主,100,未脱贫,2014,,因病\n",
        bad_id(ZHOUQU, "19800101", 77)
    );
    text += &format!(
        "2014,{VILLAGE},H3,{},赵七,子女,100,未脱贫,2014,,因病\n",
        id(ZHOUQU, "20050101", 99)
    );
    let opts = ImportOptions {
        skip_invalid: true,
        dry_run: true,
        ..Default::default()
    };
    let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let has_latin_word = |s: &str| {
        s.split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() >= 3)
    };
    for lang in ["zh", "en"] {
        let actor = Actor {
            lang: lang.into(),
            ..office()
        };
        let r = app
            .import_registry(&actor, "r.csv", text.as_bytes(), opts, &|_, _, _| {})
            .unwrap();
        let rejects = r.rejects.expect("a rejects table");
        // The column's name is the one registry-format.md gives, in both
        // languages; what its cells say is in the importer's language.
        assert_eq!(rejects.headers.last().unwrap(), "错误/error");
        let cells: Vec<&str> = rejects
            .rows
            .iter()
            .map(|r| r.last().unwrap().as_str())
            .collect();
        assert_eq!(cells.len(), 2, "{cells:?}");
        for cell in cells {
            // The file's own values, quoted “…”, are data and stay as sent.
            let words: String = cell
                .split('“')
                .map(|part| part.split_once('”').map_or(part, |(_, rest)| rest))
                .collect();
            let cell = words.as_str();
            if lang == "zh" {
                assert!(has_cjk(cell) && !has_latin_word(cell), "{lang}: {cell:?}");
            } else {
                assert!(!has_cjk(cell) && has_latin_word(cell), "{lang}: {cell:?}");
            }
        }
    }
}

fn a_person_registered_in_another_county_the_same_year_is_refused(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let someone = id(ZHOUQU, "19700101", 11);
    let other =
        format!("{HEADER}2014,{HEBEI_VILLAGE},X1,{someone},王建国,户主,1000,未脱贫,2014,,因病\n");
    let errs = invalid(import(
        &app,
        "hebei.csv",
        other.as_bytes(),
        ImportOptions::default(),
    ));
    assert_eq!(errs[0].msg.code, "duplicate_registration");
    assert_eq!(errs[0].row, Some(2));
    assert!(
        !errs[0].value.contains("19700101"),
        "the error does not repeat the full ID number"
    );
    assert_eq!(members(&app), 5);
    // The same person in another year is fine.
    let next_year = other
        .replace("\n2014,", "\n2015,")
        .replace(",2014,,", ",2015,,");
    import(
        &app,
        "hebei.csv",
        next_year.as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(members(&app), 6);
}

fn duplicates_within_a_file_are_refused(db: &TestDb) {
    let app = open(db);
    let dup = id(ZHOUQU, "19700101", 11);
    let text = format!(
        "{HEADER}2014,{VILLAGE},A,{dup},甲,户主,100,未脱贫,2014,,因病\n2014,{VILLAGE},B,{},乙,户主,100,未脱贫,2014,,因病\n",
        dup.to_lowercase()
    );
    let errs = invalid(import(
        &app,
        "r.csv",
        text.as_bytes(),
        ImportOptions::default(),
    ));
    assert_eq!(
        (errs[0].row, errs[0].msg.code.as_str()),
        (Some(3), "duplicate_id")
    );
}

fn dry_run_checks_everything_and_writes_nothing(db: &TestDb) {
    let app = open(db);
    let r = import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((r.households, r.members), (2, 5));
    assert!(r.dry_run);
    assert_eq!(members(&app), 0);
}

fn gbk_csv_and_xlsx_import_like_utf8(db: &TestDb) {
    let app = open(db);
    let utf8 = small_file();
    let (gbk, _, _) = encoding_rs::GBK.encode(&utf8);
    assert_eq!(
        import(&app, "gbk.csv", &gbk, ImportOptions::default())
            .unwrap()
            .members,
        5
    );
    // The same data as xlsx (another year, so it adds).
    let text = small_file().replace("2014,", "2015,");
    let mut lines = text.lines();
    let headers: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows: Vec<Vec<Cell>> = lines
        .map(|l| l.split(',').map(|c| Cell::Text(c.to_string())).collect())
        .collect();
    let xlsx = tabular::write_xlsx("registry", &headers, &rows).unwrap();
    assert_eq!(
        import(&app, "r.xlsx", &xlsx, ImportOptions::default())
            .unwrap()
            .members,
        5
    );
    assert_eq!(members(&app), 10);
}

fn bad_files_are_refused_with_a_reason(db: &TestDb) {
    let app = open(db);
    let code = |r: Result<ImportReport, AppError>| invalid(r)[0].msg.code.clone();
    assert_eq!(
        code(import(&app, "r.csv", b"", ImportOptions::default())),
        "empty_file"
    );
    assert_eq!(
        code(import(&app, "r.pdf", b"%PDF", ImportOptions::default())),
        "bad_file_type"
    );
    let unknown = small_file().replacen("主要致贫原因", "主要致贫原因,颜色", 1);
    assert_eq!(
        code(import(
            &app,
            "r.csv",
            unknown.as_bytes(),
            ImportOptions::default()
        )),
        "unknown_column"
    );
    let missing = "年度,村级区划代码\n2014,623023100200\n";
    assert_eq!(
        code(import(
            &app,
            "r.csv",
            missing.as_bytes(),
            ImportOptions::default()
        )),
        "missing_column"
    );
    assert_eq!(
        code(import(
            &app,
            "r.csv",
            HEADER.as_bytes(),
            ImportOptions::default()
        )),
        "no_rows"
    );
    assert_eq!(members(&app), 0);
}

fn id_numbers_and_names_are_sealed_and_masked_for_roles_not_entitled(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let head = id(ZHOUQU, "19700101", 11);
    // Only ciphertext in the table.
    let stored: Vec<Vec<u8>> = app
        .store()
        .read(|c| {
            Ok::<_, dingdian_store::StoreError>(
                c.query("SELECT id_cipher, name_cipher FROM members", &[])?
                    .iter()
                    .map(|r| Ok(vec![r.get("id_cipher")?, r.get("name_cipher")?]))
                    .collect::<Result<Vec<Vec<Vec<u8>>>, _>>()?
                    .concat(),
            )
        })
        .unwrap();
    for blob in &stored {
        assert!(
            !blob.windows(head.len()).any(|w| w == head.as_bytes()),
            "no ID number in the clear"
        );
        assert!(
            !blob
                .windows(HEAD_NAME.len())
                .any(|w| w == HEAD_NAME.as_bytes()),
            "no name in the clear"
        );
    }
    // Nor in the files on disk: SQLite's file and log, PostgreSQL's
    // database folder and log.
    // (A PostgreSQL server the testkit did not start keeps its files to itself.)
    let files = db.files().unwrap_or_default();
    assert!(
        !files.is_empty() || std::env::var_os("DINGDIAN_TEST_POSTGRES").is_some(),
        "the database's files are found"
    );
    for path in files {
        let file = std::fs::read(&path).unwrap();
        assert!(
            !file.windows(head.len()).any(|w| w == head.as_bytes()),
            "no ID number in the clear in {}",
            path.display()
        );
        assert!(
            !file
                .windows(HEAD_NAME.len())
                .any(|w| w == HEAD_NAME.as_bytes()),
            "no name in the clear in {}",
            path.display()
        );
    }
    let inspector = user(&app, "insp", "inspector", None, None);
    // An inspector sees masked numbers, reason or not.
    let card = app
        .household_card(&inspector, 2014, "H1", Some("督查"))
        .unwrap();
    assert_eq!(
        card.members[0].id_number,
        format!("{}********{}", &head[..6], &head[14..])
    );
    assert_eq!(card.members[0].name, HEAD_NAME);
    assert!(!card.id_numbers_in_full);
    assert!(!card.may_reveal);
    // The office sees them masked too until it gives a reason; a blank
    // reason is no reason.
    let before = audit_rows(&app);
    for reason in [None, Some("  ")] {
        let masked = app.household_card(&office(), 2014, "H1", reason).unwrap();
        assert_ne!(masked.members[0].id_number, head);
        assert!(!masked.id_numbers_in_full && masked.may_reveal);
    }
    assert_eq!(
        audit_rows(&app),
        before,
        "nothing disclosed, nothing audited"
    );
    let full = app
        .household_card(
            &office(),
            2014,
            "H1",
            Some("核实低保资格 / checking eligibility"),
        )
        .unwrap();
    assert_eq!(full.members[0].id_number, head);
    assert!(full.id_numbers_in_full);
    assert_eq!(audit_rows(&app), before + 1, "a full disclosure is audited");
    assert_eq!(last_audit_action(&app), "registry.disclose");
    let detail = app
        .store()
        .read(|c| c.query_one("SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1", &[]))
        .unwrap()
        .unwrap()
        .get::<String>("detail")
        .unwrap();
    assert!(
        detail.contains("核实低保资格 / checking eligibility"),
        "the reason is in the record: {detail}"
    );
    // Exact search by ID number finds the registration.
    assert_eq!(
        app.find_by_id_number(&inspector, &head).unwrap(),
        vec![(2014, "H1".to_string())]
    );
    // A unit manager reads no personal data at all.
    let u = unit(&app, "某单位");
    let unit_user = user(&app, "unit1", "unit", Some(u), None);
    expect_forbidden(app.household_card(&unit_user, 2014, "H1", None));
}

fn a_county_officer_imports_only_its_own_county(db: &TestDb) {
    let app = open(db);
    let officer = user(&app, "hebei", "county", None, Some(XINGTANG));
    let errs = invalid(app.import_registry(
        &officer,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
        &|_, _, _| {},
    ));
    assert!(
        errs.iter().all(|e| e.msg.code == "outside_scope"),
        "{errs:?}"
    );
    let zhouqu_officer = user(&app, "zq", "county", None, Some(ZHOUQU));
    app.import_registry(
        &zhouqu_officer,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
        &|_, _, _| {},
    )
    .unwrap();
    // And sees only its own county's households.
    assert_eq!(
        app.list_households(
            &zhouqu_officer,
            &Default::default(),
            dingdian_app::Page::all()
        )
        .unwrap()
        .1,
        2
    );
    assert_eq!(
        app.list_households(&officer, &Default::default(), dingdian_app::Page::all())
            .unwrap()
            .1,
        0
    );
}

fn the_demo_gives_the_seed_case_figures(db: &TestDb) {
    let app = open(db);
    app.load_demo().unwrap();
    let q = IndicatorQuery {
        area: Some(ZHOUQU.into()),
        level: Some(Level::County),
        ..Default::default()
    };
    let rows = app.indicators(&office(), &q).unwrap();
    let year = |y: i32| {
        rows.iter()
            .find(|r| r.year == y)
            .map(|r| r.indicators.clone())
            .unwrap()
    };
    assert_eq!(year(2011).rural_income_per_capita, Some(3046.0));
    assert_eq!(year(2014).rural_income_per_capita, Some(4675.0));
    let growth = dingdian_core::indicators::compound_growth(3046.0, 2011, 4675.0, 2014).unwrap();
    assert!((growth - 15.3).abs() < 0.05, "about 15 % a year: {growth}");
    assert_eq!(year(2012).poor_population, 45_000);
    assert_eq!(
        format!("{:.1}", year(2012).poverty_incidence.unwrap()),
        "32.9"
    );
    assert_eq!(year(2014).poor_population, 21_700);
    assert_eq!(
        format!("{:.1}", year(2014).poverty_incidence.unwrap()),
        "15.9"
    );
    for y in 2013..=2016 {
        assert!(
            year(y).return_rate.unwrap() < 10.0,
            "return rate under 10 % in {y}"
        );
    }
}

fn a_household_number_of_another_county_is_not_replaced(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    // Hebei's file reuses Zhouqu's household number H1.
    let other = format!(
        "{HEADER}2014,{HEBEI_VILLAGE},H1,{},周平,户主,1000,未脱贫,2014,,因病\n",
        id(XINGTANG, "19800101", 12)
    );
    let errs = invalid(import(
        &app,
        "hebei.csv",
        other.as_bytes(),
        ImportOptions::default(),
    ));
    assert_eq!(errs[0].msg.code, "household_in_other_county");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM members WHERE household_id = 'H1'"
        ),
        3,
        "Zhouqu's household is intact"
    );
}

fn another_process_import_is_seen_by_a_running_snapshot(db: &TestDb) {
    let reader = open(db);
    let q = IndicatorQuery {
        level: Some(Level::Nation),
        ..Default::default()
    };
    assert!(reader.indicators(&office(), &q).unwrap().is_empty());
    // A second App on the same database (as a CLI or another server would be).
    let writer = open(db);
    import(
        &writer,
        "r.csv",
        small_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let rows = reader.indicators(&office(), &q).unwrap();
    assert_eq!(
        rows[0].indicators.registered_population, 5,
        "the reader's snapshot noticed the other import"
    );
}

both_backends!(
    a_household_number_of_another_county_is_not_replaced,
    another_process_import_is_seen_by_a_running_snapshot,
    a_valid_file_imports_and_a_reimport_replaces,
    indicators_of_a_small_county_match_a_hand_computation,
    one_bad_row_writes_nothing_and_every_problem_is_reported,
    skip_invalid_imports_the_valid_households_and_returns_the_rejects,
    the_rejects_file_speaks_the_importing_users_language,
    a_person_registered_in_another_county_the_same_year_is_refused,
    duplicates_within_a_file_are_refused,
    dry_run_checks_everything_and_writes_nothing,
    gbk_csv_and_xlsx_import_like_utf8,
    bad_files_are_refused_with_a_reason,
    id_numbers_and_names_are_sealed_and_masked_for_roles_not_entitled,
    a_county_officer_imports_only_its_own_county,
    the_demo_gives_the_seed_case_figures,
);

//! The optional extended registry fields, the rejects file of import jobs,
//! statistics with skip-invalid and the import error shape — on both
//! backends: what is stored comes back on the card, in the export (a
//! lossless round trip) and as a slice of the snapshot; bad cells are named
//! by row and column; a rejects file goes only to who may follow the job.

use crate::common;

use common::*;
use dingdian_app::indicators::IndicatorQuery;
use dingdian_app::registry::{ImportOptions, ImportReport, table_bytes};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::area::Level;
use dingdian_core::registry::{
    Cause, Education, Health, HouseholdType, LabourSkill, MigrantWork, check_digit,
};
use dingdian_store::analytics::Slice;
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    extended_fields_are_stored_shown_and_exported_losslessly,
    a_file_without_extended_columns_exports_the_contract_columns_only,
    bad_extended_cells_are_named_by_row_and_column,
    indicators_slice_by_household_type,
    statistics_skip_invalid_imports_the_valid_rows_and_returns_the_rejects,
    an_import_jobs_rejects_file_goes_only_to_who_may_follow_the_job,
    job_results_carry_the_interfaces_error_shape,
    health_is_seen_only_by_roles_that_read_the_registry,
);

const VILLAGE: &str = "623023100200";

fn id(date: &str, seq: u32) -> String {
    let first = format!("{ZHOUQU}{date}{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因";
const EXT_HEADER: &str = "户类型,其他致贫原因,工资性收入,生产经营性收入,财产性收入,转移性收入,不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障,健康状况,文化程度,劳动技能,务工状况";

/// 2014: H1 a subsistence household of 3 (every extended field given),
/// H2 a general household of 2 (some given), H3 of 1 without any.
fn extended_file() -> String {
    let h1 = "低保贫困户,\"缺资金、因学\",12000,3500.5,,800.25,是,是,否,是,否,是";
    let h2 = "一般贫困户,,6000,,,,是,是,是,是,是,";
    let h3 = ",,,,,,,,,,,";
    let mut s = format!("{HEADER},{EXT_HEADER}\n");
    s += &format!(
        "2014,{VILLAGE},H1,{},王建国,户主,2000,未脱贫,2014,,因病,{h1},长期慢性病,初中,普通劳动力,省外务工\n",
        id("19700101", 11)
    );
    s += &format!(
        "2014,{VILLAGE},H1,{},李秀英,配偶,2000,未脱贫,2014,,因病,{h1},患有大病,小学,弱劳动力或半劳动力,未务工\n",
        id("19720305", 22)
    );
    s += &format!(
        "2014,{VILLAGE},H1,{},王明,子女,2000,未脱贫,2014,,因病,{h1},健康,学龄前儿童,,\n",
        id("20100610", 33)
    );
    s += &format!(
        "2014,{VILLAGE},H2,{},张强,户主,3500,已脱贫,2013,2014,缺资金,{h2},健康,高中,技能劳动力,县内务工\n",
        id("19650707", 45)
    );
    s += &format!(
        "2014,{VILLAGE},H2,{},张红,子女,3500,已脱贫,2013,2014,缺资金,{h2},,大专及以上,普通劳动力,省内务工\n",
        id("19951111", 56)
    );
    s += &format!(
        "2014,{VILLAGE},H3,{},赵六,户主,1500,未脱贫,2014,,缺水,{h3},,,,\n",
        id("19500101", 67)
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

fn export_csv(app: &App) -> String {
    let t = app.export_registry(&office(), 2014, Some(ZHOUQU)).unwrap();
    String::from_utf8(table_bytes("x.csv", &t).unwrap()).unwrap()
}

/// Every stored row, with its extended fields, in a stable order.
fn stored(app: &App) -> Vec<String> {
    let mut rows: Vec<String> = app
        .store()
        .read(|c| {
            c.query(
                "SELECT h.household_id, h.household_type, h.other_causes, h.wage_income_fen, h.business_income_fen, \
                 h.property_income_fen, h.transfer_income_fen, h.food_secure, h.clothing_secure, h.education_secure, \
                 h.medical_secure, h.housing_secure, h.water_secure, m.birth_year, m.health, m.education, m.labour_skill, m.migrant_work \
                 FROM members m JOIN households h ON h.year = m.year AND h.household_id = m.household_id \
                 ORDER BY h.household_id, m.birth_year",
                &[],
            )
        })
        .unwrap()
        .iter()
        .map(|r| {
            let codes = [
                "household_type", "other_causes", "wage_income_fen", "business_income_fen",
                "property_income_fen", "transfer_income_fen", "food_secure", "clothing_secure",
                "education_secure", "medical_secure", "housing_secure", "water_secure",
                "birth_year", "health", "education", "labour_skill", "migrant_work",
            ]
            .map(|c| {
                let v: Option<i64> = r.get(c).unwrap();
                v.map_or_else(|| "∅".into(), |v| v.to_string())
            });
            let id: String = r.get("household_id").unwrap();
            format!("{id}|{}", codes.join("|"))
        })
        .collect();
    rows.sort();
    rows
}

fn extended_fields_are_stored_shown_and_exported_losslessly(db: &TestDb) {
    let app = open(db);
    let r = import(
        &app,
        "ext.csv",
        extended_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!((r.households, r.members, r.rejected), (3, 6, 0));

    // The card shows the household's and the members' fields.
    let card = app.household_card(&office(), 2014, "H1", None).unwrap();
    let x = &card.household.extended;
    assert_eq!(x.household_type, Some(HouseholdType::Subsistence));
    assert_eq!(x.other_causes, vec![Cause::Schooling, Cause::Capital]);
    assert_eq!(
        (
            x.wage_income,
            x.business_income,
            x.property_income,
            x.transfer_income
        ),
        (Some(12000.0), Some(3500.5), None, Some(800.25))
    );
    assert_eq!(
        [
            x.food_secure,
            x.clothing_secure,
            x.education_secure,
            x.medical_secure,
            x.housing_secure,
            x.water_secure
        ],
        [
            Some(true),
            Some(true),
            Some(false),
            Some(true),
            Some(false),
            Some(true)
        ]
    );
    let head = card
        .members
        .iter()
        .find(|m| m.birth_year == 1970)
        .expect("the head");
    assert_eq!(
        (
            head.health,
            head.education,
            head.labour_skill,
            head.migrant_work
        ),
        (
            Some(Health::ChronicIllness),
            Some(Education::JuniorSecondary),
            Some(LabourSkill::Ordinary),
            Some(MigrantWork::OutOfProvince)
        )
    );
    let child = card.members.iter().find(|m| m.birth_year == 2010).unwrap();
    assert_eq!(
        (child.labour_skill, child.migrant_work),
        (None, None),
        "empty stays empty"
    );
    let h3 = app.household_card(&office(), 2014, "H3", None).unwrap();
    assert_eq!(h3.household.extended.household_type, None);
    assert!(h3.household.extended.other_causes.is_empty());

    // The export carries every extended column, in the import format …
    let first = export_csv(&app);
    let header = first.lines().next().unwrap();
    assert_eq!(header, format!("{HEADER},{EXT_HEADER}"));
    assert!(first.contains("低保贫困户,缺资金、因学") || first.contains("低保贫困户,因学、缺资金"));
    let before = stored(&app);

    // … and importing the export into an empty database gives the same
    // rows back: nothing is lost on the way.
    let other = TestDb::sqlite();
    let app2 = open(&other);
    let r = import(
        &app2,
        "export.csv",
        first.as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!((r.households, r.members), (3, 6));
    assert_eq!(stored(&app2), before, "the round trip is lossless");
    assert_eq!(export_csv(&app2), first, "and exports the same file");
    // Re-importing into the same database replaces, field for field.
    import(
        &app,
        "again.csv",
        first.as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(stored(&app), before);
}

fn a_file_without_extended_columns_exports_the_contract_columns_only(db: &TestDb) {
    let app = open(db);
    let text = format!(
        "{HEADER}\n2014,{VILLAGE},H9,{},周一,户主,1000,未脱贫,2014,,缺水\n",
        id("19600101", 11)
    );
    import(&app, "plain.csv", text.as_bytes(), ImportOptions::default()).unwrap();
    let out = export_csv(&app);
    assert_eq!(out.lines().next().unwrap(), HEADER);
    assert_eq!(out.lines().nth(1).unwrap().split(',').count(), 11);
    // Nothing extended was stored: NULL, not zero or "no".
    assert_eq!(
        stored(&app)[0],
        format!("H9|{}|1960|∅|∅|∅|∅", ["∅"; 12].join("|"))
    );
    // Optional columns may also stand in the header of a file that leaves
    // them empty, in any order, by their English names.
    let text = format!(
        "health,{},household_type\n,2014,{VILLAGE},H9,{},周一,户主,1000,未脱贫,2014,,缺水,\n",
        "year,village_code,household_id,id_number,name,relation,income_per_capita,status,identified_year,exit_year,cause",
        id("19600101", 11)
    );
    import(&app, "en.csv", text.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(export_csv(&app), out);
}

fn bad_extended_cells_are_named_by_row_and_column(db: &TestDb) {
    let app = open(db);
    let mut text = format!(
        "{HEADER},户类型,其他致贫原因,转移性收入,饮水安全有保障,健康状况,文化程度,劳动技能,务工状况\n"
    );
    text += &format!(
        "2014,{VILLAGE},H1,{},王一,户主,2000,未脱贫,2014,,因病,困难户,因病,-5,有,小病,博士,强,国外\n",
        id("19700101", 11)
    );
    text += &format!(
        "2014,{VILLAGE},H2,{},王二,户主,2000,未脱贫,2014,,因病,低保贫困户,缺水,100.123,是,健康,小学,普通劳动力,未务工\n",
        id("19700101", 22)
    );
    // H3's two rows disagree on the household type and the income.
    text += &format!(
        "2014,{VILLAGE},H3,{},王三,户主,2000,未脱贫,2014,,因病,低保贫困户,,100,是,,,,\n",
        id("19700101", 33)
    );
    text += &format!(
        "2014,{VILLAGE},H3,{},王四,配偶,2000,未脱贫,2014,,因病,一般贫困户,,200,是,,,,\n",
        id("19700101", 44)
    );
    let errs = invalid(import(
        &app,
        "bad.csv",
        text.as_bytes(),
        ImportOptions::default(),
    ));
    let got: Vec<(Option<usize>, &str, &str, &str)> = errs
        .iter()
        .map(|e| {
            (
                e.row,
                e.field.as_str(),
                e.value.as_str(),
                e.msg.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some(2),
                "household_type",
                "困难户",
                "unknown_household_type"
            ),
            (Some(2), "other_causes", "因病", "other_cause_is_main"),
            (Some(2), "transfer_income", "-5", "negative_income"),
            (Some(2), "water_secure", "有", "not_a_flag"),
            (Some(2), "health", "小病", "unknown_health"),
            (Some(2), "education", "博士", "unknown_education"),
            (Some(2), "labour_skill", "强", "unknown_labour_skill"),
            (Some(2), "migrant_work", "国外", "unknown_migrant_work"),
            (Some(3), "transfer_income", "100.123", "too_many_decimals"),
            (
                Some(5),
                "household_type",
                "一般贫困户",
                "household_mismatch"
            ),
            (Some(5), "transfer_income", "200.00", "household_mismatch"),
        ]
    );
    // Messages in both languages, naming what is allowed.
    assert!(
        errs[0]
            .msg
            .zh
            .contains("一般贫困户、低保贫困户、特困供养贫困户")
    );
    assert!(
        errs[0]
            .msg
            .en
            .contains("general, subsistence, five_guarantees")
    );
    assert!(errs[3].msg.zh.contains("是") && errs[3].msg.en.contains("1 or 0"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM members"),
        0,
        "nothing written"
    );
}

fn indicators_slice_by_household_type(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "ext.csv",
        extended_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let people = |household_type: Option<u8>| {
        let rows = app
            .indicators(
                &office(),
                &IndicatorQuery {
                    area: Some(ZHOUQU.into()),
                    year: Some(2014),
                    level: Some(Level::County),
                    slice: Slice {
                        household_type,
                        ..Default::default()
                    },
                },
            )
            .unwrap();
        rows.first()
            .map(|r| {
                let i = &r.indicators;
                (
                    i.registered_households,
                    i.registered_population,
                    i.poor_population,
                )
            })
            .unwrap_or((0, 0, 0))
    };
    assert_eq!(people(None), (3, 6, 4));
    assert_eq!(people(Some(HouseholdType::Subsistence.code())), (1, 3, 3));
    assert_eq!(people(Some(HouseholdType::General.code())), (1, 2, 0));
    assert_eq!(
        people(Some(HouseholdType::FiveGuarantees.code())),
        (0, 0, 0)
    );
    // 0 selects the households whose type was not given.
    assert_eq!(people(Some(0)), (1, 1, 1));
    // With the status too: area × year × status × household type.
    let rows = app
        .indicators(
            &office(),
            &IndicatorQuery {
                area: Some(ZHOUQU.into()),
                year: Some(2014),
                level: Some(Level::Village),
                slice: Slice {
                    household_type: Some(HouseholdType::General.code()),
                    status: Some(dingdian_core::registry::PovertyStatus::Exited.code()),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    assert_eq!(rows[0].area_code.as_deref(), Some(VILLAGE));
    assert_eq!(rows[0].indicators.exited_population, 2);
}

fn statistics_skip_invalid_imports_the_valid_rows_and_returns_the_rejects(db: &TestDb) {
    let app = open(db);
    let text = "year,area_code,rural_population,rural_income_per_capita\n\
                2014,623023,100,4675\n\
                2014,999999,100,4000\n\
                2013,623023,-3,4000\n\
                2014,623023,120,4700\n\
                2012,623023,90,3000\n";
    // All or nothing by default: every problem named, nothing written.
    let errs = invalid(app.import_statistics(
        &office(),
        "s.csv",
        text.as_bytes(),
        ImportOptions::default(),
    ));
    let got: Vec<_> = errs.iter().map(|e| (e.row, e.msg.code.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (Some(3), "unknown_county"),
            (Some(4), "not_positive_integer"),
            (Some(5), "duplicate_key")
        ]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM area_statistics"), 0);
    // A dry run with skip-invalid reports the same and writes nothing.
    let skip = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let dry = app
        .import_statistics(
            &office(),
            "s.csv",
            text.as_bytes(),
            ImportOptions {
                dry_run: true,
                ..skip
            },
        )
        .unwrap();
    assert_eq!((dry.rows, dry.rejected, dry.dry_run), (2, 3, true));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM area_statistics"), 0);
    // Skip-invalid: the two valid rows are written, the three others come
    // back unchanged with their reason.
    let r = app
        .import_statistics(&office(), "s.csv", text.as_bytes(), skip)
        .unwrap();
    assert_eq!((r.rows, r.rejected), (2, 3));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM area_statistics WHERE area_code = '623023' AND year IN (2012, 2014)"
        ),
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT rural_population FROM area_statistics WHERE year = 2014"
        ),
        100,
        "the first row of a key is kept"
    );
    let rejects = r.rejects.expect("a rejects table");
    assert_eq!(
        rejects.headers,
        [
            "year",
            "area_code",
            "rural_population",
            "rural_income_per_capita",
            "错误/error"
        ]
    );
    assert_eq!(rejects.rows[0][..4], ["2014", "999999", "100", "4000"]);
    assert!(
        rejects.rows[0][4].contains("不是已知的县级区划代码")
            && !rejects.rows[0][4].contains("not a known county code"),
        "in the importing user's language only: {}",
        rejects.rows[0][4]
    );
    assert!(
        rejects.rows[2][4].contains("第 2 行"),
        "{}",
        rejects.rows[2][4]
    );
    assert_eq!(last_audit_action(&app), "statistics.import");
}

/// Starts an import job and waits for it to finish.
fn run_job(app: &App, actor: &Actor, text: &str, opts: ImportOptions) -> i64 {
    let id = app
        .start_registry_import(actor, "county-file.csv", text.as_bytes().to_vec(), opts)
        .unwrap();
    for _ in 0..800 {
        if app.job(actor, id).unwrap().status != "running" {
            return id;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("job {id} did not finish");
}

/// The extended file with a broken ID number in H3.
fn file_with_a_bad_row() -> (String, String) {
    let text = extended_file();
    let good = id("19500101", 67);
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('1') { '2' } else { '1' }
    );
    (text.replace(&good, &bad), bad)
}

fn an_import_jobs_rejects_file_goes_only_to_who_may_follow_the_job(db: &TestDb) {
    let app = open(db);
    let officer = user(&app, "zhouqu1", "county", None, Some(ZHOUQU));
    let colleague = user(&app, "zhouqu2", "county", None, Some(ZHOUQU));
    let stranger = user(&app, "xingtang1", "county", None, Some(XINGTANG));
    let (text, bad) = file_with_a_bad_row();
    let skip = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let job = run_job(&app, &officer, &text, skip);
    let state = app.job(&officer, job).unwrap();
    assert_eq!(state.status, "succeeded", "{:?}", state.message);
    assert_eq!(state.result.as_ref().unwrap()["rejected"], 1);

    let before = audit_rows(&app);
    let (name, bytes) = app.job_rejects(&officer, job).unwrap();
    assert_eq!(name, "county-file.rejects.csv");
    assert_eq!(audit_rows(&app), before + 1, "the download is audited");
    assert_eq!(last_audit_action(&app), "registry.rejects.download");
    // As the CLI writes it: UTF-8 with BOM, the row unchanged, the reason last.
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("{HEADER},{EXT_HEADER},错误/error")
    );
    let row = lines.next().unwrap();
    let original = text.lines().find(|l| l.contains(&bad)).unwrap();
    assert!(row.starts_with(original), "{row}\n{original}");
    assert!(
        row.contains("校验码") && !row.contains("check digit") && !row.contains("id_number"),
        "{row}"
    );
    assert_eq!(lines.next(), None, "only the rejected row");
    // The CLI writes the same bytes for the same rejects.
    let direct = import(&app, "county-file.csv", text.as_bytes(), skip).unwrap();
    assert_eq!(direct.rejects.unwrap().csv().unwrap(), bytes);

    // Another importer of the same county and the office may have it;
    // someone of another county may not even see the job.
    assert!(app.job_rejects(&colleague, job).is_ok());
    assert!(app.job_rejects(&office(), job).is_ok());
    expect_not_found(app.job_rejects(&stranger, job));
    let reader = user(&app, "inspector1", "inspector", None, None);
    expect_forbidden(app.job_rejects(&reader, job));

    // A job without rejected rows has no rejects file.
    let clean = run_job(&app, &officer, &extended_file(), ImportOptions::default());
    expect_not_found(app.job_rejects(&officer, clean));
    // Nor has a failed job (nothing was written; its errors are the report).
    let failed = run_job(&app, &officer, &text, ImportOptions::default());
    assert_eq!(app.job(&officer, failed).unwrap().status, "failed");
    expect_not_found(app.job_rejects(&officer, failed));

    // The rejects file is sealed at rest: the ID number is not in the table.
    let raw: Vec<u8> = app
        .store()
        .read(|c| c.query_one("SELECT rejects FROM jobs WHERE id = ?", &[job.into()]))
        .unwrap()
        .unwrap()
        .get("rejects")
        .unwrap();
    assert!(!raw.is_empty());
    assert!(!raw.windows(bad.len()).any(|w| w == bad.as_bytes()));
}

fn job_results_carry_the_interfaces_error_shape(db: &TestDb) {
    let app = open(db);
    let (text, bad) = file_with_a_bad_row();
    let failed = run_job(&app, &office(), &text, ImportOptions::default());
    let j = app.job(&office(), failed).unwrap();
    let e = &j.result.expect("the errors")[0];
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["code", "column", "message", "message_en", "row", "value"]
    );
    assert_eq!(e["row"], 7);
    assert_eq!(e["column"], "id_number");
    assert_eq!(e["code"], "id_check_digit");
    assert!(
        e["message"].as_str().unwrap().contains("校验码"),
        "the user's language"
    );
    assert!(e["message_en"].as_str().unwrap().contains("check digit"));
    assert_ne!(
        e["value"], bad,
        "the ID number is masked in the stored result"
    );
    // A finished report has the same shape for its errors.
    let ok = run_job(
        &app,
        &office(),
        &text,
        ImportOptions {
            skip_invalid: true,
            ..Default::default()
        },
    );
    let r = app.job(&office(), ok).unwrap().result.unwrap();
    assert_eq!(
        (
            r["households"].as_u64(),
            r["members"].as_u64(),
            r["rejected"].as_u64()
        ),
        (Some(2), Some(5), Some(1))
    );
    assert_eq!(r["errors"][0]["column"], "id_number");
    assert_eq!(r["errors"][0]["row"], 7);
}

fn health_is_seen_only_by_roles_that_read_the_registry(db: &TestDb) {
    let app = open(db);
    import(
        &app,
        "ext.csv",
        extended_file().as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let u = unit(&app, "某部委");
    let unit_user = user(&app, "unit1", "unit", Some(u), None);
    expect_forbidden(app.household_card(&unit_user, 2014, "H1", None));
    let elsewhere = user(&app, "xingtang1", "county", None, Some(XINGTANG));
    expect_not_found(app.household_card(&elsewhere, 2014, "H1", None));
    let (cards, _) = app
        .household_pages(&elsewhere, &Default::default(), dingdian_app::Page::all())
        .unwrap();
    assert!(
        cards.is_empty(),
        "another county's households are not listed"
    );
    let own = user(&app, "zhouqu1", "county", None, Some(ZHOUQU));
    let card = app.household_card(&own, 2014, "H1", None).unwrap();
    assert!(
        card.members
            .iter()
            .any(|m| m.health == Some(Health::SeriousIllness))
    );
}

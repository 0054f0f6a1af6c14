//! Who a household number names across years, and finding households by
//! their head's name or their village: the import's identity warnings,
//! the card's head changes, the name index (search, scope, audit without
//! the name, backfill of older rows, key rotation) — on both backends.

use crate::common;

use common::*;
use dingdian_app::keys::{KeySource, Keys};
use dingdian_app::registry::{ImportOptions, ImportReport};
use dingdian_app::{Actor, App, AppError, Page};
use dingdian_core::registry::check_digit;
use dingdian_store::Store;
use dingdian_store::registry::HouseholdFilter;
use dingdian_testkit::{TestDb, both_backends};

const MIAOGOU: &str = "623023100200";
const SHACHUAN: &str = "623023100201";
const XINGTANG_VILLAGE: &str = "130125100001";
const HEADER: &str = "年度,村级区划代码,户编号,证件号码,姓名,与户主关系,人均纯收入,脱贫状态,识别年度,脱贫年度,主要致贫原因\n";

fn id(county: &str, seq: u32) -> String {
    let first = format!("{county}19700101{seq:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

/// One file row: (year, village, household, ID number, name, relation).
fn row(year: i32, village: &str, household: &str, id: &str, name: &str, rel: &str) -> String {
    format!("{year},{village},{household},{id},{name},{rel},2000,未脱贫,2014,,因病\n")
}

fn import_as(app: &App, actor: &Actor, text: &str) -> Result<ImportReport, AppError> {
    app.import_registry(
        actor,
        "r.csv",
        text.as_bytes(),
        ImportOptions::default(),
        &|_, _, _| {},
    )
}

/// 2014: Z1 王建国 (head) with 李秀英 in 庙沟村, Z2 张强 in 庙沟村, Z3 赵六 in
/// 庙沟村; X1 王建国 (another person of the same name) in Xingtang.
fn year_2014() -> String {
    let mut s = String::from(HEADER);
    s += &row(2014, MIAOGOU, "Z1", &id(ZHOUQU, 1), "王建国", "户主");
    s += &row(2014, MIAOGOU, "Z1", &id(ZHOUQU, 2), "李秀英", "配偶");
    s += &row(2014, MIAOGOU, "Z2", &id(ZHOUQU, 3), "张强", "户主");
    s += &row(2014, MIAOGOU, "Z3", &id(ZHOUQU, 4), "赵六", "户主");
    s += &row(
        2014,
        XINGTANG_VILLAGE,
        "X1",
        &id(XINGTANG, 1),
        "王建国",
        "户主",
    );
    s
}

fn name_search(app: &App, actor: &Actor, name: &str) -> Result<Vec<String>, AppError> {
    let f = HouseholdFilter {
        head_name_index: Some(app.head_name_filter(actor, name)?),
        ..Default::default()
    };
    let (rows, _) = app.list_households(actor, &f, Page::all())?;
    Ok(rows
        .into_iter()
        .map(|h| format!("{}/{}", h.year, h.household_id))
        .collect())
}

fn village_search(app: &App, actor: &Actor, village: &str) -> Vec<String> {
    let f = HouseholdFilter {
        villages: Some(app.village_filter(actor, None, village).unwrap()),
        ..Default::default()
    };
    let (rows, _) = app.list_households(actor, &f, Page::all()).unwrap();
    rows.into_iter().map(|h| h.household_id).collect()
}

fn households_are_found_by_the_heads_whole_name_within_scope(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    // Spaces and full-width blanks aside, the whole name finds both heads.
    let mut found = name_search(&app, &office(), " 王　建国 ").unwrap();
    found.sort();
    assert_eq!(found, vec!["2014/X1", "2014/Z1"]);
    // A county officer finds only its own county's.
    let zq = user(&app, "zq", "county", None, Some(ZHOUQU));
    assert_eq!(name_search(&app, &zq, "王建国").unwrap(), vec!["2014/Z1"]);
    let xt = user(&app, "xt", "county", None, Some(XINGTANG));
    assert_eq!(
        name_search(&app, &xt, "张强").unwrap(),
        Vec::<String>::new()
    );
    // Heads only, whole names only.
    assert!(name_search(&app, &office(), "李秀英").unwrap().is_empty());
    assert!(name_search(&app, &office(), "王").unwrap().is_empty());
    // An empty name is refused, naming the field.
    let errs = invalid(name_search(&app, &office(), " \u{200B} "));
    assert_eq!(errs[0].field, "name");
    // Each search is audited with what it found, never with the name.
    let searches = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'registry.search_name'",
    );
    assert_eq!(searches, 5);
    let leaked = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%王%' OR detail LIKE '%张强%' OR object_id LIKE '%王%'",
    );
    assert_eq!(leaked, 0, "the name searched for is not in the audit log");
    // A role without registry access may not search at all.
    let unit_id = unit(&app, "某单位");
    let unit_user = user(&app, "u1", "unit", Some(unit_id), None);
    expect_forbidden(app.head_name_filter(&unit_user, "王建国"));
}

fn households_are_found_by_village_short_or_full_name_within_scope(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    let mut short = village_search(&app, &office(), "庙沟村");
    short.sort();
    assert_eq!(short, vec!["Z1", "Z2", "Z3"]);
    assert_eq!(village_search(&app, &office(), "庙沟村村民委员会").len(), 3);
    assert!(village_search(&app, &office(), "庙沟").is_empty());
    // Xingtang's officer: 庙沟村 of Zhouqu is out of its scope.
    let xt = user(&app, "xt", "county", None, Some(XINGTANG));
    assert!(village_search(&app, &xt, "庙沟村").is_empty());
    assert_eq!(village_search(&app, &xt, "东街居委会"), vec!["X1"]);
}

fn an_import_warns_of_numbers_that_name_another_village_or_head(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    let mut s = String::from(HEADER);
    // Z1: the same head, name written with a space: no warning.
    s += &row(2015, MIAOGOU, "Z1", &id(ZHOUQU, 1), "王 建国", "户主");
    // Z2: another person heads it.
    s += &row(2015, MIAOGOU, "Z2", &id(ZHOUQU, 30), "周桂红", "户主");
    // Z3: the same head in another village.
    s += &row(2015, SHACHUAN, "Z3", &id(ZHOUQU, 4), "赵六", "户主");
    // X1: its head's ID number corrected, same name: the same person.
    s += &row(
        2015,
        XINGTANG_VILLAGE,
        "X1",
        &id(XINGTANG, 2),
        "王建国",
        "户主",
    );
    let r = import_as(&app, &office(), &s).unwrap();
    assert_eq!(r.households, 4, "a warning does not stop the import");
    let x = &r.identity_changes;
    assert_eq!(x.count, 2, "{x:?}");
    let z2 = &x.listed[0];
    assert_eq!((z2.household_id.as_str(), z2.previous_year), ("Z2", 2014));
    assert!(z2.head_changed && !z2.village_changed);
    let z3 = &x.listed[1];
    assert_eq!(z3.household_id, "Z3");
    assert!(z3.village_changed && !z3.head_changed);
    assert_eq!(z3.previous_village_code.as_deref(), Some(MIAOGOU));
    // The warnings are in the report's JSON (the job's result).
    let json = r.json("zh");
    assert_eq!(json["identity_changes"]["count"], 2);
}

fn the_warning_list_is_bounded_and_counts_the_rest(db: &TestDb) {
    let app = open(db);
    // 105 one-person households in 2014 and, in the same file, 2015 with
    // their numbers reused by other people.
    let mut s = String::from(HEADER);
    for h in 0..105u32 {
        s += &row(
            2014,
            MIAOGOU,
            &format!("R{h:03}"),
            &id(ZHOUQU, h),
            "甲乙",
            "户主",
        );
        s += &row(
            2015,
            MIAOGOU,
            &format!("R{h:03}"),
            &id(ZHOUQU, 200 + h),
            "丙丁",
            "户主",
        );
    }
    let r = import_as(&app, &office(), &s).unwrap();
    assert_eq!(r.identity_changes.count, 105);
    assert_eq!(r.identity_changes.listed.len(), 100);
    assert!(r.identity_changes.listed.iter().all(|c| c.head_changed));
}

fn a_county_officer_is_not_shown_another_countys_earlier_village(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    let xt = user(&app, "xt", "county", None, Some(XINGTANG));
    let mut s = String::from(HEADER);
    s += &row(
        2015,
        XINGTANG_VILLAGE,
        "Z1",
        &id(XINGTANG, 9),
        "孙九",
        "户主",
    );
    let r = import_as(&app, &xt, &s).unwrap();
    let c = &r.identity_changes.listed[0];
    assert!(c.other_county);
    assert_eq!(c.previous_village_code, None);
    assert!(!c.head_changed, "another county's head is not compared");
}

fn the_card_shows_where_the_head_changes(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    let mut s = String::from(HEADER);
    s += &row(2015, MIAOGOU, "Z2", &id(ZHOUQU, 30), "周桂红", "户主");
    s += &row(2016, MIAOGOU, "Z2", &id(ZHOUQU, 30), "周桂红", "户主");
    import_as(&app, &office(), &s).unwrap();
    let card = app.household_card(&office(), 2016, "Z2", None).unwrap();
    let heads: Vec<(i32, Option<String>, bool)> = card
        .timeline_heads
        .iter()
        .map(|h| (h.year, h.head.clone(), h.head_changed))
        .collect();
    assert_eq!(
        heads,
        vec![
            (2014, Some("张强".into()), false),
            (2015, Some("周桂红".into()), true),
            (2016, Some("周桂红".into()), false),
        ]
    );
    // A household that kept its head shows no break.
    let z1 = app.household_card(&office(), 2014, "Z1", None).unwrap();
    assert!(z1.timeline_heads.iter().all(|h| !h.head_changed));
}

fn rows_from_before_the_name_index_get_it_at_start(db: &TestDb) {
    let app = open(db);
    import_as(&app, &office(), &year_2014()).unwrap();
    app.store()
        .write(|c| c.execute("UPDATE members SET name_index = NULL", &[]))
        .unwrap();
    assert!(name_search(&app, &office(), "张强").unwrap().is_empty());
    // The next start computes the missing indexes with the key.
    let again = open(db);
    assert_eq!(
        name_search(&again, &office(), "张强").unwrap(),
        vec!["2014/Z2"]
    );
    assert_eq!(
        count(
            &again,
            "SELECT COUNT(*) FROM members WHERE name_index IS NULL"
        ),
        0
    );
}

fn a_key_rotation_recomputes_the_name_index(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("k.key");
    let app = App::with_keys(
        Store::open(&db.url).unwrap(),
        Keys::from_source(KeySource::File(key_file.clone())).unwrap(),
    );
    import_as(&app, &office(), &year_2014()).unwrap();
    let before: Vec<u8> = app
        .store()
        .read(|c| {
            c.query_one(
                "SELECT name_index FROM members WHERE household_id = 'Z2'",
                &[],
            )
        })
        .unwrap()
        .unwrap()
        .get::<Vec<u8>>("name_index")
        .unwrap();
    app.rotate_key(&office(), &|_, _| {}).unwrap();
    let after: Vec<u8> = app
        .store()
        .read(|c| {
            c.query_one(
                "SELECT name_index FROM members WHERE household_id = 'Z2'",
                &[],
            )
        })
        .unwrap()
        .unwrap()
        .get("name_index")
        .unwrap();
    assert_ne!(before, after, "the index is under the new key");
    assert_eq!(
        name_search(&app, &office(), "张强").unwrap(),
        vec!["2014/Z2"]
    );
}

both_backends!(
    households_are_found_by_the_heads_whole_name_within_scope,
    households_are_found_by_village_short_or_full_name_within_scope,
    an_import_warns_of_numbers_that_name_another_village_or_head,
    the_warning_list_is_bounded_and_counts_the_rest,
    a_county_officer_is_not_shown_another_countys_earlier_village,
    the_card_shows_where_the_head_changes,
    rows_from_before_the_name_index_get_it_at_start,
    a_key_rotation_recomputes_the_name_index,
);

//! Monitoring of all rural households: a household outside the registry is
//! entered by its own county with members checked and sealed like the
//! registry's, refused before 2021, refused as a duplicate through the
//! blind index without naming another county's record, flagged (marginal,
//! never unstable) and counted with the registry's cases. Both backends.

use crate::common::*;

use chrono::NaiveDate;
use dingdian_app::{App, Page};
use dingdian_core::monitoring::{FlagInput, MonitoredKind, MonitoringFilter};
use dingdian_core::registry::{IdNumber, check_digit};
use dingdian_core::rural::{Origin, RuralHouseholdInput, RuralMemberInput};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    a_household_outside_the_registry_is_sealed_scoped_and_never_twice,
    it_is_flagged_and_counted_with_the_registry_cases,
);

fn today() -> NaiveDate {
    "2023-03-01".parse().unwrap()
}

/// A valid ID number of `county` for the `n`-th person born 1980-01-01.
fn id_of(county: &str, n: u32) -> String {
    let first = format!("{county}19800101{n:03}");
    format!("{first}{}", check_digit(&first).unwrap())
}

fn household(county: &str, year: &str, ids: &[&str]) -> RuralHouseholdInput {
    RuralHouseholdInput {
        county_code: county.into(),
        village: "城关镇东街村".into(),
        year: year.into(),
        income_per_capita: "6800.50".into(),
        members: ids
            .iter()
            .enumerate()
            .map(|(i, id)| RuralMemberInput {
                name: format!("测试{i}"),
                id_number: id.to_string(),
                relation: if i == 0 { "户主" } else { "子女" }.into(),
            })
            .collect(),
    }
}

fn a_household_outside_the_registry_is_sealed_scoped_and_never_twice(db: &TestDb) {
    let app = open(db);
    let zhouqu = user(&app, "zhouqu", "county", None, Some(ZHOUQU));
    let xingtang = user(&app, "xingtang", "county", None, Some(XINGTANG));
    let (a, b) = (id_of(ZHOUQU, 1), id_of(ZHOUQU, 2));
    let before = audit_rows(&app);
    expect_forbidden(app.enter_rural_household(
        &xingtang,
        &household(ZHOUQU, "2022", &[&a]),
        today(),
    ));
    assert_eq!(audit_rows(&app), before + 1, "the refusal is audited");
    expect_invalid(
        app.enter_rural_household(&zhouqu, &household(ZHOUQU, "2020", &[&a]), today()),
        "year",
        "before_rural_monitoring",
    );
    let mut bad = household(ZHOUQU, "2022", &[&a]);
    let wrong = if a.ends_with('1') { "2" } else { "1" };
    bad.members[0].id_number.replace_range(17.., wrong);
    expect_invalid(
        app.enter_rural_household(&zhouqu, &bad, today()),
        "members.0.id_number",
        "id_check_digit",
    );
    let id = app
        .enter_rural_household(&zhouqu, &household(ZHOUQU, "2022", &[&a, &b]), today())
        .unwrap();
    assert_eq!(id, "R623023-00001");
    assert_eq!(Origin::of_household_id(&id), Origin::Rural);
    assert_eq!(last_audit_action(&app), "rural_household.create");
    // Sealed: no column holds the number or the name in the clear.
    let clear = app
        .store()
        .read(|c| {
            let rows = c.query("SELECT id_cipher, name_cipher FROM rural_members", &[])?;
            Ok::<_, dingdian_store::StoreError>(
                rows.iter()
                    .map(|r| {
                        (
                            r.get::<Vec<u8>>("id_cipher").unwrap(),
                            r.get::<Vec<u8>>("name_cipher").unwrap(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap();
    assert_eq!(clear.len(), 2);
    for (i, n) in &clear {
        assert!(!contains(i, a.as_bytes()) && !contains(i, b.as_bytes()));
        assert!(!contains(n, "测试".as_bytes()));
    }
    let v = app.rural_household(&zhouqu, &id).unwrap();
    assert_eq!(v.members.len(), 2);
    assert_eq!(
        v.members[0].id_number,
        IdNumber::parse(&a).unwrap().masked()
    );
    assert_eq!(v.income_per_capita_fen, 680_050);
    expect_not_found(app.rural_household(&xingtang, &id));
    // The same person again: in the own county the household is named …
    let again = app.enter_rural_household(
        &zhouqu,
        &household(ZHOUQU, "2023", &[&id_of(ZHOUQU, 9), &b]),
        today(),
    );
    let msg = conflict_text(again);
    assert!(msg.contains("第 2 名成员") && msg.contains(&id), "{msg}");
    // … from another county nothing is named.
    let there = app.enter_rural_household(&xingtang, &household(XINGTANG, "2023", &[&a]), today());
    let msg = conflict_text(there);
    assert!(!msg.contains("R623023") && !msg.contains(ZHOUQU), "{msg}");
    assert_eq!(last_audit_action(&app), "rural_household.create");
    // A registry member of the year is refused as well.
    let reg = id_of(XINGTANG, 5);
    registry_member(&app, XINGTANG, 2023, &reg);
    let msg = conflict_text(app.enter_rural_household(
        &xingtang,
        &household(XINGTANG, "2023", &[&reg]),
        today(),
    ));
    assert!(msg.contains("REG1"), "{msg}");
    app.enter_rural_household(&xingtang, &household(XINGTANG, "2022", &[&reg]), today())
        .expect("another year of the registry does not hold the person");
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn conflict_text<T: std::fmt::Debug>(r: Result<T, dingdian_app::AppError>) -> String {
    match r {
        Err(dingdian_app::AppError::Conflict(m)) => {
            assert_eq!(m.code, "member_already_recorded");
            m.zh
        }
        other => panic!("expected a conflict: {other:?}"),
    }
}

/// A registry household `REG1` of `county` and `year` with one member,
/// indexed under the app's key (its ciphertexts do not matter here).
fn registry_member(app: &App, county: &str, year: i32, id: &str) {
    let index = dingdian_app::registry::id_index(&app.key(), &IdNumber::parse(id).unwrap());
    app.store()
        .write(|c| {
            c.execute(
                "INSERT INTO households (year, household_id, county_code, village_code, income_fen, status, \
                 identified_year, cause, imported_at) VALUES (?, 'REG1', ?, ?, 500000, 2, 2014, 1, 0)",
                &[year.into(), county.into(), format!("{county}100200").into()],
            )?;
            c.execute(
                "INSERT INTO members (year, id_index, household_id, county_code, id_cipher, name_cipher, key_id, \
                 relation, sex, birth_year) VALUES (?, ?, 'REG1', ?, ?, ?, 'k', 1, 1, 1980)",
                &[
                    year.into(),
                    dingdian_store::Value::Blob(index),
                    county.into(),
                    dingdian_store::Value::Blob(vec![0]),
                    dingdian_store::Value::Blob(vec![0]),
                ],
            )?;
            Ok::<(), dingdian_store::StoreError>(())
        })
        .unwrap();
}

fn flag(id: &str, year: &str) -> FlagInput {
    FlagInput {
        household_id: id.into(),
        year: year.into(),
        risk: "illness".into(),
        source: "cadre".into(),
        date: "2023-02-01".into(),
        ..Default::default()
    }
}

fn it_is_flagged_and_counted_with_the_registry_cases(db: &TestDb) {
    let app = open(db);
    let zhouqu = user(&app, "zhouqu", "county", None, Some(ZHOUQU));
    let xingtang = user(&app, "xingtang", "county", None, Some(XINGTANG));
    let id = app
        .enter_rural_household(
            &zhouqu,
            &household(ZHOUQU, "2022", &[&id_of(ZHOUQU, 1)]),
            today(),
        )
        .unwrap();
    expect_not_found(app.flag_household(&xingtang, &flag(&id, "2023"), today()));
    let case = app
        .flag_household(&zhouqu, &flag(&id, "2023"), today())
        .unwrap();
    registry_member(&app, ZHOUQU, 2023, &id_of(ZHOUQU, 7));
    app.flag_household(&zhouqu, &flag("REG1", "2023"), today())
        .unwrap();
    let f = MonitoringFilter {
        year: Some(2023),
        ..Default::default()
    };
    let (items, total) = app.list_monitoring(&zhouqu, &f, Page::all()).unwrap();
    assert_eq!(total, 2);
    let rural = items.iter().find(|m| m.id == case).unwrap();
    assert_eq!(
        (rural.origin, rural.kind),
        (Origin::Rural, MonitoredKind::Marginal)
    );
    let registry = items.iter().find(|m| m.id != case).unwrap();
    assert_eq!(
        (registry.origin, registry.kind),
        (Origin::Registry, MonitoredKind::Unstable)
    );
    let counted: i64 = app
        .monitoring_counts(&zhouqu, &f)
        .unwrap()
        .iter()
        .map(|c| c.households)
        .sum();
    assert_eq!(counted, 2, "the counts cover both origins");
}

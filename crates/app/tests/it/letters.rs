//! Responsibility letters: set by the office, signed by the unit, fixed
//! once signed; actuals from the records and the ledger's receipts; the
//! office's list of letters behind, furthest first. Both backends.

use crate::common;
use crate::records::{purchase, setup, training};

use common::*;
use dingdian_app::Page;
use dingdian_core::letter::{LetterFilter, LetterIndicator, LetterInput, LetterStatus};
use dingdian_testkit::{TestDb, both_backends, ledger_receipt, ledger_reversal};

both_backends!(
    the_office_sets_targets_and_the_unit_signs_them_fixed,
    actuals_come_from_the_records_and_the_ledger,
    the_office_sees_the_letters_behind_furthest_first,
    leaders_trained_is_a_new_era_indicator_counted_from_trainings,
);

/// A letter for 2025 (a year of the test pairings, and over: all of it gone).
fn letter(unit: i64, county: &str, targets: &[(&str, i64)]) -> LetterInput {
    LetterInput {
        unit_id: Some(unit),
        county_code: county.into(),
        year: "2025".into(),
        targets: targets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn the_office_sets_targets_and_the_unit_signs_them_fixed(db: &TestDb) {
    let s = setup(db);
    let u0 = s.units[0];
    let before = audit_rows(&s.app);
    expect_forbidden(s.app.set_letter(
        &s.unit0,
        &letter(u0, XINGTANG, &[("cadres_trained", 1)]),
        false,
    ));
    assert_eq!(audit_rows(&s.app), before + 1, "the refusal is audited");
    let id = s
        .app
        .set_letter(
            &office(),
            &letter(u0, XINGTANG, &[("cadres_trained", 100)]),
            false,
        )
        .expect("set");
    assert_eq!(last_audit_action(&s.app), "letter.set");
    // Set again before signing: the targets are replaced, the letter kept.
    let again = s
        .app
        .set_letter(
            &office(),
            &letter(
                u0,
                XINGTANG,
                &[("technicians_trained", 50), ("direct_funds", 9)],
            ),
            false,
        )
        .unwrap();
    assert_eq!(again, id);
    let v = s.app.letter(&s.unit0, id).unwrap();
    assert_eq!(
        v.letter.targets,
        vec![
            (LetterIndicator::DirectFunds, 9),
            (LetterIndicator::TechniciansTrained, 50)
        ]
    );
    assert!(v.can_sign);
    expect_invalid(
        s.app.set_letter(
            &office(),
            &letter(u0, JIANGHUA, &[("cadres_trained", 1)]),
            false,
        ),
        "county_code",
        "not_paired",
    );
    let mut later = letter(u0, XINGTANG, &[("cadres_trained", 1)]);
    later.year = "2027".into();
    expect_invalid(
        s.app.set_letter(&office(), &later, false),
        "county_code",
        "not_paired",
    );
    // Another unit neither sees nor signs it.
    expect_not_found(s.app.letter(&s.unit1, id));
    expect_forbidden(s.app.sign_letter(&s.county, id, "2025-03-01"));
    let unit1_other = user(&s.app, "unit1b", "unit", Some(s.units[1]), None);
    expect_not_found(s.app.sign_letter(&unit1_other, id, "2025-03-01"));
    expect_invalid(
        s.app.sign_letter(&s.unit0, id, "2999-01-01"),
        "signed_on",
        "date_in_future",
    );
    s.app.sign_letter(&s.unit0, id, "2025-03-01").expect("sign");
    assert_eq!(last_audit_action(&s.app), "letter.sign");
    let v = s.app.letter(&office(), id).unwrap();
    assert_eq!(v.letter.status, LetterStatus::Signed);
    assert_eq!(
        v.letter.signed_on.map(|d| d.to_string()).as_deref(),
        Some("2025-03-01")
    );
    assert!(!v.can_sign);
    expect_conflict(
        s.app.set_letter(
            &office(),
            &letter(u0, XINGTANG, &[("cadres_trained", 1)]),
            false,
        ),
        "letter_signed",
    );
    expect_conflict(
        s.app.sign_letter(&s.unit0, id, "2025-03-02"),
        "letter_already_signed",
    );
}

fn actuals_come_from_the_records_and_the_ledger(db: &TestDb) {
    let s = setup(db);
    let u0 = s.units[0];
    let targets = [
        ("cadres_trained", 100),
        ("technicians_trained", 100),
        ("products_bought", 100_000),
        ("products_sold", 100_000),
        ("direct_funds", 1_000_000),
        ("introduced_funds", 1_000_000),
    ];
    let one = s
        .app
        .set_letter(&office(), &letter(u0, XINGTANG, &targets), false)
        .unwrap();
    let all = s
        .app
        .set_letter(&office(), &letter(u0, "", &targets), false)
        .unwrap();
    let app = &s.app;
    app.create_training(&s.unit0, &training(XINGTANG, "cadres", "2025-02-01", 60))
        .unwrap();
    app.create_training(&s.unit0, &training(XINGTANG, "cadres", "2024-02-01", 500))
        .unwrap();
    app.create_training(
        &s.unit0,
        &training(LINGSHOU, "technicians", "2025-02-01", 25),
    )
    .unwrap();
    app.create_training(
        &s.unit1,
        &training(LINGSHOU, "technicians", "2025-02-01", 999),
    )
    .unwrap();
    app.create_consumption(&s.unit0, &purchase(XINGTANG, "bought", "2025-03-01", "300"))
        .unwrap();
    app.create_consumption(&s.unit0, &purchase(LINGSHOU, "sold", "2025-03-01", "12.5"))
        .unwrap();
    let store = app.store();
    ledger_receipt(store, (u0, XINGTANG), "direct", 400_000, "2025-05-01");
    let undone = ledger_receipt(store, (u0, XINGTANG), "direct", 300_000, "2025-05-02");
    ledger_reversal(store, undone, "2025-05-03");
    ledger_receipt(store, (u0, LINGSHOU), "introduced", 250_000, "2025-06-01");
    ledger_receipt(store, (u0, XINGTANG), "introduced", 7, "2026-01-01");
    let actuals = |id| -> Vec<(LetterIndicator, i64)> {
        app.letter(&office(), id)
            .unwrap()
            .progress
            .into_iter()
            .map(|p| (p.indicator, p.actual))
            .collect()
    };
    use LetterIndicator::*;
    assert_eq!(
        actuals(one),
        vec![
            (DirectFunds, 400_000),
            (IntroducedFunds, 0),
            (CadresTrained, 60),
            (TechniciansTrained, 0),
            (ProductsBought, 30_000),
            (ProductsSold, 0),
        ]
    );
    assert_eq!(
        actuals(all),
        vec![
            (DirectFunds, 400_000),
            (IntroducedFunds, 250_000),
            (CadresTrained, 60),
            (TechniciansTrained, 25),
            (ProductsBought, 30_000),
            (ProductsSold, 1_250),
        ]
    );
    // The unit-wide letter is the unit's and the office's, not a county's.
    let f = LetterFilter::default();
    assert_eq!(app.letters(&s.unit0, &f, Page::all()).unwrap().1, 2);
    assert_eq!(app.letters(&s.cadre, &f, Page::all()).unwrap().1, 1);
    assert_eq!(app.letters(&s.county, &f, Page::all()).unwrap().1, 0);
    expect_not_found(app.letter(&s.cadre, all));
}

fn the_office_sees_the_letters_behind_furthest_first(db: &TestDb) {
    let s = setup(db);
    let counties = [XINGTANG, LINGSHOU, JIANGHUA];
    let mut ids = Vec::new();
    for (i, county) in counties.into_iter().enumerate() {
        let id = s
            .app
            .set_letter(
                &office(),
                &letter(s.units[i], county, &[("cadres_trained", 100)]),
                false,
            )
            .unwrap();
        ids.push(id);
        let writer = user(
            &s.app,
            &format!("writer{i}"),
            "unit",
            Some(s.units[i]),
            None,
        );
        let done = [100, 50, 10][i];
        s.app
            .create_training(&writer, &training(county, "cadres", "2025-09-01", done))
            .unwrap();
    }
    let behind = s.app.letters_behind(&office(), 2025).unwrap();
    let got: Vec<(i64, i64)> = behind
        .iter()
        .map(|v| (v.letter.id, (v.behind_by * 100.0).round() as i64))
        .collect();
    assert_eq!(got, vec![(ids[2], 90), (ids[1], 50)]);
    assert!(behind.iter().all(|v| v.year_share == 1.0 && v.behind));
    // The county officer of Lingshou sees its own county's letter only.
    let mine = s.app.letters_behind(&s.county, 2025).unwrap();
    assert_eq!(
        mine.iter().map(|v| v.letter.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
}

/// From 2021 a letter may set leaders trained, whose actual is the
/// person-times of trainings of rural-revitalisation leaders; a letter up
/// to 2020 may not (refused before anything is written, and audited as no
/// write).
fn leaders_trained_is_a_new_era_indicator_counted_from_trainings(db: &TestDb) {
    let s = setup(db);
    let u0 = s.units[0];
    let mut old = letter(
        u0,
        XINGTANG,
        &[("leaders_trained", 10), ("cadres_trained", 5)],
    );
    old.year = "2019".into();
    expect_invalid(
        s.app.set_letter(&office(), &old, false),
        "leaders_trained",
        "indicator_not_in_period",
    );
    let id = s
        .app
        .set_letter(
            &office(),
            &letter(
                u0,
                XINGTANG,
                &[("leaders_trained", 40), ("cadres_trained", 100)],
            ),
            false,
        )
        .unwrap();
    let app = &s.app;
    for (kind, date, n) in [
        ("revitalisation_leaders", "2025-04-01", 12),
        ("revitalisation_leaders", "2025-09-01", 8),
        ("revitalisation_leaders", "2024-09-01", 500),
        ("cadres", "2025-04-01", 30),
    ] {
        app.create_training(&s.unit0, &training(XINGTANG, kind, date, n))
            .unwrap();
    }
    let got: Vec<(LetterIndicator, i64, i64)> = app
        .letter(&office(), id)
        .unwrap()
        .progress
        .into_iter()
        .map(|p| (p.indicator, p.target, p.actual))
        .collect();
    assert_eq!(
        got,
        vec![
            (LetterIndicator::CadresTrained, 100, 30),
            (LetterIndicator::LeadersTrained, 40, 20),
        ]
    );
}

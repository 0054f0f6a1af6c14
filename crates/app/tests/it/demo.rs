//! The demo data: loads once, and leaves a consistent picture — an active
//! overall plan covering every key county today, the seed pairing of the
//! Organization Department with Zhouqu, history, and one plan in
//! consultation that the demo unit user sees. Loaded once per backend.

use crate::common;

use common::*;
use dingdian_app::auth::SessionKind;
use dingdian_app::demo::{DEMO_PASSWORD, DEMO_USERS, OWNER_ACCOUNTS, SEED_UNIT, ZHOUQU};
use dingdian_app::{App, Page};
use dingdian_core::plan::{PairingPlanKind, PairingPlanStatus, PairingRole};
use dingdian_core::time;
use dingdian_store::plans::{PairingFilter, PairingPlanFilter};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    demo_loads_once_and_is_consistent,
    demo_texts_are_written_in_one_language,
    demo_ledger_reconciles_and_paces_the_seed_letter
);

fn plans_with(app: &App, status: PairingPlanStatus) -> Vec<dingdian_core::plan::PairingPlan> {
    let f = PairingPlanFilter {
        status: Some(status),
        ..Default::default()
    };
    app.list_plans(&office(), &f, Page::all()).unwrap().0
}

fn demo_loads_once_and_is_consistent(db: &TestDb) {
    let app = open(db);
    assert!(app.load_demo().unwrap(), "the first load loads");
    let units = count(&app, "SELECT COUNT(*) FROM units");
    let users = count(&app, "SELECT COUNT(*) FROM users");
    let plans = count(&app, "SELECT COUNT(*) FROM plans");
    let pairings = count(&app, "SELECT COUNT(*) FROM pairings");
    assert!(units > 50, "{units} units");
    assert_eq!(users, (DEMO_USERS.len() + OWNER_ACCOUNTS) as i64);
    assert!(!app.load_demo().unwrap(), "the second load does nothing");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM units"), units);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users"), users);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM plans"), plans);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM pairings"), pairings);

    let office = actor(&app, "office");
    let today = time::today();

    // The active overall plan covers today and every key county on it.
    let active = app
        .current_overall_plan(&office, None)
        .unwrap()
        .expect("an active overall plan today");
    assert_eq!(active.status, PairingPlanStatus::Active);
    assert_eq!(active.kind, PairingPlanKind::Overall);
    assert!(
        active.period_start <= today && today <= active.period_end,
        "{active:?} includes {today}"
    );
    let cov = app.plan_coverage(&office, active.id, Some(today)).unwrap();
    assert!(cov.key_counties > 100, "{cov:?}");
    assert_eq!(cov.covered, cov.key_counties);
    assert!(cov.uncovered.is_empty(), "{:?}", cov.uncovered);
    let list_size = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM county_list_members WHERE list_code = '{}'",
            active.county_list
        ),
    );
    assert_eq!(cov.key_counties as i64, list_size);
    let by_province = app
        .coverage_by_province(&office, active.id, Some(today))
        .unwrap();
    assert!(
        by_province.iter().all(|p| p.covered == p.key_counties),
        "{by_province:?}"
    );
    assert!(
        by_province.iter().any(|p| p.code == "62"),
        "Gansu is on the list"
    );

    // Zhouqu is led by the Organization Department in the active plan.
    let f = PairingFilter {
        plan_id: Some(active.id),
        county_code: Some(ZHOUQU.into()),
        ..Default::default()
    };
    let zhouqu = app.list_pairings(&office, &f, Page::all()).unwrap().0;
    let leads: Vec<&str> = zhouqu
        .iter()
        .filter(|p| p.role == PairingRole::Lead)
        .map(|p| p.unit_name.as_str())
        .collect();
    assert_eq!(leads, vec![SEED_UNIT]);
    assert!(zhouqu.iter().all(|p| p.start <= today && today <= p.end));
    let zhouqu_attrs = app.get_area(&office, ZHOUQU).unwrap().attributes.unwrap();
    assert!(zhouqu_attrs.key_county);
    // Gannan's counties belong to the Tibetan areas of four provinces.
    assert!(zhouqu_attrs.ethnic);
    assert_eq!(zhouqu_attrs.contiguous_area.as_deref(), Some("四省藏区"));

    // Exactly one plan is in consultation: a later version of the active one.
    let consultation = plans_with(&app, PairingPlanStatus::Consultation);
    assert_eq!(consultation.len(), 1, "{consultation:?}");
    let revision = &consultation[0];
    assert_eq!(revision.previous_id, Some(active.id));
    let (_, diff, _) = app
        .plan_diff(&office, revision.id)
        .unwrap()
        .expect("a revision has a diff");
    assert!(!diff.is_empty());

    // Earlier overall plans are superseded, with the step recorded.
    let overall = |p: &dingdian_core::plan::PairingPlan| p.kind == PairingPlanKind::Overall;
    let superseded: Vec<_> = plans_with(&app, PairingPlanStatus::Superseded)
        .into_iter()
        .filter(overall)
        .collect();
    assert!(!superseded.is_empty());
    let earlier: Vec<_> = app
        .list_plans(&office, &PairingPlanFilter::default(), Page::all())
        .unwrap()
        .0
        .into_iter()
        .filter(|p| overall(p) && p.period_end < active.period_start)
        .collect();
    assert!(earlier.len() >= 2, "history: {earlier:?}");
    for p in &earlier {
        assert_eq!(p.status, PairingPlanStatus::Superseded, "{p:?}");
        let last = app
            .plan_detail(&office, p.id)
            .unwrap()
            .transitions
            .pop()
            .unwrap();
        assert_eq!(
            (last.from, last.to),
            (
                Some(PairingPlanStatus::Active),
                PairingPlanStatus::Superseded
            )
        );
    }
    assert_eq!(
        superseded.len(),
        earlier.len(),
        "only the earlier plans are superseded"
    );
    // Any other active overall plan is one whose period is still to come.
    for p in plans_with(&app, PairingPlanStatus::Active)
        .into_iter()
        .filter(overall)
    {
        assert!(p.id == active.id || p.period_start > today, "{p:?}");
    }

    // The demo unit user signs in and sees the consultation plan, with only
    // Every demo account is marked as one; those whose role needs a second
    // factor carry the published demo secret.
    for (username, _, role) in dingdian_app::demo::DEMO_USERS {
        let u = app
            .store()
            .read(|c| dingdian_store::users::by_username(c, username))
            .unwrap()
            .unwrap();
        assert!(u.demo, "{username} is marked as a demo account");
        let needs = dingdian_core::role::Role::parse(role)
            .unwrap()
            .requires_second_factor();
        let secret = u
            .totp_secret
            .map(|s| app.key().open(dingdian_core::totp::AAD_SECRET, &s).unwrap());
        assert_eq!(
            secret,
            needs.then(dingdian_app::demo::demo_totp_secret),
            "{username}"
        );
    }
    expect_forbidden_demo(app.login("zzb", DEMO_PASSWORD, None, SessionKind::Web, None));

    // its own pairings (demo accounts sign in only in demo mode).
    let app = app.with_demo_mode(true);
    let signed = app
        .login("zzb", DEMO_PASSWORD, None, SessionKind::Web, None)
        .unwrap();
    let (zzb, _) = app.authenticate(&signed.token, None).unwrap();
    let seed = zzb.scope.unit().expect("a unit user");
    let f = PairingPlanFilter {
        status: Some(PairingPlanStatus::Consultation),
        ..Default::default()
    };
    let (seen, total) = app.list_plans(&zzb, &f, Page::all()).unwrap();
    assert_eq!(total, 1);
    assert_eq!(seen[0].id, revision.id);
    let detail = app.plan_detail(&zzb, revision.id).unwrap();
    assert!(!detail.pairings.is_empty());
    assert!(detail.pairings.iter().all(|p| p.unit_id == seed));
    assert!(detail.can_give_feedback);
    assert!(detail.feedback.iter().all(|f| f.unit_id == seed) && !detail.feedback.is_empty());
}

#[track_caller]
fn expect_forbidden_demo<T: std::fmt::Debug>(r: Result<T, dingdian_app::AppError>) {
    match r {
        Err(dingdian_app::AppError::Forbidden(m)) => assert_eq!(m.code, "demo_account"),
        other => panic!("a demo account outside --demo is refused, got {other:?}"),
    }
}

/// What the demo's people wrote (notes, feedback) is in one language, as a
/// person writes it: no "中文 / English" pairs in one text.
fn demo_texts_are_written_in_one_language(db: &TestDb) {
    let app = open(db);
    app.load_demo().unwrap();
    for sql in [
        "SELECT note FROM plans WHERE note IS NOT NULL",
        "SELECT note FROM units WHERE note IS NOT NULL",
        "SELECT note FROM pairings WHERE note IS NOT NULL",
        "SELECT text FROM plan_feedback WHERE text IS NOT NULL",
        "SELECT display_name FROM users",
    ] {
        let texts: Vec<String> = app
            .store()
            .read(|c| {
                c.query(sql, &[])?
                    .iter()
                    .map(|r| r.single())
                    .collect::<Result<_, dingdian_store::StoreError>>()
            })
            .unwrap();
        for text in texts {
            assert!(
                !text.chars().any(|ch| ch.is_ascii_alphabetic()),
                "{sql}: {text:?} mixes in English"
            );
        }
    }
}

/// The demo's money is posted entry by entry: every balance is sound and
/// the balances add up to the entries; this year the seed unit's direct
/// funds keep pace with its letter and its introduced funds fall behind.
fn demo_ledger_reconciles_and_paces_the_seed_letter(db: &TestDb) {
    use chrono::Datelike;
    use dingdian_core::ledger::LedgerFilter;
    use dingdian_core::letter::{LetterFilter, LetterIndicator};
    let app = open(db);
    app.load_demo().unwrap();
    let zhouqu = LedgerFilter {
        county_code: Some(ZHOUQU.into()),
        ..Default::default()
    };
    let balances = app.ledger_balances(&office(), &zhouqu).unwrap();
    assert!(balances.len() >= 4, "pool and projects, by source");
    assert!(balances.iter().all(|b| b.available_fen >= 0));
    let received: i64 = balances.iter().map(|b| b.received_fen).sum();
    let spent: i64 = balances.iter().map(|b| b.spent_fen).sum();
    let available: i64 = balances.iter().map(|b| b.available_fen).sum();
    assert_eq!(available, received - spent, "the balances reconcile");
    let by_sql = count(
        &app,
        "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM ledger_entries e WHERE kind = 'receipt' \
         AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
    );
    assert_eq!(
        received, by_sql,
        "what came in is the receipts not reversed"
    );

    let year = time::today().year();
    let f = LetterFilter {
        year: Some(year),
        q: Some(SEED_UNIT.into()),
        ..Default::default()
    };
    let (letters, _) = app.letters(&office(), &f, Page::all()).unwrap();
    let seed = letters
        .iter()
        .find(|l| l.letter.county_code.as_deref() == Some(ZHOUQU))
        .expect("the seed unit's letter for Zhouqu");
    let share = seed.year_share;
    let completion = |i: LetterIndicator| {
        seed.progress
            .iter()
            .find(|p| p.indicator == i)
            .expect("a target")
            .completion()
    };
    assert!(
        completion(LetterIndicator::DirectFunds) >= share,
        "direct funds on track"
    );
    assert!(
        completion(LetterIndicator::IntroducedFunds) < share,
        "introduced funds behind"
    );
    assert!(seed.behind, "a letter lags by its worst indicator");
}

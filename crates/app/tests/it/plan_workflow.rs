//! The pairing-plan workflow: legal and illegal transitions, who may press
//! which button, the checks on leaving draft and on submission, activation
//! superseding the previous plan, immutability, versions, diffs and
//! specific plans. Every test runs on SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::plans::PairingPlanInput;
use dingdian_app::tabular::Encoding;
use dingdian_app::{Actor, App, AppError};
use dingdian_core::plan::{
    ALL_PLAN_STATUSES, PairingPlanKind, PairingPlanStatus, PairingRole, PairingTerms,
};
use dingdian_testkit::{TestDb, both_backends};

both_backends!(
    every_legal_transition_is_recorded_with_who_from_to_and_reason,
    returning_needs_a_reason,
    every_illegal_transition_is_refused_and_changes_nothing,
    a_role_without_the_button_is_forbidden,
    unknown_target_status_is_invalid,
    leaving_draft_without_pairings_is_refused,
    submitting_with_an_uncovered_key_county_needs_a_recorded_exception,
    coverage_exception_is_validated,
    a_pairing_gap_mid_period_counts_as_uncovered_at_submission,
    specific_plans_are_not_held_to_full_coverage,
    activating_supersedes_the_overlapping_active_overall_plan,
    activating_supersedes_earlier_plans_whose_period_is_over,
    only_drafts_are_editable,
    new_version_copies_pairings_and_links_the_previous,
    new_version_supersedes_its_predecessor_when_activated,
    plan_diff_reports_added_removed_and_changed_pairings,
    derive_specific_plan_copies_only_the_chosen_units_pairings,
    reasons_the_system_writes_are_codes_read_in_one_language,
    coverage_reasons_import_in_bulk_with_the_same_checks,
    an_unknown_stored_status_is_an_error_not_a_draft,
);

use PairingPlanStatus::*;

/// The workflow as the specification states it.
const LEGAL: [(PairingPlanStatus, PairingPlanStatus); 7] = [
    (Draft, Consultation),
    (Consultation, Draft),
    (Consultation, Submitted),
    (Submitted, Returned),
    (Submitted, Approved),
    (Returned, Draft),
    (Approved, Active),
];

struct Setup {
    app: App,
    office: Actor,
    reviewer: Actor,
    units: Vec<i64>,
}

fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let office = user(&app, "office1", "office", None, None);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    Setup {
        app,
        office,
        reviewer,
        units,
    }
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn transitions(
    app: &App,
    plan_id: i64,
) -> Vec<(
    Option<PairingPlanStatus>,
    PairingPlanStatus,
    String,
    Option<String>,
)> {
    app.plan_detail(&office(), plan_id)
        .expect("plan detail")
        .transitions
        .into_iter()
        .map(|t| (t.from, t.to, t.username, t.reason))
        .collect()
}

fn sorted_terms(app: &App, plan_id: i64) -> Vec<PairingTerms> {
    let mut t: Vec<PairingTerms> = pairings(app, plan_id).iter().map(|p| p.terms()).collect();
    t.sort_by(|a, b| (a.unit_id, &a.county_code).cmp(&(b.unit_id, &b.county_code)));
    t
}

fn every_legal_transition_is_recorded_with_who_from_to_and_reason(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    let reason = "覆盖不全，请补充 / incomplete";

    let steps: [(&Actor, PairingPlanStatus, Option<&str>); 10] = [
        (&office, Consultation, None),
        (&office, Draft, None),
        (&office, Consultation, None),
        (&office, Submitted, None),
        (&reviewer, Returned, Some(reason)),
        (&office, Draft, None),
        (&office, Consultation, None),
        (&office, Submitted, None),
        (&reviewer, Approved, None),
        (&office, Active, None),
    ];
    let mut expected = vec![(None, Draft, "office1".to_string(), None)];
    let mut from = Draft;
    for (actor, to, why) in steps {
        let got = app
            .transition_plan(actor, id, to.as_str(), why)
            .unwrap_or_else(|e| panic!("{from:?} -> {to:?}: {e:?}"));
        assert_eq!(got, to);
        assert_eq!(status(&app, id), to, "status after {from:?} -> {to:?}");
        expected.push((
            Some(from),
            to,
            actor.username.clone(),
            why.map(str::to_string),
        ));
        from = to;
    }
    assert_eq!(transitions(&app, id), expected);

    let detail = app.plan_detail(&office, id).unwrap();
    let mut last_at = 0;
    for t in &detail.transitions {
        assert!(
            t.at > 0 && t.at >= last_at,
            "transition times run forward: {:?}",
            detail.transitions
        );
        last_at = t.at;
    }
    assert!(!detail.editable, "an active plan is not editable");
    assert!(
        detail.next.is_empty(),
        "nothing may be pressed on an active plan"
    );
}

fn returning_needs_a_reason(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    walk(
        &app,
        id,
        &[(&office, "consultation"), (&office, "submitted")],
    );

    // The reviewer's buttons on a submitted plan, and the office's (none).
    let next: Vec<PairingPlanStatus> = app
        .plan_detail(&reviewer, id)
        .unwrap()
        .next
        .iter()
        .map(|t| t.to)
        .collect();
    assert_eq!(next.len(), 2);
    assert!(
        next.contains(&Approved) && next.contains(&Returned),
        "{next:?}"
    );
    assert!(app.plan_detail(&office, id).unwrap().next.is_empty());

    let before = transitions(&app, id).len();
    expect_invalid(
        app.transition_plan(&reviewer, id, "returned", None),
        "reason",
        "reason_required",
    );
    expect_invalid(
        app.transition_plan(&reviewer, id, "returned", Some("   ")),
        "reason",
        "reason_required",
    );
    assert_eq!(status(&app, id), Submitted);
    assert_eq!(
        transitions(&app, id).len(),
        before,
        "a refused step is not recorded"
    );

    app.transition_plan(&reviewer, id, "returned", Some("  请补充 "))
        .unwrap();
    let last = transitions(&app, id).pop().unwrap();
    assert_eq!(
        last,
        (
            Some(Submitted),
            Returned,
            "reviewer1".to_string(),
            Some("请补充".to_string())
        )
    );
}

/// Tries every target that is not legal from the plan's status, as both
/// the office and the reviewer: Forbidden when another role takes the steps
/// into that status (this one may not make it at all, whatever the plan's
/// state), else a Conflict; nothing changes.
fn assert_only_legal_steps(app: &App, id: i64, office: &Actor, reviewer: &Actor) {
    let from = status(app, id);
    let before = transitions(app, id);
    let mut tried = 0;
    for to in ALL_PLAN_STATUSES {
        if LEGAL.contains(&(from, to)) {
            continue;
        }
        for actor in [office, reviewer] {
            let r = app.transition_plan(actor, id, to.as_str(), Some("reason"));
            let steps_into = |who: Option<dingdian_core::role::Role>| {
                dingdian_core::plan::TRANSITIONS
                    .iter()
                    .any(|t| t.to == to && who.is_none_or(|r| t.role == r))
            };
            // `superseded` is never pressed: illegal for everyone.
            if steps_into(Some(actor.role)) || !steps_into(None) {
                expect_conflict(r, "illegal_transition");
            } else {
                expect_forbidden(r);
            }
            tried += 1;
        }
        assert_eq!(
            status(app, id),
            from,
            "{from:?} -> {to:?} must not change the status"
        );
    }
    let legal_from = LEGAL.iter().filter(|(f, _)| *f == from).count();
    assert_eq!(
        tried,
        2 * (7 - legal_from),
        "every illegal target tried from {from:?}"
    );
    assert_eq!(
        transitions(app, id),
        before,
        "refused steps are not recorded"
    );
}

fn every_illegal_transition_is_refused_and_changes_nothing(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    let mut seen = vec![];
    let mut check = |app: &App, id: i64| {
        seen.push(status(app, id));
        assert_only_legal_steps(app, id, &office, &reviewer);
    };
    check(&app, id); // draft
    walk(&app, id, &[(&office, "consultation")]);
    check(&app, id);
    walk(&app, id, &[(&office, "submitted")]);
    check(&app, id);
    walk(&app, id, &[(&reviewer, "returned")]);
    check(&app, id);
    walk(
        &app,
        id,
        &[
            (&office, "draft"),
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
        ],
    );
    check(&app, id);
    walk(&app, id, &[(&office, "active")]);
    check(&app, id);
    // A later overlapping plan supersedes it.
    let successor = covered_plan(&app, &office, &units, "新方案", "2024-01-01", "2028-12-31");
    activate(&app, successor, &office, &reviewer);
    check(&app, id);
    assert_eq!(seen, ALL_PLAN_STATUSES.to_vec(), "every status was visited");
}

fn a_role_without_the_button_is_forbidden(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    let unit_user = user(&app, "unit1", "unit", Some(units[0]), None);
    let inspector = user(&app, "inspector1", "inspector", None, None);
    let auditor = user(&app, "auditor1", "auditor", None, None);
    let refused = |actor: &Actor, to: &str| {
        let before = (status(&app, id), transitions(&app, id).len());
        expect_forbidden(app.transition_plan(actor, id, to, Some("reason")));
        assert_eq!(
            (status(&app, id), transitions(&app, id).len()),
            before,
            "{} pressing {to}",
            actor.username
        );
    };

    // draft
    refused(&reviewer, "consultation");
    refused(&unit_user, "consultation");
    refused(&inspector, "consultation");
    refused(&auditor, "consultation");
    // A step that is illegal from here and not the caller's to take at all
    // is refused by role (403), not reported as a conflict (409).
    refused(&office, "approved");
    refused(&unit_user, "approved");
    refused(&unit_user, "returned");
    walk(&app, id, &[(&office, "consultation")]);
    refused(&unit_user, "submitted");
    refused(&reviewer, "submitted");
    refused(&reviewer, "draft");
    walk(&app, id, &[(&office, "submitted")]);
    refused(&office, "approved");
    refused(&office, "returned");
    refused(&unit_user, "approved");
    refused(&inspector, "approved");
    walk(&app, id, &[(&reviewer, "returned")]);
    refused(&reviewer, "draft");
    walk(
        &app,
        id,
        &[
            (&office, "draft"),
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
        ],
    );
    refused(&reviewer, "active");
    refused(&unit_user, "active");
    walk(&app, id, &[(&office, "active")]);
    assert_eq!(status(&app, id), Active);
}

fn unknown_target_status_is_invalid(db: &TestDb) {
    let Setup {
        app, office, units, ..
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    expect_invalid(
        app.transition_plan(&office, id, "finished", None),
        "to",
        "bad_status",
    );
    expect_not_found(app.transition_plan(&office, id + 1000, "consultation", None));
    assert_eq!(status(&app, id), Draft);
}

fn leaving_draft_without_pairings_is_refused(db: &TestDb) {
    let Setup {
        app, office, units, ..
    } = setup(db);
    let id = plan(&app, &office, "空方案", START, END);
    expect_conflict(
        app.transition_plan(&office, id, "consultation", None),
        "no_pairings",
    );
    assert_eq!(status(&app, id), Draft);
    assert_eq!(transitions(&app, id).len(), 1);
    // With one pairing it may leave draft (coverage is checked at submission).
    pair(&app, id, units[0], ZHOUQU, "lead");
    app.transition_plan(&office, id, "consultation", None)
        .unwrap();
    assert_eq!(status(&app, id), Consultation);
}

fn submitting_with_an_uncovered_key_county_needs_a_recorded_exception(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = plan(&app, &office, "总体方案", START, END);
    pair(&app, id, units[0], XINGTANG, "lead");
    pair(&app, id, units[1], LINGSHOU, "lead");
    pair(&app, id, units[3], ZHOUQU, "lead");
    walk(&app, id, &[(&office, "consultation")]);

    match app.transition_plan(&office, id, "submitted", None) {
        Err(AppError::Conflict(m)) => {
            assert_eq!(m.code, "uncovered_counties");
            assert!(m.en.starts_with("1 key count"), "{}", m.en);
            assert!(
                m.en.contains(JIANGHUA) && m.zh.contains(JIANGHUA),
                "names the county: {m:?}"
            );
            for other in [XINGTANG, LINGSHOU, ZHOUQU] {
                assert!(
                    !m.en.contains(other),
                    "names only the uncovered county: {}",
                    m.en
                );
            }
        }
        other => panic!("expected uncovered_counties, got {other:?}"),
    }
    assert_eq!(status(&app, id), Consultation);

    app.record_coverage_exception(
        &office,
        id,
        JIANGHUA,
        "由省内对口帮扶 / paired within the province",
    )
    .unwrap();
    let detail = app.plan_detail(&office, id).unwrap();
    assert_eq!(detail.exceptions.len(), 1);
    assert_eq!(detail.exceptions[0].county_code, JIANGHUA);
    assert_eq!(
        detail.exceptions[0].reason,
        "由省内对口帮扶 / paired within the province"
    );

    app.transition_plan(&office, id, "submitted", None).unwrap();
    assert_eq!(status(&app, id), Submitted);
    // An exception cannot be changed once submitted.
    expect_conflict(
        app.record_coverage_exception(&office, id, JIANGHUA, "changed"),
        "plan_not_editable",
    );
    app.transition_plan(&reviewer, id, "approved", None)
        .unwrap();
    // A new version keeps the recorded reason (who and when too), so the
    // revision can be submitted without recording it again.
    let v2 = app.new_plan_version(&office, id).unwrap();
    let carried = app.plan_detail(&office, v2).unwrap().exceptions;
    assert_eq!(carried, app.plan_detail(&office, id).unwrap().exceptions);
    app.transition_plan(&office, v2, "consultation", None)
        .unwrap();
    app.transition_plan(&office, v2, "submitted", None).unwrap();
    assert_eq!(status(&app, v2), Submitted);
}

fn coverage_exception_is_validated(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = plan(&app, &office, "总体方案", START, END);
    pair(&app, id, units[0], XINGTANG, "lead");
    expect_invalid(
        app.record_coverage_exception(&office, id, JIANGHUA, "  "),
        "reason",
        "required",
    );
    // 130127 is a real county, but not on the plan's list.
    expect_invalid(
        app.record_coverage_exception(&office, id, "130127", "reason"),
        "county_code",
        "not_in_list",
    );
    expect_forbidden(app.record_coverage_exception(&reviewer, id, JIANGHUA, "reason"));
    expect_not_found(app.record_coverage_exception(&office, id + 1000, JIANGHUA, "reason"));
    assert!(app.plan_detail(&office, id).unwrap().exceptions.is_empty());
    // Recording twice replaces the reason.
    app.record_coverage_exception(&office, id, JIANGHUA, "first")
        .unwrap();
    app.record_coverage_exception(&office, id, JIANGHUA, "second")
        .unwrap();
    let ex = app.plan_detail(&office, id).unwrap().exceptions;
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].reason, "second");
}

fn a_pairing_gap_mid_period_counts_as_uncovered_at_submission(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let u5 = unit(&app, "测试单位5");
    let id = plan(&app, &office, "总体方案", START, END);
    pair(&app, id, units[0], XINGTANG, "lead");
    pair(&app, id, units[1], LINGSHOU, "lead");
    // Jianghua stops one day early.
    app.add_pairing(
        &office,
        id,
        &pairing(units[2], JIANGHUA, "lead", START, "2025-12-30"),
    )
    .unwrap();
    // Zhouqu has a one-day gap on 2022-12-31.
    app.add_pairing(
        &office,
        id,
        &pairing(units[3], ZHOUQU, "lead", START, "2022-12-30"),
    )
    .unwrap();
    app.add_pairing(&office, id, &pairing(u5, ZHOUQU, "lead", "2023-01-01", END))
        .unwrap();

    // Covered on most days, including either side of the gap...
    let on = |d: &str| app.plan_coverage(&office, id, Some(date(d))).unwrap();
    assert!(on("2022-12-30").uncovered.is_empty());
    assert!(on("2023-01-01").uncovered.is_empty());
    // ...but not on the gap day itself.
    let gap: Vec<String> = on("2022-12-31")
        .uncovered
        .into_iter()
        .map(|u| u.code)
        .collect();
    assert_eq!(gap, vec![ZHOUQU.to_string()]);

    walk(&app, id, &[(&office, "consultation")]);
    match app.transition_plan(&office, id, "submitted", None) {
        Err(AppError::Conflict(m)) => {
            assert_eq!(m.code, "uncovered_counties");
            assert!(m.en.starts_with("2 key count"), "{}", m.en);
            assert!(m.en.contains(ZHOUQU) && m.en.contains(JIANGHUA), "{}", m.en);
        }
        other => panic!("expected uncovered_counties, got {other:?}"),
    }
    assert_eq!(status(&app, id), Consultation);

    // Filling the gap day and the last day makes the union span the period.
    walk(&app, id, &[(&office, "draft")]);
    app.add_pairing(
        &office,
        id,
        &pairing(units[0], ZHOUQU, "member", "2022-12-31", "2022-12-31"),
    )
    .unwrap();
    app.add_pairing(
        &office,
        id,
        &pairing(units[1], JIANGHUA, "member", "2025-12-31", "2025-12-31"),
    )
    .unwrap();
    walk(
        &app,
        id,
        &[
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
        ],
    );
    assert_eq!(status(&app, id), Approved);
}

fn specific_plans_are_not_held_to_full_coverage(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let overall = covered_plan(&app, &office, &units, "总体方案", START, END);
    let specific = app
        .derive_specific_plan(&office, overall, "具体方案", &[units[0]])
        .unwrap();
    assert_eq!(pairings(&app, specific).len(), 1);
    walk(
        &app,
        specific,
        &[
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
        ],
    );
    assert_eq!(status(&app, specific), Approved);
}

/// A date `years` years from this year, e.g. `later(2, "12-31")`; the
/// tests of running plans stay true whenever they run.
fn later(years: i32, month_day: &str) -> String {
    format!(
        "{}-{month_day}",
        chrono::Datelike::year(&dingdian_core::time::today()) + years
    )
}

fn activating_supersedes_the_overlapping_active_overall_plan(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    // A runs from 2024 to the end of next year.
    let a = covered_plan(&app, &office, &units, "A", "2024-01-01", &later(1, "12-31"));
    activate(&app, a, &office, &reviewer);
    let today = dingdian_core::time::today();
    assert_eq!(
        app.current_overall_plan(&office, None)
            .unwrap()
            .map(|p| p.id),
        Some(a)
    );

    // A draft or approved overlapping plan does not touch it.
    let b = covered_plan(
        &app,
        &office,
        &units,
        "B",
        &later(1, "01-01"),
        &later(3, "12-31"),
    );
    walk(
        &app,
        b,
        &[
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
        ],
    );
    assert_eq!(status(&app, a), Active);

    // Activating B, which overlaps A next year, supersedes A.
    app.transition_plan(&office, b, "active", None).unwrap();
    assert_eq!(status(&app, b), Active);
    assert_eq!(status(&app, a), Superseded);
    let last = transitions(&app, a).pop().unwrap();
    assert_eq!(
        (last.0, last.1, last.2.as_str()),
        (Some(Active), Superseded, "office1")
    );
    assert!(
        dingdian_core::plan::reason_text(last.3.as_deref().unwrap_or(""), "zh")
            .contains(&format!("#{b}")),
        "the reason names the new plan: {last:?}"
    );
    assert_eq!(
        app.current_overall_plan(&office, Some(today)).unwrap(),
        None,
        "B starts next year"
    );
    assert_eq!(
        app.current_overall_plan(&office, Some(date(&later(2, "06-01"))))
            .unwrap()
            .map(|p| p.id),
        Some(b)
    );

    // A later plan that does not overlap leaves a still running plan active,
    // so activating next period's plan early leaves no gap.
    let c = covered_plan(
        &app,
        &office,
        &units,
        "C",
        &later(4, "01-01"),
        &later(4, "12-31"),
    );
    activate(&app, c, &office, &reviewer);
    assert_eq!(status(&app, b), Active);
    assert_eq!(status(&app, c), Active);
    assert_eq!(
        app.current_overall_plan(&office, Some(date(&later(2, "06-01"))))
            .unwrap()
            .map(|p| p.id),
        Some(b)
    );
    assert_eq!(
        app.current_overall_plan(&office, Some(date(&later(4, "06-01"))))
            .unwrap()
            .map(|p| p.id),
        Some(c)
    );
}

fn activating_supersedes_earlier_plans_whose_period_is_over(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let e = covered_plan(
        &app,
        &office,
        &units,
        "2010—2012",
        "2010-01-01",
        "2012-12-31",
    );
    activate(&app, e, &office, &reviewer);
    assert_eq!(status(&app, e), Active, "nothing to supersede");
    let f = covered_plan(
        &app,
        &office,
        &units,
        "2013—2015",
        "2013-01-01",
        "2015-12-31",
    );
    activate(&app, f, &office, &reviewer);
    assert_eq!(
        status(&app, e),
        Superseded,
        "an ended predecessor is history"
    );
    assert_eq!(transitions(&app, e).pop().unwrap().1, Superseded);
    assert_eq!(
        app.current_overall_plan(&office, Some(date("2014-06-01")))
            .unwrap()
            .map(|p| p.id),
        Some(f)
    );
    assert_eq!(
        app.current_overall_plan(&office, Some(date("2011-06-01")))
            .unwrap(),
        None
    );

    // Specific plans are not superseded by overall plans.
    let s = app
        .derive_specific_plan(&office, f, "具体方案", &[units[0]])
        .unwrap();
    activate(&app, s, &office, &reviewer);
    let g = covered_plan(
        &app,
        &office,
        &units,
        "2016—2020",
        "2016-01-01",
        "2020-12-31",
    );
    activate(&app, g, &office, &reviewer);
    assert_eq!(status(&app, f), Superseded);
    assert_eq!(status(&app, s), Active);
    assert_eq!(status(&app, g), Active);
}

fn only_drafts_are_editable(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let u5 = unit(&app, "测试单位5");
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    // A draft may be edited.
    let renamed = PairingPlanInput {
        note: "note".into(),
        ..plan_input("改名的方案", START, END)
    };
    app.update_plan(&office, id, &renamed).unwrap();
    assert_eq!(app.get_plan(&office, id).unwrap().name, "改名的方案");
    assert!(app.plan_detail(&office, id).unwrap().editable);

    let steps: [(&Actor, &str); 4] = [
        (&office, "consultation"),
        (&office, "submitted"),
        (&reviewer, "approved"),
        (&office, "active"),
    ];
    for (actor, to) in steps {
        walk(&app, id, &[(actor, to)]);
        let before = pairings(&app, id);
        let plan_before = app.get_plan(&office, id).unwrap();
        expect_conflict(
            app.add_pairing(&office, id, &pairing(u5, ZHOUQU, "member", "", "")),
            "plan_not_editable",
        );
        expect_conflict(
            app.update_plan(&office, id, &plan_input("又改名", START, END)),
            "plan_not_editable",
        );
        expect_conflict(
            app.remove_pairing(&office, id, before[0].id),
            "plan_not_editable",
        );
        let csv = format!("unit,county_code,role\n{u5},{ZHOUQU},member\n");
        expect_conflict(
            app.import_pairings(&office, id, "p.csv", csv.as_bytes(), Encoding::Auto),
            "plan_not_editable",
        );
        assert_eq!(pairings(&app, id), before, "pairings unchanged in {to}");
        assert_eq!(
            app.get_plan(&office, id).unwrap(),
            plan_before,
            "plan unchanged in {to}"
        );
        assert!(!app.plan_detail(&office, id).unwrap().editable);
    }
    expect_conflict(
        app.record_coverage_exception(&office, id, JIANGHUA, "reason"),
        "plan_not_editable",
    );
}

fn new_version_copies_pairings_and_links_the_previous(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let v1 = covered_plan(&app, &office, &units, "总体方案", START, END);
    expect_conflict(app.new_plan_version(&office, v1), "not_versionable");
    app.add_pairing(
        &office,
        v1,
        &pairing(units[0], ZHOUQU, "member", "2022-01-01", "2023-06-30"),
    )
    .unwrap();
    activate(&app, v1, &office, &reviewer);
    expect_forbidden(app.new_plan_version(&reviewer, v1));

    let v2 = app.new_plan_version(&office, v1).unwrap();
    let p1 = app.get_plan(&office, v1).unwrap();
    let p2 = app.get_plan(&office, v2).unwrap();
    assert_eq!(p2.status, Draft);
    assert_eq!(p2.version, 2);
    assert_eq!(p2.previous_id, Some(v1));
    assert_eq!(
        (p2.name.as_str(), p2.kind, &p2.county_list),
        (p1.name.as_str(), p1.kind, &p1.county_list)
    );
    assert_eq!(
        (p2.period_start, p2.period_end),
        (p1.period_start, p1.period_end)
    );
    assert_eq!(sorted_terms(&app, v2), sorted_terms(&app, v1));
    assert_eq!(pairings(&app, v2).len(), 5);
    assert_eq!(
        p1.status, Active,
        "the previous version stays active until the new one is"
    );
    assert_eq!(
        app.plan_detail(&office, v1).unwrap().later_versions,
        vec![(v2, 2, Draft)]
    );
    let first = transitions(&app, v2);
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].0, first[0].1), (None, Draft));

    // The copy is independent: editing v2 leaves v1 alone.
    let removed = pairings(&app, v2)[0].id;
    app.remove_pairing(&office, v2, removed).unwrap();
    assert_eq!(pairings(&app, v1).len(), 5);
    assert_eq!(pairings(&app, v2).len(), 4);

    // A returned plan gets a new version too.
    let r = covered_plan(&app, &office, &units, "退回的方案", START, END);
    walk(
        &app,
        r,
        &[
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "returned"),
        ],
    );
    let r2 = app.new_plan_version(&office, r).unwrap();
    assert_eq!(app.get_plan(&office, r2).unwrap().previous_id, Some(r));
}

fn new_version_supersedes_its_predecessor_when_activated(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let v1 = covered_plan(&app, &office, &units, "总体方案", START, END);
    activate(&app, v1, &office, &reviewer);
    let v2 = app.new_plan_version(&office, v1).unwrap();
    activate(&app, v2, &office, &reviewer);
    assert_eq!(status(&app, v1), Superseded);
    assert_eq!(status(&app, v2), Active);
    assert_eq!(
        app.current_overall_plan(&office, Some(date("2023-01-01")))
            .unwrap()
            .map(|p| p.id),
        Some(v2)
    );
    // A superseded plan may be revised again.
    let v3 = app.new_plan_version(&office, v1).unwrap();
    assert_eq!(app.get_plan(&office, v3).unwrap().version, 2);
}

fn plan_diff_reports_added_removed_and_changed_pairings(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let u5 = unit(&app, "测试单位5");
    let v1 = covered_plan(&app, &office, &units, "总体方案", START, END);
    activate(&app, v1, &office, &reviewer);
    assert!(
        app.plan_diff(&office, v1).unwrap().is_none(),
        "a first version has nothing to compare with"
    );

    let v2 = app.new_plan_version(&office, v1).unwrap();
    let (unchanged, _, _) = app.plan_diff(&office, v2).unwrap().unwrap();
    assert_eq!(unchanged.id, v1);
    assert!(
        app.plan_diff(&office, v2).unwrap().unwrap().1.is_empty(),
        "a fresh copy differs in nothing"
    );

    let find = |unit: i64, county: &str| {
        pairings(&app, v2)
            .into_iter()
            .find(|p| p.unit_id == unit && p.county_code == county)
            .unwrap()
    };
    // Removed: unit 2 leaves Lingshou; added: unit 5 leads it instead.
    app.remove_pairing(&office, v2, find(units[1], LINGSHOU).id)
        .unwrap();
    app.add_pairing(&office, v2, &pairing(u5, LINGSHOU, "lead", "", ""))
        .unwrap();
    // Changed: unit 3 stays in Jianghua but as a member until 2024.
    app.remove_pairing(&office, v2, find(units[2], JIANGHUA).id)
        .unwrap();
    app.add_pairing(
        &office,
        v2,
        &pairing(units[2], JIANGHUA, "member", START, "2024-12-31"),
    )
    .unwrap();

    let (prev, diff, names) = app.plan_diff(&office, v2).unwrap().unwrap();
    assert_eq!(prev.id, v1);
    let terms = |unit: i64, county: &str, role: PairingRole, end: &str| PairingTerms {
        unit_id: unit,
        county_code: county.into(),
        role,
        start: date(START),
        end: date(end),
    };
    assert_eq!(
        diff.added,
        vec![terms(u5, LINGSHOU, PairingRole::Lead, END)]
    );
    assert_eq!(
        diff.removed,
        vec![terms(units[1], LINGSHOU, PairingRole::Lead, END)]
    );
    assert_eq!(
        diff.changed,
        vec![(
            terms(units[2], JIANGHUA, PairingRole::Lead, END),
            terms(units[2], JIANGHUA, PairingRole::Member, "2024-12-31")
        )]
    );
    assert_eq!(names.get(&u5).map(String::as_str), Some("测试单位5"));
    assert_eq!(names.get(&units[1]).map(String::as_str), Some("测试单位2"));
}

fn derive_specific_plan_copies_only_the_chosen_units_pairings(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let overall = covered_plan(&app, &office, &units, "总体方案", START, END);
    app.add_pairing(
        &office,
        overall,
        &pairing(units[0], ZHOUQU, "member", "2023-01-01", END),
    )
    .unwrap();
    let before = sorted_terms(&app, overall);

    expect_invalid(
        app.derive_specific_plan(&office, overall, "具体方案", &[]),
        "units",
        "units_required",
    );
    expect_forbidden(app.derive_specific_plan(&reviewer, overall, "具体方案", &[units[0]]));
    let chosen = [units[0], units[2]];
    let s = app
        .derive_specific_plan(&office, overall, "具体方案（两单位）", &chosen)
        .unwrap();
    let sp = app.get_plan(&office, s).unwrap();
    assert_eq!(sp.kind, PairingPlanKind::Specific);
    assert_eq!(sp.parent_id, Some(overall));
    assert_eq!(sp.status, Draft);
    assert_eq!(sp.name, "具体方案（两单位）");
    assert_eq!((sp.period_start, sp.period_end), (date(START), date(END)));

    let expected: Vec<PairingTerms> = before
        .iter()
        .filter(|t| chosen.contains(&t.unit_id))
        .cloned()
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(sorted_terms(&app, s), expected);
    assert_eq!(
        sorted_terms(&app, overall),
        before,
        "the overall plan keeps its pairings"
    );

    // A specific plan is not a source for another specific plan.
    expect_not_found(app.derive_specific_plan(&office, s, "再派生", &chosen));
}

/// The history's system-written reasons are stored as codes with their
/// parameters and read in one language; a person may not write a code.
fn reasons_the_system_writes_are_codes_read_in_one_language(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let v1 = covered_plan(&app, &office, &units, "总体方案", START, END);
    activate(&app, v1, &office, &reviewer);
    let v2 = app.new_plan_version(&office, v1).unwrap();
    let derived = app
        .derive_specific_plan(&office, v1, "具体方案", &units[..1])
        .unwrap();
    walk(
        &app,
        v2,
        &[
            (&office, "consultation"),
            (&office, "submitted"),
            (&reviewer, "approved"),
            (&office, "active"),
        ],
    );
    let first_reason = |id: i64| transitions(&app, id)[0].3.clone().unwrap();
    let superseded = transitions(&app, v1).last().unwrap().3.clone().unwrap();
    for (stored, zh, en) in [
        (
            first_reason(v2),
            "第 1 版的修订".to_string(),
            "revises version 1".to_string(),
        ),
        (
            first_reason(derived),
            format!("依据总体方案 #{v1}"),
            format!("drawn from overall plan #{v1}"),
        ),
        (
            superseded,
            format!("由方案 #{v2} 替代"),
            format!("superseded by plan #{v2}"),
        ),
    ] {
        assert!(stored.starts_with("sys:"), "{stored}");
        assert_eq!(dingdian_core::plan::reason_text(&stored, "zh"), zh);
        assert_eq!(dingdian_core::plan::reason_text(&stored, "en"), en);
    }
    // The history names people by their display names.
    let detail = app.plan_detail(&office, v2).unwrap();
    assert!(detail.transitions.len() > 1);
    assert!(
        detail
            .transitions
            .iter()
            .all(|t| t.display_name == format!("{} display", t.username)),
        "{:?}",
        detail.transitions
    );

    let r = covered_plan(&app, &office, &units, "退回的方案", START, END);
    walk(
        &app,
        r,
        &[(&office, "consultation"), (&office, "submitted")],
    );
    expect_invalid(
        app.transition_plan(&reviewer, r, "returned", Some("sys:revises:9")),
        "reason",
        "reserved_reason",
    );
}

/// Reasons for uncovered counties import from a file, all or nothing,
/// with the checks of the one-by-one form, each problem at its row.
fn coverage_reasons_import_in_bulk_with_the_same_checks(db: &TestDb) {
    let Setup {
        app,
        office,
        reviewer,
        units,
    } = setup(db);
    let id = plan(&app, &office, "总体方案", START, END);
    pair(&app, id, units[0], XINGTANG, "lead");
    let bad =
        format!("县级区划代码,未覆盖理由\n{JIANGHUA},省内对口帮扶\n130127,不在名单\n{LINGSHOU},\n");
    match app.import_coverage_exceptions(&office, id, "r.csv", bad.as_bytes(), Encoding::Auto) {
        Err(AppError::Invalid(errors)) => {
            let got: Vec<_> = errors
                .iter()
                .map(|e| (e.row, e.field.as_str(), e.msg.code.as_str()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (Some(3), "county_code", "not_in_list"),
                    (Some(4), "reason", "required")
                ],
                "{errors:?}"
            );
        }
        other => panic!("expected the rows' problems, got {other:?}"),
    }
    assert!(
        app.plan_detail(&office, id).unwrap().exceptions.is_empty(),
        "all or nothing"
    );
    let good = format!(
        "县级区划代码,县名称,未覆盖理由\n{JIANGHUA},江华县,省内对口帮扶\n{LINGSHOU},灵寿县,另行安排\n{ZHOUQU},舟曲县,待定\n"
    );
    expect_forbidden(app.import_coverage_exceptions(
        &reviewer,
        id,
        "r.csv",
        good.as_bytes(),
        Encoding::Auto,
    ));
    assert_eq!(
        app.import_coverage_exceptions(&office, id, "r.csv", good.as_bytes(), Encoding::Auto)
            .unwrap(),
        3
    );
    let mut ex: Vec<(String, String)> = app
        .plan_detail(&office, id)
        .unwrap()
        .exceptions
        .into_iter()
        .map(|e| (e.county_code, e.reason))
        .collect();
    ex.sort();
    assert_eq!(ex.len(), 3);
    assert!(ex.contains(&(JIANGHUA.to_string(), "省内对口帮扶".to_string())));
    let audited = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'plan.coverage_exception.import'",
    );
    assert_eq!(audited, 1);
    // The same file works for a plan in consultation, never after submission.
    walk(
        &app,
        id,
        &[(&office, "consultation"), (&office, "submitted")],
    );
    expect_conflict(
        app.import_coverage_exceptions(&office, id, "r.csv", good.as_bytes(), Encoding::Auto),
        "plan_not_editable",
    );
}

/// A status this build does not know, written into the database by some
/// other hand, reads back as an error naming table, column and value, not
/// as an editable draft.
fn an_unknown_stored_status_is_an_error_not_a_draft(db: &TestDb) {
    let Setup {
        app, office, units, ..
    } = setup(db);
    let id = covered_plan(&app, &office, &units, "总体方案", START, END);
    app.store()
        .write(|c| {
            c.execute(
                "UPDATE plans SET status = 'archived' WHERE id = ?",
                dingdian_store::params![id],
            )
        })
        .unwrap();
    match app.get_plan(&office, id) {
        Err(AppError::Store(dingdian_store::StoreError::Data(m))) => assert!(
            m.contains("plans") && m.contains("status") && m.contains("archived"),
            "{m}"
        ),
        other => panic!("an unknown status is an error, got {other:?}"),
    }
    let edit = app.update_plan(&office, id, &plan_input("改名", START, END));
    assert!(
        matches!(edit, Err(AppError::Store(_))),
        "nor is the plan editable: {edit:?}"
    );
}

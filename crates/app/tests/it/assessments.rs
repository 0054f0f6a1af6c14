//! The annual assessment: scoring from the records (with the gaps shown),
//! entered scores refused outside 0–100, the year's rules (weights summing
//! to 100), the workflow by role (a return needs a comment; published
//! twice or changed after publication refused, and audited), and scope (a
//! unit sees only its own until published). Every test runs on SQLite and
//! on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::*;
use dingdian_app::{Actor, App, Page};
use dingdian_core::assessment::{AssessmentFilter, AssessmentStatus, Dimension, RulesInput};
use dingdian_core::assessment_score::{EntryInput, Indicator};
use dingdian_core::leader_visit::LeaderVisitInput;
use dingdian_core::letter::LetterInput;
use dingdian_testkit::{TestDb, both_backends, insert_secondment};

both_backends!(
    an_assessment_is_scored_from_the_records_and_shows_its_gaps,
    entered_scores_and_the_rules_are_checked,
    the_workflow_is_taken_by_the_roles_and_nothing_changes_after_publication,
    a_unit_sees_only_its_own_assessment_until_published,
    the_demo_publishes_the_year_with_all_four_grades,
);

struct Setup {
    app: App,
    units: Vec<i64>,
    office: Actor,
    reviewer: Actor,
    inspector: Actor,
    unit0: Actor,
    unit1: Actor,
    xingtang: Actor,
}

const YEAR: i32 = 2022;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn today() -> NaiveDate {
    d("2023-03-01")
}

/// Units 0–3 lead Xingtang, Lingshou, Jianghua, Zhouqu (2021–2025).
fn setup(db: &TestDb) -> Setup {
    let app = open(db);
    county_list(&app);
    let units = units4(&app);
    let office = user(&app, "office1", "office", None, None);
    let reviewer = user(&app, "reviewer1", "reviewer", None, None);
    let plan = covered_plan(&app, &office, &units, "方案", START, END);
    activate(&app, plan, &office, &reviewer);
    Setup {
        inspector: user(&app, "inspector1", "inspector", None, None),
        unit0: user(&app, "unit0", "unit", Some(units[0]), None),
        unit1: user(&app, "unit1", "unit", Some(units[1]), None),
        xingtang: user(&app, "xingtang", "county", None, Some(XINGTANG)),
        app,
        units,
        office,
        reviewer,
    }
}

fn entry(indicator: &str, score: &str) -> EntryInput {
    EntryInput {
        indicator: indicator.into(),
        score: score.into(),
        evidence: "入户问卷 300 份".into(),
        attachment_sha256: String::new(),
    }
}

fn enter_both(s: &Setup, id: i64, satisfaction: &str) {
    let a = &s.inspector;
    s.app
        .enter_assessment_score(a, id, &entry("satisfaction_survey", satisfaction))
        .unwrap();
    s.app
        .enter_assessment_score(a, id, &entry("innovation_cases", "70"))
        .unwrap();
}

fn id_of(s: &Setup, unit: i64) -> i64 {
    let f = AssessmentFilter {
        year: Some(YEAR),
        unit_id: Some(unit),
        ..Default::default()
    };
    s.app.assessments(&s.office, &f, Page::all()).unwrap().0[0].id
}

fn step(s: &Setup, actor: &Actor, id: i64, to: &str, comment: Option<&str>) -> AssessmentStatus {
    s.app
        .transition_assessment(actor, id, (to, comment), today())
        .unwrap()
}

fn visit(level: &str) -> LeaderVisitInput {
    LeaderVisitInput {
        county_code: XINGTANG.into(),
        leader_name: "张部长".into(),
        leader_level: level.into(),
        date: "2022-05-10".into(),
        places: "县城".into(),
        purpose: "调研".into(),
        decisions: String::new(),
    }
}

fn an_assessment_is_scored_from_the_records_and_shows_its_gaps(db: &TestDb) {
    let s = setup(db);
    let u0 = s.units[0];
    s.app
        .create_leader_visit(&s.unit0, &visit("principal"), d("2022-06-30"))
        .unwrap();
    s.app
        .create_leader_visit(&s.unit0, &visit("deputy"), d("2022-06-30"))
        .unwrap();
    // A team leader all year; a member recalled; a leader who left early.
    insert_secondment(
        s.app.store(),
        (u0, XINGTANG),
        ("甲", "leader", "serving"),
        ("2021-07-01", "2024-06-30"),
        None,
    );
    insert_secondment(
        s.app.store(),
        (u0, XINGTANG),
        ("乙", "leader", "completed"),
        ("2021-01-01", "2022-03-31"),
        None,
    );
    let letter = LetterInput {
        unit_id: Some(u0),
        county_code: XINGTANG.into(),
        year: YEAR.to_string(),
        targets: vec![("cadres_trained".into(), "100".into())],
    };
    s.app.set_letter(&s.office, &letter, false).unwrap();
    assert_eq!(s.app.open_assessments(&s.office, YEAR, today()).unwrap(), 4);
    assert_eq!(
        s.app.open_assessments(&s.office, YEAR, today()).unwrap(),
        0,
        "opened once"
    );
    let id = id_of(&s, u0);
    enter_both(&s, id, "85.5");
    assert_eq!(
        step(&s, &s.office, id, "assessed", None),
        AssessmentStatus::Assessed
    );
    let v = s.app.assessment(&s.unit0, id, today()).unwrap();
    let a = &v.assessment;
    let ind = |i: Indicator| {
        a.dimensions
            .iter()
            .flat_map(|d| d.evidence.iter())
            .find(|e| e.indicator == i)
            .unwrap()
            .clone()
    };
    let letter = ind(Indicator::LetterCompletion);
    assert_eq!(letter.score, Some(0.0));
    assert_eq!(
        letter.evidence_en,
        "letter targets 1 / met 0; mean completion 0.0%"
    );
    assert_eq!(ind(Indicator::LeaderVisits).score, Some(75.0));
    assert_eq!(ind(Indicator::CadresServing).score, Some(100.0));
    assert_eq!(ind(Indicator::LeadersThroughYear).score, Some(100.0));
    assert_eq!(ind(Indicator::EarlyLeavers).score, Some(50.0));
    assert_eq!(ind(Indicator::Inspections).score, Some(0.0));
    assert_eq!(ind(Indicator::SatisfactionSurvey).score, Some(85.5));
    assert_eq!(ind(Indicator::InnovationCases).score, Some(70.0));
    // No funds target, no registry data, no report or rectification due:
    // gaps, not zeros.
    for gap in [
        Indicator::FundsInput,
        Indicator::IncidenceFall,
        Indicator::ReturnRate,
        Indicator::AnnualSummary,
        Indicator::ReportsOnTime,
        Indicator::Rectifications,
    ] {
        assert_eq!(ind(gap).score, None, "{gap:?}");
        assert!(a.gaps.contains(&gap), "{gap:?}");
    }
    let dim = |d: Dimension| {
        a.dimensions
            .iter()
            .find(|x| x.dimension == d)
            .unwrap()
            .score
    };
    assert_eq!(dim(Dimension::Results), Some(0.0));
    assert_eq!(dim(Dimension::Organisation), Some(75.0));
    assert_eq!(dim(Dimension::Cadres), Some(90.0));
    assert_eq!(dim(Dimension::Supervision), Some(0.0));
    // (40×0 + 15×75 + 15×90 + 10×0 + 10×85.5 + 10×70) / 100
    assert_eq!(a.score, Some(40.3));
    assert_eq!(a.grade.map(|g| g.code()), Some("poor"));
    assert_eq!(last_audit_action(&s.app), "assessment.transition");
}

fn rules(weights: [&str; 6]) -> RulesInput {
    RulesInput {
        weights: Dimension::ALL
            .iter()
            .zip(weights)
            .map(|(d, w)| (d.code().to_string(), w.to_string()))
            .collect(),
        good_min: "85".into(),
        fairly_good_min: "75".into(),
        average_min: "60".into(),
    }
}

fn entered_scores_and_the_rules_are_checked(db: &TestDb) {
    let s = setup(db);
    s.app.open_assessments(&s.office, YEAR, today()).unwrap();
    let id = id_of(&s, s.units[0]);
    for bad in ["100.5", "-1", "abc"] {
        let e = invalid(s.app.enter_assessment_score(
            &s.inspector,
            id,
            &entry("satisfaction_survey", bad),
        ));
        assert_eq!(e[0].msg.code, "bad_score", "{bad}");
    }
    let e = invalid(
        s.app
            .enter_assessment_score(&s.inspector, id, &entry("leader_visits", "80")),
    );
    assert_eq!(e[0].msg.code, "not_entered_indicator");
    expect_forbidden(s.app.enter_assessment_score(
        &s.unit0,
        id,
        &entry("satisfaction_survey", "80"),
    ));
    assert_eq!(last_audit_action(&s.app), "assessment.entry");

    let e = invalid(s.app.set_assessment_rules(
        &s.office,
        YEAR,
        &rules(["40", "15", "15", "10", "10", "11"]),
    ));
    assert_eq!(e[0].msg.code, "weights_sum");
    assert!(e[0].msg.zh.contains("101"), "{}", e[0].msg.zh);
    assert!(s.app.assessment_rules(&s.office, YEAR).unwrap().is_default);
    expect_forbidden(s.app.set_assessment_rules(
        &s.reviewer,
        YEAR,
        &rules(["50", "10", "10", "10", "10", "10"]),
    ));
    let r = s
        .app
        .set_assessment_rules(
            &s.office,
            YEAR,
            &rules(["50", "10", "10", "10", "10", "10"]),
        )
        .unwrap();
    assert_eq!((r.weight(Dimension::Results), r.good_min), (50, 8500));
    let read = s.app.assessment_rules(&s.unit0, YEAR).unwrap();
    assert_eq!(
        (read.is_default, read.weight(Dimension::Results)),
        (false, 50)
    );
    // The future is refused.
    assert_eq!(
        invalid(s.app.open_assessments(&s.office, 2024, today()))[0]
            .msg
            .code,
        "bad_year"
    );
}

fn the_workflow_is_taken_by_the_roles_and_nothing_changes_after_publication(db: &TestDb) {
    let s = setup(db);
    s.app.open_assessments(&s.office, YEAR, today()).unwrap();
    let id = id_of(&s, s.units[0]);
    s.app
        .self_report_assessment(&s.unit0, id, "全年投入帮扶资金……")
        .unwrap();
    expect_not_found(s.app.self_report_assessment(&s.unit1, id, "冒名"));
    expect_conflict(
        s.app
            .transition_assessment(&s.office, id, ("assessed", None), today()),
        "entries_missing",
    );
    enter_both(&s, id, "95");
    expect_forbidden(
        s.app
            .transition_assessment(&s.unit0, id, ("assessed", None), today()),
    );
    step(&s, &s.inspector, id, "assessed", None);
    expect_conflict(
        s.app.self_report_assessment(&s.unit0, id, "再改"),
        "assessment_closed",
    );
    // A return needs a comment; it drops the frozen score.
    let e =
        invalid(
            s.app
                .transition_assessment(&s.reviewer, id, ("self_report", Some(" ")), today()),
        );
    assert_eq!(
        (e[0].field.as_str(), e[0].msg.code.as_str()),
        ("comment", "required")
    );
    step(
        &s,
        &s.reviewer,
        id,
        "self_report",
        Some("请补充满意度调查样本"),
    );
    let v = s.app.assessment(&s.office, id, today()).unwrap();
    assert_eq!(
        (v.assessment.status, v.assessment.score),
        (AssessmentStatus::SelfReport, None)
    );
    assert!(v.preview.is_some());
    assert_eq!(
        v.transitions.last().unwrap().reason.as_deref(),
        Some("请补充满意度调查样本")
    );
    s.app
        .self_report_assessment(&s.unit0, id, "已补充")
        .unwrap();
    step(&s, &s.office, id, "assessed", None);
    expect_forbidden(
        s.app
            .transition_assessment(&s.office, id, ("reviewed", None), today()),
    );
    step(&s, &s.reviewer, id, "reviewed", None);
    expect_forbidden(
        s.app
            .transition_assessment(&s.reviewer, id, ("published", None), today()),
    );
    expect_conflict(
        s.app
            .transition_assessment(&s.reviewer, id, ("self_report", Some("晚了")), today()),
        "bad_transition",
    );
    expect_forbidden(s.app.publish_assessments(&s.reviewer, YEAR));
    assert_eq!(s.app.publish_assessments(&s.office, YEAR).unwrap(), 1);
    expect_conflict(
        s.app.publish_assessments(&s.office, YEAR),
        "nothing_to_publish",
    );
    assert_eq!(last_audit_action(&s.app), "assessment.publish");
    expect_conflict(
        s.app
            .transition_assessment(&s.reviewer, id, ("self_report", Some("再看")), today()),
        "assessment_published",
    );
    expect_conflict(
        s.app
            .enter_assessment_score(&s.office, id, &entry("satisfaction_survey", "10")),
        "assessment_published",
    );
    expect_conflict(
        s.app.self_report_assessment(&s.unit0, id, "改"),
        "assessment_published",
    );
    expect_conflict(
        s.app.set_assessment_rules(
            &s.office,
            YEAR,
            &rules(["40", "15", "15", "10", "10", "10"]),
        ),
        "assessment_published",
    );
    assert_eq!(last_audit_action(&s.app), "assessment.rules");
    let v = s.app.assessment(&s.unit0, id, today()).unwrap();
    assert_eq!(v.assessment.status, AssessmentStatus::Published);
    assert!(v.steps.is_empty() && !v.may_self_report && !v.may_enter);
    let history: Vec<_> = v.transitions.iter().map(|t| t.to.code()).collect();
    assert_eq!(
        history,
        [
            "self_report",
            "assessed",
            "self_report",
            "assessed",
            "reviewed",
            "published"
        ]
    );
}

fn a_unit_sees_only_its_own_assessment_until_published(db: &TestDb) {
    let s = setup(db);
    s.app.open_assessments(&s.office, YEAR, today()).unwrap();
    let (id0, id1) = (id_of(&s, s.units[0]), id_of(&s, s.units[1]));
    let year = AssessmentFilter {
        year: Some(YEAR),
        ..Default::default()
    };
    let listed = |a: &Actor| {
        let (items, total) = s.app.assessments(a, &year, Page::all()).unwrap();
        (items.iter().map(|x| x.id).collect::<Vec<_>>(), total)
    };
    assert_eq!(listed(&s.unit1), (vec![id1], 1));
    assert_eq!(listed(&s.xingtang).1, 0);
    assert_eq!(listed(&s.reviewer).1, 4);
    expect_not_found(s.app.assessment(&s.unit1, id0, today()));
    expect_not_found(s.app.assessment(&s.xingtang, id0, today()));
    enter_both(&s, id0, "90");
    step(&s, &s.office, id0, "assessed", None);
    step(&s, &s.reviewer, id0, "reviewed", None);
    expect_not_found(s.app.assessment(&s.unit1, id0, today()));
    assert!(
        s.app
            .assessment_rankings(&s.unit1, YEAR)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.app.assessment_rankings(&s.office, YEAR).unwrap()[0]
            .ranked
            .len(),
        1
    );
    s.app.publish_assessments(&s.office, YEAR).unwrap();
    assert_eq!(
        s.app
            .assessment(&s.unit1, id0, today())
            .unwrap()
            .assessment
            .id,
        id0
    );
    let (mut ids, total) = listed(&s.unit1);
    ids.sort();
    assert_eq!((ids, total), (vec![id0, id1], 2));
    // Xingtang is paired with unit 0 only: it sees that published one.
    assert_eq!(listed(&s.xingtang), (vec![id0], 1));
    let ranks = s.app.assessment_rankings(&s.unit1, YEAR).unwrap();
    assert_eq!(
        ranks[0].ranked.iter().map(|a| a.id).collect::<Vec<_>>(),
        [id0]
    );
    let total: i64 = ranks[0].grades.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 1);
}

fn the_demo_publishes_the_year_with_all_four_grades(db: &TestDb) {
    use chrono::Datelike;
    let app = open(db);
    app.load_demo().unwrap();
    let year = dingdian_core::time::today().year();
    let f = AssessmentFilter {
        year: Some(year),
        status: Some(AssessmentStatus::Published),
        ..Default::default()
    };
    let (published, _) = app.assessments(&office(), &f, Page::all()).unwrap();
    let mut grades: Vec<&str> = published
        .iter()
        .filter_map(|a| a.grade.map(|g| g.code()))
        .collect();
    grades.sort();
    grades.dedup();
    assert_eq!(
        grades,
        ["average", "fairly_good", "good", "poor"],
        "{published:#?}"
    );
    // Computed from the records: the letters of the year are evidence.
    for a in &published {
        let letter = a
            .dimensions
            .iter()
            .flat_map(|d| d.evidence.iter())
            .find(|e| e.indicator == Indicator::LetterCompletion)
            .unwrap();
        assert!(
            letter.score.is_some(),
            "{}: {}",
            a.unit_name,
            letter.evidence_zh
        );
    }
}

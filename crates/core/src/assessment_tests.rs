use super::*;
use crate::assessment::*;
use crate::role::Role;

fn facts() -> Facts {
    Facts {
        letter_targets: vec![(100, 100), (100, 50), (10, 20)],
        funds: Some((1_000_000, 800_000)),
        counties: vec![CountyOutcome {
            county_name: "舟曲县".into(),
            previous_incidence: Some(20.0),
            incidence: Some(15.0),
            return_rate: Some(2.0),
        }],
        principal_visits: 1,
        deputy_visits: 1,
        annual_summary: Some(Filed::Late),
        paired_counties: 2,
        counties_with_cadre: 2,
        counties_with_leader_all_year: 1,
        early_leavers: 1,
        reports_due: 8,
        reports_on_time: 7,
        inspections: 1,
        rectifications_due: 4,
        rectifications_verified: 3,
    }
}

fn entry(ind: Indicator, score: i64) -> Entry {
    Entry {
        indicator: ind,
        score,
        evidence: "问卷 300 份".into(),
        attachment_sha256: None,
        entered_by: None,
        entered_at: 0,
    }
}

fn score_of(all: &[IndicatorScore], ind: Indicator) -> Option<f64> {
    all.iter().find(|s| s.indicator == ind).unwrap().score
}

#[test]
fn each_dimension_is_scored_from_its_evidence() {
    use Indicator::*;
    let s = indicator_scores(&facts(), &[entry(SatisfactionSurvey, 8550)]);
    // Results: (100 + 50 + 100) / 3; 80 %; fall 25 % × 2 = 50; 100 − 20.
    assert_eq!(score_of(&s, LetterCompletion), Some(83.33));
    assert_eq!(score_of(&s, FundsInput), Some(80.0));
    assert_eq!(score_of(&s, IncidenceFall), Some(50.0));
    assert_eq!(score_of(&s, ReturnRate), Some(80.0));
    // Organisation: 50 + 25; late summary 60.
    assert_eq!(score_of(&s, LeaderVisits), Some(75.0));
    assert_eq!(score_of(&s, AnnualSummary), Some(60.0));
    // Cadres: 2 of 2, 1 of 2, one early leaver.
    assert_eq!(score_of(&s, CadresServing), Some(100.0));
    assert_eq!(score_of(&s, LeadersThroughYear), Some(50.0));
    assert_eq!(score_of(&s, EarlyLeavers), Some(50.0));
    // Supervision: 7 of 8, inspected, 3 of 4.
    assert_eq!(score_of(&s, ReportsOnTime), Some(87.5));
    assert_eq!(score_of(&s, Inspections), Some(100.0));
    assert_eq!(score_of(&s, Rectifications), Some(75.0));
    assert_eq!(score_of(&s, SatisfactionSurvey), Some(85.5));
    assert_eq!(score_of(&s, InnovationCases), None);
    let l = s.iter().find(|x| x.indicator == LetterCompletion).unwrap();
    assert_eq!(
        l.evidence_en,
        "letter targets 3 / met 2; mean completion 83.3%"
    );
    let r = s.iter().find(|x| x.indicator == ReportsOnTime).unwrap();
    assert_eq!(r.evidence_en, "reports on time 7 of 8");

    let b = breakdown(s, &AssessmentRules::default_for(2016));
    let dim = |d: Dimension| {
        b.dimensions
            .iter()
            .find(|x| x.dimension == d)
            .unwrap()
            .score
    };
    // (40×83.33 + 20×80 + 20×50 + 20×80) / 100
    assert_eq!(dim(Dimension::Results), Some(75.33));
    assert_eq!(dim(Dimension::Organisation), Some(69.0));
    assert_eq!(dim(Dimension::Cadres), Some(70.0));
    assert_eq!(dim(Dimension::Supervision), Some(85.0));
    assert_eq!(dim(Dimension::Satisfaction), Some(85.5));
    // Innovation has no data: its 10 go to the others in proportion.
    assert_eq!(dim(Dimension::Innovation), None);
    // (40×75.33 + 15×69 + 15×70 + 10×85 + 10×85.5) / 90 = 75.59
    assert_eq!(b.total, Some(7559));
    assert_eq!(b.grade, Some(Grade::Average));
    assert_eq!(gaps(&b.dimensions), [InnovationCases]);
}

#[test]
fn missing_data_is_no_data_and_its_weight_goes_to_the_rest() {
    use Indicator::*;
    let f = Facts {
        paired_counties: 1,
        ..Default::default()
    };
    let s = indicator_scores(&f, &[]);
    for ind in [
        LetterCompletion,
        FundsInput,
        IncidenceFall,
        ReturnRate,
        AnnualSummary,
        ReportsOnTime,
        Rectifications,
    ] {
        assert_eq!(score_of(&s, ind), None, "{ind:?}");
    }
    // Zero visits recorded is a real zero, not a gap.
    assert_eq!(score_of(&s, LeaderVisits), Some(0.0));
    let b = breakdown(s, &AssessmentRules::default_for(2016));
    let results = b
        .dimensions
        .iter()
        .find(|d| d.dimension == Dimension::Results)
        .unwrap();
    assert_eq!(results.score, None);
    assert!(b.total.is_some());
    let nothing = breakdown(
        indicator_scores(&Facts::default(), &[]),
        &AssessmentRules::default_for(2016),
    );
    // Without a paired county only the visits (0) are known.
    assert_eq!((nothing.total, nothing.grade), (Some(0), Some(Grade::Poor)));
}

#[test]
fn grades_change_exactly_at_their_thresholds() {
    let r = AssessmentRules::default_for(2016);
    for (total, grade) in [
        (10000, Grade::Good),
        (9000, Grade::Good),
        (8999, Grade::FairlyGood),
        (8000, Grade::FairlyGood),
        (7999, Grade::Average),
        (6000, Grade::Average),
        (5999, Grade::Poor),
        (0, Grade::Poor),
    ] {
        assert_eq!(r.grade(total), grade, "{total}");
    }
}

fn rules(weights: [&str; 6], t: [&str; 3]) -> RulesInput {
    RulesInput {
        weights: Dimension::ALL
            .iter()
            .zip(weights)
            .map(|(d, w)| (d.code().to_string(), w.to_string()))
            .collect(),
        good_min: t[0].into(),
        fairly_good_min: t[1].into(),
        average_min: t[2].into(),
    }
}

fn codes(r: Result<AssessmentRules, Vec<crate::FieldError>>) -> Vec<String> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.msg.code)
        .collect()
}

#[test]
fn weights_must_sum_to_100_and_thresholds_descend() {
    let ok = rules(["40", "15", "15", "10", "10", "10"], ["90", "80", "60"])
        .parse(2016)
        .unwrap();
    assert_eq!(
        ok,
        AssessmentRules {
            is_default: false,
            ..AssessmentRules::default_for(2016)
        }
    );
    let e = rules(["40", "15", "15", "10", "10", "11"], ["90", "80", "60"]).parse(2016);
    assert_eq!(codes(e), ["weights_sum"]);
    let e = rules(["40", "15", "15", "10", "10", "x"], ["90", "80", "60"]).parse(2016);
    assert_eq!(codes(e), ["bad_weight"]);
    let e = rules(["40", "15", "15", "10", "10", "10"], ["80", "80", "60"]).parse(2016);
    assert_eq!(codes(e), ["thresholds_order"]);
    let e = rules(["40", "15", "15", "10", "10", "10"], ["100.5", "80", "-1"]).parse(2016);
    assert_eq!(codes(e), ["bad_score", "bad_score"]);
    let half = rules(
        ["40", "15", "15", "10", "10", "10"],
        ["89.5", "79.25", "60"],
    )
    .parse(2016);
    assert_eq!(half.unwrap().fairly_good_min, 7925);
}

#[test]
fn scores_are_0_to_100_with_two_decimals() {
    let mut e = Vec::new();
    assert_eq!(score_field("score", "87.5", &mut e), Some(8750));
    assert_eq!(score_field("score", "0", &mut e), Some(0));
    assert_eq!(score_field("score", "100", &mut e), Some(10000));
    assert!(e.is_empty());
    for bad in ["100.01", "-0.5", "87.555", "abc", "NaN", ""] {
        assert_eq!(score_field("score", bad, &mut e), None, "{bad}");
    }
    assert_eq!(e.len(), 6);
}

#[test]
fn steps_follow_the_table() {
    use AssessmentStatus::*;
    let to = |s: AssessmentStatus, r: Role| -> Vec<AssessmentStatus> {
        assessment_steps_for(s, r).iter().map(|t| t.to).collect()
    };
    assert_eq!(to(SelfReport, Role::Office), [Assessed]);
    assert_eq!(to(SelfReport, Role::Inspector), [Assessed]);
    assert_eq!(to(Assessed, Role::Reviewer), [Reviewed, SelfReport]);
    assert_eq!(to(Reviewed, Role::Office), [Published]);
    assert!(to(Published, Role::Office).is_empty());
    assert!(to(SelfReport, Role::Unit).is_empty());
    assert!(assessment_step(Assessed, SelfReport).unwrap().needs_comment);
    assert!(assessment_step(Published, Reviewed).is_none());
    assert!(comment_text(Some("  "), true).is_err());
    assert_eq!(
        comment_text(Some(" 补充材料 "), true).unwrap().as_deref(),
        Some("补充材料")
    );
}

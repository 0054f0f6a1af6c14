//! The demo's annual assessment: the current year (the one with letters,
//! reports, inspections, visits and serving cadres in the demo) is opened
//! for every paired unit; the units with this year's letters write a
//! self-report, are assessed, reviewed and published. Their computed
//! indicators come from the records; the entered satisfaction and
//! innovation scores differ per unit so that all four grades occur. The
//! office has set this year's thresholds at 80 / 70 / 60 (the weights are
//! the default): with the demo's records no unit's computed part would
//! reach the default 90 for "good", and a year's own rules are part of
//! what the demo shows.

use crate::error::Result;
use crate::{Actor, App};
use chrono::Datelike;
use dingdian_core::assessment::{AssessmentFilter, DEFAULT_WEIGHTS, RulesInput};
use dingdian_core::assessment_score::{Entry, EntryInput, Indicator};
use dingdian_core::letter::LetterFilter;
use dingdian_core::role::{Role, Scope};
use dingdian_core::time;
use dingdian_store::Page;

/// The demo year's thresholds (good, fairly good, average).
const THRESHOLDS: [&str; 3] = ["80", "70", "60"];
/// The total each grade is aimed at (good, fairly good, average, poor).
const AIMS: [f64; 4] = [95.0, 75.0, 65.0, 45.0];
/// Units beyond four are aimed at an average grade.
const OTHER_AIM: f64 = 65.0;

fn entries(score: f64) -> Vec<Entry> {
    [Indicator::SatisfactionSurvey, Indicator::InnovationCases]
        .iter()
        .map(|i| Entry {
            indicator: *i,
            score: (score * 100.0).round() as i64,
            evidence: String::new(),
            attachment_sha256: None,
            entered_by: None,
            entered_at: 0,
        })
        .collect()
}

impl App {
    pub(crate) fn demo_assessments(&self) -> Result<()> {
        let today = time::today();
        let year = today.year();
        let office = self.demo_actor("office")?;
        let rules = RulesInput {
            weights: DEFAULT_WEIGHTS
                .iter()
                .map(|(d, w)| (d.code().to_string(), w.to_string()))
                .collect(),
            good_min: THRESHOLDS[0].into(),
            fairly_good_min: THRESHOLDS[1].into(),
            average_min: THRESHOLDS[2].into(),
        };
        self.set_assessment_rules(&office, year, &rules)?;
        self.open_assessments(&office, year, today)?;
        let letters = LetterFilter {
            year: Some(year),
            ..Default::default()
        };
        let mut units: Vec<i64> = self
            .letters(&Actor::cli(), &letters, Page::all())?
            .0
            .iter()
            .map(|l| l.letter.unit_id)
            .collect();
        units.sort();
        units.dedup();
        // The total is linear in the entered score: its range per unit.
        let mut ranged = Vec::new();
        for unit in units {
            let f = AssessmentFilter {
                year: Some(year),
                unit_id: Some(unit),
                ..Default::default()
            };
            let Some(a) = self
                .assessments(&office, &f, Page::all())?
                .0
                .into_iter()
                .next()
            else {
                continue;
            };
            let low = self
                .compute_breakdown(&a, &entries(0.0), today)?
                .total
                .unwrap_or(0) as f64
                / 100.0;
            let high = self
                .compute_breakdown(&a, &entries(100.0), today)?
                .total
                .unwrap_or(0) as f64
                / 100.0;
            ranged.push((a.id, unit, low, high));
        }
        ranged.sort_by(|a, b| b.3.total_cmp(&a.3));
        let last = ranged.len().saturating_sub(1);
        for (k, (id, unit, low, high)) in ranged.into_iter().enumerate() {
            let aim = match k {
                k if k == last && k >= 3 => AIMS[3],
                k if k < 3 => AIMS[k],
                _ => OTHER_AIM,
            };
            let entered = if high > low {
                ((aim - low) / (high - low) * 100.0).clamp(0.0, 100.0)
            } else {
                80.0
            };
            self.demo_assess(id, unit, (entered * 2.0).round() / 2.0, today)?;
        }
        self.publish_assessments(&office, year)?;
        Ok(())
    }

    /// One unit's self-report, the assessor's entries, assessment and review.
    fn demo_assess(
        &self,
        id: i64,
        unit: i64,
        entered: f64,
        today: chrono::NaiveDate,
    ) -> Result<()> {
        let as_unit = Actor {
            username: "演示数据".into(),
            role: Role::Unit,
            scope: Scope::Unit(unit),
            ..Actor::cli()
        };
        self.self_report_assessment(&as_unit, id, "本年度按责任书推进结对帮扶：选派干部在岗，领导赴县调研，按时报送季度报告，督查发现的问题已整改。")?;
        let inspector = self.demo_actor("inspector")?;
        for (indicator, evidence) in [
            (
                "satisfaction_survey",
                "第三方入户问卷 300 份，满意及基本满意比例折算",
            ),
            ("innovation_cases", "报送帮扶创新案例，经评审组评定"),
        ] {
            let input = EntryInput {
                indicator: indicator.into(),
                score: entered.to_string(),
                evidence: evidence.into(),
                attachment_sha256: String::new(),
            };
            self.enter_assessment_score(&inspector, id, &input)?;
        }
        self.transition_assessment(&self.demo_actor("office")?, id, ("assessed", None), today)?;
        self.transition_assessment(&self.demo_actor("reviewer")?, id, ("reviewed", None), today)?;
        Ok(())
    }
}

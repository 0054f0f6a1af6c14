//! The annual assessment (成效评价/考核) of each unit's designated
//! assistance: its dimensions, its grades and its steps.

use crate::secondment::coded;

coded!(Dimension {
    Results = "results", "帮扶成效", "Results of assistance";
    Organisation = "organisation", "组织领导", "Organisation and leadership";
    Cadres = "cadres", "选派干部", "Cadres seconded";
    Supervision = "supervision", "督促检查", "Supervision and inspection";
    Satisfaction = "satisfaction", "基层满意情况", "Grassroots satisfaction";
    Innovation = "innovation", "工作创新", "Innovation";
});

coded!(Grade {
    Good = "good", "好", "Good";
    FairlyGood = "fairly_good", "较好", "Fairly good";
    Average = "average", "一般", "Average";
    Poor = "poor", "较差", "Poor";
});

coded!(AssessmentStatus {
    SelfReport = "self_report", "单位自评", "Self-report";
    Assessed = "assessed", "已评价", "Assessed";
    Reviewed = "reviewed", "已复核", "Reviewed";
    Published = "published", "已公布", "Published";
});

/// Scores are kept in hundredths of a point: 0..=10000 is 0–100.
pub const SCORE_SCALE: i64 = 100;

use crate::error::optional_text;
use crate::role::Action;
use crate::{FieldError, Msg};
use serde::{Deserialize, Serialize};

/// The documented default weights (per cent). No official weights are
/// published; these follow the practice's emphasis on results, and the
/// office replaces them per year (`assessment_rules`).
pub const DEFAULT_WEIGHTS: [(Dimension, i64); 6] = [
    (Dimension::Results, 40),
    (Dimension::Organisation, 15),
    (Dimension::Cadres, 15),
    (Dimension::Supervision, 10),
    (Dimension::Satisfaction, 10),
    (Dimension::Innovation, 10),
];
/// The documented default thresholds, in hundredths: good ≥ 90, fairly
/// good ≥ 80, average ≥ 60, else poor.
pub const DEFAULT_THRESHOLDS: (i64, i64, i64) = (9000, 8000, 6000);
/// The longest self-report, evidence text or comment.
pub const TEXT_MAX: usize = 4000;

/// A year's weights and thresholds (thresholds in hundredths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRules {
    pub year: i32,
    pub weights: Vec<(Dimension, i64)>,
    pub good_min: i64,
    pub fairly_good_min: i64,
    pub average_min: i64,
    /// No row for the year: the documented default.
    pub is_default: bool,
}

impl AssessmentRules {
    pub fn default_for(year: i32) -> AssessmentRules {
        let (good_min, fairly_good_min, average_min) = DEFAULT_THRESHOLDS;
        AssessmentRules {
            year,
            weights: DEFAULT_WEIGHTS.to_vec(),
            good_min,
            fairly_good_min,
            average_min,
            is_default: true,
        }
    }

    pub fn weight(&self, d: Dimension) -> i64 {
        self.weights
            .iter()
            .find(|(w, _)| *w == d)
            .map_or(0, |(_, v)| *v)
    }

    /// The grade of a total (hundredths); every edge is inclusive.
    pub fn grade(&self, total: i64) -> Grade {
        match total {
            t if t >= self.good_min => Grade::Good,
            t if t >= self.fairly_good_min => Grade::FairlyGood,
            t if t >= self.average_min => Grade::Average,
            _ => Grade::Poor,
        }
    }
}

/// A score typed as text, 0–100 with at most two decimals, in hundredths.
pub fn score_field(field: &str, v: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    let t = v.trim();
    let number = t
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (0.0..=100.0).contains(x));
    // At most two decimals: the value is a whole number of hundredths.
    let parsed = number
        .map(|x| (x, (x * SCORE_SCALE as f64).round()))
        .filter(|(x, h)| (h / SCORE_SCALE as f64 - x).abs() < 1e-9)
        .map(|(_, h)| h);
    if parsed.is_none() {
        e.push(FieldError::new(
            field,
            t,
            Msg::new(
                "bad_score",
                "分数应为 0 至 100 之间的数（最多两位小数）",
                "a score must be a number from 0 to 100 (at most two decimals)",
            ),
        ));
    }
    parsed.map(|h| h as i64)
}

/// The rules as a form or the API gives them: a weight per dimension
/// (by code) and the three thresholds, all as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RulesInput {
    pub weights: Vec<(String, String)>,
    pub good_min: String,
    pub fairly_good_min: String,
    pub average_min: String,
}

fn rule_error(field: &str, value: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, value, Msg::new(code, zh, en))
}

impl RulesInput {
    /// Every dimension needs a whole weight 0–100, the weights sum to 100,
    /// and the thresholds descend strictly within 0–100.
    pub fn parse(&self, year: i32) -> Result<AssessmentRules, Vec<FieldError>> {
        let mut e = Vec::new();
        let mut weights = Vec::new();
        for d in Dimension::ALL {
            let given = self.weights.iter().find(|(k, _)| k.trim() == d.code());
            let raw = given.map_or("", |(_, v)| v.trim());
            match raw.parse::<i64>() {
                Ok(w) if (0..=100).contains(&w) => weights.push((*d, w)),
                _ => e.push(rule_error(
                    d.code(),
                    raw,
                    "bad_weight",
                    format!("“{}”的权重应为 0 至 100 的整数", d.zh()),
                    format!(
                        "the weight of {} must be a whole number from 0 to 100",
                        d.en()
                    ),
                )),
            }
        }
        let sum: i64 = weights.iter().map(|(_, w)| w).sum();
        if e.is_empty() && sum != 100 {
            e.push(rule_error(
                "weights",
                &sum.to_string(),
                "weights_sum",
                format!("各维度权重之和应为 100，现为 {sum}"),
                format!("the weights must sum to 100; they sum to {sum}"),
            ));
        }
        let good = score_field("good_min", &self.good_min, &mut e);
        let fairly = score_field("fairly_good_min", &self.fairly_good_min, &mut e);
        let average = score_field("average_min", &self.average_min, &mut e);
        if let (Some(g), Some(f), Some(a)) = (good, fairly, average)
            && !(g > f && f > a)
        {
            e.push(rule_error(
                "good_min",
                &self.good_min,
                "thresholds_order",
                "等级分数线应严格递减：好 > 较好 > 一般".into(),
                "the thresholds must descend strictly: good > fairly good > average".into(),
            ));
        }
        match (good, fairly, average) {
            (Some(good_min), Some(fairly_good_min), Some(average_min)) if e.is_empty() => {
                Ok(AssessmentRules {
                    year,
                    weights,
                    good_min,
                    fairly_good_min,
                    average_min,
                    is_default: false,
                })
            }
            _ => Err(e),
        }
    }
}

/// One step of the workflow, the action that takes it, and whether it
/// needs a comment (a return).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessmentStep {
    pub from: AssessmentStatus,
    pub to: AssessmentStatus,
    pub action: Action,
    pub needs_comment: bool,
}

/// The office (or an inspector) assesses; the reviewer reviews or returns
/// to the unit; the office publishes. Published is final.
pub const ASSESSMENT_STEPS: [AssessmentStep; 4] = {
    use AssessmentStatus::*;
    const fn s(from: AssessmentStatus, to: AssessmentStatus, action: Action) -> AssessmentStep {
        AssessmentStep {
            from,
            to,
            action,
            needs_comment: matches!((from, to), (Assessed, SelfReport)),
        }
    }
    [
        s(SelfReport, Assessed, Action::AssessUnits),
        s(Assessed, Reviewed, Action::ReviewAssessments),
        s(Assessed, SelfReport, Action::ReviewAssessments),
        s(Reviewed, Published, Action::PublishAssessments),
    ]
};

pub fn assessment_step(from: AssessmentStatus, to: AssessmentStatus) -> Option<AssessmentStep> {
    ASSESSMENT_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (its buttons).
pub fn assessment_steps_for(
    from: AssessmentStatus,
    role: crate::role::Role,
) -> Vec<AssessmentStep> {
    ASSESSMENT_STEPS
        .into_iter()
        .filter(|t| t.from == from && role.may(t.action))
        .collect()
}

/// Nothing changes once published.
pub fn published_error() -> Msg {
    Msg::new(
        "assessment_published",
        "考核结果已公布，不能再修改",
        "the assessment is published and can no longer change",
    )
}

/// A comment (required for a return), bounded.
pub fn comment_text(
    value: Option<&str>,
    required: bool,
) -> Result<Option<String>, Vec<FieldError>> {
    let mut e = Vec::new();
    let v = value.unwrap_or("");
    let text = if required {
        Some(crate::error::required_text("comment", v, TEXT_MAX, &mut e))
    } else {
        optional_text("comment", v, TEXT_MAX, &mut e)
    };
    match e.is_empty() {
        true => Ok(text),
        false => Err(e),
    }
}

/// What a list of assessments asks for.
#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    pub year: Option<i32>,
    pub unit_id: Option<i64>,
    pub status: Option<AssessmentStatus>,
    /// Unit name contains.
    pub q: Option<String>,
}

//! The indicators of each assessment dimension and how a unit's year is
//! scored from them. Pure: the app gathers the facts from the records
//! ([`Facts`]) and the assessors' entries; this module turns them into
//! indicator scores, dimension scores, a total and a grade.
//!
//! An indicator whose data is missing (no letter targets for the year, no
//! registry data for a paired county, no report due…) is "no data": it is
//! neither 0 nor 100. Its sub-weight is shared out among the indicators of
//! its dimension that have data; a dimension with no data at all gives its
//! weight to the other dimensions in proportion. Every such gap is listed
//! with the assessment, so a grade is never shown without its gaps.

use crate::assessment::{AssessmentRules, AssessmentStatus, Dimension, Grade, SCORE_SCALE};
use crate::secondment::coded;
use serde::{Deserialize, Serialize};

coded!(Indicator {
    LetterCompletion = "letter_completion", "责任书指标完成率", "Letter targets met";
    FundsInput = "funds_input", "帮扶资金到位", "Funds put in against targets";
    IncidenceFall = "incidence_fall", "结对县贫困发生率下降", "Fall of the paired counties' poverty incidence";
    ReturnRate = "return_rate", "结对县返贫率", "Return rate of the paired counties";
    LeaderVisits = "leader_visits", "领导赴县调研", "Leader visits";
    AnnualSummary = "annual_summary", "年度总结报送", "Annual summary filed";
    CadresServing = "cadres_serving", "挂职干部在岗", "Cadres serving";
    LeadersThroughYear = "leaders_through_year", "扶贫组组长全年在岗", "Team leaders serving all year";
    EarlyLeavers = "early_leavers", "组长提前离岗", "Team leaders leaving early";
    ReportsOnTime = "reports_on_time", "报告按时报送", "Reports on time";
    Inspections = "inspections", "督查检查", "Inspections";
    Rectifications = "rectifications", "整改验收", "Rectifications verified";
    SatisfactionSurvey = "satisfaction_survey", "基层满意度调查", "Satisfaction survey";
    InnovationCases = "innovation_cases", "工作创新案例", "Innovation cases";
});

impl Indicator {
    /// Its dimension and its sub-weight (per cent of the dimension).
    pub fn place(self) -> (Dimension, i64) {
        use Dimension as D;
        use Indicator::*;
        match self {
            LetterCompletion => (D::Results, 40),
            FundsInput | IncidenceFall | ReturnRate => (D::Results, 20),
            LeaderVisits => (D::Organisation, 60),
            AnnualSummary => (D::Organisation, 40),
            CadresServing | LeadersThroughYear => (D::Cadres, 40),
            EarlyLeavers => (D::Cadres, 20),
            ReportsOnTime | Rectifications => (D::Supervision, 40),
            Inspections => (D::Supervision, 20),
            SatisfactionSurvey => (D::Satisfaction, 100),
            InnovationCases => (D::Innovation, 100),
        }
    }

    /// Entered by an assessor with evidence (not computed from records).
    pub fn entered(self) -> bool {
        matches!(
            self,
            Indicator::SatisfactionSurvey | Indicator::InnovationCases
        )
    }

    /// How it is scored 0–100 (shown beside the score).
    pub fn rule(self) -> (&'static str, &'static str) {
        use Indicator::*;
        match self {
            LetterCompletion => (
                "各项目标完成率（封顶 100%）的平均",
                "mean completion of each target, capped at 100 %",
            ),
            FundsInput => (
                "投入与引进资金实际 ÷ 目标（封顶 100%）",
                "direct and introduced funds, actual ÷ target, capped at 100 %",
            ),
            IncidenceFall => (
                "发生率下降幅度的两倍（下降一半得满分）",
                "twice the relative fall of the incidence (halved = 100)",
            ),
            ReturnRate => (
                "100 − 10 × 返贫率（%），返贫率 10% 及以上得 0",
                "100 − 10 × return rate (%); 10 % or more scores 0",
            ),
            LeaderVisits => (
                "主要负责同志每次 50 分，分管负责同志每次 25 分，封顶 100",
                "50 per principal leader's visit, 25 per deputy's, at most 100",
            ),
            AnnualSummary => (
                "按时报送 100，逾期 60，未报送 0",
                "on time 100, late 60, not filed 0",
            ),
            CadresServing => (
                "有挂职干部在岗的结对县占比",
                "share of paired counties with a cadre serving in the year",
            ),
            LeadersThroughYear => (
                "扶贫组组长全年在岗的结对县占比",
                "share of paired counties whose team leader served the whole year",
            ),
            EarlyLeavers => (
                "100 − 每名提前离岗组长 50 分",
                "100 − 50 per team leader who left early",
            ),
            ReportsOnTime => ("按时报送的报告 ÷ 应报报告", "reports on time ÷ reports due"),
            Inspections => (
                "年内接受督查检查得 100，否则 0",
                "100 if inspected in the year, else 0",
            ),
            Rectifications => (
                "已验收整改事项 ÷ 年内到期事项",
                "items verified ÷ items due in the year",
            ),
            SatisfactionSurvey | InnovationCases => (
                "评价人员录入，附证据",
                "entered by the assessor with evidence",
            ),
        }
    }
}

/// A paired county's outcomes in the year from the indicators engine
/// (per cent); `None` where the registry has no data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountyOutcome {
    pub county_name: String,
    pub previous_incidence: Option<f64>,
    pub incidence: Option<f64>,
    pub return_rate: Option<f64>,
}

/// How the annual summary was filed; `None` in [`Facts`] when none was due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    OnTime,
    Late,
    Missing,
}

/// What the records hold for one unit and year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Each letter target of the year: (target, actual).
    pub letter_targets: Vec<(i64, i64)>,
    /// Direct and introduced funds summed over the letters: (target, actual) fen.
    pub funds: Option<(i64, i64)>,
    pub counties: Vec<CountyOutcome>,
    pub principal_visits: i64,
    pub deputy_visits: i64,
    pub annual_summary: Option<Filed>,
    pub paired_counties: i64,
    pub counties_with_cadre: i64,
    pub counties_with_leader_all_year: i64,
    pub early_leavers: i64,
    pub reports_due: i64,
    pub reports_on_time: i64,
    pub inspections: i64,
    pub rectifications_due: i64,
    pub rectifications_verified: i64,
}

/// An assessor's entry (score in hundredths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    pub indicator: Indicator,
    pub score: i64,
    pub evidence: String,
    pub attachment_sha256: Option<String>,
    pub entered_by: Option<String>,
    pub entered_at: i64,
}

/// One indicator's score (0–100; null: no data) and what it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicatorScore {
    pub indicator: Indicator,
    /// `computed` or `entered`.
    pub source: String,
    /// Per cent of its dimension.
    pub sub_weight: i64,
    pub score: Option<f64>,
    pub evidence_zh: String,
    pub evidence_en: String,
    pub attachment_sha256: Option<String>,
}

/// One dimension: its weight (per cent), score (null: no data) and the
/// indicators it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DimensionScore {
    pub dimension: Dimension,
    pub score: Option<f64>,
    pub weight: i64,
    pub evidence: Vec<IndicatorScore>,
}

/// The whole breakdown: total (hundredths) and grade, `None` when no
/// dimension has data.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub dimensions: Vec<DimensionScore>,
    pub total: Option<i64>,
    pub grade: Option<Grade>,
}

/// Hundredths to points.
pub fn points(h: i64) -> f64 {
    h as f64 / SCORE_SCALE as f64
}

/// A share 0–1 as hundredths of a point (0..=10000).
fn share(x: f64) -> i64 {
    (x.clamp(0.0, 1.0) * 100.0 * SCORE_SCALE as f64).round() as i64
}

/// `num / den` rounded half up (both non-negative, den > 0).
fn div_round(num: i64, den: i64) -> i64 {
    (2 * num + den) / (2 * den)
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

type Scored = (Option<i64>, String, String);

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn letter(f: &Facts) -> Scored {
    let rates: Vec<f64> = f
        .letter_targets
        .iter()
        .filter(|(t, _)| *t > 0)
        .map(|(t, a)| (*a as f64 / *t as f64).min(1.0))
        .collect();
    let met = rates.iter().filter(|r| **r >= 1.0).count();
    let n = rates.len();
    match mean(&rates) {
        None => (
            None,
            "本年度无责任书目标".into(),
            "no letter targets for the year".into(),
        ),
        Some(m) => (
            Some(share(m)),
            format!(
                "责任书目标 {n} 项，完成 {met} 项；平均完成率 {}",
                percent(m)
            ),
            format!(
                "letter targets {n} / met {met}; mean completion {}",
                percent(m)
            ),
        ),
    }
}

fn funds(f: &Facts) -> Scored {
    match f.funds.filter(|(t, _)| *t > 0) {
        None => (
            None,
            "责任书无资金目标".into(),
            "no funds target in the letters".into(),
        ),
        Some((t, a)) => (
            Some(share(a as f64 / t as f64)),
            format!(
                "资金目标 {:.2} 万元，实际 {:.2} 万元",
                t as f64 / 1e6,
                a as f64 / 1e6
            ),
            format!(
                "funds target {:.2} / actual {:.2} (10,000 yuan)",
                t as f64 / 1e6,
                a as f64 / 1e6
            ),
        ),
    }
}

fn incidence(f: &Facts) -> Scored {
    let mut parts = Vec::new();
    let falls: Vec<f64> = f
        .counties
        .iter()
        .filter_map(|c| {
            let (p, n) = (c.previous_incidence?, c.incidence?);
            parts.push(format!("{} {p:.2}% → {n:.2}%", c.county_name));
            (p > 0.0).then(|| 2.0 * (p - n) / p)
        })
        .collect();
    match mean(&falls) {
        None => (
            None,
            "结对县无连续两年的建档立卡数据".into(),
            "no registry data of two years for the paired counties".into(),
        ),
        Some(m) => (
            Some(share(m)),
            format!("贫困发生率 {}", parts.join("；")),
            format!("poverty incidence {}", parts.join("; ")),
        ),
    }
}

fn returns(f: &Facts) -> Scored {
    let mut parts = Vec::new();
    let scores: Vec<f64> = f
        .counties
        .iter()
        .filter_map(|c| {
            let r = c.return_rate?;
            parts.push(format!("{} {r:.2}%", c.county_name));
            Some(1.0 - r / 10.0)
        })
        .collect();
    match mean(&scores) {
        None => (
            None,
            "结对县无返贫数据".into(),
            "no return data for the paired counties".into(),
        ),
        Some(m) => (
            Some(share(m)),
            format!("返贫率 {}", parts.join("；")),
            format!("return rate {}", parts.join("; ")),
        ),
    }
}

fn visits(f: &Facts) -> Scored {
    let (p, d) = (f.principal_visits, f.deputy_visits);
    let s = (50 * p + 25 * d).min(100) * SCORE_SCALE;
    (
        Some(s),
        format!("主要负责同志调研 {p} 次，分管负责同志 {d} 次"),
        format!("principal leader's visits {p}, deputies' {d}"),
    )
}

fn summary(f: &Facts) -> Scored {
    match f.annual_summary {
        None => (
            None,
            "本年度无应报的年度总结".into(),
            "no annual summary due for the year".into(),
        ),
        Some(Filed::OnTime) => (
            Some(100 * SCORE_SCALE),
            "年度总结按时报送".into(),
            "annual summary filed on time".into(),
        ),
        Some(Filed::Late) => (
            Some(60 * SCORE_SCALE),
            "年度总结逾期报送".into(),
            "annual summary filed late".into(),
        ),
        Some(Filed::Missing) => (
            Some(0),
            "年度总结未报送".into(),
            "annual summary not filed".into(),
        ),
    }
}

/// `part ÷ whole` of the paired counties, no data without any.
fn of_counties(f: &Facts, part: i64, zh: &str, en: &str) -> Scored {
    match f.paired_counties {
        0 => (
            None,
            "本年度无结对县".into(),
            "no paired county in the year".into(),
        ),
        n => (
            Some(share(part as f64 / n as f64)),
            format!("结对县 {n} 个，其中{zh} {part} 个"),
            format!("paired counties {n}; {en} {part}"),
        ),
    }
}

fn ratio(part: i64, whole: i64, none: (&str, &str), label: (&str, &str)) -> Scored {
    match whole {
        0 => (None, none.0.into(), none.1.into()),
        w => (
            Some(share(part as f64 / w as f64)),
            format!("{} {part} / {w}", label.0),
            format!("{} {part} of {w}", label.1),
        ),
    }
}

/// The computed indicator's score (hundredths, `None`: no data) and its
/// evidence in both languages.
pub fn computed(ind: Indicator, f: &Facts) -> Scored {
    use Indicator::*;
    match ind {
        LetterCompletion => letter(f),
        FundsInput => funds(f),
        IncidenceFall => incidence(f),
        ReturnRate => returns(f),
        LeaderVisits => visits(f),
        AnnualSummary => summary(f),
        CadresServing => of_counties(
            f,
            f.counties_with_cadre,
            "有干部在岗",
            "with a cadre serving",
        ),
        LeadersThroughYear => of_counties(
            f,
            f.counties_with_leader_all_year,
            "组长全年在岗",
            "team leader all year",
        ),
        EarlyLeavers => match f.paired_counties {
            0 => (
                None,
                "本年度无结对县".into(),
                "no paired county in the year".into(),
            ),
            _ => (
                Some((100 - 50 * f.early_leavers).max(0) * SCORE_SCALE),
                format!("提前离岗的扶贫组组长 {} 名", f.early_leavers),
                format!("team leaders who left early: {}", f.early_leavers),
            ),
        },
        ReportsOnTime => ratio(
            f.reports_on_time,
            f.reports_due,
            ("本年度无应报报告", "no report due in the year"),
            ("按时报送", "reports on time"),
        ),
        Inspections => match f.paired_counties {
            0 => (
                None,
                "本年度无结对县".into(),
                "no paired county in the year".into(),
            ),
            _ => (
                Some(if f.inspections > 0 {
                    100 * SCORE_SCALE
                } else {
                    0
                }),
                format!("年内督查检查 {} 次", f.inspections),
                format!("inspections in the year: {}", f.inspections),
            ),
        },
        Rectifications => ratio(
            f.rectifications_verified,
            f.rectifications_due,
            ("年内无到期整改事项", "no rectification due in the year"),
            ("已验收", "verified"),
        ),
        SatisfactionSurvey | InnovationCases => (None, "尚未录入".into(), "not entered yet".into()),
    }
}

/// Every indicator scored: computed ones from the facts, entered ones from
/// the entries (missing entry: no data).
pub fn indicator_scores(f: &Facts, entries: &[Entry]) -> Vec<IndicatorScore> {
    Indicator::ALL
        .iter()
        .map(|ind| {
            let entry = entries.iter().find(|e| e.indicator == *ind);
            let (score, zh, en) = match (ind.entered(), entry) {
                (true, Some(e)) => (Some(e.score), e.evidence.clone(), e.evidence.clone()),
                _ => computed(*ind, f),
            };
            IndicatorScore {
                indicator: *ind,
                source: if ind.entered() { "entered" } else { "computed" }.into(),
                sub_weight: ind.place().1,
                score: score.map(points),
                evidence_zh: zh,
                evidence_en: en,
                attachment_sha256: entry.and_then(|e| e.attachment_sha256.clone()),
            }
        })
        .collect()
}

fn hundredths(p: f64) -> i64 {
    (p * SCORE_SCALE as f64).round() as i64
}

/// A weighted mean of the parts with data (hundredths), `None` without any.
fn weighted(parts: impl Iterator<Item = (i64, Option<i64>)>) -> Option<i64> {
    let (num, den) = parts
        .filter_map(|(w, s)| Some((w, s?)))
        .fold((0, 0), |(n, d), (w, s)| (n + w * s, d + w));
    (den > 0).then(|| div_round(num, den))
}

/// Dimension scores, total and grade under the year's rules.
pub fn breakdown(scores: Vec<IndicatorScore>, rules: &AssessmentRules) -> Breakdown {
    let dimensions: Vec<DimensionScore> = Dimension::ALL
        .iter()
        .map(|d| {
            let evidence: Vec<IndicatorScore> = scores
                .iter()
                .filter(|s| s.indicator.place().0 == *d)
                .cloned()
                .collect();
            let score = weighted(
                evidence
                    .iter()
                    .map(|s| (s.sub_weight, s.score.map(hundredths))),
            );
            DimensionScore {
                dimension: *d,
                score: score.map(points),
                weight: rules.weight(*d),
                evidence,
            }
        })
        .collect();
    let total = weighted(
        dimensions
            .iter()
            .map(|d| (d.weight, d.score.map(hundredths))),
    );
    Breakdown {
        grade: total.map(|t| rules.grade(t)),
        total,
        dimensions,
    }
}

/// The indicators without data (the gaps a grade is shown with).
pub fn gaps(dimensions: &[DimensionScore]) -> Vec<Indicator> {
    dimensions
        .iter()
        .flat_map(|d| d.evidence.iter())
        .filter(|s| s.score.is_none())
        .map(|s| s.indicator)
        .collect()
}

/// An assessment as stored, with its unit's name and kind.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    pub year: i32,
    pub status: AssessmentStatus,
    pub self_report: Option<String>,
    /// 0–100; null before assessed.
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    /// Frozen when assessed; empty before.
    pub dimensions: Vec<DimensionScore>,
    /// Indicators without data (their weight went to the others).
    pub gaps: Vec<Indicator>,
    pub assessed_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub published_at: Option<i64>,
}

/// An assessor's entry as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EntryInput {
    /// satisfaction_survey | innovation_cases
    pub indicator: String,
    /// 0–100, at most two decimals.
    pub score: String,
    /// What the score rests on (survey sample, cases), required.
    pub evidence: String,
    /// An attachment already uploaded, by its SHA-256 (optional).
    pub attachment_sha256: String,
}

impl EntryInput {
    /// The entry (entered now, `now` UTC seconds) or every problem.
    pub fn parse(&self, now: i64) -> Result<Entry, Vec<crate::FieldError>> {
        let mut e = Vec::new();
        let indicator = Indicator::from_code(&self.indicator).filter(|i| i.entered());
        if indicator.is_none() {
            e.push(crate::FieldError::new(
                "indicator",
                self.indicator.trim(),
                crate::Msg::new(
                    "not_entered_indicator",
                    "只能录入基层满意度调查（satisfaction_survey）或工作创新案例（innovation_cases）",
                    "only satisfaction_survey or innovation_cases are entered by assessors",
                ),
            ));
        }
        let score = crate::assessment::score_field("score", &self.score, &mut e);
        let evidence = crate::error::required_text(
            "evidence",
            &self.evidence,
            crate::assessment::TEXT_MAX,
            &mut e,
        );
        let sha = self.attachment_sha256.trim().to_ascii_lowercase();
        let attachment = (!sha.is_empty()).then_some(sha);
        if let Some(h) = attachment
            .as_deref()
            .filter(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            e.push(crate::FieldError::new(
                "attachment_sha256",
                h,
                crate::Msg::new(
                    "bad_sha256",
                    "附件应以 64 位十六进制 SHA-256 标识",
                    "an attachment is named by its 64-hex-digit SHA-256",
                ),
            ));
        }
        match (indicator, score) {
            (Some(indicator), Some(score)) if e.is_empty() => Ok(Entry {
                indicator,
                score,
                evidence,
                attachment_sha256: attachment,
                entered_by: None,
                entered_at: now,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
#[path = "assessment_tests.rs"]
mod tests;

//! Return-risk monitoring (防返贫动态监测): the kinds of monitored
//! household, the risks they are flagged for, how a flag arose, and the
//! steps of a case from flagging to clearing.

use crate::secondment::coded;

coded!(MonitoredKind {
    Unstable = "unstable", "脱贫不稳定户", "Unstable exited household";
    Marginal = "marginal", "边缘易致贫户", "Marginal household at risk";
    Sudden = "sudden", "突发严重困难户", "Household in sudden severe hardship";
});

coded!(Risk {
    LowIncome = "low_income", "收入低于监测标准", "Income below the threshold";
    IncomeDrop = "income_drop", "收入大幅下降", "Large income drop";
    Illness = "illness", "因病", "Illness";
    Disability = "disability", "因残", "Disability";
    Schooling = "schooling", "因学", "Schooling costs";
    Disaster = "disaster", "因灾", "Disaster";
    Accident = "accident", "因意外事故", "Accident";
    BusinessFailure = "business_failure", "因产业经营失败", "Failed business";
    UnstableEmployment = "unstable_employment", "因务工就业不稳", "Unstable employment";
    HousingSafety = "housing_safety", "住房安全问题", "Housing safety";
    WaterSafety = "water_safety", "饮水安全问题", "Drinking-water safety";
});

coded!(MonitoringStatus {
    Flagged = "flagged", "已预警", "Flagged";
    Verified = "verified", "已核实", "Verified";
    Monitored = "monitored", "监测帮扶中", "Monitored";
    Cleared = "cleared", "风险已消除", "Risk cleared";
});

coded!(FlagSource {
    Data = "data", "数据预警", "Registry data";
    Cadre = "cadre", "干部排查", "Found by a cadre";
    Application = "application", "农户自主申报", "Household's own application";
    Alert = "alert", "部门数据比对", "Departmental cross-check";
});

coded!(ClearReason {
    Assistance = "assistance", "帮扶消除", "Cleared by assistance";
    Natural = "natural", "自然消除", "Cleared naturally";
});

// ---- Thresholds, the data rule, the workflow (part B) ----

use crate::error::{optional_text, required_text};
use crate::household_help::HouseholdMeasureCategory;
use crate::records::record_date;
use crate::registry::PovertyStatus;
use crate::role::{Action, Role};
use crate::{FieldError, Msg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Without a threshold set by the office, the income threshold is 1.5 ×
/// the year's poverty line (in per cent of the line).
pub const DEFAULT_LINE_PERCENT: i64 = 150;
/// Without a threshold set by the office, a drop of 30 % from the
/// previous registry year is large.
pub const DEFAULT_DROP_PERCENT: i64 = 30;

/// The thresholds of one province and year: per-capita income below
/// `income_fen` is low income; a fall by `drop_percent` or more from the
/// household's previous registry year is a large drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Threshold {
    /// Two digits (GB/T 2260), e.g. `62` for Gansu.
    pub province_code: String,
    pub year: i32,
    pub income_fen: i64,
    pub drop_percent: i64,
    /// No row set by the office: the default (1.5 × the line, 30 %).
    pub is_default: bool,
}

impl Threshold {
    /// The default of a province and year from that year's poverty line.
    pub fn default_for(province_code: &str, year: i32, line_fen: i64) -> Threshold {
        Threshold {
            province_code: province_code.to_string(),
            year,
            income_fen: line_fen * DEFAULT_LINE_PERCENT / 100,
            drop_percent: DEFAULT_DROP_PERCENT,
            is_default: true,
        }
    }
}

/// A threshold as the office enters it (text, so a wrong value is
/// reported rather than rejected by the decoder).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ThresholdInput {
    pub province_code: String,
    /// Per-capita income per year in fen; forms may give `income_yuan`.
    pub income_fen: String,
    pub income_yuan: String,
    /// Whole per cent, 1–100.
    pub drop_percent: String,
}

fn bad(field: &str, value: &str, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, value.trim(), Msg::new(code, zh, en))
}

impl ThresholdInput {
    pub fn parse(&self, year: i32) -> Result<Threshold, Vec<FieldError>> {
        let mut e = Vec::new();
        let p = self.province_code.trim();
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('0') {
            e.push(bad(
                "province_code",
                p,
                "bad_province",
                "省份代码应为两位数字（如 62 甘肃）",
                "the province code is two digits (e.g. 62 for Gansu)",
            ));
        }
        let income = match (self.income_fen.trim(), self.income_yuan.trim()) {
            ("", y) => crate::registry::parse_yuan(y, false)
                .ok()
                .map(crate::Fen::get),
            (f, _) => f.parse::<i64>().ok(),
        };
        let income = income.filter(|f| (1..=100_000_000).contains(f));
        if income.is_none() {
            let v = format!("{}{}", self.income_fen.trim(), self.income_yuan.trim());
            e.push(bad(
                "income_fen",
                &v,
                "bad_income",
                "收入标准应为正数（元，最多两位小数；或分）",
                "the income threshold must be a positive amount (yuan with at most two decimals, or fen)",
            ));
        }
        let drop = self.drop_percent.trim().parse::<i64>().ok();
        let drop = drop.filter(|d| (1..=100).contains(d));
        if drop.is_none() {
            e.push(bad(
                "drop_percent",
                &self.drop_percent,
                "bad_percent",
                "降幅应为 1 至 100 的整数百分比",
                "the drop must be a whole per cent from 1 to 100",
            ));
        }
        match (income, drop) {
            (Some(income_fen), Some(drop_percent)) if e.is_empty() => Ok(Threshold {
                province_code: p.to_string(),
                year,
                income_fen,
                drop_percent,
                is_default: false,
            }),
            _ => Err(e),
        }
    }
}

/// What the data rule reads of a household's registry year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryIncome {
    pub household_id: String,
    pub status: PovertyStatus,
    /// Per-capita income of the year.
    pub income_fen: i64,
    /// Per-capita income of the household's previous registry year.
    pub previous_income_fen: Option<i64>,
}

/// The kind a household's case gets from its registry status: an exited
/// (or returned) household is an unstable exited household; any other is
/// a marginal household near the line. (Sudden severe hardship is never
/// read from data: a cadre or the household reports it.)
pub fn kind_of(status: PovertyStatus) -> MonitoredKind {
    match status {
        PovertyStatus::Exited | PovertyStatus::Returned => MonitoredKind::Unstable,
        PovertyStatus::Poor => MonitoredKind::Marginal,
    }
}

/// The risks registry data shows: income strictly below the threshold
/// (exactly at it is not below), and a fall from the previous year of at
/// least `drop_percent` per cent (exactly at it counts).
pub fn data_risks(h: &RegistryIncome, t: &Threshold) -> Vec<Risk> {
    let mut risks = Vec::new();
    if h.income_fen < t.income_fen {
        risks.push(Risk::LowIncome);
    }
    if let Some(prev) = h.previous_income_fen.filter(|p| *p > 0) {
        let fall = prev - h.income_fen;
        if fall > 0 && fall as i128 * 100 >= t.drop_percent as i128 * prev as i128 {
            risks.push(Risk::IncomeDrop);
        }
    }
    risks
}

impl Risk {
    /// Read from registry data rather than reported as a shock.
    pub fn is_from_data(self) -> bool {
        matches!(self, Risk::LowIncome | Risk::IncomeDrop)
    }
}

/// A flag a cadre or the county raises by hand (a shock, or what a visit
/// found), or the household's own application.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FlagInput {
    pub household_id: String,
    /// The registry year the household is read on.
    pub year: String,
    pub risk: String,
    /// cadre (found by a cadre) or application (the household applied).
    pub source: String,
    /// A severe shock: its costs or losses exceed what the household can
    /// carry (rigid expenses or a collapse of income), so the case is one
    /// of sudden severe hardship. Only a shock risk may be severe.
    pub severe: bool,
    pub detail: String,
    /// When it was reported (not after today).
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagFields {
    pub household_id: String,
    pub year: i32,
    pub risk: Risk,
    pub source: FlagSource,
    pub severe: bool,
    pub detail: Option<String>,
    pub date: NaiveDate,
}

fn year_field(v: &str, e: &mut Vec<FieldError>) -> Option<i32> {
    let y = v
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if y.is_none() {
        e.push(bad(
            "year",
            v,
            "bad_year",
            "年度应为四位年份",
            "the year must be a four-digit year",
        ));
    }
    y
}

impl FlagInput {
    pub fn parse(&self, today: NaiveDate) -> Result<FlagFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let household_id = required_text("household_id", &self.household_id, 40, &mut e);
        let year = year_field(&self.year, &mut e);
        let risk = Risk::from_code(&self.risk);
        if risk.is_none() {
            e.push(bad(
                "risk",
                &self.risk,
                "bad_risk",
                "不是已知的风险类别",
                "is not a known risk",
            ));
        }
        let source = FlagSource::from_code(&self.source)
            .filter(|s| matches!(s, FlagSource::Cadre | FlagSource::Application));
        if source.is_none() {
            e.push(bad(
                "source",
                &self.source,
                "bad_source",
                "来源应为 cadre（干部排查）或 application（农户自主申报）",
                "the source must be cadre or application",
            ));
        }
        if self.severe && risk.is_some_and(Risk::is_from_data) {
            e.push(bad(
                "severe",
                "true",
                "severe_needs_shock",
                "只有突发事件（病、残、学、灾、意外等）才能认定为突发严重困难",
                "only a shock (illness, disability, schooling, disaster, accident…) can be a sudden severe hardship",
            ));
        }
        let detail = optional_text("detail", &self.detail, 500, &mut e);
        let date = record_date("date", &self.date, today, &mut e);
        match (year, risk, source, date) {
            (Some(year), Some(risk), Some(source), Some(date)) if e.is_empty() => Ok(FlagFields {
                household_id,
                year,
                risk,
                source,
                severe: self.severe,
                detail,
                date,
            }),
            _ => Err(e),
        }
    }
}

/// One legal step of a case and the action that takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitoringStep {
    pub from: MonitoringStatus,
    pub to: MonitoringStatus,
    pub action: Action,
}

/// Verification (a home visit) first; the county's review assigns the
/// measures; clearing needs a verified case. There is no step from
/// flagged to cleared: a flag is never dismissed unverified.
pub const MONITORING_STEPS: [MonitoringStep; 4] = {
    use MonitoringStatus::*;
    const fn s(from: MonitoringStatus, to: MonitoringStatus, action: Action) -> MonitoringStep {
        MonitoringStep { from, to, action }
    }
    [
        s(Flagged, Verified, Action::VerifyMonitoring),
        s(Verified, Monitored, Action::ReviewMonitoring),
        s(Verified, Cleared, Action::ReviewMonitoring),
        s(Monitored, Cleared, Action::ReviewMonitoring),
    ]
};

pub fn monitoring_step(from: MonitoringStatus, to: MonitoringStatus) -> Option<MonitoringStep> {
    MONITORING_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (its buttons).
pub fn monitoring_steps_for(from: MonitoringStatus, role: Role) -> Vec<MonitoringStep> {
    MONITORING_STEPS
        .into_iter()
        .filter(|t| t.from == from && role.may(t.action))
        .collect()
}

/// The rule of clearing: by assistance only from monitored (assistance
/// was given); from verified only naturally (the visit found the risk
/// gone). A household without labour capacity (`no_labour`) is never
/// cleared by assistance: support keeps it afloat, it does not remove the
/// risk, so it stays monitored (a natural clearing — the household's
/// situation itself changed — stays possible).
pub fn clear_refusal(from: MonitoringStatus, reason: ClearReason, no_labour: bool) -> Option<Msg> {
    match (from, reason) {
        (MonitoringStatus::Verified, ClearReason::Assistance) => Some(Msg::new(
            "assistance_without_measures",
            "尚未落实帮扶措施，不能以“帮扶消除”清除风险",
            "no assistance was assigned, so the risk cannot be cleared by assistance",
        )),
        (_, ClearReason::Assistance) if no_labour => Some(Msg::new(
            "no_labour_stays_monitored",
            "无劳动能力户帮扶后仍须持续监测，不能以“帮扶消除”清除风险",
            "a household without labour capacity stays monitored after support; it cannot be cleared by assistance",
        )),
        _ => None,
    }
}

/// A step of a case as entered: its date (not after today) and note; a
/// verification names who visited and what they found and whether the
/// household has labour capacity; a review may carry its first measure;
/// a clearing its reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// verified, monitored or cleared.
    pub to: String,
    pub date: String,
    /// What the visit found, what the review decided, why it is cleared.
    pub note: String,
    /// Verification: who visited.
    pub visitor: String,
    /// Verification: the household has no labour capacity.
    pub no_labour: bool,
    /// Clearing: assistance or natural.
    pub reason: String,
    /// Review: a measure assigned with it (or one added before).
    pub measure_category: String,
    pub measure_description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFields {
    pub to: MonitoringStatus,
    pub date: NaiveDate,
    pub note: Option<String>,
    pub visitor: Option<String>,
    pub no_labour: bool,
    pub reason: Option<ClearReason>,
    pub measure: Option<MeasureFields>,
}

impl StepInput {
    pub fn parse(&self, today: NaiveDate) -> Result<StepFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let to = MonitoringStatus::from_code(&self.to).filter(|s| *s != MonitoringStatus::Flagged);
        if to.is_none() {
            e.push(bad(
                "to",
                &self.to,
                "bad_status",
                "目标状态应为 verified、monitored 或 cleared",
                "the step must go to verified, monitored or cleared",
            ));
        }
        let date = record_date("date", &self.date, today, &mut e);
        let note = optional_text("note", &self.note, 500, &mut e);
        let visitor = match to {
            Some(MonitoringStatus::Verified) => {
                Some(required_text("visitor", &self.visitor, 100, &mut e))
            }
            _ => None,
        };
        if to == Some(MonitoringStatus::Verified) && note.is_none() {
            e.push(FieldError::required("note"));
        }
        let reason = match to {
            Some(MonitoringStatus::Cleared) => {
                let r = ClearReason::from_code(&self.reason);
                if r.is_none() {
                    e.push(bad(
                        "reason",
                        &self.reason,
                        "bad_reason",
                        "消除方式应为 assistance（帮扶消除）或 natural（自然消除）",
                        "the reason must be assistance or natural",
                    ));
                }
                r
            }
            _ => None,
        };
        let measure = match (to, self.measure_category.trim().is_empty()) {
            (Some(MonitoringStatus::Monitored), false) => MeasureInput {
                category: self.measure_category.clone(),
                description: self.measure_description.clone(),
                date: self.date.clone(),
            }
            .parse(today)
            .map_err(|m| e.extend(m))
            .ok(),
            _ => None,
        };
        match (to, date) {
            (Some(to), Some(date)) if e.is_empty() => Ok(StepFields {
                to,
                date,
                note,
                visitor,
                no_labour: self.no_labour,
                reason,
                measure,
            }),
            _ => Err(e),
        }
    }
}

/// An assistance measure assigned to a case.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeasureInput {
    /// industry, employment, education, health, relocation, housing or
    /// social_security.
    pub category: String,
    pub description: String,
    /// When it was assigned (not after today).
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureFields {
    pub category: HouseholdMeasureCategory,
    pub description: String,
    pub date: NaiveDate,
}

impl MeasureInput {
    pub fn parse(&self, today: NaiveDate) -> Result<MeasureFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let category = HouseholdMeasureCategory::parse(&self.category);
        if category.is_none() {
            e.push(bad(
                "category",
                &self.category,
                "bad_kind",
                "措施类别应为产业、就业、教育、健康、易地搬迁、住房或兜底保障之一",
                "must be industry, employment, education, health, relocation, housing or social_security",
            ));
        }
        let description = required_text("description", &self.description, 500, &mut e);
        let date = record_date("date", &self.date, today, &mut e);
        match (category, date) {
            (Some(category), Some(date)) if e.is_empty() => Ok(MeasureFields {
                category,
                description,
                date,
            }),
            _ => Err(e),
        }
    }
}

/// What a list of cases asks for.
#[derive(Debug, Clone, Default)]
pub struct MonitoringFilter {
    pub county_code: Option<String>,
    pub year: Option<i32>,
    pub kind: Option<MonitoredKind>,
    pub status: Option<MonitoringStatus>,
    pub risk: Option<Risk>,
    /// Part of the household number.
    pub q: Option<String>,
}

/// A monitored household as lists and the API show it (no names, no ID
/// numbers: the household card shows its members, masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonitoredHousehold {
    pub id: i64,
    pub household_id: String,
    /// A registry household or one outside the registry (from 2021).
    pub origin: crate::rural::Origin,
    pub county_code: String,
    pub county_name: String,
    /// The registry year the case was opened on.
    pub year: i32,
    pub kind: MonitoredKind,
    /// The risks' codes, in the order they were flagged.
    pub risks: Vec<Risk>,
    pub status: MonitoringStatus,
    /// How the case was first flagged.
    pub source: FlagSource,
    pub no_labour: bool,
    pub flagged_on: NaiveDate,
    pub verified_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub cleared_on: Option<NaiveDate>,
    pub clear_reason: Option<ClearReason>,
    pub measures: Vec<CaseMeasure>,
}

/// An assistance measure of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseMeasure {
    pub id: i64,
    pub category: HouseholdMeasureCategory,
    pub description: String,
    pub on_date: NaiveDate,
}

/// A risk of a case, how and when it was flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseRisk {
    pub risk: Risk,
    pub source: FlagSource,
    pub detail: Option<String>,
    pub flagged_on: NaiveDate,
    /// The departmental alert row that raised it, if any.
    pub alert_row_id: Option<i64>,
}

/// A dated, attributed step of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CaseStep {
    pub from: Option<MonitoringStatus>,
    pub to: MonitoringStatus,
    pub on_date: NaiveDate,
    /// Who took it (display name), empty for the system.
    pub by: String,
    pub note: Option<String>,
}

/// Cases of one county, kind, status and risk (a case with two risks
/// counts under each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonitoringCount {
    pub county_code: String,
    pub kind: MonitoredKind,
    pub status: MonitoringStatus,
    pub risk: Risk,
    pub households: i64,
}

#[cfg(test)]
mod part_b_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn household(status: PovertyStatus, income: i64, prev: Option<i64>) -> RegistryIncome {
        RegistryIncome {
            household_id: "H".into(),
            status,
            income_fen: income,
            previous_income_fen: prev,
        }
    }

    #[test]
    fn the_default_threshold_is_one_and_a_half_lines_and_at_it_is_not_below() {
        let t = Threshold::default_for("62", 2016, 295_200);
        assert_eq!((t.income_fen, t.drop_percent), (442_800, 30));
        let at = household(PovertyStatus::Exited, 442_800, None);
        assert!(data_risks(&at, &t).is_empty());
        let below = household(PovertyStatus::Exited, 442_799, None);
        assert_eq!(data_risks(&below, &t), [Risk::LowIncome]);
    }

    #[test]
    fn a_drop_of_exactly_the_percentage_counts_and_one_fen_less_does_not() {
        let t = Threshold::default_for("62", 2016, 100_000);
        let at = household(PovertyStatus::Poor, 700_000, Some(1_000_000));
        assert_eq!(data_risks(&at, &t), [Risk::IncomeDrop]);
        let less = household(PovertyStatus::Poor, 700_001, Some(1_000_000));
        assert!(data_risks(&less, &t).is_empty());
        assert_eq!(kind_of(PovertyStatus::Poor), MonitoredKind::Marginal);
        assert_eq!(kind_of(PovertyStatus::Returned), MonitoredKind::Unstable);
    }

    #[test]
    fn thresholds_are_checked() {
        let ok = ThresholdInput {
            province_code: "62".into(),
            income_yuan: "4500.50".into(),
            drop_percent: "25".into(),
            ..Default::default()
        };
        assert_eq!(ok.parse(2016).unwrap().income_fen, 450_050);
        let bad = ThresholdInput {
            province_code: "6".into(),
            income_fen: "-1".into(),
            drop_percent: "0".into(),
            ..Default::default()
        };
        let codes: Vec<String> = bad
            .parse(2016)
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(codes, ["bad_province", "bad_income", "bad_percent"]);
    }

    #[test]
    fn verification_comes_first_and_no_labour_households_are_not_cleared_by_assistance() {
        use MonitoringStatus::*;
        assert!(monitoring_step(Flagged, Cleared).is_none());
        assert_eq!(monitoring_steps_for(Flagged, Role::Cadre).len(), 1);
        assert!(monitoring_steps_for(Verified, Role::Cadre).is_empty());
        assert_eq!(monitoring_steps_for(Verified, Role::County).len(), 2);
        assert!(monitoring_steps_for(Monitored, Role::Unit).is_empty());
        assert!(clear_refusal(Monitored, ClearReason::Assistance, false).is_none());
        assert_eq!(
            clear_refusal(Monitored, ClearReason::Assistance, true)
                .unwrap()
                .code,
            "no_labour_stays_monitored"
        );
        assert!(clear_refusal(Monitored, ClearReason::Natural, true).is_none());
        assert!(clear_refusal(Verified, ClearReason::Assistance, false).is_some());
    }

    #[test]
    fn a_step_is_dated_not_in_the_future_and_a_visit_says_who_and_what() {
        let today = d("2017-01-10");
        let step = |to: &str, date: &str| StepInput {
            to: to.into(),
            date: date.into(),
            ..Default::default()
        };
        let codes = |s: StepInput| -> Vec<String> {
            s.parse(today)
                .unwrap_err()
                .into_iter()
                .map(|e| e.msg.code)
                .collect()
        };
        assert_eq!(
            codes(step("verified", "2017-01-11")),
            ["date_in_future", "required", "required"]
        );
        assert_eq!(codes(step("flagged", "2017-01-10")), ["bad_status"]);
        assert_eq!(codes(step("cleared", "2017-01-10")), ["bad_reason"]);
        let mut ok = step("monitored", "2017-01-10");
        ok.measure_category = "health".into();
        ok.measure_description = "大病救助".into();
        assert!(ok.parse(today).unwrap().measure.is_some());
    }

    #[test]
    fn only_a_shock_is_severe() {
        let f = FlagInput {
            household_id: "6230230001".into(),
            year: "2016".into(),
            risk: "low_income".into(),
            source: "cadre".into(),
            severe: true,
            date: "2016-05-01".into(),
            ..Default::default()
        };
        let codes: Vec<String> = f
            .parse(d("2016-06-01"))
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(codes, ["severe_needs_shock"]);
        let shock = FlagInput {
            risk: "illness".into(),
            ..f
        };
        assert!(shock.parse(d("2016-06-01")).unwrap().severe);
    }
}

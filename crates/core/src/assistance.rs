//! Assistance plans (帮扶工作规划): a unit's multi-year plan for one county
//! it is paired with — goals, target villages and households, measures in
//! the glossary's categories — its workflow (drafted by the unit, agreed or
//! returned by the county) and the difference between two versions.

use crate::error::{optional_text, required_text};
use crate::plan_input::{date_field, end_before_start};
use crate::role::Role;
use crate::{Fen, FieldError, Msg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The kinds of work designated assistance does (the glossary's measure
/// categories); projects use them too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureCategory {
    WholeVillageAdvancement,
    IndustryDevelopment,
    Relocation,
    CadreLabourTraining,
    GrassrootsOrganisation,
    Infrastructure,
    Education,
    Health,
    LabourTransfer,
    ConsumptionAssistance,
    Other,
}

pub const ALL_MEASURE_CATEGORIES: [MeasureCategory; 11] = {
    use MeasureCategory::*;
    [
        WholeVillageAdvancement,
        IndustryDevelopment,
        Relocation,
        CadreLabourTraining,
        GrassrootsOrganisation,
        Infrastructure,
        Education,
        Health,
        LabourTransfer,
        ConsumptionAssistance,
        Other,
    ]
};

impl MeasureCategory {
    pub fn code(self) -> &'static str {
        use MeasureCategory::*;
        match self {
            WholeVillageAdvancement => "whole_village_advancement",
            IndustryDevelopment => "industry_development",
            Relocation => "relocation",
            CadreLabourTraining => "cadre_labour_training",
            GrassrootsOrganisation => "grassroots_organisation",
            Infrastructure => "infrastructure",
            Education => "education",
            Health => "health",
            LabourTransfer => "labour_transfer",
            ConsumptionAssistance => "consumption_assistance",
            Other => "other",
        }
    }

    pub fn from_code(s: &str) -> Option<MeasureCategory> {
        ALL_MEASURE_CATEGORIES
            .into_iter()
            .find(|c| c.code() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        use MeasureCategory::*;
        match self {
            WholeVillageAdvancement => "整村推进",
            IndustryDevelopment => "产业发展",
            Relocation => "易地扶贫搬迁",
            CadreLabourTraining => "干部和劳动力培训",
            GrassrootsOrganisation => "基层组织建设",
            Infrastructure => "基础设施",
            Education => "教育",
            Health => "健康",
            LabourTransfer => "劳务输出",
            ConsumptionAssistance => "消费扶贫",
            Other => "其他",
        }
    }

    pub fn en(self) -> &'static str {
        use MeasureCategory::*;
        match self {
            WholeVillageAdvancement => "Whole-village advancement",
            IndustryDevelopment => "Industry development",
            Relocation => "Relocation",
            CadreLabourTraining => "Cadre and labour training",
            GrassrootsOrganisation => "Grassroots organisation building",
            Infrastructure => "Infrastructure",
            Education => "Education",
            Health => "Health",
            LabourTransfer => "Labour transfer",
            ConsumptionAssistance => "Consumption assistance",
            Other => "Other",
        }
    }
}

/// A category field: required and one of the known codes.
pub(crate) fn category_field(
    field: &str,
    value: &str,
    e: &mut Vec<FieldError>,
) -> Option<MeasureCategory> {
    let parsed = MeasureCategory::from_code(value);
    if parsed.is_none() {
        e.push(FieldError::new(
            field,
            value.trim(),
            Msg::new(
                "bad_category",
                "不是已知的帮扶措施类别",
                "is not a known measure category",
            ),
        ));
    }
    parsed
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssistancePlanStatus {
    Draft,
    Submitted,
    Agreed,
    Returned,
    Superseded,
}

pub const ALL_ASSISTANCE_PLAN_STATUSES: [AssistancePlanStatus; 5] = {
    use AssistancePlanStatus::*;
    [Draft, Submitted, Agreed, Returned, Superseded]
};

impl AssistancePlanStatus {
    pub fn code(self) -> &'static str {
        use AssistancePlanStatus::*;
        match self {
            Draft => "draft",
            Submitted => "submitted",
            Agreed => "agreed",
            Returned => "returned",
            Superseded => "superseded",
        }
    }

    pub fn from_code(s: &str) -> Option<AssistancePlanStatus> {
        ALL_ASSISTANCE_PLAN_STATUSES
            .into_iter()
            .find(|c| c.code() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        use AssistancePlanStatus::*;
        match self {
            Draft => "草稿",
            Submitted => "待县确认",
            Agreed => "已确认",
            Returned => "已退回",
            Superseded => "已替代",
        }
    }

    pub fn en(self) -> &'static str {
        use AssistancePlanStatus::*;
        match self {
            Draft => "Draft",
            Submitted => "Submitted",
            Agreed => "Agreed",
            Returned => "Returned",
            Superseded => "Superseded",
        }
    }

    /// The unit may change a plan it has not handed to the county, or one
    /// the county gave back.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            AssistancePlanStatus::Draft | AssistancePlanStatus::Returned
        )
    }
}

/// One legal step and the role that takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub from: AssistancePlanStatus,
    pub to: AssistancePlanStatus,
    pub role: Role,
    /// A comment must be given (returning a plan).
    pub needs_reason: bool,
}

/// The whole workflow. `superseded` is reached only when a later version
/// is agreed, never pressed by hand.
pub const PLAN_STEPS: [PlanStep; 4] = {
    use AssistancePlanStatus::*;
    const fn s(
        from: AssistancePlanStatus,
        to: AssistancePlanStatus,
        role: Role,
        needs_reason: bool,
    ) -> PlanStep {
        PlanStep {
            from,
            to,
            role,
            needs_reason,
        }
    }
    [
        s(Draft, Submitted, Role::Unit, false),
        s(Submitted, Agreed, Role::County, false),
        s(Submitted, Returned, Role::County, true),
        s(Returned, Submitted, Role::Unit, false),
    ]
};

/// The rule for going from `from` to `to`, if the workflow has one.
pub fn plan_step(from: AssistancePlanStatus, to: AssistancePlanStatus) -> Option<PlanStep> {
    PLAN_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (its buttons).
pub fn plan_steps_for(from: AssistancePlanStatus, role: Role) -> Vec<PlanStep> {
    PLAN_STEPS
        .into_iter()
        .filter(|t| t.from == from && t.role == role)
        .collect()
}

/// An assistance plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AssistancePlan {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub goals: String,
    pub status: AssistancePlanStatus,
    pub version: i64,
    pub previous_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One measure of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Measure {
    pub category: MeasureCategory,
    pub description: String,
    #[schema(value_type = Option<i64>)]
    pub budget_fen: Option<Fen>,
}

/// A measure as entered.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeasureInput {
    pub category: String,
    pub description: String,
    /// Whole fen, positive, optional.
    pub budget_fen: Option<i64>,
}

/// A plan as entered in a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssistancePlanInput {
    pub county_code: String,
    pub name: String,
    pub period_start: String,
    pub period_end: String,
    pub goals: String,
    /// 12-digit village codes of the county.
    pub villages: Vec<String>,
    /// Household numbers (户编号) registered in the county.
    pub households: Vec<String>,
    pub measures: Vec<MeasureInput>,
}

/// The checked parts of a plan that two versions are compared on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssistancePlanFields {
    pub name: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub goals: String,
    pub villages: Vec<String>,
    pub households: Vec<String>,
    pub measures: Vec<Measure>,
}

/// What the database says about an input's references.
#[derive(Debug, Clone, Default)]
pub struct AssistancePlanFacts {
    /// The periods of the unit's pairings with the county in plans in force.
    pub pairings: Vec<(NaiveDate, NaiveDate)>,
    /// Of the input's villages, those that are villages of the county.
    pub villages_found: BTreeSet<String>,
    /// Of the input's households, those registered in the county.
    pub households_found: BTreeSet<String>,
}

/// The most measures, villages or households one plan lists.
pub const MAX_LIST: usize = 2000;

/// Trimmed, non-empty, without repeats, in order.
fn distinct(values: &[String]) -> Vec<String> {
    let set: BTreeSet<String> = values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    set.into_iter().collect()
}

/// The values of a list not found in the database: one error naming the
/// first of them.
fn unknown_members(
    field: &str,
    values: &[String],
    found: &BTreeSet<String>,
    msg: (&str, &str, &str),
    e: &mut Vec<FieldError>,
) {
    let missing: Vec<&String> = values.iter().filter(|v| !found.contains(*v)).collect();
    if values.len() > MAX_LIST {
        e.push(FieldError::new(
            field,
            values.len().to_string(),
            Msg::new(
                "too_many",
                format!("最多 {MAX_LIST} 项"),
                format!("at most {MAX_LIST} entries"),
            ),
        ));
    } else if let Some(first) = missing.first() {
        let (code, zh, en) = msg;
        let n = missing.len();
        e.push(FieldError::new(
            field,
            first.as_str(),
            Msg::new(
                code,
                format!("{zh}（共 {n} 项）"),
                format!("{en} ({n} in all)"),
            ),
        ));
    }
}

/// Target villages and households: trimmed, without repeats, each known
/// to the database as the county's (`found`).
pub(crate) fn targets(
    (villages, households): (&[String], &[String]),
    found: (&BTreeSet<String>, &BTreeSet<String>),
    e: &mut Vec<FieldError>,
) -> (Vec<String>, Vec<String>) {
    let villages = distinct(villages);
    let v_msg = (
        "unknown_village",
        "不是本县的村",
        "is not a village of the county",
    );
    unknown_members("villages", &villages, found.0, v_msg, e);
    let households = distinct(households);
    let h_msg = (
        "unknown_household",
        "不是本县登记的贫困户",
        "is not a household registered in the county",
    );
    unknown_members("households", &households, found.1, h_msg, e);
    (villages, households)
}

fn measure(i: usize, m: &MeasureInput, e: &mut Vec<FieldError>) -> Option<Measure> {
    let category = category_field(&format!("measures[{i}].category"), &m.category, e);
    let field = format!("measures[{i}].description");
    let description = required_text(&field, &m.description, 2000, e);
    let budget = match m.budget_fen {
        Some(f) if f <= 0 => {
            e.push(FieldError::new(
                &format!("measures[{i}].budget_fen"),
                f.to_string(),
                Msg::new(
                    "not_positive",
                    "金额应为正的整数分",
                    "must be a positive whole number of fen",
                ),
            ));
            None
        }
        other => other.map(Fen::new),
    };
    Some(Measure {
        category: category?,
        description,
        budget_fen: budget,
    })
}

impl AssistancePlanInput {
    /// Checks every field against the rules and the `facts`, reporting every
    /// problem at once.
    pub fn parse(
        &self,
        facts: &AssistancePlanFacts,
    ) -> Result<AssistancePlanFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = required_text("name", &self.name, 100, &mut e);
        let goals = optional_text("goals", &self.goals, 5000, &mut e).unwrap_or_default();
        let start = date_field("period_start", &self.period_start, &mut e);
        let end = date_field("period_end", &self.period_end, &mut e);
        if let (Some(s), Some(en)) = (start, end) {
            if s > en {
                e.push(end_before_start("period_end", self.period_end.trim()));
            } else {
                within_pairing(&facts.pairings, (s, en), &mut e);
            }
        }
        let (villages, households) = targets(
            (&self.villages, &self.households),
            (&facts.villages_found, &facts.households_found),
            &mut e,
        );
        if self.measures.len() > MAX_LIST {
            e.push(FieldError::too_long("measures", "", MAX_LIST));
        }
        let measures: Vec<Option<Measure>> = self
            .measures
            .iter()
            .enumerate()
            .map(|(i, m)| measure(i, m, &mut e))
            .collect();
        match (start, end) {
            (Some(period_start), Some(period_end)) if e.is_empty() => Ok(AssistancePlanFields {
                name,
                period_start,
                period_end,
                goals,
                villages,
                households,
                measures: measures.into_iter().flatten().collect(),
            }),
            _ => Err(e),
        }
    }
}

/// The plan's period lies within one pairing of the unit with the county.
fn within_pairing(
    pairings: &[(NaiveDate, NaiveDate)],
    (start, end): (NaiveDate, NaiveDate),
    e: &mut Vec<FieldError>,
) {
    if pairings.is_empty() {
        e.push(FieldError::new(
            "county_code",
            "",
            Msg::new(
                "not_paired",
                "本单位与该县没有生效的定点结对，不能为其制定帮扶规划",
                "your unit has no pairing in force with this county, so it cannot plan for it",
            ),
        ));
    } else if !pairings.iter().any(|(s, en)| *s <= start && end <= *en) {
        let periods: Vec<String> = pairings.iter().map(|(s, en)| format!("{s}—{en}")).collect();
        e.push(FieldError::new(
            "period_start",
            format!("{start}—{end}"),
            Msg::new(
                "outside_pairing",
                format!("规划期限须在结对期限之内：{}", periods.join("、")),
                format!(
                    "the period must lie within a pairing: {}",
                    periods.join(", ")
                ),
            ),
        ));
    }
}

/// The difference between two versions of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AssistancePlanDiff {
    /// (field, before, after) of the plan's own fields that changed.
    pub fields: Vec<(String, String, String)>,
    pub villages_added: Vec<String>,
    pub villages_removed: Vec<String>,
    pub households_added: Vec<String>,
    pub households_removed: Vec<String>,
    pub measures_added: Vec<Measure>,
    pub measures_removed: Vec<Measure>,
    /// (before, after) of measures in the same place of the list.
    pub measures_changed: Vec<(Measure, Measure)>,
}

impl AssistancePlanDiff {
    pub fn is_empty(&self) -> bool {
        *self == AssistancePlanDiff::default()
    }
}

fn added_removed(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let added = after
        .iter()
        .filter(|a| !before.contains(a))
        .cloned()
        .collect();
    let removed = before
        .iter()
        .filter(|b| !after.contains(b))
        .cloned()
        .collect();
    (added, removed)
}

/// Compares two versions: fields by name, villages and households as sets,
/// measures by their place in the list.
pub fn diff(before: &AssistancePlanFields, after: &AssistancePlanFields) -> AssistancePlanDiff {
    let mut d = AssistancePlanDiff::default();
    let pairs = [
        ("name", before.name.clone(), after.name.clone()),
        (
            "period_start",
            before.period_start.to_string(),
            after.period_start.to_string(),
        ),
        (
            "period_end",
            before.period_end.to_string(),
            after.period_end.to_string(),
        ),
        ("goals", before.goals.clone(), after.goals.clone()),
    ];
    for (field, b, a) in pairs {
        if b != a {
            d.fields.push((field.to_string(), b, a));
        }
    }
    (d.villages_added, d.villages_removed) = added_removed(&before.villages, &after.villages);
    (d.households_added, d.households_removed) =
        added_removed(&before.households, &after.households);
    let n = before.measures.len().max(after.measures.len());
    for i in 0..n {
        match (before.measures.get(i), after.measures.get(i)) {
            (Some(b), Some(a)) if a != b => d.measures_changed.push((b.clone(), a.clone())),
            (Some(b), None) => d.measures_removed.push(b.clone()),
            (None, Some(a)) => d.measures_added.push(a.clone()),
            _ => {}
        }
    }
    d
}

/// What a list of assistance plans asks for.
#[derive(Debug, Clone, Default)]
pub struct AssistancePlanFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub status: Option<AssistancePlanStatus>,
    /// Text in the name.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssistancePlanStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> AssistancePlanFacts {
        AssistancePlanFacts {
            pairings: vec![(d("2021-01-01"), d("2025-12-31"))],
            villages_found: ["623023100001".to_string()].into(),
            households_found: ["H1".to_string()].into(),
        }
    }

    fn input() -> AssistancePlanInput {
        AssistancePlanInput {
            county_code: "623023".into(),
            name: "舟曲帮扶规划".into(),
            period_start: "2021-01-01".into(),
            period_end: "2025-12-31".into(),
            goals: "脱贫".into(),
            villages: vec!["623023100001".into(), " 623023100001 ".into()],
            households: vec!["H1".into()],
            measures: vec![MeasureInput {
                category: "industry_development".into(),
                description: "花椒种植".into(),
                budget_fen: Some(100),
            }],
        }
    }

    fn codes(r: Result<AssistancePlanFields, Vec<FieldError>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.msg.code).collect()
    }

    #[test]
    fn categories_and_statuses_round_trip() {
        for c in ALL_MEASURE_CATEGORIES {
            assert_eq!(MeasureCategory::from_code(c.code()), Some(c));
            assert!(!c.zh().is_empty() && !c.en().is_empty());
        }
        assert_eq!(ALL_MEASURE_CATEGORIES.len(), 11);
        for s in ALL_ASSISTANCE_PLAN_STATUSES {
            assert_eq!(AssistancePlanStatus::from_code(s.code()), Some(s));
        }
        assert_eq!(MeasureCategory::from_code("tourism"), None);
    }

    #[test]
    fn the_workflow_and_its_buttons() {
        assert_eq!(plan_step(Draft, Submitted).unwrap().role, Role::Unit);
        assert!(plan_step(Submitted, Returned).unwrap().needs_reason);
        assert!(plan_step(Agreed, Draft).is_none());
        assert!(plan_step(Agreed, Superseded).is_none(), "automatic");
        assert_eq!(plan_steps_for(Submitted, Role::County).len(), 2);
        assert!(plan_steps_for(Submitted, Role::Unit).is_empty());
        assert_eq!(plan_steps_for(Returned, Role::Unit)[0].to, Submitted);
    }

    #[test]
    fn a_good_input_is_parsed_with_repeats_removed() {
        let f = input().parse(&facts()).unwrap();
        assert_eq!(f.villages, vec!["623023100001"]);
        assert_eq!(f.measures[0].budget_fen, Some(Fen::new(100)));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut i = input();
        i.name = " ".into();
        i.villages.push("110101001001".into());
        i.households.push("H9".into());
        i.measures[0].category = "tourism".into();
        i.measures[0].budget_fen = Some(0);
        assert_eq!(
            codes(i.parse(&facts())),
            vec![
                "required",
                "unknown_village",
                "unknown_household",
                "bad_category",
                "not_positive"
            ]
        );
    }

    #[test]
    fn the_period_lies_within_a_pairing() {
        let mut i = input();
        i.period_end = "2026-06-30".into();
        assert_eq!(codes(i.parse(&facts())), vec!["outside_pairing"]);
        let none = AssistancePlanFacts {
            pairings: vec![],
            ..facts()
        };
        assert_eq!(codes(input().parse(&none)), vec!["not_paired"]);
        let mut i = input();
        i.period_end = "2020-01-01".into();
        assert_eq!(codes(i.parse(&facts())), vec!["end_before_start"]);
    }

    #[test]
    fn diff_finds_fields_lists_and_measures() {
        let before = input().parse(&facts()).unwrap();
        let mut after = before.clone();
        after.name = "新名称".into();
        after.villages.clear();
        after.households.push("H2".into());
        after.measures[0].description = "花椒和中药材".into();
        after.measures.push(Measure {
            category: MeasureCategory::Education,
            description: "助学".into(),
            budget_fen: None,
        });
        let diff = diff(&before, &after);
        assert_eq!(diff.fields.len(), 1);
        assert_eq!(diff.villages_removed, vec!["623023100001"]);
        assert_eq!(diff.households_added, vec!["H2"]);
        assert_eq!(diff.measures_changed.len(), 1);
        assert_eq!(diff.measures_added.len(), 1);
        assert!(super::diff(&before, &before).is_empty());
    }
}

//! Projects (项目库) under an assistance plan: their lifecycle, each step
//! dated and attributed and never backwards, their input and outputs
//! measured in thousandths.

use crate::assistance::{AssistancePlan, MAX_LIST, MeasureCategory, category_field, targets};
use crate::error::{optional_text, required_text};
use crate::plan_input::{date_field, end_before_start};
use crate::role::Role;
use crate::{Fen, FieldError, Msg};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planned,
    Approved,
    InProgress,
    Completed,
    Accepted,
    Cancelled,
}

pub const ALL_PROJECT_STATUSES: [ProjectStatus; 6] = {
    use ProjectStatus::*;
    [
        Planned, Approved, InProgress, Completed, Accepted, Cancelled,
    ]
};

impl ProjectStatus {
    pub fn code(self) -> &'static str {
        use ProjectStatus::*;
        match self {
            Planned => "planned",
            Approved => "approved",
            InProgress => "in_progress",
            Completed => "completed",
            Accepted => "accepted",
            Cancelled => "cancelled",
        }
    }

    pub fn from_code(s: &str) -> Option<ProjectStatus> {
        ALL_PROJECT_STATUSES
            .into_iter()
            .find(|c| c.code() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        use ProjectStatus::*;
        match self {
            Planned => "计划",
            Approved => "已批准",
            InProgress => "实施中",
            Completed => "已完工",
            Accepted => "已验收",
            Cancelled => "已取消",
        }
    }

    pub fn en(self) -> &'static str {
        use ProjectStatus::*;
        match self {
            Planned => "Planned",
            Approved => "Approved",
            InProgress => "In progress",
            Completed => "Completed",
            Accepted => "Accepted",
            Cancelled => "Cancelled",
        }
    }

    /// Accepted and cancelled projects are closed.
    pub fn is_final(self) -> bool {
        matches!(self, ProjectStatus::Accepted | ProjectStatus::Cancelled)
    }
}

/// One legal step and the role that takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProjectStep {
    pub from: ProjectStatus,
    pub to: ProjectStatus,
    pub role: Role,
    /// A reason must be given (cancelling).
    pub needs_reason: bool,
}

/// The lifecycle: only forwards, cancelled from any state that is not final.
pub const PROJECT_STEPS: [ProjectStep; 8] = {
    use ProjectStatus::*;
    const fn s(from: ProjectStatus, to: ProjectStatus, role: Role) -> ProjectStep {
        ProjectStep {
            from,
            to,
            role,
            needs_reason: matches!(to, Cancelled),
        }
    }
    [
        s(Planned, Approved, Role::County),
        s(Approved, InProgress, Role::Unit),
        s(InProgress, Completed, Role::Unit),
        s(Completed, Accepted, Role::County),
        s(Planned, Cancelled, Role::Unit),
        s(Approved, Cancelled, Role::Unit),
        s(InProgress, Cancelled, Role::Unit),
        s(Completed, Cancelled, Role::Unit),
    ]
};

pub fn project_step(from: ProjectStatus, to: ProjectStatus) -> Option<ProjectStep> {
    PROJECT_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (its buttons).
pub fn project_steps_for(from: ProjectStatus, role: Role) -> Vec<ProjectStep> {
    PROJECT_STEPS
        .into_iter()
        .filter(|t| t.from == from && t.role == role)
        .collect()
}

/// The day something happened on a project: a real date, not in the
/// future, not before the plan's period starts and not before the last
/// step already recorded (a project never goes back in time).
pub fn check_day(
    field: &str,
    value: &str,
    today: NaiveDate,
    not_before: NaiveDate,
) -> Result<NaiveDate, Vec<FieldError>> {
    let mut e = Vec::new();
    let day = date_field(field, value, &mut e);
    let msg = match day {
        None => return Err(e),
        Some(d) if d > today => Msg::new(
            "future_date",
            format!("日期不能晚于今天（{today}）"),
            format!("the date must not be after today ({today})"),
        ),
        Some(d) if d < not_before => Msg::new(
            "too_early",
            format!("日期不能早于 {not_before}（规划开始或上一步骤的日期）"),
            format!("the date must not be before {not_before} (the plan's start or the last step)"),
        ),
        Some(d) => return Ok(d),
    };
    Err(vec![FieldError::new(field, value.trim(), msg)])
}

/// A project as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub name: String,
    pub category: MeasureCategory,
    pub description: Option<String>,
    #[schema(value_type = i64)]
    pub budget_fen: Fen,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub implementer: String,
    pub status: ProjectStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An output with its measure; quantities in thousandths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Output {
    /// 0 until stored.
    pub id: i64,
    pub name: String,
    /// 公里, 户, 公顷, 人次…
    pub measure: String,
    pub planned_milli: i64,
    pub achieved_milli: i64,
}

/// An output as entered: the planned quantity as decimal text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutputInput {
    pub name: String,
    pub measure: String,
    /// Decimal text with at most three decimals, e.g. `2.5`.
    pub planned: String,
}

/// A project as entered in a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProjectInput {
    pub plan_id: Option<i64>,
    pub name: String,
    pub category: String,
    pub description: String,
    /// 12-digit village codes of the plan's county.
    pub villages: Vec<String>,
    /// Whole fen, positive.
    pub budget_fen: Option<i64>,
    pub start_date: String,
    pub end_date: String,
    pub implementer: String,
    pub outputs: Vec<OutputInput>,
    /// Beneficiary households (户编号) registered in the county.
    pub households: Vec<String>,
}

/// A project's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFields {
    pub name: String,
    pub category: MeasureCategory,
    pub description: Option<String>,
    pub villages: Vec<String>,
    pub budget: Fen,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub implementer: String,
    pub outputs: Vec<Output>,
    pub households: Vec<String>,
}

/// What the database says about a project input's references.
#[derive(Debug, Clone, Default)]
pub struct ProjectFacts {
    pub villages_found: BTreeSet<String>,
    pub households_found: BTreeSet<String>,
}

/// The largest quantity an output may have (in whole units).
const MAX_QUANTITY: i64 = 1_000_000_000_000;

/// Decimal text (at most three decimals, not negative) in thousandths:
/// `2.5` → 2500. Never through a float.
pub fn parse_milli(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 3 {
        return None;
    }
    let whole: i64 = whole.parse().ok().filter(|w| *w <= MAX_QUANTITY)?;
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    Some(whole * 1000 + frac)
}

/// Thousandths as decimal text without trailing zeros: 2500 → `2.5`.
pub fn milli_text(m: i64) -> String {
    let (w, f) = (m / 1000, (m % 1000).abs());
    if f == 0 {
        return w.to_string();
    }
    let frac = format!("{f:03}");
    format!("{w}.{}", frac.trim_end_matches('0'))
}

/// A quantity field: decimal text, at most three decimals, not negative.
pub fn quantity_field(field: &str, value: &str) -> Result<i64, Vec<FieldError>> {
    parse_milli(value).ok_or_else(|| {
        vec![FieldError::new(
            field,
            value.trim(),
            Msg::new(
                "bad_quantity",
                "数量应为不小于 0 的数，最多三位小数，例如 2.5",
                "must be a number not below 0 with at most three decimals, e.g. 2.5",
            ),
        )]
    })
}

fn output(i: usize, o: &OutputInput, e: &mut Vec<FieldError>) -> Option<Output> {
    let name = required_text(&format!("outputs[{i}].name"), &o.name, 200, e);
    let measure = required_text(&format!("outputs[{i}].measure"), &o.measure, 20, e);
    let planned = quantity_field(&format!("outputs[{i}].planned"), &o.planned)
        .map_err(|x| e.extend(x))
        .ok()?;
    Some(Output {
        id: 0,
        name,
        measure,
        planned_milli: planned,
        achieved_milli: 0,
    })
}

fn budget(v: Option<i64>, e: &mut Vec<FieldError>) -> Option<Fen> {
    match v {
        Some(f) if f > 0 => Some(Fen::new(f)),
        Some(f) => {
            e.push(FieldError::new(
                "budget_fen",
                f.to_string(),
                Msg::new(
                    "not_positive",
                    "金额应为正的整数分",
                    "must be a positive whole number of fen",
                ),
            ));
            None
        }
        None => {
            e.push(FieldError::required("budget_fen"));
            None
        }
    }
}

impl ProjectInput {
    /// Checks every field against the rules, the plan and the `facts`.
    pub fn parse(
        &self,
        plan: &AssistancePlan,
        facts: &ProjectFacts,
    ) -> Result<ProjectFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = required_text("name", &self.name, 200, &mut e);
        let category = category_field("category", &self.category, &mut e);
        let description = optional_text("description", &self.description, 5000, &mut e);
        let budget = budget(self.budget_fen, &mut e);
        let start = date_field("start_date", &self.start_date, &mut e);
        let end = date_field("end_date", &self.end_date, &mut e);
        if let (Some(s), Some(en)) = (start, end) {
            if s > en {
                e.push(end_before_start("end_date", self.end_date.trim()));
            } else if s < plan.period_start || en > plan.period_end {
                e.push(outside_plan(plan, s, en));
            }
        }
        let implementer = required_text("implementer", &self.implementer, 200, &mut e);
        let (villages, households) = targets(
            (&self.villages, &self.households),
            (&facts.villages_found, &facts.households_found),
            &mut e,
        );
        if self.outputs.len() > MAX_LIST {
            e.push(FieldError::too_long("outputs", "", MAX_LIST));
        }
        let outputs: Vec<Option<Output>> = self
            .outputs
            .iter()
            .enumerate()
            .map(|(i, o)| output(i, o, &mut e))
            .collect();
        match (category, budget, start, end) {
            (Some(category), Some(budget), Some(start_date), Some(end_date)) if e.is_empty() => {
                Ok(ProjectFields {
                    name,
                    category,
                    description,
                    villages,
                    budget,
                    start_date,
                    end_date,
                    implementer,
                    outputs: outputs.into_iter().flatten().collect(),
                    households,
                })
            }
            _ => Err(e),
        }
    }
}

fn outside_plan(plan: &AssistancePlan, s: NaiveDate, en: NaiveDate) -> FieldError {
    let (ps, pe) = (plan.period_start, plan.period_end);
    FieldError::new(
        "start_date",
        format!("{s}—{en}"),
        Msg::new(
            "outside_plan",
            format!("项目日程须在帮扶规划期限（{ps} 至 {pe}）之内"),
            format!("the schedule must lie within the plan's period ({ps} to {pe})"),
        ),
    )
}

/// What a list of projects asks for.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub status: Option<ProjectStatus>,
    /// Text in the name.
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProjectStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_lifecycle_only_goes_forwards() {
        for s in ALL_PROJECT_STATUSES {
            assert_eq!(ProjectStatus::from_code(s.code()), Some(s));
            for t in ALL_PROJECT_STATUSES {
                let ok = project_step(s, t).is_some();
                let forwards = ALL_PROJECT_STATUSES.iter().position(|x| *x == t)
                    > ALL_PROJECT_STATUSES.iter().position(|x| *x == s);
                assert!(!ok || forwards, "{s:?} -> {t:?}");
            }
            let cancellable = project_step(s, Cancelled).is_some();
            assert_eq!(cancellable, !s.is_final(), "{s:?}");
        }
        assert!(project_step(InProgress, Approved).is_none());
        assert_eq!(
            project_step(Completed, Accepted).unwrap().role,
            Role::County
        );
        assert!(project_step(Approved, Cancelled).unwrap().needs_reason);
        assert_eq!(project_steps_for(Planned, Role::County).len(), 1);
        assert_eq!(project_steps_for(Planned, Role::Unit)[0].to, Cancelled);
    }

    #[test]
    fn a_step_is_dated_neither_in_the_future_nor_back_in_time() {
        let today = d("2024-06-30");
        let start = d("2021-01-01");
        assert_eq!(check_day("on", "2024-06-30", today, start), Ok(today));
        let code = |v: &str| {
            check_day("on", v, today, start).unwrap_err()[0]
                .msg
                .code
                .clone()
        };
        assert_eq!(code("2024-07-01"), "future_date");
        assert_eq!(code("2020-12-31"), "too_early");
        assert_eq!(code("2024-02-30"), "bad_date");
        assert_eq!(code(""), "required");
    }

    #[test]
    fn quantities_are_exact_thousandths() {
        assert_eq!(parse_milli("2.5"), Some(2500));
        assert_eq!(parse_milli("100"), Some(100_000));
        assert_eq!(parse_milli("0.001"), Some(1));
        assert_eq!(parse_milli("1.0005"), None);
        assert_eq!(parse_milli("-1"), None);
        assert_eq!(parse_milli("1e3"), None);
        assert_eq!(parse_milli(".5"), None);
        assert_eq!(parse_milli("99999999999999999999"), None);
        assert_eq!(milli_text(2500), "2.5");
        assert_eq!(milli_text(100_000), "100");
        assert_eq!(milli_text(1), "0.001");
    }

    fn plan() -> AssistancePlan {
        AssistancePlan {
            id: 1,
            unit_id: 1,
            unit_name: String::new(),
            county_code: "623023".into(),
            county_name: String::new(),
            name: "p".into(),
            period_start: d("2021-01-01"),
            period_end: d("2025-12-31"),
            goals: String::new(),
            status: crate::assistance::AssistancePlanStatus::Agreed,
            version: 1,
            previous_id: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_project_input_is_checked_as_a_whole() {
        let good = ProjectInput {
            plan_id: Some(1),
            name: "乡村旅游".into(),
            category: "industry_development".into(),
            budget_fen: Some(5_000_000),
            start_date: "2021-03-01".into(),
            end_date: "2022-10-31".into(),
            implementer: "舟曲县文旅局".into(),
            outputs: vec![OutputInput {
                name: "民宿".into(),
                measure: "户".into(),
                planned: "30".into(),
            }],
            ..Default::default()
        };
        let f = good.parse(&plan(), &ProjectFacts::default()).unwrap();
        assert_eq!(f.outputs[0].planned_milli, 30_000);
        let mut bad = good.clone();
        bad.budget_fen = Some(-1);
        bad.end_date = "2026-01-01".into();
        bad.outputs[0].planned = "abc".into();
        bad.villages = vec!["623023999999".into()];
        let codes: Vec<String> = bad
            .parse(&plan(), &ProjectFacts::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.msg.code)
            .collect();
        assert_eq!(
            codes,
            vec![
                "not_positive",
                "outside_plan",
                "unknown_village",
                "bad_quantity"
            ]
        );
    }
}

//! Inspections (督查) of a unit's designated assistance, their findings
//! and the rectification items (整改) each finding opens; who moves an
//! item along; overdue items; and the 6–12-month inspection rule.

use crate::error::{optional_text, required_text};
use crate::plan_input::date_field;
use crate::secondment::{coded, term_end};
use crate::{FieldError, Msg};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The most findings of one inspection, and items of one finding.
pub const MAX_FINDINGS: usize = 30;
pub const MAX_ITEMS: usize = 10;
/// A deadline is a plan: at most three years after the inspection.
pub const DEADLINE_AHEAD_MONTHS: u32 = 36;
/// The rule: a unit's pairing is inspected every 6 to 12 months.
pub const RULE_MONTHS: u32 = 12;

coded!(InspectedBy {
    Unit = "unit", "单位自查", "The unit";
    Office = "office", "国务院扶贫办", "The office";
});

coded!(RectificationStatus {
    Open = "open", "未开始", "Open";
    InProgress = "in_progress", "整改中", "In progress";
    Done = "done", "已完成", "Done";
    Verified = "verified", "已核实", "Verified";
});

impl RectificationStatus {
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RectificationStatus::Done | RectificationStatus::Verified
        )
    }
}

/// Who takes a step: the item's owner, or a verifier (a role that may
/// verify, never the owner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepBy {
    Owner,
    Verifier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RectificationStep {
    pub from: RectificationStatus,
    pub to: RectificationStatus,
    pub by: StepBy,
    /// A note must be given (sending it back).
    pub needs_note: bool,
}

pub const RECTIFICATION_STEPS: [RectificationStep; 4] = {
    use RectificationStatus::*;
    const fn s(
        from: RectificationStatus,
        to: RectificationStatus,
        by: StepBy,
    ) -> RectificationStep {
        RectificationStep {
            from,
            to,
            by,
            needs_note: matches!((from, to), (Done, InProgress)),
        }
    }
    [
        s(Open, InProgress, StepBy::Owner),
        s(InProgress, Done, StepBy::Owner),
        s(Done, Verified, StepBy::Verifier),
        s(Done, InProgress, StepBy::Verifier),
    ]
};

pub fn rectification_step(
    from: RectificationStatus,
    to: RectificationStatus,
) -> Option<RectificationStep> {
    RECTIFICATION_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps open to someone who is (or is not) the owner and may (or may
/// not) verify: an owner never verifies its own item.
pub fn rectification_steps_for(
    from: RectificationStatus,
    is_owner: bool,
    may_verify: bool,
) -> Vec<RectificationStep> {
    RECTIFICATION_STEPS
        .into_iter()
        .filter(|t| t.from == from)
        .filter(|t| match t.by {
            StepBy::Owner => is_owner,
            StepBy::Verifier => may_verify && !is_owner,
        })
        .collect()
}

pub fn verified_by_owner() -> Msg {
    Msg::new(
        "verified_by_owner",
        "整改责任人不能核实自己负责的整改事项，须由督查方核实",
        "a rectification may not be verified by its own owner; the inspecting side verifies it",
    )
}

/// Past its deadline and not yet done.
pub fn is_overdue(status: RectificationStatus, deadline: NaiveDate, today: NaiveDate) -> bool {
    deadline < today && !status.is_closed()
}

/// A rectification item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub finding_id: i64,
    pub inspection_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub finding: String,
    pub action: String,
    /// The owner's account id.
    pub owner: i64,
    pub owner_name: String,
    pub deadline: NaiveDate,
    pub status: RectificationStatus,
    pub done_on: Option<NaiveDate>,
    /// Computed against today when read.
    pub overdue: bool,
}

/// A finding with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub id: i64,
    pub county_code: String,
    pub text: String,
    pub items: Vec<Rectification>,
}

/// An inspection as stored, with its counties and findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub inspected_by: InspectedBy,
    pub date: NaiveDate,
    pub team: String,
    pub summary: String,
    pub counties: Vec<String>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RectificationInput {
    pub action: String,
    /// The owner's account id.
    pub owner: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FindingInput {
    pub county_code: String,
    pub text: String,
    pub items: Vec<RectificationInput>,
}

/// An inspection as a form or the API gives it. `unit_id` is the inspected
/// unit (a unit records only its own; the office names it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InspectionInput {
    pub unit_id: Option<i64>,
    pub date: String,
    pub team: String,
    pub summary: String,
    pub counties: Vec<String>,
    pub findings: Vec<FindingInput>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub action: String,
    pub owner: i64,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFields {
    pub county_code: String,
    pub text: String,
    pub items: Vec<ItemFields>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionFields {
    pub date: NaiveDate,
    pub team: String,
    pub summary: String,
    pub counties: Vec<String>,
    pub findings: Vec<FindingFields>,
}

fn bad(field: &str, value: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, value.trim(), Msg::new(code, zh, en))
}

fn item(
    field: &str,
    i: &RectificationInput,
    date: Option<NaiveDate>,
    e: &mut Vec<FieldError>,
) -> Option<ItemFields> {
    let action = required_text(&format!("{field}.action"), &i.action, 500, e);
    let owner = match i.owner.trim().parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ if i.owner.trim().is_empty() => {
            e.push(FieldError::required(&format!("{field}.owner")));
            None
        }
        _ => {
            e.push(not_an_owner(&format!("{field}.owner"), &i.owner));
            None
        }
    };
    let deadline = date_field(&format!("{field}.deadline"), &i.deadline, e);
    if let (Some(dl), Some(on)) = (deadline, date) {
        let latest = term_end(on, DEADLINE_AHEAD_MONTHS + 1);
        if dl < on || dl > latest {
            e.push(bad(
                &format!("{field}.deadline"),
                &i.deadline,
                "bad_deadline",
                format!("整改期限应在督查日期 {on} 至 {latest} 之间"),
                format!("the deadline must lie between the inspection's date {on} and {latest}"),
            ));
        }
    }
    Some(ItemFields {
        action,
        owner: owner?,
        deadline: deadline?,
    })
}

/// The owner is not one the inspected pairing's accounts (or is unknown:
/// the same words, so the answer reveals no account outside reach).
pub fn not_an_owner(field: &str, value: &str) -> FieldError {
    bad(
        field,
        value,
        "bad_owner",
        "责任人须为该单位、该县或该单位在该县挂职干部的账号".into(),
        "the owner must be an account of the unit, of the county, or of the unit's cadre in the county".into(),
    )
}

pub fn not_visited(field: &str, county: &str) -> FieldError {
    bad(
        field,
        county,
        "county_not_visited",
        "问题所在县须为本次督查到过的县".into(),
        "a finding's county must be one of the counties visited".into(),
    )
}

impl InspectionInput {
    /// Checks every field; the pairing of each county and each owner's
    /// account need the database and are checked by the app.
    pub fn parse(&self, today: NaiveDate) -> Result<InspectionFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let date = date_field("date", &self.date, &mut e);
        let date = match date {
            Some(d) if d > today => {
                e.push(bad(
                    "date",
                    &self.date,
                    "future_date",
                    format!("督查日期不能晚于今天（{today}）"),
                    format!("the inspection's date must not be after today ({today})"),
                ));
                None
            }
            d => d,
        };
        let team = required_text("team", &self.team, 500, &mut e);
        let summary = optional_text("summary", &self.summary, 5000, &mut e).unwrap_or_default();
        let counties: BTreeSet<String> = self
            .counties
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if counties.is_empty() {
            e.push(FieldError::required("counties"));
        }
        if self.findings.len() > MAX_FINDINGS {
            e.push(FieldError::too_long("findings", "", MAX_FINDINGS));
        }
        let findings: Vec<Option<FindingFields>> = self
            .findings
            .iter()
            .take(MAX_FINDINGS)
            .enumerate()
            .map(|(n, f)| finding(n, f, &counties, date, &mut e))
            .collect();
        match date {
            Some(date) if e.is_empty() => Ok(InspectionFields {
                date,
                team,
                summary,
                counties: counties.into_iter().collect(),
                findings: findings.into_iter().flatten().collect(),
            }),
            _ => Err(e),
        }
    }
}

fn finding(
    n: usize,
    f: &FindingInput,
    counties: &BTreeSet<String>,
    date: Option<NaiveDate>,
    e: &mut Vec<FieldError>,
) -> Option<FindingFields> {
    let field = format!("findings[{n}]");
    let county = f.county_code.trim().to_string();
    if !counties.contains(&county) {
        e.push(not_visited(&format!("{field}.county_code"), &county));
    }
    let text = required_text(&format!("{field}.text"), &f.text, 2000, e);
    if f.items.len() > MAX_ITEMS {
        e.push(FieldError::too_long(
            &format!("{field}.items"),
            "",
            MAX_ITEMS,
        ));
    }
    let items: Vec<Option<ItemFields>> = f
        .items
        .iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(k, i)| item(&format!("{field}.items[{k}]"), i, date, e))
        .collect();
    Some(FindingFields {
        county_code: county,
        text,
        items: items.into_iter().collect::<Option<Vec<_>>>()?,
    })
}

/// What a list of inspections asks for.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub year: Option<i32>,
    /// Text in the team, the summary or a finding.
    pub q: Option<String>,
}

/// What a list of rectification items asks for.
#[derive(Debug, Clone, Default)]
pub struct RectificationFilter {
    pub status: Option<RectificationStatus>,
    /// Only those overdue on `today`.
    pub overdue_on: Option<NaiveDate>,
    pub owner: Option<i64>,
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub q: Option<String>,
}

/// Whole months from `a` to `b` (a month counts once its day is reached).
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let m = i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    if b.day() < a.day() { m - 1 } else { m }
}

/// Two inspections more than twelve months apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LongInterval {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub months: i64,
}

/// `later` lies more than twelve months after `earlier`.
fn past_rule(earlier: NaiveDate, later: NaiveDate) -> bool {
    earlier
        .checked_add_months(chrono::Months::new(RULE_MONTHS))
        .is_some_and(|limit| later > limit)
}

/// A pairing against the 6–12-month rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Frequency {
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub inspections: usize,
    pub last: Option<NaiveDate>,
    /// Whole months from the last inspection (or the pairing's start) to today.
    pub months_since: i64,
    pub long_intervals: Vec<LongInterval>,
    /// Not inspected for over twelve months.
    pub flagged: bool,
}

/// The rule over one pairing's inspection dates: intervals over twelve
/// months, and whether more than twelve months have passed since the
/// last (or, never inspected, since the pairing began).
pub fn frequency(
    pairing: &crate::secondment::PairingKey,
    since: NaiveDate,
    dates: &[NaiveDate],
    today: NaiveDate,
) -> Frequency {
    let mut dates: Vec<NaiveDate> = dates.iter().copied().filter(|d| *d <= today).collect();
    dates.sort();
    dates.dedup();
    let long_intervals = dates
        .windows(2)
        .filter(|w| past_rule(w[0], w[1]))
        .map(|w| LongInterval {
            from: w[0],
            to: w[1],
            months: months_between(w[0], w[1]),
        })
        .collect();
    let last = dates.last().copied();
    let from = last.unwrap_or(since);
    Frequency {
        unit_id: pairing.unit_id,
        unit_name: pairing.unit_name.clone(),
        county_code: pairing.county_code.clone(),
        county_name: pairing.county_name.clone(),
        inspections: dates.len(),
        last,
        months_since: months_between(from, today),
        long_intervals,
        flagged: past_rule(from, today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secondment::PairingKey;
    use RectificationStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input() -> InspectionInput {
        InspectionInput {
            unit_id: Some(1),
            date: "2026-05-10".into(),
            team: "督查组".into(),
            summary: String::new(),
            counties: vec!["623023".into()],
            findings: vec![FindingInput {
                county_code: "623023".into(),
                text: "项目进度慢".into(),
                items: vec![RectificationInput {
                    action: "加快进度".into(),
                    owner: "7".into(),
                    deadline: "2026-08-31".into(),
                }],
            }],
        }
    }

    fn codes(i: &InspectionInput, today: &str) -> Vec<(String, String)> {
        i.parse(d(today))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.msg.code))
            .collect()
    }

    #[test]
    fn an_inspection_parses_and_bad_input_is_refused_field_by_field() {
        let ok = input().parse(d("2026-12-05")).unwrap();
        assert_eq!(ok.findings[0].items[0].owner, 7);
        assert_eq!(
            codes(&input(), "2026-05-09"),
            [("date".into(), "future_date".into())]
        );
        let mut bad = input();
        bad.findings[0].county_code = "130125".into();
        bad.findings[0].items[0].deadline = "2026-05-01".into();
        bad.findings[0].items[0].owner = "x".into();
        let got = codes(&bad, "2026-12-05");
        assert_eq!(
            got,
            [
                (
                    "findings[0].county_code".into(),
                    "county_not_visited".into()
                ),
                ("findings[0].items[0].owner".into(), "bad_owner".into()),
                (
                    "findings[0].items[0].deadline".into(),
                    "bad_deadline".into()
                ),
            ]
        );
    }

    #[test]
    fn an_owner_never_verifies_its_own_item() {
        let owner = rectification_steps_for(Done, true, true);
        assert!(owner.is_empty());
        let verifier: Vec<_> = rectification_steps_for(Done, false, true)
            .iter()
            .map(|s| s.to)
            .collect();
        assert_eq!(verifier, [Verified, InProgress]);
        assert!(rectification_step(Done, InProgress).unwrap().needs_note);
        assert_eq!(rectification_steps_for(Open, true, false)[0].to, InProgress);
        assert!(rectification_step(Open, Verified).is_none());
    }

    #[test]
    fn overdue_is_past_the_deadline_and_not_done() {
        let today = d("2026-12-05");
        assert!(is_overdue(Open, d("2026-12-04"), today));
        assert!(is_overdue(InProgress, d("2026-01-01"), today));
        assert!(!is_overdue(Open, d("2026-12-05"), today));
        assert!(!is_overdue(Done, d("2026-01-01"), today));
        assert!(!is_overdue(Verified, d("2026-01-01"), today));
    }

    #[test]
    fn frequency_flags_long_intervals_and_a_year_without_inspection() {
        let p = PairingKey {
            unit_id: 1,
            unit_name: "u".into(),
            county_code: "623023".into(),
            county_name: "舟曲县".into(),
        };
        let dates = [
            d("2024-01-10"),
            d("2024-09-01"),
            d("2025-09-02"),
            d("2026-06-30"),
        ];
        let f = frequency(&p, d("2021-01-01"), &dates, d("2026-12-05"));
        assert_eq!(f.last, Some(d("2026-06-30")));
        assert_eq!(f.months_since, 5);
        assert_eq!(f.long_intervals.len(), 1);
        assert_eq!(f.long_intervals[0].months, 12);
        assert!(!f.flagged);
        let late = frequency(&p, d("2021-01-01"), &dates, d("2027-07-01"));
        assert!(late.flagged);
        let never = frequency(&p, d("2026-03-01"), &[], d("2026-12-05"));
        assert!(!never.flagged);
        assert!(frequency(&p, d("2025-12-04"), &[], d("2026-12-05")).flagged);
        assert_eq!(months_between(d("2024-01-31"), d("2024-02-29")), 0);
    }
}

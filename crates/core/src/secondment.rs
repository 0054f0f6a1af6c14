//! Secondments (挂职): a unit's official posted to a paired county (and
//! optionally one of its villages) for a term, in numbered batches; their
//! lifecycle, their input, and the continuity of each pairing's cadres.

use crate::error::{optional_text, required_text};
use crate::plan_input::{date_field, end_before_start};
use crate::role::Role;
use crate::{FieldError, Msg};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A team leader's default term: three years.
pub const LEADER_TERM_MONTHS: u32 = 36;
/// The longest term a team leader may be given.
pub const LEADER_MAX_MONTHS: u32 = 60;
/// A secondment is planned at most this far ahead of today (a plan, not a
/// record of what happened).
pub const PLAN_AHEAD_MONTHS: u32 = 24;

macro_rules! coded {
    ($name:ident { $($v:ident = $code:literal, $zh:literal, $en:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code),* }
            }
            pub fn from_code(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == s.trim())
            }
            pub fn zh(self) -> &'static str {
                match self { $($name::$v => $zh),* }
            }
            pub fn en(self) -> &'static str {
                match self { $($name::$v => $en),* }
            }
        }
    };
}
pub(crate) use coded;

coded!(SecondmentRole {
    Leader = "leader", "扶贫组组长", "Team leader";
    Member = "member", "组员", "Member";
});

coded!(SecondmentStatus {
    Proposed = "proposed", "拟选派", "Proposed";
    Approved = "approved", "已批准", "Approved";
    Serving = "serving", "在岗", "Serving";
    Completed = "completed", "期满", "Completed";
    Recalled = "recalled", "召回", "Recalled";
});

impl SecondmentStatus {
    /// Completed and recalled secondments are closed: their end is set.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SecondmentStatus::Completed | SecondmentStatus::Recalled
        )
    }
}

/// One legal step, the role that takes it, and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SecondmentStep {
    pub from: SecondmentStatus,
    pub to: SecondmentStatus,
    pub role: Role,
    /// A reason must be given (a recall).
    pub needs_reason: bool,
    /// The step sets the actual end date.
    pub sets_end: bool,
}

/// The unit proposes (creation) and runs the term; the office approves.
pub const SECONDMENT_STEPS: [SecondmentStep; 6] = {
    use SecondmentStatus::*;
    const fn s(from: SecondmentStatus, to: SecondmentStatus, role: Role) -> SecondmentStep {
        SecondmentStep {
            from,
            to,
            role,
            needs_reason: matches!(to, Recalled),
            sets_end: matches!(to, Completed | Recalled),
        }
    }
    [
        s(Proposed, Approved, Role::Office),
        s(Approved, Serving, Role::Unit),
        s(Serving, Completed, Role::Unit),
        s(Proposed, Recalled, Role::Unit),
        s(Approved, Recalled, Role::Unit),
        s(Serving, Recalled, Role::Unit),
    ]
};

pub fn secondment_step(from: SecondmentStatus, to: SecondmentStatus) -> Option<SecondmentStep> {
    SECONDMENT_STEPS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (its buttons).
pub fn secondment_steps_for(from: SecondmentStatus, role: Role) -> Vec<SecondmentStep> {
    SECONDMENT_STEPS
        .into_iter()
        .filter(|t| t.from == from && t.role == role)
        .collect()
}

/// A secondment as stored (the API's fields, and names for pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Secondment {
    pub id: i64,
    pub person_name: String,
    pub person_rank: String,
    pub contact: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub village_code: Option<String>,
    pub village_name: Option<String>,
    pub post: String,
    pub role: SecondmentRole,
    pub batch: i64,
    pub start: NaiveDate,
    pub planned_end: NaiveDate,
    pub end: Option<NaiveDate>,
    pub status: SecondmentStatus,
    pub recall_reason: Option<String>,
    /// The person's own account (role cadre), if linked.
    pub user_id: Option<i64>,
    pub username: Option<String>,
}

impl Secondment {
    /// The last day the person is (or was, or will be) posted: the actual
    /// end once set (a recall counts only up to it), else the planned end.
    pub fn last_day(&self) -> NaiveDate {
        self.end.unwrap_or(self.planned_end)
    }

    /// Posted on `day` (by dates, whatever the status says).
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.last_day()
    }
}

/// A secondment as a form or the API gives it (every field text, so a
/// wrong value is reported, not rejected by the decoder).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SecondmentInput {
    pub person_name: String,
    pub person_rank: String,
    pub contact: String,
    pub county_code: String,
    /// Empty unless posted to one village (驻村第一书记).
    pub village_code: String,
    pub post: String,
    /// leader | member
    pub role: String,
    pub batch: String,
    pub start: String,
    /// Empty for a team leader: three years from the start.
    pub planned_end: String,
}

/// A checked secondment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondmentFields {
    pub person_name: String,
    pub person_rank: String,
    pub contact: String,
    pub county_code: String,
    pub village_code: Option<String>,
    pub post: String,
    pub role: SecondmentRole,
    pub batch: i64,
    pub start: NaiveDate,
    pub planned_end: NaiveDate,
}

fn bad(field: &str, value: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, value.trim(), Msg::new(code, zh, en))
}

/// `start + months − 1 day`: a term of whole months ends the day before.
pub fn term_end(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(start)
}

fn role_field(v: &str, e: &mut Vec<FieldError>) -> Option<SecondmentRole> {
    let r = SecondmentRole::from_code(v);
    if r.is_none() {
        e.push(bad(
            "role",
            v,
            "bad_role",
            "职务应为 leader（扶贫组组长）或 member（组员）".into(),
            "role must be leader or member".into(),
        ));
    }
    r
}

fn batch_field(v: &str, e: &mut Vec<FieldError>) -> Option<i64> {
    match v.trim().parse::<i64>() {
        Ok(b) if (1..=99).contains(&b) => Some(b),
        _ => {
            e.push(bad(
                "batch",
                v,
                "bad_batch",
                "批次应为 1 至 99 的整数".into(),
                "the batch must be a whole number from 1 to 99".into(),
            ));
            None
        }
    }
}

impl SecondmentInput {
    /// Checks every field; collects every problem. The pairing, the
    /// village and overlaps need the database and are checked by the app.
    pub fn parse(&self, today: NaiveDate) -> Result<SecondmentFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let person_name = required_text("person_name", &self.person_name, 50, &mut e);
        let person_rank = required_text("person_rank", &self.person_rank, 50, &mut e);
        let contact = required_text("contact", &self.contact, 100, &mut e);
        let post = required_text("post", &self.post, 100, &mut e);
        let county_code = required_text("county_code", &self.county_code, 6, &mut e);
        let village_code = optional_text("village_code", &self.village_code, 12, &mut e);
        let role = role_field(&self.role, &mut e);
        let batch = batch_field(&self.batch, &mut e);
        let start = date_field("start", &self.start, &mut e);
        let latest = today
            .checked_add_months(Months::new(PLAN_AHEAD_MONTHS))
            .unwrap_or(today);
        if let Some(s) = start.filter(|s| *s > latest) {
            e.push(bad(
                "start",
                &self.start,
                "far_future",
                format!("开始日期 {s} 太远：最迟为 {latest}（两年之内）"),
                format!("the start {s} is too far ahead: at most {latest} (two years)"),
            ));
        }
        let planned_end = self.planned_end(role, start, &mut e);
        match (role, batch, start, planned_end) {
            (Some(role), Some(batch), Some(start), Some(planned_end)) if e.is_empty() => {
                Ok(SecondmentFields {
                    person_name,
                    person_rank,
                    contact,
                    county_code,
                    village_code,
                    post,
                    role,
                    batch,
                    start,
                    planned_end,
                })
            }
            _ => Err(e),
        }
    }

    /// The planned end: given, or (a team leader) three years from the
    /// start; never before the start; a team leader's at most five years.
    fn planned_end(
        &self,
        role: Option<SecondmentRole>,
        start: Option<NaiveDate>,
        e: &mut Vec<FieldError>,
    ) -> Option<NaiveDate> {
        let given = self.planned_end.trim();
        let end = match (given.is_empty(), role, start) {
            (true, Some(SecondmentRole::Leader), Some(s)) => Some(term_end(s, LEADER_TERM_MONTHS)),
            _ => date_field("planned_end", given, e),
        }?;
        let start = start?;
        if end < start {
            e.push(end_before_start("planned_end", given));
            return None;
        }
        let longest = term_end(start, LEADER_MAX_MONTHS);
        if role == Some(SecondmentRole::Leader) && end > longest {
            e.push(bad(
                "planned_end",
                given,
                "leader_term_too_long",
                format!("扶贫组组长任期不能超过五年（最迟 {longest}）"),
                format!("a team leader's term must not exceed five years (at most {longest})"),
            ));
            return None;
        }
        Some(end)
    }
}

/// Persons are identified by unit + name because the form holds no ID
/// number: spaces (also full-width) are ignored, case folded.
pub fn same_person(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

/// The first of `existing` (the unit's secondments, the edited one left
/// out) that is the same person over an intersecting period.
pub fn overlapping<'a>(
    name: &str,
    (start, end): (NaiveDate, NaiveDate),
    existing: &'a [Secondment],
) -> Option<&'a Secondment> {
    existing
        .iter()
        .find(|s| same_person(&s.person_name, name) && s.start <= end && start <= s.last_day())
}

pub fn overlap_error(other: &Secondment) -> FieldError {
    let (s, e) = (other.start, other.last_day());
    bad(
        "start",
        &other.start.to_string(),
        "overlapping_secondment",
        format!("同一人员（本单位同名）在 {s} 至 {e} 已有挂职，期间不能重叠"),
        format!(
            "the same person (same unit and name) is already seconded from {s} to {e}; periods must not overlap"
        ),
    )
}

pub fn not_a_village(code: &str) -> FieldError {
    bad(
        "village_code",
        code,
        "not_a_village",
        "该代码不是所选县的行政村".into(),
        "the code is not a village of the chosen county".into(),
    )
}

/// The end a closing step sets must lie within the term's dates and not
/// after today (it happened).
pub fn end_day(
    s: &Secondment,
    value: &str,
    today: NaiveDate,
) -> Result<NaiveDate, Vec<FieldError>> {
    let v = value.trim();
    let day = if v.is_empty() {
        Some(today)
    } else {
        crate::time::parse_date(v)
    };
    match day {
        Some(d) if d >= s.start && d <= today => Ok(d),
        _ => Err(vec![bad(
            "end",
            v,
            "bad_end",
            format!("结束日期应在 {} 至今天（{today}）之间", s.start),
            format!("the end must lie between {} and today ({today})", s.start),
        )]),
    }
}

/// What a list of secondments asks for.
#[derive(Debug, Clone, Default)]
pub struct SecondmentFilter {
    pub unit_id: Option<i64>,
    pub county_code: Option<String>,
    pub status: Option<SecondmentStatus>,
    pub batch: Option<i64>,
    /// Serving ones without an account of their own.
    pub without_account: bool,
    /// Text in the name or post.
    pub q: Option<String>,
}

/// An account offered in a form (a cadre to link, an item's owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AccountChoice {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// A pairing as continuity reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub struct PairingKey {
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
}

/// One batch's period: its earliest start to its latest end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchPeriod {
    pub batch: i64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cadres: usize,
}

/// Days between two batches with nobody posted (`from..=to`), or days
/// both served (`overlap`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchSeam {
    pub before: i64,
    pub after: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: i64,
}

/// The continuity of one pairing's secondments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Continuity {
    #[serde(flatten)]
    pub pairing: PairingKey,
    pub batches: Vec<BatchPeriod>,
    pub gaps: Vec<BatchSeam>,
    pub overlaps: Vec<BatchSeam>,
    /// Cadres serving today.
    pub serving: usize,
    /// Team leaders who left (completed or recalled) before three years.
    pub early_leavers: Vec<Secondment>,
}

impl Continuity {
    /// Something to act on: a gap, an overlap, nobody serving, an early leaver.
    pub fn flagged(&self) -> bool {
        !self.gaps.is_empty()
            || !self.overlaps.is_empty()
            || self.serving == 0
            || !self.early_leavers.is_empty()
    }
}

fn batches(list: &[&Secondment]) -> Vec<BatchPeriod> {
    let mut by: BTreeMap<i64, BatchPeriod> = BTreeMap::new();
    for s in list {
        let b = by.entry(s.batch).or_insert(BatchPeriod {
            batch: s.batch,
            start: s.start,
            end: s.last_day(),
            cadres: 0,
        });
        b.start = b.start.min(s.start);
        b.end = b.end.max(s.last_day());
        b.cadres += 1;
    }
    let mut v: Vec<BatchPeriod> = by.into_values().collect();
    v.sort_by_key(|b| (b.start, b.batch));
    v
}

/// Gaps and overlaps between consecutive batches (by start).
fn seams(batches: &[BatchPeriod]) -> (Vec<BatchSeam>, Vec<BatchSeam>) {
    let (mut gaps, mut overlaps) = (Vec::new(), Vec::new());
    for w in batches.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let next_day = a.end + Days::new(1);
        if b.start > next_day {
            let to = b.start - Days::new(1);
            gaps.push(BatchSeam {
                before: a.batch,
                after: b.batch,
                from: next_day,
                to,
                days: (to - next_day).num_days() + 1,
            });
        } else if b.start <= a.end {
            let to = a.end.min(b.end);
            overlaps.push(BatchSeam {
                before: a.batch,
                after: b.batch,
                from: b.start,
                to,
                days: (to - b.start).num_days() + 1,
            });
        }
    }
    (gaps, overlaps)
}

/// The continuity of each pairing: its batches (proposed secondments are
/// not yet anyone's posting and are left out), the gaps and overlaps
/// between them, who serves today, and team leaders who left early.
pub fn continuity(
    pairings: &[PairingKey],
    secondments: &[Secondment],
    today: NaiveDate,
) -> Vec<Continuity> {
    pairings
        .iter()
        .map(|p| {
            let mine: Vec<&Secondment> = secondments
                .iter()
                .filter(|s| s.unit_id == p.unit_id && s.county_code == p.county_code)
                .filter(|s| s.status != SecondmentStatus::Proposed)
                .collect();
            let batches = batches(&mine);
            let (gaps, overlaps) = seams(&batches);
            let serving = mine
                .iter()
                .filter(|s| s.status == SecondmentStatus::Serving && s.covers(today))
                .count();
            let early_leavers = mine
                .iter()
                .filter(|s| s.role == SecondmentRole::Leader && s.status.is_final())
                .filter(|s| s.last_day() < term_end(s.start, LEADER_TERM_MONTHS))
                .map(|s| (*s).clone())
                .collect();
            Continuity {
                pairing: p.clone(),
                batches,
                gaps,
                overlaps,
                serving,
                early_leavers,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use SecondmentStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(role: &str, start: &str, end: &str) -> SecondmentInput {
        SecondmentInput {
            person_name: "张三".into(),
            person_rank: "处级".into(),
            contact: "0941-1234567".into(),
            county_code: "623023".into(),
            post: "副县长".into(),
            role: role.into(),
            batch: "1".into(),
            start: start.into(),
            planned_end: end.into(),
            ..Default::default()
        }
    }

    fn codes(r: Result<SecondmentFields, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.msg.code)
            .collect()
    }

    #[test]
    fn a_team_leader_serves_three_years_by_default_and_at_most_five() {
        let today = d("2026-12-05");
        let f = input("leader", "2024-07-01", "").parse(today).unwrap();
        assert_eq!(f.planned_end, d("2027-06-30"));
        assert_eq!(
            codes(input("leader", "2024-07-01", "2029-07-01").parse(today)),
            ["leader_term_too_long"]
        );
        assert!(
            input("leader", "2024-07-01", "2029-06-30")
                .parse(today)
                .is_ok()
        );
        assert!(
            input("member", "2024-07-01", "2031-06-30")
                .parse(today)
                .is_ok()
        );
        assert_eq!(
            codes(input("member", "2024-07-01", "").parse(today)),
            ["required"]
        );
        assert_eq!(
            codes(input("member", "2024-07-01", "2024-06-30").parse(today)),
            ["end_before_start"]
        );
        assert_eq!(
            codes(input("leader", "2029-01-01", "").parse(today)),
            ["far_future"]
        );
    }

    #[test]
    fn every_problem_is_collected() {
        let bad = SecondmentInput {
            person_name: "甲".repeat(51),
            role: "boss".into(),
            batch: "0".into(),
            start: "someday".into(),
            ..Default::default()
        };
        let mut got = codes(bad.parse(d("2026-01-01")));
        got.sort();
        assert_eq!(
            got,
            [
                "bad_batch",
                "bad_date",
                "bad_role",
                "required",
                "required",
                "required",
                "required",
                "required",
                "too_long"
            ]
        );
    }

    #[test]
    fn steps_are_those_of_the_table_by_role() {
        assert_eq!(secondment_steps_for(Proposed, Role::Office).len(), 1);
        assert_eq!(
            secondment_steps_for(Serving, Role::Unit)
                .iter()
                .map(|s| s.to)
                .collect::<Vec<_>>(),
            [Completed, Recalled]
        );
        assert!(secondment_step(Completed, Serving).is_none());
        assert!(secondment_step(Serving, Recalled).unwrap().needs_reason);
        for s in SecondmentStatus::ALL {
            assert_eq!(SecondmentStatus::from_code(s.code()), Some(*s));
        }
    }

    fn row(
        id: i64,
        batch: i64,
        role: SecondmentRole,
        (start, end): (&str, &str),
        status: SecondmentStatus,
    ) -> Secondment {
        Secondment {
            id,
            person_name: format!("人{id}"),
            person_rank: "处级".into(),
            contact: String::new(),
            unit_id: 1,
            unit_name: "单位".into(),
            county_code: "623023".into(),
            county_name: "舟曲县".into(),
            village_code: None,
            village_name: None,
            post: "副县长".into(),
            role,
            batch,
            start: d(start),
            planned_end: d(end),
            end: status.is_final().then(|| d(end)),
            status,
            recall_reason: None,
            user_id: None,
            username: None,
        }
    }

    fn key() -> PairingKey {
        PairingKey {
            unit_id: 1,
            unit_name: "单位".into(),
            county_code: "623023".into(),
            county_name: "舟曲县".into(),
        }
    }

    #[test]
    fn continuity_finds_gaps_overlaps_nobody_serving_and_early_leavers() {
        use SecondmentRole::*;
        let rows = vec![
            row(1, 1, Leader, ("2010-07-01", "2013-06-30"), Completed),
            row(2, 1, Member, ("2010-07-01", "2011-06-30"), Completed),
            row(3, 2, Leader, ("2015-01-01", "2016-03-31"), Recalled),
            row(4, 3, Member, ("2016-01-01", "2017-12-31"), Completed),
            row(5, 4, Member, ("2030-01-01", "2031-12-31"), Proposed),
        ];
        let c = &continuity(&[key()], &rows, d("2026-12-05"))[0];
        assert_eq!(c.batches.len(), 3);
        assert_eq!(c.gaps.len(), 1);
        assert_eq!(
            (c.gaps[0].from, c.gaps[0].to),
            (d("2013-07-01"), d("2014-12-31"))
        );
        assert_eq!(c.gaps[0].days, 549);
        assert_eq!(c.overlaps.len(), 1);
        assert_eq!(
            (c.overlaps[0].from, c.overlaps[0].to, c.overlaps[0].days),
            (d("2016-01-01"), d("2016-03-31"), 91)
        );
        assert_eq!(c.serving, 0);
        assert_eq!(
            c.early_leavers.iter().map(|s| s.id).collect::<Vec<_>>(),
            [3]
        );
        assert!(c.flagged());
        let serving = vec![row(6, 5, Leader, ("2024-07-01", "2027-06-30"), Serving)];
        let c = &continuity(&[key()], &serving, d("2026-12-05"))[0];
        assert_eq!(c.serving, 1);
        assert!(!c.flagged());
    }

    #[test]
    fn overlap_is_by_unit_and_normalised_name_and_a_recall_counts_to_its_end() {
        let mut r = row(
            1,
            1,
            SecondmentRole::Member,
            ("2020-01-01", "2022-12-31"),
            Recalled,
        );
        r.person_name = "张 三".into();
        r.end = Some(d("2020-06-30"));
        let rows = [r];
        assert!(overlapping("张三", (d("2020-06-01"), d("2021-01-01")), &rows).is_some());
        assert!(overlapping("张三", (d("2020-07-01"), d("2021-01-01")), &rows).is_none());
        assert!(overlapping("李四", (d("2020-06-01"), d("2021-01-01")), &rows).is_none());
    }
}

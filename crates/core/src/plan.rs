//! Pairing plans: their kinds, statuses, the legal workflow and the
//! difference between two versions.

use crate::role::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PairingPlanKind {
    Overall,
    Specific,
}

impl PairingPlanKind {
    pub fn parse(s: &str) -> Option<PairingPlanKind> {
        match s {
            "overall" => Some(PairingPlanKind::Overall),
            "specific" => Some(PairingPlanKind::Specific),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PairingPlanKind::Overall => "overall",
            PairingPlanKind::Specific => "specific",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PairingPlanStatus {
    Draft,
    Consultation,
    Submitted,
    Returned,
    Approved,
    Active,
    Superseded,
}

pub const ALL_PLAN_STATUSES: [PairingPlanStatus; 7] = [
    PairingPlanStatus::Draft,
    PairingPlanStatus::Consultation,
    PairingPlanStatus::Submitted,
    PairingPlanStatus::Returned,
    PairingPlanStatus::Approved,
    PairingPlanStatus::Active,
    PairingPlanStatus::Superseded,
];

impl PairingPlanStatus {
    pub fn parse(s: &str) -> Option<PairingPlanStatus> {
        ALL_PLAN_STATUSES.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PairingPlanStatus::Draft => "draft",
            PairingPlanStatus::Consultation => "consultation",
            PairingPlanStatus::Submitted => "submitted",
            PairingPlanStatus::Returned => "returned",
            PairingPlanStatus::Approved => "approved",
            PairingPlanStatus::Active => "active",
            PairingPlanStatus::Superseded => "superseded",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            PairingPlanStatus::Draft => "草稿",
            PairingPlanStatus::Consultation => "征求意见",
            PairingPlanStatus::Submitted => "审核中",
            PairingPlanStatus::Returned => "退回",
            PairingPlanStatus::Approved => "已通过",
            PairingPlanStatus::Active => "执行中",
            PairingPlanStatus::Superseded => "已替代",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            PairingPlanStatus::Draft => "Draft",
            PairingPlanStatus::Consultation => "In consultation",
            PairingPlanStatus::Submitted => "Submitted",
            PairingPlanStatus::Returned => "Returned",
            PairingPlanStatus::Approved => "Approved",
            PairingPlanStatus::Active => "Active",
            PairingPlanStatus::Superseded => "Superseded",
        }
    }

    /// Only drafts may be edited; everything later is fixed or needs a new version.
    pub fn is_editable(self) -> bool {
        self == PairingPlanStatus::Draft
    }

    /// Approved and later plans are immutable; changes need a new version.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            PairingPlanStatus::Approved | PairingPlanStatus::Active | PairingPlanStatus::Superseded
        )
    }
}

/// One legal step of the workflow and the role that may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: PairingPlanStatus,
    pub to: PairingPlanStatus,
    pub role: Role,
    /// A reason must be given (returning a plan).
    pub needs_reason: bool,
}

/// The whole workflow. `superseded` is reached only by activating a later
/// plan, never pressed by hand.
pub const TRANSITIONS: [Transition; 7] = {
    use PairingPlanStatus::*;
    const fn t(
        from: PairingPlanStatus,
        to: PairingPlanStatus,
        role: Role,
        needs_reason: bool,
    ) -> Transition {
        Transition {
            from,
            to,
            role,
            needs_reason,
        }
    }
    [
        t(Draft, Consultation, Role::Office, false),
        t(Consultation, Draft, Role::Office, false),
        t(Consultation, Submitted, Role::Office, false),
        t(Submitted, Approved, Role::Reviewer, false),
        t(Submitted, Returned, Role::Reviewer, true),
        t(Returned, Draft, Role::Office, false),
        t(Approved, Active, Role::Office, false),
    ]
};

/// The rule for going from `from` to `to`, if the workflow has one.
pub fn transition(from: PairingPlanStatus, to: PairingPlanStatus) -> Option<Transition> {
    TRANSITIONS
        .into_iter()
        .find(|t| t.from == from && t.to == to)
}

/// The steps a role may take from a status (the buttons it sees).
pub fn transitions_for(from: PairingPlanStatus, role: Role) -> Vec<Transition> {
    TRANSITIONS
        .into_iter()
        .filter(|t| t.from == from && t.role == role)
        .collect()
}

/// A reason the system itself writes into a plan's history. It is stored
/// as a code with its parameter (`sys:revises:3`), never as text in one
/// language, and put into words in the reader's language when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemReason {
    /// The plan is a new version of this version number.
    Revises(i64),
    /// The plan was superseded when this plan came into force.
    SupersededBy(i64),
    /// The specific plan was drawn from this overall plan.
    DrawnFrom(i64),
}

/// Stored reasons that start with this are the system's own; a person's
/// reason may not.
pub const SYSTEM_REASON_PREFIX: &str = "sys:";

impl SystemReason {
    /// The stored form.
    pub fn code(self) -> String {
        let (name, n) = match self {
            SystemReason::Revises(n) => ("revises", n),
            SystemReason::SupersededBy(n) => ("superseded_by", n),
            SystemReason::DrawnFrom(n) => ("drawn_from", n),
        };
        format!("{SYSTEM_REASON_PREFIX}{name}:{n}")
    }

    /// Reads a stored reason back; `None` for a person's own words.
    pub fn parse(stored: &str) -> Option<SystemReason> {
        let rest = stored.strip_prefix(SYSTEM_REASON_PREFIX)?;
        let (name, n) = rest.split_once(':')?;
        let n: i64 = n.parse().ok()?;
        match name {
            "revises" => Some(SystemReason::Revises(n)),
            "superseded_by" => Some(SystemReason::SupersededBy(n)),
            "drawn_from" => Some(SystemReason::DrawnFrom(n)),
            _ => None,
        }
    }

    /// The reason in words, in one language (`zh` or `en`).
    pub fn text(self, lang: &str) -> String {
        let en = lang == "en";
        match self {
            SystemReason::Revises(v) if en => format!("revises version {v}"),
            SystemReason::Revises(v) => format!("第 {v} 版的修订"),
            SystemReason::SupersededBy(p) if en => format!("superseded by plan #{p}"),
            SystemReason::SupersededBy(p) => format!("由方案 #{p} 替代"),
            SystemReason::DrawnFrom(p) if en => format!("drawn from overall plan #{p}"),
            SystemReason::DrawnFrom(p) => format!("依据总体方案 #{p}"),
        }
    }
}

/// A stored history reason as a reader sees it: the system's own put into
/// the reader's language, a person's words as written.
pub fn reason_text(stored: &str, lang: &str) -> String {
    match SystemReason::parse(stored) {
        Some(r) => r.text(lang),
        None => stored.to_string(),
    }
}

/// The longest comment a unit may give in consultation.
pub const MAX_FEEDBACK_CHARS: usize = 2000;

/// Checks a unit's answer in consultation: `accept` or `comment`, and a
/// comment says something, in at most [`MAX_FEEDBACK_CHARS`] characters.
/// Returns the kind and the text, both trimmed, the text `None` when empty.
pub fn check_feedback<'a>(
    kind: &'a str,
    text: &'a str,
) -> Result<(&'a str, Option<&'a str>), Vec<crate::FieldError>> {
    use crate::{FieldError, Msg};
    let (kind, text) = (kind.trim(), text.trim());
    if !matches!(kind, "accept" | "comment") {
        return Err(vec![FieldError::new(
            "kind",
            kind,
            Msg::new(
                "bad_feedback",
                "意见类型应为 accept（同意）或 comment（提意见）",
                "must be accept or comment",
            ),
        )]);
    }
    if kind == "comment" && text.is_empty() {
        return Err(vec![FieldError::required("text")]);
    }
    if text.chars().count() > MAX_FEEDBACK_CHARS {
        return Err(vec![FieldError::too_long("text", text, MAX_FEEDBACK_CHARS)]);
    }
    Ok((kind, Some(text).filter(|t| !t.is_empty())))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PairingRole {
    Lead,
    Member,
}

impl PairingRole {
    pub fn parse(s: &str) -> Option<PairingRole> {
        match s.trim() {
            "lead" | "牵头" | "牵头单位" => Some(PairingRole::Lead),
            "member" | "参与" | "成员" | "成员单位" => Some(PairingRole::Member),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PairingRole::Lead => "lead",
            PairingRole::Member => "member",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            PairingRole::Lead => "牵头",
            PairingRole::Member => "参与",
        }
    }
}

/// The part of a pairing that two versions of a plan are compared on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairingTerms {
    pub unit_id: i64,
    pub county_code: String,
    pub role: PairingRole,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PairingPlanDiff {
    pub added: Vec<PairingTerms>,
    pub removed: Vec<PairingTerms>,
    /// (before, after) for the same unit and county.
    pub changed: Vec<(PairingTerms, PairingTerms)>,
}

impl PairingPlanDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two versions' pairings, matched by unit and county.
pub fn diff_pairings(before: &[PairingTerms], after: &[PairingTerms]) -> PairingPlanDiff {
    let key = |p: &PairingTerms| (p.unit_id, p.county_code.clone());
    let mut diff = PairingPlanDiff::default();
    for b in before {
        match after.iter().find(|a| key(a) == key(b)) {
            None => diff.removed.push(b.clone()),
            Some(a) if a != b => diff.changed.push((b.clone(), a.clone())),
            Some(_) => {}
        }
    }
    for a in after {
        if !before.iter().any(|b| key(b) == key(a)) {
            diff.added.push(a.clone());
        }
    }
    diff
}

#[cfg(test)]
mod tests {
    #[test]
    fn system_reasons_are_stored_as_codes_and_read_in_one_language() {
        for r in [
            SystemReason::Revises(3),
            SystemReason::SupersededBy(12),
            SystemReason::DrawnFrom(7),
        ] {
            let stored = r.code();
            assert!(!stored.chars().any(|c| c > '\u{7f}'), "{stored}");
            assert_eq!(SystemReason::parse(&stored), Some(r));
            let zh = reason_text(&stored, "zh");
            let en = reason_text(&stored, "en");
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
            assert!(en.is_ascii() && !en.contains('/'), "{en}");
        }
        assert_eq!(reason_text("材料不全", "en"), "材料不全");
        assert_eq!(SystemReason::parse("sys:unknown:1"), None);
    }

    use super::*;
    use PairingPlanStatus::*;

    #[test]
    fn legal_transitions_and_their_roles() {
        assert_eq!(transition(Draft, Consultation).unwrap().role, Role::Office);
        assert_eq!(
            transition(Submitted, Approved).unwrap().role,
            Role::Reviewer
        );
        assert!(transition(Submitted, Returned).unwrap().needs_reason);
        assert!(transition(Draft, Approved).is_none());
        assert!(
            transition(Active, Superseded).is_none(),
            "superseding is automatic"
        );
        assert!(
            transition(Approved, Draft).is_none(),
            "approved plans are immutable"
        );
    }

    #[test]
    fn every_status_but_superseded_can_be_left() {
        for s in ALL_PLAN_STATUSES {
            let leaves = TRANSITIONS.iter().any(|t| t.from == s);
            assert_eq!(leaves, !matches!(s, Active | Superseded), "{s:?}");
        }
    }

    #[test]
    fn feedback_is_an_agreement_or_a_comment_that_says_something() {
        assert_eq!(check_feedback(" accept ", " "), Ok(("accept", None)));
        assert_eq!(
            check_feedback("comment", " 建议 "),
            Ok(("comment", Some("建议")))
        );
        let code =
            |kind: &str, text: &str| check_feedback(kind, text).unwrap_err()[0].msg.code.clone();
        assert_eq!(code("reject", "x"), "bad_feedback");
        assert_eq!(code("comment", "  "), "required");
        let long = "意".repeat(MAX_FEEDBACK_CHARS + 1);
        assert_eq!(code("accept", &long), "too_long");
        assert!(check_feedback("accept", &long[..MAX_FEEDBACK_CHARS * 3]).is_ok());
    }

    #[test]
    fn buttons_per_role() {
        assert_eq!(transitions_for(Submitted, Role::Office), vec![]);
        assert_eq!(transitions_for(Submitted, Role::Reviewer).len(), 2);
        assert_eq!(transitions_for(Consultation, Role::Office).len(), 2);
    }

    fn p(unit: i64, county: &str, role: PairingRole, end: &str) -> PairingTerms {
        PairingTerms {
            unit_id: unit,
            county_code: county.into(),
            role,
            start: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            end: end.parse().unwrap(),
        }
    }

    #[test]
    fn diff_finds_added_removed_and_changed() {
        let before = vec![
            p(1, "623023", PairingRole::Lead, "2025-12-31"),
            p(2, "130125", PairingRole::Lead, "2025-12-31"),
            p(3, "130126", PairingRole::Lead, "2025-12-31"),
        ];
        let after = vec![
            p(1, "623023", PairingRole::Lead, "2025-12-31"),
            p(2, "130125", PairingRole::Member, "2025-12-31"),
            p(4, "130129", PairingRole::Lead, "2025-12-31"),
        ];
        let d = diff_pairings(&before, &after);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].unit_id, 4);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].unit_id, 3);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].1.role, PairingRole::Member);
        assert!(diff_pairings(&before, &before).is_empty());
    }
}

/// A pairing plan (定点扶贫方案), overall or specific.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PairingPlan {
    pub id: i64,
    pub name: String,
    pub kind: PairingPlanKind,
    /// The overall plan a specific plan is drawn from.
    pub parent_id: Option<i64>,
    /// The county list the plan must cover.
    pub county_list: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: PairingPlanStatus,
    pub version: i64,
    /// The version this one revises.
    pub previous_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One unit–county assignment inside a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Pairing {
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub county_code: String,
    pub county_name: String,
    pub role: PairingRole,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub note: Option<String>,
}

impl Pairing {
    pub fn terms(&self) -> PairingTerms {
        PairingTerms {
            unit_id: self.unit_id,
            county_code: self.county_code.clone(),
            role: self.role,
            start: self.start,
            end: self.end,
        }
    }
}

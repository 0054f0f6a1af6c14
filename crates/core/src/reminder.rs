//! Reminders: what is due soon and what is overdue, for one person. A
//! reminder is keyed per user by what it is about and in which state
//! (`report:12:overdue`), so computing them again adds nothing twice.

use crate::Msg;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How many days ahead a due date counts as "due soon".
pub const DUE_SOON_DAYS: i64 = 7;

/// Where a due date stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    /// Today or within [`DUE_SOON_DAYS`].
    DueSoon,
    /// Past: the due day has gone by.
    Overdue,
}

impl DueState {
    pub fn as_str(self) -> &'static str {
        match self {
            DueState::DueSoon => "due_soon",
            DueState::Overdue => "overdue",
        }
    }
}

/// The state of `due` on `today`, if it is near enough to remind of.
pub fn due_state(due: NaiveDate, today: NaiveDate) -> Option<DueState> {
    let days = (due - today).num_days();
    if days < 0 {
        Some(DueState::Overdue)
    } else if days <= DUE_SOON_DAYS {
        Some(DueState::DueSoon)
    } else {
        None
    }
}

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    ReportDueSoon,
    ReportOverdue,
    RectificationDueSoon,
    RectificationOverdue,
    /// A paired county the unit's leaders have not visited this year.
    VisitMissing,
    /// A responsibility letter set and not yet signed.
    LetterUnsigned,
}

pub const ALL_REMINDER_KINDS: [ReminderKind; 6] = [
    ReminderKind::ReportDueSoon,
    ReminderKind::ReportOverdue,
    ReminderKind::RectificationDueSoon,
    ReminderKind::RectificationOverdue,
    ReminderKind::VisitMissing,
    ReminderKind::LetterUnsigned,
];

impl ReminderKind {
    pub fn parse(s: &str) -> Option<ReminderKind> {
        ALL_REMINDER_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::ReportDueSoon => "report_due_soon",
            ReminderKind::ReportOverdue => "report_overdue",
            ReminderKind::RectificationDueSoon => "rectification_due_soon",
            ReminderKind::RectificationOverdue => "rectification_overdue",
            ReminderKind::VisitMissing => "visit_missing",
            ReminderKind::LetterUnsigned => "letter_unsigned",
        }
    }

    /// The kind for a report's or a rectification's due state.
    pub fn of_report(state: DueState) -> ReminderKind {
        match state {
            DueState::DueSoon => ReminderKind::ReportDueSoon,
            DueState::Overdue => ReminderKind::ReportOverdue,
        }
    }

    pub fn of_rectification(state: DueState) -> ReminderKind {
        match state {
            DueState::DueSoon => ReminderKind::RectificationDueSoon,
            DueState::Overdue => ReminderKind::RectificationOverdue,
        }
    }

    pub fn is_overdue(self) -> bool {
        matches!(
            self,
            ReminderKind::ReportOverdue | ReminderKind::RectificationOverdue
        )
    }
}

/// What a reminder names, in both languages (place names stay Chinese).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub zh: String,
    pub en: String,
}

/// A reminder about to be stored: for whom, about what, when due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub user_id: i64,
    pub kind: ReminderKind,
    pub subject_type: &'static str,
    pub subject_id: String,
    pub due: Option<NaiveDate>,
    pub subject: Subject,
}

impl DueItem {
    /// The de-duplication key, unique per user: the subject and the state.
    pub fn dedup_key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.subject_type,
            self.subject_id,
            self.kind.as_str()
        )
    }
}

/// A reminder's words in both languages, from its kind, subject and due
/// date (stored as key and arguments, so the words follow the reader's
/// language).
pub fn reminder_text(kind: ReminderKind, subject: &Subject, due: Option<NaiveDate>) -> Msg {
    let due = due.map(|d| d.to_string()).unwrap_or_default();
    let (s, e) = (&subject.zh, &subject.en);
    let (zh, en) = match kind {
        ReminderKind::ReportDueSoon => (
            format!("报告即将到期：{s}，应于 {due} 前提交"),
            format!("Report due soon: {e}, due {due}"),
        ),
        ReminderKind::ReportOverdue => (
            format!("报告已逾期：{s}，应于 {due} 提交"),
            format!("Report overdue: {e}, was due {due}"),
        ),
        ReminderKind::RectificationDueSoon => (
            format!("整改即将到期：{s}，期限 {due}"),
            format!("Rectification due soon: {e}, deadline {due}"),
        ),
        ReminderKind::RectificationOverdue => (
            format!("整改已逾期：{s}，期限 {due}"),
            format!("Rectification overdue: {e}, deadline {due}"),
        ),
        ReminderKind::VisitMissing => (
            format!("本年度单位领导尚未到{s}调研"),
            format!("The unit's leaders have not yet visited {e} this year"),
        ),
        ReminderKind::LetterUnsigned => (
            format!("责任书待签署：{s}"),
            format!("Responsibility letter to sign: {e}"),
        ),
    };
    Msg::new(kind.as_str(), zh, en)
}

/// The report kinds' names, for a reminder's subject.
pub fn report_kind_names(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "quarterly" => ("季度报告", "quarterly report"),
        "year_end" => ("年度专题汇报", "year-end report"),
        _ => ("年度工作总结", "annual summary"),
    }
}

/// Checks an e-mail address as a person types it: empty is none; else one
/// `@` between a local part and a domain with a dot, no spaces, at most
/// 254 characters.
pub fn parse_email(value: &str) -> Result<Option<String>, Vec<crate::FieldError>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let ok = v.chars().count() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(v.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err(vec![crate::FieldError::new(
            "email",
            crate::error::clip(v),
            Msg::new(
                "bad_email",
                "电子邮箱地址格式不正确，例如 name@example.cn",
                "not an e-mail address, e.g. name@example.cn",
            ),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_tomorrow_is_due_soon_and_the_day_after_overdue() {
        let deadline = day("2026-12-31");
        assert_eq!(
            due_state(deadline, day("2026-12-30")),
            Some(DueState::DueSoon)
        );
        assert_eq!(
            due_state(deadline, day("2026-12-31")),
            Some(DueState::DueSoon)
        );
        assert_eq!(
            due_state(deadline, day("2027-01-01")),
            Some(DueState::Overdue)
        );
        assert_eq!(due_state(deadline, day("2026-12-23")), None);
        assert_eq!(
            due_state(deadline, day("2026-12-24")),
            Some(DueState::DueSoon)
        );
    }

    #[test]
    fn kinds_round_trip_and_keys_name_the_state() {
        for k in ALL_REMINDER_KINDS {
            assert_eq!(ReminderKind::parse(k.as_str()), Some(k));
        }
        let item = DueItem {
            user_id: 3,
            kind: ReminderKind::of_report(DueState::Overdue),
            subject_type: "report",
            subject_id: "12".into(),
            due: Some(day("2027-01-15")),
            subject: Subject {
                zh: "2026-Q4".into(),
                en: "2026-Q4".into(),
            },
        };
        assert_eq!(item.dedup_key(), "report:12:report_overdue");
        let m = reminder_text(item.kind, &item.subject, item.due);
        assert!(m.zh.contains("2027-01-15") && m.en.contains("overdue"));
    }

    #[test]
    fn email_addresses() {
        assert_eq!(parse_email("  "), Ok(None));
        assert_eq!(parse_email(" a@b.cn "), Ok(Some("a@b.cn".into())));
        for bad in [
            "a", "a@b", "@b.cn", "a b@c.cn", "a@b@c.cn", "a@.cn", "a@b.cn.",
        ] {
            assert_eq!(
                parse_email(bad).unwrap_err()[0].msg.code,
                "bad_email",
                "{bad}"
            );
        }
    }
}

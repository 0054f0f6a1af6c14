//! The audit log in the reader's language. Records keep their codes
//! (`plan.transition`, `success`, "approved -> active"); the page puts
//! them into words from the catalogue. A detail in a form this module does
//! not know is shown as stored, marked as code.

use crate::i18n::t;
use dingdian_core::plan::PairingPlanStatus;
use dingdian_core::role::Role;

/// The actions the app records, for the auditor's filter: each has its
/// words in the catalogue as `audit_a_` and the code with `.` as `_`.
pub const ACTIONS: &[&str] = &[
    "login",
    "logout",
    "plan.create",
    "plan.update",
    "plan.transition",
    "plan.new_version",
    "plan.derive",
    "plan.feedback",
    "plan.coverage_exception",
    "plan.coverage_exception.import",
    "plan.export",
    "plan.uncovered.export",
    // issue 11: the funds ledger
    "ledger.post",
    "ledger.export",
    "pairing.create",
    "pairing.delete",
    "pairing.import",
    "pairing.export",
    "pairing_work.export",
    "unit.create",
    "unit.update",
    "unit.import",
    "unit.export",
    "area.export",
    "county.update",
    "county_list.create",
    "county_list.import",
    "user.create",
    "user.activate",
    "user.deactivate",
    "user.export",
    "user.password_change",
    "user.password_reset",
    "user.role",
    "user.totp_begin",
    "user.totp_enrol",
    "user.totp_reset",
    "user.unlock",
    "registry.import",
    "registry.import.dry_run",
    "registry.export",
    "household.export",
    "registry.disclose",
    "registry.rejects.download",
    "registry.search_name",
    "statistics.import",
    "statistics.import.dry_run",
    "poverty_line.set",
    "key.rotate",
    "key.rotate.start",
    "audit.export",
    "backup",
    "restore",
    // issue 11: assistance plans and projects
    "assistance_plan.create",
    "assistance_plan.update",
    "assistance_plan.transition",
    "assistance_plan.new_version",
    "assistance_plan.export",
    "project.create",
    "project.update",
    "project.transition",
    "project.progress",
    "project.output",
    "project.attachment",
    "project.export",
    "record.create",
    "record.import",
    "record.export",
    "letter.set",
    "letter.sign",
    "letter.export",
    // issue 12: secondments, inspections and rectification
    "secondment.create",
    "secondment.update",
    "secondment.transition",
    "secondment.link_account",
    "secondment.export",
    "inspection.create",
    "inspection.export",
    "rectification.transition",
    "rectification.export",
    // issue 12: the reporting calendar and reports
    "report_calendar.set",
    "report.open",
    "report.start",
    "report.save",
    "report.submit",
    "report.accept",
    "report.return",
    "report.review",
    "report.attachment",
    "report.export",
    // issue 12: villages and households
    "village.mark",
    "village.unmark",
    "village.team_add",
    "village.export",
    "household.helper_assign",
    "household.measure_add",
    "household.visit_record",
    "household.help_export",
    // issue 12: leader visits and reminders
    "leader_visit.create",
    "leader_visit.export",
    "reminder.create",
    "reminder.read",
    "account.email",
    // issue 13: the annual assessment
    "assessment.rules",
    "assessment.open",
    "assessment.self_report",
    "assessment.entry",
    "assessment.transition",
    "assessment.publish",
    "assessment.export",
    // issue 13: return-risk monitoring
    "monitoring.threshold",
    "monitoring.scan",
    "monitoring.flag",
    "monitoring.transition",
    "monitoring.measure",
    "monitoring.export",
    // issue 13: printed reports and the public page
    "printed_report.export",
    "public.publish",
    "public.export",
    // issue 13: departmental cross-checks and the exit check
    "alert.import",
    "alert.export",
    "correction.close",
    "correction.export",
    "exit_check.export",
    // issue 14: the county map
    "map.export",
    // issue 14: part D, monitoring of all rural households
    "rural_household.create",
];

/// The action's words, or `None` when the catalogue has none.
pub fn action_text(lang: &str, action: &str) -> Option<String> {
    let key = format!("audit_a_{}", action.replace('.', "_"));
    let s = t(lang, &key);
    (s != key).then_some(s)
}

/// A record as the reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Described {
    /// The action in words, or `None` when it has no entry (show the code).
    pub action: Option<String>,
    pub outcome: String,
    /// What kind of thing the record is about ("方案", "账号"); its id is
    /// shown beside it as code.
    pub object: String,
    /// The detail in words, or `None` when its form is not known.
    pub detail: Option<String>,
}

/// (actions the pattern applies to, `""` for any; pattern with `{}` for
/// each value; catalogue key whose text has `{a}`, `{b}`, `{c}`). The more
/// specific patterns come first.
const DETAILS: &[(&str, &str, &str)] = &[
    (
        "plan.transition",
        "{} -> {}: {}",
        "audit_d_transition_reason",
    ),
    ("plan.transition", "{} -> {}", "audit_d_transition"),
    (
        "assistance_plan.transition",
        "{} -> {}: {}",
        "audit_d_transition_reason",
    ),
    (
        "assistance_plan.transition",
        "{} -> {}",
        "audit_d_transition",
    ),
    ("secondment.transition", "{} -> {}", "audit_d_transition"),
    (
        "monitoring.transition",
        "{} -> {} on {}",
        "audit_d_transition_on",
    ),
    ("rectification.transition", "{} -> {}", "audit_d_transition"),
    // issue 13: the annual assessment
    ("assessment.transition", "{} -> {}", "audit_d_transition"),
    ("user.role", "role {} -> {}", "audit_d_role_change"),
    ("plan.coverage_exception", "{}: {}", "audit_d_county_reason"),
    ("", "role={}", "audit_d_role"),
    ("", "unit={}", "audit_d_unit"),
    ("", "county={}", "audit_d_county"),
    (
        "",
        "{} households, {} members, {} rejected",
        "audit_d_households",
    ),
    (
        "",
        "{} rows, {} rejected, {} registered in other counties",
        "audit_d_rows_elsewhere",
    ),
    ("", "{} rows, {} rejected", "audit_d_rows_rejected"),
    ("", "{} problems", "audit_d_problems"),
    ("", "{} households found", "audit_d_households_found"),
    ("", "{} ID numbers shown in full", "audit_d_disclosed"),
    ("", "reason: {}", "audit_d_reason"),
    ("", "from plan {}, {} pairings", "audit_d_derived"),
    ("", "from plan {}", "audit_d_from_plan"),
    ("", "{} pairings from {}", "audit_d_pairings_from"),
    ("", "{} reasons from {}", "audit_d_reasons_from"),
    ("", "unit {} – county {} ({})", "audit_d_pairing_role"),
    ("", "unit {} – county {}", "audit_d_pairing"),
    ("", "created {}, updated {}", "audit_d_created_updated"),
    ("", "{} added of {}", "audit_d_added_of"),
    ("", "restricted: {}", "audit_d_restricted"),
    ("", "{} counties; {} replaced", "audit_d_published"),
    ("", "{} sheets", "audit_d_sheets"),
    ("", "{} rows", "audit_d_rows"),
    ("", "{} members", "audit_d_members"),
    ("", "{} bytes", "audit_d_bytes"),
    ("", "{} fen", "audit_d_fen"),
    // issue 13: departmental cross-checks
    (
        "alert.import",
        "{} rows, {} matched, {} refused",
        "audit_d_alert_rows",
    ),
];

/// Whole parts that are words of their own: (stored, catalogue key).
const WORDS: &[(&str, &str)] = &[
    ("accept", "fb_accept"),
    ("comment", "fb_comment"),
    ("web", "audit_w_web"),
    ("api", "audit_w_api"),
    ("unknown user", "audit_w_unknown_user"),
    ("locked", "audit_w_locked"),
    ("inactive", "audit_w_inactive"),
    ("wrong password", "audit_w_wrong_password"),
    ("wrong or reused second factor", "audit_w_bad_totp"),
    ("account locked", "audit_w_account_locked"),
    ("demo account outside --demo", "audit_w_demo_outside"),
    ("no role or scope", "audit_w_no_role"),
    ("second factor missing", "audit_w_totp_missing"),
    ("second factor", "audit_w_second_factor"),
    ("demo account", "demo_account"),
    ("locked (unknown user)", "audit_w_locked_unknown"),
    (
        "flagged: many ID numbers registered in other counties",
        "audit_w_flagged",
    ),
    // The codes of a failed attempt's error (`AppError::code`).
    ("invalid", "audit_w_invalid"),
    ("internal", "audit_w_internal"),
    ("disk_full", "audit_w_disk_full"),
    ("forbidden", "audit_w_forbidden"),
];

/// The values of `pattern`'s `{}` in `text`, if it has that form. A value
/// runs to the first place the following literal text appears (the last
/// to the end).
fn captures(pattern: &str, text: &str) -> Option<Vec<String>> {
    let literals: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(literals[0])?;
    let mut values = Vec::new();
    for (i, lit) in literals.iter().enumerate().skip(1) {
        let last = i == literals.len() - 1;
        let end = if last && lit.is_empty() {
            rest.len()
        } else if last {
            rest.strip_suffix(lit).map(str::len)?
        } else {
            rest.find(lit)?
        };
        let value = &rest[..end];
        if value.is_empty() {
            return None;
        }
        values.push(value.to_string());
        rest = &rest[end + lit.len()..];
    }
    rest.is_empty().then_some(values)
}

/// A stored value in the reader's words when it is a code the system
/// knows (a plan status, a role, a pairing role, a monitoring case's or an
/// assessment's status); otherwise as stored.
fn value_text(lang: &str, v: &str) -> String {
    let en = lang == "en";
    if let Some(s) = PairingPlanStatus::parse(v) {
        return if en { s.en() } else { s.zh() }.to_string();
    }
    if let Some(s) = dingdian_core::assistance::AssistancePlanStatus::from_code(v) {
        return if en { s.en() } else { s.zh() }.to_string();
    }
    if let Some(r) = Role::parse(v) {
        return if en { r.en() } else { r.zh() }.to_string();
    }
    // issue 13: the steps of a monitoring case and of an assessment.
    if let Some(s) = dingdian_core::monitoring::MonitoringStatus::from_code(v) {
        return if en { s.en() } else { s.zh() }.to_string();
    }
    if let Some(s) = dingdian_core::assessment::AssessmentStatus::from_code(v) {
        return if en { s.en() } else { s.zh() }.to_string();
    }
    match v {
        "lead" => t(lang, "role_lead"),
        "member" => t(lang, "role_member"),
        "none" => t(lang, "role_pending"),
        "password_expired" | "second_factor_required" => t(lang, &format!("audit_w_{v}")),
        _ => v.to_string(),
    }
}

/// One part of a detail in words, if its form is known.
fn part_text(lang: &str, action: &str, part: &str) -> Option<String> {
    if let Some((_, key)) = WORDS.iter().find(|(w, _)| *w == part) {
        return Some(t(lang, key));
    }
    for (only, pattern, key) in DETAILS {
        if !only.is_empty() && *only != action {
            continue;
        }
        if let Some(values) = captures(pattern, part) {
            let mut s = t(lang, key);
            for (name, v) in ["{a}", "{b}", "{c}"].iter().zip(&values) {
                s = s.replace(name, &value_text(lang, v));
            }
            return Some(s);
        }
    }
    None
}

/// A county's attributes as `county.update` records them (the Rust debug
/// form, `CountyAttributes { key_county: true, … }`), in words: each
/// field by its page label, yes or no, the area's name, the year.
fn county_attributes_text(lang: &str, detail: &str) -> Option<String> {
    let inner = detail
        .strip_prefix("CountyAttributes { ")?
        .strip_suffix(" }")?;
    let mut parts = Vec::new();
    for pair in inner.split(", ") {
        let (field, value) = pair.split_once(": ")?;
        let label = t(lang, field);
        if label == field {
            return None;
        }
        let value = match value {
            "true" => t(lang, "yes"),
            "false" => t(lang, "no"),
            "None" => "—".to_string(),
            v => v
                .strip_prefix("Some(")
                .and_then(|v| v.strip_suffix(')'))
                .map(|v| v.trim_matches('"').to_string())?,
        };
        parts.push(format!(
            "{label}{}{value}",
            if lang == "en" { ": " } else { "：" }
        ));
    }
    Some(parts.join(if lang == "en" { "; " } else { "；" }))
}

/// A stored detail in words: each `; `-separated part must be known.
/// Empty parts (`unit=` of a user without a unit) are left out.
pub fn detail_text(lang: &str, action: &str, detail: &str) -> Option<String> {
    if action == "county.update" {
        return county_attributes_text(lang, detail);
    }
    let parts: Option<Vec<String>> = detail
        .split("; ")
        .filter(|p| !p.ends_with('='))
        .map(|p| part_text(lang, action, p))
        .collect();
    let sep = if lang == "en" { "; " } else { "；" };
    parts.map(|p| p.join(sep))
}

/// A record's action, outcome, object and detail in the reader's words.
pub fn describe(
    lang: &str,
    action: &str,
    outcome: &str,
    object: (Option<&str>, Option<&str>),
    detail: Option<&str>,
) -> Described {
    let kind = object.0.map(|k| {
        let key = format!("audit_o_{k}");
        let s = t(lang, &key);
        if s == key { k.to_string() } else { s }
    });
    let object = match (kind, object.1) {
        (Some(k), Some("*")) => format!("{k}（{}）", t(lang, "all")),
        (Some(k), _) => k,
        (None, _) => String::new(),
    };
    let outcome_key = format!("outcome_{outcome}");
    let outcome_text = t(lang, &outcome_key);
    Described {
        action: action_text(lang, action),
        outcome: if outcome_text == outcome_key {
            outcome.to_string()
        } else {
            outcome_text
        },
        object,
        detail: detail.and_then(|d| detail_text(lang, action, d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_latin_word(s: &str) -> bool {
        s.split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() >= 2)
    }

    /// Every detail the app writes today reads as a sentence in Chinese
    /// without English words, and in English without Chinese.
    #[test]
    fn stored_details_read_in_the_readers_language() {
        let cases = [
            ("plan.transition", "approved -> active"),
            ("plan.transition", "submitted -> returned: 材料不全"),
            ("registry.import", "58 households, 200 members, 0 rejected"),
            (
                "registry.import.dry_run",
                "58 households, 200 members, 3 rejected",
            ),
            ("statistics.import", "12 rows, 0 rejected"),
            ("plan.export", "191 rows"),
            ("plan.new_version", "from plan 4"),
            ("plan.derive", "from plan 4, 31 pairings"),
            ("pairing.import", "257 pairings from pairings.csv"),
            ("pairing.create", "unit 12 – county 623023 (member)"),
            ("pairing.delete", "unit 12 – county 623023"),
            ("plan.feedback", "accept"),
            ("plan.coverage_exception", "431129: 省内对口帮扶"),
            ("unit.import", "created 3, updated 1"),
            ("county_list.import", "4 added of 5"),
            ("login", "web"),
            ("login", "web; restricted: password_expired"),
            ("login", "wrong password; account locked"),
            ("login", "unknown user"),
            ("user.create", "role=office; second factor; demo account"),
            ("user.role", "role none -> county; unit=; county=623023"),
            (
                "registry.disclose",
                "4 ID numbers shown in full; reason: 核对身份",
            ),
            ("registry.rejects.download", "2048 bytes"),
            ("registry.search_name", "3 households found"),
            (
                "registry.import.dry_run",
                "5 rows, 0 rejected, 12 registered in other counties; flagged: many ID numbers registered in other counties",
            ),
            (
                "registry.import",
                "58 households, 200 members, 0 rejected; 200 rows, 0 rejected, 0 registered in other counties",
            ),
            (
                "statistics.import",
                "3 rows, 1 rejected, 0 registered in other counties; invalid; 1 problems",
            ),
            (
                "unit.import",
                "0 rows, 0 rejected, 0 registered in other counties; internal",
            ),
            (
                "registry.import",
                "9 rows, 0 rejected, 0 registered in other counties; disk_full",
            ),
            ("login", "locked (unknown user)"),
            ("poverty_line.set", "400000 fen"),
        ];
        for (action, detail) in cases {
            let zh = detail_text("zh", action, detail)
                .unwrap_or_else(|| panic!("{action}: {detail} has no words"));
            // A file name is a name, kept as written.
            assert!(
                !has_latin_word(&zh.replace("pairings.csv", "")),
                "{action}: {detail} → {zh}"
            );
            // What people wrote (reasons) stays as written.
            let en = detail_text("en", action, detail).unwrap();
            let en_words = ["材料不全", "省内对口帮扶", "核对身份"]
                .iter()
                .fold(en.clone(), |s, w| s.replace(w, ""));
            assert!(en_words.is_ascii(), "{action}: {detail} → {en}");
        }
        assert_eq!(
            detail_text("zh", "plan.transition", "approved -> active").unwrap(),
            "由“已通过”转为“执行中”"
        );
        assert_eq!(detail_text("zh", "x", "something new"), None);
        let attrs = dingdian_core::area::CountyAttributes {
            key_county: true,
            ethnic: true,
            contiguous_area: Some("四省藏区".into()),
            ..Default::default()
        };
        let zh = detail_text("zh", "county.update", &format!("{attrs:?}")).unwrap();
        assert!(
            zh.contains("民族地区：是") && zh.contains("集中连片特困地区：四省藏区"),
            "{zh}"
        );
        assert!(!has_latin_word(&zh), "{zh}");
    }

    /// The action codes the app writes, read from its sources: every
    /// string literal of the form `family.name…` of an audited family.
    fn actions_in_app_sources() -> std::collections::BTreeSet<String> {
        const FAMILIES: &[&str] = &[
            "plan",
            "pairing",
            "unit",
            "county",
            "county_list",
            "user",
            "registry",
            "statistics",
            "poverty_line",
            "key",
            "audit",
            "assistance_plan",
            "project",
            "record",
            "letter",
            "village",
            "household",
            // issue 13: printed reports and the public page
            "printed_report",
            "public",
        ];
        let mut found = std::collections::BTreeSet::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for lit in text.split('"').skip(1).step_by(2) {
                    let mut parts = lit.split('.');
                    let family = parts.next().unwrap_or("");
                    let rest: Vec<&str> = parts.collect();
                    let word = |w: &str| {
                        !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    };
                    if FAMILIES.contains(&family)
                        && !rest.is_empty()
                        && rest.iter().all(|w| word(w))
                        && !matches!(*rest.last().unwrap(), "csv" | "xlsx" | "html")
                    {
                        found.insert(lit.to_string());
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_action_the_app_records_is_in_the_list() {
        let found = actions_in_app_sources();
        assert!(
            found.contains("registry.import"),
            "the scan reads the app's sources"
        );
        let missing: Vec<_> = found
            .iter()
            .filter(|a| !ACTIONS.contains(&a.as_str()))
            .collect();
        assert!(missing.is_empty(), "actions without words: {missing:?}");
    }

    #[test]
    fn every_recorded_action_has_words() {
        for a in ACTIONS {
            let (zh, en) = (action_text("zh", a), action_text("en", a));
            assert!(zh.is_some() && en.is_some() && zh != en, "{a}");
        }
    }

    #[test]
    fn actions_and_outcomes_have_words_and_unknown_ones_stay_codes() {
        let d = describe(
            "zh",
            "plan.transition",
            "success",
            (Some("plan"), Some("5")),
            None,
        );
        assert_eq!(d.action.as_deref(), Some("方案状态变更"));
        assert_eq!(d.outcome, "成功");
        assert_eq!(d.object, "方案");
        let d = describe("zh", "brand.new", "success", (None, None), None);
        assert_eq!(d.action, None);
    }
}

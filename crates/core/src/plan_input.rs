//! A pairing plan as a person enters it, and the rules its fields obey:
//! parsed into checked values with every problem reported at once. What
//! only the database knows (whether the county list exists, the overall
//! plan a specific plan names) is read by the app and passed in.

use crate::error::{optional_text, required_text};
use crate::plan::{PairingPlan, PairingPlanKind};
use crate::{FieldError, Msg, time};
use chrono::{Datelike, NaiveDate};

/// A plan as entered in a form or the API.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PairingPlanInput {
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub county_list: String,
    pub period_start: String,
    pub period_end: String,
    pub note: String,
}

/// The fields of a plan, checked and ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingPlanFields {
    pub name: String,
    pub kind: PairingPlanKind,
    pub parent_id: Option<i64>,
    pub county_list: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub note: Option<String>,
}

/// What the database says about the plan's references.
#[derive(Debug, Clone, Copy)]
pub struct PlanFacts<'a> {
    /// The county list the input names ([`PairingPlanInput::county_list_or`]) exists.
    pub list_exists: bool,
    /// The plan `parent_id` names, if there is one.
    pub parent: Option<&'a PairingPlan>,
}

/// A date of a plan or a pairing: required, a real date, in 2000–2050.
pub(crate) fn date_field(field: &str, value: &str, e: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        e.push(FieldError::required(field));
        return None;
    }
    match time::parse_date(v) {
        Some(d) if (2000..=2050).contains(&d.year()) => Some(d),
        _ => {
            e.push(FieldError::new(
                field,
                v,
                Msg::new(
                    "bad_date",
                    "日期应为真实日期，格式 YYYY-MM-DD",
                    "must be a real date as YYYY-MM-DD",
                ),
            ));
            None
        }
    }
}

/// The error of a period that ends before it starts.
pub(crate) fn end_before_start(field: &str, value: impl Into<String>) -> FieldError {
    FieldError::new(
        field,
        value,
        Msg::new(
            "end_before_start",
            "结束日期不能早于开始日期",
            "the end must not come before the start",
        ),
    )
}

impl PairingPlanInput {
    /// The county list the plan names, or `default` when none is named.
    pub fn county_list_or(&self, default: &str) -> String {
        match self.county_list.trim() {
            "" => default.to_string(),
            list => list.to_string(),
        }
    }

    /// Checks every field against the rules and `facts`; `county_list` is
    /// the list [`PairingPlanInput::county_list_or`] chose.
    pub fn parse(
        &self,
        county_list: String,
        facts: PlanFacts,
    ) -> Result<PairingPlanFields, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = required_text("name", &self.name, 100, &mut e);
        let kind = self.kind(&mut e);
        let start = date_field("period_start", &self.period_start, &mut e);
        let end = date_field("period_end", &self.period_end, &mut e);
        if let (Some(s), Some(en)) = (start, end)
            && s > en
        {
            e.push(end_before_start("period_end", self.period_end.trim()));
        }
        if !facts.list_exists {
            e.push(FieldError::new(
                "county_list",
                county_list.as_str(),
                Msg::new("unknown_list", "县名单不存在", "no such county list"),
            ));
        }
        let parent_id = if kind == Some(PairingPlanKind::Specific) {
            self.parent(facts.parent, start.zip(end), &mut e)
        } else {
            None
        };
        let note = optional_text("note", &self.note, 2000, &mut e);
        match (kind, start, end) {
            (Some(kind), Some(period_start), Some(period_end)) if e.is_empty() => {
                Ok(PairingPlanFields {
                    name,
                    kind,
                    parent_id,
                    county_list,
                    period_start,
                    period_end,
                    note,
                })
            }
            _ => Err(e),
        }
    }

    /// The kind; an empty field means an overall plan.
    fn kind(&self, e: &mut Vec<FieldError>) -> Option<PairingPlanKind> {
        let kind = self.kind.trim();
        let parsed = PairingPlanKind::parse(kind)
            .or_else(|| kind.is_empty().then_some(PairingPlanKind::Overall));
        if parsed.is_none() {
            e.push(FieldError::new(
                "kind",
                kind,
                Msg::new(
                    "bad_kind",
                    "方案类型应为 overall（总体）或 specific（具体）",
                    "must be overall or specific",
                ),
            ));
        }
        parsed
    }

    /// A specific plan's overall plan: it must exist, be an overall plan,
    /// and its period must hold the specific plan's.
    fn parent(
        &self,
        parent: Option<&PairingPlan>,
        period: Option<(NaiveDate, NaiveDate)>,
        e: &mut Vec<FieldError>,
    ) -> Option<i64> {
        let Some(pid) = self.parent_id else {
            e.push(FieldError::new(
                "parent_id",
                "",
                Msg::new(
                    "parent_required",
                    "具体方案须指定所依据的总体方案",
                    "a specific plan needs its overall plan",
                ),
            ));
            return None;
        };
        let Some(p) = parent.filter(|p| p.id == pid && p.kind == PairingPlanKind::Overall) else {
            e.push(FieldError::new(
                "parent_id",
                pid.to_string(),
                Msg::new(
                    "bad_parent",
                    "不是已有的总体方案",
                    "is not an existing overall plan",
                ),
            ));
            return None;
        };
        if let Some((s, en)) = period
            && (s < p.period_start || en > p.period_end)
        {
            e.push(FieldError::new(
                "period_start",
                self.period_start.trim(),
                Msg::new(
                    "outside_parent",
                    format!(
                        "具体方案的期限须在总体方案期限（{} 至 {}）之内",
                        p.period_start, p.period_end
                    ),
                    format!(
                        "a specific plan's period must lie within its overall plan's ({} to {})",
                        p.period_start, p.period_end
                    ),
                ),
            ));
        }
        Some(pid)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::PairingPlanStatus;

    fn input(kind: &str, start: &str, end: &str) -> PairingPlanInput {
        PairingPlanInput {
            name: "方案".into(),
            kind: kind.into(),
            period_start: start.into(),
            period_end: end.into(),
            ..Default::default()
        }
    }

    /// An active overall plan for 2021–2025.
    pub(crate) fn overall(id: i64) -> PairingPlan {
        PairingPlan {
            id,
            name: "总体".into(),
            kind: PairingPlanKind::Overall,
            parent_id: None,
            county_list: "key-2012".into(),
            period_start: "2021-01-01".parse().unwrap(),
            period_end: "2025-12-31".parse().unwrap(),
            status: PairingPlanStatus::Active,
            version: 1,
            previous_id: None,
            note: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    const KNOWN: PlanFacts = PlanFacts {
        list_exists: true,
        parent: None,
    };

    fn codes(r: Result<PairingPlanFields, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.msg.code))
            .collect()
    }

    #[test]
    fn an_overall_plan_is_the_default_kind_and_the_list_defaults() {
        let i = input("", "2021-01-01", "2025-12-31");
        assert_eq!(i.county_list_or("key-2012"), "key-2012");
        let f = i.parse(i.county_list_or("key-2012"), KNOWN).unwrap();
        assert_eq!(f.kind, PairingPlanKind::Overall);
        assert_eq!(f.parent_id, None);
        assert_eq!(f.county_list, "key-2012");
        assert_eq!(f.note, None);
    }

    #[test]
    fn every_bad_field_is_reported_in_order() {
        let i = PairingPlanInput {
            name: " ".into(),
            kind: "other".into(),
            period_start: "2021-02-30".into(),
            period_end: "1999-12-31".into(),
            ..Default::default()
        };
        let facts = PlanFacts {
            list_exists: false,
            parent: None,
        };
        let got = codes(i.parse("nope".into(), facts));
        let want = [
            ("name", "required"),
            ("kind", "bad_kind"),
            ("period_start", "bad_date"),
            ("period_end", "bad_date"),
            ("county_list", "unknown_list"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
        let reversed = input("overall", "2025-01-01", "2021-01-01");
        assert_eq!(
            codes(reversed.parse("key-2012".into(), KNOWN)),
            vec![("period_end".into(), "end_before_start".into())]
        );
    }

    #[test]
    fn a_specific_plan_lies_within_an_existing_overall_plan() {
        let parent = overall(7);
        let mut i = input("specific", "2022-01-01", "2023-12-31");
        assert_eq!(
            codes(i.parse("key-2012".into(), KNOWN)),
            vec![("parent_id".into(), "parent_required".into())]
        );
        i.parent_id = Some(7);
        let facts = PlanFacts {
            list_exists: true,
            parent: Some(&parent),
        };
        assert_eq!(
            i.parse("key-2012".into(), facts).unwrap().parent_id,
            Some(7)
        );
        assert_eq!(
            codes(i.parse("key-2012".into(), KNOWN)),
            vec![("parent_id".into(), "bad_parent".into())]
        );
        let specific = PairingPlan {
            kind: PairingPlanKind::Specific,
            ..overall(7)
        };
        let not_overall = PlanFacts {
            list_exists: true,
            parent: Some(&specific),
        };
        assert_eq!(
            codes(i.parse("key-2012".into(), not_overall)),
            vec![("parent_id".into(), "bad_parent".into())]
        );
        i.period_end = "2026-06-30".into();
        assert_eq!(
            codes(i.parse("key-2012".into(), facts)),
            vec![("period_start".into(), "outside_parent".into())]
        );
    }
}

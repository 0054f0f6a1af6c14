//! Assisting units and their kinds.

use crate::role::{Action, Role, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    CentralOrgan,
    PeoplesOrganisation,
    PublicInstitution,
    StateEnterprise,
    StateFinancial,
    University,
    Military,
    DemocraticParty,
    IndustryCommerce,
    PrivateEnterprise,
    SocialOrganisation,
}

pub const ALL_UNIT_KINDS: [UnitKind; 11] = [
    UnitKind::CentralOrgan,
    UnitKind::PeoplesOrganisation,
    UnitKind::PublicInstitution,
    UnitKind::StateEnterprise,
    UnitKind::StateFinancial,
    UnitKind::University,
    UnitKind::Military,
    UnitKind::DemocraticParty,
    UnitKind::IndustryCommerce,
    UnitKind::PrivateEnterprise,
    UnitKind::SocialOrganisation,
];

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::CentralOrgan => "central_organ",
            UnitKind::PeoplesOrganisation => "peoples_organisation",
            UnitKind::PublicInstitution => "public_institution",
            UnitKind::StateEnterprise => "state_enterprise",
            UnitKind::StateFinancial => "state_financial",
            UnitKind::University => "university",
            UnitKind::Military => "military",
            UnitKind::DemocraticParty => "democratic_party",
            UnitKind::IndustryCommerce => "industry_commerce",
            UnitKind::PrivateEnterprise => "private_enterprise",
            UnitKind::SocialOrganisation => "social_organisation",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            UnitKind::CentralOrgan => "中央党政机关",
            UnitKind::PeoplesOrganisation => "人民团体",
            UnitKind::PublicInstitution => "事业单位",
            UnitKind::StateEnterprise => "国有企业",
            UnitKind::StateFinancial => "国有金融机构",
            UnitKind::University => "高校及科研院所",
            UnitKind::Military => "军队和武警部队",
            UnitKind::DemocraticParty => "民主党派",
            UnitKind::IndustryCommerce => "工商联",
            UnitKind::PrivateEnterprise => "民营企业",
            UnitKind::SocialOrganisation => "社会组织",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            UnitKind::CentralOrgan => "Central Party/government organ",
            UnitKind::PeoplesOrganisation => "People's organisation",
            UnitKind::PublicInstitution => "Public institution",
            UnitKind::StateEnterprise => "State-owned enterprise",
            UnitKind::StateFinancial => "State-owned financial institution",
            UnitKind::University => "University or research institute",
            UnitKind::Military => "Military / armed police",
            UnitKind::DemocraticParty => "Democratic party",
            UnitKind::IndustryCommerce => "Federation of industry and commerce",
            UnitKind::PrivateEnterprise => "Private enterprise",
            UnitKind::SocialOrganisation => "Social organisation",
        }
    }

    /// Accepts the code, the Chinese name or the English name (for imports).
    pub fn parse(s: &str) -> Option<UnitKind> {
        let s = s.trim();
        ALL_UNIT_KINDS
            .into_iter()
            .find(|k| k.as_str() == s || k.zh() == s || k.en().eq_ignore_ascii_case(s))
    }
}

/// A plausible e-mail address: one `@` with text on both sides, no blanks,
/// and a domain of dot-separated labels none of which is empty
/// (`a@@b`, `a@b.`, `a b@c` are refused).
fn is_email(m: &str) -> bool {
    let Some((local, domain)) = m.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !m.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').all(|label| !label.is_empty())
}

/// Whether a role with this scope may edit the unit: the office any
/// unit, a unit manager only its own.
pub fn may_edit_unit(role: Role, scope: &Scope, unit_id: i64) -> bool {
    role.may(Action::EditUnits) && (*scope == Scope::All || scope.unit() == Some(unit_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_office_edits_any_unit_a_unit_manager_only_its_own() {
        assert!(may_edit_unit(Role::Office, &Scope::All, 7));
        assert!(may_edit_unit(Role::Unit, &Scope::Unit(7), 7));
        assert!(!may_edit_unit(Role::Unit, &Scope::Unit(7), 8));
        assert!(!may_edit_unit(
            Role::Cadre,
            &Scope::UnitCounty(7, crate::area::CountyCode::parse("623023").unwrap()),
            7
        ));
        assert!(!may_edit_unit(Role::Reviewer, &Scope::All, 7));
    }

    #[test]
    fn unit_kind_parses_every_name() {
        for k in ALL_UNIT_KINDS {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
            assert_eq!(UnitKind::parse(k.zh()), Some(k));
            assert_eq!(UnitKind::parse(&k.en().to_uppercase()), Some(k));
        }
        assert_eq!(UnitKind::parse("alien"), None);
    }
}

/// An assisting unit (帮扶单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub kind: UnitKind,
    /// Responsible leader (分管领导).
    pub leader: Option<String>,
    /// Responsible department (分管部门).
    pub department: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub address: Option<String>,
    pub note: Option<String>,
}

/// The fields of a unit as entered in a form, an import row or the API.
/// A `null` reads as an empty field, so the record `GET /units/{id}`
/// answers (with `null` for the fields not given) can be sent back whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitInput {
    #[serde(deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub kind: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub leader: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub department: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub contact_name: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub contact_phone: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub contact_email: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub address: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub note: String,
}

/// A text field that may be `null` (read as empty).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(d).map(Option::unwrap_or_default)
}

/// A validated unit, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFields {
    pub name: String,
    pub kind: UnitKind,
    pub leader: Option<String>,
    pub department: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub address: Option<String>,
    pub note: Option<String>,
}

impl UnitInput {
    /// Validates every field, reporting all problems at once.
    pub fn parse(&self) -> Result<UnitFields, Vec<crate::FieldError>> {
        use crate::error::{optional_text, required_text};
        use crate::{FieldError, Msg};
        let mut e = Vec::new();
        let name = required_text("name", &self.name, 100, &mut e);
        let kind = match UnitKind::parse(&self.kind) {
            Some(k) => Some(k),
            None if self.kind.trim().is_empty() => {
                e.push(FieldError::required("kind"));
                None
            }
            None => {
                e.push(FieldError::new(
                    "kind",
                    self.kind.trim(),
                    Msg::new(
                        "unknown_kind",
                        "不是已知的单位类型",
                        "is not a known unit kind",
                    ),
                ));
                None
            }
        };
        let leader = optional_text("leader", &self.leader, 50, &mut e);
        let department = optional_text("department", &self.department, 100, &mut e);
        let contact_name = optional_text("contact_name", &self.contact_name, 50, &mut e);
        let contact_phone = optional_text("contact_phone", &self.contact_phone, 30, &mut e);
        if let Some(p) = &contact_phone
            && !p.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c))
        {
            e.push(FieldError::new(
                "contact_phone",
                p.as_str(),
                Msg::new(
                    "bad_phone",
                    "电话号码只能包含数字、空格和 + - ( )",
                    "a phone number may hold only digits, spaces and + - ( )",
                ),
            ));
        }
        let contact_email = optional_text("contact_email", &self.contact_email, 100, &mut e);
        if let Some(m) = &contact_email
            && !is_email(m)
        {
            e.push(FieldError::new(
                "contact_email",
                m.as_str(),
                Msg::new(
                    "bad_email",
                    "电子邮箱格式不正确",
                    "is not an e-mail address",
                ),
            ));
        }
        let address = optional_text("address", &self.address, 200, &mut e);
        let note = optional_text("note", &self.note, 1000, &mut e);
        match kind {
            Some(kind) if e.is_empty() => Ok(UnitFields {
                name,
                kind,
                leader,
                department,
                contact_name,
                contact_phone,
                contact_email,
                address,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// The rows of a unit import (Excel row number, input), checked: every bad
/// field of every row, every name that repeats an earlier row, and a file
/// without rows are reported together.
pub fn parse_unit_rows(
    rows: &[(usize, UnitInput)],
) -> Result<Vec<UnitFields>, Vec<crate::FieldError>> {
    use crate::{FieldError, Msg};
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (row, input) in rows {
        match input.parse() {
            Ok(f) => {
                if let Some(first) = seen.insert(f.name.clone(), *row) {
                    errors.push(
                        FieldError::new(
                            "name",
                            f.name.as_str(),
                            Msg::new(
                                "duplicate_in_file",
                                format!("与第 {first} 行重复"),
                                format!("repeats row {first}"),
                            ),
                        )
                        .at_row(*row),
                    );
                }
                parsed.push(f);
            }
            Err(es) => errors.extend(es.into_iter().map(|e| e.at_row(*row))),
        }
    }
    if rows.is_empty() {
        errors.push(FieldError::no_rows());
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn unit_rows_report_bad_rows_repeated_names_and_an_empty_file() {
        let unit = |name: &str, kind: &str| UnitInput {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        };
        let rows = [
            (2, unit("教育部", "central_organ")),
            (3, unit("", "central_organ")),
            (4, unit("教育部", "中央党政机关")),
        ];
        let errors = parse_unit_rows(&rows).unwrap_err();
        let got: Vec<(Option<usize>, &str)> = errors
            .iter()
            .map(|e| (e.row, e.msg.code.as_str()))
            .collect();
        assert_eq!(got, [(Some(3), "required"), (Some(4), "duplicate_in_file")]);
        assert!(errors[1].msg.en.contains("row 2"));
        assert_eq!(parse_unit_rows(&rows[..1]).unwrap()[0].name, "教育部");
        assert_eq!(parse_unit_rows(&[]).unwrap_err()[0].msg.code, "no_rows");
    }

    #[test]
    fn unit_input_reports_every_bad_field() {
        let input = UnitInput {
            name: "  ".into(),
            kind: "alien".into(),
            contact_phone: "12ab".into(),
            contact_email: "nobody".into(),
            ..Default::default()
        };
        let errs = input.parse().unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["name", "kind", "contact_phone", "contact_email"]
        );
    }

    #[test]
    fn malformed_email_addresses_are_refused() {
        for bad in [
            "a@@b", "@b.cn", "a@", "a@b.", "a@.cn", "a b@c.cn", "a@b@c", "ab",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        for good in ["fupin@example.gov.cn", "a@b", "x.y+z@mail.cn"] {
            assert!(is_email(good), "{good}");
        }
        let input = UnitInput {
            name: "单位".into(),
            kind: "central_organ".into(),
            contact_email: "a@@b".into(),
            ..Default::default()
        };
        assert_eq!(input.parse().unwrap_err()[0].msg.code, "bad_email");
    }

    #[test]
    fn unit_input_trims_and_accepts_chinese_kind() {
        let input = UnitInput {
            name: " 中共中央组织部 ".into(),
            kind: "中央党政机关".into(),
            ..Default::default()
        };
        let u = input.parse().unwrap();
        assert_eq!(u.name, "中共中央组织部");
        assert_eq!(u.kind, UnitKind::CentralOrgan);
        assert_eq!(u.leader, None);
    }
}

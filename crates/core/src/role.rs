//! Roles, what each may do, and the scope of data each may see.

use crate::area::CountyCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// System administrator: configuration and accounts, no personal data.
    Admin,
    /// Security administrator: roles and scopes.
    Security,
    /// Audit administrator: the audit log only.
    Auditor,
    /// Poverty alleviation office: drafts plans, runs the system.
    Office,
    /// Leading-group reviewer: approves or returns plans.
    Reviewer,
    /// Manager of one assisting unit.
    Unit,
    /// County officer.
    County,
    /// Seconded cadre of a unit, posted to a county.
    Cadre,
    /// Inspector: reads everything, writes findings.
    Inspector,
}

pub const ALL_ROLES: [Role; 9] = [
    Role::Admin,
    Role::Security,
    Role::Auditor,
    Role::Office,
    Role::Reviewer,
    Role::Unit,
    Role::County,
    Role::Cadre,
    Role::Inspector,
];

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Security => "security",
            Role::Auditor => "auditor",
            Role::Office => "office",
            Role::Reviewer => "reviewer",
            Role::Unit => "unit",
            Role::County => "county",
            Role::Cadre => "cadre",
            Role::Inspector => "inspector",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Security => "安全管理员",
            Role::Auditor => "审计管理员",
            Role::Office => "扶贫办",
            Role::Reviewer => "领导小组审核人",
            Role::Unit => "帮扶单位",
            Role::County => "县级用户",
            Role::Cadre => "挂职干部",
            Role::Inspector => "督查人员",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Security => "Security administrator",
            Role::Auditor => "Audit administrator",
            Role::Office => "Poverty alleviation office",
            Role::Reviewer => "Leading-group reviewer",
            Role::Unit => "Assisting unit",
            Role::County => "County officer",
            Role::Cadre => "Seconded cadre",
            Role::Inspector => "Inspector",
        }
    }

    pub fn needs_unit(self) -> bool {
        matches!(self, Role::Unit | Role::Cadre)
    }

    pub fn needs_county(self) -> bool {
        matches!(self, Role::County | Role::Cadre)
    }

    /// The three separated administrator duties (三权分立). They are given
    /// only by the operator at the server (`dingdian user add`); inside the
    /// application no one grants, changes or removes them.
    pub fn is_admin_duty(self) -> bool {
        matches!(self, Role::Admin | Role::Security | Role::Auditor)
    }

    /// Sign-in needs a TOTP code (MLPS level 3: two factors for the
    /// administrators, for the roles that decide plans and for every role
    /// that may see ID numbers in full). Other roles may enrol one.
    pub fn requires_second_factor(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::Security
                | Role::Auditor
                | Role::Office
                | Role::Reviewer
                | Role::County
        ) || self.may(Action::RevealIdNumbers)
    }

    /// May this role do this action at all? (Scope limits *which* records.)
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ReadAreas => !matches!(self, Auditor),
            EditAreas => matches!(self, Office),
            // Units name their contact people: personal information the
            // system administrator does not read.
            ReadUnits => !matches!(self, Auditor | Admin),
            EditUnits => matches!(self, Office | Unit),
            CreateUnits => matches!(self, Office),
            ReadPlans => matches!(self, Office | Reviewer | Inspector | Unit | County | Cadre),
            EditPlans => matches!(self, Office),
            ReviewPlans => matches!(self, Reviewer),
            GiveFeedback => matches!(self, Unit),
            ListAccounts => matches!(self, Admin | Security),
            ManageAccounts => matches!(self, Admin),
            AssignRoles => matches!(self, Security),
            ReadAudit => matches!(self, Auditor),
            ReadIndicators => matches!(self, Office | Reviewer | Inspector | Unit | County | Cadre),
            ReadRegistry => matches!(self, Office | Inspector | County | Cadre),
            ImportRegistry => matches!(self, Office | County),
            RevealIdNumbers => matches!(self, Office | County),
            EditPovertyLines => matches!(self, Office),
            ReadAssistance => {
                matches!(self, Office | Reviewer | Inspector | Unit | County | Cadre)
            }
            EditAssistancePlans => matches!(self, Unit),
            AgreeAssistancePlans => matches!(self, County),
            EditProjects => matches!(self, Unit),
            AcceptProjects => matches!(self, County),
            PostLedger => matches!(self, Unit),
            ReallocateEarmarks => matches!(self, Office),
            WriteRecords => matches!(self, Unit | Cadre),
            SetLetterTargets => matches!(self, Office),
            SignLetters => matches!(self, Unit),
            EditSecondments => matches!(self, Unit),
            ApproveSecondments => matches!(self, Office),
            SetReportCalendar => matches!(self, Office),
            WriteReports => matches!(self, Unit | Cadre),
            ReviewReports => matches!(self, Unit),
            RecordInspections => matches!(self, Office | Unit | Inspector),
            WorkRectifications => matches!(self, Unit | County | Cadre),
            VerifyRectifications => matches!(self, Office | Unit | Inspector),
            RecordLeaderVisits => matches!(self, Unit),
            AssignHelpers => matches!(self, County),
            RecordHomeVisits => matches!(self, County | Cadre),
            SetAssessmentRules => matches!(self, Office),
            SelfReportAssessment => matches!(self, Unit),
            AssessUnits => matches!(self, Office | Inspector),
            ReviewAssessments => matches!(self, Reviewer),
            PublishAssessments => matches!(self, Office),
            SetMonitoringThresholds => matches!(self, Office),
            FlagHouseholds => matches!(self, County | Cadre),
            VerifyMonitoring => matches!(self, County | Cadre),
            ReviewMonitoring => matches!(self, County),
            ImportAlerts => matches!(self, County),
            PublishAggregates => matches!(self, Office),
        }
    }
}

/// What a user may try to do; the scope then narrows the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReadAreas,
    EditAreas,
    ReadUnits,
    EditUnits,
    CreateUnits,
    ReadPlans,
    EditPlans,
    ReviewPlans,
    GiveFeedback,
    /// See the account list (no personal data of the registry).
    ListAccounts,
    /// Create accounts (without a role), deactivate, unlock, reset passwords.
    ManageAccounts,
    /// Give an account its role and scope.
    AssignRoles,
    ReadAudit,
    /// Aggregate figures (no personal data).
    ReadIndicators,
    /// Households and members (masked ID numbers).
    ReadRegistry,
    ImportRegistry,
    /// See ID numbers in full (each disclosure audited).
    RevealIdNumbers,
    EditPovertyLines,
    /// Assistance plans, projects, the funds ledger, records and letters
    /// (within the scope).
    ReadAssistance,
    /// Draft, change and submit a unit's assistance plans.
    EditAssistancePlans,
    /// The county agrees an assistance plan or returns it with comments.
    AgreeAssistancePlans,
    /// Create projects, record progress, outputs and attachments, move them
    /// along their lifecycle.
    EditProjects,
    /// The county approves a planned project and accepts (验收) a completed one.
    AcceptProjects,
    /// Post receipts, commitments, disbursements, expenditures, reversals.
    PostLedger,
    /// Move an earmark to another project (调剂): the office alone.
    ReallocateEarmarks,
    /// Trainings, labour transfers, consumption assistance.
    WriteRecords,
    /// Set the targets of a responsibility letter: the office alone.
    SetLetterTargets,
    /// Record that the unit signed its letter.
    SignLetters,
    /// Propose a unit's secondments, start, complete or recall them, link
    /// a cadre's account.
    EditSecondments,
    /// Approve a proposed secondment: the office.
    ApproveSecondments,
    /// Set the reporting calendar of a year: the office alone.
    SetReportCalendar,
    /// Write and submit reports: a cadre its team's, the unit its annual
    /// summary.
    WriteReports,
    /// Accept a submitted report or return it with comments: the unit.
    ReviewReports,
    /// Record an inspection (督查), its findings and rectification items.
    RecordInspections,
    /// Move one's own rectification items along (open → in progress → done).
    WorkRectifications,
    /// Verify a done rectification item (never one's own).
    VerifyRectifications,
    /// Record a leader's visit (领导调研) to a paired county.
    RecordLeaderVisits,
    /// Village work teams, household helpers and measures: the county.
    AssignHelpers,
    /// A helper's home visit to a household.
    RecordHomeVisits,
    /// Set a year's assessment weights and grade thresholds: the office.
    SetAssessmentRules,
    /// Write the unit's self-report for its assessment.
    SelfReportAssessment,
    /// Score a unit (the entered indicators with their evidence) and
    /// assess it: the office and its inspectors (assessors).
    AssessUnits,
    /// Review an assessment, or return it to the assessors: the reviewer.
    ReviewAssessments,
    /// Publish a year's reviewed assessments: the office.
    PublishAssessments,
    /// Set the monitoring income threshold per province and year.
    SetMonitoringThresholds,
    /// Flag a household for return-risk monitoring (found by a cadre, the
    /// household's application, or the registry data).
    FlagHouseholds,
    /// Verify a flagged household by a home visit.
    VerifyMonitoring,
    /// Review a verified case, assign measures, clear a risk: the county.
    ReviewMonitoring,
    /// Import the alert files other departments send, and work the
    /// correction tasks they raise: the county.
    ImportAlerts,
    /// Publish a year's county aggregates on the public page: the office.
    PublishAggregates,
}

/// Which records a user may see. The store filters every scoped read by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole country.
    All,
    /// One assisting unit's data.
    Unit(i64),
    /// One county's data.
    County(CountyCode),
    /// A seconded cadre: one unit's work in one county.
    UnitCounty(i64, CountyCode),
}

impl Scope {
    /// The scope of a user's role; `None` when a scoped role lacks its
    /// unit or a valid county code.
    pub fn for_user(role: Role, unit_id: Option<i64>, county: Option<&str>) -> Option<Scope> {
        let county = || county.and_then(CountyCode::parse);
        match role {
            Role::Unit => unit_id.map(Scope::Unit),
            Role::County => county().map(Scope::County),
            Role::Cadre => Some(Scope::UnitCounty(unit_id?, county()?)),
            _ => Some(Scope::All),
        }
    }

    pub fn unit(&self) -> Option<i64> {
        match self {
            Scope::Unit(u) | Scope::UnitCounty(u, _) => Some(*u),
            _ => None,
        }
    }

    pub fn county(&self) -> Option<&str> {
        match self {
            Scope::County(c) | Scope::UnitCounty(_, c) => Some(c.as_str()),
            _ => None,
        }
    }

    /// Does this scope reach a pairing of `unit` with `county`?
    pub fn reaches_pairing(&self, unit: i64, county: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Unit(u) => *u == unit,
            Scope::County(c) => c == county,
            Scope::UnitCounty(u, c) => *u == unit && c == county,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in ALL_ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn admin_duties_are_separated() {
        assert!(!Role::Admin.may(Action::ReadAudit));
        assert!(!Role::Security.may(Action::ReadAudit));
        assert!(Role::Auditor.may(Action::ReadAudit));
        assert!(!Role::Auditor.may(Action::ListAccounts));
        assert!(!Role::Auditor.may(Action::ReadUnits));
        for r in ALL_ROLES {
            assert_eq!(r.may(Action::ManageAccounts), r == Role::Admin, "{r:?}");
            assert_eq!(r.may(Action::AssignRoles), r == Role::Security, "{r:?}");
            assert_eq!(r.may(Action::ReadAudit), r == Role::Auditor, "{r:?}");
        }
        // The administrator reads no personal data.
        for a in [
            Action::ReadRegistry,
            Action::RevealIdNumbers,
            Action::ImportRegistry,
        ] {
            for r in [Role::Admin, Role::Security, Role::Auditor] {
                assert!(!r.may(a), "{r:?} {a:?}");
            }
        }
    }

    #[test]
    fn the_administrators_office_reviewer_and_county_need_a_second_factor() {
        let required: Vec<Role> = ALL_ROLES
            .into_iter()
            .filter(|r| r.requires_second_factor())
            .collect();
        assert_eq!(
            required,
            [
                Role::Admin,
                Role::Security,
                Role::Auditor,
                Role::Office,
                Role::Reviewer,
                Role::County
            ]
        );
    }

    #[test]
    fn every_role_that_sees_id_numbers_in_full_needs_a_second_factor() {
        for r in ALL_ROLES
            .into_iter()
            .filter(|r| r.may(Action::RevealIdNumbers))
        {
            assert!(r.requires_second_factor(), "{r:?}");
        }
        assert!(Role::County.requires_second_factor());
    }

    #[test]
    fn only_reviewer_reviews_and_only_office_edits_plans() {
        for r in ALL_ROLES {
            assert_eq!(r.may(Action::ReviewPlans), r == Role::Reviewer, "{r:?}");
            assert_eq!(r.may(Action::EditPlans), r == Role::Office, "{r:?}");
        }
    }

    #[test]
    fn scoped_roles_need_their_scope() {
        assert_eq!(Scope::for_user(Role::Unit, None, None), None);
        assert_eq!(Scope::for_user(Role::Cadre, Some(1), None), None);
        assert_eq!(
            Scope::for_user(Role::Cadre, Some(1), Some("623023")),
            Some(Scope::UnitCounty(1, CountyCode::parse("623023").unwrap()))
        );
        assert_eq!(Scope::for_user(Role::County, None, Some("6230")), None);
        assert_eq!(Scope::for_user(Role::Office, None, None), Some(Scope::All));
        let s = Scope::Unit(3);
        assert!(s.reaches_pairing(3, "623023"));
        assert!(!s.reaches_pairing(4, "623023"));
    }
}

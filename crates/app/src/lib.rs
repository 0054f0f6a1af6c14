//! The use cases. Each public function is one thing a user does: it takes
//! the acting user, checks permission and state, writes in one transaction
//! and appends to the audit log. The web and the CLI both call these, so
//! they cannot disagree.

pub mod accounts;
pub mod areas;
pub mod auth;
pub mod backup;
pub mod dashboard;
pub mod demo;
mod demo_ledger;
mod demo_records;
mod demo_registry;
mod error;
pub mod identity;
pub mod indicators;
pub mod jobs;
pub mod keys;
pub mod ledger;
pub mod ledger_export;
pub mod letters;
pub mod pairing_work;
mod parallel;
pub mod plan_exceptions;
mod plan_workflow;
pub mod plans;
pub mod records;
mod records_import;
pub mod reference;
pub mod registry;
pub mod rotation;
pub mod shrink;
pub mod synth;
pub mod tabular;
pub mod todo;
pub mod units;

// issue 11: assistance plans and projects
pub mod assistance_plans;
mod demo_assistance;
pub mod projects;

// issue 12: secondments, inspections and rectification
mod demo_inspections;
mod demo_secondments;
pub mod inspections;
pub mod secondments;
// issue 12: the reporting calendar and reports
mod demo_reports;
pub mod report_punctuality;
mod report_writing;
pub mod reports;
// issue 12: villages and households
mod demo_households;
pub mod household_help;
pub mod village_teams;
// issue 12: leader visits and reminders
mod assessment_facts;
pub mod assessments;
mod demo_assessments;
mod demo_visits;
pub mod leader_visits;
pub mod mail;
pub mod reminders;
// issue 13: part B
mod demo_monitoring;
pub mod monitoring;
// issue 13: printed reports and the public page
mod demo_public;
pub mod print;
pub mod public_aggregates;

// issue 13: departmental cross-checks and the household exit check
pub mod alerts;
pub mod corrections;
mod demo_alerts;
pub mod exit_check;
// issue 14: part D, monitoring of all rural households
mod demo_rural;
pub mod rural;

// issue 14: the county map
pub mod map;
mod map_values;

pub use dingdian_core::Page;
pub use error::{AppError, Result, describe_field_error as error_line};

use dingdian_core::audit::ChainReport;
use dingdian_core::query::AuditFilter;
use dingdian_core::role::{Action, Role, Scope};
use dingdian_core::user::User;
use dingdian_core::{Msg, time};
use dingdian_store::audit::{self, AuditRecord};
use dingdian_store::backup::BackupInfo;
use dingdian_store::{Conn, Store};

/// The application: the store, the personal-data keys and the running jobs.
#[derive(Clone)]
pub struct App {
    store: Store,
    keys: std::sync::Arc<keys::Keys>,
    pub jobs: jobs::Jobs,
    policy: SignInPolicy,
    dashboards: std::sync::Arc<std::sync::Mutex<dashboard::PassCache>>,
}

/// How sign-in is configured for this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Days a password lasts before it must be changed; 0 never.
    pub password_max_age_days: i64,
    /// The server runs with `--demo`: the demo accounts may sign in.
    pub demo_mode: bool,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            password_max_age_days: dingdian_core::user::DEFAULT_PASSWORD_MAX_AGE_DAYS,
            demo_mode: false,
        }
    }
}

impl App {
    /// Opens the database, with the personal-data keys from the
    /// environment or the key file (see [`keys`]).
    pub fn open(database_url: &str) -> Result<App> {
        let keys = keys::Keys::open(database_url)?;
        let store = Store::open(database_url)?;
        // A new or wrong key must not meet a registry sealed under another:
        // it could read nothing and would miss every duplicate.
        let sealed_with = store.read(dingdian_store::registry::some_key_id)?;
        let ring = keys.ring();
        if let Some(other) = sealed_with.filter(|k| ring.get(k).is_none()) {
            let ours = ring.ids().join(", ");
            return Err(AppError::Invalid(vec![dingdian_core::FieldError::new(
                "DINGDIAN_KEY",
                ours.clone(),
                Msg::new(
                    "wrong_key",
                    format!(
                        "个人信息加密密钥（{ours}）与登记数据所用密钥（{other}）不一致：请设置 DINGDIAN_KEY 或 DINGDIAN_KEY_FILE 指向原密钥"
                    ),
                    format!(
                        "the personal-data key ({ours}) is not the one that sealed the registry ({other}): point DINGDIAN_KEY or DINGDIAN_KEY_FILE at the original key"
                    ),
                ),
            )]));
        }
        let app = App::with_keys(store, keys);
        // Rows from before the name index (migration 0008) get theirs now,
        // with the key that sealed them; a partial index makes the check
        // free once they all have one.
        if app
            .store
            .read(dingdian_store::registry::name_index_missing)?
        {
            app.backfill_name_indexes()?;
        }
        Ok(app)
    }

    /// An app with one fixed key (tests, tools).
    pub fn with_key(store: Store, key: dingdian_core::crypto::PersonalDataKey) -> App {
        App::with_keys(store, keys::Keys::fixed(keys::KeyRing::new(vec![key])))
    }

    pub fn with_keys(store: Store, keys: keys::Keys) -> App {
        App {
            store,
            keys: std::sync::Arc::new(keys),
            jobs: jobs::Jobs::default(),
            policy: SignInPolicy::default(),
            dashboards: Default::default(),
        }
    }

    /// The same app with another sign-in policy.
    pub fn with_policy(mut self, policy: SignInPolicy) -> App {
        self.policy = policy;
        self
    }

    /// The same app, letting the demo accounts sign in (`--demo`) or not.
    pub fn with_demo_mode(mut self, on: bool) -> App {
        self.policy.demo_mode = on;
        self
    }

    pub fn policy(&self) -> SignInPolicy {
        self.policy
    }

    /// The key that seals new personal data now.
    pub fn key(&self) -> std::sync::Arc<dingdian_core::crypto::PersonalDataKey> {
        self.keys.ring().current().clone()
    }

    pub fn keys(&self) -> &keys::Keys {
        &self.keys
    }

    /// The database behind the app, for the app's own tests only: they
    /// set up and check what no use case shows. Off in every build of the
    /// product.
    #[cfg(feature = "test-store")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The operator's handle on the same database, for the app's own tests.
    #[cfg(feature = "test-store")]
    pub fn database(&self) -> Database {
        Database(self.store.clone())
    }

    /// One trivial query: whether the database answers (the health check).
    pub fn ping(&self) -> Result<()> {
        Ok(self.store.ping()?)
    }
}

/// The database as the operator holds it, without the personal-data key:
/// `backup` and `audit verify` need no role (whoever runs them holds the
/// database itself).
pub struct Database(Store);

impl Database {
    pub fn open(database_url: &str) -> Result<Database> {
        Ok(Database(Store::open(database_url)?))
    }

    /// Copies the whole database into a new file (see [`backup::backup`]).
    pub fn backup(&self, out: &std::path::Path, progress: backup::Progress) -> Result<BackupInfo> {
        backup::backup(&self.0, out, progress)
    }

    /// Walks the audit log's hash chain from the first record.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        verify_audit_chain(&self.0)
    }
}

/// Who is acting, with what role and scope, from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub lang: String,
    pub address: Option<String>,
}

impl Actor {
    /// A signed-in user; `None` when a scoped role lacks its unit or county.
    pub fn from_user(u: &User, address: Option<String>) -> Option<Actor> {
        Some(Actor {
            user_id: Some(u.id),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role?,
            scope: u.scope()?,
            lang: u.language.clone(),
            address,
        })
    }

    /// The operator at the command line, who holds the database file itself
    /// and so acts as the office.
    pub fn cli() -> Actor {
        Actor {
            user_id: None,
            username: "cli".into(),
            display_name: "命令行 / command line".into(),
            role: Role::Office,
            scope: Scope::All,
            lang: "zh".into(),
            address: None,
        }
    }

    /// Refuses the action unless the role may take it.
    pub fn require(&self, action: Action) -> Result<()> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Msg::new(
                "forbidden",
                format!("角色“{}”无权执行此操作", self.role.zh()),
                format!("the role {} may not do this", self.role.as_str()),
            )))
        }
    }
}

/// A list a page exports as it shows it: the page builds the table (its
/// headers in the reader's language) from what the actor may read, and
/// the app audits the export like every other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageExport {
    /// The areas list.
    Areas,
    /// The registry's household list.
    Households,
    /// The counties a plan leaves uncovered over its period.
    Uncovered { plan_id: i64 },
}

impl App {
    /// Records an export (action, object type) in the audit log, then
    /// writes the table as one xlsx sheet.
    pub(crate) fn audited_xlsx(
        &self,
        actor: &Actor,
        (action, object): (&str, &str),
        sheet: &str,
        headers: &[String],
        rows: &[Vec<tabular::Cell>],
    ) -> Result<Vec<u8>> {
        self.audited_sheet(actor, action, (object, "*"), sheet, (headers, rows))
    }

    /// Audits a refused attempt (`refused`, the error's code as the detail)
    /// and answers the error. A failure to audit is logged; the refusal
    /// stands.
    pub(crate) fn refused(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        e: AppError,
    ) -> AppError {
        let detail = Some(e.code().to_string());
        if let Err(a) = self
            .store
            .write(|c| audit(c, actor, action, object, "refused", detail))
        {
            tracing::error!(user = %actor.username, "cannot audit a refused {action}: {a}");
        }
        e
    }

    /// A page's table as one xlsx sheet; the export is audited.
    pub fn export_page(
        &self,
        actor: &Actor,
        export: PageExport,
        headers: &[String],
        rows: &[Vec<tabular::Cell>],
    ) -> Result<Vec<u8>> {
        let table = (headers, rows);
        match export {
            PageExport::Areas => {
                actor.require(Action::ReadAreas)?;
                self.audited_sheet(actor, "area.export", ("area", "*"), "areas", table)
            }
            PageExport::Households => {
                actor.require(Action::ReadRegistry)?;
                let object = ("household", "*");
                self.audited_sheet(actor, "household.export", object, "households", table)
            }
            PageExport::Uncovered { plan_id } => {
                actor.require(Action::EditPlans)?;
                let id = plan_id.to_string();
                let object = ("plan", id.as_str());
                self.audited_sheet(actor, "plan.uncovered.export", object, "uncovered", table)
            }
        }
    }

    fn audited_sheet(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        sheet: &str,
        (headers, rows): (&[String], &[Vec<tabular::Cell>]),
    ) -> Result<Vec<u8>> {
        self.store.write(|c| {
            let detail = Some(format!("{} rows", rows.len()));
            audit(c, actor, action, object, "success", detail)
        })?;
        tabular::write_xlsx(sheet, headers, rows)
    }
}

/// Appends one record to the audit log, inside the caller's transaction.
pub(crate) fn audit(
    c: &mut dyn Conn,
    actor: &Actor,
    action: &str,
    object: (&str, &str),
    outcome: &str,
    detail: Option<String>,
) -> Result<()> {
    audit::append(
        c,
        &AuditRecord {
            id: 0,
            at: time::now_ts(),
            user_id: actor.user_id,
            username: Some(actor.username.clone()),
            address: actor.address.clone(),
            action: action.into(),
            object_type: Some(object.0.into()),
            object_id: Some(object.1.into()),
            outcome: outcome.into(),
            detail,
            ..Default::default()
        },
    )?;
    Ok(())
}

/// Walks the audit log's hash chain from the first record.
pub(crate) fn verify_audit_chain(store: &Store) -> Result<ChainReport> {
    Ok(store.read(audit::verify)?)
}

impl App {
    /// The audit log, newest first: for the auditor only.
    pub fn list_audit(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        let f = AuditFilter {
            q: q.map(str::to_string),
            ..Default::default()
        };
        self.search_audit(actor, &f, page)
    }

    /// The audit records the filter finds, newest first: for the auditor only.
    pub fn search_audit(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        page: Page,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        actor.require(Action::ReadAudit)?;
        Ok(self.store.read(|c| audit::search(c, f, page))?)
    }

    /// Checks the hash chain of the whole log: for the auditor only.
    pub fn verify_audit(&self, actor: &Actor) -> Result<ChainReport> {
        actor.require(Action::ReadAudit)?;
        verify_audit_chain(&self.store)
    }

    /// The audit records the filter finds, as xlsx with their hashes; the
    /// export is itself audited.
    pub fn export_audit(&self, actor: &Actor, f: &AuditFilter) -> Result<Vec<u8>> {
        let (items, _) = self.search_audit(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "时间（北京时间）",
            "账号",
            "地址",
            "操作",
            "对象类型",
            "对象",
            "结果",
            "详情",
            "哈希值（SM3）",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<tabular::Cell>> = items
            .into_iter()
            .map(|r| {
                vec![
                    r.id.into(),
                    time::show_ts(r.at).into(),
                    r.username.into(),
                    r.address.into(),
                    r.action.into(),
                    r.object_type.into(),
                    r.object_id.into(),
                    r.outcome.into(),
                    r.detail.into(),
                    r.hash.into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("audit.export", "audit_log"),
            "audit",
            &headers,
            &rows,
        )
    }
}

//! The registry (建档立卡): importing registry and statistics files with
//! every rule of the interchange contract, browsing households, the
//! household timeline, search by ID number, export, the poverty lines.
//!
//! ID numbers and names are sealed (SM4-GCM) and indexed (HMAC-SM3)
//! before they reach the store; they are opened only for display, masked
//! for every role not entitled to see them in full.

mod export;
mod import;
mod import_checks;
mod poverty_lines;
mod read;
mod report;
mod sealing;
mod statistics;

#[cfg(test)]
pub(crate) use import::RawIndex;
pub use read::{HouseholdCard, HouseholdExtrasView, HouseholdView, MemberView};
pub use report::{
    ImportError, ImportReport, REJECT_CELL_MAX_CHARS, REJECTS_ERROR_HEADER, Rejects,
    StatisticsReport, table_bytes,
};
pub(crate) use sealing::{AAD_ID, AAD_NAME, open_text, seal, sealed_by};
pub use sealing::{id_index, name_index};

use crate::error::{AppError, Result};
use crate::tabular::{Column, Encoding};
use crate::{Actor, App, audit};

const fn col(en: &'static str, zh: &'static str, required: bool) -> Column {
    Column { en, zh, required }
}

/// The registry file's columns (registry-format.md): the contract's eleven,
/// then the optional extended columns (`rules::EXTENDED_COLUMNS`).
pub const REGISTRY_COLUMNS: &[Column] = &[
    col("year", "年度", true),
    col("village_code", "村级区划代码", true),
    col("household_id", "户编号", true),
    col("id_number", "证件号码", true),
    col("name", "姓名", true),
    col("relation", "与户主关系", true),
    col("income_per_capita", "人均纯收入", true),
    col("status", "脱贫状态", true),
    col("identified_year", "识别年度", true),
    col("exit_year", "脱贫年度", true),
    col("cause", "主要致贫原因", true),
    col("household_type", "户类型", false),
    col("other_causes", "其他致贫原因", false),
    col("wage_income", "工资性收入", false),
    col("business_income", "生产经营性收入", false),
    col("property_income", "财产性收入", false),
    col("transfer_income", "转移性收入", false),
    col("food_secure", "不愁吃", false),
    col("clothing_secure", "不愁穿", false),
    col("education_secure", "义务教育有保障", false),
    col("medical_secure", "基本医疗有保障", false),
    col("housing_secure", "住房安全有保障", false),
    col("water_secure", "饮水安全有保障", false),
    col("health", "健康状况", false),
    col("education", "文化程度", false),
    col("labour_skill", "劳动技能", false),
    col("migrant_work", "务工状况", false),
];

/// The contract's eleven registry columns (what every file has).
pub const CONTRACT_COLUMNS: &[Column] = REGISTRY_COLUMNS.split_at(11).0;

/// The area statistics file's columns.
pub const STATISTICS_COLUMNS: &[Column] = &[
    Column {
        en: "year",
        zh: "年度",
        required: true,
    },
    Column {
        en: "area_code",
        zh: "区划代码",
        required: true,
    },
    Column {
        en: "rural_population",
        zh: "农村人口",
        required: true,
    },
    Column {
        en: "rural_income_per_capita",
        zh: "农民人均纯收入",
        required: true,
    },
];

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub skip_invalid: bool,
    pub encoding: Option<Encoding>,
    pub dry_run: bool,
    pub ignore_unknown_columns: bool,
}

/// From this many rows whose ID number is already registered this year in
/// another county, an import attempt is flagged (a file of one county's
/// own people rarely has more than a few movers; a file probing for who is
/// registered where has many).
pub const MANY_DUPLICATES_ELSEWHERE: usize = 10;

/// Called inside an import's write transaction just before it commits,
/// with the report: what must commit together with the data (a job's
/// outcome). Not called on a dry run, which commits nothing.
pub type OnCommit<'a> = &'a dyn Fn(&mut dyn dingdian_store::Conn, &ImportReport) -> Result<()>;

/// What an import attempt came to, for its audit record (kept up to date
/// as the import goes, so a failure still reports what was seen).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Attempt {
    pub(crate) rows: usize,
    pub(crate) rejected: usize,
    pub(crate) elsewhere: usize,
}

impl Attempt {
    fn flagged(&self) -> bool {
        self.elsewhere >= MANY_DUPLICATES_ELSEWHERE
    }

    pub(crate) fn detail(&self) -> String {
        format!(
            "{} rows, {} rejected, {} registered in other counties{}",
            self.rows,
            self.rejected,
            self.elsewhere,
            if self.flagged() {
                "; flagged: many ID numbers registered in other counties"
            } else {
                ""
            }
        )
    }
}

/// Whether a scope reaches a county's households (the office's does; a
/// county officer's reaches its own county only).
pub(super) fn reaches(scope: &dingdian_core::role::Scope, county: &str) -> bool {
    *scope == dingdian_core::role::Scope::All || scope.county() == Some(county)
}

impl App {
    /// Passes an import's outcome on after auditing it, unless `wrote`
    /// says it was written (a write is audited in its own transaction).
    fn audit_outcome<T>(
        &self,
        actor: &Actor,
        action: &str,
        file_name: &str,
        attempt: &Attempt,
        out: Result<T>,
        wrote: impl Fn(&T) -> bool,
    ) -> Result<T> {
        match &out {
            Ok(r) if wrote(r) => Ok(()),
            Ok(_) => self.audit_attempt(actor, action, file_name, "success", attempt.detail()),
            Err(e) => {
                self.audit_failed_attempt(actor, action, file_name, e, &attempt.detail());
                Ok(())
            }
        }?;
        out
    }

    /// Audits an import attempt that wrote nothing, in its own transaction.
    pub(crate) fn audit_attempt(
        &self,
        actor: &Actor,
        action: &str,
        file_name: &str,
        outcome: &str,
        detail: String,
    ) -> Result<()> {
        let file = dingdian_core::error::clip_to(file_name, 128);
        self.store
            .write(|c| audit(c, actor, action, ("file", &file), outcome, Some(detail)))
    }

    /// Audits a failed import attempt (`refused` when the role may not
    /// import, else `failure`, with the error's code). The import's own
    /// error is what the caller gets; a failure to audit is logged.
    pub(crate) fn audit_failed_attempt(
        &self,
        actor: &Actor,
        action: &str,
        file_name: &str,
        e: &AppError,
        detail: &str,
    ) {
        let outcome = if matches!(e, AppError::Forbidden(_)) {
            "refused"
        } else {
            "failure"
        };
        let problems = match e {
            AppError::Invalid(errs) => format!("; {} problems", errs.len()),
            _ => String::new(),
        };
        let detail = format!("{detail}; {}{problems}", e.code());
        if let Err(a) = self.audit_attempt(actor, action, file_name, outcome, detail) {
            tracing::error!(
                user = %actor.username,
                "cannot audit a failed import attempt ({}): {a}",
                e.code()
            );
        }
    }
}

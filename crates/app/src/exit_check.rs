//! The household exit check (`dingdian_core::exit_check`): the page and
//! API list the households marked exited that fail it, by county and year;
//! the registry import warns of them (the import still succeeds).

use crate::error::{AppError, Result};
use crate::tabular::Cell;
use crate::{Actor, App};
use dingdian_core::exit_check::{ExitFailure, exit_failures};
use dingdian_core::registry::PovertyStatus;
use dingdian_core::role::Action;
use dingdian_core::{Fen, FieldError, Msg, Year};
use dingdian_store::Page;
use dingdian_store::exit_check::{self as store, ExitCandidate};
use dingdian_store::registry::HouseholdRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// An import reports at most this many exit warnings one by one (and
/// counts them all).
pub const MAX_EXIT_WARNINGS: usize = 50;

/// One reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExitReason {
    pub code: String,
    pub message: String,
    pub message_en: String,
}

impl ExitReason {
    fn of(f: ExitFailure) -> ExitReason {
        let m: Msg = f.msg();
        ExitReason {
            code: m.code,
            message: m.zh,
            message_en: m.en,
        }
    }
}

/// A household marked exited that fails the check, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExitCheckRow {
    pub year: i32,
    pub household_id: String,
    pub county_code: String,
    pub county_name: String,
    pub village_code: String,
    pub village_name: Option<String>,
    pub income_fen: i64,
    pub line_fen: Option<i64>,
    pub reasons: Vec<ExitReason>,
}

/// A warning of a registry import: the household's first row in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExitWarning {
    pub row: Option<usize>,
    pub year: i32,
    pub household_id: String,
    pub reasons: Vec<ExitReason>,
}

fn row_of(h: ExitCandidate) -> ExitCheckRow {
    let reasons = exit_failures(h.income_fen, h.line_fen, &h.guarantees)
        .into_iter()
        .map(ExitReason::of)
        .collect();
    ExitCheckRow {
        year: h.year,
        household_id: h.household_id,
        county_code: h.county_code,
        county_name: h.county_name,
        village_code: h.village_code,
        village_name: h.village_name,
        income_fen: h.income_fen,
        line_fen: h.line_fen,
        reasons,
    }
}

/// The exit warnings of imported households (`rows`: each household's
/// first row in the file) under the stored lines: (count, the first
/// [`MAX_EXIT_WARNINGS`]). A household with no guarantee recorded at all
/// (a file in the contract's eleven columns carries none) is warned of
/// only for its income: a warning on every exited household of such a file
/// would bury the real ones. The exit-check page still lists it as not
/// confirmable.
pub(crate) fn import_warnings(
    lines: &BTreeMap<i32, i64>,
    households: &[(Option<usize>, &HouseholdRow)],
) -> (usize, Vec<ExitWarning>) {
    let mut list = Vec::new();
    let mut count = 0;
    for (row, h) in households {
        if h.status != PovertyStatus::Exited.code() {
            continue;
        }
        let line = lines.get(&h.year).copied();
        let mut failures = exit_failures(h.income_fen, line, &h.extras.guarantees);
        if h.extras.guarantees.iter().all(Option::is_none) {
            failures.retain(|f| !matches!(f, ExitFailure::GuaranteeNotRecorded(_)));
        }
        if failures.is_empty() {
            continue;
        }
        count += 1;
        if list.len() < MAX_EXIT_WARNINGS {
            list.push(ExitWarning {
                row: *row,
                year: h.year,
                household_id: h.household_id.clone(),
                reasons: failures.into_iter().map(ExitReason::of).collect(),
            });
        }
    }
    (count, list)
}

impl App {
    /// Households marked exited in `year` (and `county`) that fail the
    /// exit check, in the registry scope. A county outside the caller's
    /// scope is not found (whether it has such households is not told).
    pub fn exit_check(
        &self,
        actor: &Actor,
        county: Option<&str>,
        year: i32,
        page: Page,
    ) -> Result<(Vec<ExitCheckRow>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Year::new(year)
            .map_err(|m| AppError::Invalid(vec![FieldError::new("year", year.to_string(), m)]))?;
        if let (Some(own), Some(asked)) = (actor.scope.county(), county)
            && own != asked
        {
            return Err(AppError::not_found("县", "county"));
        }
        let (rows, total) = self
            .store
            .read(|c| store::failing_exits(c, &actor.scope, county, year, page))?;
        Ok((rows.into_iter().map(row_of).collect(), total))
    }

    /// The failing households as xlsx; audited (`exit_check.export`).
    pub fn export_exit_check(
        &self,
        actor: &Actor,
        county: Option<&str>,
        year: i32,
    ) -> Result<Vec<u8>> {
        let (items, _) = self.exit_check(actor, county, year, Page::all())?;
        let headers: Vec<String> = [
            "年度",
            "县",
            "村",
            "户编号",
            "人均纯收入（元）",
            "扶贫标准（元）",
            "原因",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|r| {
                let reasons: Vec<String> = r.reasons.into_iter().map(|m| m.message).collect();
                vec![
                    i64::from(r.year).into(),
                    r.county_name.into(),
                    r.village_name.unwrap_or(r.village_code).into(),
                    r.household_id.into(),
                    Fen::new(r.income_fen).to_string().into(),
                    r.line_fen
                        .map(|l| Fen::new(l).to_string())
                        .unwrap_or_default()
                        .into(),
                    reasons.join("；").into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("exit_check.export", "household"),
            "exit_check",
            &headers,
            &rows,
        )
    }
}

//! What an import reports: its counts and problems in the shape of
//! interfaces.md, and the rejects file (the refused rows as read, with an
//! error column).

use super::import_checks::household_rejected;
use crate::error::{AppError, Result};
use crate::identity::IdentityChanges;
use crate::tabular::{self, Cell, ColumnMap, Table};
use dingdian_core::{FieldError, Msg};
use serde::Serialize;

/// The rows an import rejected, unchanged, with an added error column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rejects {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Rejects {
    /// The rejects file as the CLI writes it beside a CSV input and the
    /// web page offers it: UTF-8 CSV with a BOM (so that Excel reads the
    /// Chinese), the input's columns unchanged and the error column (`错误`
    /// or `error`, in the importing user's language) last.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let t = Table {
            headers: self.headers.clone(),
            rows: self.rows.iter().cloned().enumerate().collect(),
            format: tabular::Format::Csv,
        };
        let mut data = b"\xEF\xBB\xBF".to_vec();
        data.extend(table_bytes("rejects.csv", &t)?);
        Ok(data)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub households: usize,
    pub members: usize,
    pub rejected: usize,
    pub errors: Vec<FieldError>,
    pub rejects: Option<Rejects>,
    pub dry_run: bool,
    /// Household numbers registered the year before with another village
    /// or another head (a warning: the households are imported).
    pub identity_changes: IdentityChanges,
    /// Rows whose ID number is already registered this year in another
    /// county.
    pub duplicates_elsewhere: usize,
    /// Many such rows ([`MANY_DUPLICATES_ELSEWHERE`] or more): the file is
    /// flagged for the office, in the report and in the audit log.
    pub flagged: bool,
    /// Counties whose year the import left much smaller than their latest
    /// earlier year (a warning; the import is done).
    pub smaller_than_before: Vec<crate::shrink::SmallerThanBefore>,
    /// Households marked exited that fail the exit check (a warning: they
    /// are imported), and the first of them with their reasons.
    pub exit_warnings: usize,
    pub exit_warning_list: Vec<crate::exit_check::ExitWarning>,
}

/// One problem of an import in the shape of interfaces.md, shared by the
/// CLI's JSON, the job results and the API's import errors: `row` (as
/// Excel numbers it), `column`, `value`, `code`, `message` in the user's
/// language, and `message_en`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ImportError {
    pub row: Option<usize>,
    pub column: String,
    pub value: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

impl ImportError {
    pub fn new(e: &FieldError, lang: &str) -> ImportError {
        ImportError {
            row: e.row,
            column: e.field.clone(),
            value: e.value.clone(),
            code: e.msg.code.clone(),
            message: e.msg.text(lang).to_string(),
            message_en: e.msg.en.clone(),
        }
    }

    /// Back to a field error (the Chinese text is `message` as given).
    pub fn to_field_error(&self) -> FieldError {
        FieldError {
            row: self.row,
            field: self.column.clone(),
            value: self.value.clone(),
            msg: Msg::new(&self.code, self.message.clone(), self.message_en.clone()),
        }
    }
}

impl ImportReport {
    /// The report as interfaces.md prints it: `households`, `members`,
    /// `rejected`, `errors` (each an [`ImportError`]), and `dry_run`.
    /// Also `duplicates_elsewhere`, `flagged`, `errors_omitted` (0), and
    /// `exit_warnings` (the first households marked exited that fail the
    /// exit check, with their reasons) with `exit_warnings_total`.
    pub fn json(&self, lang: &str) -> serde_json::Value {
        self.json_with(lang, usize::MAX, |e| e)
    }

    /// The report with at most `max_errors` errors, each passed through
    /// `shape` (a job masks ID numbers); `errors_omitted` counts the rest.
    pub fn json_with(
        &self,
        lang: &str,
        max_errors: usize,
        shape: impl Fn(FieldError) -> FieldError,
    ) -> serde_json::Value {
        let errors: Vec<ImportError> = self
            .errors
            .iter()
            .take(max_errors)
            .map(|e| ImportError::new(&shape(e.clone()), lang))
            .collect();
        serde_json::json!({
            "households": self.households,
            "members": self.members,
            "rejected": self.rejected,
            "errors_omitted": self.errors.len() - errors.len(),
            "errors": errors,
            "dry_run": self.dry_run,
            "identity_changes": self.identity_changes,
            "duplicates_elsewhere": self.duplicates_elsewhere,
            "flagged": self.flagged,
            "smaller_than_before": self.smaller_than_before,
            "exit_warnings": self.exit_warning_list,
            "exit_warnings_total": self.exit_warnings,
        })
    }
}

/// What a statistics import did: rows written (or that would be, on a dry
/// run), rows rejected with `skip_invalid` and why.
#[derive(Debug, Clone, Default)]
pub struct StatisticsReport {
    pub rows: usize,
    pub rejected: usize,
    pub errors: Vec<FieldError>,
    pub rejects: Option<Rejects>,
    pub dry_run: bool,
}

pub(super) fn row_numbers(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|(row, _)| *row).collect()
}

/// Every row's errors, each with its row's Excel number (`rows`).
pub(super) fn collect_errors(rows: &[usize], errors: &[Vec<FieldError>]) -> Vec<FieldError> {
    errors
        .iter()
        .enumerate()
        .flat_map(|(i, es)| {
            es.iter().map(move |e| {
                if e.row.is_some() {
                    e.clone()
                } else {
                    e.clone().at_row(rows[i])
                }
            })
        })
        .collect()
}

/// The header of the rejects file's added column. `registry-format.md`
/// names it `错误/error` in both languages (other programs look for it);
/// the messages in its cells are in the importing user's language.
pub const REJECTS_ERROR_HEADER: &str = "错误/error";

/// One problem of a rejected row in one language. In Chinese the column
/// is named by its header in the file, not by its English code.
fn reject_line(e: &FieldError, lang: &str, table: &Table, map: &ColumnMap) -> String {
    let header = map.index(&e.field).and_then(|i| table.headers.get(i));
    match header {
        Some(h) if lang != "en" => {
            let value = if e.value.is_empty() {
                String::new()
            } else {
                format!("“{}”", e.value)
            };
            format!("{h}{value}：{}", e.msg.zh)
        }
        _ => crate::error_line(e, lang),
    }
}

/// The most characters of a cell the rejects file repeats ("…" marks a cut).
pub const REJECT_CELL_MAX_CHARS: usize = 256;

/// The rejected rows, as read, with an added `错误/error` column whose
/// messages are in the importing user's language, one language per cell.
/// `household_column` is where the household number stands, for the rows
/// left out only because their household was.
pub(super) fn rejects(
    table: &Table,
    map: &ColumnMap,
    errors: &[Vec<FieldError>],
    rejected: &[bool],
    household_column: Option<usize>,
    lang: &str,
) -> Rejects {
    let mut headers = table.headers.clone();
    headers.push(REJECTS_ERROR_HEADER.into());
    let rows = table
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| rejected[*i])
        .map(|(i, (_, cells))| {
            // No column allows anything near this long: a longer cell is
            // cut, so one hostile cell cannot make the kept file huge.
            let mut row: Vec<String> = cells
                .iter()
                .map(|c| dingdian_core::error::clip_to(c, REJECT_CELL_MAX_CHARS))
                .collect();
            row.resize(table.headers.len(), String::new());
            let text = if errors[i].is_empty() {
                let household = household_column
                    .and_then(|k| cells.get(k))
                    .cloned()
                    .unwrap_or_default();
                reject_line(&household_rejected(&household), lang, table, map)
            } else {
                errors[i]
                    .iter()
                    .map(|e| reject_line(e, lang, table, map))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            row.push(text);
            row
        })
        .collect();
    Rejects { headers, rows }
}

/// Writes a table (exports, rejects) as CSV or xlsx bytes by file name.
pub fn table_bytes(name: &str, t: &Table) -> Result<Vec<u8>> {
    if name.to_ascii_lowercase().ends_with(".xlsx") {
        let rows: Vec<Vec<Cell>> = t
            .rows
            .iter()
            .map(|(_, r)| r.iter().map(|s| Cell::Text(s.clone())).collect())
            .collect();
        tabular::write_xlsx("sheet1", &t.headers, &rows)
    } else {
        let rows: Vec<&Vec<String>> = t.rows.iter().map(|(_, r)| r).collect();
        tabular::csv_bytes(&t.headers, &rows)
    }
}

/// A file with a header and no data row.
pub(super) fn no_rows() -> AppError {
    AppError::invalid(
        "file",
        "",
        "no_rows",
        "文件中没有数据行",
        "the file has no data rows",
    )
}

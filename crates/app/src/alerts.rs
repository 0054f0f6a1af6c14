//! Departmental data cross-checks: the county imports the alert files
//! other departments send. Each row is matched to the registry through the
//! blind index only (the number is never decrypted, compared or stored in
//! clear) and becomes a monitoring flag or a correction task; rows that
//! match nobody, belong to another county or are invalid are listed with
//! their reason. The whole file is one transaction.

use crate::error::{AppError, Result};
use crate::registry::id_index;
use crate::tabular::{self, Cell, Column, ColumnMap, Encoding};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::alerts::{
    self as rules, AlertEvent, AlertFile, AlertFileFilter, AlertOutcome, AlertRowRecord,
    AlertSource, Consequence, MAX_ALERT_ROWS, RawAlert,
};
use dingdian_core::attachment::sha256_hex;
use dingdian_core::monitoring::{FlagSource, MonitoredKind, Risk};
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::alerts::{self as store, NewAlertFile, NewAlertRow, NewCorrection};
use dingdian_store::monitoring::{self, Flagged, NewFlag};
use dingdian_store::{Conn, Page};
use std::collections::HashSet;

/// An alert file is at most 10 MiB (a county's file is far smaller).
pub const MAX_ALERT_BYTES: usize = 10 * 1024 * 1024;

/// One column of an alert file (only the ID number is required).
const fn column(k: usize) -> Column {
    Column {
        en: rules::ALERT_COLUMNS[k].0,
        zh: rules::ALERT_COLUMNS[k].1,
        required: k == 0,
    }
}

/// The columns of an alert file, by English or Chinese name.
pub static ALERT_FILE_COLUMNS: [Column; 5] =
    [column(0), column(1), column(2), column(3), column(4)];

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AlertImport {
    pub file_id: i64,
    pub rows: i64,
    pub matched: i64,
    pub unmatched: i64,
    /// Invalid rows and rows of another county.
    pub refused: i64,
    /// Cases opened or risks added.
    pub flagged: i64,
    /// Matched rows whose case already held the risk.
    pub already_flagged: i64,
    pub corrections: i64,
    /// The same file (by content) was imported for this county before:
    /// nothing was written, this is that import.
    pub repeated: bool,
}

/// One row read, before matching: the indexes of its number under every
/// key of the ring (the first is the current key's), or why it is invalid.
struct Read {
    row_no: i64,
    masked: String,
    row: std::result::Result<(rules::AlertRow, Vec<Vec<u8>>), rules::RowError>,
}

/// One file's matching: the county, its department, the day, who.
struct Run<'a> {
    actor: &'a Actor,
    county: &'a str,
    source: AlertSource,
    today: NaiveDate,
    now: i64,
}

fn other_county_of_actor() -> AppError {
    AppError::Forbidden(Msg::new(
        "outside_scope",
        "只能为本县导入部门比对数据",
        "you may import departmental alert files for your own county only",
    ))
}

impl App {
    /// Imports a department's alert file for `county` (the county's own
    /// officer only). Refusals are audited; the same bytes imported again
    /// for the county answer the first import and write nothing.
    pub fn import_alerts(
        &self,
        actor: &Actor,
        county: &str,
        source: AlertSource,
        file_name: &str,
        bytes: &[u8],
        today: NaiveDate,
    ) -> Result<AlertImport> {
        let object = ("alert_file", county);
        let checked = actor
            .require(Action::ImportAlerts)
            .and_then(|_| match actor.scope.county() {
                Some(c) if c == county => Ok(()),
                _ => Err(other_county_of_actor()),
            })
            .and_then(|_| self.read_alert_file(file_name, bytes, source, today));
        let reads = match checked {
            Ok(r) => r,
            Err(e) => return Err(self.refused(actor, "alert.import", object, e)),
        };
        let run = Run {
            actor,
            county,
            source,
            today,
            now: time::now_ts(),
        };
        let sha = sha256_hex(bytes);
        let name = dingdian_core::error::clip_to(file_name, 128);
        self.store.write(|c| {
            if let Some(id) = store::file_by_sha(c, county, &sha)? {
                return repeated(c, id);
            }
            let file_id = store::insert_file(
                c,
                &NewAlertFile {
                    county_code: county,
                    source,
                    file_name: &name,
                    sha256: &sha,
                    by: actor.user_id,
                    now: run.now,
                },
            )?;
            let report = write_rows(c, &run, file_id, &reads)?;
            let n = [
                report.rows,
                report.matched,
                report.unmatched,
                report.refused,
            ];
            store::set_counts(c, file_id, n)?;
            let detail = format!(
                "{} rows, {} matched, {} refused",
                report.rows, report.matched, report.refused
            );
            let id = file_id.to_string();
            audit(
                c,
                actor,
                "alert.import",
                ("alert_file", &id),
                "success",
                Some(detail),
            )?;
            Ok(report)
        })
    }

    /// Reads and checks every row (no database): the file's type, size,
    /// columns and row count are refused as a whole; a bad row is listed.
    fn read_alert_file(
        &self,
        file_name: &str,
        bytes: &[u8],
        source: AlertSource,
        today: NaiveDate,
    ) -> Result<Vec<Read>> {
        if bytes.len() > MAX_ALERT_BYTES {
            return Err(AppError::invalid(
                "file",
                "",
                "file_too_large",
                "文件超过 10 MiB",
                "the file is larger than 10 MiB",
            ));
        }
        let table = tabular::read(file_name, bytes, Encoding::Auto)?;
        let map = ColumnMap::new(&table.headers, &ALERT_FILE_COLUMNS, true)?;
        if table.rows.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::no_rows().at_row(1)]));
        }
        if table.rows.len() > MAX_ALERT_ROWS {
            return Err(AppError::invalid(
                "file",
                table.rows.len().to_string(),
                "too_many_rows",
                format!("一个比对文件最多 {MAX_ALERT_ROWS} 行，请按县拆分"),
                format!("an alert file holds at most {MAX_ALERT_ROWS} rows: split it by county"),
            ));
        }
        let excel = table.format == tabular::Format::Xlsx;
        let ring = self.keys().refresh(false)?;
        let read = |row_no: usize, cells: &[String]| {
            let raw = RawAlert {
                id_number: map.get(cells, "id_number"),
                event: map.get(cells, "event"),
                date: map.get(cells, "date"),
                amount: map.get(cells, "amount"),
                area_code: map.get(cells, "area_code"),
            };
            let row = rules::parse_row(source, &raw, excel, today).map(|r| {
                let indexes = ring
                    .all()
                    .iter()
                    .map(|k| id_index(k, &r.id_number))
                    .collect();
                (r, indexes)
            });
            Read {
                row_no: row_no as i64,
                masked: match &row {
                    Ok((r, _)) => r.id_number.masked(),
                    Err(_) => rules::mask_raw(raw.id_number),
                },
                row,
            }
        };
        Ok(table
            .rows
            .iter()
            .map(|(n, cells)| read(*n, cells))
            .collect())
    }

    /// Alert files in the registry scope, newest first.
    pub fn alert_files(
        &self,
        actor: &Actor,
        f: &AlertFileFilter,
        page: Page,
    ) -> Result<(Vec<AlertFile>, i64)> {
        actor.require(Action::ReadRegistry)?;
        Ok(self
            .store
            .read(|c| store::files(c, &actor.scope, f, page))?)
    }

    /// One alert file with a page of its rows; another county's is not found.
    pub fn alert_file(
        &self,
        actor: &Actor,
        id: i64,
        page: Page,
    ) -> Result<(AlertFile, Vec<AlertRowRecord>, i64)> {
        actor.require(Action::ReadRegistry)?;
        self.store.read(|c| {
            let file = store::file(c, &actor.scope, id)?
                .ok_or_else(|| AppError::not_found("比对文件", "alert file"))?;
            let (rows, total) = store::rows(c, id, page)?;
            Ok((file, rows, total))
        })
    }

    /// The alert files the filter shows, as xlsx; audited (`alert.export`).
    pub fn export_alert_files(&self, actor: &Actor, f: &AlertFileFilter) -> Result<Vec<u8>> {
        let (items, _) = self.alert_files(actor, f, Page::all())?;
        let headers: Vec<String> = [
            "编号",
            "县",
            "部门",
            "文件",
            "行数",
            "匹配",
            "未匹配",
            "未处理",
            "导入人",
            "导入时间",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<Cell>> = items
            .into_iter()
            .map(|f| {
                vec![
                    f.id.into(),
                    f.county_name.into(),
                    f.source.zh().into(),
                    f.file_name.into(),
                    f.rows_read.into(),
                    f.matched.into(),
                    f.unmatched.into(),
                    f.refused.into(),
                    f.imported_by.unwrap_or_default().into(),
                    time::show_ts(f.imported_at).into(),
                ]
            })
            .collect();
        self.audited_xlsx(
            actor,
            ("alert.export", "alert_file"),
            "alerts",
            &headers,
            &rows,
        )
    }
}

fn repeated(c: &mut dyn Conn, id: i64) -> Result<AlertImport> {
    let (rows, _) = store::rows(c, id, Page::all())?;
    let count = |o: AlertOutcome| rows.iter().filter(|r| r.outcome == o).count() as i64;
    let already = rows
        .iter()
        .filter(|r| r.reason.as_deref() == Some("already_flagged"))
        .count() as i64;
    Ok(AlertImport {
        file_id: id,
        rows: rows.len() as i64,
        matched: count(AlertOutcome::Flagged) + count(AlertOutcome::Correction),
        unmatched: count(AlertOutcome::Unmatched),
        refused: count(AlertOutcome::Invalid) + count(AlertOutcome::OtherCounty),
        flagged: count(AlertOutcome::Flagged) - already,
        already_flagged: already,
        corrections: count(AlertOutcome::Correction),
        repeated: true,
    })
}

/// Matches and writes every row of a file, counting what each became.
fn write_rows(c: &mut dyn Conn, run: &Run, file_id: i64, reads: &[Read]) -> Result<AlertImport> {
    let mut out = AlertImport {
        file_id,
        rows: reads.len() as i64,
        matched: 0,
        unmatched: 0,
        refused: 0,
        flagged: 0,
        already_flagged: 0,
        corrections: 0,
        repeated: false,
    };
    let mut seen: HashSet<(Vec<u8>, AlertEvent)> = HashSet::new();
    for r in reads {
        let base = NewAlertRow {
            file_id,
            row_no: r.row_no,
            id_index: None,
            id_masked: &r.masked,
            event: "",
            event_date: None,
            amount_fen: None,
            outcome: AlertOutcome::Invalid,
            reason: None,
            matched: None,
            now: run.now,
        };
        let (row, indexes) = match &r.row {
            Err(e) => {
                let reason = Some(e.msg.code.as_str());
                store::insert_row(c, &NewAlertRow { reason, ..base })?;
                out.refused += 1;
                continue;
            }
            Ok(v) => v,
        };
        let base = NewAlertRow {
            id_index: Some(&indexes[0]),
            event: row.event.code(),
            event_date: row.date,
            amount_fen: row.amount_fen,
            ..base
        };
        if !seen.insert((indexes[0].clone(), row.event)) {
            let reason = Some("duplicate_in_file");
            store::insert_row(c, &NewAlertRow { reason, ..base })?;
            out.refused += 1;
            continue;
        }
        match_row(c, run, row, indexes, base, &mut out)?;
    }
    Ok(out)
}

/// One valid row: another county's (by its area code or where the number
/// is registered), unmatched, or matched and acted upon.
fn match_row(
    c: &mut dyn Conn,
    run: &Run,
    row: &rules::AlertRow,
    indexes: &[Vec<u8>],
    base: NewAlertRow,
    out: &mut AlertImport,
) -> Result<()> {
    let elsewhere = |reason| NewAlertRow {
        outcome: AlertOutcome::OtherCounty,
        reason: Some(reason),
        ..base
    };
    if row.area_code.as_deref().is_some_and(|a| a != run.county) {
        store::insert_row(c, &elsewhere("area_code_elsewhere"))?;
        out.refused += 1;
        return Ok(());
    }
    let regs = store::registrations(c, indexes)?;
    let Some(found) = regs.iter().find(|m| m.county_code == run.county) else {
        let (new, refused) = if regs.is_empty() {
            let reason = Some("not_in_registry");
            (
                NewAlertRow {
                    outcome: AlertOutcome::Unmatched,
                    reason,
                    ..base
                },
                false,
            )
        } else {
            (elsewhere("registered_elsewhere"), true)
        };
        store::insert_row(c, &new)?;
        if refused {
            out.refused += 1;
        } else {
            out.unmatched += 1;
        }
        return Ok(());
    };
    out.matched += 1;
    let matched = NewAlertRow {
        matched: Some((found.year, found.household_id.as_str())),
        ..base
    };
    match rules::consequence(row.event, row.amount_fen, found.status) {
        Consequence::Correct => correct(c, run, row, found, matched, out),
        Consequence::Flag { risk, kind } => {
            let flag = (risk, kind);
            flag_row(c, run, row, found, matched, flag, out)
        }
    }
}

/// A death or a move: the row and its correction task.
fn correct(
    c: &mut dyn Conn,
    run: &Run,
    row: &rules::AlertRow,
    found: &store::IndexMatch,
    base: NewAlertRow,
    out: &mut AlertImport,
) -> Result<()> {
    let outcome = AlertOutcome::Correction;
    let row_id = store::insert_row(c, &NewAlertRow { outcome, ..base })?;
    let task = NewCorrection {
        county_code: run.county,
        household_id: &found.household_id,
        year: found.year,
        alert_row_id: row_id,
        source: run.source,
        task: row.event,
        now: run.now,
    };
    store::insert_correction(c, &task)?;
    out.corrections += 1;
    Ok(())
}

/// A risk: the row, the flag (with the row named) and the case it found.
fn flag_row(
    c: &mut dyn Conn,
    run: &Run,
    row: &rules::AlertRow,
    found: &store::IndexMatch,
    base: NewAlertRow,
    (risk, kind): (Risk, MonitoredKind),
    out: &mut AlertImport,
) -> Result<()> {
    let outcome = AlertOutcome::Flagged;
    let row_id = store::insert_row(c, &NewAlertRow { outcome, ..base })?;
    let detail = flag_detail(run.source, row);
    let flag = NewFlag {
        household_id: &found.household_id,
        county_code: run.county,
        year: found.year,
        kind,
        risk,
        source: FlagSource::Alert,
        detail: Some(&detail),
        on: row.date.unwrap_or(run.today),
        by: run.actor.user_id,
        alert_row_id: Some(row_id),
        now: run.now,
    };
    let (case, reason) = match monitoring::flag(c, &flag)? {
        Flagged::Opened(id) | Flagged::Added(id) => {
            out.flagged += 1;
            (id, None)
        }
        Flagged::AlreadyFlagged(id) => {
            out.already_flagged += 1;
            (id, Some("already_flagged"))
        }
    };
    store::set_row_case(c, row_id, case, reason)?;
    Ok(())
}

/// The flag's note: the department, the event and its amount (no number,
/// no name).
fn flag_detail(source: AlertSource, row: &rules::AlertRow) -> String {
    let amount = row
        .amount_fen
        .map(|f| format!(" {} 元", dingdian_core::Fen::new(f)))
        .unwrap_or_default();
    format!("{}：{}{amount}", source.zh(), row.event.zh())
}

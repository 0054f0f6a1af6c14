//! Importing work records from xlsx or CSV (UTF-8 or GBK, told apart as
//! the registry import does), columns found by their Chinese or English
//! header: all or nothing — every problem is reported by row and column,
//! and nothing is written while any row fails. The 832 platform's buyer
//! export imports as consumption records of kind `bought`.

use crate::error::{AppError, Result};
use crate::records::{Checked, PLATFORM_CHANNEL, RecordKind, pairing_problem, writing_unit};
use crate::tabular::{self, ColumnMap, Encoding, Table};
use crate::{Actor, App, audit};
use chrono::NaiveDate;
use dingdian_core::records::{ConsumptionInput, LabourTransferInput, RecordDate, TrainingInput};
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::Conn;
use dingdian_store::records::{self as store, PairedPeriod, RecordRow, Writer};

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordImport {
    pub rows: usize,
}

/// One import's settings and what it learned: the unit, its pairings, today.
struct Run<'a> {
    actor: &'a Actor,
    periods: Vec<PairedPeriod>,
    today: NaiveDate,
    excel: bool,
}

impl App {
    /// Imports a file of records of `kind` for the actor's unit. Every
    /// attempt is audited (`record.import`), whatever it comes to.
    pub fn import_records(
        &self,
        actor: &Actor,
        kind: RecordKind,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
    ) -> Result<RecordImport> {
        let mut rows = 0;
        let out = self.run_records_import(actor, kind, file_name, bytes, encoding, &mut rows);
        if let Err(e) = &out {
            let detail = format!("{rows} rows");
            self.audit_failed_attempt(actor, "record.import", file_name, e, &detail);
        }
        out
    }

    fn run_records_import(
        &self,
        actor: &Actor,
        kind: RecordKind,
        file_name: &str,
        bytes: &[u8],
        encoding: Encoding,
        seen: &mut usize,
    ) -> Result<RecordImport> {
        let unit = writing_unit(actor)?;
        let table = tabular::read(file_name, bytes, encoding)?;
        *seen = table.rows.len();
        let map = ColumnMap::new(&table.headers, kind.columns(), false)?;
        if table.rows.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::no_rows().at_row(1)]));
        }
        let run = Run {
            actor,
            periods: self.store.read(|c| store::paired_periods(c, unit))?,
            today: time::today(),
            excel: table.format == tabular::Format::Xlsx,
        };
        let w = Writer {
            unit_id: unit,
            created_by: actor.user_id,
            now: time::now_ts(),
        };
        let file = dingdian_core::error::clip_to(file_name, 128);
        let rows = self.store.write(|c| {
            let rows = match kind {
                RecordKind::Trainings => run.write(c, &table, w, |cells| {
                    training_input(&map, cells).parse(run.today, run.excel)
                }),
                RecordKind::Labour => run.write(c, &table, w, |cells| {
                    labour_input(&map, cells).parse(run.today, run.excel)
                }),
                RecordKind::Consumption => run.write(c, &table, w, |cells| {
                    consumption_input(&map, cells).parse(run.today, run.excel)
                }),
                RecordKind::Purchases => run.write(c, &table, w, |cells| {
                    purchase_input(&map, cells, &run.periods)
                        .parse(run.today, run.excel)
                        .map_err(|es| es.into_iter().map(purchase_column).collect())
                }),
            }?;
            let detail = format!("{rows} rows");
            audit(
                c,
                actor,
                "record.import",
                (kind.object(), &file),
                "success",
                Some(detail),
            )?;
            Ok::<_, AppError>(rows)
        })?;
        Ok(RecordImport { rows })
    }
}

impl Run<'_> {
    /// Parses and checks every row; writes them all in one go when none
    /// failed, else returns every problem with its row.
    fn write<R: RecordRow + RecordDate + Checked>(
        &self,
        c: &mut dyn Conn,
        table: &Table,
        w: Writer,
        parse: impl Fn(&[String]) -> std::result::Result<R, Vec<FieldError>>,
    ) -> Result<usize> {
        let mut good = Vec::with_capacity(table.rows.len());
        let mut errors = Vec::new();
        for (row, cells) in &table.rows {
            match parse(cells) {
                Ok(r) => {
                    let mut problems: Vec<FieldError> =
                        pairing_problem(&self.actor.scope, &self.periods, &r)
                            .into_iter()
                            .collect();
                    problems.extend(r.check(c)?);
                    errors.extend(problems.into_iter().map(|e| e.at_row(*row)));
                    good.push(r);
                }
                Err(es) => errors.extend(es.into_iter().map(|e| e.at_row(*row))),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        store::insert_many(c, &good, w)?;
        Ok(good.len())
    }
}

fn cell(map: &ColumnMap, cells: &[String], en: &str) -> String {
    tabular::csv_untext(map.get(cells, en)).to_string()
}

fn training_input(map: &ColumnMap, cells: &[String]) -> TrainingInput {
    let g = |en| cell(map, cells, en);
    TrainingInput {
        county_code: g("county_code"),
        kind: g("kind"),
        topic: g("topic"),
        place: g("place"),
        start_date: g("start_date"),
        end_date: g("end_date"),
        trainees: g("trainees"),
        organiser: g("organiser"),
        cost: g("cost"),
    }
}

fn labour_input(map: &ColumnMap, cells: &[String]) -> LabourTransferInput {
    let g = |en| cell(map, cells, en);
    let jobs = g("jobs_offered");
    LabourTransferInput {
        county_code: g("county_code"),
        date: g("date"),
        people: g("people"),
        destination: g("destination"),
        employer: g("employer"),
        months: g("months"),
        income: g("income"),
        // An empty cell: no jobs offered through the unit's channels.
        jobs_offered: if jobs.is_empty() { "0".into() } else { jobs },
    }
}

fn consumption_input(map: &ColumnMap, cells: &[String]) -> ConsumptionInput {
    let g = |en| cell(map, cells, en);
    ConsumptionInput {
        county_code: g("county_code"),
        kind: g("kind"),
        date: g("date"),
        product: g("product"),
        quantity: g("quantity"),
        value: g("value"),
        buyer: g("buyer"),
        supplier: g("supplier"),
        channel: g("channel"),
    }
}

/// A row of the 832 export as a purchase: the supplier's county given by
/// code or by name, a name looked up among the unit's paired counties.
fn purchase_input(map: &ColumnMap, cells: &[String], periods: &[PairedPeriod]) -> ConsumptionInput {
    let g = |en| cell(map, cells, en);
    let county = g("supplier_county");
    let code = periods
        .iter()
        .find(|p| p.county_name == county)
        .map(|p| p.county_code.clone())
        .unwrap_or(county);
    ConsumptionInput {
        county_code: code,
        kind: "bought".into(),
        date: g("order_date"),
        product: g("product"),
        quantity: String::new(),
        value: g("amount"),
        buyer: g("buyer"),
        supplier: g("supplier"),
        channel: PLATFORM_CHANNEL.into(),
    }
}

/// A purchase's problem named by the 832 export's column.
fn purchase_column(mut e: FieldError) -> FieldError {
    let column = match e.field.as_str() {
        "county_code" => "supplier_county",
        "date" => "order_date",
        "value" => "amount",
        _ => return e,
    };
    if e.msg.code == "bad_county" {
        e.msg = Msg::new(
            "unknown_county",
            "供应商所在县应为本单位结对县的名称或六位区划代码",
            "the supplier's county must be the name or six-digit code of a county the unit is paired with",
        );
    }
    e.field = column.to_string();
    e
}

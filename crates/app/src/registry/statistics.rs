//! Importing an area statistics file (the indicators' denominators).

use super::import_checks::outside_scope_of;
use super::report::{collect_errors, no_rows, rejects, row_numbers};
use super::{Attempt, ImportOptions, STATISTICS_COLUMNS, StatisticsReport};
use crate::error::{AppError, Result};
use crate::tabular::{self, ColumnMap, Encoding, Table};
use crate::{Actor, App, audit};
use dingdian_core::registry as rules;
use dingdian_core::role::Action;
use dingdian_core::{FieldError, Msg, time};
use dingdian_store::areas;
use dingdian_store::registry::{self as reg, StatisticsRow};
use foldhash::{HashMap, HashMapExt, HashSet};

impl App {
    /// Imports an area statistics file: all or nothing by default, or with
    /// `skip_invalid` the valid rows only, the rest returned as rejects.
    /// Re-importing replaces.
    /// Every attempt is audited (`statistics.import`, or
    /// `statistics.import.dry_run`), whatever it comes to.
    pub fn import_statistics(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> Result<StatisticsReport> {
        let mut attempt = Attempt::default();
        let out = self.run_statistics_import(actor, file_name, bytes, opts, &mut attempt);
        let action = if opts.dry_run {
            "statistics.import.dry_run"
        } else {
            "statistics.import"
        };
        self.audit_outcome(actor, action, file_name, &attempt, out, |r| {
            !r.dry_run && r.rows > 0
        })
    }

    fn run_statistics_import(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        opts: ImportOptions,
        attempt: &mut Attempt,
    ) -> Result<StatisticsReport> {
        actor.require(Action::ImportRegistry)?;
        let table = tabular::read(file_name, bytes, opts.encoding.unwrap_or(Encoding::Auto))?;
        attempt.rows = table.rows.len();
        let map = ColumnMap::new(
            &table.headers,
            STATISTICS_COLUMNS,
            opts.ignore_unknown_columns,
        )?;
        if table.rows.is_empty() {
            return Err(no_rows());
        }
        let counties: HashSet<String> = self
            .store
            .read(|c| areas::county_codes(c))?
            .into_iter()
            .collect();
        let (out, errors) = check_statistics(&table, &map, &counties, actor);
        let rejected: Vec<bool> = errors.iter().map(|e| !e.is_empty()).collect();
        let n_rejected = rejected.iter().filter(|r| **r).count();
        attempt.rejected = n_rejected;
        if n_rejected > 0 && !opts.skip_invalid {
            return Err(AppError::Invalid(collect_errors(
                &row_numbers(&table),
                &errors,
            )));
        }
        let report = StatisticsReport {
            rows: out.len(),
            rejected: n_rejected,
            errors: collect_errors(&row_numbers(&table), &errors),
            rejects: (n_rejected > 0)
                .then(|| rejects(&table, &map, &errors, &rejected, None, &actor.lang)),
            dry_run: opts.dry_run,
        };
        if opts.dry_run || out.is_empty() {
            return Ok(report);
        }
        self.store.write(|c| {
            reg::upsert_statistics(c, &out, time::now_ts())?;
            reg::bump_version(c)?;
            audit(
                c,
                actor,
                "statistics.import",
                ("file", &dingdian_core::error::clip_to(file_name, 128)),
                "success",
                Some(format!("{} rows, {} rejected", out.len(), n_rejected)),
            )
        })?;
        self.store.refresh_snapshot(&[])?;
        Ok(report)
    }
}

/// Checks every row of a statistics file: the valid rows to store, and
/// each row's problems.
fn check_statistics(
    table: &Table,
    map: &ColumnMap,
    counties: &HashSet<String>,
    actor: &Actor,
) -> (Vec<StatisticsRow>, Vec<Vec<FieldError>>) {
    let excel = !matches!(table.format, tabular::Format::Csv);
    let mut errors: Vec<Vec<FieldError>> = vec![Vec::new(); table.rows.len()];
    let mut out = Vec::new();
    let mut seen: HashMap<(i32, String), usize> = HashMap::new();
    for (i, (row, cells)) in table.rows.iter().enumerate() {
        // A repeated key is a mistake of its own, reported even when
        // either row has another problem too.
        let key = statistics_key(map.get(cells, "year"), map.get(cells, "area_code"));
        if let Some(key) = key {
            match seen.get(&key) {
                Some(first) => errors[i].push(duplicate_statistics(&key.1, *first)),
                None => _ = seen.insert(key, *row),
            }
        }
        let r = match rules::validate_statistics_row(
            map.get(cells, "year"),
            map.get(cells, "area_code"),
            map.get(cells, "rural_population"),
            map.get(cells, "rural_income_per_capita"),
            &|c: &str| counties.contains(c),
            excel,
        ) {
            Ok(r) => r,
            Err(es) => {
                errors[i].extend(es);
                continue;
            }
        };
        if let Some(c) = actor.scope.county()
            && r.area_code != c
        {
            errors[i].push(outside_scope_of("area_code", &r.area_code));
        } else if errors[i].is_empty() {
            out.push(StatisticsRow {
                year: r.year.get(),
                area_code: r.area_code,
                rural_population: r.rural_population,
                rural_income_fen: r.rural_income_fen.map(|f| f.get()),
            });
        }
    }
    (out, errors)
}

fn duplicate_statistics(area_code: &str, first: usize) -> FieldError {
    FieldError::new(
        "area_code",
        area_code,
        Msg::new(
            "duplicate_key",
            format!("与第 {first} 行的年度和区划重复"),
            format!("the same year and area as row {first}"),
        ),
    )
}

/// The key (year, area code) of a statistics row as written, when both
/// cells are well formed, whatever the row's other cells hold.
fn statistics_key(year: &str, area_code: &str) -> Option<(i32, String)> {
    let year = year.replace(',', "").parse::<i32>().ok()?;
    (area_code.len() == 6 && area_code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (year, area_code.to_string()))
}

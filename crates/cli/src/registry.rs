//! The registry commands: import (with a progress bar and a rejects file),
//! indicators, export, and the synthetic generator.

use crate::Failure;
use dingdian_app::registry::{ImportError, ImportOptions, ImportReport, Rejects, table_bytes};
use dingdian_app::tabular::{Encoding, Table};
use dingdian_app::tabular::{csv_field, csv_text};
use dingdian_app::{Actor, App, AppError};
use dingdian_core::Year;
use dingdian_core::area::Level;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The spec's JSON error items (interfaces.md): row, column, value, code,
/// message, plus message_en.
fn errors_json(errors: &[dingdian_core::FieldError]) -> Vec<ImportError> {
    errors.iter().map(|e| ImportError::new(e, "zh")).collect()
}

/// Rows with errors (each counted once).
fn rows_with_errors(errors: &[dingdian_core::FieldError]) -> usize {
    let mut rows: Vec<usize> = errors.iter().filter_map(|e| e.row).collect();
    rows.sort();
    rows.dedup();
    rows.len()
}

fn rejects_path(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    let ext = input
        .extension()
        .and_then(|s| s.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| e == "xlsx")
        .unwrap_or_else(|| "csv".into());
    input.with_file_name(format!("{stem}.rejects.{ext}"))
}

pub fn import(
    app: &App,
    file: &Path,
    encoding: Encoding,
    opts: ImportOptions,
    format: &str,
    statistics: bool,
) -> Result<(), Failure> {
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::Invalid(format!(
            "无法读取文件 / cannot read {}: {e}",
            file.display()
        ))
    })?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_string();
    let opts = ImportOptions {
        encoding: Some(encoding),
        ..opts
    };
    if statistics {
        return import_statistics(app, file, &name, &bytes, opts, format);
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .expect("template")
            .progress_chars("=> "),
    );
    let progress = |phase: &str, done: u64, total: u64| {
        bar.set_message(phase.to_string());
        bar.set_length(total);
        bar.set_position(done);
    };
    let outcome: Result<ImportReport, AppError> =
        app.import_registry(&Actor::cli(), &name, &bytes, opts, &progress);
    bar.finish_and_clear();
    match outcome {
        Ok(report) => print_report(file, &report, format),
        Err(AppError::Invalid(errors)) => {
            if format == "json" {
                println!(
                    "{}",
                    json!({ "households": 0, "members": 0, "rejected": rows_with_errors(&errors), "errors": errors_json(&errors) })
                );
            }
            Err(invalid_failure(&errors))
        }
        Err(e) => Err(e.into()),
    }
}

/// What a registry import did: the rejects file, the identity warnings,
/// the counts (as interfaces.md's JSON or as a line) and the counties much
/// smaller than the year before.
fn print_report(file: &Path, report: &ImportReport, format: &str) -> Result<(), Failure> {
    if let Some(rejects) = &report.rejects {
        write_rejects(file, rejects)?;
    }
    warn_identity_changes(&report.identity_changes);
    warn_exits(report);
    if format == "json" {
        let mut v = report.json("zh");
        if let Some(o) = v.as_object_mut() {
            // interfaces.md's object: counts and errors only (the
            // identity warnings went to standard error).
            o.remove("dry_run");
            o.remove("identity_changes");
        }
        println!("{v}");
    } else {
        println!(
            "{}: {} 户 households, {} 人 members, {} 行被拒绝 rows rejected",
            done_word(report.dry_run),
            report.households,
            report.members,
            report.rejected
        );
    }
    for s in &report.smaller_than_before {
        eprintln!(
            "注意 / note: {} {} {} 年 {} 人，不到 {} 年（{} 人）的一半 / {} has {} people in {}, less than half of {} in {}",
            s.county_name,
            s.county_code,
            s.year,
            s.members,
            s.previous_year,
            s.previous_members,
            s.county_code,
            s.members,
            s.year,
            s.previous_members,
            s.previous_year
        );
    }
    Ok(())
}

/// Households marked exited that fail the exit check, on standard error
/// (the first of them with their reasons, all counted).
fn warn_exits(report: &ImportReport) {
    if report.exit_warnings == 0 {
        return;
    }
    eprintln!(
        "警告 / warning: {} 户标为已脱贫但未通过退出核查（已导入，请核对） / {} households marked exited fail the exit check (imported, please check):",
        report.exit_warnings, report.exit_warnings
    );
    for w in &report.exit_warning_list {
        let zh: Vec<&str> = w.reasons.iter().map(|r| r.message.as_str()).collect();
        let en: Vec<&str> = w.reasons.iter().map(|r| r.message_en.as_str()).collect();
        let row = w
            .row
            .map(|r| format!("第 {r} 行 row {r} "))
            .unwrap_or_default();
        eprintln!(
            "  {row}{} {}: {} / {}",
            w.year,
            w.household_id,
            zh.join("；"),
            en.join("; ")
        );
    }
}

/// The household numbers that named another village or head the year
/// before, on standard error (listed up to the report's bound, counted).
fn warn_identity_changes(x: &dingdian_app::identity::IdentityChanges) {
    if x.count == 0 {
        return;
    }
    eprintln!(
        "警告 / warning: {} 户的户编号在上一年度登记的村或户主不同（可能重复使用了其他户的编号），已按文件导入，请核对 / {} households carry a number registered the year before with another village or head (perhaps reused); imported as in the file, please check:",
        x.count, x.count
    );
    for c in &x.listed {
        let mut what = Vec::new();
        if c.other_county {
            what.push("上一年度属于其他县 / another county the year before".to_string());
        } else if c.village_changed {
            what.push(format!(
                "村 village {} → {}",
                c.previous_village_code.as_deref().unwrap_or(""),
                c.village_code
            ));
        }
        if c.head_changed {
            what.push("户主不同 / another head".to_string());
        }
        eprintln!(
            "  {} {} ({} → {}): {}",
            c.year,
            c.household_id,
            c.previous_year,
            c.year,
            what.join("; ")
        );
    }
    let more = x.count - x.listed.len();
    if more > 0 {
        eprintln!("  … 另有 {more} 户 / {more} more");
    }
}

fn done_word(dry_run: bool) -> &'static str {
    if dry_run {
        "检查通过（未写入）/ checked, nothing written"
    } else {
        "导入成功 / imported"
    }
}

fn invalid_failure(errors: &[dingdian_core::FieldError]) -> Failure {
    let lines: Vec<String> = errors
        .iter()
        .map(|f| {
            format!(
                "{} / {}",
                dingdian_app::error_line(f, "zh"),
                dingdian_app::error_line(f, "en")
            )
        })
        .collect();
    Failure::Invalid(format!(
        "导入失败，未写入任何数据 / import failed, nothing was written ({} problems):\n{}",
        errors.len(),
        lines.join("\n")
    ))
}

/// Writes the rejected rows beside the input: `NAME.rejects.csv` (UTF-8
/// with BOM) for a CSV input, `NAME.rejects.xlsx` for an xlsx one.
fn write_rejects(input: &Path, rejects: &Rejects) -> Result<(), Failure> {
    let path = rejects_path(input);
    let data = if path.extension().is_some_and(|e| e == "csv") {
        rejects.csv()?
    } else {
        let t = Table {
            headers: rejects.headers.clone(),
            rows: rejects.rows.iter().cloned().enumerate().collect(),
            format: dingdian_app::tabular::Format::Xlsx,
        };
        table_bytes(&path.to_string_lossy(), &t)?
    };
    std::fs::write(&path, data)
        .map_err(|e| Failure::System(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "被拒绝的行已写入 / rejected rows written to {}",
        path.display()
    );
    Ok(())
}

/// An area statistics import: all or nothing, or with `--skip-invalid`
/// the valid rows and a rejects file; `--dry-run` writes nothing.
fn import_statistics(
    app: &App,
    file: &Path,
    name: &str,
    bytes: &[u8],
    opts: ImportOptions,
    format: &str,
) -> Result<(), Failure> {
    match app.import_statistics(&Actor::cli(), name, bytes, opts) {
        Ok(report) => {
            if let Some(rejects) = &report.rejects {
                write_rejects(file, rejects)?;
            }
            if format == "json" {
                println!(
                    "{}",
                    json!({ "rows": report.rows, "rejected": report.rejected, "errors": errors_json(&report.errors) })
                );
            } else {
                println!(
                    "{}: {} 行 rows, {} 行被拒绝 rows rejected",
                    done_word(report.dry_run),
                    report.rows,
                    report.rejected
                );
            }
            Ok(())
        }
        Err(AppError::Invalid(errors)) => {
            if format == "json" {
                println!(
                    "{}",
                    json!({ "households": 0, "members": 0, "rejected": rows_with_errors(&errors), "errors": errors_json(&errors) })
                );
            }
            Err(invalid_failure(&errors))
        }
        Err(e) => Err(e.into()),
    }
}

fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| "—".into())
}

pub fn indicators(
    app: &App,
    area: Option<String>,
    year: Option<i32>,
    level: &str,
    format: &str,
) -> Result<(), Failure> {
    let level = Level::parse(level).ok_or_else(|| Failure::Invalid(format!("--level 应为 county、prefecture、province、nation、township 或 village / unknown level {level}")))?;
    let q = dingdian_app::indicators::IndicatorQuery {
        area,
        year,
        level: Some(level),
        slice: Default::default(),
    };
    let rows = app.indicators(&Actor::cli(), &q)?;
    match format {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| Failure::System(e.to_string()))?
        ),
        "csv" => write_csv(&rows)?,
        "table" => {
            println!(
                "{:<8} {:<16} {:>5} {:>10} {:>9} {:>8} {:>7} {:>9} {:>9} {:>6} {:>8}",
                "area",
                "name",
                "year",
                "registered",
                "poor",
                "incid%",
                "ret%",
                "mean¥",
                "rural¥",
                "exit",
                "complete"
            );
            for r in &rows {
                let i = &r.indicators;
                println!(
                    "{:<8} {:<16} {:>5} {:>10} {:>9} {:>8} {:>7} {:>9} {:>9} {:>6} {:>8}",
                    r.area_code.clone().unwrap_or_else(|| "—".into()),
                    r.area_name,
                    r.year,
                    i.registered_population,
                    i.poor_population,
                    fmt_opt(i.poverty_incidence, 1),
                    fmt_opt(i.return_rate, 1),
                    fmt_opt(i.mean_income, 0),
                    fmt_opt(i.rural_income_per_capita, 0),
                    // No exit verdict on data that looks incomplete.
                    i.exit_eligible
                        .filter(|_| r.completeness.is_complete())
                        .map(|b| if b { "yes" } else { "no" })
                        .unwrap_or("—"),
                    if r.completeness.is_complete() {
                        "yes"
                    } else {
                        "no"
                    },
                );
            }
        }
        other => {
            return Err(Failure::Invalid(format!(
                "--format 应为 table、json 或 csv / unknown format {other}"
            )));
        }
    }
    Ok(())
}

/// The rows as CSV: the JSON fields as columns, a nested object's fields
/// as `object.field` (the `completeness` object), a list joined with `;`.
fn write_csv(rows: &[dingdian_app::indicators::IndicatorRow]) -> Result<(), Failure> {
    fn text(x: &serde_json::Value) -> String {
        match x {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => csv_text(s).into_owned(),
            serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(";"),
            other => other.to_string(),
        }
    }
    let sys = |e: &dyn std::fmt::Display| Failure::System(e.to_string());
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let mut header = false;
    for r in rows {
        let v = serde_json::to_value(r).map_err(|e| sys(&e))?;
        let mut cells: Vec<(String, String)> = Vec::new();
        for (k, x) in v.as_object().expect("an object") {
            match x {
                serde_json::Value::Object(o) => {
                    cells.extend(o.iter().map(|(k2, y)| (format!("{k}.{k2}"), text(y))))
                }
                _ => cells.push((k.clone(), text(x))),
            }
        }
        if !header {
            w.write_record(cells.iter().map(|c| csv_field(&c.0)))
                .map_err(|e| sys(&e))?;
            header = true;
        }
        w.write_record(cells.iter().map(|c| &c.1))
            .map_err(|e| sys(&e))?;
    }
    w.flush().map_err(|e| sys(&e))
}

pub fn export(app: &App, year: i32, area: Option<&str>, out: &Path) -> Result<(), Failure> {
    let name = out.to_string_lossy().to_string();
    if !(name.ends_with(".csv") || name.ends_with(".xlsx")) {
        return Err(Failure::Invalid(
            "输出文件须以 .xlsx 或 .csv 结尾 / --out must end in .xlsx or .csv".into(),
        ));
    }
    let t = app.export_registry(&Actor::cli(), year, area)?;
    std::fs::write(out, table_bytes(&name, &t)?)
        .map_err(|e| Failure::System(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "已写入 / written: {} ({} 行 rows)",
        out.display(),
        t.rows.len()
    );
    Ok(())
}

/// `2016` or `2014-2016`.
fn parse_years(s: &str) -> Option<(i32, i32)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (i32, i32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (Year::new(a).is_ok() && Year::new(b).is_ok() && a <= b).then_some((a, b))
}

/// Which counties `gen registry` writes and how it numbers households.
pub struct GenCounties {
    /// `--counties N`: the first N key counties in code order.
    pub first_n: Option<usize>,
    /// `--county CODE` (repeatable).
    pub codes: Vec<String>,
    /// `--household-start N`.
    pub household_start: u32,
    /// `--after-database URL`.
    pub after_database: Option<String>,
}

/// The counties asked for, with their villages.
fn chosen_counties(g: &GenCounties) -> Result<Vec<(String, Vec<String>)>, Failure> {
    let all = dingdian_app::reference::villages_by_county()
        .map_err(|e| Failure::System(e.to_string()))?;
    if let Some(n) = g.first_n {
        if n == 0 || n > all.len() {
            return Err(Failure::Invalid(format!(
                "--counties 应在 1 到 {} 之间 / --counties must be 1 to {}",
                all.len(),
                all.len()
            )));
        }
        return Ok(all.into_iter().take(n).collect());
    }
    let mut out = Vec::new();
    for code in &g.codes {
        let code = code.trim();
        match all.iter().find(|(c, _)| c == code) {
            Some(found) if !out.contains(found) => out.push(found.clone()),
            Some(_) => {}
            None => {
                let shown: String = code.chars().take(12).collect();
                return Err(Failure::Invalid(format!(
                    "--county {shown} 不是参考数据中有村级区划的重点县 / --county {shown} is not a key county with villages in the reference data"
                )));
            }
        }
    }
    Ok(out)
}

/// Each county's first household number: `--household-start`, or after
/// the highest the database holds for the county when that is higher.
fn first_numbers(
    g: &GenCounties,
    counties: &[(String, Vec<String>)],
    people: usize,
) -> Result<std::collections::HashMap<String, u32>, Failure> {
    let mut starts: std::collections::HashMap<String, u32> = counties
        .iter()
        .map(|(c, _)| (c.clone(), g.household_start.max(1)))
        .collect();
    if let Some(url) = &g.after_database {
        let codes: Vec<String> = starts.keys().cloned().collect();
        let highest = dingdian_app::reference::highest_household_numbers(url, &codes)
            .map_err(|e| Failure::System(e.to_string()))?;
        for (county, start) in starts.iter_mut() {
            if let Some(h) = highest.get(county) {
                *start = (*start).max(h + 1);
            }
        }
    }
    // Households never outnumber people: the last number stays six digits.
    if let Some((county, start)) = starts
        .iter()
        .find(|(_, s)| u64::from(**s) + people as u64 > 1_000_000)
    {
        return Err(Failure::Invalid(format!(
            "县 {county} 的户编号从 {start} 起将超过 6 位：请减少 --people 或调小起始编号 / county {county}: numbering from {start} would run past six digits; lower --people or the start"
        )));
    }
    Ok(starts)
}

pub fn generate(
    which: GenCounties,
    people: usize,
    seed: u64,
    years: &str,
    out: &Path,
    extended: bool,
) -> Result<(), Failure> {
    let (first, last) = parse_years(years).ok_or_else(|| Failure::Invalid(format!("--years 应为 2016 或 2014-2016 这样的年度（2010–2035）/ --years must look like 2016 or 2014-2016: {years}")))?;
    let chosen = chosen_counties(&which)?;
    let counties = chosen.len();
    if people < counties {
        return Err(Failure::Invalid(
            "--people 不能少于县数 / --people must be at least --counties".into(),
        ));
    }
    let starts = first_numbers(&which, &chosen, people / counties)?;
    let first_number = |county: &str| starts.get(county).copied().unwrap_or(1);
    let spec = dingdian_app::synth::SynthSpec {
        counties: chosen,
        people_per_county: people / counties,
        seed,
        first_year: first,
        last_year: last,
    };
    let lines = dingdian_app::reference::shipped_poverty_lines();
    let line = |y: i32| lines.line_fen(y).unwrap_or(400_000);
    let name = out.to_string_lossy().to_string();
    let total = (spec.people_per_county * counties) as u64 * (last - first + 1) as u64;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("generating [{bar:40}] {pos}/{len} ({per_sec})")
            .expect("template")
            .progress_chars("=> "),
    );
    if name.ends_with(".xlsx") {
        let mut rows = Vec::new();
        dingdian_app::synth::generate_numbered(&spec, &first_number, &line, extended, &mut |r| {
            rows.push((rows.len() + 2, r.to_vec()))
        });
        let t = Table {
            headers: dingdian_app::synth::header_with(extended),
            rows,
            format: dingdian_app::tabular::Format::Xlsx,
        };
        std::fs::write(out, table_bytes(&name, &t)?).map_err(|e| Failure::System(e.to_string()))?;
    } else if name.ends_with(".csv") {
        let file = std::fs::File::create(out)
            .map_err(|e| Failure::System(format!("cannot write {}: {e}", out.display())))?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
        let fail = |e: csv::Error| Failure::System(e.to_string());
        w.write_record(dingdian_app::synth::header_with(extended))
            .map_err(fail)?;
        let mut err = None;
        let mut n = 0u64;
        dingdian_app::synth::generate_numbered(&spec, &first_number, &line, extended, &mut |r| {
            if err.is_none()
                && let Err(e) = w.write_record(r.iter().map(|c| csv_field(c)))
            {
                err = Some(e);
            }
            n += 1;
            if n.is_multiple_of(100_000) {
                bar.set_position(n);
            }
        });
        if let Some(e) = err {
            return Err(fail(e));
        }
        w.flush().map_err(|e| Failure::System(e.to_string()))?;
    } else {
        return Err(Failure::Invalid(
            "输出文件须以 .csv 或 .xlsx 结尾 / --out must end in .csv or .xlsx".into(),
        ));
    }
    bar.finish_and_clear();
    eprintln!("已生成 / generated {} ({total} rows)", out.display());
    Ok(())
}

//! `dingdian report county|unit|national … --year Y --out FILE.(html|xlsx)`:
//! the printed reports as files, through the same app reads and the same
//! template as the `/print/…` pages. The HTML file carries its stylesheet
//! inline (it is opened from disk, where there is no server to link to).

use crate::{Db, Failure, open};
use clap::{Args, Subcommand};
use dingdian_app::{Actor, App};
use dingdian_core::time;
use dingdian_web::print::{Style, render_county, render_national, render_unit};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub(crate) enum ReportCommand {
    /// A county's profile
    County {
        /// The county's 6-digit code
        code: Option<String>,
        /// The county's 6-digit code (instead of the argument)
        #[arg(long = "county", conflicts_with = "code")]
        county: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// A unit's annual report
    Unit {
        /// The unit's id
        id: Option<i64>,
        /// The unit's id (instead of the argument)
        #[arg(long = "unit", conflicts_with = "id")]
        unit: Option<i64>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The national overview
    National {
        #[command(flatten)]
        out: ReportOut,
    },
}

#[derive(Args)]
pub(crate) struct ReportOut {
    /// The year the report covers
    #[arg(long)]
    year: i32,
    /// The file to write: .html (print-ready page) or .xlsx (a sheet per section)
    #[arg(long)]
    out: PathBuf,
    /// The language of the HTML page: zh or en
    #[arg(long, default_value = "zh")]
    lang: String,
    #[command(flatten)]
    db: Db,
}

enum Format {
    Html,
    Xlsx,
}

/// The format from the file's extension; any other is a usage error.
fn format_of(path: &Path) -> Result<Format, Failure> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") | Some("htm") => Ok(Format::Html),
        Some("xlsx") => Ok(Format::Xlsx),
        _ => Err(Failure::Usage(format!(
            "--out 须以 .html 或 .xlsx 结尾 / --out must end in .html or .xlsx: {}",
            path.display()
        ))),
    }
}

fn required<T>(positional: Option<T>, flag: Option<T>, what: &str) -> Result<T, Failure> {
    positional.or(flag).ok_or_else(|| {
        Failure::Usage(format!(
            "缺少{what} / the {what} is missing (argument or --{what})"
        ))
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::System(format!("无法写入 / cannot write {}: {e}", path.display())))?;
    eprintln!("已写入 / written: {}", path.display());
    Ok(())
}

/// Renders or exports, as the operator (`Actor::cli()`), and writes the file.
fn produce(
    o: &ReportOut,
    html: impl FnOnce(&App, &Actor, &str) -> Result<Result<String, String>, dingdian_app::AppError>,
    xlsx: impl FnOnce(&App, &Actor) -> Result<Vec<u8>, dingdian_app::AppError>,
) -> Result<(), Failure> {
    let format = format_of(&o.out)?;
    if o.lang != "zh" && o.lang != "en" {
        return Err(Failure::Usage(
            "--lang 应为 zh 或 en / --lang must be zh or en".into(),
        ));
    }
    let app = open(&o.db)?;
    let actor = Actor::cli();
    let bytes = match format {
        Format::Xlsx => xlsx(&app, &actor)?,
        Format::Html => html(&app, &actor, &o.lang)?
            .map_err(Failure::System)?
            .into_bytes(),
    };
    write(&o.out, &bytes)
}

pub(crate) fn run(command: ReportCommand) -> Result<(), Failure> {
    let today = time::today();
    match command {
        ReportCommand::County { code, county, out } => {
            let code = required(code, county, "county")?;
            let (y, c2) = (out.year, code.clone());
            produce(
                &out,
                |app, actor, lang| {
                    let p = app.county_profile(actor, &code, y, today)?;
                    let map = app.report_map(actor, Some(&code), y, lang, today)?;
                    Ok(render_county(&p, Some(map), lang, Style::Inline))
                },
                |app, actor| app.export_county_profile(actor, &c2, y, today),
            )
        }
        ReportCommand::Unit { id, unit, out } => {
            let id = required(id, unit, "unit")?;
            let y = out.year;
            produce(
                &out,
                |app, actor, lang| {
                    let r = app.unit_report(actor, id, y, today)?;
                    Ok(render_unit(&r, lang, Style::Inline))
                },
                |app, actor| app.export_unit_report(actor, id, y, today),
            )
        }
        ReportCommand::National { out } => {
            let y = out.year;
            produce(
                &out,
                |app, actor, lang| {
                    let o = app.national_overview(actor, y, today)?;
                    let map = app.report_map(actor, None, y, lang, today)?;
                    Ok(render_national(&o, Some(map), lang, Style::Inline))
                },
                |app, actor| app.export_national_overview(actor, y, today),
            )
        }
    }
}

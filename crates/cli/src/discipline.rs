//! The commands of the discipline of designated assistance (issue 12):
//! its lists as xlsx or CSV (`dingdian export secondments|reports|…`), and
//! one run of the reminders (`dingdian reminders run`) for a database no
//! server is running the scheduler on. Each calls the app as the operator.

use crate::reminders::SmtpArgs;
use crate::{Db, Failure, open, write_out};
use clap::Subcommand;
use dingdian_app::Actor;
use dingdian_core::inspection::{InspectionFilter, RectificationFilter};
use dingdian_core::leader_visit::VisitFilter;
use dingdian_core::report::ReportFilter;
use dingdian_core::secondment::SecondmentFilter;
use std::path::PathBuf;

/// The lists of secondments, reports, inspections, rectification items and
/// leader visits; narrowed by unit, county and year where they have them.
#[derive(Subcommand)]
pub(crate) enum DisciplineExport {
    /// Secondments (挂职干部)
    Secondments {
        #[command(flatten)]
        by: By,
    },
    /// Reports (定期报告), with their due dates and status
    Reports {
        #[command(flatten)]
        by: By,
    },
    /// Inspections (督查) and their findings
    Inspections {
        #[command(flatten)]
        by: By,
    },
    /// Rectification items (整改), overdue ones marked
    Rectifications {
        #[command(flatten)]
        by: By,
    },
    /// Leader visits (领导调研)
    LeaderVisits {
        #[command(flatten)]
        by: By,
    },
}

#[derive(clap::Args)]
pub(crate) struct By {
    /// Only this unit (its id)
    #[arg(long)]
    unit: Option<i64>,
    /// Only this county (6-digit code)
    #[arg(long)]
    county: Option<String>,
    /// Only this year (reports: of the period; inspections and visits: of the date)
    #[arg(long)]
    year: Option<i32>,
    /// The file to write (.xlsx or .csv)
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: Db,
}

pub(crate) fn export(command: DisciplineExport) -> Result<(), Failure> {
    let (cli, today) = (Actor::cli(), dingdian_core::time::today());
    let (bytes, out) = match command {
        DisciplineExport::Secondments { by } => {
            no_year(&by, "secondments")?;
            let f = SecondmentFilter {
                unit_id: by.unit,
                county_code: by.county,
                ..Default::default()
            };
            (open(&by.db)?.export_secondments(&cli, &f)?, by.out)
        }
        DisciplineExport::Reports { by } => {
            let f = ReportFilter {
                unit_id: by.unit,
                county_code: by.county,
                year: by.year,
                ..Default::default()
            };
            (open(&by.db)?.export_reports(&cli, &f, today)?, by.out)
        }
        DisciplineExport::Inspections { by } => {
            let f = InspectionFilter {
                unit_id: by.unit,
                county_code: by.county,
                year: by.year,
                q: None,
            };
            (open(&by.db)?.export_inspections(&cli, &f, today)?, by.out)
        }
        DisciplineExport::Rectifications { by } => {
            no_year(&by, "rectifications")?;
            let f = RectificationFilter {
                unit_id: by.unit,
                county_code: by.county,
                ..Default::default()
            };
            (
                open(&by.db)?.export_rectifications(&cli, &f, today)?,
                by.out,
            )
        }
        DisciplineExport::LeaderVisits { by } => {
            let f = VisitFilter {
                unit_id: by.unit,
                county_code: by.county,
                year: by.year,
                ..Default::default()
            };
            (open(&by.db)?.export_leader_visits(&cli, &f)?, by.out)
        }
    };
    write_out(&out, bytes)
}

/// Secondments span years and rectification items run to deadlines: a
/// year would be ambiguous, so it is refused rather than ignored.
fn no_year(by: &By, list: &str) -> Result<(), Failure> {
    match by.year {
        Some(_) => Err(Failure::Invalid(format!(
            "--year 不适用于此列表 / --year does not apply to {list}"
        ))),
        None => Ok(()),
    }
}

#[derive(Subcommand)]
pub(crate) enum RemindersCommand {
    /// Run the reminders once now: open the reports whose period ended,
    /// store what is due soon or overdue in each user's inbox, and e-mail
    /// it when an SMTP server is given. Prints what it did as JSON.
    Run {
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        db: Db,
    },
}

/// A single run holds the lease a minute: long enough for one run, short
/// enough that a server's scheduler is not kept waiting.
const ONE_RUN_LEASE: i64 = 60;

pub(crate) fn reminders(command: RemindersCommand) -> Result<(), Failure> {
    let RemindersCommand::Run { smtp, db } = command;
    let runner = smtp.runner(ONE_RUN_LEASE)?;
    let out = open(&db)?.run_reminders(dingdian_core::time::now_ts(), &runner)?;
    let json = serde_json::json!({
        "ran": out.ran,
        "opened": out.opened,
        "created": out.created,
        "emailed": out.emailed,
        "failed": out.failed,
    });
    println!("{json}");
    Ok(())
}

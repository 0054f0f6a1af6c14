//! The operator's commands: `backup`, `restore` and `audit verify`. None of
//! them needs the personal-data key except `restore`, which checks that the
//! key configured is the one that sealed the backup.

use crate::{Db, Failure};
use clap::{Args, Subcommand};
use dingdian_app::Database;
use dingdian_core::audit::ChainReport;
use dingdian_core::time::show_ts;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (a SQLite file; must not exist yet)
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: Db,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file to load
    file: PathBuf,
    /// Replace the data of a database that is not empty
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    db: Db,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; exit 1 and name the first broken record if tampered
    Verify {
        #[command(flatten)]
        db: Db,
    },
}

fn open_store(db: &Db) -> Result<Database, Failure> {
    Database::open(&db.database).map_err(|e| {
        Failure::System(format!(
            "无法打开数据库 / cannot open the database {}: {e}",
            db.database
        ))
    })
}

/// A bar per table on standard error; hidden when it is not a terminal.
fn table_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({per_sec})")
            .expect("template")
            .progress_chars("=> "),
    );
    bar
}

pub fn backup(a: BackupArgs) -> Result<(), Failure> {
    let store = open_store(&a.db)?;
    let bar = table_bar();
    let info = store.backup(&a.out, &mut |table, done, total| {
        bar.set_message(table.to_string());
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    let info = info?;
    println!(
        "已备份 / backed up: {} ({} 张表 tables, {} 行 rows, schema {})",
        a.out.display(),
        info.tables.len(),
        info.rows(),
        info.schema_version
    );
    for t in &info.tables {
        println!("  {:<24} {:>12}", t.name, t.rows);
    }
    if !info.key_ids.is_empty() {
        eprintln!(
            "提醒：备份中的身份证号和姓名仍为密文，密钥（{ids}）不在备份中。请另行妥善保管密钥文件，没有它无法恢复这些信息。\n\
             reminder: ID numbers and names stay encrypted in the backup and the key ({ids}) is not in it. Keep the key file safe, apart from the backups: without it they cannot be read.",
            ids = info.key_ids.join(", ")
        );
    }
    Ok(())
}

pub fn restore(a: RestoreArgs) -> Result<(), Failure> {
    let bar = table_bar();
    let report = dingdian_app::backup::restore(
        &a.db.database,
        &a.file,
        a.force,
        &mut |table, done, total| {
            bar.set_message(table.to_string());
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let report = report?;
    println!(
        "已恢复 / restored: {} → {} ({} 张表 tables, {} 行 rows; 备份时间 taken {} 北京时间, from {})",
        a.file.display(),
        a.db.database,
        report.tables.len(),
        report.tables.iter().map(|t| t.rows).sum::<u64>(),
        show_ts(report.info.created_at),
        report.info.source
    );
    for t in &report.tables {
        println!("  {:<24} {:>12}", t.name, t.rows);
    }
    print_chain(&report.chain)
}

pub fn audit(command: AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::Verify { db } => {
            let store = open_store(&db)?;
            print_chain(&store.verify_audit_chain()?)
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time.
fn precise(ts: i64) -> String {
    dingdian_core::time::to_utc(ts)
        .map(|t| {
            t.with_timezone(&dingdian_core::time::china())
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| ts.to_string())
}

/// The summary on standard output when the chain is intact; the first
/// broken record on standard error (exit 1) when it is not.
fn print_chain(r: &ChainReport) -> Result<(), Failure> {
    let head = match &r.head {
        Some((id, hash)) => format!("#{id} {hash}"),
        None => "—".into(),
    };
    match &r.broken {
        None => {
            println!(
                "审计链完整 / audit chain intact: {} 条记录 records checked; 最新记录 last record {head}",
                r.checked
            );
            Ok(())
        }
        Some(b) => {
            let m = b.msg();
            Err(Failure::Invalid(format!(
                "审计链已被破坏 / audit chain broken\n\
                 首个异常记录 first broken record: #{id}, {at} 北京时间 (UTC+8), {action}\n\
                 {zh} / {en}\n\
                 此前 {checked} 条记录完好 / {checked} records intact before it (last {head})",
                id = b.id,
                at = precise(b.at),
                action = b.action,
                zh = m.zh,
                en = m.en,
                checked = r.checked,
            )))
        }
    }
}

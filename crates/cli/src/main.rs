//! The `dingdian` command: serve the web and API, load the demo, manage
//! accounts, import and export. Thin: every command calls the app layer.
//!
//! Exit codes: 0 success; 1 the input was invalid (nothing written);
//! 2 usage error; 3 a failure of the system.

mod key;
mod ledger;
mod ops;
mod records;
mod registry;
// issue 12: the reminders' flags of serve, the discipline's lists and one
// run of the reminders
mod discipline;
mod reminders;
// issue 13: printed reports
mod report;

use clap::{Args, Parser, Subcommand};
use dingdian_app::tabular::Encoding;
use dingdian_app::{Actor, App, AppError, auth::NewUserInput};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dingdian",
    version,
    about = "定点扶贫信息系统 / designated assistance information system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Db {
    /// Database URL: sqlite://PATH or postgres://user:pass@host:port/db
    #[arg(
        long,
        global = true,
        env = "DINGDIAN_DATABASE",
        default_value = "sqlite://dingdian.db"
    )]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API
    Serve(ServeArgs),
    /// Load the demo data (idempotent)
    Demo {
        #[command(flatten)]
        db: Db,
    },
    /// Manage accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import a file (CSV or xlsx)
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export to a file (.xlsx or .csv, by the extension of --out)
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Reminders: one run now (`serve` runs them itself every few minutes)
    Reminders {
        #[command(subcommand)]
        command: discipline::RemindersCommand,
    },
    /// Print indicators (indicators.md) by area and year
    Indicators {
        /// Only areas inside this one (2, 4, 6, 9 or 12 digits)
        #[arg(long)]
        area: Option<String>,
        /// Only this year (default: every year)
        #[arg(long)]
        year: Option<i32>,
        /// county, prefecture, province, nation, township or village
        #[arg(long, default_value = "county")]
        level: String,
        /// table, json or csv
        #[arg(long, default_value = "table")]
        format: String,
        #[command(flatten)]
        db: Db,
    },
    /// Manage the personal-data key
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Generate data for trials and benchmarks
    Gen {
        #[command(subcommand)]
        command: GenCommand,
    },
    /// Copy the whole database, consistently, into a backup file while it is in use
    Backup(ops::BackupArgs),
    /// Load a backup file into an empty database (the same key must be configured)
    Restore(ops::RestoreArgs),
    /// The audit log
    Audit {
        #[command(subcommand)]
        command: ops::AuditCommand,
    },
    /// Write a printed report: county, unit or national (.html or .xlsx)
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Rotate the key in the key file: re-seal every ID number and name under
    /// a fresh key while the system keeps running; resumes if interrupted
    Rotate {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand)]
enum GenCommand {
    /// A deterministic synthetic registry over real county and village codes
    Registry {
        /// How many key counties (in code order)
        #[arg(long, required_unless_present = "county", conflicts_with = "county")]
        counties: Option<usize>,
        /// This county only (its six-digit code; repeat for several). Every
        /// key county with villages in the reference data can be named
        #[arg(long = "county", value_name = "CODE")]
        county: Vec<String>,
        /// Number each county's households from N on ({county}{N:06}, …)
        /// instead of 1, e.g. to follow the numbers a database already holds
        #[arg(long, value_name = "N", default_value_t = 1)]
        household_start: u32,
        /// Number each county's households after the highest number of that
        /// county in this database (sqlite://… or postgres://…), so that the
        /// file cannot reuse a household number already registered there
        /// (its households are only read)
        #[arg(long, value_name = "URL")]
        after_database: Option<String>,
        /// Members per year, spread over the counties
        #[arg(long)]
        people: usize,
        /// The seed: the same seed gives the same file
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Years, e.g. 2016 or 2014-2016
        #[arg(long, default_value = "2016")]
        years: String,
        /// The file to write (.csv or .xlsx)
        #[arg(long)]
        out: PathBuf,
        /// Add the sixteen optional extended columns (household type, other
        /// causes, income components, basic guarantees, health, education,
        /// labour skill, migrant work)
        #[arg(long)]
        extended: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input
    Add(AddUserArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Load the demo data first if the database is empty, and print the demo logins.
    /// Without it the demo accounts cannot sign in.
    #[arg(long)]
    demo: bool,
    /// Serve over TLS with this certificate chain (PEM); needs --tls-key
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM)
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Sign-in attempts allowed per minute, per client address and per account (0: no limit)
    #[arg(long, default_value_t = 10)]
    sign_in_limit: u32,
    /// API requests allowed per minute, per client address and per token (0: no limit)
    #[arg(long, default_value_t = 600)]
    api_limit: u32,
    /// Days a password lasts before its owner must change it (0: never)
    #[arg(long, env = "DINGDIAN_PASSWORD_MAX_AGE_DAYS", default_value_t = dingdian_core::user::DEFAULT_PASSWORD_MAX_AGE_DAYS)]
    password_max_age_days: i64,
    #[command(flatten)]
    reminders: reminders::ReminderArgs,
    #[command(flatten)]
    db: Db,
}

#[derive(Args)]
struct AddUserArgs {
    #[arg(long)]
    username: String,
    /// admin, security, auditor, office, reviewer, unit, county, cadre or inspector
    #[arg(long)]
    role: String,
    /// The unit (for the unit and cadre roles)
    #[arg(long)]
    unit: Option<i64>,
    /// The county code (for the county and cadre roles)
    #[arg(long)]
    county: Option<String>,
    /// Display name (default: the user name)
    #[arg(long, default_value = "")]
    name: String,
    /// Read the password from standard input (required)
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Give the account a second factor (TOTP) although its role does not
    /// require one; admin, security, auditor, office and reviewer always get one.
    /// The otpauth:// line is printed on standard output.
    #[arg(long)]
    totp: bool,
    #[command(flatten)]
    db: Db,
}

#[derive(Args, Clone)]
struct ImportOpts {
    /// The file to import
    file: PathBuf,
    /// auto, utf-8 or gbk (CSV only)
    #[arg(long, default_value = "auto")]
    encoding: String,
    /// text or json
    #[arg(long, default_value = "text")]
    format: String,
    #[command(flatten)]
    db: Db,
}

#[derive(Args, Clone)]
struct RegistryImportOpts {
    /// Import the valid rows and write the rejected ones, with an error column, beside the input
    #[arg(long)]
    skip_invalid: bool,
    /// Check everything, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Ignore columns the format does not define
    #[arg(long)]
    ignore_unknown_columns: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A registry file (建档立卡, registry-format.md)
    Registry {
        #[command(flatten)]
        opts: ImportOpts,
        #[command(flatten)]
        registry: RegistryImportOpts,
    },
    /// An area statistics file (统计数据: rural population and income by county)
    Statistics {
        #[command(flatten)]
        opts: ImportOpts,
        #[command(flatten)]
        registry: RegistryImportOpts,
    },
    /// Assisting units (单位名称, 单位类型, 分管领导, 分管部门, 联系人, 联系电话, 电子邮箱, 地址, 备注)
    Units(ImportOpts),
    /// A unit's work records, all or nothing: trainings, labour (transfers), consumption, or purchases (the 832 platform's buyer export)
    Records {
        /// What the file holds
        #[arg(value_enum)]
        kind: records::Kind,
        /// The unit whose records these are
        #[arg(long, required = true)]
        unit: i64,
        #[command(flatten)]
        opts: ImportOpts,
    },
    /// Pairings into a draft plan (帮扶单位, 县级区划代码, 角色, 开始日期, 结束日期, 备注)
    Pairings {
        /// The draft plan to import into
        #[arg(long)]
        plan: i64,
        #[command(flatten)]
        opts: ImportOpts,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The registry of a year in the import format (ID numbers in full)
    Registry {
        #[arg(long)]
        year: i32,
        /// Only this area (county, township or village code)
        #[arg(long)]
        area: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Assisting units, in the import format
    Units {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Pairings, of one plan or all
    Pairings {
        #[arg(long)]
        plan: Option<i64>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Pairing plans
    Plans {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// The funds ledger: xlsx (entries and balances) or IATI 2.03 activity XML
    Ledger {
        /// xlsx or iati
        #[arg(long)]
        format: String,
        /// Only this unit (its id)
        #[arg(long)]
        unit: Option<i64>,
        /// Only this county (6-digit code)
        #[arg(long)]
        county: Option<String>,
        /// Only entries dated in this year
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Db,
    },
    #[command(flatten)]
    Discipline(discipline::DisciplineExport),
}

/// How a command failed, and so its exit code.
enum Failure {
    Invalid(String),
    System(String),
    /// The command line itself is wrong (exit 2, as clap's own errors).
    Usage(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Store(_) | AppError::Internal(_) => Failure::System(e.to_string()),
            other => Failure::Invalid(format!("{}\n{}", other.message("zh"), other.message("en"))),
        }
    }
}

fn open(db: &Db) -> Result<App, Failure> {
    App::open(&db.database).map_err(|e| {
        Failure::System(format!(
            "无法打开数据库 / cannot open the database {}: {e}",
            db.database
        ))
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::Invalid(format!(
            "无法读取文件 / cannot read {}: {e}",
            path.display()
        ))
    })
}

fn print_demo_logins() {
    use dingdian_app::demo;
    println!(
        "演示账号 / demo accounts (password 密码: {}):",
        demo::DEMO_PASSWORD
    );
    for (user, name, role) in demo::DEMO_USERS {
        println!("  {user:<10} {role:<10} {name}");
    }
    println!(
        "动态口令 / second factor (TOTP secret 密钥 {}, add it to an authenticator app):",
        demo::DEMO_TOTP_SECRET
    );
    for (_, line) in demo::demo_otpauth_lines() {
        println!("  {line}");
    }
}

/// Prints an import's problems, one per line, in both languages.
fn import_failure(e: AppError, format: &str) -> Failure {
    if format == "json"
        && let AppError::Invalid(errs) = &e
    {
        let errors: Vec<_> = errs
            .iter()
            .map(|f| serde_json::json!({ "row": f.row, "column": f.field, "value": f.value, "code": f.msg.code, "message": f.msg.zh, "message_en": f.msg.en }))
            .collect();
        println!(
            "{}",
            serde_json::json!({ "imported": 0, "rejected": errs.len(), "errors": errors })
        );
    }
    if let AppError::Invalid(errs) = &e {
        let lines: Vec<String> = errs
            .iter()
            .map(|f| {
                format!(
                    "{} / {}",
                    dingdian_app::error_line(f, "zh"),
                    dingdian_app::error_line(f, "en")
                )
            })
            .collect();
        return Failure::Invalid(format!(
            "导入失败，未写入任何数据 / import failed, nothing was written:\n{}",
            lines.join("\n")
        ));
    }
    e.into()
}

fn write_out(path: &Path, xlsx: Vec<u8>) -> Result<(), Failure> {
    let bytes = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx") => xlsx,
        Some("csv") => dingdian_app::tabular::xlsx_to_csv(&xlsx)?,
        _ => {
            return Err(Failure::Invalid(
                "输出文件须以 .xlsx 或 .csv 结尾 / --out must end in .xlsx or .csv".into(),
            ));
        }
    };
    std::fs::write(path, bytes)
        .map_err(|e| Failure::System(format!("无法写入 / cannot write {}: {e}", path.display())))?;
    eprintln!("已写入 / written: {}", path.display());
    Ok(())
}

fn parse_encoding(s: &str) -> Result<Encoding, Failure> {
    Encoding::parse(s).ok_or_else(|| {
        Failure::Invalid(format!(
            "--encoding 应为 auto、utf-8 或 gbk / --encoding must be auto, utf-8 or gbk, not {s}"
        ))
    })
}

fn import_registry(
    opts: &ImportOpts,
    r: &RegistryImportOpts,
    statistics: bool,
) -> Result<(), Failure> {
    let encoding = parse_encoding(&opts.encoding)?;
    let app = open(&opts.db)?;
    let o = dingdian_app::registry::ImportOptions {
        skip_invalid: r.skip_invalid,
        encoding: None,
        dry_run: r.dry_run,
        ignore_unknown_columns: r.ignore_unknown_columns,
    };
    registry::import(&app, &opts.file, encoding, o, &opts.format, statistics)
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Serve(a) => serve(a),
        Command::Demo { db } => {
            let app = open(&db)?;
            if app.load_demo()? {
                println!("已载入演示数据 / demo data loaded");
            } else {
                println!("演示数据已存在 / demo data already present");
            }
            print_demo_logins();
            Ok(())
        }
        Command::User {
            command: UserCommand::Add(a),
        } => add_user(a),
        Command::Import { command } => import(command),
        Command::Indicators {
            area,
            year,
            level,
            format,
            db,
        } => registry::indicators(&open(&db)?, area, year, &level, &format),
        Command::Gen {
            command:
                GenCommand::Registry {
                    counties,
                    county,
                    household_start,
                    after_database,
                    people,
                    seed,
                    years,
                    out,
                    extended,
                },
        } => registry::generate(
            registry::GenCounties {
                first_n: counties,
                codes: county,
                household_start,
                after_database,
            },
            people,
            seed,
            &years,
            &out,
            extended,
        ),
        Command::Key {
            command: KeyCommand::Rotate { db },
        } => key::rotate(&db),
        Command::Backup(a) => ops::backup(a),
        Command::Restore(a) => ops::restore(a),
        Command::Audit { command } => ops::audit(command),
        Command::Export { command } => export(command),
        Command::Reminders { command } => discipline::reminders(command),
        Command::Report { command } => report::run(command),
    }
}

/// `serve`: the web and the API, after the demo data when asked.
fn serve(a: ServeArgs) -> Result<(), Failure> {
    let ServeArgs {
        addr,
        demo,
        tls_cert,
        tls_key,
        sign_in_limit,
        api_limit,
        password_max_age_days,
        reminders,
        db,
    } = a;
    if password_max_age_days < 0 {
        return Err(Failure::Invalid(
            "--password-max-age-days 不能为负数 / must not be negative".into(),
        ));
    }
    let app = open(&db)?.with_policy(dingdian_app::SignInPolicy {
        password_max_age_days,
        demo_mode: demo,
    });
    // Jobs a stopped server left running wrote nothing: say so.
    let abandoned = app.resolve_abandoned_jobs()?;
    if !abandoned.is_empty() {
        eprintln!(
            "{} 个导入任务因进程中止未完成，已记为失败 / {} import jobs left by a stopped process are recorded as failed",
            abandoned.len(),
            abandoned.len()
        );
    }
    if demo {
        if app.is_empty()? {
            app.load_demo()?;
            eprintln!("已载入演示数据 / demo data loaded");
        }
        if app.has_demo()? {
            print_demo_logins();
        } else {
            eprintln!(
                "数据库已有数据，未载入演示数据 / the database is not empty: the demo data was not loaded"
            );
        }
    }
    let rt = tokio::runtime::Runtime::new().map_err(|e| Failure::System(e.to_string()))?;
    rt.block_on(async {
        reminders.start(&app)?;
        let tls = match (&tls_cert, &tls_key) {
            (Some(cert), Some(key)) => Some(
                dingdian_web::load_tls(cert, key)
                    .await
                    .map_err(Failure::Invalid)?,
            ),
            _ => None,
        };
        let listener = std::net::TcpListener::bind(&addr)
            .map_err(|e| Failure::System(format!("无法监听 / cannot listen on {addr}: {e}")))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!(
            "dingdian 已启动 / listening on {scheme}://{}",
            listener
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or(addr.clone())
        );
        let config = dingdian_web::WebConfig {
            tls: tls.is_some(),
            demo,
            limits: dingdian_web::RateLimits {
                sign_in: dingdian_web::Rate::per_minute(sign_in_limit),
                api: dingdian_web::Rate::per_minute(api_limit),
            },
            ..Default::default()
        };
        dingdian_web::serve(app, config, listener, tls)
            .await
            .map_err(|e| Failure::System(e.to_string()))
    })
}

/// `user add`: an account, with its second factor when its role needs one.
fn add_user(a: AddUserArgs) -> Result<(), Failure> {
    let AddUserArgs {
        username,
        role,
        unit,
        county,
        name,
        password_stdin: _,
        totp,
        db,
    } = a;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| Failure::System(e.to_string()))?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let app = open(&db)?;
    let needs_factor = dingdian_core::role::Role::parse(role.trim())
        .is_some_and(dingdian_core::role::Role::requires_second_factor);
    let secret = (totp || needs_factor).then(dingdian_app::auth::new_totp_secret);
    let input = NewUserInput {
        username: username.clone(),
        display_name: name,
        role,
        unit_id: unit,
        county_code: county,
        password,
        totp_secret: secret.clone(),
        demo: false,
    };
    let id = app.create_user(&Actor::cli(), &input)?;
    println!("已创建用户 / created user {username} (#{id})");
    if let Some(secret) = secret {
        eprintln!(
            "请将下一行交给账号本人，添加到身份验证器 / give the next line to the account's owner for an authenticator app:"
        );
        println!(
            "{}",
            dingdian_core::totp::otpauth_uri(username.trim(), &secret)
        );
    }
    Ok(())
}

/// An import's encoding, the file's bytes and its name.
fn import_input(opts: &ImportOpts) -> Result<(Encoding, Vec<u8>, String), Failure> {
    let encoding = Encoding::parse(&opts.encoding).ok_or_else(|| {
        Failure::Invalid(format!(
            "--encoding 应为 auto、utf-8 或 gbk / --encoding must be auto, utf-8 or gbk, not {}",
            opts.encoding
        ))
    })?;
    let bytes = read_file(&opts.file)?;
    let name = opts
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file")
        .to_string();
    Ok((encoding, bytes, name))
}

/// `import`: units or pairings here; the registry and statistics in
/// `registry.rs`.
fn import(command: ImportCommand) -> Result<(), Failure> {
    let (opts, plan) = match command {
        ImportCommand::Units(o) => (o, None),
        ImportCommand::Pairings { plan, opts } => (opts, Some(plan)),
        ImportCommand::Registry { opts, registry: r } => {
            return import_registry(&opts, &r, false);
        }
        ImportCommand::Statistics { opts, registry: r } => {
            return import_registry(&opts, &r, true);
        }
        ImportCommand::Records { kind, unit, opts } => return records::import(kind, unit, &opts),
    };
    let (encoding, bytes, name) = import_input(&opts)?;
    let app = open(&opts.db)?;
    let summary = match plan {
        None => app.import_units(&Actor::cli(), &name, &bytes, encoding).map(|r| serde_json::json!({ "created": r.created, "updated": r.updated, "rejected": 0, "errors": [] })),
        Some(plan) => app.import_pairings(&Actor::cli(), plan, &name, &bytes, encoding).map(|n| serde_json::json!({ "pairings": n, "rejected": 0, "errors": [] })),
    }
    .map_err(|e| import_failure(e, &opts.format))?;
    if opts.format == "json" {
        println!("{summary}");
    } else {
        println!("导入成功 / imported: {summary}");
    }
    Ok(())
}

/// `export`: the registry, units, pairings or plans to a file.
fn export(command: ExportCommand) -> Result<(), Failure> {
    match command {
        ExportCommand::Discipline(command) => discipline::export(command),
        ExportCommand::Registry {
            year,
            area,
            out,
            db,
        } => registry::export(&open(&db)?, year, area.as_deref(), &out),
        ExportCommand::Units { out, db } => write_out(
            &out,
            open(&db)?.export_units(&Actor::cli(), &Default::default())?,
        ),
        ExportCommand::Pairings { plan, out, db } => {
            let f = dingdian_core::query::PairingFilter {
                plan_id: plan,
                ..Default::default()
            };
            write_out(&out, open(&db)?.export_pairings(&Actor::cli(), &f)?)
        }
        ExportCommand::Plans { out, db } => write_out(
            &out,
            open(&db)?.export_plans(&Actor::cli(), &Default::default())?,
        ),
        ExportCommand::Ledger {
            format,
            unit,
            county,
            year,
            out,
            db,
        } => ledger::export(
            &open(&db)?,
            ledger::LedgerExport {
                format: &format,
                unit,
                county: county.as_deref(),
                year,
                out: &out,
            },
        ),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DINGDIAN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(m)) => {
            eprintln!("{m}");
            ExitCode::from(1)
        }
        Err(Failure::System(m)) => {
            eprintln!("系统错误 / system failure: {m}");
            ExitCode::from(3)
        }
        Err(Failure::Usage(m)) => {
            eprintln!("{m}");
            ExitCode::from(2)
        }
    }
}

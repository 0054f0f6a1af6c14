//! Test databases on both backends.
//!
//! SQLite: a template file is migrated and loaded with the reference data
//! once per test process, then copied for each test.
//!
//! PostgreSQL: the server named by `DINGDIAN_TEST_POSTGRES`
//! (`postgres://…/postgres`; CI starts one for the whole run) or, without
//! it, a throwaway cluster made with Debian's `initdb`/`pg_ctl` in a
//! temporary folder, once per test process; a template database is migrated
//! once and cloned for each test, and each test's database is dropped when
//! the test ends. A watchdog stops the throwaway cluster when the test
//! process ends.
//!
//! Without PostgreSQL (neither installed nor named) the PostgreSQL halves
//! declared with [`both_backends!`] are compiled as ignored tests, so
//! `cargo test` counts them as ignored rather than passed (the build script
//! looks when the testkit is built); [`on_both`] and a server gone missing
//! after the build skip their PostgreSQL half loudly at run time. Under `CI`
//! a missing PostgreSQL is an error instead.

pub mod hostile_xlsx;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub use dingdian_store::Backend;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh database for one test; cleaned up when dropped.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestDb {
    /// Drops a PostgreSQL test database, so a server shared by a whole run
    /// does not fill up with them; `FORCE` ends connections a test left
    /// open. Best effort: a failure here must not hide the test's result.
    fn drop(&mut self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let (Some(server), Some(name)) = (postgres_server(), self.url.rsplit('/').next()) else {
            return;
        };
        if let Ok(mut admin) = postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let template = sqlite_template();
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        std::fs::copy(template, &path).expect("copy template");
        let wal = template.with_extension("db-wal");
        if wal.exists() {
            std::fs::copy(&wal, path.with_extension("db-wal")).expect("copy wal");
        }
        TestDb {
            url: format!("sqlite://{}", path.display()),
            backend: Backend::Sqlite,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database, or `None` (said loudly) when PostgreSQL
    /// is not installed here. Panics under CI instead of skipping.
    pub fn postgres() -> Option<TestDb> {
        let Some(server) = postgres_server() else {
            let msg = "PostgreSQL is not installed (no initdb under /usr/lib/postgresql and no DINGDIAN_TEST_POSTGRES): \
                       the PostgreSQL half of this test was SKIPPED. Install Debian's `postgresql` package to run it.";
            if std::env::var_os("CI").is_some() {
                panic!("{msg} Under CI this is an error.");
            }
            eprintln!("\n!!!!!!!! {msg} !!!!!!!!\n");
            return None;
        };
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let template = postgres_template(server);
        let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls)
            .expect("connect to test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .expect("create test database");
        Some(TestDb {
            url: server.url(&name),
            backend: Backend::Postgres,
            _dir: None,
        })
    }
}

/// The code an account's authenticator app would show now, computed from
/// the sealed secret in the database (`key` is the app's personal-data
/// key); `None` when the account has no second factor.
///
/// Tests sign in far more often than a person: the code of a step already
/// used is refused (replay), so this answers the earliest step of the
/// accepted window (now ± 1 step) not yet used; when all three are used it
/// makes the account forget its last step rather than wait 30 seconds.
/// Tests of replay itself compute their codes with `dingdian_core::totp`.
pub fn totp_code(
    store: &dingdian_store::Store,
    key: &dingdian_core::crypto::PersonalDataKey,
    username: &str,
) -> Option<String> {
    use dingdian_core::totp;
    let u = store
        .read(|c| dingdian_store::users::by_username(c, username))
        .expect("read the account")?;
    let sealed = u.totp_secret?;
    let secret = key
        .open(totp::AAD_SECRET, &sealed)
        .expect("the TOTP secret opens with the app's key");
    let now = totp::step_at(dingdian_core::time::now_ts());
    // Prefer the current step, then later ones, the earlier ones last: an
    // earlier step leaves the window as soon as the clock crosses a step
    // boundary, which a loaded machine does between here and the server.
    let free = (now..=now + totp::WINDOW_STEPS)
        .chain((now - totp::WINDOW_STEPS..now).rev())
        .find(|s| u.totp_last_step.is_none_or(|last| *s > last));
    let step = match free {
        Some(s) => s,
        None => {
            store
                .write(|c| dingdian_store::users::set_totp_step(c, u.id, None))
                .expect("forget the last step");
            now
        }
    };
    Some(totp::hotp(&secret, step, totp::DIGITS))
}

impl TestDb {
    /// The files on disk that hold this database, to look for plaintext in:
    /// the SQLite file with its write-ahead log; for PostgreSQL (a cluster
    /// the testkit started, or whose data folder `DINGDIAN_TEST_POSTGRES_DATA`
    /// names) the database's folder and the write-ahead log, after a
    /// checkpoint. `None` for a PostgreSQL server found elsewhere.
    pub fn files(&self) -> Option<Vec<PathBuf>> {
        if let Some(path) = self.url.strip_prefix("sqlite://") {
            let wal = PathBuf::from(format!("{path}-wal"));
            return Some(
                [PathBuf::from(path), wal]
                    .into_iter()
                    .filter(|p| p.exists())
                    .collect(),
            );
        }
        let data = postgres_server()?.data.clone()?;
        let mut client = postgres::Client::connect(&self.url, postgres::NoTls).ok()?;
        let oid: u32 = client
            .query_one(
                "SELECT oid FROM pg_database WHERE datname = current_database()",
                &[],
            )
            .ok()?
            .get(0);
        client.batch_execute("CHECKPOINT").ok()?;
        let mut files = Vec::new();
        for dir in [data.join("base").join(oid.to_string()), data.join("pg_wal")] {
            for e in std::fs::read_dir(dir).ok()?.flatten() {
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    files.push(e.path());
                }
            }
        }
        Some(files)
    }
}

/// Runs `f` on a fresh database of each backend.
pub fn on_both(f: impl Fn(&TestDb)) {
    f(&TestDb::sqlite());
    if let Some(db) = TestDb::postgres() {
        f(&db);
    }
}

fn sqlite_template() -> &'static Path {
    static T: OnceLock<PathBuf> = OnceLock::new();
    T.get_or_init(|| {
        // Kept for the life of the process; removed by the OS temp cleaner.
        let dir = tempfile::Builder::new()
            .prefix("dingdian-template")
            .tempdir()
            .expect("temp dir")
            .keep();
        let path = dir.join("template.db");
        let store = dingdian_store::Store::open(&format!("sqlite://{}", path.display()))
            .expect("migrate template");
        drop(store);
        path
    })
}

struct PgServer {
    host: String,
    port: u16,
    user: String,
    /// The cluster's data folder, when the testkit started the cluster.
    data: Option<PathBuf>,
}

impl PgServer {
    fn url(&self, db: &str) -> String {
        format!(
            "postgres://{}@{}:{}/{}",
            self.user, self.host, self.port, db
        )
    }
}

fn postgres_server() -> Option<&'static PgServer> {
    static S: OnceLock<Option<PgServer>> = OnceLock::new();
    S.get_or_init(|| {
        if let Some(url) = std::env::var("DINGDIAN_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            let cfg: postgres::Config = url
                .parse()
                .expect("DINGDIAN_TEST_POSTGRES is a postgres:// URL");
            let host = match cfg.get_hosts().first() {
                Some(postgres::config::Host::Tcp(h)) => h.clone(),
                _ => "127.0.0.1".into(),
            };
            return Some(PgServer {
                host,
                port: cfg.get_ports().first().copied().unwrap_or(5432),
                user: cfg.get_user().unwrap_or("postgres").into(),
                // The server's data folder, when known (CI says it), so the
                // tests that look for plaintext on disk can look there.
                data: std::env::var_os("DINGDIAN_TEST_POSTGRES_DATA").map(PathBuf::from),
            });
        }
        start_cluster()
    })
    .as_ref()
}

fn postgres_template(server: &PgServer) -> &'static str {
    static T: Mutex<Option<&'static str>> = Mutex::new(None);
    let mut t = T.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(name) = *t {
        return name;
    }
    let name: &'static str = Box::leak(format!("tmpl_{}", std::process::id()).into_boxed_str());
    let mut admin = postgres::Client::connect(&server.url("postgres"), postgres::NoTls)
        .expect("connect to test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create template");
    let store = dingdian_store::Store::open(&server.url(name)).expect("migrate template");
    drop(store);
    *t = Some(name);
    name
}

fn find_pg_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root
/// (initdb refuses to run as root).
fn pg_command(bin: &Path, tool: &str, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

// The watchdog is spawned and never waited for on purpose: it must outlive
// the test process to stop the cluster after it.
#[allow(clippy::zombie_processes)]
fn start_cluster() -> Option<PgServer> {
    let bin = find_pg_bin()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("dingdian-pg")
        .tempdir()
        .expect("temp dir")
        .keep();
    if root {
        Command::new("chown")
            .args(["-R", "postgres"])
            .arg(&dir)
            .status()
            .expect("chown");
    }
    let data = dir.join("data");
    let out = pg_command(&bin, "initdb", root)
        .arg("-D")
        .arg(&data)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ])
        .output()
        .expect("run initdb");
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        dir.display()
    );
    let out = pg_command(&bin, "pg_ctl", root)
        .arg("-D")
        .arg(&data)
        .args(["-o", &opts, "-l"])
        .arg(dir.join("log"))
        .args(["-w", "start"])
        .output()
        .expect("run pg_ctl");
    assert!(
        out.status.success(),
        "pg_ctl start failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.join("log")).unwrap_or_default()
    );
    // Watchdog: stop the cluster and remove its folder when we exit.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {runas}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runas = if root { "runuser -u postgres -- " } else { "" },
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn watchdog");
    Some(PgServer {
        host: "127.0.0.1".into(),
        port,
        user: "postgres".into(),
        data: Some(data),
    })
}

/// Declares each named `fn(&TestDb)` as two tests, `sqlite::NAME` and
/// `postgres::NAME`, so a failure says which backend broke.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { let db = $crate::TestDb::sqlite(); super::$name(&db); } )*
        }
        $crate::postgres_halves!($($name),*);
    };
}

/// The PostgreSQL halves of [`both_backends!`].
#[cfg(dingdian_postgres)]
#[doc(hidden)]
#[macro_export]
macro_rules! postgres_halves {
    ($($name:ident),*) => {
        mod postgres {
            $( #[test] fn $name() { if let Some(db) = $crate::TestDb::postgres() { super::$name(&db); } } )*
        }
    };
}

/// The PostgreSQL halves of [`both_backends!`] where PostgreSQL was not
/// found when the testkit was built: ignored, and counted as such.
#[cfg(not(dingdian_postgres))]
#[doc(hidden)]
#[macro_export]
macro_rules! postgres_halves {
    ($($name:ident),*) => {
        mod postgres {
            $(
                #[test]
                #[ignore = "PostgreSQL not found when the testkit was built: install Debian's postgresql or set DINGDIAN_TEST_POSTGRES"]
                fn $name() { if let Some(db) = $crate::TestDb::postgres() { super::$name(&db); } }
            )*
        }
    };
}

/// The database beneath the app, for what a web or CLI test sets up or
/// checks that no use case shows (raw SQL, tampering): those crates reach
/// no store otherwise. A second pool on the same database.
pub fn beneath(url: &str) -> dingdian_store::Store {
    dingdian_store::Store::open(url).expect("open the test database")
}

/// Makes the account's password `days` days old, as if it had been set
/// then.
pub fn age_password(url: &str, username: &str, days: i64) {
    let at = dingdian_core::time::now_ts() - days * 86_400;
    beneath(url)
        .write(|c| {
            c.execute(
                "UPDATE users SET password_changed_at = ? WHERE username = ?",
                &[at.into(), username.into()],
            )
        })
        .expect("age the password");
}

/// The account with this username, as stored.
pub fn stored_user(url: &str, username: &str) -> Option<dingdian_core::user::User> {
    beneath(url)
        .read(|c| dingdian_store::users::by_username(c, username))
        .expect("read the account")
}

/// The audit records whose action, account, object or detail holds `q`,
/// newest first.
pub fn audit_records(url: &str, q: &str) -> Vec<dingdian_store::audit::AuditRecord> {
    beneath(url)
        .read(|c| {
            let f = dingdian_store::audit::AuditFilter {
                q: Some(q.to_string()),
                ..Default::default()
            };
            dingdian_store::audit::search(c, &f, dingdian_core::Page::all())
        })
        .expect("read the audit log")
        .0
}

/// Gives the account a second-factor secret, sealed by the caller.
pub fn issue_totp(url: &str, user_id: i64, sealed: Vec<u8>) {
    beneath(url)
        .write(|c| dingdian_store::users::issue_totp(c, user_id, sealed))
        .expect("issue the secret");
}

/// A project of `unit` in `county` in the given status, under a fresh
/// assistance plan, written with plain SQL (the funds ledger's tests need
/// projects to earmark money for, whatever builds them).
pub fn insert_project(url: &str, unit: i64, county: &str, name: &str, status: &str) -> i64 {
    let now = dingdian_core::time::now_ts();
    beneath(url)
        .write(|c| {
            let plan = c.query_i64(
                "INSERT INTO assistance_plans (unit_id, county_code, name, period_start, period_end, goals, status, created_at, updated_at) \
                 VALUES (?, ?, ?, '2021-01-01', '2025-12-31', '', 'agreed', ?, ?) RETURNING id",
                &[unit.into(), county.into(), format!("{name} plan").into(), now.into(), now.into()],
            )?;
            c.query_i64(
                "INSERT INTO projects (plan_id, unit_id, county_code, name, category, budget_fen, start_date, end_date, implementer, status, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, 'industry', 0, '2021-01-01', '2025-12-31', 'test', ?, ?, ?) RETURNING id",
                &[plan.into(), unit.into(), county.into(), name.into(), status.into(), now.into(), now.into()],
            )
        })
        .expect("insert a project")
}

/// Posts a ledger receipt of `source` (`direct`, `introduced`, `other`)
/// for a pairing, as plain SQL: the records summary and the letters read
/// the ledger, whose own use cases another part builds. Its id.
pub fn ledger_receipt(
    store: &dingdian_store::Store,
    (unit_id, county): (i64, &str),
    source: &str,
    amount_fen: i64,
    date: &str,
) -> i64 {
    store
        .write(|c| {
            c.query_i64(
                "INSERT INTO ledger_entries (kind, unit_id, county_code, source, amount_fen, entry_date, username, at) \
                 VALUES ('receipt', ?, ?, ?, ?, ?, 'test', 0) RETURNING id",
                &[unit_id.into(), county.into(), source.into(), amount_fen.into(), date.into()],
            )
        })
        .expect("post a receipt")
}

/// Reverses a ledger entry (a `reversal` naming it), as plain SQL.
pub fn ledger_reversal(store: &dingdian_store::Store, entry: i64, date: &str) -> i64 {
    store
        .write(|c| {
            c.query_i64(
                "INSERT INTO ledger_entries (kind, unit_id, county_code, source, amount_fen, entry_date, reverses, username, at) \
                 SELECT 'reversal', unit_id, county_code, source, amount_fen, ?, id, 'test', 0 FROM ledger_entries WHERE id = ? RETURNING id",
                &[date.into(), entry.into()],
            )
        })
        .expect("post a reversal")
}

/// A secondment as plain SQL, for the parts that read secondments (reports
/// expected of a serving team, village work teams, reminders) while the
/// secondments' own use cases are built elsewhere. `role`: leader or
/// member; `status`: proposed, approved, serving, completed, recalled. Its id.
pub fn insert_secondment(
    store: &dingdian_store::Store,
    (unit_id, county): (i64, &str),
    (person_name, role, status): (&str, &str, &str),
    (start, planned_end): (&str, &str),
    user_id: Option<i64>,
) -> i64 {
    let now = dingdian_core::time::now_ts();
    let user: dingdian_store::Value = user_id.map_or(dingdian_store::Value::Null, Into::into);
    store
        .write(|c| {
            c.query_i64(
                "INSERT INTO secondments (unit_id, county_code, person_name, person_rank, contact, post, role, batch, \
                 start_date, planned_end, status, user_id, created_at, updated_at) \
                 VALUES (?, ?, ?, '处级', '0941-0000000', '副县长', ?, 1, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    unit_id.into(),
                    county.into(),
                    person_name.into(),
                    role.into(),
                    start.into(),
                    planned_end.into(),
                    status.into(),
                    user,
                    now.into(),
                    now.into(),
                ],
            )
        })
        .expect("insert a secondment")
}

// issue 13: part B, return-risk monitoring

/// A monitoring case written beneath the app (the pages and the API need
/// cases in a given status without walking the workflow), with one risk
/// (`low_income`, source data) and one step into its status.
pub fn insert_monitoring_case(
    url: &str,
    (household_id, county, year): (&str, &str, i32),
    status: &str,
) -> i64 {
    let now = dingdian_core::time::now_ts();
    beneath(url)
        .write(|c| {
            let id = c.query_i64(
                "INSERT INTO monitored_households (household_id, county_code, year, kind, status, source, \
                 flagged_on, verified_on, created_at, updated_at) \
                 VALUES (?, ?, ?, 'marginal', ?, 'data', '2016-05-01', ?, ?, ?) RETURNING id",
                &[
                    household_id.into(),
                    county.into(),
                    year.into(),
                    status.into(),
                    (if status == "flagged" { dingdian_store::Value::Null } else { "2016-05-10".into() }),
                    now.into(),
                    now.into(),
                ],
            )?;
            c.execute(
                "INSERT INTO monitoring_risks (monitored_id, risk, source, flagged_on, created_at) \
                 VALUES (?, 'low_income', 'data', '2016-05-01', ?)",
                &[id.into(), now.into()],
            )?;
            c.execute(
                "INSERT INTO monitoring_transitions (monitored_id, from_status, to_status, on_date, at) \
                 VALUES (?, NULL, ?, '2016-05-01', ?)",
                &[id.into(), status.into(), now.into()],
            )?;
            Ok::<_, dingdian_store::StoreError>(id)
        })
        .expect("insert a monitoring case")
}

// issue 13: printed reports
/// The id of the unit with this name (the CLI's tests name a unit by id).
pub fn unit_id(url: &str, name: &str) -> Option<i64> {
    beneath(url)
        .read(|c| dingdian_store::units::find_by_name(c, name))
        .expect("read the unit")
}

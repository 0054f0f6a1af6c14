//! The portable core of the store: values, rows, a connection trait that
//! both backends implement, and the pooled [`Store`].
//!
//! Repository SQL is written once with `?` placeholders; the PostgreSQL
//! backend numbers them. Both dialects agree on `RETURNING`,
//! `ON CONFLICT`, `TRUE`/`FALSE` and `CAST`, which is all we use.

use crate::row::{FromRow, Row};
use crate::{migrate, postgres_backend, reference, sqlite_backend};
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v as i64)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl From<chrono::NaiveDate> for Value {
    fn from(v: chrono::NaiveDate) -> Self {
        Value::Text(v.format("%Y-%m-%d").to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// Builds a `&[Value]` parameter list.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { &[$($crate::Value::from($v)),*][..] };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A unique constraint refused the write.
    Unique(String),
    /// A referenced record does not exist.
    ForeignKey(String),
    /// The database could not be reached or failed.
    Db(String),
    /// The URL or configuration is wrong.
    Config(String),
    /// The disk (or the database's size limit) is full: SQLite's
    /// SQLITE_FULL, PostgreSQL's 53100 disk_full, or an I/O error of kind
    /// `StorageFull`. Nothing was written; the operator must free space.
    DiskFull(String),
    /// The database holds a value the program cannot read as its column
    /// means it (see [`crate::Row`]): the table, column and value named.
    Data(String),
}

impl StoreError {
    /// An I/O failure of the store's own files: a full disk is told apart.
    pub fn from_io(what: &str, e: &std::io::Error) -> StoreError {
        if e.kind() == std::io::ErrorKind::StorageFull {
            StoreError::DiskFull(format!("{what}: {e}"))
        } else {
            StoreError::Db(format!("{what}: {e}"))
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unique(m) => write!(f, "unique constraint: {m}"),
            StoreError::ForeignKey(m) => write!(f, "foreign key: {m}"),
            StoreError::Db(m) => write!(f, "database: {m}"),
            StoreError::Config(m) => write!(f, "configuration: {m}"),
            StoreError::DiskFull(m) => write!(f, "disk full: {m}"),
            StoreError::Data(m) => write!(f, "stored data: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection inside a transaction. Both backends implement it.
pub trait Conn {
    fn backend(&self) -> Backend;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// The bulk path: many rows into one table, never a loop of single
    /// statements over the wire.
    fn insert_rows(&mut self, table: &str, columns: &[&str], rows: &[Vec<Value>]) -> Result<u64>;
    /// Streams the rows of a query to `f` without holding them all (audit
    /// verification, backups); `f` answers whether to go on.
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()>;
}

impl dyn Conn + '_ {
    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The one integer a query answers (`COUNT(*)`, `RETURNING id`); no
    /// row is an error.
    pub fn query_i64(&mut self, sql: &str, params: &[Value]) -> Result<i64> {
        match self.query_one(sql, params)? {
            Some(r) => r.single(),
            None => Err(StoreError::Data(format!("no row answered {sql}"))),
        }
    }

    /// The rows of a query, each through its table's one mapping.
    pub fn query_as<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<T>> {
        self.query(sql, params)?.iter().map(Row::to).collect()
    }

    /// The first row of a query, if any, through its table's mapping.
    pub fn query_one_as<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> Result<Option<T>> {
        self.query_one(sql, params)?.map(|r| r.to()).transpose()
    }
}

/// How long a request waits for a database connection before it fails:
/// when the database is down, an answer within seconds, not a hang.
pub const CONNECTION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub use dingdian_core::Page;

/// How a transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Read,
    Write,
    /// Everything a write does, then rolled back (import `--dry-run`).
    DryRun,
    /// A read that sees one snapshot across all its statements (backups):
    /// REPEATABLE READ on PostgreSQL; every SQLite read transaction is one.
    Snapshot,
}

impl Mode {
    pub(crate) fn writes(self) -> bool {
        matches!(self, Mode::Write | Mode::DryRun)
    }
}

enum Pool {
    Sqlite(r2d2::Pool<sqlite_backend::Manager>),
    Postgres(r2d2::Pool<postgres_backend::Manager>),
}

/// The database, pooled and shared, with the analytics snapshot it keeps
/// current. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Arc<Pool>,
    snapshot: Arc<std::sync::RwLock<Option<crate::analytics::Snapshot>>>,
}

impl Store {
    /// Opens `sqlite://PATH` or `postgres://…`, runs the migrations and loads
    /// the reference data on first use.
    pub fn open(url: &str) -> Result<Store> {
        let pool = if let Some(path) = url.strip_prefix("sqlite://") {
            Pool::Sqlite(sqlite_backend::pool(path)?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(postgres_backend::pool(url)?)
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://user:pass@host:port/db"
            )));
        };
        let store = Store {
            pool: Arc::new(pool),
            snapshot: Default::default(),
        };
        store.write(|c| {
            migrate::run(c)?;
            reference::load_if_empty(c)
        })?;
        Ok(store)
    }

    /// Whether the database answers: one trivial query (the health check).
    pub fn ping(&self) -> Result<()> {
        self.read(|c| c.query("SELECT 1", &[]).map(|_| ()))
    }

    pub fn backend(&self) -> Backend {
        match &*self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in a transaction that is committed when `f` returns `Ok`
    /// and rolled back otherwise: nothing is ever half-written.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        match &*self.pool {
            Pool::Sqlite(p) => sqlite_backend::in_transaction(p, Mode::Write, f),
            Pool::Postgres(p) => postgres_backend::in_transaction(p, Mode::Write, f),
        }
    }

    /// Reads the analytics snapshot, loading it on first use and reloading
    /// it when another process wrote to the registry meanwhile.
    pub fn with_snapshot<T>(&self, f: impl FnOnce(&crate::analytics::Snapshot) -> T) -> Result<T> {
        let current = self.read(crate::registry::version)?;
        {
            let guard = self.snapshot.read().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = guard.as_ref().filter(|s| s.version == current) {
                return Ok(f(s));
            }
        }
        let mut guard = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        if guard.as_ref().is_none_or(|s| s.version != current) {
            *guard = Some(self.read(crate::analytics::Snapshot::load)?);
        }
        Ok(f(guard.as_ref().expect("loaded above")))
    }

    /// Brings the snapshot up to date after this process's own write (one
    /// bump of the counter): the partitions touched and the small tables.
    /// If others wrote too, the next read reloads it whole.
    pub fn refresh_snapshot(&self, partitions: &[(i32, String)]) -> Result<()> {
        let mut guard = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = guard.as_mut() {
            self.read(|c| -> Result<()> {
                let current = crate::registry::version(c)?;
                for (year, county) in partitions {
                    s.refresh(c, *year, county)?;
                }
                s.refresh_tables(c)?;
                if current == s.version + 1 {
                    s.version = current;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Replaces the snapshot wholesale (benchmarks build one in memory).
    pub fn set_snapshot(&self, mut s: crate::analytics::Snapshot) {
        if let Ok(v) = self.read(crate::registry::version) {
            s.version = v;
        }
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Some(s);
    }

    /// Runs `f` as a write and then rolls everything back: a dry run that
    /// sees exactly what the write would.
    pub fn dry_run<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        match &*self.pool {
            Pool::Sqlite(p) => sqlite_backend::in_transaction(p, Mode::DryRun, f),
            Pool::Postgres(p) => postgres_backend::in_transaction(p, Mode::DryRun, f),
        }
    }

    /// Runs `f` in a read-only transaction that sees one snapshot of the
    /// whole database from its first statement to its last, while writers
    /// go on (a backup of a running system).
    pub fn read_snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        match &*self.pool {
            Pool::Sqlite(p) => sqlite_backend::in_transaction(p, Mode::Snapshot, f),
            Pool::Postgres(p) => postgres_backend::in_transaction(p, Mode::Snapshot, f),
        }
    }

    /// Runs `f` in a read-only transaction (one consistent snapshot).
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        match &*self.pool {
            Pool::Sqlite(p) => sqlite_backend::in_transaction(p, Mode::Read, f),
            Pool::Postgres(p) => postgres_backend::in_transaction(p, Mode::Read, f),
        }
    }
}
